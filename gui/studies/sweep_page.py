"""The sweep page of the study panel (gui/studies/study_view.py): runs of one experiment over the values of one field
(or over the pairs of values of two: then the heat map of gui/studies/sweep_heatmap.py takes the validation curve's
place).

The final training and validation metric (mean over seeds, each seed's result faint beside it) against the swept
value (log axis for a wide range), the best value marked, the underfitting side shaded, under it the best value's
score on the untouched test rows when the data has test rows, and the runs' validation losses (a
:class:`gui.studies.study_plots.RunCurves`) with the runs in training in green (several at once with "Studies ▸
Trainings at once" above 1; once done: the best value's runs).
What the pages share is in gui/studies/study_plots.py.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from engine.studies.study import StudyProgress
from gui.plotting.palette import GREEN, INK, ORANGE, PAPER, SKY, VERMILLION
from gui.plotting.plot_style import LABEL_PT, flush_column, grid_plot, paper_graphics, settle, style_plot
from gui.studies.study_plots import (
    LINE_WIDTH,
    METRIC_TITLES,
    RunsPage,
    escape_format,
    hex_colour,
    line_label_font,
    number,
    set_plot_title,
    style_legend,
)
from gui.studies.sweep_heatmap import SweepHeatmap

FADED = (200, 200, 200)  # earlier sweep runs
TEST_SCORE_ROW = 2  # of the graphics layout: under the score plot, above the runs' validation losses
REGION_ALPHA = 40  # of the underfitting side's ORANGE shade
MOST_NAMED = 3  # runs in training named in the title of the runs' plot (more are counted: the title stays one line)


def sweep_means(table: Sequence[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values ascending, mean final_train, mean final_val) over the seeds of each value."""
    by_value: dict[float, list[tuple[float, float]]] = {}
    for row in table:
        by_value.setdefault(float(row["value"]), []).append((number(row["final_train"]), number(row["final_val"])))
    values = np.array(sorted(by_value), float)
    train = np.array([np.mean([t for t, _ in by_value[v]]) for v in values], float)
    val = np.array([np.mean([v_ for _, v_ in by_value[v]]) for v in values], float)
    return values, train, val


def in_training(curves: Sequence) -> tuple[int, ...]:
    """The runs not done yet (several train at once on a pool of processes); between two runs trained one after
    another, none is: then the latest, whose curve is the newest."""
    running = tuple(i for i, c in enumerate(curves) if not c.done)
    return running or ((len(curves) - 1,) if curves else ())


def runs_named(labels: list[str]) -> str:
    """"this run, 0.1 (seed 0)", "these runs, 0.1 (seed 0), 0.2 (seed 0)"; more than MOST_NAMED: "these 5 runs"."""
    if len(labels) == 1:
        return f"this run, {labels[0]}"
    if len(labels) <= MOST_NAMED:
        return "these runs, " + ", ".join(labels)
    return f"these {len(labels)} runs"


