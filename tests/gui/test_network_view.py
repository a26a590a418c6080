"""The network view: dropped neurons drawn as dropped, edges coloured by sign, few items, clicks and buttons edit."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QKeySequence
from PySide6.QtWidgets import QToolButton

from engine.spec import HiddenLayer
from gui import edits
from gui.document import INPUT_LAYER, OUTPUT_LAYER, ExperimentDocument
from gui.live.network_view import EDGE_LEVELS, MAX_DRAWN, NEURON, NetworkView
from gui.plotting.palette import BLUE, ORANGE
from tests.gui import fakes

# the offscreen platform warns when a top-level window is shown; that is not this widget's doing
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

SHOTS = Path("/tmp/reglab_shots")


def make_view(qtbot, exp=None, n_features=2, n_outputs=1, names=None, size=(900, 520)):
    exp = exp or fakes.experiment()
    doc = ExperimentDocument(exp)
    view = NetworkView(doc)
    qtbot.addWidget(view)
    view.set_shape(n_features, n_outputs, names)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: len(view.neuron_positions()) == len(doc.exp.network.hidden) + 2)
    return doc, view


def dropout_experiment():
    exp = fakes.experiment()
    exp.network.input_dropout = 0.5
    return exp


def drawn_masks(view, snap):
    """The snapshot's dropout masks cut to the neurons the view draws (inputs, hidden…, output)."""
    drawn = [len(col) for col in view.neuron_positions()]
    raw = [snap.input_dropped, *(layer.dropped for layer in snap.layers[:-1]), None]
    return [np.zeros(n, bool) if m is None else np.asarray(m, bool)[:n] for m, n in zip(raw, drawn, strict=True)]


def segments(item: pg.PlotCurveItem) -> np.ndarray:
    x, y = item.getData()
    if x is None or len(x) == 0:
        return np.empty((0, 2, 2))
    return np.stack([x, y], axis=1).reshape(-1, 2, 2)


def texts(view) -> list[str]:
    items = view.canvas.scene().items()
    return [i.toPlainText() for i in items if isinstance(i, pg.TextItem) and i.isVisible() and i.toPlainText()]


def test_dropped_neurons_drawn_equal_the_masks(qtbot):
    doc, view = make_view(qtbot, dropout_experiment())
    snap = fakes.snapshot(doc.exp, epoch=3, seed=2)
    hidden = [la.dropped for la in snap.layers if la.dropped is not None]
    expected = int(snap.input_dropped.sum()) + sum(int(m.sum()) for m in hidden)
    assert expected > 0 and snap.input_dropped.any()  # the fake masks drop inputs and hidden units here
    view.show_snapshot(snap)
    assert view.dropped_drawn_count() == expected
    assert len(view._crosses.data) == expected  # one cross per dropped neuron
    view.clear_snapshot()
    assert view.dropped_drawn_count() == 0
    assert len(view._crosses.data) == 0


def test_edges_follow_kernel_signs_and_strength(qtbot):
    doc, view = make_view(qtbot, dropout_experiment())
    snap = fakes.snapshot(doc.exp, epoch=3, seed=2)
    view.show_snapshot(snap)
    cols, masks = view.neuron_positions(), drawn_masks(view, snap)
    positive = negative = 0
    for layer, src, a, b in zip(snap.layers, masks, cols[:-1], cols[1:], strict=False):
        live = layer.kernel[: len(a), : len(b)][~src]  # a dropped neuron's outgoing edges carry nothing
        positive += int((live >= 0).sum())
        negative += int((live < 0).sum())
    pos_items, neg_items = view._edges["positive"], view._edges["negative"]
    assert sum(len(segments(i)) for i in pos_items) == positive
    assert sum(len(segments(i)) for i in neg_items) == negative
    n_edges = sum(len(a) * len(b) for a, b in zip(cols[:-1], cols[1:], strict=False))
    assert len(segments(view._neutral)) == n_edges - positive - negative
    for items, rgb in ((pos_items, BLUE), (neg_items, ORANGE)):
        pens = [i.opts["pen"] for i in items]
        assert all(p.color().getRgb()[:3] == rgb for p in pens)
        widths = [p.widthF() for p in pens]
        alphas = [p.color().alpha() * i.opacity() for p, i in zip(pens, items, strict=True)]  # faint edges: layers
        assert widths == sorted(widths) and widths[0] < widths[-1]
        assert alphas == sorted(alphas) and alphas[0] < alphas[-1]
    # the strongest weight of the output layer is drawn in the boldest bucket of its sign
    out = snap.layers[-1].kernel
    i, j = np.unravel_index(np.argmax(np.abs(out)), out.shape)
    if not masks[-2][i]:
        strongest = view._edges["positive" if out[i, j] >= 0 else "negative"][EDGE_LEVELS - 1]
        seg = segments(strongest)
        view_pts = [np.array([p.x(), p.y()]) for p in (view._vb.mapSceneToView(QPointF(*cols[-2][i])),
                                                       view._vb.mapSceneToView(QPointF(*cols[-1][j])))]
        assert any(np.allclose(s, view_pts, atol=1e-6) for s in seg)


