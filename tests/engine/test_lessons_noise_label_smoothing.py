"""Lessons 14 (input noise smooths the boundary) and 15 (label smoothing): every number they state holds.

As in test_lessons.py: each claim is checked over 3 training seeds (the lesson's seed + 0, 1, 2), training exactly
what the lesson file says, and every stated number is checked as a reader takes it ("below 0.2" is < 0.2, "98 % or
more" is ≥ 0.98). When a claim fails on a seed, the lesson changes. Both lessons are lesson 1's network with one
thing added, so lesson 1's runs are the comparison for both; each run is trained once here, with the decision grid
of its last epoch (the picture the boundary view shows when training ends).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_lessons import lesson, show

from engine.spec import Experiment, set_path
from engine.studies.study import lesson_variants
from engine.training.keras_setup import keras
from engine.training.snapshot import GRID_SIZE, Snapshot
from engine.training.trainer import Trainer

SEEDS = (0, 1, 2)
NOISE = "14_input_noise_smooths_the_boundary"
SMOOTHING = "15_label_smoothing"

_trained: dict[str, tuple[Trainer, Snapshot]] = {}


@pytest.fixture(autouse=True, scope="module")
def _forget_the_runs_afterwards():
    yield
    _trained.clear()  # a dozen trained models: let the rest of the suite have the memory back


def train(exp: Experiment, seed: int) -> tuple[Trainer, Snapshot]:
    """Train ``exp`` with training seed (its seed + ``seed``) to the end; the trainer and its last snapshot (with
    the decision grid). The same network, data and seed are trained once."""
    run = exp.copy()
    run.training.seed = exp.training.seed + seed
    run.name, run.lesson = "", None  # neither changes training
    key = run.to_json()
    if key not in _trained:
        trainer = Trainer(run, grid_every=run.training.epochs)  # the grid of the last epoch only
        _trained[key] = trainer, trainer.run()
    return _trained[key]


def lesson_1(seed: int) -> tuple[Trainer, Snapshot]:
    return train(lesson("01_overfitting"), seed)


def final(trainer: Trainer, key: str) -> float:
    return round(trainer.history[-1][key], 6)  # a float32 accuracy of 49/50 reads 0.97999996


def final_gap(trainer: Trainer) -> float:
    return final(trainer, "val_loss") - final(trainer, "train_eval_loss")


def same_but(exp: Experiment, path: str, value: float) -> Experiment:
    """``exp`` with one field changed and the lesson text dropped (so it can be compared with another lesson)."""
    new = set_path(exp, path, value)
    new.name, new.lesson = "", None
    return new


def cross_entropy(trainer: Trainer, x: np.ndarray, targets: np.ndarray) -> float:
    """Binary cross-entropy of the model's predictions (evaluation mode: no noise) against ``targets``, in numpy
    (Keras clips p to [1e-7, 1 − 1e-7])."""
    p = np.clip(trainer.predict(x).astype(np.float64).ravel(), 1e-7, 1 - 1e-7)
    t = targets.astype(np.float64).ravel()
    return float(np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p))))


def evaluation_sets(trainer: Trainer) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """The rows behind each evaluation loss of the history: validation rows, and training rows (dropout off)."""
    d = trainer.data
    return [(d.x_val, d.y_val, "val_loss"), (d.x_train, d.y_train, "train_eval_loss")]


# --------------------------------------------------------------------------- the picture, measured


def regions(grid: np.ndarray) -> list[np.ndarray]:
    """The connected regions of the picture where the predicted class is the same (cells sharing a side), each a
    boolean mask: the areas the boundary view's 0.5 contour divides the plane into."""
    classes = grid > 0.5
    label = np.full(grid.shape, -1)
    for start in np.ndindex(grid.shape):
        if label[start] < 0:
            flood(classes, label, start, label.max() + 1)
    return [label == i for i in range(label.max() + 1)]


