"""The weights of each Dense layer: a histogram now, and a heat map of the histograms over time.

Per layer (hidden layers, then the output layer) a column (gui/live/weight_column.py) shows

- a readout: Σ|w| (what L1 penalizes), ‖w‖ (whose square L2 penalizes) and the share of weights near 0
  (gui/live/weight_readout.py);
- the histogram of the kernel (negative weights orange, positive blue, the bin on zero grey) over bins that follow
  the weights (±R, engine/training/snapshot.py's WeightBins), its counts on a log axis so that a pile of weights at 0
  does not flatten the rest; optionally with the Gaussian and the Laplace densities of the weights' own mean and
  standard deviation (median and mean absolute deviation) for comparison;
- a heat map of the last 300 epochs of histograms (one row per epoch, newest at the bottom) over bins fixed for
  ever on an asinh weight axis (linear within ±0.001, logarithmic beyond), coloured by log(1 + count) on a scale
  fixed by the layer's size: any two rows compare bin for bin and colour for colour (gui/live/weight_drawing.py);
- while any layer has a max-norm constraint, a bar per unit, the length of its incoming weight vector, and a line
  at the layer's c (gui/live/unit_norms.py).

What the axes are (weight on a linear or an asinh scale, count on a log scale, epoch) is said once per row of
columns, in a caption under the histograms and one under the heat maps (the longest wording that fits), not under
every plot: three columns of a laptop's quarter window have no room for three titles side by side. Tick labels that
would overlap another are left out (gui/plotting/plot_axes.py), 0 and the ends first; the count and epoch axes step
their ticks so that their labels fit the plot's height. The columns wrap into rows, and their type shrinks, to fit the
view (gui/live/column_wrapping.py).

The layer plots are built when the layers change (a new run); otherwise every frame only sets data, and
nothing a frame sets changes the layout: the readouts keep their size and every range is set before painting.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QWidget

from engine.training.snapshot import ASINH_REACH, ASINH_SCALE, NEAR_ZERO, SHRINK_AFTER, LayerSnapshot, Snapshot
from gui.live.column_wrapping import MAX_COLUMNS, column_count, wrapping
from gui.live.unit_norms import norm_captions
from gui.live.weight_column import (
    BLOCK_ROWS,
    HEAT_CAPTION_ROW,
    HISTOGRAM_CAPTION_ROW,
    NORM_CAPTION_ROW,
    NORM_ROWS,
    LayerColumn,
)
from gui.live.weight_drawing import GAUSSIAN_COLOUR, LAPLACE_COLOUR
from gui.plotting.plot_caption import Caption
from gui.plotting.plot_style import (
    flush_column,
    layout_width,
    paper_graphics,
    relayout_soon,
    scaled_font,
    white_background,
    zoom_check_box,
)

GRID_SPACING = 2  # px between the rows of the grid (readouts, plots, captions)
#: what the axes are, once per row of columns (the longest that fits the row's width; the last breaks into lines)
HISTOGRAM_CAPTIONS = ("x: weight (linear scale) · y: count (log scale)", "x: weight (linear) · y: count (log)",
                      "x: weight (linear)\ny: count (log)")
HEAT_CAPTIONS = ("x: weight (asinh scale) · y: epoch, newest at the bottom", "x: weight (asinh) · y: epoch",
                 "x: weight (asinh)\ny: epoch")
AXES_NOTE = (
    "Histogram: the bins span ±R, R a step of the series …, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, … (never "
    "below 0.001) at least as large as every |w| of the layer; R grows as soon as a weight passes it and shrinks "
    f"once the weights have fitted in a smaller step for {SHRINK_AFTER} epochs in a row. Counts on a log axis; an "
    "empty bin has no bar.\n"
    "Heat map: one row per epoch, over bins fixed for every epoch and run on an asinh axis, "
    f"asinh(w / {ASINH_SCALE:g}): close to linear within ±{ASINH_SCALE:g}, logarithmic beyond, up to "
    f"±{ASINH_REACH:g} (larger weights are counted in the outermost bins). Colour: log(1 + count), from white "
    "(no weight) to blue (every weight of the layer in one bin), the same scale in every row."
)
FIT_NOTE = (
    "Draw, for comparison, the Gaussian density with the mean and standard deviation of each layer's weights "
    "and the Laplace density with their median and mean absolute deviation from it, both scaled to weights "
    "per bin. On the log count axis a Gaussian is a parabola and a Laplace a tent.\n"
    "These are shapes to compare with, not what a regularizer makes: the minimum of loss + λΣw² is the MAP "
    "estimate under a zero-mean Gaussian prior on the weights and that of loss + λΣ|w| under a zero-mean "
    "Laplace prior (the loss read as a negative log-likelihood), but a prior does not predict the trained "
    "weights' histogram; L1's pile of weights at 0 is not a Laplace curve."
)


class WeightsView(QWidget):
    """Weight histograms per Dense layer, with their history as heat maps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zoom = 1.0
        self._last: Snapshot | None = None
        self._layers: list[LayerColumn] = []
        self._drawn: list[Snapshot | None] = []  # per column, the snapshot it shows
        self._names: list[str] = []
        self._columns = 0  # side by side; the other layers wrap into rows below
        self._type_zoom = 1.0  # the plots' type: the zoom, or less where the columns would not fit (_flow)
        self._need = 0.0  # the widest column's minimum width when _flow last looked
        self._cleared = False  # the columns kept after clear(), hidden until the next run's first snapshot
        self._captions: list[tuple[Caption, Caption]] = []  # (histograms', heat maps') per row of columns
        self._norm_captions: list[Caption] = []  # the unit norms' per row of columns, in the grid while they show
        self._norms = False  # the unit-norm plots show (some layer has a max-norm constraint)
        self._norm_forms = norm_captions([])

        self.fit_box = QCheckBox("Gaussian / Laplace curves")
        self.fit_box.setToolTip(FIT_NOTE)
        self.fit_box.toggled.connect(self._fits_toggled)
        hexes = {name: pg.mkColor(colour).name() for name, colour in (("g", GAUSSIAN_COLOUR), ("l", LAPLACE_COLOUR))}
        self.fit_legend = QLabel(
            f"<span style='color:{hexes['g']}'>━ Gaussian</span>&nbsp;&nbsp;"
            f"<span style='color:{hexes['l']}'>╍ Laplace</span>"
        )
        self.fit_legend.setVisible(False)
        self.near_zero_note = QLabel(f"near 0: |w| < {NEAR_ZERO:g}")
        self.message = QLabel("The weights appear when training starts.")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 0)
        bar.setSpacing(16)
        bar.addWidget(self.fit_box)
        bar.addWidget(self.fit_legend)
        bar.addStretch(1)
        bar.addWidget(self.near_zero_note)

        self.graphics = paper_graphics()
        # Thin margins and rows close together: on a laptop the view is ≈ 220 px high for readouts, two captions,
        # two x axes and two plots, and pyqtgraph's 9 px margins and 6 px spacing would take a third of the plots'.
        self.graphics.ci.setContentsMargins(4, 2, 4, 2)
        self.graphics.ci.layout.setVerticalSpacing(GRID_SPACING)
        self.graphics.sigDeviceRangeChanged.connect(self._flow)  # the view changes size
        self.graphics.setToolTip(AXES_NOTE)
        white_background(self)
        layout = flush_column(self)
        layout.addLayout(bar)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.graphics, 1)
        self.graphics.setVisible(False)
        self.set_zoom(1.0)

    # ------------------------------------------------------------------ the common view API

    def show_snapshot(self, snap: Snapshot | None, part: int = 0, parts: int = 1) -> None:
        """Draw ``snap``'s layers: every column, or with ``parts`` > 1 only the columns ``i`` with
        ``i % parts == part``. The window spreads the columns over several frames this way (one column's
        histogram, heat map and axes repainted per frame instead of all of them), each drawn once per snapshot."""
        self._last = snap
        if snap is None:
            return
        if [layer.name for layer in snap.layers] != self._names:
            self._build(snap.layers)
        elif self._cleared:
            self._reuse(snap.layers)
        self._show_norms(snap.layers)
        fits = self.fit_box.isChecked()
        for i in range(part, len(self._layers), parts):
            plots, layer = self._layers[i], snap.layers[i]
            if self._drawn[i] is snap:
                continue
            self._drawn[i] = snap
            plots.draw(layer, snap.epoch, fits)
        if self._layers and max(plots.min_width() for plots in self._layers) > self._need + 1:
            self._flow()  # a wider number or axis label: the columns may no longer fit

    def clear(self) -> None:
        """Forget the run: nothing is shown until the next snapshot, which starts every column's history afresh.
        The columns stay, hidden, for a next run of the same layers (building them takes ≈ 150 ms of the GUI
        thread, a stalled frame at every Play after a Reset); other layers build new ones."""
        self._last = None
        self._drawn = [None] * len(self._layers)
        self._cleared = bool(self._layers)
        self.graphics.setVisible(False)
        self.message.setVisible(True)

    def set_zoom(self, factor: float) -> None:
        self._zoom = factor
        zoom_check_box(self.fit_box, factor)
        self.fit_legend.setFont(scaled_font(factor))
        self.near_zero_note.setFont(scaled_font(factor))
        self.message.setFont(scaled_font(factor))
        self._type_zoom = factor
        self._restyle(factor)
        self._flow()

    # ------------------------------------------------------------------ for tests and other views

    def layer_count(self) -> int:
        """Layers shown (0 after clear(), until the next snapshot)."""
        return 0 if self._cleared else len(self._layers)

    def histogram_heights(self, i: int) -> np.ndarray:
        return np.asarray(self._layers[i].heights)

    def history_image(self, i: int) -> np.ndarray:
        """Layer ``i``'s heat-map rows: counts over engine.training.snapshot.ASINH_EDGES, oldest epoch first
        (epochs × bins)."""
        return self._layers[i].history()

    def readout_text(self, i: int) -> str:
        """Layer ``i``'s readout on one line (:meth:`LayerReadout.text`), "" until the layer's first drawing."""
        numbers = self._layers[i].numbers
        return "" if numbers is None else numbers.text()

    def unit_norm_heights(self, i: int) -> np.ndarray | None:
        """Layer ``i``'s unit-norm bars (None while the view shows no unit norms)."""
        plots = self._layers[i]
        return np.asarray(plots.norms.bars.opts["height"]) if plots.norms_shown else None

    def max_norm_line(self, i: int) -> float | None:
        """Where layer ``i``'s line of c is drawn (None: no line)."""
        plots = self._layers[i]
        line = plots.norms.line if plots.norms_shown else None
        return None if line is None or not line.isVisible() else float(line.value())

    def captions(self) -> list[str]:
        """The captions shown under the rows of columns (what the axes are), top to bottom."""
        return [caption.text for caption in self._all_captions() if caption.scene() is not None]

    def text_boxes(self) -> list[tuple[str, QRectF]]:
        """Every text the plots show, with its box in the scene: readouts, captions, axis titles and the tick labels
        pyqtgraph would paint now (the view must be shown)."""
        boxes = [(item.text(), item.sceneBoundingRect()) for plots in self._layers for item in plots.readout.items
                 if item.text()]
        boxes += [(caption.text, caption.item.sceneBoundingRect()) for caption in self._all_captions()
                  if caption.scene() is not None]
        image = QImage(1, 1, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        try:
            for plots in self._layers:
                for plot in plots.items[1:]:
                    for name in ("left", "bottom"):
                        axis = plot.getAxis(name)
                        if not axis.isVisible():
                            continue
                        if axis.label.isVisible():
                            boxes.append((axis.labelText, axis.label.sceneBoundingRect()))
                        specs = axis.generateDrawSpecs(painter)
                        boxes += [(text, axis.mapRectToScene(rect)) for rect, _, text in (specs or ((), (), ()))[2]]
        finally:
            painter.end()
        return boxes

    # ------------------------------------------------------------------ internals

    def _reuse(self, layers: list[LayerSnapshot]) -> None:
        """The kept columns for a new run of the same layers: empty histories with the run's bins, no numbers."""
        self._cleared = False
        for plots, layer in zip(self._layers, layers, strict=True):
            plots.start_run(layer.histogram_edges)
            plots.blank(layer.name)
        self.graphics.setVisible(True)
        self.message.setVisible(False)

    def _build(self, layers: list[LayerSnapshot]) -> None:
        """A column per layer, wrapping after MAX_COLUMNS; only when the layers change (a new run)."""
        self._cleared = False
        self.graphics.clear()
        self._names = [layer.name for layer in layers]
        self._layers = []
        self._norms = False  # new columns show none (yet)
        self._drawn = [None] * len(layers)
        self._captions, self._norm_captions = [], []
        shared: dict = {}  # the epoch axes' ticks, worked out once a frame (EpochAxis)
        self._columns = column_count(len(self._names), MAX_COLUMNS)
        for i, layer in enumerate(layers):
            plots = LayerColumn(self.graphics, self._block_rows() * (i // self._columns), i % self._columns,
                                layer.histogram_edges, shared)
            plots.set_zoom(self._type_zoom)
            plots.blank(layer.name)  # its numbers at its first turn
            self._layers.append(plots)
        self._place_captions()
        self._stretch_rows()
        self.graphics.setVisible(bool(layers))
        self.message.setVisible(not layers)
        self._flow()

    def _flow(self, *_) -> None:
        """Lay the columns out for the view's size by :func:`gui.live.column_wrapping.wrapping`: as many side by side as
        fit, the others in rows below, the type smaller where neither fits. Called when the view changes size, the
        type changes, the layers do, or a column grows (a wider number or axis label)."""
        if not self._layers:
            return
        room = layout_width(self.graphics)
        spacing = self.graphics.ci.layout.horizontalSpacing()
        self._need = max(plots.min_width() for plots in self._layers)
        need = self._need * self._zoom / self._type_zoom + spacing  # a column at the full type size (it scales)
        columns, type_zoom = wrapping(len(self._layers), room, need, self.graphics.height(), self._zoom, self._norms)
        restyle = abs(type_zoom - self._type_zoom) > 0.02 * self._zoom
        if restyle:
            self._type_zoom = type_zoom
            self._restyle(type_zoom)
            self._need = max(plots.min_width() for plots in self._layers)
        if columns != self._columns:
            self._replace(columns)
        elif not restyle:
            return
        relayout_soon(self.graphics)

    def _replace(self, columns: int, norms: bool | None = None) -> None:
        """Lay the columns out again, ``columns`` side by side, with or without the unit norms."""
        self._columns = columns
        ci = self.graphics.ci
        for plots in self._layers:
            for item in plots.items:
                ci.removeItem(item)
            if norms is not None:
                plots.show_norms(norms)
        self._norms = self._norms if norms is None else norms
        for i, plots in enumerate(self._layers):
            plots.place(self.graphics, self._block_rows() * (i // columns), i % columns)
        self._place_captions()
        self._stretch_rows()

    def _stretch_rows(self) -> None:
        """The height the grid has beyond its readouts and captions goes to the plots, less to the unit norms (a line
        and bars read in fewer pixels than a log histogram or a heat map)."""
        layout, block = self.graphics.ci.layout, self._block_rows()
        shares = {HISTOGRAM_CAPTION_ROW - 1: 3, HEAT_CAPTION_ROW - 1: 3, NORM_CAPTION_ROW - 1: 2}
        for row in range(layout.rowCount()):
            layout.setRowStretchFactor(row, shares.get(row % block, 0))

    def _block_rows(self) -> int:
        return BLOCK_ROWS + (NORM_ROWS if self._norms else 0)

    def _show_norms(self, layers: list[LayerSnapshot]) -> None:
        """The unit norms while some layer has a max-norm c, their caption naming the c (a live change renames it)."""
        limits = [layer.max_norm for layer in layers if layer.max_norm is not None]
        if bool(limits) != self._norms:
            self._replace(self._columns, norms=bool(limits))
            self._flow()
            relayout_soon(self.graphics)
        forms = norm_captions(limits)
        if limits and forms != self._norm_forms:
            self._norm_forms = forms
            for caption in self._norm_captions:
                caption.forms = forms
                caption.set_zoom(self._type_zoom)

    def _restyle(self, zoom: float) -> None:
        """The plots' and captions' type at ``zoom``."""
        for plots in self._layers:
            plots.set_zoom(zoom)
        for caption in self._all_captions():
            caption.set_zoom(zoom)

    def _place_captions(self) -> None:
        """Under each row of columns, across the columns it holds: a caption under the histograms and one under the
        heat maps."""
        ci = self.graphics.ci
        for caption in self._all_captions():
            if caption in ci.items:
                ci.removeItem(caption)
        layers, columns, block = len(self._layers), max(1, self._columns), self._block_rows()
        rows = math.ceil(layers / columns)
        while len(self._captions) < rows:
            pair = (Caption(HISTOGRAM_CAPTIONS), Caption(HEAT_CAPTIONS))
            self._captions.append(pair)
            self._norm_captions.append(Caption(self._norm_forms))
            for caption in (*pair, self._norm_captions[-1]):
                caption.set_zoom(self._type_zoom)
        for row, ((histograms, heat_maps), norms) in enumerate(zip(self._captions[:rows], self._norm_captions,
                                                                  strict=False)):
            span = min(columns, layers - row * columns)
            self.graphics.addItem(histograms, row=block * row + HISTOGRAM_CAPTION_ROW, col=0, colspan=span)
            self.graphics.addItem(heat_maps, row=block * row + HEAT_CAPTION_ROW, col=0, colspan=span)
            if self._norms:
                self.graphics.addItem(norms, row=block * row + NORM_CAPTION_ROW, col=0, colspan=span)

    def _all_captions(self) -> list[Caption]:
        """Every caption, in the grid or not: per row of columns the histograms', the heat maps', the unit norms'."""
        return [caption for pair, norms in zip(self._captions, self._norm_captions, strict=True)
                for caption in (*pair, norms)]

    def _fits_toggled(self, on: bool) -> None:
        self.fit_legend.setVisible(on)
        for i, (plots, snap) in enumerate(zip(self._layers, self._drawn, strict=True)):
            if snap is not None:
                plots.show_fits(snap.layers[i].kernel if on else None)


class WeightsPart:
    """A share of a WeightsView's columns (those ``i`` with ``i % parts == part``), drawn on a turn of its own of
    the window's render timer (gui/main_window.py)."""

    def __init__(self, view: WeightsView, part: int, parts: int) -> None:
        self.view, self.part, self.parts = view, part, parts

    def show_snapshot(self, snap: Snapshot | None) -> None:
        self.view.show_snapshot(snap, self.part, self.parts)

    def __str__(self) -> str:
        return f"WeightsView {self.part + 1}/{self.parts}"
