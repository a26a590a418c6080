"""Lesson 17 (why L1 gives zeros): every number it states holds, over 3 training seeds.

As in test_lessons.py: each claim is checked on the lesson's training seed + 0, 1, 2, training exactly what the
lesson file says (the comparison: both layers' kernel penalty switched to L2 at the same λ), and each stated number
is checked as a reader takes it ("within 0.001 of 0" is |w| < 0.001, "above 0.8" is > 0.8, "about 0.03" rounds to
0.03). When a claim fails on a seed, the lesson changes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from test_lessons import lesson, show

from engine.data import load_table
from engine.spec import WeightRef, set_path
from engine.training.landscape import compute_landscape, trajectory_point
from engine.training.trainer import Trainer

SEEDS = (0, 1, 2)
STEM = "17_why_l1_gives_zeros"
ROOT = Path(__file__).resolve().parents[2]
PAIR = (WeightRef(0, 0, 0), WeightRef(0, 1, 0))  # strong's weight, weak's weight

_paths: dict[tuple[str, int], tuple[Trainer, np.ndarray]] = {}


@pytest.fixture(autouse=True, scope="module")
def _forget_the_runs_afterwards():
    yield
    _paths.clear()


def as_l2(exp):
    lam = exp.network.hidden[0].kernel_regularizer.l1
    for path in ("network.hidden[0].kernel_regularizer", "network.output.kernel_regularizer"):
        exp = set_path(set_path(exp, f"{path}.l1", 0.0), f"{path}.l2", lam)
    return exp


def run(penalty: str, seed: int) -> tuple[Trainer, np.ndarray]:
    """The trained run and the pair's path: (epochs + 1, 2), row 0 before training."""
    if (penalty, seed) not in _paths:
        exp = lesson(STEM) if penalty == "L1" else as_l2(lesson(STEM))
        exp.training.seed += seed
        trainer = Trainer(exp, grid_every=0)
        path = [[float(trainer.net.dense[r.layer].kernel.numpy()[r.row, r.column]) for r in PAIR]]
        trainer.run(on_epoch=lambda snap: path.append(trajectory_point(snap, PAIR)))
        _paths[penalty, seed] = trainer, np.array(path)
    return _paths[penalty, seed]


def test_the_file_names_the_pair_and_the_data_is_what_the_text_says():
    exp = lesson(STEM)
    assert exp.landscape.weights == PAIR
    assert exp.training.epochs == 300 and exp.network.hidden[0].units == 1
    assert exp.network.hidden[0].activation == "linear"
    l1 = exp.network.hidden[0].kernel_regularizer
    assert (l1.l1, l1.l2) == (0.1, 0.0) and exp.network.output.kernel_regularizer == l1  # the same on both layers
    spec = importlib.util.spec_from_file_location("maker", ROOT / "tools" / "make_strong_and_weak_feature.py")
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    assert maker.WEAK_WEIGHT == 0.03  # "y = strong + 0.03·weak + a little noise"
    table = load_table(exp.data, exp.base_dir)
    np.testing.assert_array_equal(np.column_stack([table.x, table.y]), maker.rows())
    assert abs(np.corrcoef(table.x.T)[0, 1]) < 0.05  # "the two features are uncorrelated" (drawn independently)


@pytest.mark.parametrize("seed", SEEDS)
def test_under_l1_the_weak_weight_stops_at_0_and_the_strong_one_stays(seed):
    _, path = run("L1", seed)
    weak = np.abs(path[150:, 1])  # "from epoch 150 to the end (epoch 300)"
    assert len(path) == 301
    assert weak.max() < 0.001, show(largest_weak=weak.max())  # "stays within 0.001 of 0"
    assert abs(path[-1, 0]) > 0.8, show(strong=path[-1, 0])  # "the strong weight ends above 0.8"


@pytest.mark.parametrize("seed", SEEDS)
def test_under_l2_the_weak_weight_stays_away_from_0(seed):
    _, path = run("L2", seed)
    strong, weak = abs(path[-1, 0]), abs(path[-1, 1])
    assert round(weak, 2) == 0.03, show(weak=weak)  # "ends at about 0.03"
    assert weak >= 0.001  # "stays away from 0": never within L1's band at the end
    assert strong >= 0.001, show(strong=strong)  # "under L2 neither weight ends at 0"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_landscape_shows_the_pair_at_the_corner(seed):
    trainer, path = run("L1", seed)
    land = compute_landscape(trainer, PAIR, grid=41, around=path)
    a, b = land.current
    assert abs(b) < 0.001 and abs(a) > 0.8  # on the strong axis: the corner of the diamond through the pair
    # the penalty over the plane is the diamond: λ(|a| + |b|) + the rest of the network's penalty
    centre = land.penalty[20, 20]  # a = b = 0
    assert land.penalty[20, 40] - centre == pytest.approx(0.1 * land.reach, rel=1e-4)
    assert land.penalty[0, 20] - centre == pytest.approx(0.1 * land.reach, rel=1e-4)
