"""The weights of each Dense layer: a histogram now, and a heat map of the histograms over time.

Per layer (hidden layers, then the output layer) a column shows

- a readout: Σ|w| (what L1 penalizes), ‖w‖ (whose square L2 penalizes) and the share of weights near 0;
- the histogram of the kernel over the run's fixed bins (negative weights orange, positive blue, the bin
  on zero grey), optionally with a Gaussian and a Laplace fitted to the weights: L2 pulls the weights
  towards the first shape, L1 towards the second;
- a heat map of the last 300 epochs of histograms (one row per epoch, newest at the bottom), on the same
  weight axis, so L2's steady shrinking and L1's spike at zero can be seen growing.

The layer plots are built when the layers change (a new run); otherwise every frame only sets data, and
nothing a frame sets changes the layout: the readouts keep their size (:class:`Readout`) and every range is
set before painting (a range pyqtgraph works out while painting makes it paint again).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsItem,
    QGraphicsSimpleTextItem,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from engine.snapshot import NEAR_ZERO, LayerSnapshot, Snapshot
from gui.palette import BLUE, GREY, INK, ORANGE, PAPER, PURPLE
from gui.plot_style import (
    LABEL_PT,
    flush_column,
    layout_width,
    paper_graphics,
    relayout_soon,
    scaled_font,
    settle,
    style_plot,
    white_background,
    zoom_check_box,
)

HISTORY_EPOCHS = 300
MAX_COLUMNS = 3  # layers side by side before the blocks wrap into a second row
ROW_HEIGHT = 250  # px at zoom 1 a row of layers needs (readout, histogram, heat map) before wrapping is worth it
SMALLEST_TYPE = 0.7  # of the zoom: how far the plots' type shrinks so that the columns fit a narrow, short view
FIT_POINTS = 200
HEAT_LUT = np.linspace(PAPER, BLUE, 256).round().astype(np.uint8)  # white (no weights) → blue (many)
GAUSSIAN_COLOUR, LAPLACE_COLOUR = INK, PURPLE


#: sizes a readout before the first numbers arrive, as wide as most numbers get (3 significant digits: "0.123",
#: "12.3", "1087"); a wider one (e.g. "0.000123") grows the box once
TEMPLATE = ("hidden 8", "L1 Σ|w| = 0.123", "L2 ‖w‖ = 0.123", "100 % near 0")


def layer_title(name: str) -> str:
    """"hidden_1" → "hidden 1"."""
    return name.replace("_", " ")


def readout(layer: LayerSnapshot) -> str:
    """"hidden 1 — L1 Σ|w| = 12.3 · L2 ‖w‖ = 3.4 · 18 % near 0"."""
    return (
        f"{layer_title(layer.name)} — L1 Σ|w| = {_number(layer.l1_norm)} · L2 ‖w‖ = {_number(layer.l2_norm)}"
        f" · {100 * layer.near_zero:.0f} % near 0"
    )


def fitted_curves(kernel: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(x, Gaussian, Laplace) over the bins' range, scaled to counts per bin; None if all weights are equal.

    The Gaussian has the weights' mean and standard deviation (the maximum-likelihood fit); the Laplace
    their median and mean absolute deviation from it.
    """
    w = kernel.ravel().astype(np.float64)
    mean, std = w.mean(), w.std()
    median = np.median(w)
    spread = np.abs(w - median).mean()
    if w.size < 2 or std == 0 or spread == 0:
        return None
    x = np.linspace(edges[0], edges[-1], FIT_POINTS)
    scale = w.size * (edges[1] - edges[0])  # density → count per bin
    gaussian = scale * np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))
    laplace = scale * np.exp(-np.abs(x - median) / spread) / (2 * spread)
    return x, gaussian, laplace


def readout_lines(text: str) -> tuple[str, str, str, str]:
    """:func:`readout`'s text as four lines (name, L1, L2, share near 0), so three layers fit side by side (what
    "near 0" means is written once, above the columns)."""
    name, numbers = text.split(" — ", 1)
    l1, l2, near_zero = numbers.split(" · ")
    return name, l1, l2, near_zero


