"""The weights of each Dense layer: a histogram now, and a heat map of the histograms over time.

Per layer (hidden layers, then the output layer) a column shows

- a readout: Σ|w| (what L1 penalizes), ‖w‖ (whose square L2 penalizes) and the share of weights near 0;
- the histogram of the kernel (negative weights orange, positive blue, the bin on zero grey) over bins that follow
  the weights (±R, engine/snapshot.py's WeightBins), its counts on a log axis so that a pile of weights at 0 does
  not flatten the rest; optionally with the Gaussian and the Laplace densities of the weights' own mean and
  standard deviation (median and mean absolute deviation) for comparison;
- a heat map of the last 300 epochs of histograms (one row per epoch, newest at the bottom) over bins fixed for
  ever on an asinh weight axis (linear within ±0.001, logarithmic beyond), coloured by log(1 + count) on a scale
  fixed by the layer's size: any two rows compare bin for bin and colour for colour.

What the axes are (weight on a linear or an asinh scale, count on a log scale, epoch) is said once per row of
columns, in a caption under the histograms and one under the heat maps (the longest wording that fits), not under
every plot: three columns of a laptop's quarter window have no room for three titles side by side. Tick labels that
would overlap another are left out (:class:`FittingAxis`), 0 and the ends first; the count and epoch axes step their
ticks so that their labels fit the plot's height.

The layer plots are built when the layers change (a new run); otherwise every frame only sets data, and
nothing a frame sets changes the layout: the readouts keep their size (:class:`Readout`) and every range is
set before painting (a range pyqtgraph works out while painting makes it paint again).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsItem,
    QGraphicsSimpleTextItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QWidget,
)

from engine.snapshot import (
    ASINH_BINS,
    ASINH_REACH,
    ASINH_SCALE,
    NEAR_ZERO,
    SHRINK_AFTER,
    LayerSnapshot,
    Snapshot,
    ladder,
    ladder_index,
)
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
GRID_SPACING = 2  # px between the rows of the grid (readouts, plots, captions)
BLOCK_ROWS = 5  # grid rows per row of columns: readouts, histograms, their caption, heat maps, their caption
LABEL_GAP = {"bottom": 0.2, "left": 0.4}  # of a tick label's height: the least room left between two tick labels
TICK_ROOM = 1.6  # of a tick label's height: the least distance between two labelled ticks up a plot's side
BOTTOM_REACH = 12  # px a vertical log axis' lowest label may reach under the axis (into the plot's empty corner)
MINOR_ROOM = 3.0  # of a tick label's height: a decade of the count axis this tall gets ticks at 2–9 times it
#: what the axes are, once per row of columns (the longest that fits the row's width; the last breaks into lines)
HISTOGRAM_CAPTIONS = ("x: weight (linear scale) · y: count (log scale)", "x: weight (linear) · y: count (log)",
                      "x: weight (linear)\ny: count (log)")
HEAT_CAPTIONS = ("x: weight (asinh scale) · y: epoch, newest at the bottom", "x: weight (asinh) · y: epoch",
                 "x: weight (asinh)\ny: epoch")
SMALLEST_TYPE = 0.7  # of the zoom: how far the plots' type shrinks so that the columns fit a narrow, short view
FIT_POINTS = 200
HEAT_LUT = np.linspace(PAPER, BLUE, 256).round().astype(np.uint8)  # white (no weights) → blue (all of them)
HEAT_REACH = float(np.arcsinh(ASINH_REACH / ASINH_SCALE))  # the heat map's x axis: u = asinh(w / 0.001), |u| ≤ this
HEAT_TICKS = (0.01, 1.0)  # weights labelled on the heat map's axis (and their negatives, and 0)
HEAT_MINOR_TICKS = (0.001, 0.1, 10.0)
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
EMPTY = math.log10(0.5)  # the count axis' floor: a bar of 1 weight reaches log10(1) = 0, an empty bin none
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


def log_heights(counts: np.ndarray) -> np.ndarray:
    """Bar heights above EMPTY on the log count axis: log10(count) − EMPTY, 0 for an empty bin."""
    counts = np.asarray(counts, dtype=float)
    return np.where(counts > 0, np.log10(np.maximum(counts, 1.0)) - EMPTY, 0.0)


def decade_levels(low: float, high: float, pixels_per_decade: float,
                  label_height: float) -> tuple[list[float], list[float]]:
    """A log axis' ticks between ``low`` and ``high`` (log10 values), as (labelled, unlabelled) log10 values.

    Decades (…, 0.1, 1, 10, 100, …) are labelled every 1st, 2nd, 3rd … decade, as far apart as the labels need
    (TICK_ROOM label heights), counting from the decade nearest 1 whose label fits under the axis' top (0.4 of a
    label height from it: above is the plot's neighbour; the lowest label may reach into the empty corner under the
    axis); the other decades are ticked without a label, and a decade at least MINOR_ROOM label heights tall also
    gets ticks at 2–9 times it."""
    decades = range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)
    room = TICK_ROOM * label_height
    step = next((k for k in (1, 2, 3, 5, 10) if k * pixels_per_decade >= room), 20)
    margin = 0.4 * label_height / max(pixels_per_decade, 1e-9)  # (pyqtgraph boxes a label 0.8 of its height)
    whole = [d for d in decades if d <= high - margin]
    anchor = min(whole, key=abs, default=0)
    major = [float(d) for d in whole if (d - anchor) % step == 0]
    minor = [float(d) for d in decades if float(d) not in major]
    if pixels_per_decade >= MINOR_ROOM * label_height:
        minor += [v for d in decades for m in range(2, 10) if (v := math.log10(m) + d) <= high]
    return major, sorted(minor)


def epoch_step(pixels_per_epoch: float, label_height: float) -> float:
    """Whole epochs between the epoch axis' labels: the least 1-2-5 step (1, 2, 5, 10, …) that keeps them TICK_ROOM
    label heights apart."""
    return max(1.0, ladder(ladder_index(TICK_ROOM * label_height / max(pixels_per_epoch, 1e-9))))


def fitting_labels(texts: list, gap: float, order: list[int] | None = None) -> list:
    """The tick labels (pyqtgraph's text specs: rect, flags, text) that come at least ``gap`` px short of every label
    kept before them, visited in ``order`` (indices; by default as given); in their original order."""
    kept: list[tuple[int, QRectF]] = []
    for i in range(len(texts)) if order is None else order:
        rect = texts[i][0].adjusted(-gap / 2, -gap / 2, gap / 2, gap / 2)
        if not any(rect.intersects(other) for _, other in kept):
            kept.append((i, rect))
    return [texts[i] for i in sorted(i for i, _ in kept)]


def centre_out(texts: list) -> list[int]:
    """The labels' indices, 0 first, then the largest |value| first: a weight axis keeps its centre and ends."""
    def rank(i: int) -> tuple[int, float]:
        try:
            value = abs(float(texts[i][2].replace("−", "-")))
        except ValueError:
            return 2, 0.0
        return (0 if value == 0 else 1), -value

    return sorted(range(len(texts)), key=rank)


def heat_x(weight: float) -> float:
    """A weight's place on the heat map's asinh axis."""
    return float(np.arcsinh(weight / ASINH_SCALE))


def heat_ticks() -> list[list[tuple[float, str]]]:
    """0, ±0.01 and ±1 labelled; ±0.001, ±0.1 and ±10 unlabelled."""
    major = [(0.0, "0")] + [(heat_x(s * w), f"{s * w:g}") for w in HEAT_TICKS for s in (-1, 1)]
    minor = [(heat_x(s * w), "") for w in HEAT_MINOR_TICKS for s in (-1, 1)]
    return [sorted(major), sorted(minor)]


def heat_colours(counts: np.ndarray, weights: int) -> np.ndarray:
    """HEAT_LUT indices for a row of counts: log(1 + count) / log(1 + weights), a scale fixed for the layer, so the
    same count has the same colour in every row and frame."""
    share = np.log1p(np.asarray(counts, dtype=float)) / math.log1p(max(weights, 1))
    return np.clip(share * (len(HEAT_LUT) - 1), 0, len(HEAT_LUT) - 1).round().astype(np.uint8)


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


class FittingAxis(pg.AxisItem):
    """An axis that leaves out a tick label (not its tick) that would come within LABEL_GAP label heights of another:
    pyqtgraph draws every label of its first level, on top of each other when the plot is small. With ``centred``
    (a weight axis) 0 and the ends keep their labels first."""

    def __init__(self, orientation: str, centred: bool = False) -> None:
        super().__init__(orientation)
        self.centred = centred

    def generateDrawSpecs(self, p):
        specs = super().generateDrawSpecs(p)
        if not specs or not specs[2]:
            return specs
        axis, ticks, texts = specs
        gap = LABEL_GAP[self.orientation] * texts[0][0].height()
        return axis, ticks, fitting_labels(texts, gap, centre_out(texts) if self.centred else None)

    def label_height(self) -> float:
        return QFontMetricsF(self.style["tickFont"] or QFont()).height()


class DecadeAxis(FittingAxis):
    """A vertical log axis of the plot's log10 values: labelled decades as far apart as their labels need
    (:func:`decade_levels`), written by :meth:`decade`."""

    def __init__(self) -> None:
        super().__init__("left")
        # pyqtgraph leaves out a label that reaches past the axis' ends; the lowest (1, the bars' base) may reach
        # into the empty corner under it (decade_levels keeps the top ones clear of the plot above)
        self.setStyle(hideOverlappingLabels=BOTTOM_REACH)

    def tickValues(self, minVal, maxVal, size):
        major, minor = decade_levels(minVal, maxVal, size / max(maxVal - minVal, 1e-9), self.label_height())
        return [(1.0, major), (0.0, minor)]  # the spacing only tells tickStrings which level it labels

    def tickStrings(self, values, scale, spacing):
        return [self.decade(round(v)) if spacing else "" for v in values]

    def decade(self, power: int) -> str:
        raise NotImplementedError


class CountAxis(DecadeAxis):
    """The histograms' log count axis: 1, 10, 100, …"""

    def decade(self, power: int) -> str:
        return f"{10 ** power:d}"


class Caption(pg.GraphicsWidget):
    """What the axes of a row of plots are, centred across the row: the longest of ``forms`` that fits the width the
    row gives it (the last may break into lines). Its text changes with the layout or the type, never in a frame."""

    MARGIN = 2

    def __init__(self, forms: tuple[str, ...]) -> None:
        super().__init__()
        self.forms = forms
        self.item = QGraphicsSimpleTextItem(self)
        self.item.setBrush(QColor(*INK))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._metrics = QFontMetricsF(QFont())

    @property
    def text(self) -> str:
        return self.item.text()

    def set_zoom(self, zoom: float) -> None:
        font = QFont()
        font.setPointSizeF(LABEL_PT * zoom)
        self.item.setFont(font)
        self._metrics = QFontMetricsF(font)
        self.setMinimumWidth(min(self._width(form) for form in self.forms))
        self.item.setText("")
        self._choose(self.size().width())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._choose(event.newSize().width())

    def _width(self, text: str) -> float:
        return max(self._metrics.horizontalAdvance(line) for line in text.split("\n")) + 2 * self.MARGIN

    def _choose(self, width: float) -> None:
        text = next((form for form in self.forms if self._width(form) <= width), self.forms[-1])
        if text != self.item.text():
            self.item.setText(text)
            height = math.ceil(self.item.boundingRect().height()) + 2 * self.MARGIN
            self.setMinimumHeight(height)
            self.setMaximumHeight(height)
        self.item.setPos(max(0.0, (width - self.item.boundingRect().width()) / 2), self.MARGIN)


class EpochAxis(FittingAxis):
    """The heat maps' epoch axis: whole epochs, a 1-2-5 step apart that leaves room for their labels
    (:func:`epoch_step`). The columns' axes show the same epochs at the same size and style, so the
    first to be drawn works out the ticks and labels and the others of its view reuse them (``shared``).

    (The epochs scroll, so these axes are drawn again on every frame; pyqtgraph's Python that places the ticks
    and measures the labels was the dearest part of the weights view's frame.)
    """

    def __init__(self, shared: dict) -> None:
        super().__init__("left")
        self.shared = shared  # one per view: {"key": …, "specs": …, "width": …}

    def tickSpacing(self, minVal, maxVal, size):
        return [(epoch_step(size / max(maxVal - minVal, 1e-9), self.label_height()), 0.0)]

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
    """The items of one layer's column: readout, histogram (with the comparison curves) and history heat map."""

    def __init__(self, graphics: pg.GraphicsLayoutWidget, row: int, column: int, edges: np.ndarray,
                 shared_ticks: dict) -> None:
        self.readout = Readout()
        self.readout_text = ""
        self.histogram = pg.PlotItem(axisItems={"left": CountAxis(), "bottom": FittingAxis("bottom", centred=True)})
        self.heat = pg.PlotItem(axisItems={"left": EpochAxis(shared_ticks),
                                           "bottom": FittingAxis("bottom", centred=True)})
        self.place(graphics, row, column)

        # One bar item per colour: a single-colour BarGraphItem draws all its bars in one call, a many-colour one
        # draws them one by one from Python.
        self.bars = {colour: pg.BarGraphItem(x0=[], x1=[], y0=EMPTY, height=[], brush=colour)
                     for colour in (ORANGE, GREY, BLUE)}
        self.heights = np.zeros(0)
        self.gaussian = pg.PlotDataItem(antialias=True)
        self.laplace = pg.PlotDataItem(antialias=True)
        for bars in self.bars.values():
            self.histogram.addItem(bars)
        self.histogram.addItem(self.gaussian)
        self.histogram.addItem(self.laplace)
        self.histogram.setMouseEnabled(x=False, y=False)

        self.image = pg.ImageItem(axisOrder="row-major")  # RGB, coloured through HEAT_LUT by _record
        self.heat.addItem(self.image)
        self.heat.invertY(True)  # newest epoch at the bottom
        self.heat.getAxis("bottom").setTicks(heat_ticks())
        self.heat.setXRange(-HEAT_REACH, HEAT_REACH, padding=0)
        self.heat.setMouseEnabled(x=False, y=False)
        for plot in (self.histogram, self.heat):
            plot.setMenuEnabled(False)
            plot.hideButtons()
        self.start_run(edges)

    @property
    def items(self) -> tuple[pg.GraphicsWidget, ...]:
        return self.readout, self.histogram, self.heat

    def place(self, graphics: pg.GraphicsLayoutWidget, row: int, column: int) -> None:
        """Put the column's items at ``row`` (readout; the histogram and heat map below it, each with the row of
        columns' caption under it) and ``column``."""
        for offset, item in zip((0, 1, 3), self.items, strict=True):
            graphics.addItem(item, row=row + offset, col=column)

    def min_width(self) -> float:
        return max(item.effectiveSizeHint(Qt.SizeHint.MinimumSize).width() for item in self.items)

    def start_run(self, edges: np.ndarray) -> None:
        """A new run: empty history and histogram on ``edges``."""
        self.ring = np.zeros((HISTORY_EPOCHS, ASINH_BINS))
        self.colours = np.zeros((HISTORY_EPOCHS, ASINH_BINS, 3), np.uint8)  # the ring's rows as RGB, via HEAT_LUT
        self.head = 0  # where the next epoch's row goes
        self.filled = 0
        self.last_epoch: int | None = None
        self.peak = 1.0  # the histogram's y range only grows during a run, so frames compare
        self.image.clear()
        self.set_bins(edges)
        self._show_peak()
        self._settle()

    def set_bins(self, edges: np.ndarray) -> None:
        """The histogram's bins (the engine widens or narrows them as the weights spread or shrink), bars coloured
        by the sign of their centre; the heat map's bins never change."""
        self.edges = np.asarray(edges, dtype=float)
        centres = (self.edges[:-1] + self.edges[1:]) / 2
        width = self.edges[1] - self.edges[0]
        colours = np.array([GREY if abs(c) < width / 2 else BLUE if c > 0 else ORANGE for c in centres])
        self._bins = {colour: (colours == colour).all(axis=-1) for colour in self.bars}  # which bins each item draws
        for colour, bars in self.bars.items():
            which = self._bins[colour]
            bars.setOpts(x0=self.edges[:-1][which], x1=self.edges[1:][which], height=np.zeros(which.sum()))
        self.heights = np.zeros(len(self.edges) - 1)
        self.histogram.setXRange(self.edges[0], self.edges[-1], padding=0)

    def draw(self, layer: LayerSnapshot, epoch: int, fits: bool, zoom: float) -> None:
        if self.last_epoch is not None and epoch < self.last_epoch:  # an earlier epoch: a new run
            self.start_run(layer.histogram_edges)
        elif layer.histogram_edges is not self.edges and not np.array_equal(layer.histogram_edges, self.edges):
            self.set_bins(layer.histogram_edges)
        self.readout_text = readout(layer)
        self.readout.set_lines(readout_lines(self.readout_text))
        counts = np.asarray(layer.histogram, dtype=float)
        self.heights = counts
        tops = log_heights(counts)
        for colour, bars in self.bars.items():
            bars.setOpts(height=tops[self._bins[colour]])
        if counts.max(initial=0) > self.peak:
            self.peak = float(counts.max())
            self._show_peak()
        self._record(layer.asinh_histogram, layer.kernel.size, epoch)
        self.show_fits(layer.kernel if fits else None)
        self._settle()

    def _show_peak(self) -> None:
        top = math.log10(self.peak)
        self.histogram.setYRange(EMPTY, top + 0.08 * (top - EMPTY), padding=0)

    def _settle(self) -> None:
        for plot in (self.histogram, self.heat):
            settle(plot.getViewBox())

    def show_fits(self, kernel: np.ndarray | None) -> None:
        curves = None if kernel is None else fitted_curves(kernel, self.edges)
        for item, k in ((self.gaussian, 1), (self.laplace, 2)):
            item.setVisible(curves is not None)
            if curves is not None:  # on the log count axis; below one weight per bin the view cuts them off
                item.setData(curves[0], np.log10(np.clip(curves[k], 0.1, 1.5 * self.peak)))

    def _record(self, counts: np.ndarray, weights: int, epoch: int) -> None:
        """One ring row per epoch; epochs skipped between two frames repeat the newer histogram."""
        if self.last_epoch == epoch:  # the same epoch again (e.g. redrawn after an edit): replace its row
            self.head = (self.head - 1) % HISTORY_EPOCHS
            self.filled -= 1
        steps = 1 if self.last_epoch is None else min(epoch - self.last_epoch, HISTORY_EPOCHS) or 1
        rows = (self.head + np.arange(steps)) % HISTORY_EPOCHS
        self.ring[rows] = counts
        self.colours[rows] = HEAT_LUT[heat_colours(counts, weights)]
        self.head = (self.head + steps) % HISTORY_EPOCHS
        self.filled = min(self.filled + steps, HISTORY_EPOCHS)
        self.last_epoch = epoch
        self.image.setImage(self.colours.take(self._rows(), axis=0), levels=None, autoLevels=False)
        first = epoch - self.filled + 1
        self.image.setRect(-HEAT_REACH, first - 0.5, 2 * HEAT_REACH, self.filled)
        self.heat.setYRange(first - 0.5, epoch + 0.5, padding=0)  # the recorded epochs, newest at the bottom

    def _rows(self) -> np.ndarray:
        """The ring's rows, oldest epoch first."""
        return (self.head - self.filled + np.arange(self.filled)) % HISTORY_EPOCHS

    def history(self) -> np.ndarray:
        """The heat map's histograms (over engine.snapshot.ASINH_EDGES), oldest epoch first (epochs × bins)."""
        return self.ring[self._rows()]

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
        self._captions: list[tuple[Caption, Caption]] = []  # (histograms', heat maps') per row of columns

        self.fit_box = QCheckBox("Gaussian / Laplace curves")
        self.fit_box.setToolTip(
            "Draw, for comparison, the Gaussian density with the mean and standard deviation of each layer's weights "
            "and the Laplace density with their median and mean absolute deviation from it, both scaled to weights "
            "per bin. On the log count axis a Gaussian is a parabola and a Laplace a tent.\n"
            "These are shapes to compare with, not what a regularizer makes: the minimum of loss + λΣw² is the MAP "
            "estimate under a zero-mean Gaussian prior on the weights and that of loss + λΣ|w| under a zero-mean "
            "Laplace prior (the loss read as a negative log-likelihood), but a prior does not predict the trained "
            "weights' histogram; L1's pile of weights at 0 is not a Laplace curve."
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
        # Thin margins and rows close together: on a laptop the view is ≈ 220 px high for readouts, two captions,
        # two x axes and two plots, and pyqtgraph's 9 px margins and 6 px spacing would take a third of the plots'.
        self.graphics.ci.setContentsMargins(4, 2, 4, 2)
        self.graphics.ci.layout.setVerticalSpacing(GRID_SPACING)
        self.graphics.sigDeviceRangeChanged.connect(self._flow)  # the view was resized
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
        fits = self.fit_box.isChecked()
        for i in range(part, len(self._layers), parts):
            plots, layer = self._layers[i], snap.layers[i]
            if self._drawn[i] is snap:
                continue
            self._drawn[i] = snap
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
        self._restyle(factor)
        self._flow()

    # ------------------------------------------------------------------ for tests and other views

    def layer_count(self) -> int:
        """Layers shown (0 after clear(), until the next snapshot)."""
        return 0 if self._cleared else len(self._layers)

    def histogram_heights(self, i: int) -> np.ndarray:
        return np.asarray(self._layers[i].heights)

    def history_image(self, i: int) -> np.ndarray:
        """Layer ``i``'s heat-map rows: counts over engine.snapshot.ASINH_EDGES, oldest epoch first (epochs × bins)."""
        return self._layers[i].history()

    def readout_text(self, i: int) -> str:
        return self._layers[i].readout_text

    def captions(self) -> list[str]:
        """The captions shown under the rows of columns (what the axes are), top to bottom."""
        return [caption.text for pair in self._captions for caption in pair if caption.scene() is not None]

    def text_boxes(self) -> list[tuple[str, QRectF]]:
        """Every text the plots show, with its box in the scene: readouts, captions, axis titles and the tick labels
        pyqtgraph would paint now (the view must be shown)."""
        boxes = [(item.text(), item.sceneBoundingRect()) for plots in self._layers for item in plots.readout.items
                 if item.text()]
        boxes += [(caption.text, caption.item.sceneBoundingRect()) for pair in self._captions for caption in pair
                  if caption.scene() is not None]
        image = QImage(1, 1, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        try:
            for plots in self._layers:
                for plot in (plots.histogram, plots.heat):
                    for name in ("left", "bottom"):
                        axis = plot.getAxis(name)
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
        self._drawn = [None] * len(layers)
        self._captions = []
        shared: dict = {}  # the epoch axes' ticks, worked out once a frame (EpochAxis)
        self._columns = self._column_count(MAX_COLUMNS)
        for i, layer in enumerate(layers):
            plots = _LayerPlots(self.graphics, BLOCK_ROWS * (i // self._columns), i % self._columns,
                                layer.histogram_edges, shared)
            plots.set_zoom(self._type_zoom)
            plots.blank(layer.name)  # its numbers at its first turn
            self._layers.append(plots)
        self._place_captions()
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
            self._restyle(type_zoom)
            self._need = max(plots.min_width() for plots in self._layers)
        if columns != self._columns:
            self._columns = columns
            ci = self.graphics.ci
            for plots in self._layers:
                for item in plots.items:
                    ci.removeItem(item)
            for i, plots in enumerate(self._layers):
                plots.place(self.graphics, BLOCK_ROWS * (i // columns), i % columns)
            self._place_captions()
        elif not restyle:
            return
        relayout_soon(self.graphics)

    def _restyle(self, zoom: float) -> None:
        """The plots' and captions' type at ``zoom``."""
        for plots in self._layers:
            plots.set_zoom(zoom)
        for pair in self._captions:
            for caption in pair:
                caption.set_zoom(zoom)

    def _place_captions(self) -> None:
        """Under each row of columns, across the columns it holds: a caption under the histograms and one under the
        heat maps."""
        ci = self.graphics.ci
        for pair in self._captions:
            for caption in pair:
                if caption in ci.items:
                    ci.removeItem(caption)
        layers, columns = len(self._layers), max(1, self._columns)
        rows = math.ceil(layers / columns)
        while len(self._captions) < rows:
            pair = (Caption(HISTOGRAM_CAPTIONS), Caption(HEAT_CAPTIONS))
            for caption in pair:
                caption.set_zoom(self._type_zoom)
            self._captions.append(pair)
        for row, (histograms, heat_maps) in enumerate(self._captions[:rows]):
            span = min(columns, layers - row * columns)
            self.graphics.addItem(histograms, row=BLOCK_ROWS * row + 2, col=0, colspan=span)
            self.graphics.addItem(heat_maps, row=BLOCK_ROWS * row + 4, col=0, colspan=span)

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

