"""What the study pages (gui/studies/compare_page.py, gui/studies/cv_page.py, gui/studies/sweep_page.py) share.

- :class:`StudyPage`, the base of a page: :meth:`~StudyPage.reset` for a new study, :meth:`~StudyPage.show_progress`
  on every frame, :meth:`~StudyPage.set_zoom`; :class:`RunsPage`, one with a :class:`RunCurves`.
- :class:`Columns` (metrics rows as numpy columns, only new rows copied) and :class:`Extremes` (running bounds for
  a :class:`gui.plotting.epoch_plots.SteppedViewBox`).
- :class:`RunCurves`: a validation-loss curve per run (a fold, a swept value's seed) on one plot, as the
  cross-validation and sweep pages show them.
- Small helpers: number formatting, plot titles, legend and line-label fonts at the view's zoom.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from engine.studies.study import Curve, StudyProgress
from gui.plotting.epoch_plots import epoch_curve, epoch_plot
from gui.plotting.palette import INK
from gui.plotting.plot_style import LABEL_PT, white_background

METRIC_TITLES = {"accuracy": "accuracy", "rmse": "RMSE"}
LINE_WIDTH = 2.0  # at zoom 1
TRAIN_WIDTH = 1.5  # the dashed training curves, a little thinner than the validation curves
TITLE_HEIGHT = 30  # px: a plot title's row at the least (pyqtgraph's own height for it)


def number(value) -> float:
    return math.nan if value is None else float(value)


def escape_format(text: str) -> str:
    """``text`` for a pyqtgraph line label, which is a format string."""
    return text.replace("{", "{{").replace("}", "}}")


def fmt(value: float, metric: str | None = None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if metric == "accuracy":
        return f"{value:.3f}"
    return f"{value:.4g}"


def hex_colour(colour: Sequence[int]) -> str:
    return pg.mkColor(colour).name()


class Columns:
    """Float columns filled from metrics rows, growing by doubling; only new rows are copied. Missing → NaN."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(names)
        self.count = 0
        self._data = {name: np.full(0, np.nan) for name in self.names}

    def extend(self, rows: Sequence[dict]) -> None:
        end = self.count + len(rows)
        capacity = len(self._data[self.names[0]])
        if end > capacity:
            capacity = max(end, 2 * capacity, 64)
            for name, old in self._data.items():
                new = np.full(capacity, np.nan)
                new[: self.count] = old[: self.count]
                self._data[name] = new
        for name, buffer in self._data.items():
            buffer[self.count : end] = [number(row.get(name)) for row in rows]
        self.count = end

    def __getitem__(self, name: str) -> np.ndarray:
        return self._data[name][: self.count]

    def clear(self) -> None:
        self.count = 0


class Extremes:
    """Running (low, high) of the finite values folded in, for a SteppedViewBox's bounds."""

    def __init__(self) -> None:
        self.low = math.inf
        self.high = -math.inf

    def fold(self, *arrays: np.ndarray) -> None:
        for values in arrays:
            values = values[np.isfinite(values)]
            if values.size:
                self.low = min(self.low, float(values.min()))
                self.high = max(self.high, float(values.max()))

    def bounds(self) -> tuple[float, float] | None:
        return (self.low, self.high) if self.low <= self.high else None

    def clear(self) -> None:
        self.low, self.high = math.inf, -math.inf


def style_legend(legend: pg.LegendItem, zoom: float) -> None:
    legend.setLabelTextSize(f"{LABEL_PT * zoom:g}pt")
    for _, label in legend.items:
        label.setText(label.text)  # re-render with the new size


def line_label_font(label: pg.InfLineLabel, colour, zoom: float) -> None:
    font = QFont()
    font.setPointSizeF(LABEL_PT * zoom)
    label.setFont(font)
    label.setColor(colour)


