"""The loss view: curves equal the history rows, grow by appending, clear, band, log axis, and a readable picture."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from fakes import experiment, history
from pictures import distinct_colours, scene_items

from gui.live.loss_legends import CURVES_LEAST, LOSS_LABELS
from gui.live.loss_view import LossPart, LossView
from gui.live.penalty_band import BAND_PIXELS, band_edges
from gui.plotting.epoch_plots import nice_ceiling, sticky_range
from gui.plotting.palette import CURVE

SHOTS = Path("/tmp/reglab_shots")

METRIC_KEYS = ("accuracy", "val_accuracy", "train_eval_accuracy")


@pytest.fixture
def view(qtbot):
    widget = LossView()
    qtbot.addWidget(widget)
    widget.resize(800, 560)
    return widget




def overfitting_history(epochs: int = 150) -> list[dict]:
    """Training loss keeps falling while the validation loss turns up after epoch 40: a gap opens."""
    rows = history(experiment(), epochs)
    for row in rows:
        e = row["epoch"]
        row["penalty"] = 0.05 + 0.1 * math.exp(-e / 30)
        row["data_loss"] = 0.65 * math.exp(-e / 35) + 0.04
        row["loss"] = row["data_loss"] + row["penalty"]
        row["train_eval_loss"] = row["data_loss"] * 0.9
        row["val_loss"] = 0.6 * math.exp(-e / 30) + 0.12 + 0.0015 * max(0, e - 40)
        row["generalization_gap"] = row["val_loss"] - row["train_eval_loss"]
        row["val_accuracy"] = min(0.88, 0.5 + 0.01 * e) - 0.0004 * max(0, e - 60)
    return rows


def added_markers(view) -> list:
    """The lines add_marker put on the loss plot (not the best-epoch line, which is always there)."""
    return [item for item in view.loss_plot.items if isinstance(item, pg.InfiniteLine) and item not in view.best_lines]


def test_curves_equal_the_history_rows(view):
    rows = history(experiment(), 20)
    view.set_history(rows)
    epochs = [row["epoch"] for row in rows]
    for key in (*LOSS_LABELS, *METRIC_KEYS):
        x, y = view.curve_data(key)
        np.testing.assert_array_equal(x, epochs)
        np.testing.assert_allclose(y, [row[key] for row in rows], err_msg=key)


def test_appending_rows_grows_the_curves_with_one_set_data_per_curve(view, monkeypatch):
    rows = history(experiment(), 40)
    view.set_history(rows[:10])
    calls = []
    original = pg.PlotDataItem.setData
    monkeypatch.setattr(pg.PlotDataItem, "setData", lambda item, *a, **k: (calls.append(item), original(item, *a, **k)))
    view.set_history(rows)  # 30 new rows
    assert len(calls) == len(LOSS_LABELS) + len(METRIC_KEYS)
    assert len(set(map(id, calls))) == len(calls)
    x, y = view.curve_data("val_loss")
    assert len(x) == 40
    np.testing.assert_allclose(y, [row["val_loss"] for row in rows])
    calls.clear()
    view.set_history(rows)  # nothing new: nothing to draw
    assert calls == []


def test_each_plot_can_be_drawn_on_its_own_turn(view):
    rows = history(experiment(), 30)
    view.set_history(rows[:10])
    losses, metric = LossPart(view, 0), LossPart(view, 1)
    losses.set_history(rows)  # the loss plot takes the 20 new rows; the metric plot keeps what it had
    assert len(view.curve_data("val_loss")[0]) == 30
    assert len(view.curve_data(METRIC_KEYS[0])[0]) == 10
    metric.set_history(rows)  # no new rows, but the metric plot is behind: it catches up
    x, y = view.curve_data(METRIC_KEYS[0])
    np.testing.assert_array_equal(x, [row["epoch"] for row in rows])
    np.testing.assert_allclose(y, [row[METRIC_KEYS[0]] for row in rows])
    assert str(losses) == "LossView losses" and str(metric) == "LossView metric"


def test_the_legends_fit_the_width_and_never_squash_the_plots(view, qtbot):
    view.set_history(history(experiment(), 30))
    view.resize(1100, 500)
    view.show()
    qtbot.waitExposed(view)
    qtbot.wait(50)  # the relayout comes on the event loop's next pass
    assert view.loss_legend.columnCount == 3 and view.metric_legend.scene() is not None
    view.set_zoom(1.6)  # a projector in a narrow window: two columns, the metric legend out (same colours)
    view.resize(560, 500)
    qtbot.waitUntil(lambda: view.graphics.ci.geometry().width() <= view.graphics.viewport().width() + 1, timeout=2000)
    assert view.loss_legend.columnCount == 2 and view.metric_legend.scene() is None
    assert view.loss_plot.getViewBox().height() > 60  # the plots keep their height
    view.resize(1400, 700)
    qtbot.waitUntil(lambda: view.metric_legend.scene() is not None, timeout=2000)
    assert view.loss_legend.columnCount == 3
    assert view.loss_legend.opts["labelTextSize"] == "16pt"  # full size again
    view.set_zoom(1.0)
    view.resize(1100, 290)  # low: the curves keep the height, the metric legend goes
    qtbot.waitUntil(lambda: view.metric_legend.scene() is None, timeout=2000)
    assert view.loss_legend.scene() is not None
    view.resize(1100, 200)  # lower still: the loss legend (2 rows) would leave the curves too little, it goes too
    qtbot.waitUntil(lambda: view.loss_legend.scene() is None, timeout=2000)
    view.resize(1100, 500)
    qtbot.waitUntil(lambda: view.loss_legend.scene() is not None and view.metric_legend.scene() is not None,
                    timeout=2000)
    assert view.graphics.ci.getItem(0, 0) is view.loss_legend and view.graphics.ci.getItem(2, 0) is view.metric_legend


@pytest.mark.parametrize(("size", "zoom", "legend"), [
    ((371, 261), 1.0, False),  # a 1366 × 768 laptop with a lesson open: in 3 rows it would take a third
    ((371, 221), 1.0, False),
    ((408, 327), 1.0, True),  # 1440 × 900
    ((364, 330), 1.02, True),  # a 1024 × 768 projector in presentation mode
    ((686, 470), 1.6, True),  # 1920 × 1080 in presentation mode
])
def test_the_curves_keep_their_room_on_the_screens_reglab_is_checked_on(view, qtbot, size, zoom, legend):
    view.set_history(history(experiment(), 30))
    view.set_zoom(zoom)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: (view.loss_legend.scene() is not None) == legend, timeout=2000)
    qtbot.wait(20)  # laid out again on the event loop's next pass
    boxes = [view.loss_plot.getViewBox().height(), view.metric_plot.getViewBox().height()]
    shown = view.graphics.viewport().height()
    assert sum(boxes) >= 0.45 * shown  # the curves, not the legend, take the height
    assert min(boxes) >= 45 * zoom
    if legend:  # shown: every entry whole, in 2 or 3 columns
        assert view.loss_legend.columnCount >= 2
        assert view.loss_legend.geometry().height() <= shown - CURVES_LEAST * zoom
    # Where the legend steps aside, a one-line key still names every curve in its colour.
    assert view.compact_key.isVisible() == (not legend)
    if not legend:
        key = view.compact_key
        assert key.height() >= key.heightForWidth(key.width()) and key.geometry().right() < view.width()
        for name in ("loss", "data", "penalty", "train", "validation", "gap"):
            assert f"&nbsp;{name}" in key.text()
        assert pg.mkColor(CURVE["val_loss"]).name() in key.text()


def test_clear_empties_the_curves_and_a_new_run_starts_over(view):
    view.set_history(history(experiment(), 30))
    view.add_marker(12, "diverged")
    view.clear()
    for key in (*LOSS_LABELS, *METRIC_KEYS):
        assert len(view.curve_data(key)[0]) == 0
    assert not added_markers(view)
    rows = history(experiment(), 5)
    view.set_history(rows)
    np.testing.assert_allclose(view.curve_data("loss")[1], [row["loss"] for row in rows])


def test_a_shorter_history_means_a_new_run(view):
    view.set_history(history(experiment(), 30))
    rows = history(experiment(), 3)
    view.set_history(rows)
    np.testing.assert_array_equal(view.curve_data("data_loss")[0], [1, 2, 3])


def test_the_penalty_band_spans_data_loss_to_loss(view):
    rows = overfitting_history(60)
    view.set_history(rows)
    band = view.penalty_band
    assert isinstance(band, pg.FillBetweenItem)
    assert band in view.loss_plot.items
    data_loss, loss = band.curves
    np.testing.assert_allclose(data_loss.yData, [row["data_loss"] for row in rows])
    np.testing.assert_allclose(loss.yData, [row["loss"] for row in rows])
    box = band.path().boundingRect()
    assert box.left() == pytest.approx(1) and box.right() == pytest.approx(60)
    assert box.top() == pytest.approx(min(row["data_loss"] for row in rows), rel=1e-5)
    assert box.bottom() == pytest.approx(max(row["loss"] for row in rows), rel=1e-5)


def test_band_edges_are_run_means_between_the_exact_ends():
    x = np.arange(10.0)
    edges = band_edges(x, x * 2, x * 3, most=3)  # runs of 4: [0..3], [4..7], [8, 9]
    np.testing.assert_allclose(edges[0], [0, 1.5, 5.5, 8.5, 9])
    np.testing.assert_allclose(edges[1], [0, 3, 11, 17, 18])
    np.testing.assert_allclose(edges[2], [0, 4.5, 16.5, 25.5, 27])
    short = band_edges(x[:5], x[:5], x[:5], most=3)
    assert [len(a) for a in short] == [5, 5, 5]  # few enough points: as they are


def test_a_long_noisy_run_gets_a_smooth_band_within_the_curves(view):
    rng = np.random.default_rng(0)
    rows = overfitting_history(5000)
    for row in rows:  # noisy minibatch losses: the curves come peak-downsampled, a zigzag
        row["data_loss"] *= 1 + 0.3 * rng.random()
        row["loss"] = row["data_loss"] + row["penalty"]
    view.set_history(rows)
    view.grab()
    path = view.penalty_band.path()
    width = view.loss_plot.getViewBox().width()
    assert path.elementCount() <= 2 * (width / BAND_PIXELS + 2) + 2  # both edges, and the closing point
    box = path.boundingRect()
    assert box.left() == pytest.approx(1) and box.right() == pytest.approx(5000)
    assert min(r["data_loss"] for r in rows) <= box.top() and box.bottom() <= max(r["loss"] for r in rows)
    # the upper edge follows the loss curve: each vertex is a mean of the loss values about it
    upper = [path.elementAt(i) for i in range(path.elementCount() // 2, path.elementCount() - 1)]
    loss = np.array([r["loss"] for r in rows])
    for point in upper[1:-1:25]:
        near = loss[max(0, int(point.x) - 20): int(point.x) + 20]
        assert near.min() <= point.y <= near.max()


def test_log_y_toggles_the_loss_axis_and_the_band_follows(view):
    rows = history(experiment(), 10)
    view.set_history(rows)
    view.set_log_y(True)
    assert view.log_y_box.isChecked()
    assert view.loss_plot.getAxis("left").logMode
    box = view.penalty_band.path().boundingRect()  # in view coordinates: log10 of the losses
    assert box.top() == pytest.approx(math.log10(min(row["data_loss"] for row in rows)), rel=1e-5)
    assert box.bottom() == pytest.approx(math.log10(max(row["loss"] for row in rows)), rel=1e-5)
    view.log_y_box.click()
    assert not view.loss_plot.getAxis("left").logMode
    assert not view.metric_plot.getAxis("left").logMode


def test_a_regression_history_draws_rmse(view):
    rows = [
        {**{k: v for k, v in row.items() if "accuracy" not in k}, "rmse": 1 / e, "val_rmse": 1.2 / e,
         "train_eval_rmse": 0.9 / e}
        for e, row in enumerate(history(experiment(), 8), start=1)
    ]
    view.set_history(rows)
    np.testing.assert_allclose(view.curve_data("val_rmse")[1], [row["val_rmse"] for row in rows])
    assert "RMSE" in view.metric_plot.getAxis("left").labelText
    with pytest.raises(KeyError):
        view.curve_data("accuracy")


def test_diverged_rows_and_markers_draw(view):
    rows = history(experiment(), 10)
    rows[-1].update(loss=math.inf, data_loss=math.nan, val_loss=math.nan, generalization_gap=math.nan)
    view.set_history(rows)
    view.add_marker(10, "diverged {λ too big}")
    view.set_log_y(True)
    view.grab()
    assert math.isinf(view.curve_data("loss")[1][-1])
    assert len(added_markers(view)) == 1


def best_lines(view) -> list[tuple[float, bool]]:
    """(epoch, visible) of the best-epoch line on the loss plot and on the metric plot."""
    return [(line.value(), line.isVisible()) for line in view.best_lines]


def test_the_best_epoch_is_marked_on_both_plots(view):
    rows = overfitting_history(80)
    view.set_history(rows[:60])
    ranges = [plot.getViewBox().viewRange() for plot in (view.loss_plot, view.metric_plot)]
    view.set_best_epoch(42)
    assert best_lines(view) == [(42, True), (42, True)]
    assert view.best_lines[0] in view.loss_plot.items and view.best_lines[1] in view.metric_plot.items
    assert view.best_lines[0].label.format == "best epoch 42"
    assert view.best_epoch_shown() == 42
    view.set_best_epoch(45, stopped=True)
    assert best_lines(view) == [(45, True), (45, True)]
    assert view.best_lines[0].label.format == "early stop: best 45"
    view.set_best_epoch(500)  # far beyond the data: the ranges still follow the data alone
    assert [plot.getViewBox().viewRange() for plot in (view.loss_plot, view.metric_plot)] == ranges
    view.set_best_epoch(42)
    view.set_history(rows)  # more epochs of the same run: the mark stays
    assert best_lines(view) == [(42, True), (42, True)]
    for hidden in (None, 0):
        view.set_best_epoch(42)
        view.set_best_epoch(hidden)
        assert [visible for _, visible in best_lines(view)] == [False, False]
        assert view.best_epoch_shown() is None


def test_the_best_epoch_mark_is_cheap_when_unchanged_and_a_new_run_hides_it(view, monkeypatch):
    view.set_history(history(experiment(), 30))
    view.set_best_epoch(12)
    moves = []
    for line in view.best_lines:
        monkeypatch.setattr(line, "setPos", moves.append)
    view.set_best_epoch(12)
    assert moves == []
    monkeypatch.undo()
    view.clear()  # a new run: its best epoch is not known yet
    assert [visible for _, visible in best_lines(view)] == [False, False]
    view.set_history(history(experiment(), 30))
    view.set_best_epoch(12)
    view.set_history(history(experiment(), 5))  # a shorter history is a new run too
    assert [visible for _, visible in best_lines(view)] == [False, False]
    view.set_best_epoch(3)
    view.set_zoom(2.0)
    assert all(line.pen.widthF() == pytest.approx(3.0) for line in view.best_lines)


def test_no_items_pile_up_over_100_updates(view):
    rows = history(experiment(), 110)
    view.set_history(rows[:10])
    view.grab()
    before = scene_items(view)
    for n in range(11, 111):
        view.set_history(rows[:n])
        view.set_best_epoch(n // 2, stopped=n % 7 == 0)
        view.show_snapshot(None)
    view.grab()
    assert scene_items(view) == before


def test_the_axes_follow_the_run_in_steps(view):
    rows = overfitting_history(150)
    ranges = []
    for n in range(1, 151):
        view.set_history(rows[:n])
        ranges.append(tuple(tuple(r) for r in view.loss_plot.getViewBox().viewRange()))
    x_ends = [x[1] for x, _ in ranges]
    assert x_ends[-1] == 150 and set(x_ends) <= {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60,
                                                   80, 100, 120, 150}
    assert len({x for x, _ in ranges}) < 25  # the epoch axis is re-drawn at a round count, not every epoch
    assert len({y for _, y in ranges}) < 25  # nor the value axis at every new value
    data = [row[key] for row in rows for key in LOSS_LABELS]
    assert ranges[-1][1][0] <= min(data) and ranges[-1][1][1] >= max(data)  # all the data in view
    view.loss_plot.getViewBox().setXRange(20, 40, padding=0)  # the user zooms: the axes stay where the user put them
    view.set_history(overfitting_history(160))
    assert view.loss_plot.getViewBox().viewRange()[0] == pytest.approx([20, 40])


def last_epochs(view) -> list[float]:
    """The epoch at the right end of the loss plot and of the metric plot (linked: lined up on the screen, so
    their left ends differ by the width of their value axes)."""
    return [plot.getViewBox().viewRange()[0][1] for plot in (view.loss_plot, view.metric_plot)]


def test_the_metric_plot_takes_an_epoch_step_on_its_own_turn(view, qtbot):
    rows = overfitting_history(130)
    view.set_history(rows[:100])
    assert last_epochs(view) == pytest.approx([100, 100])  # (linked through the screen: rounding)
    losses, metric = LossPart(view, 0), LossPart(view, 1)
    losses.set_history(rows[:101])  # the loss plot's turn: its epoch axis steps to 120 ...
    assert last_epochs(view) == pytest.approx([120, 100])  # ... the metric plot's waits for its own turn
    metric.set_history(rows[:102])  # which re-renders that plot alone: one plot's step per frame
    assert last_epochs(view) == pytest.approx([120, 120])
    view.metric_plot.getViewBox().setXRange(10, 50, padding=0)  # the user pans or zooms: both at once
    assert last_epochs(view) == pytest.approx([50, 50])


def test_a_step_is_followed_soon_without_a_turn(view, qtbot):
    rows = overfitting_history(130)
    view.set_history(rows[:100])
    LossPart(view, 0).set_history(rows[:121])  # the last turn of a run: no metric turn follows
    assert last_epochs(view) == pytest.approx([150, 100])
    qtbot.waitUntil(lambda: last_epochs(view) == pytest.approx([150, 150]), timeout=1000)


def test_an_axis_label_longer_than_its_plot_is_high_steps_aside(view, qtbot):
    view.set_history(overfitting_history(20))
    view.set_zoom(2.0)
    label = view.metric_plot.getAxis("left").label  # "accuracy", ≈ 140 px long at this size
    view.show()
    qtbot.waitExposed(view)
    view.resize(800, 1200)
    qtbot.waitUntil(lambda: label.isVisibleTo(label.parentItem()), timeout=2000)
    view.resize(800, 230)  # the plots squeezed to a strip: the label would run into the loss plot's
    qtbot.waitUntil(lambda: not label.isVisibleTo(label.parentItem()), timeout=2000)
    assert view.metric_plot.getViewBox().height() < label.boundingRect().width()
    view.resize(800, 1200)
    qtbot.waitUntil(lambda: label.isVisibleTo(label.parentItem()), timeout=2000)


def test_nice_ceiling_and_sticky_range():
    assert [nice_ceiling(v) for v in (0.5, 1, 7, 437, 1001, 1200, 2001)] == [1, 1, 8, 500, 1200, 1200, 2500]
    assert sticky_range(0.0, 1.0, None) == pytest.approx((-0.05, 1.05))
    assert sticky_range(0.1, 0.9, (-0.05, 1.05)) == (-0.05, 1.05)  # the data still fits well: kept
    assert sticky_range(0.0, 1.2, (-0.1, 1.05)) == pytest.approx((-0.1, 1.38))  # out at the top: widened, headroom
    assert sticky_range(0.4, 0.5, (-0.05, 1.05)) == pytest.approx((0.395, 0.505))  # too little of it filled: refit


@pytest.mark.parametrize("zoom", [1.0, 2.0])
def test_picture_is_drawn_and_saved(view, qtbot, tmp_path, zoom):
    view.resize(int(800 * zoom), int(560 * zoom))
    view.set_zoom(zoom)
    view.set_history(overfitting_history())
    view.add_marker(40, "validation turns up")
    view.set_best_epoch(52, stopped=True)
    qtbot.wait(20)
    assert distinct_colours(view) >= 3
    name = "loss_view.png" if zoom == 1 else "loss_view_zoom2.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder in (SHOTS, tmp_path):
        assert view.grab().save(str(folder / name))


def test_a_label_is_measured_by_its_text_not_its_margins(qtbot):
    from gui.plotting.plot_style import fit_axis_label, style_plot

    plot = pg.PlotItem()
    plot.setLabel("left", "accuracy")
    style_plot(plot, 1.0)
    label = plot.getAxis("left").label
    text = label.boundingRect().width() - 2 * label.document().documentMargin()
    box = plot.getViewBox()
    box.resize(200, text + 2)  # room for the text, not for the item's empty margins around it
    fit_axis_label(plot)
    assert label.isVisibleTo(plot.getAxis("left"))
    box.resize(200, text - 2)
    fit_axis_label(plot)
    assert not label.isVisibleTo(plot.getAxis("left"))