def test_before_a_snapshot_and_after_clear_edges_are_neutral(qtbot):
    doc, view = make_view(qtbot)
    cols = view.neuron_positions()
    n_edges = sum(len(a) * len(b) for a, b in zip(cols[:-1], cols[1:], strict=False))
    assert len(segments(view._neutral)) == n_edges == 2 * 8 + 8 * 6 + 6 * 1
    assert all(len(segments(i)) == 0 for i in view._edges["positive"] + view._edges["negative"])
    view.show_snapshot(fakes.snapshot(doc.exp, 1))
    assert sum(len(segments(i)) for i in view._edges["positive"] + view._edges["negative"]) > 0
    view.clear_snapshot()
    assert len(segments(view._neutral)) == n_edges
    assert all(len(segments(i)) == 0 for i in view._edges["positive"] + view._edges["negative"])


def test_snapshot_of_another_shape_is_not_drawn(qtbot):
    doc, view = make_view(qtbot)
    view.show_snapshot(fakes.snapshot(doc.exp, 1, n_features=3))  # e.g. from before a data set change
    assert all(len(segments(i)) == 0 for i in view._edges["positive"] + view._edges["negative"])
    assert view.dropped_drawn_count() == 0


def test_diverged_weights_still_draw(qtbot):
    doc, view = make_view(qtbot)
    snap = fakes.snapshot(doc.exp, 1)
    snap.layers[0].kernel[0, :3] = [np.nan, np.inf, -np.inf]
    view.show_snapshot(snap)
    cols = view.neuron_positions()
    n_edges = sum(len(a) * len(b) for a, b in zip(cols[:-1], cols[1:], strict=False))
    assert sum(len(segments(i)) for i in [view._neutral, *view._edges["positive"], *view._edges["negative"]]) == n_edges


def test_wide_layer_draws_at_most_32_neurons(qtbot):
    exp = fakes.experiment()
    exp.network.hidden = [HiddenLayer(512, "relu", 0.5), HiddenLayer(64, "tanh", 0.2)]
    start = time.perf_counter()
    doc, view = make_view(qtbot, exp, n_features=64, n_outputs=10)
    snap = fakes.snapshot(doc.exp, 1, n_features=64, n_outputs=10)
    view.show_snapshot(snap)
    view.grab()
    assert time.perf_counter() - start < 10  # it renders (well under a second here), it does not freeze
    cols = view.neuron_positions()
    assert [len(c) <= MAX_DRAWN for c in cols] == [True] * 4
    assert len(cols[-1]) == 10
    n_edges = sum(len(a) * len(b) for a, b in zip(cols[:-1], cols[1:], strict=False))
    drawn_edges = sum(len(segments(i)) for i in [view._neutral, *view._edges["positive"], *view._edges["negative"]])
    assert drawn_edges == n_edges <= 3 * MAX_DRAWN**2
    assert view.dropped_drawn_count() == sum(int(m.sum()) for m in drawn_masks(view, snap))
    labels = texts(view)
    assert "… 512 units" in labels and "… 64 units" in labels and "… 64" in labels  # the bars beside list the 64
    curves = [i for i in view.canvas.scene().items() if isinstance(i, pg.PlotCurveItem | pg.ScatterPlotItem)]
    # edges by sign and strength, grey edges, neurons, crosses, the loss landscape pair's band (edge_picking.py)
    assert len(curves) == 2 * EDGE_LEVELS + 1 + 2 + 1