class Readout(pg.GraphicsWidget):
    """Lines of text (the first bold) in a box that keeps its size while the numbers in them change.

    (pg.LabelItem takes the size of each new text, and a new size lays out every plot of the view again: a
    second full paint per frame; it also parses HTML for every new number.) The box only grows, to fit a wider
    line; :meth:`reset` sizes it for TEMPLATE at a zoom.
    """

    MARGIN = 4  # around the text, as a QGraphicsTextItem (pg.LabelItem) has

    def __init__(self) -> None:
        super().__init__()
        self.items = [QGraphicsSimpleTextItem(self) for _ in TEMPLATE]
        for item in self.items:
            item.setBrush(QColor(*INK))
        self.lines: tuple[str, ...] = ()
        self._size = (0, 0)

    def set_lines(self, lines: tuple[str, ...]) -> None:
        for item, line, old in zip(self.items, lines, self.lines or ("",) * len(lines), strict=True):
            if line != old:
                item.setText(line)
        self.lines = tuple(lines)
        self._fit()

    def reset(self, zoom: float) -> None:
        """Fonts for ``zoom`` and the box sized for TEMPLATE; the title stays, the numbers are blank until the next
        ones arrive (the box grows if they are wider)."""
        title = self.lines[0] if self.lines else ""
        y = self.MARGIN
        for i, item in enumerate(self.items):
            font = QFont()
            font.setPointSizeF(LABEL_PT * zoom)
            font.setBold(i == 0)
            item.setFont(font)
            item.setPos(self.MARGIN, y)
            y += QFontMetricsF(font).lineSpacing()
        self._size = (0, 0)
        self.lines = ()
        self.set_lines(TEMPLATE)  # only to size the box, never painted: its numbers would read as a layer's
        self.show_title(title)

    def show_title(self, title: str) -> None:
        """The layer's name, and no numbers (until its own arrive)."""
        self.set_lines((title, "", "", ""))

    def _fit(self) -> None:
        width = max(item.boundingRect().width() for item in self.items) + 2 * self.MARGIN
        last = self.items[-1]
        height = last.pos().y() + last.boundingRect().height() + self.MARGIN
        size = (max(self._size[0], math.ceil(width)), max(self._size[1], math.ceil(height)))
        if size != self._size:
            self._size = size
            self.setMinimumSize(*size)
            self.setPreferredSize(*size)
            self.setMaximumHeight(size[1])


class EpochAxis(pg.AxisItem):
    """The heat maps' epoch axis. The columns' axes show the same epochs at the same size and style, so the
    first to be drawn works out the ticks and labels and the others of its view reuse them (``shared``).

    (The epochs scroll, so these axes are drawn again on every frame; pyqtgraph's Python that places the ticks
    and measures the labels was the dearest part of the weights view's frame.)
    """

    def __init__(self, shared: dict) -> None:
        super().__init__("left")
        self.shared = shared  # one per view: {"key": …, "specs": …, "width": …}

    def generateDrawSpecs(self, p):
        # (The device transform is left out of the key: one view, one device. Asking pyqtgraph for it here crashed
        # Qt after a rebuild.)
        font = self.style["tickFont"]
        key = (tuple(self.range), self.mapRectFromParent(self.geometry()).getRect(),
               None if font is None else font.key(),
               self.style["tickLength"], tuple(self.style["tickTextOffset"]), self.logMode, self.grid)
        if self.shared.get("key") == key:
            self._updateMaxTextSize(self.shared["width"])
            return self.shared["specs"]
        specs = super().generateDrawSpecs(p)
        self.shared.update(key=key, specs=specs, width=self.textWidth)
        return specs


