"""The study panel: several runs of one experiment side by side — compare, K-fold cross-validation, sweeps.

:meth:`StudyView.show_progress` is called on the window's render timer with the study's
:class:`engine.study.StudyProgress` (the same object, growing while the study trains on the worker thread).
A page per kind of study:

- **compare** (up to 4 variants): the validation (solid) and training (dashed) losses per variant, the
  metric below them, the weights of the hidden layers at the latest epoch (one histogram per variant on
  the same axes, so L2's narrow bell and L1's spike at zero can be told apart), and a table with the final
  and best metric, the best epoch and the final generalization gap of each variant.
- **cv**: a bar per fold of its held-out score (RMSE; accuracy too for classification) with their mean as a
  line, the score of all held-out predictions together once done, and every fold's validation loss.
- **sweep**: the final training and validation metric (mean over seeds) against the swept value (log axis
  for a wide range), the best value marked, the underfitting side shaded, and the runs' validation losses
  with the current run's highlighted.

Every call looks only at what is new (rows per curve, table rows, snapshots) and sets data on items made
when their curve first appeared; a call with nothing new sets nothing. Items are kept for the next study
of the same kind (a new study empties them).
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedLayout,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.snapshot import HISTOGRAM_BINS, NEAR_ZERO, Snapshot
from engine.study import MAX_VARIANTS, StudyProgress
from gui.loss_view import SteppedViewBox
from gui.palette import GREEN, GREY, INK, ORANGE, PAPER, SERIES, SKY, VERMILLION
from gui.plot_style import LABEL_PT, scaled_font, settle, style_plot, white_background

HINT = (
    "No study yet.\n\nStudies ▸ Compare, Cross-validate (K-fold) or Sweep a field\n"
    "trains several runs of this experiment and shows them here, side by side."
)
METRIC_TITLES = {"accuracy": "accuracy", "rmse": "RMSE"}
LINE_WIDTH = 2.0  # at zoom 1
TRAIN_WIDTH = 1.5  # the dashed training curves, a little thinner than the validation curves
FADED = (200, 200, 200)  # earlier sweep runs
REGION_ALPHA = 40  # of the underfitting side's ORANGE shade
TABLE_INTERVAL = 0.25  # s: a running variant's numbers change at most this often (faster could not be read)
HISTOGRAM_TOPS = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)  # y axis ends of the weight histograms


def _number(value) -> float:
    return math.nan if value is None else float(value)


def _escape_format(text: str) -> str:
    """``text`` for a pyqtgraph line label, which is a format string."""
    return text.replace("{", "{{").replace("}", "}}")


def _fmt(value: float, metric: str | None = None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if metric == "accuracy":
        return f"{value:.3f}"
    return f"{value:.4g}"


def _hex(colour: Sequence[int]) -> str:
    return pg.mkColor(colour).name()


def histogram_top(value: float, current: float | None) -> float:
    """The y axis end of the weight histograms: kept while ``value`` fits well under it, else the next step up."""
    if current is not None and 0.4 * current <= value <= current:
        return current
    return next((top for top in HISTOGRAM_TOPS if top >= value * 1.05), 1.0)


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
            buffer[self.count : end] = [_number(row.get(name)) for row in rows]
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


def summary_from_columns(label: str, columns: Columns, metric: str) -> dict:
    """:func:`engine.study.run_summary`'s row, worked out with numpy from a variant's columns."""
    train, val = columns[f"train_eval_{metric}"], columns[f"val_{metric}"]
    pick = np.argmin if metric == "rmse" else np.argmax
    best = int(pick(val))
    return {
        "variant": label,
        "epochs": columns.count,
        f"final_train_{metric}": float(train[-1]),
        f"final_val_{metric}": float(val[-1]),
        f"best_train_{metric}": float(train[int(pick(train))]),
        f"best_val_{metric}": float(val[best]),
        "best_epoch": best + 1,
        "final_gap": float(columns["val_loss"][-1] - columns["train_eval_loss"][-1]),
    }


def hidden_weights(snap: Snapshot) -> np.ndarray:
    """The kernel weights of the hidden layers (of every layer when there is no hidden one), flattened."""
    layers = snap.layers[:-1] or snap.layers
    if not layers:
        return np.zeros(0)
    return np.concatenate([np.asarray(layer.kernel, np.float64).ravel() for layer in layers])


def sweep_means(table: Sequence[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values ascending, mean final_train, mean final_val) over the seeds of each value."""
    by_value: dict[float, list[tuple[float, float]]] = {}
    for row in table:
        by_value.setdefault(float(row["value"]), []).append((_number(row["final_train"]), _number(row["final_val"])))
    values = np.array(sorted(by_value), float)
    train = np.array([np.mean([t for t, _ in by_value[v]]) for v in values], float)
    val = np.array([np.mean([v_ for _, v_ in by_value[v]]) for v in values], float)
    return values, train, val