def test_neurons_are_at_least_14_px_and_grow_with_zoom(qtbot):
    exp = fakes.experiment()
    exp.network.hidden = [HiddenLayer(512)]
    doc, view = make_view(qtbot, exp)
    assert view._neurons.opts["size"] >= 14
    view.set_zoom(2.0)
    assert view._neurons.opts["size"] >= 28
    cols = view.neuron_positions()
    assert all(np.all(np.diff(c[:, 1]) >= 28) for c in cols if len(c) > 1)  # bigger, and still apart


def test_clicking_a_column_selects_its_layer(qtbot):
    doc, view = make_view(qtbot)
    assert doc.selected_layer == 0
    viewport = view.canvas.viewport()

    def click(column: int, neuron: int) -> None:
        x, y = view.neuron_positions()[column][neuron]
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=view.canvas.mapFromScene(QPointF(x, y)))

    with qtbot.waitSignal(doc.selection_changed):
        click(2, 3)
    assert doc.selected_layer == 1
    click(0, 1)
    assert doc.selected_layer == INPUT_LAYER
    click(3, 0)  # the output layer: its regularizers show in the inspector
    assert doc.selected_layer == OUTPUT_LAYER


def buttons(view) -> dict[str, QToolButton]:
    return {b.text(): b for b in view.findChildren(QToolButton)}


def test_add_layer_button_edits_through_the_document_and_undoes(qtbot):
    doc, view = make_view(qtbot)
    before = doc.exp.copy()
    with qtbot.waitSignal(doc.spec_changed) as blocker:
        qtbot.mouseClick(buttons(view)["+ layer"], Qt.MouseButton.LeftButton)
    assert blocker.args == ["structural"]
    assert [h.units for h in doc.exp.network.hidden] == [8, 8, 6]
    assert doc.selected_layer == 1  # the new layer
    assert len(view.neuron_positions()) == 5
    assert "hidden 3" in texts(view)
    doc.undo_stack.undo()
    assert doc.exp == before
    assert len(view.neuron_positions()) == 4


