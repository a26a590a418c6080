"""The weights view: log-count bars of the snapshot, asinh heat-map rows per epoch, readouts, rebuilds on new layers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from fakes import experiment, snapshot
from pictures import distinct_colours, scene_items, show_in_host
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from engine.training.snapshot import ASINH_BINS, ASINH_EDGES, asinh_histogram, histogram_edges, weight_histogram
from gui.live.column_wrapping import column_count, wrapping
from gui.live.weight_drawing import EMPTY, HISTORY_EPOCHS, fitted_curves
from gui.live.weight_readout import LayerReadout
from gui.live.weights_view import HEAT_CAPTIONS, HISTOGRAM_CAPTIONS, WeightsPart, WeightsView
from gui.plotting.palette import BLUE, GREY, ORANGE, PAPER
from gui.plotting.plot_axes import centre_out, decade_levels, epoch_step, fitting_labels

SHOTS = Path("/tmp/reglab_shots")



@pytest.fixture
def view(qtbot):
    widget = WeightsView()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    return widget




def with_kernels(snap, kernels):
    """``snap`` with its layers' kernels replaced and their statistics recomputed as the engine does (the bins
    those of each kernel alone)."""
    layers = []
    for layer, kernel in zip(snap.layers, kernels, strict=True):
        edges = histogram_edges(kernel)
        layers.append(replace(
            layer, kernel=kernel, histogram=weight_histogram(kernel, edges), histogram_edges=edges,
            asinh_histogram=asinh_histogram(kernel),
            l1_norm=float(np.abs(kernel).sum()), l2_norm=float(np.sqrt((kernel ** 2).sum())),
            near_zero=float(np.mean(np.abs(kernel) < 1e-3)),
        ))
    return replace(snap, layers=layers)


def regularized(epoch: int):
    """A 2-32-32-1 network whose first layer shrinks (L2) and whose second goes sparse (L1) as epochs pass."""
    exp = experiment()
    for hidden in exp.network.hidden:
        hidden.units = 32
    rng = np.random.default_rng(7)
    first = rng.normal(0, 0.9, (2, 32)) * np.exp(-epoch / 90)
    second = rng.normal(0, 0.45, (32, 32))
    second = np.sign(second) * np.maximum(np.abs(second) - epoch / 300, 0)  # soft threshold: exact zeros
    output = rng.normal(0, 0.6, (32, 1))
    return with_kernels(snapshot(exp, epoch), [first, second, output])


def test_the_columns_can_be_drawn_over_several_turns(view):
    first, second = snapshot(experiment(), 3), regularized(4)
    second = replace(second, layers=[replace(layer, name=old.name) for layer, old in zip(second.layers, first.layers,
                                                                                          strict=True)])
    view.show_snapshot(first)
    parts = [WeightsPart(view, part, 2) for part in range(2)]
    parts[0].show_snapshot(second)  # columns 0 and 2 draw the new snapshot, column 1 still shows the first
    for i, expected in enumerate((second, first, second)):
        np.testing.assert_array_equal(view.histogram_heights(i), expected.layers[i].histogram)
    parts[1].show_snapshot(second)
    np.testing.assert_array_equal(view.histogram_heights(1), second.layers[1].histogram)
    assert [len(view.history_image(i)) for i in range(3)] == [2, 2, 2]  # epochs 3 and 4, one row each
    assert str(parts[1]) == "WeightsView 2/2"


def test_a_column_shows_no_numbers_before_its_own(view):
    snap = regularized(5)
    WeightsPart(view, 0, 3).show_snapshot(snap)  # builds every column, draws the first
    lines = [view._layers[i].readout.lines for i in range(3)]
    assert lines[0][0] == "hidden 1" and "L1 Σ|w| = " in lines[0][1]
    assert lines[1:] == [("hidden 2", "", "", ""), ("output", "", "", "")]  # no stand-in numbers (they'd read as data)
    view.set_zoom(1.5)  # a new size of type: the boxes sized for it, the numbers kept
    assert [view._layers[i].readout.lines for i in range(3)] == lines


def test_columns_wrap_into_rows_when_the_view_is_narrow_and_tall_enough(view, qtbot):
    view.show()
    qtbot.waitExposed(view)
    view.show_snapshot(regularized(5))
    view.set_zoom(1.6)
    view.resize(1400, 900)
    qtbot.wait(50)
    assert view._columns == 3
    view.resize(500, 1000)  # a narrow, tall view: the output layer goes to a second row, nothing is cut off
    qtbot.waitUntil(lambda: view._columns == 2, timeout=2000)
    # laid out again on the event loop's next pass
    qtbot.waitUntil(lambda: fits_the_view(view), timeout=2000)
    np.testing.assert_array_equal(view.histogram_heights(2), regularized(5).layers[2].histogram)  # kept its data
    view.resize(500, 300)  # too low for two rows: one row, as wide as it gets
    qtbot.waitUntil(lambda: view._columns == 3, timeout=2000)


def fits_the_view(view) -> bool:
    return view.graphics.ci.geometry().width() <= view.graphics.viewport().width() + 1


def test_in_a_narrow_short_view_the_type_shrinks_so_no_column_is_cut_off(view, qtbot):
    snap = regularized(5)
    wide = replace(snap.layers[1], histogram=snap.layers[1].histogram * 400)  # counts up to ≈ 10000: wide labels
    snap = replace(snap, layers=[snap.layers[0], wide, snap.layers[2]])
    view.show()
    qtbot.waitExposed(view)
    view.resize(300, 340)  # too short for two rows, too narrow for three columns at the full type size
    view.show_snapshot(snap)
    for _ in range(3):  # the count axis widens when it is painted with its new labels; the view looks again
        view.grab()
        view.show_snapshot(replace(snap, epoch=snap.epoch + 1 + _))
        qtbot.wait(10)
    assert view._columns == 3 and view._type_zoom < 1.0
    qtbot.waitUntil(lambda: fits_the_view(view), timeout=2000)
    view.resize(1200, 340)
    qtbot.waitUntil(lambda: view._type_zoom == 1.0, timeout=2000)  # room again: the full type size
    qtbot.waitUntil(lambda: fits_the_view(view), timeout=2000)


def test_one_histogram_per_dense_layer_with_the_snapshot_heights(view):
    snap = snapshot(experiment(), 3)
    view.show_snapshot(snap)
    assert view.layer_count() == len(snap.layers) == 3
    for i, layer in enumerate(snap.layers):
        np.testing.assert_array_equal(view.histogram_heights(i), layer.histogram)


def test_the_history_grows_one_row_per_epoch(view):
    exp = experiment()
    for epoch in range(1, 6):
        view.show_snapshot(snapshot(exp, epoch))
        assert view.history_image(0).shape == (epoch, ASINH_BINS)
    np.testing.assert_array_equal(view.history_image(1)[-1], snapshot(exp, 5).layers[1].asinh_histogram)
    np.testing.assert_array_equal(view.history_image(1)[0], snapshot(exp, 1).layers[1].asinh_histogram)


def test_the_same_snapshot_twice_changes_nothing(view):
    snap = snapshot(experiment(), 4)
    view.show_snapshot(snap)
    before = view.history_image(0).copy()
    view.show_snapshot(snap)
    np.testing.assert_array_equal(view.history_image(0), before)


def test_a_redrawn_epoch_replaces_its_row_and_skipped_epochs_are_filled(view):
    exp = experiment()
    view.show_snapshot(snapshot(exp, 1))
    view.show_snapshot(snapshot(exp, 2))
    view.show_snapshot(snapshot(exp, 2, seed=5))  # the same epoch, another snapshot object
    assert view.history_image(0).shape[0] == 2
    np.testing.assert_array_equal(view.history_image(0)[-1], snapshot(exp, 2, seed=5).layers[0].asinh_histogram)
    view.show_snapshot(snapshot(exp, 6))  # the frames missed epochs 3 to 5
    assert view.history_image(0).shape[0] == 6
    np.testing.assert_array_equal(view.history_image(0)[2], snapshot(exp, 6).layers[0].asinh_histogram)


def test_the_history_keeps_the_last_300_epochs(view):
    exp = experiment()
    for epoch in (1, 200, 350, 351):
        view.show_snapshot(snapshot(exp, epoch))
    history = view.history_image(2)
    assert history.shape[0] == HISTORY_EPOCHS
    np.testing.assert_array_equal(history[-1], snapshot(exp, 351).layers[2].asinh_histogram)
    np.testing.assert_array_equal(history[-2], snapshot(exp, 350).layers[2].asinh_histogram)


def test_an_earlier_epoch_starts_a_new_history(view):
    exp = experiment()
    for epoch in range(1, 8):
        view.show_snapshot(snapshot(exp, epoch))
    restart = snapshot(exp, 1, seed=3)
    view.show_snapshot(restart)
    assert view.history_image(0).shape[0] == 1
    np.testing.assert_array_equal(view.histogram_heights(0), restart.layers[0].histogram)


def test_the_readout_gives_the_norms_and_the_share_near_zero(view):
    snap = regularized(150)
    view.show_snapshot(snap)
    layer = snap.layers[1]
    text = view.readout_text(1)
    assert text.startswith("hidden 2 — ")
    assert f"L1 Σ|w| = {layer.l1_norm:.3g}" in text
    assert f"L2 ‖w‖ = {layer.l2_norm:.3g}" in text
    assert f"{100 * layer.near_zero:.0f} % near 0" in text
    assert 0.2 < layer.near_zero < 0.9


def test_a_readout_is_four_lines_in_the_box_and_one_line_in_text():
    readout = LayerReadout("hidden 2", l1_norm=1234.4, l2_norm=0.000123, near_zero=0.184)
    assert readout.lines() == ("hidden 2", "L1 Σ|w| = 1234", "L2 ‖w‖ = 0.000123", "18 % near 0")
    assert readout.text() == "hidden 2 — L1 Σ|w| = 1234 · L2 ‖w‖ = 0.000123 · 18 % near 0"


def test_the_readout_box_shows_the_layers_numbers_line_by_line(view):
    snap = regularized(150)
    view.show_snapshot(snap)
    assert view._layers[1].readout.lines == LayerReadout.of(snap.layers[1]).lines()
    assert view._layers[1].readout.lines[0] == "hidden 2"


def test_columns_fill_rows_evenly_and_shrink_their_type_only_where_rows_would_squash_them():
    assert [column_count(layers, 3) for layers in (1, 2, 3, 4, 5, 6, 7)] == [1, 2, 3, 2, 3, 3, 3]
    # 3 columns of 250 px in 600 px: 2 side by side (rows of 250 px fit 1000 px), at the full type size
    assert wrapping(3, room=600, need=250, height=1000, zoom=1.0) == (2, 1.0)
    # in 400 px two rows do not fit: 3 columns, type 0.97 × 600 / 750 of the zoom
    columns, type_zoom = wrapping(3, room=600, need=250, height=400, zoom=1.0)
    assert columns == 3 and type_zoom == pytest.approx(0.97 * 600 / 750)
    assert wrapping(3, room=300, need=250, height=400, zoom=2.0) == (3, 2.0 * 0.7)  # never below SMALLEST_TYPE


def test_new_layers_rebuild_and_the_same_layers_only_update(view):
    exp = experiment()
    view.show_snapshot(snapshot(exp, 1))
    view.grab()
    items = scene_items(view)
    for epoch in range(2, 102):
        view.show_snapshot(snapshot(exp, epoch))
    view.grab()
    assert scene_items(view) == items
    deeper = experiment()
    deeper.network.hidden.append(deeper.network.hidden[0])
    view.show_snapshot(snapshot(deeper, 1))
    assert view.layer_count() == 4
    assert view.history_image(0).shape[0] == 1


def test_clear_hides_the_run_and_the_next_run_of_the_same_layers_reuses_the_columns(view):
    exp = experiment()
    for epoch in range(1, 6):
        view.show_snapshot(snapshot(exp, epoch))
    columns = list(view._layers)
    view.clear()
    assert view.layer_count() == 0 and view.message.isVisibleTo(view) and not view.graphics.isVisibleTo(view)
    second = regularized(1)  # a new run of the same layers (new weights, new bins)
    second = replace(second, layers=[replace(new, name=old.name) for new, old in
                                     zip(second.layers, snapshot(exp, 1).layers, strict=True)])
    WeightsPart(view, 0, 3).show_snapshot(second)
    assert view._layers == columns  # the same columns: no ≈ 150 ms build
    assert view.layer_count() == 3 and view.graphics.isVisibleTo(view)
    assert view.history_image(0).shape[0] == 1  # a history of its own: the old run's 5 epochs are gone
    np.testing.assert_array_equal(view.histogram_heights(0), second.layers[0].histogram)
    assert [view.history_image(i).shape[0] for i in (1, 2)] == [0, 0]  # not drawn yet: empty, and no old numbers
    assert view._layers[1].readout.lines == ("hidden 2", "", "", "")
    assert not view.histogram_heights(1).any()
    deeper = experiment()
    deeper.network.hidden.append(deeper.network.hidden[0])
    view.clear()
    view.show_snapshot(snapshot(deeper, 1))  # other layers: new columns
    assert view.layer_count() == 4 and all(plots not in columns for plots in view._layers)


def l1_like(rng, shape, near_zero_share=0.68):
    """Weights as L1 leaves them (lesson 3 after 300 epochs): most within 1e-3 of 0, a few large."""
    kernel = rng.laplace(0, 0.05, shape)
    pile = rng.random(shape) < near_zero_share
    kernel[pile] = rng.uniform(-1e-3, 1e-3, pile.sum())
    return kernel.astype(np.float32)


def sparse(epoch: int = 300):
    """regularized's network with a 128 × 128 second layer going sparse: 68 % of it near 0 at epoch 300."""
    exp = experiment()
    exp.network.hidden[0].units = exp.network.hidden[1].units = 128
    rng = np.random.default_rng(3)
    kernels = [rng.normal(0, 0.5, (2, 128)), l1_like(rng, (128, 128), 0.68 * min(epoch, 300) / 300),
               rng.normal(0, 0.3, (128, 1))]
    return with_kernels(snapshot(exp, epoch), kernels)


