"""The boundary view: the snapshot's grid placed on its extent, points by class, a message for non-2-D data."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from fakes import dataset, experiment, snapshot
from pictures import distinct_colours, scene_items
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage

from engine.training.snapshot import GRID_SIZE
from gui.live.boundary_view import (
    BACKGROUND_LUT,
    STD_FULL,
    TINT,
    UNCERTAINTY_LUT,
    BoundaryView,
    data_extent,
    multiclass_rgb,
)
from gui.live.contours import class_boundaries, contour_lines, iso_lines
from gui.plotting.palette import BLUE, GREEN, ORANGE, class_colour

SHOTS = Path("/tmp/reglab_shots")



@pytest.fixture
def view(qtbot):
    widget = BoundaryView()
    qtbot.addWidget(widget)
    widget.resize(600, 560)
    return widget




def spiral_dataset(classes: int = 3, n: int = 300, seed: int = 0):
    """``classes`` interleaved spiral arms, one-hot for 3+ classes, split 70/30."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n)
    t = rng.uniform(0.25, 1.0, n)
    angle = 3.5 * t + 2 * np.pi * labels / classes
    x = (np.c_[t * np.cos(angle), t * np.sin(angle)] * 1.8 + rng.normal(0, 0.07, (n, 2))).astype(np.float32)
    y = np.eye(classes, dtype=np.float32)[labels] if classes > 2 else labels[:, None].astype(np.float32)
    cut = int(0.7 * n)
    task = "multiclass" if classes > 2 else "binary"
    return replace(dataset(), x_train=x[:cut], y_train=y[:cut], x_val=x[cut:], y_val=y[cut:], task=task,
                   class_names=[str(k) for k in range(classes)])


def spiral_grid(classes: int = 3) -> np.ndarray:
    """Softmax probabilities that follow the spiral arms, on the fakes' (-2, 2) extent."""
    axis = np.linspace(-2, 2, GRID_SIZE)
    xx, yy = np.meshgrid(axis, axis)  # rows = y, columns = x
    radius, angle = np.hypot(xx, yy), np.arctan2(yy, xx)
    logits = np.stack([4 * np.cos(angle - 3.5 * radius / 1.8 - 2 * np.pi * k / classes) for k in range(classes)], -1)
    p = np.exp(logits)
    return (p / p.sum(-1, keepdims=True)).astype(np.float32)


def test_the_image_is_the_binary_grid_placed_on_its_extent(view):
    view.set_dataset(dataset())
    snap = snapshot(experiment(), 3)
    view.show_snapshot(snap)
    np.testing.assert_array_equal(view.image_array(), snap.decision_grid)
    box = view.image.mapRectToParent(view.image.boundingRect())
    assert (box.left(), box.right(), box.top(), box.bottom()) == pytest.approx(snap.grid_extent)
    assert view.image.levels == pytest.approx((0, 1))
    np.testing.assert_array_equal(view.image.lut, BACKGROUND_LUT)
    assert BACKGROUND_LUT[0].tolist() != BACKGROUND_LUT[-1].tolist()  # orange side ≠ blue side


def test_the_half_contour_follows_the_grid(view):
    view.show_snapshot(snapshot(experiment(), 3))
    x, y = view.contour.getData()
    assert np.isfinite(x).sum() > 50
    assert np.nanmin(y) < -1.9 and np.nanmax(y) > 1.9  # from bottom to top of the (-2, 2) square
    assert np.nanmax(np.abs(x)) < 0.5  # around x = 0, where the fake's P(class 1) crosses 0.5


def test_contour_lines_are_placed_in_data_coordinates():
    grid = np.tile(np.linspace(0, 1, 5), (4, 1))  # rows = y; 0.5 exactly in the middle column
    x, y = contour_lines(grid, 0.5, (-1.0, 4.0, 0.0, 8.0))  # pixels 1 wide, 2 high
    finite = np.isfinite(x)
    np.testing.assert_allclose(x[finite], 1.5)  # the middle column's centre
    np.testing.assert_allclose(y[finite], [1, 3, 5, 7])  # the rows' centres
    assert len(contour_lines(np.zeros((4, 4)), 0.5, (0, 1, 0, 1))[0]) == 0


def segments(lines) -> set:
    return {tuple(sorted((tuple(np.round(a, 9)), tuple(np.round(b, 9))))) for line in lines
            for a, b in zip(line[:-1], line[1:], strict=True)}


