"""The network and weights views show the regularization family: marks for batch norm, noise and max-norm, Gaussian
dropout's factors instead of crosses, and each unit's norm against its max-norm c."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF

from gui import edits
from gui.document import ExperimentDocument
from gui.live.dropout_drawing import (
    DARKEST,
    GAUSSIAN_CAPTION,
    GAUSSIAN_CAPTION_KEY,
    MASK_CAPTION,
    NEURON,
    factor_colour,
)
from gui.live.network_marks import pack
from gui.live.network_view import NetworkView
from gui.live.unit_norms import norm_captions
from gui.live.weights_view import WeightsView
from gui.plotting.palette import ORANGE, PAPER
from tests.gui import fakes

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

SHOTS = Path("/tmp/shots")
#: the network view's size on a 1366 × 768 laptop with a lesson open, on a 1024 × 768 projector, and roomy
NETWORK_SIZES = [(371, 261), (364, 330), (900, 520)]


def family(style: str = "gaussian"):
    """Every mechanism on: input noise and dropout; hidden 1 max-norm 3, batch norm, noise 0.1; hidden 2 max-norm 4
    and dropout 0.5."""
    exp = fakes.experiment()
    net = exp.network
    net.input_dropout, net.input_noise, net.dropout_style = 0.2, 0.3, style
    first, second = net.hidden
    first.max_norm, first.batch_norm, first.noise = 3.0, True, 0.1
    second.max_norm, second.dropout = 4.0, 0.5
    return exp


def plain():
    """No mechanism of the family, and no dropout."""
    exp = fakes.experiment()
    exp.network.hidden[1].dropout = 0.0
    return exp


def gaussian_snapshot(exp, epoch: int = 3):
    """A snapshot as the engine makes it with Gaussian dropout: factors from N(1, p/(1−p)), nothing dropped."""
    snap = fakes.snapshot(exp, epoch, seed=2)
    rng = np.random.default_rng(epoch)
    rates = [exp.network.input_dropout, *(h.dropout for h in exp.network.hidden)]

    def factors(n: int, p: float) -> np.ndarray:
        return (1 + rng.normal(size=n) * np.sqrt(p / (1 - p))).astype(np.float32)

    layers = [replace(layer, dropped=np.zeros(len(layer.bias), bool), dropout_factors=factors(len(layer.bias), p))
              for layer, p in zip(snap.layers[:-1], rates[1:], strict=True)]
    return replace(snap, layers=[*layers, snap.layers[-1]], input_dropped=np.zeros(2, bool),
                   input_dropout_factors=factors(2, rates[0]))


def network_view(qtbot, exp, size=(900, 520)):
    doc = ExperimentDocument(exp)
    view = NetworkView(doc)
    qtbot.addWidget(view)
    view.set_shape(2, 1, ["x1", "x2"])
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: len(view.neuron_positions()) == len(exp.network.hidden) + 2)
    return doc, view


def marks_of(view) -> list[list[str]]:
    """Per column, every mark it shows (its lines split at " · ")."""
    return [[mark for line in lines for mark in line.split(" · ")] for lines in view.marks()]


def text_box(item: pg.TextItem) -> QRectF:
    """The scene box of an item's text, without the margins of its document."""
    margin = item.textItem.document().documentMargin()
    return item.textItem.sceneBoundingRect().adjusted(margin, margin, -margin, -margin)