def drawn_tops(plots) -> np.ndarray:
    """The bars' heights above the count axis' floor in bin order (negative bins orange, the zero bin grey, the
    positive ones blue)."""
    return np.concatenate([np.asarray(plots.bars[colour].opts["height"]) for colour in (ORANGE, GREY, BLUE)])


def test_under_l1_the_histogram_shows_more_than_the_pile_at_zero(view):
    snap = sparse()
    view.show_snapshot(snap)
    layer = snap.layers[1]
    counts = view.histogram_heights(1)
    assert counts.sum() == layer.kernel.size == 128 * 128
    assert (counts > 0).sum() >= 10
    assert counts.max() < 0.9 * counts.sum()  # the pile at 0 is the tallest bar, not everything
    tops = drawn_tops(view._layers[1])
    assert (tops > 0).sum() == (counts > 0).sum()  # every non-empty bin has a bar, even one of a single weight
    # a bar of 1 weight beside the ≈ 12 000 at 0: 1 : 14.6 in height (log10 2 : log10 24 000), not 1 : 12 000
    assert tops[tops > 0].min() > tops.max() / 15


def test_the_bars_stand_on_a_log_count_axis(view):
    snap = sparse()
    view.show_snapshot(snap)
    plots = view._layers[1]
    counts = snap.layers[1].histogram
    expected = np.where(counts > 0, np.log10(np.maximum(counts, 1)) + np.log10(2), 0.0)  # above log10(0.5)
    np.testing.assert_allclose(drawn_tops(plots), expected)
    assert {tuple(np.atleast_1d(bars.opts["y0"])) for bars in plots.bars.values()} == {(EMPTY,)}
    assert EMPTY == pytest.approx(np.log10(0.5))
    assert "y: count (log scale)" in view.captions()[0]
    low, high = plots.histogram.getViewBox().viewRange()[1]
    assert low == pytest.approx(EMPTY) and np.log10(counts.max()) < high < np.log10(counts.max()) + 0.5
    axis = plots.histogram.getAxis("left")
    (_, major), (_, minor) = axis.tickValues(low, high, 400)  # a tall plot: every decade labelled
    assert major == [0.0, 1.0, 2.0, 3.0, 4.0]  # 11 000 at 0
    assert axis.tickStrings(major, 1.0, 1.0) == ["1", "10", "100", "1000", "10000"]
    assert min(abs(np.array(minor) - np.log10(20))) < 1e-9 and min(abs(np.array(minor) - np.log10(9000))) < 1e-9
    assert set(axis.tickStrings(minor, 1.0, 0.0)) == {""}