class _LayerPlots:
    """The items of one layer's column: readout, histogram (with fits) and history heat map."""

    def __init__(self, graphics: pg.GraphicsLayoutWidget, row: int, column: int, edges: np.ndarray,
                 shared_ticks: dict) -> None:
        self.readout = Readout()
        self.readout_text = ""
        self.histogram = pg.PlotItem()
        self.heat = pg.PlotItem(axisItems={"left": EpochAxis(shared_ticks)})
        self.place(graphics, row, column)

        # One bar item per colour: a single-colour BarGraphItem draws all its bars in one call, a many-colour one
        # draws them one by one from Python.
        self.bars = {colour: pg.BarGraphItem(x0=[], x1=[], height=[], brush=colour) for colour in (ORANGE, GREY, BLUE)}
        self.heights = np.zeros(0)
        self.gaussian = pg.PlotDataItem(antialias=True)
        self.laplace = pg.PlotDataItem(antialias=True)
        for bars in self.bars.values():
            self.histogram.addItem(bars)
        self.histogram.addItem(self.gaussian)
        self.histogram.addItem(self.laplace)
        self.histogram.setLabel("left", "count")
        self.histogram.getAxis("bottom").setStyle(showValues=False)
        self.histogram.setMouseEnabled(x=False, y=False)

        self.image = pg.ImageItem(axisOrder="row-major")  # RGB, coloured through HEAT_LUT by _record
        self.heat.addItem(self.image)
        self.heat.setXLink(self.histogram)
        self.heat.enableAutoRange(x=False)
        self.heat.invertY(True)  # newest epoch at the bottom
        self.heat.setLabel("left", "epoch")
        self.heat.setLabel("bottom", "weight")
        self.heat.setMouseEnabled(x=False, y=False)
        for plot in (self.histogram, self.heat):
            plot.setMenuEnabled(False)
            plot.hideButtons()
        self.start_run(edges)

    @property
    def items(self) -> tuple[pg.GraphicsWidget, ...]:
        return self.readout, self.histogram, self.heat

    def place(self, graphics: pg.GraphicsLayoutWidget, row: int, column: int) -> None:
        """Put the column's items at ``row`` (readout; the histogram and heat map below it) and ``column``."""
        for offset, item in enumerate(self.items):
            graphics.addItem(item, row=row + offset, col=column)

    def min_width(self) -> float:
        return max(item.effectiveSizeHint(Qt.SizeHint.MinimumSize).width() for item in self.items)

    def start_run(self, edges: np.ndarray) -> None:
        """New fixed bins: empty history, bars coloured by the sign of their centre."""
        self.edges = np.asarray(edges, dtype=float)
        bins = len(self.edges) - 1
        centres = (self.edges[:-1] + self.edges[1:]) / 2
        width = self.edges[1] - self.edges[0]
        colours = np.array([GREY if abs(c) < width / 2 else BLUE if c > 0 else ORANGE for c in centres])
        self._bins = {colour: (colours == colour).all(axis=-1) for colour in self.bars}  # which bins each item draws
        for colour, bars in self.bars.items():
            which = self._bins[colour]
            bars.setOpts(x0=self.edges[:-1][which], x1=self.edges[1:][which], height=np.zeros(which.sum()))
        self.heights = np.zeros(bins)
        self.ring = np.zeros((HISTORY_EPOCHS, bins))
        self.head = 0  # where the next epoch's row goes
        self.filled = 0
        self.last_epoch: int | None = None
        self.peak = 1.0  # the histogram's y range only grows during a run, so frames compare
        self.image.clear()
        self.histogram.setXRange(self.edges[0], self.edges[-1], padding=0)
        self.histogram.setYRange(0, self.peak, padding=0.05)
        self._settle()

    def draw(self, layer: LayerSnapshot, epoch: int, fits: bool, zoom: float) -> None:
        if self.last_epoch is not None and epoch < self.last_epoch:  # an earlier epoch: a new run, same bins
            self.start_run(self.edges)
        self.readout_text = readout(layer)
        self.readout.set_lines(readout_lines(self.readout_text))
        counts = np.asarray(layer.histogram, dtype=float)
        self.heights = counts
        for colour, bars in self.bars.items():
            bars.setOpts(height=counts[self._bins[colour]])
        if counts.max(initial=0) > self.peak:
            self.peak = float(counts.max())
            self.histogram.setYRange(0, self.peak, padding=0.05)
        self._record(counts, epoch)
        self.show_fits(layer.kernel if fits else None)
        self._settle()

    def _settle(self) -> None:
        for plot in (self.histogram, self.heat):
            settle(plot.getViewBox())

    def show_fits(self, kernel: np.ndarray | None) -> None:
        curves = None if kernel is None else fitted_curves(kernel, self.edges)
        for item, k in ((self.gaussian, 1), (self.laplace, 2)):
            item.setVisible(curves is not None)
            if curves is not None:
                item.setData(curves[0], np.minimum(curves[k], 1.5 * self.peak))  # a tall spike must not squash the rest

    def _record(self, counts: np.ndarray, epoch: int) -> None:
        """One ring row per epoch; epochs skipped between two frames repeat the newer histogram."""
        if self.last_epoch == epoch:  # the same epoch again (e.g. redrawn after an edit): replace its row
            self.head = (self.head - 1) % HISTORY_EPOCHS
            self.filled -= 1
        steps = 1 if self.last_epoch is None else min(epoch - self.last_epoch, HISTORY_EPOCHS) or 1
        self.ring[(self.head + np.arange(steps)) % HISTORY_EPOCHS] = counts
        self.head = (self.head + steps) % HISTORY_EPOCHS
        self.filled = min(self.filled + steps, HISTORY_EPOCHS)
        self.last_epoch = epoch
        history = np.sqrt(self.history())
        # As the ImageItem would map levels (0, top) onto HEAT_LUT, in one look-up instead of its Python pipeline.
        scale = len(HEAT_LUT) / max(float(history.max()), 1.0)
        index = np.clip(history * scale, 0, len(HEAT_LUT) - 1).astype(np.uint8)
        self.image.setImage(HEAT_LUT[index], levels=None, autoLevels=False)
        first = epoch - self.filled + 1
        self.image.setRect(self.edges[0], first - 0.5, self.edges[-1] - self.edges[0], self.filled)
        self.heat.setYRange(first - 0.5, epoch + 0.5, padding=0)  # the recorded epochs, newest at the bottom

    def history(self) -> np.ndarray:
        """The recorded histograms, oldest epoch first (epochs × bins)."""
        rows = (self.head - self.filled + np.arange(self.filled)) % HISTORY_EPOCHS
        return self.ring[rows]

    def blank(self, name: str) -> None:
        """The layer's name without numbers or fitted curves, until its first drawing."""
        self.readout_text = ""
        self.readout.show_title(layer_title(name))
        self.show_fits(None)

    def set_zoom(self, zoom: float) -> None:
        self.readout.reset(zoom)
        if self.readout_text:
            self.readout.set_lines(readout_lines(self.readout_text))  # the box sized, the numbers back
        for plot in (self.histogram, self.heat):
            style_plot(plot, zoom)
        # Drawn again on every frame anyway (the epochs scroll): a pixmap cache would only add a copy.
        self.heat.getAxis("left").setCacheMode(QGraphicsItem.CacheMode.NoCache)
        for bars in self.bars.values():
            bars.setOpts(pen=pg.mkPen(PAPER, width=0.5 * zoom))
        self.gaussian.setPen(pg.mkPen(GAUSSIAN_COLOUR, width=2 * zoom))
        self.laplace.setPen(pg.mkPen(LAPLACE_COLOUR, width=2 * zoom, style=Qt.PenStyle.DashLine))


