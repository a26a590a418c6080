"""The network drawn live: columns of neurons, edges coloured by the sign of their weight, dropped neurons crossed out
(Gaussian dropout: each neuron filled by its factor, gui/live/dropout_drawing.py), and under each column the marks of
its max-norm constraint, batch norm and noise (gui/live/network_marks.py) above its dropout rate.

The view box maps one unit to one pixel, so sizes, margins and text are laid out in pixels. Every graphics item is
created once (labels when the structure changes); a snapshot only feeds new data to the same few items:

* one ``ScatterPlotItem`` for all neurons and one for the crosses on dropped neurons;
* ``2 × EDGE_LEVELS`` ``PlotCurveItem``s (sign × strength bucket, ``connect="pairs"``) for the weights, plus one
  grey item for edges that carry nothing: all edges before the first snapshot, then the outgoing edges of
  neurons that dropout switched off in that step.

The faint edges (the grey item and the weakest levels, most of the edges) are drawn as layers: an opaque pen into the
item's own pixmap, laid over the view at the edge's transparency (``setOpacity``). Qt draws a thin translucent line
pixel by pixel (~2 ms for 60 edges); opaque lines and a pixmap laid over are fast paths (the whole network in ~3 ms
instead of ~7). The picture is the same but where two faint edges of one item cross: no darker than the edges.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QFontMetricsF, QKeySequence, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from engine.spec import MAX_HIDDEN_LAYERS, MAX_UNITS
from engine.training.snapshot import Snapshot
from gui import edits
from gui.document import INPUT_LAYER, OUTPUT_LAYER, ExperimentDocument
from gui.live.dropout_drawing import (
    CROSS,
    GAUSSIAN_CAPTION_KEY,
    GAUSSIAN_TIP,
    MASK_CAPTION,
    MASK_TIP,
    NEURON,  # noqa: F401 (the neurons' fill, as tests and other views know it)
    neuron_styles,
)
from gui.live.edge_picking import EdgePicking
from gui.live.feature_use import FeatureUse
from gui.live.network_marks import MARK_LINES, MARK_PX, column_labels, column_marks, mark_lines, place_marks
from gui.plotting.palette import BLUE, GREY, INK, ORANGE, PAPER
from gui.widgets import hint_label

MAX_DRAWN = 32  # neurons drawn per column; wider layers show the first 32 and say how many there are
EDGE_LEVELS = 4  # strength buckets per sign: |w| / max|w| of the layer
LAYERED_LEVELS = 2  # the weakest levels (most edges, the faintest pens) are drawn as layers (see above)


def _pen(rgb, alpha: int = 255, width: float = 1.0) -> QPen:
    pen = QPen(QColor(*rgb, alpha), width)
    pen.setCosmetic(True)
    return pen


class NetworkView(QWidget):
    def __init__(self, document: ExperimentDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self._doc = document
        self._n_features, self._n_outputs = 2, 1
        self._feature_names: list[str] | None = None
        self._zoom = 1.0
        self._snap: Snapshot | None = None  # the last snapshot given, drawn only if it fits the layout
        self._columns: list[np.ndarray] = []  # (drawn, 2) neuron positions per column, in pixels
        self._dropped: list[np.ndarray] = []  # bool per drawn neuron, per column
        self._factors: list[np.ndarray | None] = []  # Gaussian dropout's factor per drawn neuron, per column (or None)
        self._size = 18.0
        self._seg = np.empty((0, 2, 2))  # all drawn edges: (start, end) × (x, y)
        self._seg_src = np.empty(0, int)  # index of each edge's source neuron in the flat neuron list
        self._labels: list[pg.TextItem] = []
        # labels per column: (name, size + activation), "… 512 units", "dropout 0.2"; and the feature names
        self._titles: list[tuple[pg.TextItem, pg.TextItem]] = []
        self._more: list[pg.TextItem] = []
        self._dropout_labels: list[pg.TextItem] = []
        self._marks: list[list[pg.TextItem]] = []  # per column, MARK_LINES lines of marks ("‖w‖ ≤ 3 · BN")
        self._mark_texts: list[list[str]] = []  # the marks drawn, per column (a live change of σ or c redraws them)
        self._names: list[pg.TextItem] = []
        self._dx, self._compact, self._left = 1.0, False, 0.0

        self._actions = self._make_actions()
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        self._buttons = []
        for action in self._actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            bar.addWidget(button)
            self._buttons.append(button)
        self._button_pt = self.font().pointSizeF() if self.font().pointSizeF() > 0 else 9.0
        bar.addStretch(1)
        # Its own line under the buttons: beside them it would be cut off in a narrow view (a laptop, a lesson open).
        self.mask_caption = hint_label(MASK_CAPTION)
        self.mask_caption.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.mask_caption.setToolTip(MASK_TIP)

        self.canvas = pg.GraphicsLayoutWidget(self)
        self.canvas.setBackground(PAPER)
        self.canvas.ci.setContentsMargins(0, 0, 0, 0)
        # column 0: the feature-use bars (gui/live/feature_use.py), when the data has more than two features
        self._vb = self.canvas.addViewBox(row=0, col=1, enableMouse=False, enableMenu=False, invertY=True)
        self._vb.disableAutoRange()
        self.feature_use = FeatureUse(self.canvas)  # inputs sized by Σ|w|, bars beside, caption under
        self._highlight = QGraphicsPathItem()
        self._highlight.setBrush(QBrush(QColor(*INK, 14)))
        self._highlight.setPen(_pen(INK, 70, 1.0))
        self._neutral = pg.PlotCurveItem(connect="pairs", skipFiniteCheck=True)
        # Antialiased wide lines are Qt's slow path (21 ms a frame for a 2-24-24-1 network, 7 ms without):
        # only the strongest level, the few thickest edges, is smoothed.
        self._edges = {sign: [pg.PlotCurveItem(connect="pairs", skipFiniteCheck=True,
                                               antialias=level == EDGE_LEVELS - 1)
                              for level in range(EDGE_LEVELS)] for sign in ("positive", "negative")}
        self._neurons = pg.ScatterPlotItem(pxMode=True, symbol="o")
        self._crosses = pg.ScatterPlotItem(pxMode=True, symbol="x", pen=pg.mkPen(None), brush=pg.mkBrush(CROSS))
        # z order: highlight, grey edges, weak … strong edges, neurons, crosses (labels are at 30)
        for z, item in [(-10, self._highlight), (0, self._neutral), (20, self._neurons), (21, self._crosses)]:
            item.setZValue(z)
            self._vb.addItem(item)
        for level in range(EDGE_LEVELS):
            for sign in self._edges:
                self._edges[sign][level].setZValue(1 + level)
                self._vb.addItem(self._edges[sign][level])
        for item in self._layered():
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._style_edges()
        self.edge_picking = EdgePicking(self)  # the loss landscape's two weights, clicked while its dock shows

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addLayout(self.feature_use.caption_row(self.mask_caption))
        layout.addWidget(self.canvas, 1)
        self.setMinimumSize(320, 150)  # low enough to share the height with a study below

        self.canvas.scene().sigMouseClicked.connect(self._on_click)
        self._vb.sigResized.connect(self._place)
        document.spec_changed.connect(self._on_spec_changed)
        document.selection_changed.connect(self._on_selection_changed)
        self._rebuild()

    # ------------------------------------------------------------------ public API
    def set_shape(self, n_features: int, n_outputs: int, feature_names: list[str] | None = None) -> None:
        """The data set's number of input features and outputs (and the features' names)."""
        if (key := (n_features, n_outputs, list(feature_names or []))) == getattr(self, "_shape", None):
            return  # the same data again (a new run, or the shape drawn before the data came): nothing to redraw
        self._shape = key
        self._n_features, self._n_outputs = max(1, n_features), max(1, n_outputs)
        self.feature_use.set_features(self._n_features, feature_names)  # with bars, they name the features
        self._feature_names = list(feature_names) if feature_names and not self.feature_use.bars_shown() else None
        self._rebuild()

    def show_snapshot(self, snap: Snapshot | None) -> None:
        """Draw the weights and dropout masks of ``snap``; the same object again costs nothing."""
        if snap is self._snap:
            return
        self._snap = snap
        self._draw_snapshot()

    def clear_snapshot(self) -> None:
        """Back to neutral grey edges and no dropped marks (after a reset)."""
        self._snap = None
        self._draw_snapshot()

    def set_zoom(self, factor: float) -> None:
        """Scale neurons, text and lines (1 = normal, 1.5–2 for a projector)."""
        self._zoom = max(0.5, float(factor))
        for button in self._buttons:
            font = button.font()
            font.setPointSizeF(self._button_pt * self._zoom)
            button.setFont(font)
        self.mask_caption.setFont(self._buttons[0].font())
        self._style_edges()
        self._rebuild()

    def actions(self) -> list[QAction]:
        """Add layer (Ctrl+L), remove layer (Ctrl+Shift+L), add unit (Ctrl+=), remove unit (Ctrl+-)."""
        return list(self._actions)

    def dropped_drawn_count(self) -> int:
        return int(sum(d.sum() for d in self._dropped))

    def neuron_fills(self) -> list[list[tuple[int, int, int]]]:
        """The fill of every drawn neuron, per column (inputs, hidden…, output), as RGB."""
        fills = [brush.color().getRgb()[:3] for brush in self._neurons.data["brush"]]
        sizes = np.cumsum([0, *(len(col) for col in self._columns)])
        return [fills[a:b] for a, b in zip(sizes[:-1], sizes[1:], strict=True)]

    def marks(self) -> list[list[str]]:
        """The lines of marks under each column (inputs, hidden…, output), e.g. ["‖w‖ ≤ 3 · BN"]."""
        return [[item.toPlainText() for item in items if item.toPlainText()] for items in self._marks]

    def neuron_positions(self) -> list[np.ndarray]:
        """Scene coordinates of the drawn neurons, one (n, 2) array per column (inputs, hidden…, output)."""
        out = []
        for col in self._columns:
            pts = [self._vb.mapViewToScene(QPointF(x, y)) for x, y in col]
            out.append(np.array([(p.x(), p.y()) for p in pts]).reshape(-1, 2))
        return out

    # ------------------------------------------------------------------ actions
    def _make_actions(self) -> list[QAction]:
        specs = [
            ("Add layer", "+ layer", ["Ctrl+L"], "Add a hidden layer after the selected one", self._add_layer),
            ("Remove layer", "− layer", ["Ctrl+Shift+L"], "Remove the selected hidden layer", self._remove_layer),
            ("Add unit", "+ unit", ["Ctrl+=", "Ctrl++"], "One more unit in the selected layer",
             lambda: self._change_units(+1)),
            ("Remove unit", "− unit", ["Ctrl+-"], "One unit fewer in the selected layer",
             lambda: self._change_units(-1)),
        ]
        actions = []
        for text, short, keys, tip, slot in specs:
            action = QAction(text, self)
            action.setIconText(short)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setToolTip(f"{tip} ({QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText)})")
            action.triggered.connect(slot)
            self.addAction(action)
            actions.append(action)
        return actions

    def _update_actions(self) -> None:
        hidden, sel = self._doc.exp.network.hidden, self._doc.selected_layer
        add, remove, more, fewer = self._actions
        add.setEnabled(len(hidden) < MAX_HIDDEN_LAYERS)
        remove.setEnabled(0 <= sel < len(hidden))
        more.setEnabled(0 <= sel < len(hidden) and hidden[sel].units < MAX_UNITS)
        fewer.setEnabled(0 <= sel < len(hidden) and hidden[sel].units > 1)

    def _add_layer(self) -> None:
        after = self._doc.selected_layer
        if after == OUTPUT_LAYER:  # a new layer goes before the output layer
            after = len(self._doc.exp.network.hidden) - 1
        if self._doc.edit("Add layer", lambda e: edits.add_layer(e, after=after)):
            self._doc.select_layer(after + 1)

    def _remove_layer(self) -> None:
        index = self._doc.selected_layer
        if index >= 0:
            self._doc.edit("Remove layer", lambda e: edits.remove_layer(e, index))

    def _change_units(self, delta: int) -> None:
        index = self._doc.selected_layer
        if index >= 0:
            self._doc.edit("Add unit" if delta > 0 else "Remove unit", lambda e: edits.change_units(e, index, delta))

    # ------------------------------------------------------------------ document
    def _on_spec_changed(self, kind: str) -> None:
        if kind == "structural":
            self._snap = None  # the run resets; an old snapshot no longer fits
            self._rebuild()
        elif self._columns and self._mark_texts != self._marks_now():
            self._place()  # a mark's width changed (σ or c): its lines are packed again
        elif self._columns:
            self._update_labels()
        self._update_actions()
        self._update_caption()

    def _update_caption(self) -> None:
        net = self._doc.exp.network
        gaussian = net.dropout_style == "gaussian"
        self.mask_caption.setText(GAUSSIAN_CAPTION_KEY if gaussian else MASK_CAPTION)
        self.mask_caption.setToolTip(GAUSSIAN_TIP if gaussian else MASK_TIP)
        self.mask_caption.setVisible(bool(net.input_dropout or any(h.dropout for h in net.hidden)))

    def _on_selection_changed(self, _index: int) -> None:
        self._place_highlight()
        self._style_neurons()
        self._update_actions()

    def _on_click(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or len(self._columns) < 2 or self.edge_picking.click(ev.scenePos()):
            return  # not a left click, no layout yet, or an edge picked for the loss landscape
        x = self._vb.mapSceneToView(ev.scenePos()).x()
        xs = [col[0, 0] for col in self._columns]
        c = int(np.argmin([abs(x - cx) for cx in xs]))
        if abs(x - xs[c]) < 0.5 * (xs[1] - xs[0]):
            self._doc.select_layer(INPUT_LAYER if c == 0 else OUTPUT_LAYER if c == len(xs) - 1 else c - 1)

    # ------------------------------------------------------------------ layout
    def _sizes(self) -> list[int]:
        return [self._n_features, *(h.units for h in self._doc.exp.network.hidden), self._n_outputs]

    def _font(self, px: float, bold: bool = False) -> QFont:
        font = QFont()
        font.setPixelSize(round(px * self._zoom))
        font.setBold(bold)
        return font

    def _text(self, anchor, font: QFont) -> pg.TextItem:
        item = pg.TextItem("", color=INK, anchor=anchor)
        item.setFont(font)
        item.setZValue(30)
        self._vb.addItem(item)
        self._labels.append(item)
        return item

    def _rebuild(self) -> None:
        """New labels for a new structure, shape or zoom; then place everything."""
        for item in self._labels:
            self._vb.removeItem(item)
        self._labels = []
        bold, detail = self._font(15, bold=True), self._font(13)
        n_cols = len(self._sizes())
        self._titles = [(self._text((0.5, 1), bold), self._text((0.5, 1), detail)) for _ in range(n_cols)]
        self._more = [self._text((0.5, 0), detail) for _ in range(n_cols)]
        self._dropout_labels = [self._text((0.5, 1), detail) for _ in range(n_cols)]
        mark = self._font(MARK_PX)
        self._marks = [[self._text((0.5, 1), mark) for _ in range(MARK_LINES)] for _ in range(n_cols)]
        self._names = [self._text((1, 0.5), detail) for _ in (self._feature_names or [])[:MAX_DRAWN]]
        self.feature_use.set_zoom(self._zoom)
        self._update_actions()
        self._update_caption()
        self._place()

    def _label_texts(self, short: bool) -> list[tuple[str, str, str, str]]:
        """Per column: name, size (and activation), "… 512 units" when not all drawn, "dropout 0.2" when on."""
        sizes = self._sizes()
        drawn = ([len(col) for col in self._columns] if len(self._columns) == len(sizes)
                 else [min(n, MAX_DRAWN) for n in sizes])
        return column_labels(self._doc.exp.network, sizes, drawn, short)

    def _update_labels(self) -> None:
        for (name, info), more, dropout, texts in zip(self._titles, self._more, self._dropout_labels,
                                                      self._label_texts(self._compact), strict=True):
            for item, text in zip((name, info, more, dropout), texts, strict=True):
                item.setText(text)
        if self.feature_use.bars_shown() and self._more[0].toPlainText():  # the bars name every feature: "… 64"
            self._more[0].setText(f"… {self._n_features}")  # is enough, and keeps clear of the bars on its left
        for label, name in zip(self._names, self._feature_names or [], strict=False):
            label.setText(name if len(name) <= 14 else name[:13] + "…")

    def _marks_now(self) -> list[list[str]]:
        return [[mark.text for mark in marks] for marks in column_marks(self._doc.exp.network)]

    def _mark_lines(self, dx: float) -> list[list[str]]:
        return mark_lines(self._doc.exp.network, QFontMetricsF(self._font(MARK_PX)), dx, self._left, self._zoom)

    def _place(self) -> None:
        """Positions of neurons, edges and labels for the current size (pixels) of the view box."""
        w, h = self._vb.width(), self._vb.height()
        if w < 40 or h < 40:
            self._columns, self._dropped = [], []
            return
        self._vb.setRange(xRange=(0, w), yRange=(0, h), padding=0)
        z, sizes = self._zoom, self._sizes()
        bold, detail = QFontMetricsF(self._font(15, bold=True)), QFontMetricsF(self._font(13))
        line = bold.height()
        # The marks are packed for the narrowest spacing of the columns (the largest neurons) and the closest edge
        # (the smallest): whatever size the neurons get, their lines fit.
        self._left = self._margins(14 * z)[0]
        self._mark_texts, lines = self._marks_now(), self._mark_lines(self._spacing(w, 24 * z))
        n_lines = max(map(len, lines), default=0)
        marks_h = n_lines * QFontMetricsF(self._font(MARK_PX)).lineSpacing() + (2 * z if n_lines else 0)
        top, bottom = 2 * line + 10 * z, 2 * line + 10 * z + marks_h
        avail = h - top - bottom
        # as many neurons as fit at 14 px (×zoom) or more, never more than MAX_DRAWN
        fit = max(2, int(avail / (14 * z * 1.25)))
        drawn = [min(n, MAX_DRAWN, fit) for n in sizes]
        self._size = size = max(14 * z, min(24 * z, 0.75 * avail / max(drawn)))
        left = self._margins(size)[0]
        self._dx = dx = self._spacing(w, size)
        mid = top + avail / 2
        self._columns = []
        for c, n in enumerate(drawn):
            ys = mid + (np.arange(n) - (n - 1) / 2) * min(avail / n, 2.2 * size)
            self._columns.append(np.column_stack([np.full(n, left + c * dx), ys]))
        full_w = max(max(bold.horizontalAdvance(t[0]), *(detail.horizontalAdvance(x) for x in t[1:]))
                     for t in self._label_texts(short=False))
        self._compact = dx < full_w + 8 * z
        self._update_labels()
        for c, col in enumerate(self._columns):
            x = col[0, 0]
            self._titles[c][0].setPos(x, top - line - 4 * z)
            self._titles[c][1].setPos(x, top - 4 * z)
            self._more[c].setPos(x, col[-1, 1] + size / 2 + 2 * z)
            self._dropout_labels[c].setPos(x, h - 4 * z)
        place_marks(self._marks, lines, self._doc.exp.network, [col[0, 0] for col in self._columns],
                    h - 6 * z - detail.height(), QFontMetricsF(self._font(MARK_PX)).lineSpacing())
        inputs = self._columns[0]
        show_names = len(inputs) < 2 or bool(inputs[1, 1] - inputs[0, 1] >= detail.height())
        for i, label in enumerate(self._names):
            label.setVisible(show_names and i < len(inputs))
            if i < len(inputs):
                label.setPos(inputs[i, 0] - size / 2 - 6 * z, inputs[i, 1])
        # every drawn edge between consecutive columns, source-major like kernel[:a, :b].ravel()
        segs, srcs, offset = [], [], 0
        for a, b in zip(self._columns[:-1], self._columns[1:], strict=True):
            segs.append(np.stack([np.repeat(a, len(b), axis=0), np.tile(b, (len(a), 1))], axis=1))
            srcs.append(offset + np.repeat(np.arange(len(a)), len(b)))
            offset += len(a)
        self._seg, self._seg_src = np.concatenate(segs), np.concatenate(srcs)
        self.feature_use.align(inputs[:, 1])
        self._place_highlight()
        self.edge_picking.place()
        self._draw_snapshot()

    def _margins(self, size: float) -> tuple[float, float]:
        """(left, right): room for the columns' titles, the feature names left of the inputs, half a neuron."""
        bold, detail, z = QFontMetricsF(self._font(15, bold=True)), QFontMetricsF(self._font(13)), self._zoom
        names_w = max((detail.horizontalAdvance(name) for name in self._feature_names or []), default=0.0)
        names_w = min(names_w, detail.horizontalAdvance("M" * 10))
        left = max(bold.horizontalAdvance("inputs") / 2, names_w + size / 2 + 8 * z) + 10 * z
        right = max(bold.horizontalAdvance("output") / 2, size / 2) + 10 * z
        return left, right

    def _spacing(self, width: float, size: float) -> float:
        left, right = self._margins(size)
        return (width - left - right) / (len(self._sizes()) - 1)

    def _place_highlight(self) -> None:
        sel, path = self._doc.selected_layer, QPainterPath()
        c = 0 if sel == INPUT_LAYER else len(self._columns) - 1 if sel == OUTPUT_LAYER else sel + 1
        if self._columns:
            widest = max(item.boundingRect().width() for item in (*self._titles[c], *self._marks[c]))
            half = min(0.46 * self._dx, widest / 2 + 6)
            x = self._columns[c][0, 0]
            path.addRoundedRect(QRectF(x - half, 3, 2 * half, self._vb.height() - 6), 10 * self._zoom, 10 * self._zoom)
        self._highlight.setPath(path)

    # ------------------------------------------------------------------ drawing a snapshot
    def _fits(self, snap: Snapshot) -> bool:
        sizes = self._sizes()
        return len(snap.layers) == len(sizes) - 1 and all(
            layer.kernel.shape == (sizes[i], sizes[i + 1]) for i, layer in enumerate(snap.layers))

    def _draw_snapshot(self) -> None:
        if not self._columns:
            return
        snap = self._snap if self._snap is not None and self._fits(self._snap) else None
        self.feature_use.show_snapshot(snap)
        drawn = [len(col) for col in self._columns]
        masks = [np.zeros(n, bool) for n in drawn]
        self._factors = [None] * len(drawn)
        if snap is not None:
            raw = [snap.input_dropped, *(layer.dropped for layer in snap.layers[:-1])]
            for c, mask in enumerate(raw):
                if mask is not None:
                    masks[c] = np.asarray(mask, bool)[: drawn[c]]
            factors = [snap.input_dropout_factors, *(layer.dropout_factors for layer in snap.layers[:-1])]
            for c, factor in enumerate(factors):
                if factor is not None:
                    self._factors[c] = np.asarray(factor, float)[: drawn[c]]
        self._dropped = masks
        off = np.concatenate(masks)[self._seg_src]  # the edge's source neuron was dropped
        if snap is None:
            self._set_edges(self._neutral, np.ones(len(self._seg), bool))
            for item in self._edges["positive"] + self._edges["negative"]:
                item.setData(x=np.empty(0), y=np.empty(0), connect="pairs")
        else:
            w, strength = [], []
            for layer, a, b in zip(snap.layers, drawn[:-1], drawn[1:], strict=True):
                kernel = np.nan_to_num(layer.kernel)  # a diverged run still draws
                k = kernel[:a, :b].ravel()
                w.append(k)
                strength.append(np.abs(k) / max(float(np.abs(kernel).max()), 1e-12))
            w, strength = np.concatenate(w), np.concatenate(strength)
            level = np.minimum((strength * EDGE_LEVELS).astype(int), EDGE_LEVELS - 1)
            self._set_edges(self._neutral, off)
            for sign, keep in (("positive", w >= 0), ("negative", w < 0)):
                for lv, item in enumerate(self._edges[sign]):
                    self._set_edges(item, keep & ~off & (level == lv))
        self._style_neurons()

    def _set_edges(self, item: pg.PlotCurveItem, which: np.ndarray) -> None:
        seg = self._seg[which]
        item.setData(x=seg[:, :, 0].ravel(), y=seg[:, :, 1].ravel(), connect="pairs")

    def _layered(self) -> list[pg.PlotCurveItem]:
        return [self._neutral, *(self._edges[sign][lv] for sign in self._edges for lv in range(LAYERED_LEVELS))]

    def _style_edges(self) -> None:
        z = self._zoom
        pens = {self._neutral: (GREY, 90, 1.0 * z)}
        for sign, rgb in (("positive", BLUE), ("negative", ORANGE)):
            for lv, item in enumerate(self._edges[sign]):
                t = (lv + 1) / EDGE_LEVELS
                pens[item] = (rgb, int(40 + 215 * t ** 1.5), z * (0.6 + 3.0 * t ** 1.5))
        layered = self._layered()
        for item, (rgb, alpha, width) in pens.items():
            if item in layered:  # an opaque pen, the transparency on the layer
                item.setPen(_pen(rgb, 255, width))
                item.setOpacity(alpha / 255)
            else:
                item.setPen(_pen(rgb, alpha, width))

    def _style_neurons(self) -> None:
        if not self._columns:
            return
        sel = self._doc.selected_layer
        sel_col = 0 if sel == INPUT_LAYER else len(self._columns) - 1 if sel == OUTPUT_LAYER else sel + 1
        z = self._zoom
        pens = {(False, False): _pen(PAPER, 255, 1.5 * z), (False, True): _pen(GREY, 255, 2 * z),
                (True, False): _pen(INK, 255, 2.5 * z), (True, True): _pen(INK, 255, 2.5 * z)}
        brushes, outline = neuron_styles(self._dropped, self._factors, sel_col, pens)
        pos = np.concatenate(self._columns)
        sizes = self.feature_use.neuron_sizes(self._size, [len(col) for col in self._columns])
        self._neurons.setData(pos=pos, size=sizes, brush=brushes, pen=outline)
        self._crosses.setData(pos=pos[np.concatenate(self._dropped)], size=0.8 * self._size)