def test_marks_name_each_mechanism_at_exactly_the_layers_that_have_it(qtbot):
    doc, view = network_view(qtbot, family())
    assert marks_of(view) == [["noise σ 0.3"], ["‖w‖ ≤ 3", "BN", "noise σ 0.1"], ["‖w‖ ≤ 4"], []]
    shown = [item for items in view._marks for item in items if item.toPlainText()]
    assert all(item.isVisible() and item.toolTip() for item in shown)  # hovering a mark says what it does
    tips = {line: item.toolTip() for item, line in ((i, i.toPlainText()) for i in shown)}
    assert "MaxNorm(4, axis=0)" in tips["‖w‖ ≤ 4"]
    assert "the inputs as the network sees them" in tips["noise σ 0.3"]

    doc.edit("Batch norm", lambda e: setattr(e.network.hidden[0], "batch_norm", False))
    doc.edit("Noise", lambda e: setattr(e.network.hidden[1], "noise", 0.2))
    doc.edit("Max-norm", lambda e: setattr(e.network.hidden[1], "max_norm", None))
    assert marks_of(view) == [["noise σ 0.3"], ["‖w‖ ≤ 3", "noise σ 0.1"], ["noise σ 0.2"], []]


def test_a_live_change_of_sigma_or_c_rewrites_its_mark_without_new_items(qtbot):
    doc, view = network_view(qtbot, family())
    n_items = len(view.canvas.scene().items())
    with qtbot.waitSignal(doc.spec_changed) as blocker:
        doc.edit("Noise", lambda e: edits.set_field(e, 0, "noise", 0.25))
    assert blocker.args == ["live"]
    doc.edit("Max-norm", lambda e: setattr(e.network.hidden[1], "max_norm", 2.5))
    assert marks_of(view)[1:3] == [["‖w‖ ≤ 3", "BN", "noise σ 0.25"], ["‖w‖ ≤ 2.5"]]
    assert len(view.canvas.scene().items()) == n_items


@pytest.mark.parametrize("size", NETWORK_SIZES)
def test_marks_are_small_legible_and_overlap_nothing(qtbot, size):
    doc, view = network_view(qtbot, family(), size)
    view.show_snapshot(gaussian_snapshot(doc.exp))
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(SHOTS / f"network_family_{size[0]}x{size[1]}.png"))
    marks = [item for items in view._marks for item in items if item.toPlainText()]
    assert len(marks) >= 3
    height = text_box(marks[0]).height()
    assert 10 <= height < text_box(view._dropout_labels[0]).height()  # a step below the labels, still legible
    radius = view._neurons.opts["size"] / 2
    neurons = [QRectF(x - radius, y - radius, 2 * radius, 2 * radius)
               for column in view.neuron_positions() for x, y in column]
    labels = [*view._dropout_labels, *view._more, *(title for pair in view._titles for title in pair)]
    others = neurons + [text_box(item) for item in labels if item.toPlainText()]
    canvas = view._vb.sceneBoundingRect()
    boxes = [text_box(item).adjusted(1, 1, -1, -1) for item in marks]  # neighbouring lines touch
    for i, box in enumerate(boxes):
        assert canvas.contains(box), (marks[i].toPlainText(), box, canvas)
        assert not any(box.intersects(other) for other in others + boxes[i + 1:]), marks[i].toPlainText()


def test_without_the_family_there_are_no_marks_and_dropout_is_crossed_out(qtbot):
    exp = fakes.experiment()  # dropout 0.5 on hidden 2, inverted
    doc, view = network_view(qtbot, exp)
    assert view.marks() == [[], [], [], []]
    snap = fakes.snapshot(exp, 3, seed=2)
    view.show_snapshot(snap)
    assert view.mask_caption.text() == MASK_CAPTION
    dropped = snap.layers[1].dropped[: len(view.neuron_positions()[2])]
    assert dropped.any() and view.dropped_drawn_count() == int(dropped.sum())
    fills = view.neuron_fills()[2]
    assert [fill == NEURON for fill in fills] == list(~dropped)


def test_classic_dropout_keeps_the_mask_caption(qtbot):
    doc, view = network_view(qtbot, family("classic"))
    assert view.mask_caption.text() == MASK_CAPTION and "crossed-out" in view.mask_caption.toolTip()


