"""The compare page of the study panel (gui/studies/study_view.py): up to 4 variants of one experiment side by side.

- the validation (solid) and training (dashed) losses per variant, the metric below them;
- the weights of the hidden layers at the latest epoch, one histogram per variant on the same bins and the same
  log axis of shares (so L2's narrow bell, L1's spike at zero and the few weights L1 leaves elsewhere all show);
- a table with the final and best metric, the best epoch and the final generalization gap of each variant: the
  study's summary once a variant is done, before that the same numbers from its rows, a few times a second.

What the pages share is in gui/studies/study_plots.py.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.studies.study import MAX_VARIANTS, StudyProgress
from engine.training.snapshot import HISTOGRAM_BINS, NEAR_ZERO, Snapshot
from gui.plotting.epoch_plots import epoch_curve, epoch_plot
from gui.plotting.palette import INK, PAPER, SERIES
from gui.plotting.plot_axes import DecadeAxis, FittingAxis
from gui.plotting.plot_style import flush_column, paper_graphics, scaled_font, settle, style_plot, white_background
from gui.studies.study_plots import (
    LINE_WIDTH,
    METRIC_TITLES,
    TRAIN_WIDTH,
    Columns,
    Extremes,
    StudyPage,
    fmt,
    hex_colour,
    style_legend,
)

TABLE_INTERVAL = 0.25  # s: a running variant's numbers change at most this often (faster could not be read)
HISTOGRAM_WIDTH = 170  # px at zoom 1: the histograms' column at the least, for their axes' numbers and titles
HEADROOM = 0.3  # decades of the share axis above 100 %: room for its label


def share_floor(weights: int) -> float:
    """The log share axis' floor for variants of at most ``weights`` weights: half a weight's share, so that a bar
    of a single weight still stands above it."""
    return math.log10(0.5 / max(weights, 1))


def share_heights(shares: np.ndarray, floor: float) -> np.ndarray:
    """Bar heights above ``floor`` on the log share axis: log10(share) − floor, 0 for an empty bin."""
    shares = np.asarray(shares, dtype=float)
    return np.where(shares > 0, np.log10(np.where(shares > 0, shares, 1.0)) - floor, 0.0)


class ShareAxis(DecadeAxis):
    """The compare histograms' log share axis: 100 %, 10 %, 1 %, …"""

    def decade(self, power: int) -> str:
        return f"{100 * 10.0 ** power:g} %"


def summary_from_columns(label: str, columns: Columns, metric: str) -> dict:
    """:func:`engine.studies.study.run_summary`'s row, worked out with numpy from a variant's columns."""
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
        self.val_loss, self.train_loss, self.val_metric, self.train_metric = (epoch_curve() for _ in range(4))
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
        self.histogram_widget = pg.PlotWidget(background=PAPER, axisItems={
            "left": ShareAxis(), "bottom": FittingAxis("bottom", centred=True)})
        self.histogram_widget.setMinimumSize(60, 40)
        self.histogram = self.histogram_widget.getPlotItem()
        self.histogram.showGrid(x=True, y=True, alpha=0.15)
        self.histogram.setMenuEnabled(False)
        self.histogram.setMouseEnabled(x=False, y=False)
        self.histogram.hideButtons()
        box.addWidget(self.histogram_label)
        box.addWidget(self.histogram_widget, 1)
        page.histogram_column.addWidget(self.histogram_box, 1)
        self.bars = pg.BarGraphItem(x0=[], x1=[], y0=0.0, height=[], brush=self.colour)
        self.histogram.addItem(self.bars)
        self.heights = np.zeros(0)  # the share of the weights per bin (the bars stand for it on a log axis)
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