def test_new_bins_change_the_bars_and_keep_the_heat_map_rows_comparable(view):
    """Comparable: every heat-map row holds the layer's counts over the same fixed asinh bins (a weight falls in
    the same column at every epoch) and a count has the same colour in every row (log(1 + count) on a scale fixed
    by the layer's size); a new ±R changes only the bars."""
    exp = experiment()
    rng = np.random.default_rng(1)
    wide = rng.normal(0, 0.4, (2, 8))
    for epoch in (1, 2, 3):
        view.show_snapshot(with_kernels(snapshot(exp, epoch), [wide, rng.normal(0, 0.4, (8, 6)),
                                                               rng.normal(0, 0.4, (6, 1))]))
    plots = view._layers[0]
    assert plots.edges[-1] > 0.5
    before = view.history_image(0).copy()
    narrow = wide * 0.01  # the spread shrinks 100×
    snap = with_kernels(snapshot(exp, 4), [narrow, rng.normal(0, 0.4, (8, 6)), rng.normal(0, 0.4, (6, 1))])
    view.show_snapshot(snap)
    assert snap.layers[0].histogram_edges[-1] < 0.05
    np.testing.assert_array_equal(plots.edges, snap.layers[0].histogram_edges)  # the bars follow the weights
    assert plots.histogram.getViewBox().viewRange()[0] == pytest.approx(list(snap.layers[0].histogram_edges[[0, -1]]))
    np.testing.assert_array_equal(view.histogram_heights(0), snap.layers[0].histogram)
    history = view.history_image(0)
    assert history.shape == (4, ASINH_BINS)
    np.testing.assert_array_equal(history[:3], before)  # the earlier rows are untouched
    np.testing.assert_array_equal(history[:3], [np.histogram(np.clip(wide, -10, 10), ASINH_EDGES)[0]] * 3)
    np.testing.assert_array_equal(history[3], np.histogram(narrow, ASINH_EDGES)[0])
    image = plots.image.image  # RGB rows, oldest first
    size = wide.size
    lut = np.linspace(PAPER, BLUE, 256).round()
    np.testing.assert_array_equal(image, lut[np.round(255 * np.log1p(history) / np.log1p(size)).astype(int)])
    assert (image[history == 0] == PAPER).all()