class WeightsView(QWidget):
    """Weight histograms per Dense layer, with their history as heat maps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zoom = 1.0
        self._last: Snapshot | None = None
        self._layers: list[_LayerPlots] = []
        self._drawn: list[Snapshot | None] = []  # per column, the snapshot it shows
        self._names: list[str] = []
        self._columns = 0  # side by side; the other layers wrap into rows below
        self._type_zoom = 1.0  # the plots' type: the zoom, or less where the columns would not fit (_flow)
        self._need = 0.0  # the widest column's minimum width when _flow last looked
        self._cleared = False  # the columns kept after clear(), hidden until the next run's first snapshot

        self.fit_box = QCheckBox("fit Gaussian / Laplace")
        self.fit_box.setToolTip(
            "Overlay a Gaussian (mean, standard deviation) and a Laplace (median, mean absolute deviation) fitted "
            "to each layer's weights: L2 pulls weights towards the first shape, L1 towards the second."
        )
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
        self.graphics.sigDeviceRangeChanged.connect(self._flow)  # the view was resized
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
        fits = self.fit_box.isChecked()
        for i in range(part, len(self._layers), parts):
            plots, layer = self._layers[i], snap.layers[i]
            if self._drawn[i] is snap:
                continue
            self._drawn[i] = snap
            if not np.array_equal(plots.edges, layer.histogram_edges):
                plots.start_run(layer.histogram_edges)
            plots.draw(layer, snap.epoch, fits, self._zoom)
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
        for plots in self._layers:
            plots.set_zoom(factor)
        self._flow()

    # ------------------------------------------------------------------ for tests and other views

    def layer_count(self) -> int:
        """Layers shown (0 after clear(), until the next snapshot)."""
        return 0 if self._cleared else len(self._layers)

    def histogram_heights(self, i: int) -> np.ndarray:
        return np.asarray(self._layers[i].heights)

    def history_image(self, i: int) -> np.ndarray:
        """Layer ``i``'s recorded histograms, oldest epoch first (epochs × bins); shown as their square roots."""
        return self._layers[i].history()

    def readout_text(self, i: int) -> str:
        return self._layers[i].readout_text

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
        self._drawn = [None] * len(layers)
        shared: dict = {}  # the epoch axes' ticks, worked out once a frame (EpochAxis)
        self._columns = self._column_count(MAX_COLUMNS)
        for i, layer in enumerate(layers):
            plots = _LayerPlots(self.graphics, 3 * (i // self._columns), i % self._columns, layer.histogram_edges,
                                shared)
            plots.set_zoom(self._type_zoom)
            plots.blank(layer.name)  # its numbers at its first turn
            self._layers.append(plots)
        self.graphics.setVisible(bool(layers))
        self.message.setVisible(not layers)
        self._flow()

    def _column_count(self, most: int) -> int:
        """Columns for the layers, at most ``most``, with the rows as evenly filled as can be (4 layers: 2 × 2)."""
        layers = len(self._names)
        rows = math.ceil(layers / max(1, most))
        return math.ceil(layers / rows) if rows else 0

    def _flow(self, *_) -> None:
        """As many columns side by side (up to MAX_COLUMNS) as the view's width holds, the other layers in rows below:
        columns wider than the view (big type on a projector, a narrow window) would be cut off at its right edge.
        Where rows would squash the plots flat (a short view) and the columns do not fit either (a 1024 × 768
        projector), the plots' type gets smaller, down to SMALLEST_TYPE of the zoom. Called when the view changes
        size, the type changes, the layers do, or a column grows (a wider number or axis label)."""
        if not self._layers:
            return
        room = layout_width(self.graphics)
        spacing = self.graphics.ci.layout.horizontalSpacing()
        self._need = max(plots.min_width() for plots in self._layers)
        need = self._need * self._zoom / self._type_zoom + spacing  # a column at the full type size (it scales)
        columns = self._column_count(max(1, min(MAX_COLUMNS, int(room // max(need, 1.0)))))
        if math.ceil(len(self._layers) / columns) * ROW_HEIGHT * self._zoom > self.graphics.height():
            columns = self._column_count(MAX_COLUMNS)  # rows would squash the plots flat: the widest layout
        fit = room / (columns * need)
        type_zoom = self._zoom * (1.0 if fit >= 1 else max(SMALLEST_TYPE, 0.97 * fit))
        restyle = abs(type_zoom - self._type_zoom) > 0.02 * self._zoom
        if restyle:
            self._type_zoom = type_zoom
            for plots in self._layers:
                plots.set_zoom(type_zoom)
            self._need = max(plots.min_width() for plots in self._layers)
        if columns != self._columns:
            self._columns = columns
            ci = self.graphics.ci
            for plots in self._layers:
                for item in plots.items:
                    ci.removeItem(item)
            for i, plots in enumerate(self._layers):
                plots.place(self.graphics, 3 * (i // columns), i % columns)
        elif not restyle:
            return
        relayout_soon(self.graphics)

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


def _number(value: float) -> str:
    """3 significant digits, without exponents for the sizes weights norms have."""
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"