def test_iso_lines_are_pyqtgraphs_isocurve_in_numpy():
    rng = np.random.default_rng(0)
    grids = [rng.random((rng.integers(2, 12), rng.integers(2, 12))) for _ in range(200)]  # saddles and all
    grids += [np.asarray(snapshot(experiment(), e).decision_grid, float) for e in (1, 7)]
    grids.append(spiral_grid(2)[..., 1].astype(float))
    for grid in grids:
        expected = pg.functions.isocurve(grid, 0.5, connected=True)
        lines = iso_lines(grid, 0.5)
        assert len(lines) == len(expected)
        assert segments(lines) == segments(expected)
        for line, other in zip(sorted(lines, key=len), sorted(expected, key=len), strict=True):
            assert len(line) == len(other)  # the same polylines: closed loops end on their first point
    assert iso_lines(np.zeros((4, 4)), 0.5) == []


def test_a_multiclass_grid_shows_the_likeliest_class(view):
    view.set_dataset(spiral_dataset())
    grid = spiral_grid()
    view.show_snapshot(replace(snapshot(experiment(), 5, n_outputs=3), decision_grid=grid))
    shown = view.image_array()
    np.testing.assert_array_equal(shown, multiclass_rgb(grid))
    assert shown.shape == (GRID_SIZE, GRID_SIZE, 3)
    assert len(view.contour.getData()[0]) == 0
    certain, tie = multiclass_rgb(np.array([[[0.0, 0.0, 1.0], [1 / 3, 1 / 3, 1 / 3]]]))[0]
    np.testing.assert_allclose(certain, 255 + TINT * (np.array(GREEN) - 255), atol=0.5)  # class 2: tinted green
    assert tie.tolist() == [255, 255, 255]


def test_a_regression_grid_is_coloured_over_the_target_range(view):
    ds = replace(dataset(), task="regression", class_names=[])
    ds = replace(ds, y_train=ds.x_train[:, :1] * 3, y_val=ds.x_val[:, :1] * 3)
    view.set_dataset(ds)
    grid = np.linspace(-1, 1, GRID_SIZE * GRID_SIZE, dtype=np.float32).reshape(GRID_SIZE, GRID_SIZE)
    view.show_snapshot(replace(snapshot(experiment(), 2), decision_grid=grid, metric_name="rmse"))
    np.testing.assert_array_equal(view.image_array(), grid)
    targets = np.concatenate([ds.y_train, ds.y_val])
    assert view.image.levels == pytest.approx((targets.min(), targets.max()))
    assert len(view.contour.getData()[0]) == 0


def test_points_are_filled_for_training_and_rings_for_validation(view):
    view.set_dataset(dataset())
    assert view.scatter_counts() == (70, 30)
    train, val = view.train_points.points(), view.val_points.points()
    assert train[0].brush().style() != val[0].brush().style()
    y_train = dataset().y_train.ravel()
    for point, label in zip(train, y_train, strict=True):
        assert point.brush().color().getRgb()[:3] == (BLUE if label else ORANGE)
    view.set_dataset(spiral_dataset())
    labels = spiral_dataset().y_val.argmax(axis=1)
    assert [p.pen().color().getRgb()[:3] for p in view.val_points.points()] == [class_colour(k) for k in labels]
    view.set_dataset(None)
    assert view.scatter_counts() == (0, 0)


def test_data_with_other_than_2_features_get_a_message(view):
    view.set_dataset(dataset(n_features=30))
    view.show_snapshot(snapshot(experiment(), 1, n_features=30))
    assert view.message_text() == "The decision boundary is drawn for data with 2 features (this set has 30)."
    assert view.stack.currentWidget() is view.message
    assert view.scatter_counts() == (0, 0)
    assert view.image_array() is None
    view.set_dataset(None)  # without a data set, the snapshot's first kernel tells
    assert "(this set has 30)" in view.message_text()
    view.set_dataset(dataset())
    assert view.message_text() == ""


def test_2d_data_before_training_shows_only_the_points(view):
    view.set_dataset(dataset())
    view.show_snapshot(None)
    assert view.message_text() == ""
    assert view.image_array() is None
    assert view.scatter_counts() == (70, 30)


def test_the_same_snapshot_is_not_drawn_twice_and_clear_removes_the_image(view, monkeypatch):
    snap = snapshot(experiment(), 1)
    view.show_snapshot(snap)
    calls = []
    monkeypatch.setattr(view.image, "setImage", lambda *a, **k: calls.append(a))
    view.show_snapshot(snap)
    assert calls == []
    monkeypatch.undo()
    view.clear()
    assert view.image_array() is None
    assert len(view.contour.getData()[0]) == 0


def test_no_items_pile_up_over_100_snapshots(view):
    view.set_dataset(dataset())
    exp = experiment()
    view.show_snapshot(snapshot(exp, 1))
    view.grab()
    before = scene_items(view)
    for epoch in range(2, 102):
        view.show_snapshot(snapshot(exp, epoch))
    view.grab()
    assert scene_items(view) == before