class ComparePage(StudyPage):
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
        self._floor: float | None = None  # the histograms' y range: this … 100 %, on a log share axis

        self.curves_widget = paper_graphics()
        self.legend = pg.LegendItem(colCount=3, frame=False, labelTextColor=INK)
        self.loss_plot = epoch_plot(lambda: [self._epochs.bounds(), self._loss_range.bounds()])
        self.metric_plot = epoch_plot(lambda: [self._epochs.bounds(), self._metric_range.bounds()])
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

        self.histogram_title = QLabel(
            "Weight histograms: hidden layers, latest epoch (x: weight, y: share of the weights, log scale)")
        self.histogram_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.histogram_title.setWordWrap(True)
        self.histogram_title.setToolTip(
            "Share of the hidden layers' kernel weights per bin, the same bins and the same log axis for every "
            "variant (an empty bin has no bar; the lowest bars are a single weight): L2 pulls the weights into a "
            "narrow bell around 0, L1 piles most of them up on 0 and leaves the rest spread out.")
        self.histogram_box = histogram_box = QWidget()
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
        layout = flush_column(self, spacing=4)
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
        self._reach, self._edges, self._floor = 0.0, np.zeros(0), None
        for plot in (self.loss_plot, self.metric_plot):
            plot.enableAutoRange()
            plot.getViewBox().refit()

    def show_progress(self, progress: StudyProgress) -> None:
        self._follow_metric(progress)
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
        style_legend(self.legend, zoom)
        self.histogram_title.setFont(scaled_font(zoom))
        self.histogram_box.setMinimumWidth(round(HISTOGRAM_WIDTH * zoom))
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
        style_legend(self.legend, self.zoom)
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
        """Bins for every variant: as many as the first hidden layer's, over ±R wide enough for every variant's widest
        bins so far (the engine's R follows the weights; here it only grows, so the variants compare)."""
        edges = snapshot.layers[0].histogram_edges if snapshot.layers else np.linspace(-2, 2, HISTOGRAM_BINS + 1)
        reach = float(max(abs(edges[0]), abs(edges[-1])))
        if reach > self._reach:
            self._reach = reach
            self._edges = np.linspace(-reach, reach, max(len(edges) - 1, 1) + 1)
            for variant in self.variants[: self.shown]:
                variant.bars.setOpts(x0=self._edges[:-1], x1=self._edges[1:])
                variant.histogram.setXRange(-reach, reach, padding=0.02)

    def _show_histograms(self) -> None:
        """Each variant's share of weights per bin on one log axis for all, from half a weight of the largest variant
        up to 100 % (the shapes compare, not the counts; a single weight's bar shows beside L1's pile at 0)."""
        edges = self._edges
        floor = share_floor(max((v.weights.size for v in self.variants[: self.shown]), default=1))
        refloor = floor != self._floor
        for variant in self.variants[: self.shown]:
            w = variant.weights
            if w.size:
                counts, _ = np.histogram(np.clip(w, edges[0], edges[-1]), bins=edges)
                shares = counts / w.size
                if refloor or not np.array_equal(shares, variant.heights):
                    variant.heights = shares
                    variant.bars.setOpts(x0=edges[:-1], x1=edges[1:], y0=floor, height=share_heights(shares, floor))
                variant.near_zero = float(np.mean(np.abs(w) < NEAR_ZERO))
            near = f"{100 * variant.near_zero:.0f} % near 0" if math.isfinite(variant.near_zero) else "&nbsp;"
            title = f"<span style='color:{hex_colour(variant.colour)}'>■</span> {html.escape(variant.label)}<br>{near}"
            if title != variant.title:
                variant.title = title
                variant.histogram_label.setText(title)
        if refloor:
            self._floor = floor
            for variant in self.variants[: self.shown]:
                variant.histogram.setYRange(floor, HEADROOM, padding=0)
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
            if summary.get("diverged_epoch"):  # its numbers are those of its last finite epoch
                self._mark_diverged(row, summary["variant"], summary["diverged_epoch"])
            for column, key in enumerate(self.TABLE_KEYS[1:], start=1):
                key = key.format(m=m)
                value = summary.get(key)
                item = self.table.item(row, column)
                if key in ("epochs", "best_epoch"):
                    text = str(value)
                elif key == "final_gap":
                    text = f"{value:.3f}" if value is not None and math.isfinite(value) else "–"
                else:
                    text = fmt(value, m)
                self._values[(row, key)] = value
                if item.text() != text:
                    item.setText(text)
                bold = key == f"final_val_{m}" and value == best and len(finals) > 1
                if item.font().bold() != bold:
                    font = item.font()
                    font.setBold(bold)
                    item.setFont(font)

    def _mark_diverged(self, row: int, label: str, epoch: int) -> None:
        item = self.table.item(row, 0)
        text = f"{label} — diverged in epoch {epoch}"
        if item.text() != text:
            item.setText(text)
            item.setToolTip(f"The loss became NaN or infinite in epoch {epoch}; the numbers are those of the last "
                            "finite epoch, and the other variants trained on")

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