def flood(classes: np.ndarray, label: np.ndarray, start: tuple[int, int], number: int) -> None:
    """Give ``number`` to every cell reachable from ``start`` through side neighbours of the same class."""
    label[start] = number
    stack = [start]
    while stack:
        r, c = stack.pop()
        for cell in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            inside = 0 <= cell[0] < classes.shape[0] and 0 <= cell[1] < classes.shape[1]
            if inside and label[cell] < 0 and classes[cell] == classes[start]:
                label[cell] = number
                stack.append(cell)


def cell_of(trainer: Trainer, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The grid cell (row = y, column = x) whose centre is nearest to each point."""
    x0, x1, y0, y1 = trainer.grid_extent
    cols = np.rint((points[:, 0] - x0) / (x1 - x0) * (GRID_SIZE - 1)).astype(int)
    rows = np.rint((points[:, 1] - y0) / (y1 - y0) * (GRID_SIZE - 1)).astype(int)
    return rows, cols


def an_extra_region_takes_in_a_training_point(trainer: Trainer, grid: np.ndarray) -> bool:
    """True when a region other than the largest of its class holds a training point of that class."""
    parts = [(bool(grid[part][0] > 0.5), part) for part in regions(grid)]
    largest = {cls: max((p for c, p in parts if c == cls), key=np.sum) for cls, _ in parts}
    rows, cols = cell_of(trainer, trainer.data.x_train.astype(np.float64))
    is_class_1 = trainer.data.y_train.ravel() == 1
    return any(part is not largest[cls] and np.any(part[rows, cols] & (is_class_1 == cls)) for cls, part in parts)


def steepest_step(grid: np.ndarray) -> float:
    """The largest change of P(class 1) from one cell of the picture to a neighbour (sharing a side)."""
    return float(max(np.abs(np.diff(grid, axis=0)).max(), np.abs(np.diff(grid, axis=1)).max()))


def training_points_right(trainer: Trainer) -> int:
    return round(final(trainer, "train_eval_accuracy") * len(trainer.data.y_train))


def test_the_picture_measures_read_hand_drawn_pictures_as_a_student_would():
    rows, cols = np.mgrid[0:64, 0:64]
    ramp = np.clip((cols - rows) / 20 + 0.5, 0, 1)  # one straight boundary, P rising by 0.05 per cell across it
    assert len(regions(ramp)) == 2 and steepest_step(ramp) == pytest.approx(0.05)
    island = ramp.copy()
    island[5:9, 40:44] = 0.0  # a patch of class 0 inside class 1
    assert len(regions(island)) == 3 and steepest_step(island) == 1.0
    corner = ramp.copy()
    corner[61:, :3] = 1.0  # a patch of class 1 in a corner of class 0: touching the edge, still a region
    assert len(regions(corner)) == 3
    cut = ramp.copy()
    cut[:, 50] = 0.0  # a line of class 0 from edge to edge cuts class 1 in two
    assert len(regions(cut)) == 3


# --------------------------------------------------------------------------- lesson 14: input noise


def test_14_is_lesson_1_with_input_noise_and_compares_three_noise_levels():
    exp = lesson(NOISE)
    assert exp.network.input_noise == 0.3  # "σ = 0.3"
    assert same_but(exp, "network.input_noise", 0.0) == same_but(lesson("01_overfitting"), "network.input_noise", 0)
    variants = dict(lesson_variants(exp, exp.lesson.study["variants"]))
    assert list(variants) == ["input noise σ=0.3", "no noise", "input noise σ=1"]  # "no noise, σ = 0.3 and σ = 1"
    assert [v.network.input_noise for v in variants.values()] == [0.3, 0.0, 1.0]
    assert all(same_but(v, "network.input_noise", 0) == same_but(exp, "network.input_noise", 0)
               for v in variants.values())


def test_14_the_noise_moves_every_training_point_at_random_while_training_only():
    """"each training point is moved a little, at random ... The noise is on while training only": the input noise
    layer adds N(0, 0.3²) in training mode, nothing at evaluation, and the evaluation losses are the plain
    cross-entropy of the noiseless predictions."""
    trainer, _ = train(lesson(NOISE), 0)
    x = np.repeat(trainer.data.x_train, 200, axis=0)
    moved = trainer.net.noise[0](x, training=True).numpy() - x
    assert moved.std() == pytest.approx(0.3, rel=0.03) and abs(moved.mean()) < 0.01
    np.testing.assert_array_equal(trainer.net.noise[0](x, training=False).numpy(), x)
    for x_rows, y_rows, key in evaluation_sets(trainer):
        assert cross_entropy(trainer, x_rows, y_rows) == pytest.approx(trainer.history[-1][key], rel=1e-4), key


@pytest.mark.parametrize("seed", SEEDS)
def test_14_input_noise_smooths_the_boundary_of_the_over_fitting_network(seed):
    noisy, noisy_snap = train(lesson(NOISE), seed)
    plain, plain_snap = lesson_1(seed)
    grid, plain_grid = (s.decision_grid.astype(np.float64) for s in (noisy_snap, plain_snap))
    numbers = show(regions=len(regions(grid)), lesson1_regions=len(regions(plain_grid)),
                   right=training_points_right(noisy), lesson1_right=training_points_right(plain),
                   steepest=steepest_step(grid), lesson1_steepest=steepest_step(plain_grid),
                   val=final(noisy, "val_loss"), gap=final_gap(noisy), lesson1_val=final(plain, "val_loss"),
                   lesson1_gap=final_gap(plain))
    assert grid.shape == (64, 64), numbers  # "the 64 × 64 picture"
    assert len(regions(grid)) == 2, numbers  # "one line splits the plane into just two regions"
    assert len(regions(plain_grid)) >= 3, numbers  # "lesson 1's boundary splits it into three or more"
    assert an_extra_region_takes_in_a_training_point(plain, plain_grid), numbers  # "to take in a point of ..."
    assert len(noisy.data.y_train) - training_points_right(noisy) == 2, numbers  # "leaves 2 of its 50 ... wrong side"
    assert len(noisy.data.y_train) == 50, numbers
    assert steepest_step(grid) <= 0.2, numbers  # "nowhere does P(class 1) change by more than 0.2"
    assert steepest_step(plain_grid) > 0.8, numbers  # "where in lesson 1 it jumps by more than 0.8"
    assert final(noisy, "val_loss") < 0.2 and final_gap(noisy) < 0.05, numbers  # "ends below 0.2, gap below 0.05"
    assert final(plain, "val_loss") > 0.75 and final_gap(plain) > 0.75, numbers  # "lesson 1's both end above 0.75"


@pytest.mark.parametrize("seed", SEEDS)
def test_14_too_much_noise_swamps_the_data(seed):
    swamped, _ = train(set_path(lesson(NOISE), "network.input_noise", 1.0), seed)
    numbers = show(val=final(swamped, "val_loss"), train=final(swamped, "train_eval_loss"))
    assert final(swamped, "val_loss") > 0.3 and final(swamped, "train_eval_loss") > 0.3, numbers  # "both above 0.3"


# --------------------------------------------------------------------------- lesson 15: label smoothing


def sureness(p: np.ndarray) -> np.ndarray:
    """How sure the network is of its answer: max(P(class 1), P(class 0))."""
    p = p.astype(np.float64)
    return np.maximum(p, 1 - p)


def wrong_validation_points(trainer: Trainer) -> tuple[np.ndarray, np.ndarray]:
    """How sure the network is of each validation answer it gets wrong, and what that point adds to the loss sum."""
    p = trainer.predict(trainer.data.x_val).astype(np.float64).ravel()
    y = trainer.data.y_val.ravel() == 1
    wrong = (p > 0.5) != y
    sure = sureness(p[wrong])
    return sure, -np.log(np.clip(1 - sure, 1e-7, None))


def test_15_is_lesson_1_with_label_smoothing_and_compares_three_strengths():
    exp = lesson(SMOOTHING)
    assert exp.training.label_smoothing == 0.1  # "s = 0.1"
    assert same_but(exp, "training.label_smoothing", 0.0) == same_but(lesson("01_overfitting"),
                                                                      "training.label_smoothing", 0.0)
    variants = dict(lesson_variants(exp, exp.lesson.study["variants"]))
    assert list(variants) == ["label smoothing 0.1", "no smoothing", "label smoothing 0.2"]
    assert [v.training.label_smoothing for v in variants.values()] == [0.1, 0.0, 0.2]


def test_15_a_training_point_s_smoothed_loss_is_lowest_at_95_percent_sure():
    """"towards targets 0.05 and 0.95 ... each training point's loss is lowest at 95 % sure": Keras' own
    BinaryCrossentropy(label_smoothing=0.1) over p from 0.5 to 1, for a point of class 1 and one of class 0."""
    loss = keras.losses.BinaryCrossentropy(label_smoothing=0.1, reduction=None)
    p = np.linspace(0.5, 0.9999, 9500).astype(np.float32)[:, None]
    for label, probability in ((1.0, p), (0.0, 1 - p)):
        values = loss(np.full_like(p, label), probability).numpy()
        assert p[np.argmin(values), 0] == pytest.approx(0.95, abs=2e-4), label


def test_15_the_evaluation_losses_are_the_plain_cross_entropy_against_the_true_labels():
    """"the validation loss and the training loss (dropout off) are the plain cross-entropy against the true
    labels": both equal numpy's cross-entropy of the predictions against y, not against the smoothed targets."""
    trainer, _ = train(lesson(SMOOTHING), 0)
    last = trainer.history[-1]
    for x, y, key in evaluation_sets(trainer):
        assert cross_entropy(trainer, x, y) == pytest.approx(last[key], rel=1e-4), key
        assert abs(cross_entropy(trainer, x, 0.9 * y + 0.05) - last[key]) > 0.01, key  # not the smoothed targets


@pytest.mark.parametrize("seed", SEEDS)
def test_15_label_smoothing_makes_the_network_less_sure_and_lowers_its_validation_loss(seed):
    smooth, smooth_snap = train(lesson(SMOOTHING), seed)
    plain, _ = lesson_1(seed)
    val = np.array([r["val_loss"] for r in smooth.history])
    sure = sureness(smooth.predict(smooth.data.x_train))
    plain_sure = sureness(plain.predict(plain.data.x_train))
    wrong, _ = wrong_validation_points(smooth)
    plain_wrong, plain_wrong_loss = wrong_validation_points(plain)
    grid = sureness(smooth_snap.decision_grid)
    edges = np.concatenate([grid[0], grid[-1], grid[:, 0], grid[:, -1]])
    almost_certain = plain_wrong > 0.99
    share_of_the_loss = plain_wrong_loss[almost_certain].sum() / (final(plain, "val_loss") * len(plain.data.y_val))
    numbers = show(val=val[-1], val_min=val.min(), lesson1_val=final(plain, "val_loss"),
                   train_acc=final(smooth, "train_eval_accuracy"), mean_sure=sure.mean(), most_sure=sure.max(),
                   lesson1_mean_sure=plain_sure.mean(), most_sure_wrong=wrong.max(),
                   lesson1_most_sure_wrong=plain_wrong.max(), lesson1_share=share_of_the_loss,
                   edge_most_sure=edges.max())
    # "ends with a high validation loss, over nine tenths of it from just three validation points it gets wrong while
    # over 99 % sure"
    assert np.sum(almost_certain) == 3 and share_of_the_loss > 0.9, numbers
    assert val[-1] > val.min() and val[-1] < 0.3, numbers  # "still rises after its low, but ends below 0.3"
    assert final(plain, "val_loss") > 0.75, numbers  # "where lesson 1's ends above 0.75"
    assert final(smooth, "train_eval_accuracy") >= 0.98, numbers  # "still gets 98 % or more ... right"
    # "less than 95 % sure on average (lesson 1: over 98 %)"
    assert sure.mean() < 0.95 and plain_sure.mean() > 0.98, numbers
    assert sure.max() < 0.99, numbers  # "and never 99 % sure"
    assert wrong.max() <= 0.96, numbers  # "of the validation points it gets wrong, never more than 96 % sure"
    assert plain_wrong.max() > 0.999, numbers  # "(lesson 1: over 99.9 % of at least one)"
    assert edges.max() >= 0.999, numbers  # "in places along its edges ... still 99.9 % sure or more"