def _plot(viewbox: pg.ViewBox | None = None) -> pg.PlotItem:
    plot = pg.PlotItem(viewBox=viewbox) if viewbox is not None else pg.PlotItem()
    plot.showGrid(x=True, y=True, alpha=0.15)
    plot.setMenuEnabled(False)
    return plot


def _curve_plot(bounds: Callable[[], list]) -> pg.PlotItem:
    """A plot of curves over epochs whose ranges move in steps (as the loss view's)."""
    plot = _plot(SteppedViewBox(bounds))
    plot.setClipToView(True)
    plot.setDownsampling(auto=True, mode="peak")
    return plot


def _style_legend(legend: pg.LegendItem, zoom: float) -> None:
    legend.setLabelTextSize(f"{LABEL_PT * zoom:g}pt")
    for _, label in legend.items:
        label.setText(label.text)  # re-render with the new size


def _line_label_font(label: pg.InfLineLabel, colour, zoom: float) -> None:
    font = QFont()
    font.setPointSizeF(LABEL_PT * zoom)
    label.setFont(font)
    label.setColor(colour)


def _graphics() -> pg.GraphicsLayoutWidget:
    graphics = pg.GraphicsLayoutWidget()
    graphics.setBackground(PAPER)
    return graphics


class _Page(QWidget):
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


# ---------------------------------------------------------------------------- compare


class _Variant:
    """The items of one compared variant: four curves, a weight histogram, a table row."""

    def __init__(self, index: int, page: ComparePage) -> None:
        self.index = index
        self.colour = SERIES[index % len(SERIES)]
        self.label = ""
        self.rows = 0  # rows shown
        self.columns: Columns | None = None
        self.snapshot: Snapshot | None = None  # the one the histogram shows
        self.weights = np.zeros(0)
        self.title = ""
        self.val_loss = pg.PlotDataItem(antialias=False)
        self.train_loss = pg.PlotDataItem(antialias=False)
        self.val_metric = pg.PlotDataItem(antialias=False)
        self.train_metric = pg.PlotDataItem(antialias=False)
        for curve in (self.val_loss, self.train_loss, self.val_metric, self.train_metric):
            curve.opts["autoDownsampleFactor"] = 0.5
        for curve in (self.train_loss, self.val_loss):
            page.loss_plot.addItem(curve)
        for curve in (self.train_metric, self.val_metric):
            page.metric_plot.addItem(curve)
        # A label and a plot of its own (not a plot title): a long variant name wraps instead of widening the plot.
        self.histogram_box = QWidget()
        white_background(self.histogram_box)
        box = QVBoxLayout(self.histogram_box)
        box.setContentsMargins(0, 2, 0, 0)
        box.setSpacing(0)
        self.histogram_label = QLabel()
        self.histogram_label.setTextFormat(Qt.TextFormat.RichText)
        self.histogram_label.setWordWrap(True)
        self.histogram_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.histogram_widget = pg.PlotWidget(background=PAPER)
        self.histogram_widget.setMinimumSize(60, 40)
        self.histogram = self.histogram_widget.getPlotItem()
        self.histogram.showGrid(x=True, y=True, alpha=0.15)
        self.histogram.setMenuEnabled(False)
        self.histogram.setMouseEnabled(x=False, y=False)
        self.histogram.hideButtons()
        box.addWidget(self.histogram_label)
        box.addWidget(self.histogram_widget, 1)
        page.histogram_column.addWidget(self.histogram_box, 1)
        self.bars = pg.BarGraphItem(x0=[], x1=[], height=[], brush=self.colour)
        self.histogram.addItem(self.bars)
        self.heights = np.zeros(0)
        self.near_zero = math.nan

    def curves(self) -> tuple[pg.PlotDataItem, ...]:
        return self.val_loss, self.train_loss, self.val_metric, self.train_metric

    def set_zoom(self, zoom: float) -> None:
        solid = pg.mkPen(self.colour, width=LINE_WIDTH * zoom)
        dashed = pg.mkPen(self.colour, width=TRAIN_WIDTH * zoom, style=Qt.PenStyle.DashLine)
        for curve, pen in ((self.val_loss, solid), (self.val_metric, solid), (self.train_loss, dashed),
                           (self.train_metric, dashed)):
            curve.setPen(pen)
        self.bars.setOpts(pen=pg.mkPen(PAPER, width=0.5 * zoom))
        style_plot(self.histogram, zoom)
        self.histogram_label.setFont(scaled_font(zoom))