def test_an_earlier_epoch_after_new_bins_restarts_on_its_own_bins(view):
    exp = experiment()
    rng = np.random.default_rng(2)
    kernels = [rng.normal(0, 0.4, (2, 8)), rng.normal(0, 0.4, (8, 6)), rng.normal(0, 0.4, (6, 1))]
    view.show_snapshot(with_kernels(snapshot(exp, 5), kernels))
    restart = with_kernels(snapshot(exp, 1), [k * 3 for k in kernels])
    view.show_snapshot(restart)
    assert view.history_image(0).shape[0] == 1
    np.testing.assert_array_equal(view._layers[0].edges, restart.layers[0].histogram_edges)


def test_the_curves_are_described_as_densities_for_comparison(view):
    tip = view.fit_box.toolTip()
    assert "Gaussian density with the mean and standard deviation of each layer's weights" in tip
    assert "Laplace density with their median and mean absolute deviation" in tip
    assert "MAP estimate under a zero-mean Gaussian prior" in tip and "towards" not in tip
    assert "asinh" in view.graphics.toolTip() and "log axis" in view.graphics.toolTip()


def test_fitted_curves_hold_as_many_weights_as_the_kernel():
    kernel = np.random.default_rng(0).laplace(0, 0.3, (40, 50))
    edges = histogram_edges(kernel)  # ±5: every weight inside
    x, gaussian, laplace = fitted_curves(kernel, edges)
    bin_width = edges[1] - edges[0]
    for curve in (gaussian, laplace):
        assert np.trapezoid(curve, x) / bin_width == pytest.approx(kernel.size, rel=0.03)
    assert laplace.max() > gaussian.max()  # Laplace-distributed weights: the sharper peak fits
    assert fitted_curves(np.zeros((3, 3)), edges) is None