def set_plot_title(plot: pg.PlotItem, text: str, zoom: float) -> None:
    """``text`` (plain, escaped here; a newline breaks the line) as ``plot``'s INK title at the label size; ""
    removes the title."""
    title = html.escape(text).replace("\n", "<br>") if text else None
    plot.setTitle(title, color=hex_colour(INK), size=f"{LABEL_PT * zoom:g}pt")
    if title is not None:  # pyqtgraph gives a title 30 px: room for one line at zoom 1, not for two or big type
        height = max(TITLE_HEIGHT, math.ceil(plot.titleLabel.item.boundingRect().height()))
        plot.titleLabel.setMaximumHeight(height)
        plot.layout.setRowFixedHeight(0, height)


class StudyPage(QWidget):
    """One kind of study: :meth:`reset` for a new study, :meth:`show_progress` on every frame."""

    def __init__(self) -> None:
        super().__init__()
        white_background(self)
        self.zoom = 1.0
        self.metric_name: str | None = None

    def reset(self) -> None:
        raise NotImplementedError

    def show_progress(self, progress: StudyProgress) -> None:
        raise NotImplementedError

    def set_zoom(self, zoom: float) -> None:
        raise NotImplementedError

    def _follow_metric(self, progress: StudyProgress) -> None:
        """Start afresh when ``progress`` reports another metric than the one shown (the first call: always)."""
        if progress.metric != self.metric_name:
            self.reset()
            self._set_metric(progress.metric)

    def _set_metric(self, metric: str) -> None:
        raise NotImplementedError


class RunsPage(StudyPage):
    """A page that shows a validation-loss curve per run (:attr:`run_curves`) among its plots."""

    def __init__(self) -> None:
        super().__init__()
        self.run_curves = RunCurves()

    @property
    def shown(self) -> int:
        """Runs of the current study."""
        return self.run_curves.shown


class RunCurves:
    """A validation-loss curve per run on one plot (:attr:`plot`); the curves are made as runs first appear and
    kept (emptied) for the next study. Only the rows new since the last look are copied."""

    def __init__(self) -> None:
        self.curves: list[pg.PlotDataItem] = []
        self.columns: list[Columns] = []
        self.rows: list[int] = []  # rows shown per run
        self.shown = 0  # runs of the current study
        self.epochs, self.range = Extremes(), Extremes()
        self.plot = epoch_plot(lambda: [self.epochs.bounds(), self.range.bounds()])
        self.plot.setLabel("left", "validation loss")
        self.plot.setLabel("bottom", "epoch")

    def reset(self) -> None:
        for curve in self.curves[: self.shown]:
            curve.setData([], [])
        self.shown = 0
        self.epochs.clear()
        self.range.clear()

    def refit(self) -> None:
        """Range the plot afresh (a new study)."""
        self.plot.enableAutoRange()
        self.plot.getViewBox().refit()

    def add(self, i: int) -> pg.PlotDataItem:
        """Run ``i``'s curve (made when no earlier study had as many runs), emptied."""
        if i == len(self.curves):
            curve = epoch_curve()
            self.plot.addItem(curve)
            self.curves.append(curve)
            self.columns.append(Columns(("epoch", "val_loss")))
            self.rows.append(0)
        self.columns[i].clear()
        self.rows[i] = 0
        self.shown = i + 1
        return self.curves[i]

    def extend(self, curves: Sequence[Curve], add) -> bool:
        """Draw the new rows of every run in ``curves``; ``add(i, label)`` is called first for a run not shown yet
        (and must call :meth:`add`). True when any curve grew."""
        grown = False
        for i, curve in enumerate(curves):
            if i == self.shown:
                add(i, curve.label)
            count = len(curve.rows)
            if count > self.rows[i]:
                columns = self.columns[i]
                start = columns.count
                columns.extend(curve.rows[self.rows[i] : count])
                self.rows[i] = columns.count
                self.curves[i].setData(columns["epoch"], columns["val_loss"])
                self.epochs.fold(columns["epoch"][start:])
                self.range.fold(columns["val_loss"][start:])
                grown = True
        return grown
