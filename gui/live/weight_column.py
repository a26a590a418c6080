"""One layer's column of the weights view: its readout, the histogram of its kernel now, a heat map of the
histograms of the last HISTORY_EPOCHS epochs (one row per epoch, newest at the bottom) and, while the view shows them,
its units' norms against its max-norm c (gui/live/unit_norms.py).

The column's plot items are made once; every frame only sets data, and sets every range before painting (a range
pyqtgraph works out while painting makes it paint again).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem

from engine.training.snapshot import ASINH_BINS, LayerSnapshot
from gui.live.unit_norms import UnitNormPlot
from gui.live.weight_drawing import (
    EMPTY,
    GAUSSIAN_COLOUR,
    HEAT_LUT,
    HEAT_REACH,
    HISTORY_EPOCHS,
    LAPLACE_COLOUR,
    bar_colours,
    fitted_curves,
    heat_colours,
    heat_ticks,
    log_heights,
)
from gui.live.weight_readout import LayerReadout, Readout, layer_title
from gui.plotting.palette import BLUE, GREY, ORANGE, PAPER
from gui.plotting.plot_axes import CountAxis, EpochAxis, FittingAxis
from gui.plotting.plot_style import settle, style_plot

BLOCK_ROWS = 5  # grid rows per row of columns: readouts, histograms, their caption, heat maps, their caption
HISTOGRAM_CAPTION_ROW, HEAT_CAPTION_ROW = 2, 4  # of a block: the captions under the histograms and the heat maps
NORM_ROWS, NORM_CAPTION_ROW = 2, 6  # with the unit norms shown: their plots and caption below the heat maps'


class LayerColumn:
    """The items of one layer's column: readout, histogram (with the comparison curves) and history heat map."""

    def __init__(self, graphics: pg.GraphicsLayoutWidget, row: int, column: int, edges: np.ndarray,
                 shared_ticks: dict) -> None:
        self.readout = Readout()
        self.numbers: LayerReadout | None = None  # what the readout shows; None until the layer's first drawing
        self.histogram = pg.PlotItem(axisItems={"left": CountAxis(), "bottom": FittingAxis("bottom", centred=True)})
        self.norms: UnitNormPlot | None = None  # made the first time the view shows unit norms
        self.norms_shown = False
        self.zoom = 1.0
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
        shown = (self.readout, self.histogram, self.heat)
        return (*shown, self.norms.plot) if self.norms_shown else shown

    def place(self, graphics: pg.GraphicsLayoutWidget, row: int, column: int) -> None:
        """Put the column's items at ``row`` (readout; the histogram, heat map and unit norms below it, each with the
        row of columns' caption under it) and ``column``."""
        offsets = (0, HISTOGRAM_CAPTION_ROW - 1, HEAT_CAPTION_ROW - 1, NORM_CAPTION_ROW - 1)
        for offset, item in zip(offsets, self.items, strict=False):
            graphics.addItem(item, row=row + offset, col=column)

    def show_norms(self, on: bool) -> None:
        """Whether the column has its unit-norm plot (the caller places the items again)."""
        if on and self.norms is None:
            self.norms = UnitNormPlot()
            self.norms.set_zoom(self.zoom)
        self.norms_shown = on

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
        if self.norms is not None:
            self.norms.start_run()
        self.image.clear()
        self.set_bins(edges)
        self._show_peak()
        self._settle()

    def set_bins(self, edges: np.ndarray) -> None:
        """The histogram's bins (the engine widens or narrows them as the weights spread or shrink), bars coloured
        by the sign of their centre; the heat map's bins never change."""
        self.edges = np.asarray(edges, dtype=float)
        colours = bar_colours(self.edges)
        self._bins = {colour: (colours == colour).all(axis=-1) for colour in self.bars}  # which bins each item draws
        for colour, bars in self.bars.items():
            which = self._bins[colour]
            bars.setOpts(x0=self.edges[:-1][which], x1=self.edges[1:][which], height=np.zeros(which.sum()))
        self.heights = np.zeros(len(self.edges) - 1)
        self.histogram.setXRange(self.edges[0], self.edges[-1], padding=0)

    def draw(self, layer: LayerSnapshot, epoch: int, fits: bool) -> None:
        if self.last_epoch is not None and epoch < self.last_epoch:  # an earlier epoch: a new run
            self.start_run(layer.histogram_edges)
        elif layer.histogram_edges is not self.edges and not np.array_equal(layer.histogram_edges, self.edges):
            self.set_bins(layer.histogram_edges)
        self.numbers = LayerReadout.of(layer)
        self.readout.set_lines(self.numbers.lines())
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
        if self.norms_shown:
            self.norms.draw(layer)
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
        """The heat map's histograms (over engine.training.snapshot.ASINH_EDGES), oldest epoch first (epochs × bins)."""
        return self.ring[self._rows()]

    def blank(self, name: str) -> None:
        """The layer's name without numbers or fitted curves, until its first drawing."""
        self.numbers = None
        self.readout.show_title(layer_title(name))
        self.show_fits(None)

    def set_zoom(self, zoom: float) -> None:
        self.zoom = zoom
        if self.norms is not None:
            self.norms.set_zoom(zoom)
        self.readout.reset(zoom)
        if self.numbers is not None:
            self.readout.set_lines(self.numbers.lines())  # the box sized, the numbers back
        for plot in (self.histogram, self.heat):
            style_plot(plot, zoom)
        # Drawn again on every frame anyway (the epochs scroll): a pixmap cache would only add a copy.
        self.heat.getAxis("left").setCacheMode(QGraphicsItem.CacheMode.NoCache)
        for bars in self.bars.values():
            bars.setOpts(pen=pg.mkPen(PAPER, width=0.5 * zoom))
        self.gaussian.setPen(pg.mkPen(GAUSSIAN_COLOUR, width=2 * zoom))
        self.laplace.setPen(pg.mkPen(LAPLACE_COLOUR, width=2 * zoom, style=Qt.PenStyle.DashLine))
