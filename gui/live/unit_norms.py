"""A layer's unit norms in the weights view: one bar per unit, the length ‖w‖ of its incoming weight vector
(‖W[:, j]‖, engine LayerSnapshot.unit_norms), and a line at the layer's max-norm c, which Keras' MaxNorm(c, axis=0)
holds every bar under after each training step.

The row of these plots shows while any layer has a max-norm constraint; a layer without one draws its bars and no
line. Its items are made once and fed with new heights: the bars' places change only with the number of units.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from engine.training.snapshot import LayerSnapshot
from gui.live.dropout_drawing import NEURON
from gui.live.weight_readout import significant
from gui.plotting.palette import VERMILLION
from gui.plotting.plot_axes import FittingAxis
from gui.plotting.plot_style import settle, style_plot

HEADROOM = 1.15  # the y axis reaches this much above the highest of c and the bars
BAR_WIDTH = 0.8  # of a unit's slot
PREFERRED_HEIGHT = 30  # px at zoom 1 (a histogram's is about 70)


def norm_captions(limits: list[float]) -> tuple[str, ...]:
    """What the row of unit-norm plots shows, longest wording first, for the max-norm c of each layer that has one."""
    c = f" = {limits[0]:g}" if len(set(limits)) == 1 else " (each layer's)"
    return (f"bars: ‖w‖ of each unit's incoming weights · line: max-norm c{c}", f"‖w‖ per unit vs c{c}",
            f"‖w‖ per unit\nvs c{c}")


class UnitNormPlot:
    """One layer's plot of unit norms against its max-norm c."""

    def __init__(self) -> None:
        self.plot = pg.PlotItem(axisItems={"left": FittingAxis("left")})
        self.plot.hideAxis("bottom")  # a unit's number says nothing; the caption says the bars are units
        self.bars = pg.BarGraphItem(x0=[], x1=[], y0=0, height=[], brush=NEURON, pen=pg.mkPen(None))
        self.line = pg.InfiniteLine(angle=0, movable=False)
        self.line.setZValue(10)
        self.plot.addItem(self.bars)
        self.plot.addItem(self.line)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.heights = np.zeros(0)
        self.max_norm: float | None = None
        self.start_run()

    def start_run(self) -> None:
        self.peak = 0.0  # without a c the y range only grows during a run, so frames compare
        self.top = 0.0

    def draw(self, layer: LayerSnapshot) -> None:
        norms = np.zeros(0) if layer.unit_norms is None else np.nan_to_num(np.asarray(layer.unit_norms, float))
        if len(norms) != len(self.heights):
            units = np.arange(len(norms))
            self.bars.setOpts(x0=units - BAR_WIDTH / 2, x1=units + BAR_WIDTH / 2, height=norms)
            self.plot.setXRange(-0.5, max(len(norms), 1) - 0.5, padding=0)
        else:
            self.bars.setOpts(height=norms)
        self.heights = norms
        self._show_limit(layer.max_norm, float(norms.max(initial=0.0)))
        settle(self.plot.getViewBox())

    def _show_limit(self, c: float | None, highest: float) -> None:
        """The line at c (none without a constraint) and the y range: from 0 to above c and every bar."""
        self.peak = max(self.peak, highest)
        top = HEADROOM * max(self.peak if c is None else highest, c or 0.0, 1e-3)
        if c != self.max_norm or top != self.top:
            self.max_norm, self.top = c, top
            self.line.setVisible(c is not None)
            if c is not None:
                self.line.setPos(c)
            ticks = None if c is None else [[(0.0, "0"), (c, significant(c))], []]
            self.plot.getAxis("left").setTicks(ticks)
            self.plot.setYRange(0, top, padding=0)

    def set_zoom(self, zoom: float) -> None:
        style_plot(self.plot, zoom)
        # Where the view is short, the plots shrink from their preferred heights: bars and a line read in fewer
        # pixels than a log histogram or a heat map, so this plot gives up more.
        self.plot.setPreferredHeight(PREFERRED_HEIGHT * zoom)
        self.line.setPen(pg.mkPen(VERMILLION, width=2 * zoom, style=Qt.PenStyle.DashLine))
