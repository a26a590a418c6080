"""How much the network uses each input feature: Σ|w| of the feature's outgoing weights, the row sums of |kernel| of
the first Dense layer. The network view draws it twice, live:

* each input neuron's area is proportional to it (the largest at the full neuron size; one below
  ``SMALLEST_SHARE`` of the largest is drawn at that share, a dot that stays visible), and a caption on the line
  under the view's buttons says so (beside the dropout caption, so a network with dropout spends no extra line);
* with more than two features, a bar per feature on the network's left, every feature (the network draws at most 32
  inputs, fewer when short of height), with its name and its Σ|w|; the bars then name the features, and each sits
  level with its input neuron when every input is drawn.

A feature the network ignores has no weight left to pass its value on: under L1 its row of the kernel goes to 0 and
its input shrinks to a dot. Like the network view, the bars' view box maps one unit to one pixel; its items are
created when the features change and fed new numbers with each snapshot.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QTextDocument
from PySide6.QtWidgets import QBoxLayout, QLabel

from engine.training.snapshot import Snapshot
from gui.plotting.palette import INK
from gui.widgets import HINT_COLOUR, set_text_colour

SMALLEST_SHARE = 0.04  # an input's area never drops below this share of the full neuron's (a visible dot)
MIN_FEATURES_FOR_BARS = 3  # two features (the 2-D sets) are read off the two input neurons alone
NAME_CHARS = 10  # a longer feature name is cut with "…"
BAR_PX = 60  # the longest bar, in pixels at zoom 1
SHORT_BAR_PX = 30  # in a narrow view
SHORTEST_BAR_PX = 16  # in a narrower one, still with the numbers (a 1366 × 768 laptop with a lesson open)
BARS_SHARE = 0.4  # of the canvas's width, at most
BAR_FILL = (90, 90, 90)  # neutral: Σ|w| has no sign

GAP_PX = 12  # between the caption and the dropout caption on its line
CAPTION_FORMS = ("input area ∝ Σ|w| of its outgoing weights", "input area ∝ Σ|w| out", "area ∝ Σ|w|")
CAPTION_TIP = ("Each input neuron's area is proportional to Σ|w| over its outgoing weights (its row of the first "
               "layer's kernel): how much the network uses that feature. The largest is drawn at the full neuron "
               "size; an input under {share:g} % of the largest is drawn at {share:g} % (a dot). Under L1, the "
               "weights of a feature the data does not need go to 0 and its input shrinks to a dot.")
BARS_TITLES = ("Σ|w| per input", "Σ|w|")  # the first that fits the bars' width
BARS_TIP = ("Σ|w| over each input feature's outgoing weights (its row of the first layer's kernel), every feature "
            "in the data's order, top to bottom; the bar lengths are relative to the largest.")


def feature_use(kernel: np.ndarray) -> np.ndarray:
    """Σ|w| of each input's outgoing weights: the row sums of |kernel| (a NaN weight, from a diverged run, counts 0;
    an infinite one makes the sum infinite)."""
    magnitudes = np.abs(np.nan_to_num(np.asarray(kernel, np.float64), nan=0.0, posinf=np.inf, neginf=-np.inf))
    return magnitudes.sum(axis=1)


def shares(use: np.ndarray) -> np.ndarray:
    """Each value over the largest (an infinite one is 1, the rest 0); all 0 when the largest is 0."""
    largest = float(np.max(use, initial=0.0))
    if not largest > 0:
        return np.zeros(len(use))
    if np.isinf(largest):
        return np.isinf(use).astype(float)
    return use / largest


def input_diameters(use: np.ndarray, full: float) -> np.ndarray:
    """Neuron diameters whose areas are proportional to ``use``: the largest ``full``, none under the area share
    SMALLEST_SHARE of it; all ``full`` when nothing is used yet (every weight 0)."""
    if not np.max(use, initial=0.0) > 0:
        return np.full(len(use), float(full))
    return full * np.sqrt(np.maximum(shares(use), SMALLEST_SHARE))


def value_text(value: float) -> str:
    """Three significant digits: 0.0153, 0.124, 1.58, 12.3."""
    return f"{value:.3g}"


class CaptionLabel(QLabel):
    """What the inputs' sizes mean, on one line: the longest of CAPTION_FORMS that fits; blank until a snapshot sizes
    the inputs, its width kept so that nothing moves. It shares its line with the dropout caption when both fit on
    it, and goes on a line of its own above it when not (the Gaussian dropout caption wraps in a narrow view)."""

    def __init__(self) -> None:
        super().__init__()
        set_text_colour(self, HINT_COLOUR)
        self.setToolTip(CAPTION_TIP.format(share=round(100 * SMALLEST_SHARE)))
        self._point_size = self.font().pointSizeF() if self.font().pointSizeF() > 0 else 9.0
        self._beside: QLabel | None = None
        self._row: QBoxLayout | None = None
        self._shown = False
        self.set_zoom(1.0)

    def share_line_with(self, beside: QLabel, row: QBoxLayout) -> None:
        self._beside, self._row = beside, row
        beside.installEventFilter(self)  # it resizes with the line, shows and hides with dropout

    def set_zoom(self, zoom: float) -> None:
        font = self.font()
        font.setPointSizeF(self._point_size * zoom)
        self.setFont(font)
        self.setFixedHeight(round(QFontMetricsF(font).height()))
        self._choose()

    def set_shown(self, shown: bool) -> None:
        self._shown = shown
        self._choose()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            self._choose()
        return False

    def _beside_width(self) -> float:
        """The dropout caption's width on one line (0 while it is hidden)."""
        beside = self._beside
        if beside is None or beside.isHidden():  # (not isVisible: the view may not be shown yet)
            return 0.0
        text = QTextDocument()
        text.setDefaultFont(beside.font())
        text.setHtml(beside.text())
        return text.idealWidth() + GAP_PX

    def _choose(self) -> None:
        metrics = QFontMetricsF(self.font())
        line = self.parentWidget().width() if self.parentWidget() is not None else self.width()
        beside = self._beside_width()
        shared = metrics.horizontalAdvance(CAPTION_FORMS[-1]) + 4 + beside <= line
        room = line - beside if shared else line
        form = next((f for f in CAPTION_FORMS if metrics.horizontalAdvance(f) + 4 <= room), CAPTION_FORMS[-1])
        width = math.ceil(metrics.horizontalAdvance(form)) + 4
        if self.width() != width or self.minimumWidth() != width:
            self.setFixedWidth(width)
        direction = QBoxLayout.Direction.LeftToRight if shared else QBoxLayout.Direction.TopToBottom
        if self._row is not None and self._row.direction() != direction:
            self._row.setDirection(direction)
            if self.parentWidget() is not None and self.parentWidget().layout() is not None:
                self.parentWidget().layout().activate()  # now, not at the next turn of the event loop
        text = form if self._shown else ""
        if self.text() != text:
            self.setText(text)


