"""The loss-landscape view (gui/live/landscape_view.py and its parts): the penalty's level sets against their
equations, the pair's path against the snapshots, the drawn items against the landscape's arrays, the pair kept in
the experiment, the session's requests, and the window's dock on a real run."""

from __future__ import annotations

from dataclasses import dataclass, replace

import fakes
import numpy as np
import pytest
from pictures import distinct_colours, show_in_host
from PySide6.QtCore import QRectF

from engine.live.landscape_work import KernelHistory, LandscapeFrame
from engine.spec import HiddenLayer, LandscapeChoice, WeightRef
from gui.document import ExperimentDocument
from gui.landscape_requests import LandscapeRequests
from gui.live.landscape_names import weight_name
from gui.live.landscape_view import FAR, LandscapeView, loss_at, pixel_extent
from gui.run_state import State

PAIR = (WeightRef(1, 0, 2), WeightRef(1, 3, 2))  # hidden 1 → hidden 2, into unit 3 of the L1 layer (fakes.DEFAULT)


@dataclass
class FakeLandscape:
    """Shaped like engine.training.landscape.Landscape: a bowl with its bottom at (0.5, −0.2)."""

    refs: tuple
    a: np.ndarray
    b: np.ndarray
    data_loss: np.ndarray
    penalty: np.ndarray
    current: tuple[float, float]


def fake_landscape(current=(0.3, -0.45), reach=1.0, n=41) -> FakeLandscape:
    axis = np.linspace(-reach, reach, n)
    aa, bb = np.meshgrid(axis, axis)  # rows follow b
    loss = 0.1 + (aa - 0.5) ** 2 + 2 * (bb + 0.2) ** 2
    return FakeLandscape(PAIR, axis, axis.copy(), loss, 0.001 * (np.abs(aa) + np.abs(bb)), current)


def frame_of(landscape, epochs=(0, 1, 2, 3), pair=PAIR, asked=PAIR, run_id=1, kernels=()) -> LandscapeFrame:
    path_a = np.linspace(0.9, landscape.current[0], len(epochs))
    path_b = np.linspace(0.6, landscape.current[1], len(epochs))
    return LandscapeFrame(run_id, epochs[-1], asked, pair, landscape, np.array(epochs), path_a, path_b,
                          kernels=tuple(kernels))


# ---------------------------------------------------------------- the names (the shapes: tests/engine/)
def test_weights_are_named_by_the_units_they_join():
    assert weight_name(WeightRef(0, 0, 2), 2, ["x1", "x2"]) == "w[in 1 → h1 unit 3]"
    assert weight_name(WeightRef(0, 1, 0), 1, ["age", "income"]) == "w[in 2 (income) → h1 unit 1]"
    assert weight_name(WeightRef(1, 3, 5), 2) == "w[h1 unit 4 → h2 unit 6]"
    assert weight_name(WeightRef(2, 3, 0), 2) == "w[h2 unit 4 → out]"
    assert weight_name(WeightRef(2, 3, 1), 2, outputs=3) == "w[h2 unit 4 → out 2]"


# ---------------------------------------------------------------- the path, against the snapshots
def test_the_path_is_the_snapshots_kernel_values():
    exp, history = fakes.experiment(), KernelHistory()
    snaps = [fakes.snapshot(exp, epoch) for epoch in range(1, 31)]
    for snap in snaps:
        history.add_snapshot(snap, run_id=1)
    assert history.epochs.tolist() == list(range(1, 31))
    for weight in (WeightRef(0, 1, 5), PAIR[1], WeightRef(2, 4, 0)):
        assert history.path(weight).tolist() == [s.layers[weight.layer].kernel[weight.row, weight.column]
                                                 for s in snaps]
    history.add_snapshot(fakes.snapshot(exp, 1, seed=5), run_id=2)  # a new run starts its own path
    assert history.epochs.tolist() == [1]


def test_a_long_path_keeps_every_other_epoch_within_its_budget():
    exp = fakes.experiment()
    snaps = [fakes.snapshot(exp, epoch) for epoch in range(1, 41)]
    weights = sum(layer.kernel.size for layer in snaps[0].layers)
    history = KernelHistory(budget_bytes=4 * weights * 8)  # room for 8 epochs
    for snap in snaps:
        history.add_snapshot(snap, run_id=1)
    assert len(history) <= 8 and history.stride == 8
    assert history.epochs.tolist() == [8, 16, 24, 32, 40]
    assert history.path(PAIR[0]).tolist() == [snaps[e - 1].layers[1].kernel[0, 2] for e in (8, 16, 24, 32, 40)]