@pytest.mark.parametrize(("name", "classes", "zoom"), [
    ("boundary_view", 2, 1.0), ("boundary_view_multiclass", 3, 1.0), ("boundary_view_zoom2", 2, 2.0),
])
def test_picture_is_drawn_and_saved(view, qtbot, tmp_path, name, classes, zoom):
    view.resize(int(600 * zoom), int(560 * zoom))
    view.set_zoom(zoom)
    view.set_dataset(spiral_dataset(classes))
    grid = spiral_grid(max(classes, 2))
    grid = grid[..., 1] if classes == 2 else grid
    view.show_snapshot(replace(snapshot(experiment(), 40, n_outputs=classes if classes > 2 else 1), decision_grid=grid))
    view.grab()
    qtbot.wait(20)
    assert distinct_colours(view) >= 3
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder in (SHOTS, tmp_path):
        assert view.grab().save(str(folder / f"{name}.png"))


def pixel(view, x: float, y: float) -> tuple[int, int, int]:
    """The colour the view paints at data point (x, y)."""
    view.plot.getViewBox().updateMatrix()
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    scene = view.plot.getViewBox().mapViewToScene(QPointF(x, y))
    at = view.plot_widget.viewport().mapTo(view, view.plot_widget.mapFromScene(scene))
    colour = image.pixelColor(at)
    return colour.red(), colour.green(), colour.blue()


def banded_std() -> np.ndarray:
    """Three vertical bands of std on the fakes' (-2, 2) square: 0.4 left, 0.15 in the middle, 0 right."""
    std = np.zeros((GRID_SIZE, GRID_SIZE))
    std[:, :21] = 0.4
    std[:, 21:43] = 0.15
    return std


def test_the_uncertainty_map_shows_the_std_darker_where_it_is_larger(view):
    view.show_snapshot(snapshot(experiment(), 3))
    std = banded_std()
    view.show_uncertainty(np.full((GRID_SIZE, GRID_SIZE), 0.2), std, passes=30)
    assert view.uncertainty_shown()
    np.testing.assert_array_equal(view.image_array(), std)
    np.testing.assert_array_equal(view.image.lut, UNCERTAINTY_LUT)
    assert view.image.levels == pytest.approx((0, STD_FULL))
    assert view.colour_bar.isVisible() and view.colour_bar.levels() == pytest.approx((0, STD_FULL))
    assert "30 dropout passes" in view.colour_bar.getAxis("left").labelText
    assert "uncertainty" in view.plot.titleLabel.text
    assert np.all(np.diff(UNCERTAINTY_LUT.astype(int), axis=0) <= 0)  # every channel falls: more std, darker
    high, middle, none = (pixel(view, x, 0.0) for x in (-1.5, 0.0, 1.5))
    assert none == (255, 255, 255)
    assert sum(high) < sum(middle) < sum(none)
    assert len(view.contour.getData()[0]) == 0  # the mean never reaches 0.5: no boundary


def test_the_map_draws_the_means_boundary_on_top(view):
    snap = snapshot(experiment(), 3)
    view.show_snapshot(snap)
    mean = snapshot(experiment(), 9).decision_grid
    view.show_uncertainty(mean, banded_std())
    expected = contour_lines(mean, 0.5, snap.grid_extent)
    for item in (view.contour, view.contour_halo):  # INK on a white edge: it runs where the map is darkest
        x, y = item.getData()
        np.testing.assert_allclose(x, expected[0])
        np.testing.assert_allclose(y, expected[1])


def test_snapshots_wait_under_the_map_until_it_is_switched_off(view):
    view.show_snapshot(snapshot(experiment(), 3))
    std = banded_std()
    view.show_uncertainty(np.full((GRID_SIZE, GRID_SIZE), 0.2), std)
    later = snapshot(experiment(), 4)
    view.show_snapshot(later)  # training goes on: the map (of a paused model) stays
    np.testing.assert_array_equal(view.image_array(), std)
    view.show_uncertainty(None, None)
    assert not view.uncertainty_shown()
    np.testing.assert_array_equal(view.image_array(), later.decision_grid)  # the regions are back, up to date
    np.testing.assert_array_equal(view.image.lut, BACKGROUND_LUT)
    assert view.image.levels == pytest.approx((0, 1))
    assert not view.colour_bar.isVisible()
    assert len(view.contour_halo.getData()[0]) == 0
    assert "uncertainty" not in view.plot.titleLabel.text
    x, _ = view.contour.getData()
    np.testing.assert_allclose(x, contour_lines(later.decision_grid, 0.5, later.grid_extent)[0])
    view.show_uncertainty(np.full((GRID_SIZE, GRID_SIZE), 0.2), std)
    view.clear()  # a new run: the map belonged to the old model
    assert not view.uncertainty_shown() and view.image_array() is None and not view.colour_bar.isVisible()


