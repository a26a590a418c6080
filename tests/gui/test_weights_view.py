"""The weights view: heights equal the snapshot, history rows per epoch, readouts, rebuilds only on new layers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from fakes import experiment, snapshot
from pictures import distinct_colours, scene_items

from engine.snapshot import histogram_edges, weight_histogram
from gui.weights_view import HISTORY_EPOCHS, WeightsPart, WeightsView, fitted_curves

SHOTS = Path("/tmp/reglab_shots")



@pytest.fixture
def view(qtbot):
    widget = WeightsView()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    return widget




def with_kernels(snap, kernels):
    """``snap`` with its layers' kernels replaced and their statistics recomputed as the engine does."""
    layers = []
    for layer, kernel in zip(snap.layers, kernels, strict=True):
        layers.append(replace(
            layer, kernel=kernel, histogram=weight_histogram(kernel, layer.histogram_edges),
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
    view.resize(360, 340)  # a 1024 × 768 projector's share: too short for two rows, too narrow for full type
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
        assert view.history_image(0).shape == (epoch, 41)
    np.testing.assert_array_equal(view.history_image(1)[-1], snapshot(exp, 5).layers[1].histogram)
    np.testing.assert_array_equal(view.history_image(1)[0], snapshot(exp, 1).layers[1].histogram)


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
    np.testing.assert_array_equal(view.history_image(0)[-1], snapshot(exp, 2, seed=5).layers[0].histogram)
    view.show_snapshot(snapshot(exp, 6))  # the frames missed epochs 3 to 5
    assert view.history_image(0).shape[0] == 6
    np.testing.assert_array_equal(view.history_image(0)[2], snapshot(exp, 6).layers[0].histogram)


def test_the_history_keeps_the_last_300_epochs(view):
    exp = experiment()
    for epoch in (1, 200, 350, 351):
        view.show_snapshot(snapshot(exp, epoch))
    history = view.history_image(2)
    assert history.shape[0] == HISTORY_EPOCHS
    np.testing.assert_array_equal(history[-1], snapshot(exp, 351).layers[2].histogram)
    np.testing.assert_array_equal(history[-2], snapshot(exp, 350).layers[2].histogram)


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


def test_new_bins_restart_the_history(view):
    exp = experiment()
    view.show_snapshot(snapshot(exp, 1))
    view.show_snapshot(snapshot(exp, 2))
    snap = snapshot(exp, 3)
    wide = histogram_edges(np.ones(1) * 2.0)
    snap.layers[0] = replace(snap.layers[0], histogram_edges=wide,
                             histogram=weight_histogram(snap.layers[0].kernel, wide))
    view.show_snapshot(snap)
    assert view.history_image(0).shape[0] == 1
    assert view.history_image(1).shape[0] == 3


def test_fitted_curves_hold_as_many_weights_as_the_kernel():
    kernel = np.random.default_rng(0).laplace(0, 0.3, (40, 50))
    edges = histogram_edges(np.ones(1) * 0.5)
    x, gaussian, laplace = fitted_curves(kernel, edges)
    bin_width = edges[1] - edges[0]
    for curve in (gaussian, laplace):
        assert np.trapezoid(curve, x) / bin_width == pytest.approx(kernel.size, rel=0.03)
    assert laplace.max() > gaussian.max()  # Laplace-distributed weights: the sharper peak fits
    assert fitted_curves(np.zeros((3, 3)), edges) is None


def test_the_fit_check_box_shows_the_curves(view):
    view.show_snapshot(regularized(10))
    plots = view._layers[0]
    assert not plots.gaussian.isVisible()
    view.fit_box.setChecked(True)
    assert plots.gaussian.isVisible() and plots.laplace.isVisible()
    assert len(plots.gaussian.xData) > 0
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
