"""Lesson 18 (the path: from everything to nothing): every number it states holds on 3 training seeds.

As in test_lessons.py: the lesson's own study (its field and values) is trained headless with the lesson's seed
+ 0, 1, 2 — the same runs the window's path study trains — and each number is checked as a reader takes it
("fewer than 1 %" is < 0.01, "between a third and a half" is 1/3 ≤ x ≤ 1/2, "more than three quarters" > 0.75).
When a claim fails on a seed, the lesson changes.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_lessons import lesson, show

from engine.spec import parse_values
from engine.studies.path import PathRun, run_path
from engine.training.snapshot import NEAR_ZERO

PATH = "18_the_path_from_everything_to_nothing"
SEEDS = 3


@pytest.fixture(scope="module")
def runs() -> dict[float, list[PathRun]]:
    """The lesson's path over 3 training seeds: value → its runs."""
    exp = lesson(PATH)
    study = exp.lesson.study
    by_value: dict[float, list[PathRun]] = {}
    for run in run_path(exp, study["param"], parse_values(study["values"]), seeds=SEEDS):
        by_value.setdefault(run.value, []).append(run)
    return by_value


def first_layer_near_zero(run: PathRun) -> float:
    return float(np.mean(np.abs(run.kernels[0]) < NEAR_ZERO))


def test_the_lesson_runs_its_path_over_the_lambdas_it_names():
    exp = lesson(PATH)
    assert exp.lesson.study == {"kind": "path", "param": "network.hidden[0].kernel_regularizer.l1",
                                "values": "1e-4:0.1:4", "seeds": 1, "folds": 0}
    assert parse_values(exp.lesson.study["values"]) == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1])
    assert exp.training.optimizer == "sgd"  # "lr·λ with plain SGD as here"
    assert exp.network.hidden[0].units == 16 and exp.data.name == "tabular"  # "160 weights (10 features × 16 units)"


@pytest.mark.parametrize(("value", "holds", "words"), [
    (1e-4, lambda share: share < 0.01, "at λ = 0.0001 fewer than 1 %"),
    (1e-3, lambda share: share < 0.05, "at λ = 0.001 fewer than 5 %"),
    (1e-2, lambda share: 1 / 3 <= share <= 1 / 2, "at λ = 0.01 between a third and a half"),
    (1e-1, lambda share: share > 0.75, "at λ = 0.1 more than three quarters"),
])
def test_the_share_of_first_layer_weights_near_zero_grows_with_lambda(runs, value, holds, words):
    for run in _at(runs, value):
        assert run.kernels[0].shape == (10, 16)
        share = first_layer_near_zero(run)
        assert holds(share), f"{words}: " + show(seed=run.seed, share=share)


def test_validation_accuracy_is_lower_at_the_largest_lambda(runs):
    for strong, mild in zip(_at(runs, 1e-1), _at(runs, 1e-3), strict=True):
        assert strong.scores["val_accuracy"] < mild.scores["val_accuracy"], show(
            seed=strong.seed, at_0_1=strong.scores["val_accuracy"], at_0_001=mild.scores["val_accuracy"])


def _at(runs: dict[float, list[PathRun]], value: float) -> list[PathRun]:
    """The runs of the value nearest ``value`` (a log range's values are floats near the round numbers)."""
    nearest = min(runs, key=lambda v: abs(np.log10(v) - np.log10(value)))
    assert len(runs[nearest]) == SEEDS
    return runs[nearest]