class FeatureUse:
    """The feature-use drawing of a network view: the input neurons' sizes, the bars in ``canvas`` (column 0, left of
    the network's view box in column 1: name, bar and Σ|w| of each feature) and the caption (see caption_row)."""

    def __init__(self, canvas: pg.GraphicsLayoutWidget) -> None:
        self._canvas = canvas
        self._names: list[str] = []
        self._use: np.ndarray | None = None  # Σ|w| per feature, from the last snapshot that fits
        self._zoom = 1.0
        self._rows_y: np.ndarray | None = None  # the input neurons' heights, when every input is drawn
        self._bar_px, self._values = float(BAR_PX), True  # as wide as the canvas allows (see _fit_width)
        self._values_shown = False  # the rows are high enough for them too (see _place)
        self.caption = CaptionLabel()
        self.bars_box = pg.ViewBox(enableMouse=False, enableMenu=False, invertY=True)
        self.bars_box.disableAutoRange()
        self.bars_box.setToolTip(BARS_TIP)
        self._bars = pg.BarGraphItem(x0=[], y=[], height=[], width=[], brush=pg.mkBrush(*BAR_FILL), pen=pg.mkPen(None))
        self.bars_box.addItem(self._bars)
        self._title = self._text((0, 0))
        self._name_items: list[pg.TextItem] = []
        self._value_items: list[pg.TextItem] = []
        self._shown = False
        self.bars_box.sigResized.connect(self._place)

    # ------------------------------------------------------------------ what the network view calls
    def set_features(self, n_features: int, names: list[str] | None) -> None:
        """A new data set: its number of input features and their names (x1, x2, … when it has none)."""
        self._names = list(names) if names and len(names) == n_features else [f"x{i + 1}" for i in range(n_features)]
        self._use, self._rows_y = None, None
        for item in self._name_items + self._value_items:
            self.bars_box.removeItem(item)
        self._name_items = [self._text((1, 0.5)) for _ in self._names]
        self._value_items = [self._text((0, 0.5)) for _ in self._names]
        self._show_bars(n_features >= MIN_FEATURES_FOR_BARS)
        self.set_zoom(self._zoom)

    def set_zoom(self, zoom: float) -> None:
        self._zoom = zoom
        self.caption.set_zoom(zoom)
        for item in (*self._name_items, *self._value_items):
            item.setFont(self._font())
        self._title.setFont(self._font(bold=True))
        self._fit_width()

    def align(self, input_ys: np.ndarray) -> None:
        """The drawn input neurons' heights (the network view's pixels, the same as the bars'): with every input
        drawn, each bar sits level with its input; with some left out, the bars spread over the height."""
        self._rows_y = np.asarray(input_ys, float) if len(input_ys) == len(self._names) else None
        self._fit_width()
        self._place()

    def show_snapshot(self, snap: Snapshot | None) -> None:
        """Σ|w| per feature from ``snap``'s first layer (None, or a snapshot of another data set: nothing drawn)."""
        kernel = snap.layers[0].kernel if snap is not None and snap.layers else None
        fits = kernel is not None and kernel.ndim == 2 and kernel.shape[0] == len(self._names)
        self._use = feature_use(kernel) if fits else None
        self.caption.set_shown(self._use is not None)
        self._draw_bars()

    def neuron_sizes(self, full: float, drawn: list[int]) -> float | np.ndarray:
        """The diameter of every drawn neuron (inputs first, then each column's): inputs sized by their Σ|w|, the
        others ``full``; before a snapshot, ``full`` for all."""
        if self._use is None or not drawn:
            return float(full)
        sizes = np.full(sum(drawn), float(full))
        sizes[: drawn[0]] = input_diameters(self._use, full)[: drawn[0]]
        return sizes

    def bars_shown(self) -> bool:
        return self._shown

    def caption_row(self, beside: QLabel) -> QBoxLayout:
        """The caption, with ``beside`` (the network's dropout caption) on its right or, short of width, under it."""
        row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.caption, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        row.addWidget(beside, 1)
        self.caption.share_line_with(beside, row)
        return row

    # ------------------------------------------------------------------ what tests and readers ask
    def use(self) -> np.ndarray | None:
        """Σ|w| per feature as drawn, or None before a snapshot."""
        return None if self._use is None else self._use.copy()

    def bar_lengths(self) -> np.ndarray:
        """The drawn bars' lengths in pixels, one per feature (empty while hidden or before a snapshot)."""
        widths = self._bars.opts.get("width")
        return np.asarray([] if widths is None else widths, float)

    def bar_rows(self) -> np.ndarray:
        """The bars' heights (centres, in pixels from the top), one per feature."""
        ys = self._bars.opts.get("y")
        return np.asarray([] if ys is None else ys, float)

    def texts(self) -> list[tuple[str, str]]:
        """(name, Σ|w|) of each bar as drawn, "" where a row is too low for its text or the view too narrow."""
        return [(n.toPlainText() if n.isVisible() else "", v.toPlainText() if v.isVisible() else "")
                for n, v in zip(self._name_items, self._value_items, strict=True)]

    # ------------------------------------------------------------------ layout
    def _font(self, bold: bool = False) -> QFont:
        font = QFont()
        font.setPixelSize(round(12 * self._zoom))
        font.setBold(bold)
        return font

    def _text(self, anchor) -> pg.TextItem:
        item = pg.TextItem("", color=INK, anchor=anchor)
        item.setFont(self._font())
        self.bars_box.addItem(item)
        return item

    def _show_bars(self, show: bool) -> None:
        if show and not self._shown:
            self._canvas.ci.addItem(self.bars_box, row=0, col=0)
        elif not show and self._shown:
            self._canvas.ci.removeItem(self.bars_box)
        self._shown = show

    def _name_width(self) -> float:
        """The widest name's item (its text and the item's margins)."""
        return max((item.boundingRect().width() for item in self._name_items), default=0.0)

    def _set_names(self, most_px: float | None = None) -> None:
        """The names, cut after NAME_CHARS characters, and to ``most_px`` pixels when given (with "…")."""
        metrics = QFontMetricsF(self._font())
        for item, name in zip(self._name_items, self._names, strict=True):
            text = name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"
            if most_px is not None:
                text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, most_px)
            if item.toPlainText() != text:
                item.setText(text)

    def _widths(self, bar_px: float, values: bool) -> float:
        z, metrics = self._zoom, QFontMetricsF(self._font())
        value_w = metrics.horizontalAdvance("0.0000") if values else 0.0
        return self._name_width() + 4 * z + bar_px + 4 * z + value_w

    def _fit_width(self) -> None:
        """The bars take at most BARS_SHARE of the canvas: the full bars and numbers where there is room, shorter
        bars in a narrower view, then no numbers."""
        if not self._shown:
            return
        z, room = self._zoom, BARS_SHARE * self._canvas.width()
        self._set_names()
        steps = ((BAR_PX * z, True), (SHORT_BAR_PX * z, True), (SHORTEST_BAR_PX * z, True), (SHORT_BAR_PX * z, False))
        for bar_px, values in steps:
            if self._widths(bar_px, values) <= room:
                break
        else:  # the shortest names that still fit: cut with "…"
            margins = self._name_width() - max(QFontMetricsF(self._font()).horizontalAdvance(item.toPlainText())
                                               for item in self._name_items)
            self._set_names(max(room - self._widths(bar_px, values) + self._name_width() - margins, 0.0))
        self._bar_px, self._values = bar_px, values
        width = self._widths(bar_px, values)
        bold = QFontMetricsF(self._font(bold=True))
        title = next((t for t in BARS_TITLES if bold.horizontalAdvance(t) + 8 * z <= max(width, room)), BARS_TITLES[-1])
        if self._title.toPlainText() != title:
            self._title.setText(title)
        width = max(width, min(bold.horizontalAdvance(title) + 8 * z, room))
        if abs(self.bars_box.maximumWidth() - width) > 0.5:
            self.bars_box.setMinimumWidth(width)
            self.bars_box.setMaximumWidth(width)

    def _row_centres(self) -> tuple[np.ndarray, float]:
        """Each feature's row centre and the rows' height, in the bars' pixels."""
        n = max(1, len(self._names))
        if self._rows_y is not None:
            step = float(np.min(np.diff(self._rows_y))) if n > 1 else QFontMetricsF(self._font()).height()
            return self._rows_y, step
        top = 2 * self._zoom + self._title.boundingRect().height()  # under the title
        bottom = self.bars_box.height() - 4 * self._zoom
        row = (bottom - top) / n
        overhang = max(0.0, QFontMetricsF(self._font()).height() - row) / 2  # a name is taller than a low row
        row = (bottom - top - 2 * overhang) / n
        return top + overhang + (np.arange(n) + 0.5) * row, row

    def _place(self) -> None:
        if not self._shown:
            return
        w, h = self.bars_box.width(), self.bars_box.height()
        self.bars_box.setRange(xRange=(0, max(w, 1)), yRange=(0, max(h, 1)), padding=0)
        self._title.setPos(2 * self._zoom, 2 * self._zoom)
        ys, row = self._row_centres()
        line = QFontMetricsF(self._font()).height()
        fits = row >= 0.9 * line
        step = 1 if fits else int(np.ceil(line / max(row, 1e-6)))
        x_bar = self._name_width() + 4 * self._zoom
        self._values_shown = fits and self._values
        for i, (name, value) in enumerate(zip(self._name_items, self._value_items, strict=True)):
            name.setPos(x_bar - 4 * self._zoom, ys[i])
            name.setVisible(i % step == 0)
            value.setVisible(self._values_shown)
        self._draw_bars()

    # ------------------------------------------------------------------ drawing
    def _draw_bars(self) -> None:
        if not self._shown:
            return
        if self._use is None:
            self._bars.setOpts(x0=[], y=[], height=[], width=[])
            for item in self._value_items:
                item.setText("")
            return
        ys, row = self._row_centres()
        x_bar = self._name_width() + 4 * self._zoom
        lengths = self._bar_px * shares(self._use)
        self._bars.setOpts(x0=np.full(len(ys), x_bar), y=ys, height=np.full(len(ys), max(1.0, 0.6 * row)),
                           width=lengths)
        if not self._values_shown:  # no text to set: 64 hidden numbers would cost a frame's worth
            return
        for item, value, length, y in zip(self._value_items, self._use, lengths, ys, strict=True):
            text = value_text(value)
            if item.toPlainText() != text:
                item.setText(text)
            item.setPos(x_bar + length + 3 * self._zoom, y)