def test_the_fit_check_box_shows_the_curves_on_the_log_count_axis(view):
    snap = regularized(10)
    view.show_snapshot(snap)
    plots = view._layers[0]
    assert not plots.gaussian.isVisible()
    view.fit_box.setChecked(True)
    assert plots.gaussian.isVisible() and plots.laplace.isVisible()
    x, gaussian, laplace = fitted_curves(snap.layers[0].kernel, snap.layers[0].histogram_edges)
    for item, curve in ((plots.gaussian, gaussian), (plots.laplace, laplace)):
        np.testing.assert_allclose(item.xData, x)
        np.testing.assert_allclose(item.yData, np.log10(np.clip(curve, 0.1, 1.5 * plots.peak)))
    view.fit_box.setChecked(False)
    assert not plots.laplace.isVisible()


@pytest.mark.parametrize("zoom", [1.0, 2.0])
def test_picture_is_drawn_and_saved(view, qtbot, tmp_path, zoom):
    view.resize(int(900 * zoom), int(600 * zoom))
    view.set_zoom(zoom)
    for epoch in range(1, 181, 3):
        view.show_snapshot(regularized(epoch))
    view.fit_box.setChecked(True)
    view.grab()
    qtbot.wait(20)
    assert distinct_colours(view) >= 3
    name = "weights_view.png" if zoom == 1 else "weights_view_zoom2.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder in (SHOTS, tmp_path):
        assert view.grab().save(str(folder / name))