class SweepPage(RunsPage):
    """Final training and validation metric against the swept value; the runs' validation losses."""

    def __init__(self) -> None:
        super().__init__()
        self.runs = self.run_curves.curves  # a validation curve per run
        self.runs_plot = self.run_curves.plot
        self._table_rows = -1
        self._highlight_key: tuple | None = None
        self._best_key: tuple | None = None
        self.log_x = False
        self.best: float | None = None  # the value marked best
        self.underfitting_side: str | None = None  # "high" or "low" values, or None
        self.means = (np.zeros(0), np.zeros(0), np.zeros(0))  # values, training and validation means
        self._highlighted: set[int] = set()  # runs drawn green
        self.heatmap = SweepHeatmap()  # a two-field sweep's, in the score plot's place
        self.two_fields = False

        self.graphics = paper_graphics()
        self.score_legend = pg.LegendItem(colCount=4, frame=False, labelTextColor=INK)
        self.score_plot = grid_plot()
        self.train_line = pg.PlotDataItem(symbol="o")
        self.val_line = pg.PlotDataItem(symbol="o")
        self.train_seeds = pg.PlotDataItem(pen=None, symbol="o")
        self.val_seeds = pg.PlotDataItem(pen=None, symbol="o")
        self.region = pg.LinearRegionItem(values=(0, 1), movable=False, pen=pg.mkPen(None),
                                          brush=pg.mkBrush(*ORANGE, REGION_ALPHA))
        self.region.setZValue(-10)
        self.region.setVisible(False)
        self.underfitting_labels = {
            "high": pg.InfLineLabel(self.region.lines[0], "underfitting →", position=0.93, anchors=[(0, 0.5)] * 2),
            "low": pg.InfLineLabel(self.region.lines[1], "← underfitting", position=0.93, anchors=[(1, 0.5)] * 2),
        }
        self.best_line = pg.InfiniteLine(angle=90, movable=False, label="best",
                                         labelOpts={"position": 0.07, "anchors": [(1, 1)] * 2})
        self.best_line.setVisible(False)
        for item in (self.region, self.train_seeds, self.val_seeds, self.train_line, self.val_line, self.best_line):
            self.score_plot.addItem(item)
        self.score_legend.addItem(self.train_line, "training (dropout off)")
        self.score_legend.addItem(self.val_line, "validation")
        self.best_sample = pg.PlotDataItem()  # the best line's legend entry (a legend draws only data items)
        self.score_legend.addItem(self.best_sample, "best value")

        #: the study's test score sentence (engine.studies.sweep.FinalTestScore), in the row under the score plot while
        #: there is one: a row without an item takes no height
        self.test_score = pg.LabelItem("", justify="center")
        self.test_score_text = ""

        self.graphics.addItem(self.score_legend, row=0, col=0)
        self.graphics.addItem(self.score_plot, row=1, col=0)
        self.graphics.addItem(self.runs_plot, row=TEST_SCORE_ROW + 1, col=0)
        self.graphics.ci.layout.setRowStretchFactor(1, 3)
        self.graphics.ci.layout.setRowStretchFactor(TEST_SCORE_ROW + 1, 2)
        self._runs_title = ""
        layout = flush_column(self)
        layout.addWidget(self.graphics)
        self._set_metric("accuracy")
        self.set_zoom(1.0)

    # ------------------------------------------------------------------ page API

    def reset(self) -> None:
        self._use_heatmap(False)
        self.run_curves.reset()
        self._table_rows = -1
        self._highlight_key = None
        self._best_key = None
        for item in (self.train_line, self.val_line, self.train_seeds, self.val_seeds):
            item.setData([], [])
        self.means = (np.zeros(0), np.zeros(0), np.zeros(0))
        self.best = None
        self.underfitting_side = None
        self.best_line.setVisible(False)
        self.region.setVisible(False)
        self._set_log_x(False)
        self.score_plot.setLabel("bottom", "value")
        style_plot(self.score_plot, self.zoom)
        self._set_runs_title("")
        self._show_test_score("")
        self.score_plot.enableAutoRange()
        self.run_curves.refit()

    def show_progress(self, progress: StudyProgress) -> None:
        self._follow_metric(progress)
        result = progress.result
        param = result.get("param")
        if self.shown == 0 and self._table_rows < 0 and result.get("param2"):  # first look at a two-field sweep
            self._use_heatmap(True)
            self.heatmap.set_grid(param, result.get("values") or [], result["param2"], result.get("values2") or [])
        elif self.shown == 0 and self._table_rows < 0:  # first look at this study: its axis
            self._set_log_x(bool(result.get("log_x")))
            if param:
                self.score_plot.setLabel("bottom", f"{param}" + ("  (log scale)" if self.log_x else ""))
                style_plot(self.score_plot, self.zoom)
            planned = [float(v) for v in result.get("values") or [] if not self.log_x or v > 0]
            if planned:  # the whole sweep's range from the start: the points fill it in, the axis stays
                low, high = self._x(min(planned)), self._x(max(planned))
                if high > low:
                    self.score_plot.setXRange(low, high, padding=0.04)
        curves = list(progress.curves)
        grown = self.run_curves.extend(curves, lambda i, _label: self.run_curves.add(i))
        table = list(progress.table)
        if len(table) != self._table_rows:
            self._table_rows = len(table)
            self.heatmap.show_table(table) if self.two_fields else self._show_scores(table)
        best = result.get("best")
        if (best, self._table_rows) != self._best_key:
            self._best_key = (best, self._table_rows)
            self.heatmap.show_best(best, final=True) if self.two_fields else self._show_best(best)
        self._show_test_score((result.get("test_score") or {}).get("text", ""))
        key = (self.shown, progress.done, best, in_training(curves))
        if key != self._highlight_key:
            self._highlight_key = key
            self._highlight(curves, progress.done, best)
        if grown:
            settle(self.runs_plot.getViewBox())

    def set_zoom(self, zoom: float) -> None:
        self.zoom = zoom
        for plot in (self.score_plot, self.runs_plot):
            style_plot(plot, zoom)
        size = 8 * zoom
        self.train_line.setPen(pg.mkPen(SKY, width=LINE_WIDTH * zoom, style=Qt.PenStyle.DashLine))
        self.train_line.setSymbolBrush(SKY)
        self.val_line.setPen(pg.mkPen(GREEN, width=LINE_WIDTH * zoom))
        self.val_line.setSymbolBrush(GREEN)
        for line in (self.train_line, self.val_line):
            line.setSymbolPen(pg.mkPen(PAPER, width=zoom))
            line.setSymbolSize(size)
        for seeds, colour in ((self.train_seeds, SKY), (self.val_seeds, GREEN)):
            seeds.setSymbolBrush(pg.mkBrush(*colour, 90))
            seeds.setSymbolPen(None)
            seeds.setSymbolSize(0.7 * size)
        self.best_line.setPen(pg.mkPen(VERMILLION, width=1.5 * zoom, style=Qt.PenStyle.DashLine))
        self.best_sample.setPen(self.best_line.pen)
        line_label_font(self.best_line.label, VERMILLION, zoom)
        for label in self.underfitting_labels.values():
            line_label_font(label, (150, 95, 0), zoom)  # ORANGE darkened to read as text
        style_legend(self.score_legend, zoom)
        self._restyle_runs()
        title, self._runs_title = self._runs_title, None
        self._set_runs_title(title)
        self._style_test_score()
        self.heatmap.set_zoom(zoom)

    # ------------------------------------------------------------------ internals

    def _use_heatmap(self, on: bool) -> None:
        """The heat map (a two-field sweep) or the score plot and its legend (one field) under the heading."""
        if on == self.two_fields:
            return
        self.two_fields = on
        shown, hidden = (self.heatmap.layout, self.score_plot) if on else (self.score_plot, self.heatmap.layout)
        self.graphics.removeItem(hidden)
        self.graphics.addItem(shown, row=1, col=0)
        if on:
            self.graphics.removeItem(self.score_legend)
        else:
            self.graphics.addItem(self.score_legend, row=0, col=0)

    def _set_metric(self, metric: str) -> None:
        self.metric_name = metric
        self.score_plot.setLabel("left", f"final {METRIC_TITLES.get(metric, metric)}")
        style_plot(self.score_plot, self.zoom)

    def _set_log_x(self, on: bool) -> None:
        if on != self.log_x:
            self.log_x = on
            self.score_plot.setLogMode(x=on)

    def _x(self, value: float) -> float:
        """``value`` in the score plot's view coordinates (log10 on a log axis)."""
        return math.log10(value) if self.log_x else value

    def _show_scores(self, table: list[dict]) -> None:
        values, train, val = sweep_means(table)
        self.means = (values, train, val)
        self.train_line.setData(values, train)
        self.val_line.setData(values, val)
        several = len(values) < len(table)  # more than one seed for a value: show each seed's result too
        seeds_x = np.array([float(row["value"]) for row in table], float) if several else np.zeros(0)
        self.train_seeds.setData(seeds_x, np.array([number(r["final_train"]) for r in table]) if several else [])
        self.val_seeds.setData(seeds_x, np.array([number(r["final_val"]) for r in table]) if several else [])
        settle(self.score_plot.getViewBox())

    def _show_best(self, best: float | None) -> None:
        """The best value (the study's once done, else the best mean validation metric so far) and the
        underfitting side: from the best value towards the values where the training metric gets worse."""
        values, train, val = self.means
        final = best is not None
        if best is None and len(values):
            best = float(values[int(np.argmin(val) if self.metric_name == "rmse" else np.argmax(val))])
        self.best = best
        self.best_line.setVisible(best is not None)
        if best is not None:
            self.best_line.setValue(self._x(best))
            self.best_line.label.setFormat(escape_format(f" best {best:g} " if final else f" best so far {best:g} "))
        side = None
        if len(values) >= 2 and train[-1] != train[0]:
            worse_high = train[-1] > train[0] if self.metric_name == "rmse" else train[-1] < train[0]
            side = "high" if worse_high else "low"
        self.underfitting_side = side
        ends = {"high": (best, float(values[-1])), "low": (float(values[0]), best)} if len(values) else {}
        if side is None or best is None or ends[side][0] >= ends[side][1]:
            self.region.setVisible(False)
            return
        low, high = ends[side]
        self.region.setRegion((self._x(low), self._x(high)))
        self.region.setVisible(True)
        for name, label in self.underfitting_labels.items():
            label.setVisible(name == side)
        # The best label on the other side of its line than the underfitting label.
        self.best_line.label.anchors = [(1, 1)] * 2 if side == "high" else [(0, 1)] * 2
        self.best_line.label.updatePosition()

    def _highlight(self, curves: list, done: bool, best: float | None) -> None:
        """The runs in training green (once done: the best value's runs), the others faded."""
        self._highlighted = set()
        if done and best is not None:
            cell = ", ".join(f"{v:g}" for v in best) if self.two_fields else f"{best:g}"
            self._highlighted = {i for i, c in enumerate(curves) if c.label.rsplit(" (seed ", 1)[0] == cell}
            which = "pair" if self.two_fields else "value"
            self._set_runs_title(f"Validation loss per epoch — green: the best {which}, {cell}")
        elif curves:
            self._highlighted = set(in_training(curves))
            labels = [curves[i].label for i in sorted(self._highlighted)]
            self._set_runs_title("Validation loss per epoch — green: " + runs_named(labels))
        self._restyle_runs()

    def _restyle_runs(self) -> None:
        for i, curve in enumerate(self.runs[: self.shown]):
            on = i in self._highlighted
            curve.setPen(pg.mkPen(GREEN, width=LINE_WIDTH * self.zoom) if on
                         else pg.mkPen(FADED, width=self.zoom))
            curve.setZValue(1 if on else 0)

    def _show_test_score(self, text: str) -> None:
        if text == self.test_score_text:
            return
        self.test_score_text = text
        shown = self.test_score.scene() is not None
        if text and not shown:
            self.graphics.addItem(self.test_score, row=TEST_SCORE_ROW, col=0)
        elif not text and shown:
            self.graphics.removeItem(self.test_score)
        self._style_test_score()

    def _style_test_score(self) -> None:
        self.test_score.setText(html.escape(self.test_score_text), color=hex_colour(INK),
                                size=f"{LABEL_PT * self.zoom:g}pt", bold=True)

    def _set_runs_title(self, text: str) -> None:
        if text != self._runs_title:
            self._runs_title = text
            set_plot_title(self.runs_plot, text, self.zoom)
