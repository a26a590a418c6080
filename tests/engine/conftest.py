import numpy as np
import pytest
from builders import make_dataset

import engine.training.keras_setup  # noqa: F401  (before any test imports TensorFlow: it sets the thread counts)
from engine.data import Dataset


@pytest.fixture
def xor_data() -> Dataset:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(300, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(float)
    return make_dataset(x[:200], y[:200], x[200:], y[200:])