def test_picture_of_l1_weights_is_drawn_and_saved(view, qtbot, tmp_path):
    for epoch in range(1, 301, 3):
        view.show_snapshot(sparse(epoch))
    view.fit_box.setChecked(True)
    view.grab()
    qtbot.wait(20)
    assert distinct_colours(view) >= 3
    assert (drawn_tops(view._layers[1]) > 0).sum() >= 10
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder in (SHOTS, tmp_path):
        assert view.grab().save(str(folder / "weights_view_l1.png"))


# ---------------------------------------------------------------- small and short: readable, nothing overlaps

def test_decades_are_labelled_as_far_apart_as_their_labels_need():
    # 13 px labels need 1.6 × 13 = 20.8 px between them, and 5.2 px under the top of the axis
    assert decade_levels(-0.3, 4.4, 40, 13) == ([0.0, 1.0, 2.0, 3.0, 4.0], sorted(
        np.log10(m) + d for d in range(5) for m in range(2, 10) if np.log10(m) + d <= 4.4))  # 40 px: 2–9 ticks too
    assert decade_levels(-0.3, 4.4, 15, 13) == ([0.0, 2.0, 4.0], [1.0, 3.0])  # 15 px a decade: every 2nd
    assert decade_levels(-0.3, 4.4, 6, 13) == ([0.0], [1.0, 2.0, 3.0, 4.0])  # a strip: "1" only
    assert decade_levels(-0.3, 4.1, 40, 13)[0] == [0.0, 1.0, 2.0, 3.0]  # 10 000 would reach past the top
    assert decade_levels(-2.3, 0.5, 12, 13)[0] == [-2.0, 0.0]  # the lowest may reach under the axis
    assert decade_levels(-4.5, 0.5, 12, 13) == ([-4.0, -2.0, 0.0], [-3.0, -1.0])  # shares: from 100 %
    assert decade_levels(-4.5, 0.7, 8, 13) == ([-3.0, 0.0], [-4.0, -2.0, -1.0])  # every 3rd
    assert decade_levels(-4.5, 0.3, 12, 13) == ([-3.0, -1.0], [-4.0, -2.0, 0.0])  # 100 % too near the top


@pytest.mark.parametrize(("pixels_per_epoch", "step"), [(30, 1), (15, 2), (5, 5), (2, 20), (0.07, 500)])
def test_epoch_labels_are_whole_epochs_a_1_2_5_step_apart_that_fits(pixels_per_epoch, step):
    assert epoch_step(pixels_per_epoch, 13) == step  # 20.8 px between labels at the least


def test_a_tick_label_that_would_overlap_a_kept_one_is_left_out():
    texts = [(QRectF(x, 0, 20, 10), 0, text) for x, text in ((0, "-0.2"), (18, "-0.1"), (40, "0"), (58, "0.1"),
                                                              (80, "0.2"))]
    assert [t[2] for t in fitting_labels(texts, 2)] == ["-0.2", "0", "0.2"]  # in order: ±0.1 clash with the one before
    order = centre_out(texts)
    assert [texts[i][2] for i in order] == ["0", "-0.2", "0.2", "-0.1", "0.1"]  # 0, then the ends
    assert [t[2] for t in fitting_labels(texts, 15, order)] == ["-0.2", "0", "0.2"]  # 20 px apart: room for 15
    assert [t[2] for t in fitting_labels(texts, 30, order)] == ["0"]