# ---------------------------------------------------------------- the view, on hand-made landscapes
@pytest.fixture
def view(qtbot):
    document = ExperimentDocument(fakes.experiment())
    v = LandscapeView(document)
    show_in_host(qtbot, v, 420, 560)
    v.set_dataset(fakes.dataset())
    yield v
    document.deleteLater()


def test_the_drawn_data_are_the_landscapes_arrays(view):
    land = fake_landscape()
    frame = frame_of(land)
    view.show_landscape(frame)
    assert np.array_equal(view.image.image, land.data_loss)
    x0, x1, y0, y1 = pixel_extent(land.a, land.b)
    assert view.image.mapRectToParent(view.image.boundingRect()) == QRectF(x0, y0, x1 - x0, y1 - y0)
    assert x0 == pytest.approx(-1.025) and y1 == pytest.approx(1.025)  # half a grid step beyond ±1
    path_x, path_y = view.path.getData()
    assert np.array_equal(path_x, frame.path_a) and np.array_equal(path_y, frame.path_b)
    now_x, now_y = view.now.getData()
    assert (now_x[0], now_y[0]) == land.current
    assert view.plot.getAxis("bottom").labelText == "w[h1 unit 1 → h2 unit 3]"
    assert view.plot.getAxis("left").labelText == "w[h1 unit 4 → h2 unit 3]"


def test_the_dashed_level_set_is_the_l1_diamond_through_the_current_point(view):
    land = fake_landscape(current=(0.3, -0.45))
    view.show_landscape(frame_of(land))
    a, b = view.level.getData()
    r = abs(0.3) + abs(-0.45)
    assert np.allclose(np.abs(a) + np.abs(b), r)  # every vertex; the corners on the axes too
    for corner in ((r, 0.0), (0.0, r), (-r, 0.0), (0.0, -r)):
        assert np.min(np.hypot(a - corner[0], b - corner[1])) < 1e-12
    text = view.caption.text()
    assert "the L1 penalty's level set through the current point, 0.001·(|a| + |b|) = 0.00075" in text
    assert "data loss on the training rows, dropout and noise off, every other weight as now" in text
    assert "epochs 0–3" in text and "max-norm" not in text
    assert view.bound.getData()[0].size == 0


def test_a_weight_without_a_penalty_draws_two_lines_cut_beyond_the_view(view):
    pair = (PAIR[0], WeightRef(2, 3, 0))  # into the output layer, which has no penalty here
    land = replace(fake_landscape(current=(0.3, -0.45)), refs=pair)
    view.show_landscape(frame_of(land, pair=pair, asked=pair))
    a, b = view.level.getData()
    finite = np.isfinite(a)
    assert np.allclose(np.abs(a[finite]), 0.3) and not finite.all()  # the lines a = ±0.3, in pieces
    assert 1.025 < np.max(np.abs(b[finite])) <= FAR * 2.05  # past the view's edge (±1.025), within the cut
    assert "the kernel penalties' level set through the current point (their sum = 0.0003)" in view.caption.text()


def test_the_dotted_max_norm_region_is_the_exact_disc_of_the_snapshot_kernels(view):
    view.document.exp.network.hidden[1] = HiddenLayer(units=6, max_norm=2.0, kernel_regularizer=None)
    kernels = [np.zeros((2, 8)), np.zeros((8, 6)), np.zeros((6, 1))]
    kernels[1][:, 2] = [0.3, 0.0, 0.4, -0.45, 0.0, 1.2, 0.0, 0.0]  # PAIR: rows 0 and 3 of column 2; rest 0.16 + 1.44
    view.show_landscape(frame_of(fake_landscape(current=(0.3, -0.45)), kernels=kernels))
    a, b = view.bound.getData()
    assert np.allclose(np.hypot(a, b), np.sqrt(4 - 1.6))
    assert ("Dotted: the pair's max-norm region: a² + b² ≤ c² − the rest of h2 unit 3's weights squared = "
            "2² − 1.6 = 2.4.") in view.caption.text()
    other = (PAIR[0], WeightRef(1, 5, 4))  # another unit of the layer: a rectangle, each side from its own column
    view.show_landscape(frame_of(replace(fake_landscape(), refs=other), pair=other, asked=other, kernels=kernels))
    a, b = view.bound.getData()
    assert np.allclose([a.max(), b.max()], [np.sqrt(4 - (0.16 + 0.2025 + 1.44)), 2.0])
    assert "a² ≤ c² − the rest of h2 unit 3's weights squared" in view.caption.text()
    assert "b² ≤ c² − the rest of h2 unit 5's weights squared = 2² − 0 = 4." in view.caption.text()


