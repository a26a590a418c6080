"""The data sets that come with RegLab: toy sets generated from a seed, and scikit-learn's bundled sets."""

from __future__ import annotations

import numpy as np

from engine.data.tables import DataError, Table
from engine.spec import TOY_REGRESSION


def toy_table(name: str, samples: int, noise: float, seed: int) -> Table:
    """Two-feature sets in the style of TensorFlow Playground (and the 10-feature "tabular" set of the
    tutorials); noise 0 = clean, 1 = heavy overlap."""
    if name not in TOY_MAKERS:
        raise DataError(f"data.name: {name!r} is not a toy data set (choose one of {', '.join(TOY_MAKERS)})")
    x, y = TOY_MAKERS[name](int(samples), float(noise), int(seed))
    regression = name in TOY_REGRESSION
    return Table(
        x=np.asarray(x, dtype=np.float64),
        y=np.asarray(y, dtype=np.float64 if regression else np.int64),
        task="regression" if regression else "binary",
        feature_names=[f"x{i + 1}" for i in range(x.shape[1])],
        class_names=[] if regression else ["0", "1"],
        target_name="y" if regression else "label",
        frame=None,
        scale_features=False,
    )


def _tabular(n, noise, seed):
    """Ten features, five informative, two redundant (the tutorials' generated binary set)."""
    from sklearn.datasets import make_classification

    return make_classification(n_samples=n, n_features=10, n_informative=5, n_redundant=2, flip_y=0.3 * noise,
                               class_sep=1.0, random_state=seed)


def _circle(n, noise, seed):
    from sklearn.datasets import make_circles

    return make_circles(n_samples=n, noise=0.25 * noise, factor=0.5, random_state=seed)


def _moons(n, noise, seed):
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=n, noise=0.5 * noise, random_state=seed)
    return x - [0.5, 0.25], y  # centre the two moons on the origin


def _two_classes(n: int) -> np.ndarray:
    return np.repeat([0, 1], [n // 2, n - n // 2])


def _shuffled(rng, x, y):
    order = rng.permutation(len(y))
    return x[order], y[order]


def _xor(n, noise, seed):
    """Points in the four quadrants; label 1 where x1 and x2 have the same sign."""
    rng = np.random.default_rng(seed)
    y = _two_classes(n)
    signs = rng.choice([-1.0, 1.0], size=n)
    first = signs * rng.uniform(0.05, 1.0, size=n)  # keep a small gap around the axes
    second = np.where(y == 1, 1.0, -1.0) * np.sign(first) * rng.uniform(0.05, 1.0, size=n)
    x = np.column_stack([first, second]) + rng.normal(0.0, 0.4 * noise, size=(n, 2))
    return _shuffled(rng, x, y)


def _gaussian(n, noise, seed):
    """Two round blobs on the diagonal."""
    rng = np.random.default_rng(seed)
    y = _two_classes(n)
    centres = np.where(y[:, None] == 1, 0.6, -0.6)
    x = centres + rng.normal(0.0, 0.1 + 0.8 * noise, size=(n, 2))
    return _shuffled(rng, x, y)


def _spiral(n, noise, seed):
    """Two interleaved spiral arms, 1.75 turns each."""
    rng = np.random.default_rng(seed)
    y = _two_classes(n)
    k = n // 2
    radius = np.concatenate([np.linspace(0.0, 1.0, k), np.linspace(0.0, 1.0, n - k)])
    angle = 1.75 * 2 * np.pi * radius + np.pi * y
    x = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    x += rng.normal(0.0, 0.15 * noise, size=(n, 2))
    return _shuffled(rng, x, y)


def _plane(n, noise, seed):
    """y = (x1 + x2) / 2 plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = 0.5 * (x[:, 0] + x[:, 1]) + rng.normal(0.0, 0.5 * noise, size=n)
    return x, y


def _ripple(n, noise, seed):
    """y = sin(2π·radius) plus noise: rings around the origin."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = np.sin(2 * np.pi * np.hypot(x[:, 0], x[:, 1])) + rng.normal(0.0, 0.5 * noise, size=n)
    return x, y


#: each name of engine.spec.TOY_SETS → its generator (n, noise, seed) → (x, y)
TOY_MAKERS = {
    "circle": _circle,
    "xor": _xor,
    "gaussian": _gaussian,
    "spiral": _spiral,
    "moons": _moons,
    "plane": _plane,
    "ripple": _ripple,
    "tabular": _tabular,
}


# --------------------------------------------------------------------------- scikit-learn's sets

#: each name of engine.spec.SKLEARN_SETS → what its target is
SKLEARN_TARGETS = {
    "iris": "species",
    "wine": "cultivar",
    "breast_cancer": "diagnosis",
    "digits": "digit",
    "diabetes": "disease progression",
}


def sklearn_table(name: str) -> Table:
    """One of scikit-learn's bundled data sets (nothing is downloaded)."""
    if name not in SKLEARN_TARGETS:
        raise DataError(f"data.name: {name!r} is not a bundled data set (choose one of {', '.join(SKLEARN_TARGETS)})")
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")()
    x = np.asarray(bunch.data, dtype=np.float64)
    names = [str(f) for f in getattr(bunch, "feature_names", [])] or [f"x{i + 1}" for i in range(x.shape[1])]
    if name == "diabetes":
        task, y, classes = "regression", np.asarray(bunch.target, dtype=np.float64), []
    else:
        classes = [str(c) for c in bunch.target_names]
        task = "binary" if len(classes) == 2 else "multiclass"
        y = np.asarray(bunch.target, dtype=np.int64)
    return Table(x, y, task, names, classes, SKLEARN_TARGETS[name], frame=None, scale_features=True)
