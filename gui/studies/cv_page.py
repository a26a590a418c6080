"""The cross-validation page of the study panel (gui/studies/study_view.py): K folds of one experiment.

A bar per fold of its held-out score (RMSE; accuracy too for classification) with their mean as a dashed line,
the score of all held-out predictions together once done, and every fold's validation loss (a
:class:`gui.studies.study_plots.RunCurves`). What the pages share is in gui/studies/study_plots.py.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from engine.studies.study import StudyProgress
from gui.plotting.palette import GREY, INK, SERIES
from gui.plotting.plot_style import flush_column, grid_plot, paper_graphics, scaled_font, settle, style_plot
from gui.studies.study_plots import LINE_WIDTH, RunsPage, fmt, number, set_plot_title, style_legend

LEGEND_COLUMNS = 5  # folds per row of the legend


class CrossValidationPage(RunsPage):
    """A bar per fold (held-out RMSE, and accuracy for classification) with the mean; each fold's validation loss."""

    SCORES = {"rmse": "RMSE", "accuracy": "accuracy"}

    def __init__(self) -> None:
        super().__init__()
        self.curves = self.run_curves.curves  # a validation curve per fold
        self.curve_plot = self.run_curves.plot
        self._table_rows = -1
        self._folds = 0  # folds on the bar axes
        self._final_shown = False
        self.scores = ["rmse"]
        self._fold_colours: list[int] = []  # per curve: the colour index of its fold (fold k → k − 1)

        self.graphics = paper_graphics()
        self.score_plots: dict[str, pg.PlotItem] = {}
        self.bars: dict[str, pg.BarGraphItem] = {}
        self.means: dict[str, pg.InfiniteLine] = {}
        for score, title in self.SCORES.items():
            plot = grid_plot()
            plot.setLabel("left", title)
            plot.setLabel("bottom", "fold")
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=GREY)
            mean = pg.InfiniteLine(angle=0, movable=False)  # its value is in the plot's title
            mean.setVisible(False)
            plot.addItem(bars)
            plot.addItem(mean)
            self.score_plots[score], self.bars[score], self.means[score] = plot, bars, mean
        # Five folds a row: ten in one row would be wider than a 1024 × 768 projector's study tab beside a lesson.
        self.legend = pg.LegendItem(colCount=LEGEND_COLUMNS, frame=False, labelTextColor=INK)
        self.graphics.addItem(self.score_plots["rmse"], row=0, col=0)
        self.graphics.addItem(self.legend, row=1, col=0, colspan=2)
        self.graphics.addItem(self.curve_plot, row=2, col=0, colspan=2)
        self.graphics.ci.layout.setRowStretchFactor(0, 1)
        self.graphics.ci.layout.setRowStretchFactor(2, 1)
        self._titles = {score: "" for score in self.SCORES}

        self.final = QLabel()
        self.final.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.final.setWordWrap(True)
        self.final.setToolTip("The score of every held-out prediction of all folds together (the mean of the bars "
                              "weighs each fold the same instead)")
        self.final.setVisible(False)
        layout = flush_column(self, spacing=4)
        layout.addWidget(self.final)
        layout.addWidget(self.graphics, 1)
        self.set_zoom(1.0)

    # ------------------------------------------------------------------ page API

    def reset(self) -> None:
        self.run_curves.reset()
        self.legend.clear()
        self._table_rows = -1
        self._folds = 0
        for score in self.SCORES:
            self.bars[score].setOpts(x=[], height=[], brushes=None)
            self.means[score].setVisible(False)
        self.final.setVisible(False)
        self._final_shown = False
        self.run_curves.refit()

    def show_progress(self, progress: StudyProgress) -> None:
        self._follow_metric(progress)
        grown = self.run_curves.extend(list(progress.curves), self._add_fold)
        table = list(progress.table)
        folds = max(self.shown, len(table))
        if len(table) != self._table_rows or folds != self._folds:
            self._table_rows = len(table)
            self._show_bars(table, folds)
        final = progress.result.get("final") if progress.done else None
        if bool(final) != self._final_shown:
            self._final_shown = bool(final)
            self.final.setVisible(bool(final))
            if final:
                self.final.setText("All folds' held-out predictions together (out of sample): " + " · ".join(
                    f"{name.replace('_', ' ')} {fmt(value)}" if name != "rmse" else f"RMSE {fmt(value)}"
                    for name, value in final.items()))
        if grown:
            settle(self.curve_plot.getViewBox())

    def set_zoom(self, zoom: float) -> None:
        self.zoom = zoom
        for score, plot in self.score_plots.items():
            style_plot(plot, zoom)
            self.bars[score].setOpts(pen=pg.mkPen(INK, width=0.75 * zoom))
            self.means[score].setPen(pg.mkPen(INK, width=1.5 * zoom, style=Qt.PenStyle.DashLine))
            self._titles[score] = ""  # set again at the new size
        style_plot(self.curve_plot, zoom)
        for i, curve in enumerate(self.curves):
            curve.setPen(self._pen(self._fold_colours[i] if i < len(self._fold_colours) else i))
        style_legend(self.legend, zoom)
        font = scaled_font(zoom * 1.1)
        font.setBold(True)
        self.final.setFont(font)
        if self._table_rows >= 0:
            self._show_titles()

    # ------------------------------------------------------------------ for tests

    def bar_heights(self, score: str) -> np.ndarray:
        return np.asarray(self.bars[score].opts["height"], float)

    def bar_positions(self, score: str) -> np.ndarray:
        return np.asarray(self.bars[score].opts["x"], float)

    # ------------------------------------------------------------------ internals

    def _set_metric(self, metric: str) -> None:
        """Classification adds the accuracy bars beside the RMSE bars."""
        self.metric_name = metric
        scores = ["rmse", "accuracy"] if metric == "accuracy" else ["rmse"]
        if scores == self.scores:
            return
        accuracy = self.score_plots["accuracy"]
        if "accuracy" in scores:
            self.graphics.addItem(accuracy, row=0, col=1)
        else:
            self.graphics.ci.removeItem(accuracy)
        self.scores = scores

    def _colour(self, i: int) -> tuple[int, int, int]:
        return SERIES[i % len(SERIES)]

    def _pen(self, i: int) -> pg.QtGui.QPen:
        return pg.mkPen(self._colour(i), width=LINE_WIDTH * self.zoom)

    def _add_fold(self, i: int, label: str) -> None:
        """Run ``i``'s curve in its fold's colour, the colour of the fold's bar: with several trainings at once
        the folds' curves may appear out of order ("fold 2" first)."""
        curve = self.run_curves.add(i)
        number = label.rsplit(" ", 1)[-1]
        colour = int(number) - 1 if number.isdigit() else i
        del self._fold_colours[i:]
        self._fold_colours.append(colour)
        curve.setPen(self._pen(colour))
        self.legend.addItem(curve, label)
        style_legend(self.legend, self.zoom)

    def _show_bars(self, table: list[dict], folds: int) -> None:
        if folds != self._folds:
            self._folds = folds
            ticks = [[(k, str(k)) for k in range(1, folds + 1)]]
            for plot in self.score_plots.values():
                plot.getAxis("bottom").setTicks(ticks)
                plot.setXRange(0.4, folds + 0.6, padding=0)
        x = np.array([row["fold"] for row in table], float)
        brushes = [pg.mkBrush(self._colour(int(k) - 1)) for k in x]
        for score in self.scores:
            heights = np.array([number(row.get(score)) for row in table], float)
            self.bars[score].setOpts(x=x, height=heights, brushes=brushes or None)
            mean = self.means[score]
            finite = heights[np.isfinite(heights)]
            mean.setVisible(bool(finite.size))
            if finite.size:
                mean.setValue(float(finite.mean()))
            top = float(finite.max()) if finite.size else 1.0
            self.score_plots[score].setYRange(0, top * 1.1 or 1.0, padding=0)
        self._show_titles()

    def _show_titles(self) -> None:
        """"RMSE of each held-out fold", then "mean 0.36 (dashed)" on a line of its own: two titles side by side
        on one line each would be wider than the page on a 1024 × 768 projector beside a lesson."""
        for score in self.scores:
            mean = self.means[score]
            title = f"{self.SCORES[score]} of each held-out fold"
            if mean.isVisible():
                title += f"\nmean {fmt(mean.value(), score)} (dashed)"
            if title != self._titles[score]:
                self._titles[score] = title
                set_plot_title(self.score_plots[score], title, self.zoom)