def test_unit_and_remove_buttons_act_on_the_selected_layer(qtbot):
    doc, view = make_view(qtbot)
    b = buttons(view)
    doc.select_layer(1)
    qtbot.mouseClick(b["+ unit"], Qt.MouseButton.LeftButton)
    assert doc.exp.network.hidden[1].units == 7
    assert len(view.neuron_positions()[2]) == 7
    qtbot.mouseClick(b["− unit"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(b["− unit"], Qt.MouseButton.LeftButton)
    assert doc.exp.network.hidden[1].units == 5
    qtbot.mouseClick(b["− layer"], Qt.MouseButton.LeftButton)
    assert [h.units for h in doc.exp.network.hidden] == [8]
    doc.select_layer(INPUT_LAYER)
    assert not b["− layer"].isEnabled() and not b["+ unit"].isEnabled() and b["+ layer"].isEnabled()
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert doc.exp == fakes.experiment()


def test_actions_have_shortcuts_for_the_window(qtbot):
    doc, view = make_view(qtbot)
    actions = {a.text(): a for a in view.actions()}
    assert {name: a.shortcut().toString() for name, a in actions.items()} == {
        "Add layer": "Ctrl+L", "Remove layer": "Ctrl+Shift+L", "Add unit": "Ctrl+=", "Remove unit": "Ctrl+-"}
    assert all(a.shortcutContext() == Qt.ShortcutContext.WindowShortcut for a in actions.values())
    assert all(a.toolTip() for a in actions.values())
    assert QKeySequence("Ctrl+L") in actions["Add layer"].shortcuts()
    actions["Add unit"].trigger()
    assert doc.exp.network.hidden[0].units == 9


def test_live_change_updates_dropout_labels_only(qtbot):
    doc, view = make_view(qtbot)
    assert "dropout 0.5" in texts(view) and "dropout 0.3" not in texts(view)
    positions = view.neuron_positions()
    n_items = len(view.canvas.scene().items())
    with qtbot.waitSignal(doc.spec_changed) as blocker:
        doc.edit("Dropout", lambda e: edits.set_field(e, 0, "dropout", 0.3))
    assert blocker.args == ["live"]
    assert "dropout 0.3" in texts(view) and "dropout 0.5" in texts(view)
    doc.edit("Input dropout", lambda e: edits.set_field(e, INPUT_LAYER, "dropout", 0.2))
    assert "dropout 0.2" in texts(view)
    assert len(view.canvas.scene().items()) == n_items
    assert all(np.array_equal(a, b) for a, b in zip(positions, view.neuron_positions(), strict=True))


def test_no_items_created_per_snapshot_and_repeats_are_skipped(qtbot, monkeypatch):
    doc, view = make_view(qtbot, dropout_experiment())
    snaps = [fakes.snapshot(doc.exp, epoch) for epoch in range(1, 101)]
    view.show_snapshot(snaps[0])
    qtbot.wait(10)
    before = len(view.canvas.scene().items())
    for i, snap in enumerate(snaps):
        view.show_snapshot(snap)
        if i % 10 == 0:
            view.canvas.viewport().repaint()
    qtbot.wait(10)
    assert len(view.canvas.scene().items()) == before
    calls = []
    monkeypatch.setattr(view._neurons, "setData", lambda *a, **k: calls.append(a))
    view.show_snapshot(snaps[-1])
    assert calls == []


def colour_pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)


def test_grab_shows_the_network(qtbot, tmp_path):
    doc, view = make_view(qtbot, dropout_experiment(), names=["x1", "x2"])
    view.show_snapshot(fakes.snapshot(doc.exp, epoch=3, seed=2))
    pixmap = view.grab()
    assert pixmap.save(str(tmp_path / "network_view.png"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    pixmap.save(str(SHOTS / "network_view.png"))
    px = colour_pixels(pixmap.toImage())

    r, g, b = px[..., 0], px[..., 1], px[..., 2]
    blueish = int(((b > r + 60) & (b > g + 20)).sum())  # BLUE edges, blended onto white or not
    orangeish = int(((r > b + 80) & (r > g + 20)).sum())  # ORANGE edges
    neurons = int((np.abs(px - np.array(NEURON)).max(axis=2) < 10).sum())
    assert blueish > 300 and orangeish > 300 and neurons > 300
    assert len(np.unique(px.reshape(-1, 3), axis=0)) > 20
    assert QColor(*px[px.shape[0] - 2, px.shape[1] // 2]).lightness() > 200  # white paper


def test_the_drawn_mask_is_said_to_be_one_example_s_and_only_when_there_is_dropout(qtbot):
    exp = fakes.experiment()
    exp.network.input_dropout = 0.0
    for layer in exp.network.hidden:
        layer.dropout = 0.0
    doc, view = make_view(qtbot, exp)
    assert not view.mask_caption.isVisible()  # no dropout: no mask to explain
    doc.edit("Dropout", lambda e: setattr(e.network.hidden[0], "dropout", 0.3))
    assert view.mask_caption.isVisible()
    assert "one example" in view.mask_caption.text()
    tip = view.mask_caption.toolTip()
    assert "independently" in tip and "every example" in tip and "first example of the epoch's last" in tip
    view.resize(371, 261)  # a 1366 x 768 laptop with a lesson open: the caption is whole, on a line of its own
    qtbot.waitUntil(lambda: view.width() == 371)
    caption = view.mask_caption
    qtbot.waitUntil(lambda: caption.height() >= caption.heightForWidth(caption.width()))
    assert 0 <= caption.geometry().left() and caption.geometry().right() < view.width()
    doc.edit("Dropout", lambda e: setattr(e.network.hidden[0], "dropout", 0.0))
    assert not view.mask_caption.isVisible()
