"""The path page of the study panel (gui/studies/study_view.py): the regularization path (engine/studies/path.py).

Above, every kernel weight of each value's first run against the value — a line per weight, a colour per layer,
log axis when every value is > 0 — with the points where |w| < 0.001 marked; beneath, the final training and
validation metric against the value (the mean over a value's runs, with a band of ± one standard deviation when it
has several: seeds × folds). Both fill in value by value while the study trains. A network with more than
MAX_DRAWN_WEIGHTS kernel weights draws every k-th of them, and the plot's title says so.

Each layer's lines are one item (a ``connect`` array breaks the line between weights), made when the layer first
appears and kept for the next study.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from engine.studies.path import drawn_note, drawn_weights, path_lines
from engine.studies.study import StudyProgress
from engine.training.snapshot import NEAR_ZERO
from gui.plotting.palette import GREEN, INK, PAPER, SERIES, SKY
from gui.plotting.plot_style import flush_column, grid_plot, paper_graphics, settle, style_plot
from gui.studies.study_plots import LINE_WIDTH, METRIC_TITLES, StudyPage, number, set_plot_title, style_legend

BAND_ALPHA = 50  # of the ± one standard deviation bands
WEIGHT_ALPHA = 170  # of the weight lines: crossings stay readable
NEAR_ZERO_SIZE = 5  # px at zoom 1


def layer_label(layer: int, layers: int) -> str:
    return "output layer" if layer == layers - 1 else f"hidden {layer + 1}"


def weight_segments(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, connect) drawing a line per column of ``weights`` (one row per value) as one item."""
    n, lines = weights.shape
    x = np.tile(values, lines)
    y = weights.T.ravel()
    connect = np.ones(n * lines, bool)
    connect[n - 1 :: n] = False  # no segment from one weight's last point to the next weight's first
    return x, y, connect