def test_gaussian_dropout_fills_each_unit_by_its_factor_and_crosses_none(qtbot):
    doc, view = network_view(qtbot, family("gaussian"))
    snap = gaussian_snapshot(doc.exp)
    view.show_snapshot(snap)
    assert view.mask_caption.isVisible() and view.mask_caption.text() == GAUSSIAN_CAPTION_KEY
    assert view.mask_caption.text().startswith(GAUSSIAN_CAPTION)
    assert view.dropped_drawn_count() == 0 and len(view._crosses.data) == 0
    fills, drawn = view.neuron_fills(), [len(column) for column in view.neuron_positions()]
    factors = [snap.input_dropout_factors, *(layer.dropout_factors for layer in snap.layers[:-1])]
    for c, factor in enumerate(factors):
        assert fills[c] == [factor_colour(f) for f in factor[: drawn[c]]]
    assert len(set(fills[2])) > 2  # p = 0.5: the factors spread, and so do the fills
    assert fills[3] == [NEURON]  # the output layer has no dropout


def test_a_factor_s_fill_runs_from_white_through_the_usual_fill_to_black_and_orange_below_0():
    assert factor_colour(0.0) == PAPER and factor_colour(1.0) == NEURON
    assert factor_colour(2.0) == factor_colour(7.5) == DARKEST and factor_colour(-0.01) == ORANGE
    middle = factor_colour(0.5)
    assert all(min(a, b) <= m <= max(a, b) for a, b, m in zip(PAPER, NEURON, middle, strict=True))


def test_marks_pack_into_as_few_lines_as_the_room_holds():
    def width(text: str) -> float:
        return 10.0 * len(text)

    assert pack(["‖w‖ ≤ 3", "BN", "noise σ 0.1"], 1000, width) == ["‖w‖ ≤ 3 · BN · noise σ 0.1"]
    assert pack(["‖w‖ ≤ 3", "BN", "noise σ 0.1"], 120, width) == ["‖w‖ ≤ 3 · BN", "noise σ 0.1"]
    assert pack(["noise σ 0.1"], 50, width) == ["noise σ 0.1"]  # wider than the room: a line of its own
    assert pack([], 100, width) == []


# ---------------------------------------------------------------- the weights view


def with_max_norm(snap, limits: list[float | None]):
    """``snap`` with each layer's kernel held to its max-norm c (as Keras' MaxNorm does after a step) and the
    engine's unit norms and c."""
    layers = []
    for layer, c in zip(snap.layers, limits, strict=True):
        kernel = 3 * layer.kernel
        norms = np.sqrt((kernel.astype(np.float64) ** 2).sum(axis=0))
        if c is not None:
            kernel = (kernel * np.minimum(1.0, c / norms)).astype(np.float32)
            norms = np.sqrt((kernel.astype(np.float64) ** 2).sum(axis=0))
        layers.append(replace(layer, kernel=kernel, unit_norms=norms, max_norm=c))
    return replace(snap, layers=layers)


@pytest.fixture
def weights(qtbot):
    view = WeightsView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_unit_norms_are_drawn_as_the_snapshot_has_them_with_a_line_at_c(weights):
    exp = fakes.experiment()
    snap = with_max_norm(fakes.snapshot(exp, 2), [3.0, None, None])
    assert np.isclose(snap.layers[0].unit_norms.max(), 3.0)  # some unit is held at c
    weights.show_snapshot(snap)
    for i, layer in enumerate(snap.layers):
        np.testing.assert_array_equal(weights.unit_norm_heights(i), layer.unit_norms)
    assert [weights.max_norm_line(i) for i in range(3)] == [3.0, None, None]
    low, high = weights._layers[0].norms.plot.getViewBox().viewRange()[1]
    assert low == 0 and high > 3.0  # the line and every bar in view
    assert weights.captions()[2] in norm_captions([3.0]) and "c = 3" in weights.captions()[2]
    np.testing.assert_array_equal(weights.histogram_heights(1), snap.layers[1].histogram)  # the histograms as ever