def test_the_black_contour_runs_through_the_current_point(view):
    land = fake_landscape(current=(0.3, -0.45))
    view.show_landscape(frame_of(land))
    x, y = view.through.getData()
    finite = np.isfinite(x)
    exact = 0.1 + (x[finite] - 0.5) ** 2 + 2 * (y[finite] + 0.2) ** 2
    assert loss_at(land, land.current) == pytest.approx(0.1 + 0.04 + 2 * 0.0625, rel=0.02)
    assert np.allclose(exact, loss_at(land, land.current), rtol=0.05)
    assert np.min(np.hypot(x[finite] - 0.3, y[finite] + 0.45)) < 0.05


def test_a_new_run_clears_and_a_failed_landscape_says_why(view):
    view.show_landscape(frame_of(fake_landscape()))
    view.clear()
    assert view.image.image is None and view.path.getData()[0].size == 0 and "once the network" in view.caption.text()
    note = "No loss landscape: the first layer has fewer than two weights; name two weights L:i:j"
    view.show_landscape(LandscapeFrame(1, 0, None, None, None, np.zeros(0), np.zeros(0), np.zeros(0), note))
    assert view.caption.text() == note


def test_a_picked_pair_is_kept_in_the_experiment_and_keeps_the_run(view, qtbot):
    document = view.document
    kinds = []
    document.spec_changed.connect(kinds.append)
    chosen = []
    view.picker.pair_chosen.connect(chosen.append)
    view.show_landscape(frame_of(fake_landscape()))
    from_box, to_box = view.picker.boxes[1]
    sources = [from_box.itemText(k) for k in range(from_box.count())]
    assert sources == ["in 1", "in 2"] + [f"h1 unit {k}" for k in range(1, 9)] + [f"h2 unit {k}" for k in range(1, 7)]
    assert (from_box.currentText(), to_box.currentText()) == ("h1 unit 4", "h2 unit 3")
    assert [to_box.itemText(k) for k in range(to_box.count())] == [f"h2 unit {k}" for k in range(1, 7)]
    from_box.setCurrentIndex(sources.index("h1 unit 6"))
    from_box.activated.emit(from_box.currentIndex())
    assert chosen == [(PAIR[0], WeightRef(1, 5, 2))]
    document.edit("pair", lambda e: setattr(e, "landscape", LandscapeChoice(chosen[0])))
    assert document.exp.to_dict()["landscape"] == {"weights": "1:0:2,1:5:2"} and kinds == ["live"]
    from_box.setCurrentIndex(sources.index("in 2"))  # another layer: its units to go to, the column kept
    from_box.activated.emit(from_box.currentIndex())
    assert chosen[-1] == (PAIR[0], WeightRef(0, 1, 2)) and to_box.count() == 8 and to_box.currentText() == "h1 unit 3"
    from_box.setCurrentIndex(sources.index("h1 unit 1"))  # the other axis' weight (1:0:2): refused, boxes go back
    to_box.setCurrentIndex(2)
    from_box.activated.emit(from_box.currentIndex())
    assert len(chosen) == 2 and from_box.currentText() == "in 2"


# ---------------------------------------------------------------- the session's requests
def test_requests_are_for_new_weights_and_frames_of_another_pair_are_not_announced():
    requests = LandscapeRequests()
    assert not requests.due(State.PAUSED, 3)  # not wanted
    requests.want(True, PAIR)
    assert requests.due(State.PAUSED, 3) and not requests.due(State.PAUSED, 3)  # the same weights: once
    assert not requests.due(State.LOADING, 4)
    frame = frame_of(fake_landscape())
    assert requests.new_frame(frame) is frame and requests.new_frame(frame) is None
    requests.want(True, None)  # the default pair now: a frame still of the old pair is not shown
    assert requests.new_frame(frame_of(fake_landscape())) is None
    slow = frame_of(fake_landscape(), asked=None)
    assert requests.new_frame(slow) is slow and requests.interval == 0.3  # a landscape of 0 s: every 0.3 s
    for seconds, interval in ((0.02, 0.3), (0.06, 0.6), (0.5, 1.0)):  # at most 10 % of the worker's time, ≤ 1 s
        assert requests.new_frame(replace(slow, seconds=seconds)) is not None
        assert requests.interval == pytest.approx(interval)