class ComparePage(_Page):
    """Losses and metric of up to 4 variants, their weight histograms and their summary table."""

    TABLE_KEYS = ("variant", "epochs", "final_train_{m}", "final_val_{m}", "best_train_{m}", "best_val_{m}",
                  "best_epoch", "final_gap")
    TABLE_HEADERS = ("variant", "epochs", "final\ntrain {M}", "final\nval. {M}", "best\ntrain {M}",
                     "best\nval. {M}", "best\nepoch", "final\ngap")

    def __init__(self) -> None:
        super().__init__()
        self.variants: list[_Variant] = []  # made as variants first appear, kept for the next comparison
        self.shown = 0  # variants of the current comparison
        self._loss_range, self._metric_range, self._epochs = Extremes(), Extremes(), Extremes()
        self._table_key: tuple | None = None
        self._table_time = -math.inf
        self.table_interval = TABLE_INTERVAL
        self._values: dict[tuple[int, str], object] = {}  # (row, run_summary key) → the number shown
        self._reach = 0.0  # the histograms' x range: ± this
        self._edges = np.zeros(0)
        self._top: float | None = None  # the histograms' y range: 0 … this

        self.curves_widget = _graphics()
        self.legend = pg.LegendItem(colCount=3, frame=False, labelTextColor=INK)
        self.loss_plot = _curve_plot(lambda: [self._epochs.bounds(), self._loss_range.bounds()])
        self.metric_plot = _curve_plot(lambda: [self._epochs.bounds(), self._metric_range.bounds()])
        self.curves_widget.addItem(self.legend, row=0, col=0)
        self.curves_widget.addItem(self.loss_plot, row=1, col=0)
        self.curves_widget.addItem(self.metric_plot, row=2, col=0)
        self.curves_widget.ci.layout.setRowStretchFactor(1, 3)
        self.curves_widget.ci.layout.setRowStretchFactor(2, 2)
        self.metric_plot.setXLink(self.loss_plot)
        self.loss_plot.setLabel("left", "loss")
        self.metric_plot.setLabel("bottom", "epoch")
        # The line styles, as legend entries of their own (items of no plot).
        self.style_samples = (pg.PlotDataItem(), pg.PlotDataItem())

        self.histogram_title = QLabel("Weight histograms: hidden layers, latest epoch (x: weight, y: share)")
        self.histogram_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.histogram_title.setWordWrap(True)
        self.histogram_title.setToolTip(
            "Share of the hidden layers' kernel weights per bin, the same bins for every variant: L2 pulls the "
            "weights into a narrow bell around 0, L1 piles them up on 0.")
        histogram_box = QWidget()
        white_background(histogram_box)
        self.histogram_column = QVBoxLayout(histogram_box)  # the variants' histograms are added as they appear
        self.histogram_column.setContentsMargins(0, 4, 4, 0)
        self.histogram_column.setSpacing(2)
        self.histogram_column.addWidget(self.histogram_title)

        self.table = QTableWidget(0, len(self.TABLE_KEYS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the numbers first; a long name is elided
        header.setStretchLastSection(False)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.curves_widget)
        top.addWidget(histogram_box)
        top.setStretchFactor(0, 5)
        top.setStretchFactor(1, 2)
        top.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(top, 1)
        layout.addWidget(self.table)
        self._set_metric("accuracy")
        self.set_zoom(1.0)

    # ------------------------------------------------------------------ page API

    def reset(self) -> None:
        for variant in self.variants[: self.shown]:
            for curve in variant.curves():
                curve.setData([], [])
            variant.bars.setOpts(x0=[], x1=[], height=[])
            variant.rows, variant.snapshot, variant.weights, variant.heights = 0, None, np.zeros(0), np.zeros(0)
            variant.near_zero, variant.title = math.nan, ""
            variant.histogram_box.setVisible(False)
        self.shown = 0
        self.legend.clear()
        self.table.setRowCount(0)
        self._loss_range.clear()
        self._metric_range.clear()
        self._epochs.clear()
        self._table_key = None
        self._values = {}
        self._reach, self._edges, self._top = 0.0, np.zeros(0), None
        for plot in (self.loss_plot, self.metric_plot):
            plot.enableAutoRange()
            plot.getViewBox().refit()

    def show_progress(self, progress: StudyProgress) -> None:
        if progress.metric != self.metric_name:
            self.reset()
            self._set_metric(progress.metric)
        curves = progress.curves[:MAX_VARIANTS]
        grown = False
        histograms = False
        for i, curve in enumerate(curves):
            variant = self._variant(i, curve.label)
            count = len(curve.rows)
            if count > variant.rows:
                self._append(variant, curve.rows[variant.rows : count])
                grown = True
            snapshot = curve.snapshot
            if snapshot is not None and snapshot is not variant.snapshot:
                variant.snapshot = snapshot
                variant.weights = hidden_weights(snapshot)
                self._widen(snapshot)
                histograms = True
        if histograms:
            self._show_histograms()
        # At once when a variant appears or finishes or the study ends; running numbers a few times a second.
        key = (len(progress.table), progress.done, self.shown, tuple(v.rows for v in self.variants[: self.shown]))
        old = self._table_key
        now = time.monotonic()
        if key != old and (old is None or key[:3] != old[:3] or now - self._table_time >= self.table_interval):
            self._table_key, self._table_time = key, now
            self._show_table(list(progress.table))
        if grown:
            for plot in (self.loss_plot, self.metric_plot):
                settle(plot.getViewBox())

    def set_zoom(self, zoom: float) -> None:
        self.zoom = zoom
        for plot in (self.loss_plot, self.metric_plot):
            style_plot(plot, zoom)
        self.style_samples[0].setPen(pg.mkPen(INK, width=LINE_WIDTH * zoom))
        self.style_samples[1].setPen(pg.mkPen(INK, width=TRAIN_WIDTH * zoom, style=Qt.PenStyle.DashLine))
        for variant in self.variants:
            variant.set_zoom(zoom)
        _style_legend(self.legend, zoom)
        self.histogram_title.setFont(scaled_font(zoom))
        self.table.setFont(scaled_font(zoom))
        self.table.verticalHeader().setDefaultSectionSize(round(QFontMetrics(self.table.font()).height() * 1.5))
        if self.shown:
            self._show_histograms()
        self._fit_table()

    # ------------------------------------------------------------------ for tests

    def summary_values(self, row: int) -> dict:
        """The numbers behind table row ``row``, by run_summary's keys."""
        keys = [key.format(m=self.metric_name) for key in self.TABLE_KEYS]
        return {key: self._values.get((row, key)) for key in keys}

    # ------------------------------------------------------------------ internals

    def _set_metric(self, metric: str) -> None:
        self.metric_name = metric
        title = METRIC_TITLES.get(metric, metric)
        self.metric_plot.setLabel("left", title)
        style_plot(self.metric_plot, self.zoom)
        short = "acc." if metric == "accuracy" else title
        self.table.setHorizontalHeaderLabels([h.format(M=short) for h in self.TABLE_HEADERS])
        tips = {
            "epochs": "epochs trained so far",
            "final_train_{m}": f"training {title} (whole training set, dropout off) at the last epoch",
            "final_val_{m}": f"validation {title} at the last epoch (bold: the best of the variants)",
            "best_train_{m}": f"best training {title} of any epoch",
            "best_val_{m}": f"best validation {title} of any epoch",
            "best_epoch": "the epoch with the best validation " + title,
            "final_gap": "validation loss − training loss (data loss, dropout off) at the last epoch: the "
                         "generalization gap",
        }
        for column, key in enumerate(self.TABLE_KEYS):
            if key in tips:
                self.table.horizontalHeaderItem(column).setToolTip(tips[key])

    def _variant(self, i: int, label: str) -> _Variant:
        """Variant ``i``'s items, brought into the plots, legend and table when it first appears."""
        if i < self.shown:
            return self.variants[i]
        if i == len(self.variants):
            variant = _Variant(i, self)
            variant.set_zoom(self.zoom)
            self.variants.append(variant)
        variant = self.variants[i]
        variant.label = label
        variant.columns = Columns(("epoch", "val_loss", "train_eval_loss", f"val_{self.metric_name}",
                                   f"train_eval_{self.metric_name}"))
        if i == 0:
            self.legend.addItem(self.style_samples[0], "validation")
            self.legend.addItem(self.style_samples[1], "training (dropout off)")
            self.legend.addItem(pg.PlotDataItem(pen=None), "")  # an empty cell: the variants start a new row
        self.legend.addItem(variant.val_loss, label)
        _style_legend(self.legend, self.zoom)
        variant.histogram_box.setVisible(True)
        self.shown = i + 1
        self.table.setRowCount(self.shown)
        icon = QPixmap(12, 12)
        icon.fill(QColor(*variant.colour))
        for column, key in enumerate(self.TABLE_KEYS):
            item = QTableWidgetItem()
            item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | (
                Qt.AlignmentFlag.AlignLeft if key == "variant" else Qt.AlignmentFlag.AlignRight))
            if key == "variant":
                item.setText(label)
                self._values[(i, "variant")] = label
                item.setIcon(QIcon(icon))
            self.table.setItem(i, column, item)
        self._fit_table()
        return variant

    def _append(self, variant: _Variant, rows: Sequence[dict]) -> None:
        columns = variant.columns
        start = columns.count
        columns.extend(rows)
        variant.rows = columns.count
        m = self.metric_name
        x = columns["epoch"]
        variant.val_loss.setData(x, columns["val_loss"])
        variant.train_loss.setData(x, columns["train_eval_loss"])
        variant.val_metric.setData(x, columns[f"val_{m}"])
        variant.train_metric.setData(x, columns[f"train_eval_{m}"])
        self._epochs.fold(x[start:])
        self._loss_range.fold(columns["val_loss"][start:], columns["train_eval_loss"][start:])
        self._metric_range.fold(columns[f"val_{m}"][start:], columns[f"train_eval_{m}"][start:])

    def _widen(self, snapshot: Snapshot) -> None:
        """Bins for every variant: as the first hidden layer's (fixed for a run), wide enough for all variants."""
        edges = snapshot.layers[0].histogram_edges if snapshot.layers else np.linspace(-2, 2, HISTOGRAM_BINS + 1)
        reach = float(max(abs(edges[0]), abs(edges[-1])))
        if reach > self._reach:
            self._reach = reach
            self._edges = np.linspace(-reach, reach, max(len(edges) - 1, 1) + 1)
            for variant in self.variants[: self.shown]:
                variant.bars.setOpts(x0=self._edges[:-1], x1=self._edges[1:])
                variant.histogram.setXRange(-reach, reach, padding=0.02)

    def _show_histograms(self) -> None:
        """Each variant's share of weights per bin; one y range for all (the shapes compare, not the counts)."""
        edges = self._edges
        tallest = 0.0
        for variant in self.variants[: self.shown]:
            w = variant.weights
            if w.size:
                counts, _ = np.histogram(np.clip(w, edges[0], edges[-1]), bins=edges)
                heights = counts / w.size
                if not np.array_equal(heights, variant.heights):
                    variant.heights = heights
                    variant.bars.setOpts(x0=edges[:-1], x1=edges[1:], height=heights)
                variant.near_zero = float(np.mean(np.abs(w) < NEAR_ZERO))
                tallest = max(tallest, float(heights.max()))
            near = f"{100 * variant.near_zero:.0f} % near 0" if math.isfinite(variant.near_zero) else "&nbsp;"
            title = f"<span style='color:{_hex(variant.colour)}'>■</span> {html.escape(variant.label)}<br>{near}"
            if title != variant.title:
                variant.title = title
                variant.histogram_label.setText(title)
        top = histogram_top(tallest, self._top)
        if top != self._top:
            self._top = top
            for variant in self.variants[: self.shown]:
                variant.histogram.setYRange(0, top, padding=0)
        for variant in self.variants[: self.shown]:
            variant.histogram.setXRange(-self._reach, self._reach, padding=0.02)

    def _show_table(self, table: list[dict]) -> None:
        """A row per variant: the study's summary once the variant is done, else the same numbers from its rows."""
        done = {row.get("variant"): row for row in table}
        m = self.metric_name
        summaries = []
        for variant in self.variants[: self.shown]:
            summary = done.get(variant.label)
            if summary is None and variant.rows:
                summary = summary_from_columns(variant.label, variant.columns, m)
            summaries.append(summary)
        finals = [s[f"final_val_{m}"] for s in summaries if s is not None]
        best = (min(finals) if m == "rmse" else max(finals)) if finals else None
        for row, summary in enumerate(summaries):
            if summary is None:
                continue
            for column, key in enumerate(self.TABLE_KEYS[1:], start=1):
                key = key.format(m=m)
                value = summary.get(key)
                item = self.table.item(row, column)
                if key in ("epochs", "best_epoch"):
                    text = str(value)
                elif key == "final_gap":
                    text = f"{value:.3f}" if value is not None and math.isfinite(value) else "–"
                else:
                    text = _fmt(value, m)
                self._values[(row, key)] = value
                if item.text() != text:
                    item.setText(text)
                bold = key == f"final_val_{m}" and value == best and len(finals) > 1
                if item.font().bold() != bold:
                    font = item.font()
                    font.setBold(bold)
                    item.setFont(font)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_table()

    def _fit_table(self) -> None:
        """As tall as its rows (up to 4): no vertical scrolling, no empty space; room for the horizontal scroll
        bar when the columns are wider than the table."""
        header = self.table.horizontalHeader()
        height = header.sizeHint().height() + 2 * self.table.frameWidth()
        height += self.table.verticalHeader().defaultSectionSize() * max(self.table.rowCount(), 1)
        numbers = sum(header.sectionSize(c) for c in range(1, self.table.columnCount()))
        if numbers + header.minimumSectionSize() > self.table.width() - 2 * self.table.frameWidth():
            height += self.table.horizontalScrollBar().sizeHint().height()
        if height != self.table.height():
            self.table.setFixedHeight(height)