def test_a_multiclass_map_shows_the_mean_std_over_the_classes_and_the_class_edges(view):
    view.set_dataset(spiral_dataset())
    snap = replace(snapshot(experiment(), 5, n_outputs=3), decision_grid=spiral_grid())
    view.show_snapshot(snap)
    std = np.random.default_rng(0).uniform(0, 0.3, (GRID_SIZE, GRID_SIZE, 3))
    view.show_uncertainty(spiral_grid(), std)
    np.testing.assert_allclose(view.image_array(), std.mean(axis=-1))
    x, y = view.contour.getData()
    assert np.isfinite(x).sum() > 50
    np.testing.assert_allclose(x, class_boundaries(spiral_grid(), snap.grid_extent)[0], atol=1e-6)
    view.show_uncertainty(None, None)
    np.testing.assert_array_equal(view.image_array(), multiclass_rgb(spiral_grid()))


def test_class_boundaries_separate_the_likeliest_classes():
    grid = np.zeros((8, 8, 3))
    grid[:, :4, 0] = 1.0  # class 0 on the left, class 2 on the right
    grid[:, 4:, 2] = 1.0
    x, y = class_boundaries(grid, (0.0, 8.0, 0.0, 8.0))
    np.testing.assert_allclose(x[np.isfinite(x)], 4.0)  # between columns 3 and 4 (centres 3.5 and 4.5)


def test_a_regression_map_is_scaled_to_half_the_targets_range(view):
    ds = replace(dataset(), task="regression", class_names=[])
    ds = replace(ds, y_train=ds.x_train[:, :1] * 3, y_val=ds.x_val[:, :1] * 3)
    view.set_dataset(ds)
    view.show_uncertainty(np.zeros((GRID_SIZE, GRID_SIZE)), banded_std())
    targets = np.concatenate([ds.y_train, ds.y_val])
    assert view.image.levels == pytest.approx((0, (targets.max() - targets.min()) / 2))
    assert len(view.contour.getData()[0]) == 0
    box = view.image.mapRectToParent(view.image.boundingRect())  # no snapshot yet: placed where the grid will be
    assert (box.left(), box.right(), box.top(), box.bottom()) == pytest.approx(data_extent(ds))


def test_no_items_pile_up_switching_the_map_on_and_off(view):
    view.set_dataset(dataset())
    view.show_snapshot(snapshot(experiment(), 1))
    view.show_uncertainty(np.full((GRID_SIZE, GRID_SIZE), 0.2), banded_std())
    view.show_uncertainty(None, None)
    view.grab()
    before = scene_items(view)
    for epoch in range(2, 52):
        view.show_uncertainty(snapshot(experiment(), epoch).decision_grid, banded_std() * (epoch % 3))
        view.show_snapshot(snapshot(experiment(), epoch))
        if epoch % 2:
            view.show_uncertainty(None, None)
    view.show_uncertainty(None, None)
    view.grab()
    assert scene_items(view) == before


@pytest.fixture(scope="module")
def trained_moons():
    """A real network with dropout, trained a little, and its Monte-Carlo map: (trainer, last snapshot, mean, std)."""
    from engine.spec import Experiment
    from engine.training.trainer import Trainer

    exp = Experiment.from_dict({
        "reglab": 1, "name": "moons", "data": {"kind": "toy", "name": "moons", "samples": 300, "noise": 0.2},
        "network": {"hidden": [{"units": 48, "dropout": 0.4}, {"units": 48, "dropout": 0.4}]},
        "training": {"learning_rate": 0.02, "batch_size": 32, "epochs": 60, "seed": 0},
    })
    trainer = Trainer(exp)
    snap = trainer.run(40)
    return trainer, snap, *trainer.mc_grid(30)


@pytest.mark.parametrize("zoom", [1.0, 2.0])
def test_uncertainty_picture_of_a_trained_model(view, qtbot, tmp_path, trained_moons, zoom):
    trainer, snap, mean, std = trained_moons
    assert data_extent(trainer.data) == pytest.approx(trainer.grid_extent)  # the map's place before any snapshot
    view.resize(int(600 * zoom), int(560 * zoom))
    view.set_zoom(zoom)
    view.set_dataset(trainer.data)
    view.show_uncertainty(mean, std, passes=30)
    view.show_snapshot(snap)
    np.testing.assert_array_equal(view.image_array(), std)
    box = view.image.mapRectToParent(view.image.boundingRect())
    assert (box.left(), box.right(), box.top(), box.bottom()) == pytest.approx(snap.grid_extent)
    view.grab()
    qtbot.wait(20)
    assert distinct_colours(view) >= 20
    name = "boundary_view_uncertainty" + ("" if zoom == 1 else "_zoom2")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder in (SHOTS, tmp_path):
        assert view.grab().save(str(folder / f"{name}.png"))