# ---------------------------------------------------------------- the window, on a real run
def test_the_dock_is_hidden_until_the_view_menu_shows_it_and_draws_a_real_run(window, qtbot):
    dock = window.landscape
    assert not dock.shown and dock.view.drawn is None
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert dock.action in view_menu.actions() and dock.action.isCheckable() and not dock.action.isChecked()
    blank = distinct_colours(dock.view.plot_widget)
    dock.action.trigger()
    assert dock.shown and dock.action.isChecked()
    for epoch in range(1, 4):
        window.step()
        qtbot.waitUntil(lambda e=epoch: dock.view.drawn is not None and dock.view.drawn.epoch == e, timeout=60000)
    frame = dock.view.drawn
    assert frame.epoch == 3 and frame.epochs.tolist() == [0, 1, 2, 3]
    assert frame.pair[0].layer == 0 and frame.pair[1].layer == 0  # the default: the first layer's largest
    kernel = window.session.snapshot.layers[0].kernel
    assert frame.path_a[-1] == kernel[frame.pair[0].row, frame.pair[0].column]
    assert frame.landscape.current == pytest.approx((frame.path_a[-1], frame.path_b[-1]), abs=1e-6)
    assert np.array_equal(dock.view.image.image, frame.landscape.data_loss)
    assert np.ptp(frame.landscape.data_loss) > 0 and distinct_colours(dock.view.plot_widget) > blank + 20
    dock.action.trigger()
    assert not dock.shown


def test_an_opened_experiment_that_names_a_pair_shows_the_dock(window, qtbot):
    exp = window.document.exp.copy()
    exp.landscape = LandscapeChoice((WeightRef(0, 0, 1), WeightRef(0, 1, 4)))
    window.session.open(exp, None)
    assert window.landscape.shown and window.landscape.action.isChecked()
    qtbot.waitUntil(lambda: window.landscape.view.drawn is not None, timeout=60000)
    assert window.landscape.view.drawn.pair == exp.landscape.weights
    assert [box.currentText() for box in window.landscape.view.picker.boxes[1]] == ["in 2", "h1 unit 5"]


def test_the_worker_path_is_every_epochs_kernel_value(window, qtbot):
    """The worker's frame: its path holds the seed's weights (epoch 0) and each snapshot's kernel value after."""
    dock, session = window.landscape, window.session
    dock.choose((WeightRef(1, 2, 1), WeightRef(0, 1, 3)))  # two layers: hidden 1 → 2 and input → hidden 1
    assert window.document.exp.landscape.text == "1:2:1,0:1:3"
    dock.action.trigger()
    qtbot.waitUntil(lambda: dock.view.drawn is not None, timeout=60000)
    kernels = []
    for epoch in range(1, 4):
        window.step()
        qtbot.waitUntil(lambda e=epoch: session.snapshot is not None and session.snapshot.epoch == e, timeout=60000)
        kernels.append(session.snapshot.layers)
    qtbot.waitUntil(lambda: dock.view.drawn.epoch == 3, timeout=60000)
    frame = dock.view.drawn
    assert frame.pair == (WeightRef(1, 2, 1), WeightRef(0, 1, 3)) and frame.epochs.tolist() == [0, 1, 2, 3]
    assert frame.path_a[1:].tolist() == [layers[1].kernel[2, 1] for layers in kernels]
    assert frame.path_b[1:].tolist() == [layers[0].kernel[1, 3] for layers in kernels]
    assert dock.view.plot.getAxis("bottom").labelText == "w[h1 unit 3 → h2 unit 2]"


def test_a_pair_the_network_lacks_falls_back_to_the_default_and_says_so(window, qtbot):
    dock, frames = window.landscape, []
    window.session.landscape_changed.connect(frames.append)
    dock.dock.show()
    missing = (WeightRef(5, 0, 0), WeightRef(0, 0, 1))
    window.session.want_landscape(True, missing)  # as a file written for another network would ask
    qtbot.waitUntil(lambda: any(f.asked == missing for f in frames), timeout=60000)
    frame = next(f for f in frames if f.asked == missing)
    assert frame.pair[0].layer == 0 and frame.pair != missing and frame.landscape is not None
    assert frame.note == "The weights 5:0:0,0:0:1 are not in this network: the default pair is shown"
    qtbot.waitUntil(lambda: dock.view.drawn is frame)
    assert dock.view.caption.text().startswith(frame.note + ".")
    assert window.session.state is State.READY  # the run goes on
