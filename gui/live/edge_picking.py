"""Picking the loss landscape's two weights by clicking edges in the network view (gui/live/network_view.py).

While the loss-landscape dock shows (gui/live/landscape_dock.py calls :meth:`EdgePicking.set_active`), a click
on a drawn edge picks that weight: the first click marks weight a (the landscape's horizontal axis), the second
weight b (its vertical axis), and the pair goes to the experiment as one undoable edit (``pair_chosen``, the same
edit the dock's boxes make). The click after that starts a new pair; clicking the marked edge again drops it.
A click on a neuron or away from every edge selects the layer, as without the dock.

Edges are thin: a click within TOLERANCE_PX (× zoom) of one counts, the nearest wins, and where edges cross (the
middle of an edge often is such a point) the one drawn on top wins: the largest |w| of the snapshot shown. Only
drawn edges can be picked (at most 32 units per column are drawn).

The pair is marked on the network by a wide purple band under each of its two edges and a letter "a" / "b" at the
edge's middle; the halo follows the experiment (an undo moves it back).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QFont, QPen

from engine.spec import WeightRef
from gui.live.landscape_names import weight_name
from gui.plotting.palette import PURPLE

TOLERANCE_PX = 5.0  # a click this close (× zoom) to an edge picks it
TIE_PX = 1.0  # edges this much farther than the nearest are as near (a crossing): the one on top wins
TIP = ("With the loss landscape shown: click an edge for weight a (horizontal axis), a second edge for weight b "
       "(vertical axis); the next click starts a new pair. Click a neuron to select its layer.")


class EdgePicking(QObject):
    """Hit-testing of the network view's drawn edges and the halo on the landscape's pair."""

    pair_chosen = Signal(object)  # two different WeightRefs: (a, b)
    message = Signal(str)  # what a click did, for the status bar

    def __init__(self, view) -> None:
        super().__init__(view)
        self._view = view  # a gui.live.network_view.NetworkView: its drawn columns, edges and view box
        self.active = False
        self.pending: WeightRef | None = None  # weight a, picked, waiting for b
        self.pair: tuple[WeightRef, WeightRef] | None = None  # the landscape's pair, as the experiment has it
        self.halo = pg.PlotCurveItem(connect="pairs", skipFiniteCheck=True, antialias=True)
        self.halo.setZValue(-1)  # under the edges (their colour stays readable), over the selected column's band
        self.letters = [pg.TextItem(name, color=PURPLE, anchor=(0.5, 1.1)) for name in ("a", "b")]
        for item in (self.halo, *self.letters):
            view._vb.addItem(item)
        for letter in self.letters:
            letter.setZValue(31)

    # ---------------------------------------------------------------- what the dock tells it
    def set_active(self, active: bool) -> None:
        """Clicks pick edges only while the landscape shows; hidden, the marks go too."""
        self.active = active
        if not active:
            self.pending = None
        self._view.canvas.setToolTip(TIP if active else "")
        self.place()

    def show_pair(self, pair: tuple[WeightRef, WeightRef] | None) -> None:
        """Mark ``pair`` (the experiment's pair, or the default pair drawn)."""
        self.pair = None if pair is None else tuple(pair)
        self.place()

    # ---------------------------------------------------------------- clicks
    def click(self, scene_pos) -> bool:
        """A left click at ``scene_pos``: True when it picked an edge (the view then selects no layer)."""
        weight = self.weight_at(scene_pos) if self.active else None
        if weight is None:
            return False
        if self.pending is None:
            self.pending = weight
            self.message.emit(f"Weight a: {self._name(weight)}. Click another edge for weight b.")
        elif weight == self.pending:
            self.pending = None
            self.message.emit("Weight a dropped: click an edge for weight a.")
        else:
            pair, self.pending = (self.pending, weight), None
            self.message.emit(f"Loss landscape over a = {self._name(pair[0])}, b = {self._name(pair[1])}.")
            self.pair_chosen.emit(pair)
        self.place()
        return True

    def weight_at(self, scene_pos) -> WeightRef | None:
        """The drawn edge under ``scene_pos`` (None on a neuron or away from every edge)."""
        view = self._view
        segments = view._seg
        if not len(view._columns) or not len(segments):
            return None
        point = view._vb.mapSceneToView(scene_pos)
        p = np.array([point.x(), point.y()])
        if np.min(np.hypot(*(np.concatenate(view._columns) - p).T)) <= view._size / 2:
            return None  # a neuron: its layer is selected
        distance = _distances(segments, p)
        near = np.flatnonzero(distance <= TOLERANCE_PX * view._zoom)
        if not len(near):
            return None
        near = near[distance[near] <= distance[near].min() + TIE_PX]
        strength = self._strengths()
        index = int(near[np.argmax(strength[near])]) if strength is not None else int(near[np.argmin(distance[near])])
        return self._weight(index)

    # ---------------------------------------------------------------- drawing the marks
    def place(self) -> None:
        """The halo and letters on the current layout (after a click, a new pair, a resize or a new structure)."""
        view = self._view
        if self.pending is not None and self._index(self.pending) is None:
            self.pending = None  # the structure changed under it
        indices = [self._index(w) for w in self._shown()]
        xs, ys = [], []
        for letter, index in zip(self.letters, [*indices, None, None], strict=False):
            letter.setVisible(index is not None)
            if index is not None:
                (x0, y0), (x1, y1) = view._seg[index]
                letter.setPos((x0 + x1) / 2, (y0 + y1) / 2)
                xs += [x0, x1]
                ys += [y0, y1]
        z = view._zoom
        pen = QPen(QColor(*PURPLE, 150), 8 * z)
        pen.setCosmetic(True)
        self.halo.setPen(pen)
        self.halo.setData(x=np.array(xs, float), y=np.array(ys, float), connect="pairs")
        font = QFont()
        font.setPixelSize(round(15 * z))
        font.setBold(True)
        for letter in self.letters:
            letter.setFont(font)

    def marked(self) -> list[WeightRef]:
        """The weights marked on the network now: the pending a alone, or the pair (those of it drawn)."""
        return [w for w in self._shown() if self._index(w) is not None]

    def _shown(self) -> list[WeightRef]:
        if not self.active:
            return []
        return [self.pending] if self.pending is not None else list(self.pair or ())

    # ---------------------------------------------------------------- edges ↔ weights
    def _drawn(self) -> list[int]:
        return [len(column) for column in self._view._columns]

    def _weight(self, index: int) -> WeightRef:
        """The edge at ``index`` of the view's edges (layer by layer, source-major like kernel[:a, :b].ravel())."""
        drawn = self._drawn()
        for layer, (a, b) in enumerate(zip(drawn[:-1], drawn[1:], strict=True)):
            if index < a * b:
                return WeightRef(layer, index // b, index % b)
            index -= a * b
        raise IndexError(index)

    def _index(self, weight: WeightRef) -> int | None:
        """Where ``weight`` is among the drawn edges; None when it is not drawn (or not in the network)."""
        drawn = self._drawn()
        if weight.layer >= len(drawn) - 1:
            return None
        a, b = drawn[weight.layer], drawn[weight.layer + 1]
        if weight.row >= a or weight.column >= b:
            return None
        offset = sum(m * n for m, n in zip(drawn[:weight.layer], drawn[1:weight.layer + 1], strict=True))
        return offset + weight.row * b + weight.column

    def _strengths(self) -> np.ndarray | None:
        """|w| of every drawn edge in the snapshot shown (None before one)."""
        view = self._view
        snap = view._snap if view._snap is not None and view._fits(view._snap) else None
        if snap is None:
            return None
        drawn = self._drawn()
        return np.concatenate([np.abs(np.nan_to_num(layer.kernel[:a, :b])).ravel()
                               for layer, a, b in zip(snap.layers, drawn[:-1], drawn[1:], strict=True)])

    def _name(self, weight: WeightRef) -> str:
        """As the landscape's axis names it: "w[in 1 → h1 unit 3]"."""
        view = self._view
        return weight_name(weight, len(view._doc.exp.network.hidden), view.feature_use._names, view._n_outputs)


def _distances(segments: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The distance from ``p`` to each segment (n, 2, 2) (start, end) × (x, y)."""
    start, step = segments[:, 0], segments[:, 1] - segments[:, 0]
    length2 = np.maximum(np.einsum("ij,ij->i", step, step), 1e-12)
    t = np.clip(np.einsum("ij,ij->i", p - start, step) / length2, 0.0, 1.0)
    return np.hypot(*(start + t[:, None] * step - p).T)

