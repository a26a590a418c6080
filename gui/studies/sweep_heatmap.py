"""The heat map of a two-field sweep (gui/studies/sweep_page.py shows it in the validation curve's place).

One cell per pair of values — the first field across, the second up, each axis's ticks naming its values — coloured
by the mean final validation loss over the pair's seeds (the colour bar beside it says how much), the mean written in
the cell, the best pair outlined: the study's once it is done, the lowest mean so far while it runs. Cells fill in as
their runs finish; a cell not yet run stays blank. The cells are equally wide, so an axis is a log scale exactly when
its values are evenly spaced on one (a log range such as 1e-5:1:6), and the axis label says so then (or that it is
not to scale, for uneven values).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont

from engine.studies.sweep_grid import AXIS_NOTES, axis_scale, grid_means, log_scale
from gui.plotting.palette import INK, VERMILLION
from gui.plotting.plot_style import grid_plot, style_plot
from gui.studies.study_plots import LINE_WIDTH, hex_colour, number, set_plot_title

MAX_LABELLED_CELLS = 100  # more cells than this, and their numbers would not fit: the colour alone tells
COLOUR_MEANING = "mean final validation loss"


def evenly_log_spaced(values: Sequence[float]) -> bool:
    """λ-like values (all > 0, over a decade) with the same ratio between neighbours: equal cells are a log axis."""
    if not log_scale(values) or len(values) < 2:
        return False
    steps = np.diff(np.log10(np.asarray(values, float)))
    return bool(np.allclose(steps, steps[0], rtol=1e-3))


def axis_note(values: np.ndarray) -> str:
    """What an axis of equal cells is: a log scale, a linear one (evenly spaced values), or neither."""
    if evenly_log_spaced(values):
        return AXIS_NOTES["log"]
    return AXIS_NOTES["linear" if axis_scale(values) == "linear" else "index"]


class SweepHeatmap:
    """A plot with the grid as an :class:`pg.ImageItem` (cell (i, j) covers x ∈ [j, j+1], y ∈ [i, i+1]), a colour
    bar, cell labels and the best cell's outline, laid out together in :attr:`layout`."""

    def __init__(self) -> None:
        self.zoom = 1.0
        self.plot = grid_plot()
        self.plot.showGrid(x=False, y=False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(values=(0, 1), colorMap=pg.colormap.get("viridis"), interactive=False,
                                          colorMapMenu=False)
        self.colour_bar.axis.enableAutoSIPrefix(False)  # losses as they are, not "(x0.001)"
        self.colour_bar.setImageItem(self.image)
        self.best_mark = pg.ScatterPlotItem(pxMode=False, size=0.92, symbol="s", brush=None)
        self.best_mark.setZValue(2)
        self.plot.addItem(self.best_mark)
        self.layout = pg.GraphicsLayout()
        self.layout.addItem(self.plot, row=0, col=0)
        self.layout.addItem(self.colour_bar, row=0, col=1)
        self.labels: list[pg.TextItem] = []  # one per cell, row by row, while the grid is small enough
        self.firsts = np.zeros(0)  # the planned values of field 1, ascending (columns)
        self.seconds = np.zeros(0)  # of field 2 (rows)
        self.means = np.zeros((0, 0))  # mean final validation loss per cell, NaN where not run yet
        self.best: tuple[float, float] | None = None
        self.best_is_final = False
        self.set_zoom(1.0)

    def set_grid(self, param: str, values: Sequence[float], param2: str, values2: Sequence[float]) -> None:
        """A new study's grid: the axes, blank cells, no best pair."""
        self.firsts = np.array(sorted(set(map(float, values))), float)
        self.seconds = np.array(sorted(set(map(float, values2))), float)
        self.means = np.full((len(self.seconds), len(self.firsts)), np.nan)
        for axis, name, ticks in (("bottom", param, self.firsts), ("left", param2, self.seconds)):
            self.plot.getAxis(axis).setTicks([[(k + 0.5, f"{v:g}") for k, v in enumerate(ticks)]])
            self.plot.setLabel(axis, name + axis_note(ticks))
        self._make_labels()
        self.image.setImage(self.means, autoLevels=False)
        self.image.setRect(0, 0, len(self.firsts), len(self.seconds))
        self.plot.setRange(xRange=(0, len(self.firsts)), yRange=(0, len(self.seconds)), padding=0)
        self.show_best(None, final=False)
        style_plot(self.plot, self.zoom)

    def show_table(self, table: Sequence[dict]) -> None:
        """The cells' means from the study's rows so far (value_1, value_2, final_val_loss)."""
        firsts, seconds, means = grid_means((r["value_1"], r["value_2"], number(r["final_val_loss"])) for r in table)
        self.means = np.full((len(self.seconds), len(self.firsts)), np.nan)
        cols, rows = np.searchsorted(self.firsts, firsts), np.searchsorted(self.seconds, seconds)
        self.means[np.ix_(rows, cols)] = means
        finite = self.means[np.isfinite(self.means)]
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        high = high if high > low else low + max(abs(low) * 1e-3, 1e-6)  # one cell (or all equal): still a range
        self.image.setImage(self.means, autoLevels=False)
        self.colour_bar.setLevels((low, high))
        for label, mean in zip(self.labels, self.means.ravel(), strict=False):
            label.setText("" if np.isnan(mean) else f"{mean:.3g}")
            label.setColor(INK if np.isfinite(mean) and mean >= (low + high) / 2 else (255, 255, 255))

    def show_best(self, best: Sequence[float] | None, final: bool) -> None:
        """Outline ``best`` (the study's pair); without it, the lowest mean so far."""
        self.best_is_final = final and best is not None
        if best is None and np.isfinite(self.means).any():
            i, j = np.unravel_index(np.nanargmin(self.means), self.means.shape)
            best = (float(self.firsts[j]), float(self.seconds[i]))
        self.best = None if best is None else (float(best[0]), float(best[1]))
        if self.best is None:
            self.best_mark.setData([], [])
            set_plot_title(self.plot, f"Colour: {COLOUR_MEANING} over the seeds", self.zoom)
            return
        j, i = np.searchsorted(self.firsts, self.best[0]), np.searchsorted(self.seconds, self.best[1])
        self.best_mark.setData([j + 0.5], [i + 0.5])
        which = "best pair" if self.best_is_final else "best so far"
        set_plot_title(self.plot, f"Colour: {COLOUR_MEANING} over the seeds — outlined: the {which}, "
                                  f"{self.best[0]:g} and {self.best[1]:g}", self.zoom)

    def set_zoom(self, zoom: float) -> None:
        self.zoom = zoom
        style_plot(self.plot, zoom)
        self.best_mark.setPen(pg.mkPen(VERMILLION, width=LINE_WIDTH * 1.5 * zoom))
        self.colour_bar.axis.setTextPen(pg.mkPen(INK))
        self.colour_bar.axis.setPen(pg.mkPen(INK))
        self.colour_bar.axis.setLabel(f"{COLOUR_MEANING} (lower is better)", color=hex_colour(INK))
        font = self.plot.getAxis("bottom").style.get("tickFont")
        if font is not None:
            self.colour_bar.axis.setStyle(tickFont=font)
        for label in self.labels:
            label.setFont(_cell_font(zoom))
        if self.best is not None:
            self.show_best(self.best, self.best_is_final)

    def _make_labels(self) -> None:
        for label in self.labels:
            self.plot.removeItem(label)
        self.labels = []
        if self.means.size > MAX_LABELLED_CELLS:
            return
        for i in range(len(self.seconds)):
            for j in range(len(self.firsts)):
                label = pg.TextItem("", anchor=(0.5, 0.5))
                label.setPos(j + 0.5, i + 0.5)
                label.setFont(_cell_font(self.zoom))
                label.setZValue(1)
                self.plot.addItem(label)
                self.labels.append(label)


def _cell_font(zoom: float) -> QFont:
    font = QFont()
    font.setPointSizeF(8 * zoom)
    return font