def test_a_live_c_moves_the_line_and_renames_the_caption(weights, qtbot):
    exp = fakes.experiment()
    weights.show_snapshot(with_max_norm(fakes.snapshot(exp, 2), [3.0, 3.0, None]))
    n_items = len(weights.graphics.scene().items())
    weights.show_snapshot(with_max_norm(fakes.snapshot(exp, 3), [2.0, 3.0, None]))
    assert [weights.max_norm_line(i) for i in range(3)] == [2.0, 3.0, None]
    qtbot.waitUntil(lambda: "each layer" in weights.captions()[2])
    for epoch in range(4, 24):
        weights.show_snapshot(with_max_norm(fakes.snapshot(exp, epoch), [2.0, 3.0, None]))
    assert len(weights.graphics.scene().items()) == n_items  # a frame sets data, it makes no items


def test_unit_norms_show_only_while_a_layer_has_max_norm(weights, qtbot):
    exp = fakes.experiment()
    weights.show_snapshot(fakes.snapshot(exp, 1))  # no max-norm anywhere
    assert [weights.unit_norm_heights(i) for i in range(3)] == [None] * 3
    assert len(weights.captions()) == 2
    weights.clear()
    weights.show_snapshot(with_max_norm(fakes.snapshot(exp, 1), [None, 4.0, None]))  # the next run has one
    assert weights.max_norm_line(1) == 4.0 and len(weights.captions()) == 3
    plot = weights._layers[1].norms.plot
    assert plot.scene() is weights.graphics.scene()
    weights.clear()
    weights.show_snapshot(fakes.snapshot(exp, 1))
    assert len(weights.captions()) == 2 and plot.scene() is None  # out of the grid again
    np.testing.assert_array_equal(weights.histogram_heights(0), fakes.snapshot(exp, 1).layers[0].histogram)


@pytest.mark.parametrize("size", [(371, 260), (364, 329), (900, 600)])
def test_the_weights_view_with_unit_norms_keeps_every_text_apart(weights, qtbot, size):
    from screen_layout_probe import outside, overlaps

    exp = fakes.experiment()
    for hidden in exp.network.hidden:
        hidden.units = 16
    weights.resize(*size)
    for epoch in range(1, 6):
        weights.show_snapshot(with_max_norm(fakes.snapshot(exp, epoch), [3.0, 3.0, None]))
    qtbot.wait(50)
    SHOTS.mkdir(parents=True, exist_ok=True)
    weights.grab().save(str(SHOTS / f"weights_family_{size[0]}x{size[1]}.png"))
    boxes = weights.text_boxes()
    assert any(text == "3" for text, _ in boxes) or size[1] < 300  # c on the axis where there is room for it
    assert overlaps(boxes) == [] and outside(weights.graphics, boxes) == []
    grid, port = weights.graphics.ci.geometry(), weights.graphics.viewport()
    assert grid.height() <= port.height() + 2 and grid.width() <= port.width() + 2  # nothing laid out past the edge


# ---------------------------------------------------------------- a real snapshot from the engine


def test_the_views_draw_a_real_snapshot_of_every_mechanism(qtbot, weights):
    from engine.training.trainer import Trainer

    exp = family("gaussian")
    exp.data.samples = 100
    snap = Trainer(exp).step()
    doc, view = network_view(qtbot, exp)
    view.show_snapshot(snap)
    assert view.dropped_drawn_count() == 0
    drawn = [len(column) for column in view.neuron_positions()]
    assert view.neuron_fills()[2] == [factor_colour(f) for f in snap.layers[1].dropout_factors[: drawn[2]]]
    weights.show_snapshot(snap)
    assert [weights.max_norm_line(i) for i in range(3)] == [3.0, 4.0, None]
    for i, layer in enumerate(snap.layers):
        np.testing.assert_allclose(weights.unit_norm_heights(i), np.linalg.norm(layer.kernel, axis=0), rtol=1e-5)