# ---------------------------------------------------------------------------- cross-validation


class CrossValidationPage(_Page):
    """A bar per fold (held-out RMSE, and accuracy for classification) with the mean; each fold's validation loss."""

    SCORES = {"rmse": "RMSE", "accuracy": "accuracy"}

    def __init__(self) -> None:
        super().__init__()
        self.curves: list[pg.PlotDataItem] = []  # a validation curve per fold, made as folds first appear
        self.columns: list[Columns] = []
        self.rows: list[int] = []  # rows shown per fold
        self.shown = 0
        self._epochs, self._range = Extremes(), Extremes()
        self._table_rows = -1
        self._folds = 0  # folds on the bar axes
        self._final_shown = False
        self.scores = ["rmse"]

        self.graphics = _graphics()
        self.score_plots: dict[str, pg.PlotItem] = {}
        self.bars: dict[str, pg.BarGraphItem] = {}
        self.means: dict[str, pg.InfiniteLine] = {}
        for score, title in self.SCORES.items():
            plot = _plot()
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
        self.legend = pg.LegendItem(colCount=10, frame=False, labelTextColor=INK)
        self.curve_plot = _curve_plot(lambda: [self._epochs.bounds(), self._range.bounds()])
        self.curve_plot.setLabel("left", "validation loss")
        self.curve_plot.setLabel("bottom", "epoch")
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.final)
        layout.addWidget(self.graphics, 1)
        self.set_zoom(1.0)

    # ------------------------------------------------------------------ page API

    def reset(self) -> None:
        for curve in self.curves[: self.shown]:
            curve.setData([], [])
        self.shown = 0
        self.legend.clear()
        self._epochs.clear()
        self._range.clear()
        self._table_rows = -1
        self._folds = 0
        for score in self.SCORES:
            self.bars[score].setOpts(x=[], height=[], brushes=None)
            self.means[score].setVisible(False)
        self.final.setVisible(False)
        self._final_shown = False
        self.curve_plot.enableAutoRange()
        self.curve_plot.getViewBox().refit()

    def show_progress(self, progress: StudyProgress) -> None:
        if progress.metric != self.metric_name:
            self.reset()
            self._set_metric(progress.metric)
        grown = False
        for i, curve in enumerate(list(progress.curves)):
            if i == self.shown:
                self._add_fold(i, curve.label)
            count = len(curve.rows)
            if count > self.rows[i]:
                columns = self.columns[i]
                start = columns.count
                columns.extend(curve.rows[self.rows[i] : count])
                self.rows[i] = columns.count
                self.curves[i].setData(columns["epoch"], columns["val_loss"])
                self._epochs.fold(columns["epoch"][start:])
                self._range.fold(columns["val_loss"][start:])
                grown = True
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
                    f"{name.replace('_', ' ')} {_fmt(value)}" if name != "rmse" else f"RMSE {_fmt(value)}"
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
            curve.setPen(self._pen(i))
        _style_legend(self.legend, zoom)
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
        if i == len(self.curves):
            curve = pg.PlotDataItem(antialias=False)
            curve.opts["autoDownsampleFactor"] = 0.5
            self.curve_plot.addItem(curve)
            self.curves.append(curve)
            self.columns.append(Columns(("epoch", "val_loss")))
            self.rows.append(0)
        self.curves[i].setPen(self._pen(i))
        self.columns[i].clear()
        self.rows[i] = 0
        self.legend.addItem(self.curves[i], label)
        _style_legend(self.legend, self.zoom)
        self.shown = i + 1

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
            heights = np.array([_number(row.get(score)) for row in table], float)
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
        """"RMSE of each held-out fold · mean 0.36 (dashed)"."""
        for score in self.scores:
            mean = self.means[score]
            title = f"{self.SCORES[score]} of each held-out fold"
            if mean.isVisible():
                title += f" · mean {_fmt(mean.value(), score)} (dashed)"
            if title != self._titles[score]:
                self._titles[score] = title
                self.score_plots[score].setTitle(html.escape(title), color=_hex(INK),
                                                 size=f"{LABEL_PT * self.zoom:g}pt")


