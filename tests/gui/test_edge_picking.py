"""Picking the loss landscape's two weights by clicking edges in the network view (gui/live/edge_picking.py): real
mouse clicks at points computed from the drawn neurons, the weight each picks, the experiment's pair, the marks."""

from __future__ import annotations

import fakes
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from engine.spec import LandscapeChoice, WeightRef
from gui.document import ExperimentDocument
from gui.live.edge_picking import TIP, TOLERANCE_PX
from gui.live.network_view import NetworkView


@pytest.fixture
def view(qtbot):
    exp = fakes.experiment()  # 2 inputs, hidden 8 and 6, one output
    doc = ExperimentDocument(exp)
    v = NetworkView(doc)
    qtbot.addWidget(v)
    v.set_shape(2, 1)
    v.resize(900, 520)
    v.show()
    qtbot.waitExposed(v)
    qtbot.waitUntil(lambda: len(v.neuron_positions()) == 4)
    v.show_snapshot(fakes.snapshot(exp))
    yield v
    doc.deleteLater()


def click_at(qtbot, view, point) -> None:
    pos = view.canvas.mapFromScene(QPointF(*point))
    qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def edges(view) -> dict[WeightRef, tuple[np.ndarray, np.ndarray]]:
    """Every drawn edge, by its weight: (start, end) in scene pixels, from the drawn neurons."""
    cols = view.neuron_positions()
    return {WeightRef(layer, r, c): (a[r], b[c]) for layer, (a, b) in enumerate(zip(cols[:-1], cols[1:], strict=True))
            for r in range(len(a)) for c in range(len(b))}


def distance(point, start, end) -> float:
    step = end - start
    t = np.clip(np.dot(point - start, step) / np.dot(step, step), 0, 1)
    return float(np.hypot(*(start + t * step - point)))


def lone_midpoints(view) -> dict[WeightRef, np.ndarray]:
    """The edges whose middle no other edge passes near (where edges cross, the one drawn on top wins)."""
    all_edges, out = edges(view), {}
    for weight, (start, end) in all_edges.items():
        mid = (start + end) / 2
        if all(distance(mid, *other) > TOLERANCE_PX + 2 for w, other in all_edges.items() if w != weight):
            out[weight] = mid
    return out


def test_clicking_an_edges_middle_picks_that_weight_and_two_make_the_pair(view, qtbot):
    picking, chosen = view.edge_picking, []
    picking.pair_chosen.connect(chosen.append)
    picking.set_active(True)
    assert view.canvas.toolTip() == TIP
    lone = lone_midpoints(view)
    assert {w.layer for w in lone} == {0, 1, 2}  # every layer has some: the test reaches each
    for weight, mid in lone.items():
        assert picking.weight_at(QPointF(*mid)) == weight
    a, b = sorted(lone, key=lambda w: (w.layer, w.row, w.column))[0], sorted(lone, key=lambda w: -w.layer)[0]
    selected = view._doc.selected_layer
    click_at(qtbot, view, lone[a])
    assert picking.pending == a and chosen == [] and picking.marked() == [a]
    click_at(qtbot, view, lone[b])
    assert chosen == [(a, b)] and picking.pending is None
    assert view._doc.selected_layer == selected  # an edge click selects no layer


def test_where_edges_cross_the_one_drawn_on_top_wins(view):
    """Where two edges cross, the larger |w| is drawn on top (the strongest pens are drawn last): it is picked."""
    picking, kernel = view.edge_picking, view._snap.layers[1].kernel  # hidden 1 (8) → hidden 2 (6)
    picking.set_active(True)
    all_edges = edges(view)
    (p0, p1), (q0, q1) = all_edges[WeightRef(1, 0, 5)], all_edges[WeightRef(1, 7, 0)]  # top → bottom, bottom → top
    t = np.linalg.solve(np.column_stack([p1 - p0, q0 - q1]), q0 - p0)[0]
    crossing = p0 + t * (p1 - p0)
    through = [w for w, e in all_edges.items() if distance(crossing, *e) <= 1.0]
    assert {WeightRef(1, 0, 5), WeightRef(1, 7, 0)} <= set(through)
    assert picking.weight_at(QPointF(*crossing)) == max(through, key=lambda w: abs(kernel[w.row, w.column]))


def test_a_neuron_or_empty_space_picks_nothing_and_a_neuron_still_selects_its_layer(view, qtbot):
    picking, chosen = view.edge_picking, []
    picking.pair_chosen.connect(chosen.append)
    picking.set_active(True)
    cols = view.neuron_positions()
    click_at(qtbot, view, cols[2][0])  # a neuron of hidden 2, where its edges end
    assert view._doc.selected_layer == 1 and picking.pending is None
    top_right = cols[-1][0] + np.array([40.0, -60.0])  # beside and above the output: no edge there
    assert min(distance(top_right, *e) for e in edges(view).values()) > 3 * TOLERANCE_PX
    assert picking.weight_at(QPointF(*top_right)) is None
    click_at(qtbot, view, top_right)
    assert picking.pending is None and chosen == []


def test_with_the_dock_hidden_an_edge_click_picks_nothing(view, qtbot):
    picking, chosen = view.edge_picking, []
    picking.pair_chosen.connect(chosen.append)
    weight, mid = next(iter(lone_midpoints(view).items()))
    click_at(qtbot, view, mid)
    assert picking.pending is None and chosen == [] and view.canvas.toolTip() == ""
    picking.set_active(True)
    click_at(qtbot, view, mid)
    assert picking.pending == weight
    picking.set_active(False)  # the dock hides: the half-made pair and the marks go
    assert picking.pending is None and picking.marked() == [] and len(picking.halo.getData()[0]) == 0


def test_clicked_edges_go_to_the_experiment_and_the_marks_follow_undo(window, qtbot):
    dock, view, doc = window.landscape, window.network_view, window.document
    dock.action.trigger()
    assert dock.shown and view.edge_picking.active
    lone = lone_midpoints(view)
    a, b = WeightRef(0, 0, 0), next(w for w in lone if w.layer == 1)
    assert a in lone
    click_at(qtbot, view, lone[a])
    assert doc.exp.landscape is None and "Click another edge for weight b" in window.statusBar().currentMessage()
    click_at(qtbot, view, lone[b])
    assert doc.exp.to_dict()["landscape"] == {"weights": f"0:0:0,{b.text}"}
    assert view.edge_picking.marked() == [a, b]
    halo_x, halo_y = view.edge_picking.halo.getData()
    assert np.allclose(np.column_stack([halo_x, halo_y]).reshape(2, 2, 2), view._seg[[0, view.edge_picking._index(b)]])
    assert [box.currentText() for box in dock.view.picker.boxes[0]] == ["in 1", "h1 unit 1"]
    doc.undo_stack.undo()
    assert doc.exp.landscape is None
    assert view.edge_picking.marked() != [a, b]  # back to the default pair, once the worker has drawn it
    qtbot.waitUntil(lambda: dock.view.drawn is not None and dock.view.drawn.asked is None, timeout=60000)
    drawn = [w for w in dock.view.drawn.pair if view.edge_picking._index(w) is not None]  # a small window: not all
    assert drawn and view.edge_picking.marked() == drawn
    doc.undo_stack.redo()
    assert doc.exp.landscape == LandscapeChoice((a, b)) and view.edge_picking.marked() == [a, b]
    dock.action.trigger()  # hidden: no marks, no picking
    assert view.edge_picking.marked() == []
    click_at(qtbot, view, lone[a])
    assert view.edge_picking.pending is None and doc.exp.landscape == LandscapeChoice((a, b))