class PathPage(StudyPage):
    """Kernel weights against the value, and the final training and validation metric beneath."""

    def __init__(self) -> None:
        super().__init__()
        self.log_x = False
        self._lines_shown = -1  # values whose weights are drawn
        self._table_rows = -1
        self.drawn = 0  # weights drawn per value
        self.total = 0  # kernel weights of the network
        self.layer_lines: list[pg.PlotDataItem] = []  # one item per layer (made as layers first appear)

        self.graphics = paper_graphics()
        self.weight_legend = pg.LegendItem(colCount=4, frame=False, labelTextColor=INK)
        self.weight_plot = grid_plot()
        self.weight_plot.setLabel("left", "kernel weight")
        self.near_zero = pg.PlotDataItem(pen=None, symbol="o")
        self.near_zero.setZValue(5)
        self.weight_plot.addItem(self.near_zero)
        self.weight_plot.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen((150, 150, 150), width=1)))

        self.score_legend = pg.LegendItem(colCount=4, frame=False, labelTextColor=INK)
        self.score_plot = grid_plot()
        self.score_plot.setXLink(self.weight_plot)
        self.train_line = pg.PlotDataItem(symbol="o")
        self.val_line = pg.PlotDataItem(symbol="o")
        self.bands = {}  # side → (lower, upper, fill)
        for side, colour in (("train", SKY), ("val", GREEN)):
            lower, upper = pg.PlotDataItem(), pg.PlotDataItem()
            fill = pg.FillBetweenItem(lower, upper, brush=pg.mkBrush(*colour, BAND_ALPHA))
            for item in (lower, upper, fill):
                self.score_plot.addItem(item)
            self.bands[side] = (lower, upper, fill)
        self.score_plot.addItem(self.train_line)
        self.score_plot.addItem(self.val_line)
        self.score_legend.addItem(self.train_line, "training (dropout off)")
        self.score_legend.addItem(self.val_line, "validation")
        self.band_sample = pg.PlotDataItem()  # the bands' legend entry
        self.band_label = ""

        self.graphics.addItem(self.weight_legend, row=0, col=0)
        self.graphics.addItem(self.weight_plot, row=1, col=0)
        self.graphics.addItem(self.score_legend, row=2, col=0)
        self.graphics.addItem(self.score_plot, row=3, col=0)
        self.graphics.ci.layout.setRowStretchFactor(1, 3)
        self.graphics.ci.layout.setRowStretchFactor(3, 2)
        self._weight_title = ""
        layout = flush_column(self)
        layout.addWidget(self.graphics)
        self._set_metric("accuracy")
        self.set_zoom(1.0)

    # ------------------------------------------------------------------ page API

    def reset(self) -> None:
        self._lines_shown = -1
        self._table_rows = -1
        self.drawn = self.total = 0
        for item in (*self.layer_lines, self.near_zero, self.train_line, self.val_line):
            item.setData([], [])
        for lower, upper, _ in self.bands.values():
            lower.setData([], [])
            upper.setData([], [])
        self._show_band_entry("")
        self._set_log_x(False)
        self._set_weight_title("")
        for plot in (self.weight_plot, self.score_plot):
            plot.enableAutoRange()

    def show_progress(self, progress: StudyProgress) -> None:
        self._follow_metric(progress)
        result = progress.result
        if self._lines_shown < 0:  # first look at this study: its axis
            self._lines_shown = 0
            self._set_log_x(bool(result.get("log_x")))
            self._decade_ticks([float(v) for v in result.get("values") or []])
            param = result.get("param", "value")
            self.score_plot.setLabel("bottom", param + ("  (log scale)" if self.log_x else ""))
            self._style(self.score_plot)
        lines = list(result.get("lines", ()))
        if len(lines) != self._lines_shown:
            self._lines_shown = len(lines)
            self._show_weights(lines, result.get("names"))
        table = list(progress.table)
        if len(table) != self._table_rows:
            self._table_rows = len(table)
            self._show_scores(table)

    def set_zoom(self, zoom: float) -> None:
        self.zoom = zoom
        for plot in (self.weight_plot, self.score_plot):
            self._style(plot)
        for i, item in enumerate(self.layer_lines):
            item.setPen(self._layer_pen(i))
        self.near_zero.setSymbolBrush(INK)
        self.near_zero.setSymbolPen(None)
        self.near_zero.setSymbolSize(NEAR_ZERO_SIZE * zoom)
        self.train_line.setPen(pg.mkPen(SKY, width=LINE_WIDTH * zoom, style=Qt.PenStyle.DashLine))
        self.val_line.setPen(pg.mkPen(GREEN, width=LINE_WIDTH * zoom))
        for line, colour in ((self.train_line, SKY), (self.val_line, GREEN)):
            line.setSymbolBrush(colour)
            line.setSymbolPen(pg.mkPen(PAPER, width=zoom))
            line.setSymbolSize(8 * zoom)
        for legend in (self.weight_legend, self.score_legend):
            style_legend(legend, zoom)
        title, self._weight_title = self._weight_title, None
        self._set_weight_title(title)

    # ------------------------------------------------------------------ internals

    def _set_metric(self, metric: str) -> None:
        self.metric_name = metric
        self.score_plot.setLabel("left", f"final {METRIC_TITLES.get(metric, metric)}")
        self._style(self.score_plot)

    def _set_log_x(self, on: bool) -> None:
        if on != self.log_x:
            self.log_x = on
            for plot in (self.weight_plot, self.score_plot):
                plot.setLogMode(x=on)
                self._style(plot)

    def _style(self, plot: pg.PlotItem) -> None:
        style_plot(plot, self.zoom)

    def _decade_ticks(self, values: list[float]) -> None:
        """On a log axis, ticks at the decades only (0.0001, 0.001, …): pyqtgraph's labels at 2…9 between them
        run into each other."""
        ticks = None
        if self.log_x and values:
            low, high = (int(np.floor(np.log10(min(values)))), int(np.ceil(np.log10(max(values)))))
            ticks = [[(float(k), f"{10.0 ** k:g}") for k in range(low, high + 1)], []]
        for plot in (self.weight_plot, self.score_plot):
            plot.getAxis("bottom").setTicks(ticks)

    def _layer_pen(self, layer: int) -> pg.QtGui.QPen:
        return pg.mkPen((*SERIES[layer % len(SERIES)], WEIGHT_ALPHA), width=self.zoom)

    def _layer_item(self, layer: int, layers: int) -> pg.PlotDataItem:
        """Layer ``layer``'s lines (made the first time a study has that many layers)."""
        while len(self.layer_lines) <= layer:
            item = pg.PlotDataItem(pen=self._layer_pen(len(self.layer_lines)))
            self.weight_plot.addItem(item)
            self.layer_lines.append(item)
        item = self.layer_lines[layer]
        label = layer_label(layer, layers)
        self.weight_legend.removeItem(item)
        self.weight_legend.addItem(item, label)
        return item

    def _show_weights(self, lines: list, names) -> None:
        if not lines or names is None:
            return
        values, weights = path_lines(lines)
        self.total = weights.shape[1]
        drawn = drawn_weights(self.total)
        self.drawn = len(drawn)
        layers = int(names[-1, 0]) + 1
        for layer in range(layers):
            columns = drawn[names[drawn, 0] == layer]
            x, y, connect = weight_segments(values, weights[:, columns])
            self._layer_item(layer, layers).setData(x, y, connect=connect)
        for item in self.layer_lines[layers:]:
            item.setData([], [])
            self.weight_legend.removeItem(item)
        near = np.abs(weights[:, drawn]) < NEAR_ZERO
        self.near_zero.setData(np.broadcast_to(values[:, None], near.shape)[near], weights[:, drawn][near])
        note = drawn_note(self.total, self.drawn)
        self._set_weight_title(f"Kernel weights at the end of training (each value's first run); "
                               f"dots: |w| < {NEAR_ZERO:g}" + (f"\n{note}" if note else ""))
        settle(self.weight_plot.getViewBox())

    def _show_scores(self, table: list[dict]) -> None:
        if not table:
            return
        rows = sorted(table, key=lambda r: float(r["value"]))
        values = np.array([float(r["value"]) for r in rows])
        several = max(int(r["runs"]) for r in rows) > 1
        for side, line in (("train", self.train_line), ("val", self.val_line)):
            name = f"{side}_{self.metric_name}"
            mean = np.array([number(r[name]) for r in rows])
            std = np.array([number(r[f"{name}_std"]) for r in rows])
            line.setData(values, mean)
            lower, upper, _ = self.bands[side]
            lower.setData(values if several else [], mean - std if several else [])
            upper.setData(values if several else [], mean + std if several else [])
        runs = int(rows[0]["runs"])
        self._show_band_entry(f"± one standard deviation over {runs} runs" if several else "")
        settle(self.score_plot.getViewBox())

    def _show_band_entry(self, label: str) -> None:
        if label == self.band_label:
            return
        if self.band_label:
            self.score_legend.removeItem(self.band_sample)
        self.band_label = label
        if label:
            self.band_sample.setPen(pg.mkPen((*GREEN, BAND_ALPHA * 3), width=8 * self.zoom))
            self.score_legend.addItem(self.band_sample, label)

    def _set_weight_title(self, text: str) -> None:
        if text != self._weight_title:
            self._weight_title = text
            set_plot_title(self.weight_plot, text, self.zoom)