# ---------------------------------------------------------------------------- sweep


class SweepPage(_Page):
    """Final training and validation metric against the swept value; the runs' validation losses."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[pg.PlotDataItem] = []  # a validation curve per run, made as runs first appear
        self.columns: list[Columns] = []
        self.rows: list[int] = []
        self.shown = 0
        self._epochs, self._range = Extremes(), Extremes()
        self._table_rows = -1
        self._highlight_key: tuple | None = None
        self._best_key: tuple | None = None
        self.log_x = False
        self.best: float | None = None  # the value marked best
        self.underfitting_side: str | None = None  # "high" or "low" values, or None
        self.means = (np.zeros(0), np.zeros(0), np.zeros(0))  # values, training and validation means
        self._highlighted: set[int] = set()  # runs drawn green

        self.graphics = _graphics()
        self.score_legend = pg.LegendItem(colCount=4, frame=False, labelTextColor=INK)
        self.score_plot = _plot()
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

        self.runs_plot = _curve_plot(lambda: [self._epochs.bounds(), self._range.bounds()])
        self.runs_plot.setLabel("left", "validation loss")
        self.runs_plot.setLabel("bottom", "epoch")
        self.graphics.addItem(self.score_legend, row=0, col=0)
        self.graphics.addItem(self.score_plot, row=1, col=0)
        self.graphics.addItem(self.runs_plot, row=2, col=0)
        self.graphics.ci.layout.setRowStretchFactor(1, 3)
        self.graphics.ci.layout.setRowStretchFactor(2, 2)
        self._runs_title = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self._set_metric("accuracy")
        self.set_zoom(1.0)

    # ------------------------------------------------------------------ page API

    def reset(self) -> None:
        for curve in self.runs[: self.shown]:
            curve.setData([], [])
        self.shown = 0
        self._epochs.clear()
        self._range.clear()
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
        self.score_plot.enableAutoRange()
        self.runs_plot.enableAutoRange()
        self.runs_plot.getViewBox().refit()

    def show_progress(self, progress: StudyProgress) -> None:
        if progress.metric != self.metric_name:
            self.reset()
            self._set_metric(progress.metric)
        result = progress.result
        param = result.get("param")
        if self.shown == 0 and self._table_rows < 0:  # first look at this study: its axis
            self._set_log_x(bool(result.get("log_x")))
            if param:
                self.score_plot.setLabel("bottom", f"{param}" + ("  (log scale)" if self.log_x else ""))
                style_plot(self.score_plot, self.zoom)
            planned = [float(v) for v in result.get("values") or [] if not self.log_x or v > 0]
            if planned:  # the whole sweep's range from the start: the points fill it in, the axis stays
                low, high = self._x(min(planned)), self._x(max(planned))
                if high > low:
                    self.score_plot.setXRange(low, high, padding=0.04)
        grown = False
        curves = list(progress.curves)
        for i, curve in enumerate(curves):
            if i == self.shown:
                self._add_run(i)
            count = len(curve.rows)
            if count > self.rows[i]:
                columns = self.columns[i]
                start = columns.count
                columns.extend(curve.rows[self.rows[i] : count])
                self.rows[i] = columns.count
                self.runs[i].setData(columns["epoch"], columns["val_loss"])
                self._epochs.fold(columns["epoch"][start:])
                self._range.fold(columns["val_loss"][start:])
                grown = True
        table = list(progress.table)
        if len(table) != self._table_rows:
            self._table_rows = len(table)
            self._show_scores(table)
        best = result.get("best")
        if (best, self._table_rows) != self._best_key:
            self._best_key = (best, self._table_rows)
            self._show_best(best)
        key = (self.shown, progress.done, best)
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
        _line_label_font(self.best_line.label, VERMILLION, zoom)
        for label in self.underfitting_labels.values():
            _line_label_font(label, (150, 95, 0), zoom)  # ORANGE darkened to read as text
        _style_legend(self.score_legend, zoom)
        self._restyle_runs()
        title, self._runs_title = self._runs_title, None
        self._set_runs_title(title)

    # ------------------------------------------------------------------ internals

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

    def _add_run(self, i: int) -> None:
        if i == len(self.runs):
            curve = pg.PlotDataItem(antialias=False)
            curve.opts["autoDownsampleFactor"] = 0.5
            self.runs_plot.addItem(curve)
            self.runs.append(curve)
            self.columns.append(Columns(("epoch", "val_loss")))
            self.rows.append(0)
        self.columns[i].clear()
        self.rows[i] = 0
        self.shown = i + 1

    def _show_scores(self, table: list[dict]) -> None:
        values, train, val = sweep_means(table)
        self.means = (values, train, val)
        self.train_line.setData(values, train)
        self.val_line.setData(values, val)
        several = len(values) < len(table)  # more than one seed for a value: show each seed's result too
        seeds_x = np.array([float(row["value"]) for row in table], float) if several else np.zeros(0)
        self.train_seeds.setData(seeds_x, np.array([_number(r["final_train"]) for r in table]) if several else [])
        self.val_seeds.setData(seeds_x, np.array([_number(r["final_val"]) for r in table]) if several else [])
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
            self.best_line.label.setFormat(_escape_format(f" best {best:g} " if final else f" best so far {best:g} "))
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
        """The current run green (once done: the best value's runs), the others faded."""
        self._highlighted = set()
        if done and best is not None:
            self._highlighted = {i for i, c in enumerate(curves) if c.label.split(" ")[0] == f"{best:g}"}
            self._set_runs_title(f"Validation loss per epoch — green: the best value, {best:g}")
        elif curves:
            self._highlighted = {len(curves) - 1}
            self._set_runs_title(f"Validation loss per epoch — green: this run, {curves[-1].label}")
        self._restyle_runs()

    def _restyle_runs(self) -> None:
        for i, curve in enumerate(self.runs[: self.shown]):
            on = i in self._highlighted
            curve.setPen(pg.mkPen(GREEN, width=LINE_WIDTH * self.zoom) if on
                         else pg.mkPen(FADED, width=self.zoom))
            curve.setZValue(1 if on else 0)

    def _set_runs_title(self, text: str) -> None:
        if text != self._runs_title:
            self._runs_title = text
            self.runs_plot.setTitle(html.escape(text) if text else None, color=_hex(INK),
                                    size=f"{LABEL_PT * self.zoom:g}pt")


# ---------------------------------------------------------------------------- the view


class StudyView(QWidget):
    """The study panel: a heading, then a page for the kind of study shown (or a hint before any)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zoom = 1.0
        self._progress: StudyProgress | None = None
        self._page: _Page | None = None
        self._heading_text = ""
        white_background(self)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setContentsMargins(8, 4, 8, 4)
        self.heading.setVisible(False)
        self.hint = QLabel(HINT)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.compare = ComparePage()
        self.cv = CrossValidationPage()
        self.sweep = SweepPage()
        self._pages: dict[str, _Page] = {"compare": self.compare, "cv": self.cv, "sweep": self.sweep}

        self.stack = QStackedLayout()
        self.stack.addWidget(self.hint)
        for page in self._pages.values():
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.heading)
        layout.addLayout(self.stack, 1)
        self.set_zoom(1.0)

    # ------------------------------------------------------------------ the view API

    def show_progress(self, progress: StudyProgress | None) -> None:
        """Show ``progress`` (the same object on every call while its study runs); None shows the hint.

        Only what is new since the last call is drawn; a new study (another object) starts its page afresh.
        """
        if progress is None:
            if self._progress is not None or self._page is not None:
                self._progress, self._page = None, None
                self.stack.setCurrentWidget(self.hint)
                self.heading.setVisible(False)
            return
        page = self._pages.get(progress.kind)
        if progress is not self._progress:
            self._progress = progress
            if page is not None:
                page.reset()
            self._page = page
            self.stack.setCurrentWidget(page if page is not None else self.hint)
            self.heading.setVisible(True)
        text = f"<b>{html.escape(progress.title)}</b>"
        if progress.message:
            text += f"&nbsp;&nbsp;—&nbsp;&nbsp;{html.escape(progress.message)}"
        if text != self._heading_text:
            self._heading_text = text
            self.heading.setText(text)
        if page is not None:
            page.show_progress(progress)

    def set_zoom(self, factor: float) -> None:
        """Scale fonts and line widths (2 for a projector)."""
        self._zoom = factor
        heading = scaled_font(factor * 1.15)
        self.heading.setFont(heading)
        self.hint.setFont(scaled_font(factor * 1.2))
        for page in self._pages.values():
            page.set_zoom(factor)

    def clear(self) -> None:
        """Back to the hint."""
        self.show_progress(None)

    @property
    def kind(self) -> str | None:
        """The kind of study shown ("compare", "cv", "sweep"), or None (the hint)."""
        return self._progress.kind if self._progress is not None else None