def overlaps(boxes) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap (by more than a pixel: neighbouring lines touch)."""
    shrunk = [(text, box.adjusted(1, 1, -1, -1)) for text, box in boxes]
    return [(a, b) for i, (a, box) in enumerate(shrunk) for b, other in shrunk[i + 1:] if box.intersects(other)]


# the weights view's size and zoom on the screens RegLab is checked on (tests/gui/test_window_fits_the_screen.py)
SCREEN_SIZES = {"1366x768": (371, 260, 1.0), "1366x768 before the objective's fit": (371, 220, 1.0),
                "1440x900": (408, 326, 1.0), "1024x768 presentation": (364, 329, 1.02),
                "1920x1080 presentation": (686, 469, 1.6)}


@pytest.mark.parametrize("screen", SCREEN_SIZES)
@pytest.mark.parametrize("kind", ["regularized", "sparse"])
def test_at_a_laptop_s_size_every_text_is_whole_and_none_overlaps(view, qtbot, screen, kind):
    width, height, zoom = SCREEN_SIZES[screen]
    show_in_host(qtbot, view, width, height)
    view.set_zoom(zoom)
    for epoch in range(1, 31, 3):
        view.show_snapshot(regularized(epoch) if kind == "regularized" else sparse(epoch * 10))
    qtbot.waitUntil(lambda: fits_the_view(view), timeout=2000)
    view.grab()  # painted: the axes have measured their labels
    qtbot.wait(20)
    boxes = view.text_boxes()
    assert overlaps(boxes) == []
    port = QRectF(view.graphics.viewport().rect())
    assert [text for text, box in boxes if not port.contains(view.graphics.mapFromScene(box).boundingRect())] == []
    # what the axes are, said once per row of columns, not under every plot
    histograms, heat_maps = view.captions()
    assert "weight (linear" in histograms and "count (log" in histograms
    assert "weight (asinh" in heat_maps and "epoch" in heat_maps
    assert not any(plot.getAxis(name).labelText for plots in view._layers for plot in (plots.histogram, plots.heat)
                   for name in ("left", "bottom"))
    texts = [text for text, _ in boxes]
    for plots in view._layers:  # every count axis keeps its "1", every heat map its 0
        count_labels = [text for text, _ in axis_labels(plots.histogram.getAxis("left"))]
        assert "1" in count_labels
        assert "0" in [text for text, _ in axis_labels(plots.heat.getAxis("bottom"))]
        epochs = [text for text, _ in axis_labels(plots.heat.getAxis("left"))]
        assert all(text.isdigit() for text in epochs)  # whole epochs: no "16.6"
    assert sum(text.startswith("L1 Σ|w|") for text in texts) == 3


def axis_labels(axis) -> list[tuple[str, QRectF]]:
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(text, rect) for rect, _, text in specs[2]]


def test_a_caption_takes_the_longest_wording_its_row_has_room_for(view, qtbot):
    show_in_host(qtbot, view, 900, 600)
    view.show_snapshot(regularized(3))
    qtbot.waitUntil(lambda: view.captions()[0] == HISTOGRAM_CAPTIONS[0], timeout=2000)
    assert view.captions() == [HISTOGRAM_CAPTIONS[0], HEAT_CAPTIONS[0]]
    view.resize(371, 260)  # a 1366 × 768 laptop's quarter: the heat maps' long wording does not fit
    qtbot.waitUntil(lambda: view.captions()[1] == HEAT_CAPTIONS[1], timeout=2000)
    for caption, forms in zip(view._captions[0], (HISTOGRAM_CAPTIONS, HEAT_CAPTIONS), strict=True):
        room = caption.size().width() - 2 * caption.MARGIN
        chosen = forms.index(caption.text)
        assert caption.item.boundingRect().width() <= room
        assert all(caption._width(longer) > room + 2 * caption.MARGIN for longer in forms[:chosen])
