"""The loss curves of the run so far, and the accuracy (or RMSE) below them.

The top plot splits the loss Keras reports into its two parts: ``loss = data_loss + penalty``.
The band between the data-loss curve and the loss curve is shaded, so the share the penalty
takes of the loss can be seen at a glance. The validation loss, the loss on the training set
with dropout off, and their difference (the generalization gap, dashed) sit on the same axes.

The history arrives whole on every call of :meth:`LossView.set_history`; only the new rows are
copied into numpy buffers, and each curve gets one ``setData`` per call.

With early stopping on, :meth:`LossView.set_best_epoch` marks the epoch of the lowest validation loss (the
weights early stopping keeps) with a dashed line on both plots.

The axes follow the data in steps (:class:`SteppedViewBox`): the epoch axis grows to the next round epoch
count and the value axes move only when the data leaves them or fills too little of them. A changed
range re-renders the axes and grid, so ranging every frame would cost that on every frame; the ranges are
also settled before painting, so a frame is painted once. :func:`epoch_plot` and :func:`epoch_curve` make such
plots and curves; the study pages (gui/compare_page.py, gui/study_plots.py) draw theirs with them too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QPainterPath
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QWidget

from engine.snapshot import Snapshot
from gui.palette import CURVE, GREEN, INK, PAPER, SKY, VERMILLION
from gui.plot_style import (
    LABEL_PT,
    flush_column,
    grid_plot,
    layout_width,
    paper_graphics,
    relayout_soon,
    settle,
    style_plot,
    white_background,
    zoom_check_box,
)

#: loss curves: history key → legend label
LOSS_LABELS = {
    "loss": "loss = data + penalty",
    "data_loss": "data loss",
    "penalty": "penalty",
    "train_eval_loss": "train loss (dropout off)",
    "val_loss": "validation loss",
    "generalization_gap": "gap = validation − train",
}
#: the short key that stands in for the loss legend when the view is too low for it
KEY_NAMES = {"loss": "loss", "data_loss": "data", "penalty": "penalty", "train_eval_loss": "train",
             "val_loss": "validation", "generalization_gap": "gap"}
#: metric curves: key prefix → (colour, legend label); the colours match the loss curves of the same data
METRIC_PREFIXES = {
    "": (CURVE["loss"], "{name} (training batches)"),
    "train_eval_": (SKY, "train (dropout off)"),
    "val_": (GREEN, "validation"),
}
METRIC_TITLES = {"accuracy": "accuracy", "rmse": "RMSE"}
BAND_ALPHA = 80  # of the penalty band's VERMILLION fill
LINE_WIDTH = 2.0  # at zoom 1
LEGEND_SHRINK = 0.7  # the loss legend's type may shrink to this share of the zoomed size to fit in 2 columns
LEGENDS_HEIGHT = 300  # px at zoom 1: a lower view shows no metric legend (see _fit_legends)
CURVES_LEAST = 185  # px at zoom 1 the two plots keep, with their axes, under the loss legend; else it steps aside
NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)  # the epoch axis ends on one of these × 10^k
X_PAD = 0.02  # of the epoch range, left of epoch 0
Y_MARGIN = 0.05  # of the data's span, above and below it
Y_HEADROOM = 0.1  # extra room, of the span, on the side the data left the range by (the next steps fit in it)
Y_MIN_FILL = 0.6  # a value range is narrowed when the data (with margins) fills less of it than this


def nice_ceiling(value: float) -> float:
    """The smallest NICE_STEPS × 10^k at or above ``value`` (≥ 1): 437 → 500, 1001 → 1200."""
    if not value > 1:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in NICE_STEPS if step * power >= value * (1 - 1e-12))


def sticky_range(low: float, high: float, current: tuple[float, float] | None) -> tuple[float, float]:
    """A value range for data spanning ``low`` … ``high`` that keeps ``current`` while the data sits well in it.

    The range changes when the data leaves it (then widening by Y_HEADROOM on that side, so a slow drift
    moves it in steps) or when the data fills less than Y_MIN_FILL of it (then fitting the data again).
    """
    span = high - low
    if span <= 0:
        span = abs(high) * 0.1 or 0.1
    wanted = (low - Y_MARGIN * span, high + Y_MARGIN * span)
    if current is None:
        return wanted
    bottom, top = current
    if bottom <= wanted[0] and top >= wanted[1]:
        if (wanted[1] - wanted[0]) >= Y_MIN_FILL * (top - bottom):
            return current
        return wanted
    if wanted[0] < bottom:
        bottom = wanted[0] - Y_HEADROOM * span
    if wanted[1] > top:
        top = wanted[1] + Y_HEADROOM * span
    if (wanted[1] - wanted[0]) < Y_MIN_FILL * (top - bottom):
        return wanted
    return bottom, top


FOLLOW_LATEST_MS = 150  # a plot follows a linked plot's range step by then, if no turn of its own came first


class SteppedViewBox(pg.ViewBox):
    """A ViewBox whose auto-range moves in steps: x to [0, nice_ceiling(last epoch)], y by :func:`sticky_range`.

    ``bounds()`` gives the data's (low, high) per axis in view coordinates (log10 on a log axis), or None: from
    the data, not from the items (pyqtgraph's childrenBounds pads by the pens' width in pixels, and the
    items hold the data downsampled for the current range; either way the range it sets changes the bounds,
    and a range can flip between two steps on every frame). Auto-ranging stays pyqtgraph's own switch:
    panning or zooming with the mouse turns it off and the "A" button turns it back on. :func:`settle` ranges
    at once (before painting) instead of in the paint.
    """

    def __init__(self, bounds: Callable[[], list[tuple[float, float] | None]]) -> None:
        super().__init__()
        self._bounds = bounds
        self._y_range: tuple[float, float] | None = None
        self._stepping = False  # True while this box sets a range of its own auto-ranging
        self._behind: tuple[pg.ViewBox, int] | None = None  # a linked box's step not followed yet
        self._catch_up_timer = QTimer(self)
        self._catch_up_timer.setSingleShot(True)
        self._catch_up_timer.setInterval(FOLLOW_LATEST_MS)
        self._catch_up_timer.timeout.connect(self.catch_up)

    def linkedViewChanged(self, view: pg.ViewBox, axis: int) -> None:  # noqa: N802 (pyqtgraph's name)
        """Follow a linked box at once when the user pans or zooms it; follow its auto-range steps later, at this
        box's next :func:`settle` (its own turn of the window's render timer) or within FOLLOW_LATEST_MS.

        A step re-renders a plot's axes, grid and every curve; two linked plots stepping in the same frame made
        it the late frame of the window (tick intervals of 25–35 ms instead of 17).
        """
        if getattr(view, "_stepping", False):
            self._behind = (view, axis)
            self._catch_up_timer.start()
            return
        super().linkedViewChanged(view, axis)

    def catch_up(self) -> None:
        """Take the range of a linked box whose step this box has not followed yet."""
        self._catch_up_timer.stop()
        if self._behind is not None:
            (view, axis), self._behind = self._behind, None
            super().linkedViewChanged(view, axis)

    def updateAutoRange(self) -> None:
        if self._updatingRange:
            return
        self._updatingRange = True
        try:
            auto = self.state["autoRange"]
            if not any(auto):
                return
            bounds = self._bounds()
            current = self.viewRange()
            ranges = {}
            for axis, key in ((0, "xRange"), (1, "yRange")):
                if auto[axis] is False or bounds[axis] is None:
                    continue
                low, high = (float(v) for v in bounds[axis])
                if axis == 0:  # from epoch 0, a little left of it so that its tick label shows
                    high = nice_ceiling(high)
                    low = min(0.0, low)
                    wanted = (low - X_PAD * (high - low), high)
                else:
                    wanted = sticky_range(low, high, self._y_followed(current[1]))
                if wanted != tuple(current[axis]):
                    ranges[key] = wanted
            if ranges:
                self._stepping = True
                try:
                    self.setRange(padding=0, disableAutoRange=False, **ranges)
                finally:
                    self._stepping = False
            if auto[1] is not False and bounds[1] is not None:
                self._y_range = tuple(self.viewRange()[1])  # this box's range, to keep while the data fits
        finally:
            self._autoRangeNeedsUpdate = False
            self._updatingRange = False

    def refit(self) -> None:
        """Fit the data afresh at the next ranging (e.g. on a new axis scale), instead of keeping the range."""
        self._y_range = None
        self.queueUpdateAutoRange()

    def _y_followed(self, current: list[float]) -> tuple[float, float] | None:
        """The y range to keep, if it is the one this box set last (not the default, or a zoom the user undid)."""
        last = self._y_range
        return tuple(current) if last is not None and tuple(current) == last else None


def epoch_plot(bounds: Callable[[], list[tuple[float, float] | None]]) -> pg.PlotItem:
    """A plot of curves over epochs: ranged in steps by a :class:`SteppedViewBox` on ``bounds``, drawing only what
    is visible (long runs: about one point per pixel)."""
    plot = grid_plot(SteppedViewBox(bounds))
    plot.setClipToView(True)
    plot.setDownsampling(auto=True, mode="peak")
    return plot


def epoch_curve() -> pg.PlotDataItem:
    """A curve over epochs for an :func:`epoch_plot`, drawn fast however long and noisy it gets."""
    # Wide antialiased pens take Qt's slow path (~100 ms for a noisy 5,000-epoch curve); without
    # antialiasing pyqtgraph draws them as line segments, in a few ms, looking nearly the same.
    curve = pg.PlotDataItem(antialias=False)
    # One bin per 2 pixels, the pen's width: "peak" keeps each bin's min and max, so a long noisy curve
    # covers the same pixels with half the segments (the raster time of these curves).
    curve.opts["autoDownsampleFactor"] = 0.5
    return curve


BAND_PIXELS = 3  # the band's edges have a vertex every 3 pixels at most


def band_edges(x: np.ndarray, lower: np.ndarray, upper: np.ndarray, most: int):
    """At most ``most`` + 2 points along the band: the means of consecutive runs of the curves' points, and
    their first and last points exactly (so the band reaches the curves' ends).

    The curves come peak-downsampled for long runs (each pixel bin's min and max, a zigzag); a band filled
    between zigzags costs more to paint than all the curves. The curves' own strokes cover their zigzags, so
    the band only needs to be smooth between them.
    """
    n = len(x)
    if n <= most + 2:
        return x, lower, upper
    starts = np.arange(0, n, -(-n // most))
    counts = np.diff(np.append(starts, n))
    means = [np.add.reduceat(a, starts) / counts for a in (x, lower, upper)]
    return tuple(np.concatenate([a[:1], m, a[-1:]]) for a, m in zip((x, lower, upper), means, strict=True))


class PenaltyBand(pg.FillBetweenItem):
    """The shaded band between two curves drawn over the same epochs, its path built with numpy, smoothed to
    about one vertex per :data:`BAND_PIXELS` pixels (:func:`band_edges`).

    (pyqtgraph's own joins Qt polygons in Python: ~10 ms for 5,000 epochs, on every frame.)
    """

    held = False  # True while both curves get new data: one path for both, not one per curve

    def updatePath(self) -> None:
        if self.held:
            return
        if self.curves is None:
            super().updatePath()
            return
        (x, lower), (x_upper, upper) = (curve.curve.getData() for curve in self.curves)
        if x is None or x_upper is None or len(x) != len(x_upper):  # not paired up: let pyqtgraph join them
            super().updatePath()
            return
        keep = np.isfinite(x) & np.isfinite(lower) & np.isfinite(upper)
        x, lower, upper = x[keep], lower[keep], upper[keep]
        view = self.curves[0].getViewBox()  # (a QGraphicsPathItem has none of its own)
        if view is not None and view.width() > 0:
            x, lower, upper = band_edges(x, lower, upper, most=max(2, int(view.width() / BAND_PIXELS)))
        path = QPainterPath()
        if len(x) > 1:
            path = pg.arrayToQPath(np.concatenate([x, x[::-1]]), np.concatenate([lower, upper[::-1]]), connect="all")
            path.closeSubpath()
        self.setPath(path)


def compact_key_text() -> str:
    """One line of coloured marks and short names: ━ loss ━ data … ╍ gap (dashed like the gap's curve)."""
    marks = [f"<span style='color:{pg.mkColor(CURVE[key]).name()}'>{'╍' if key == 'generalization_gap' else '━'}"
             f"</span>&nbsp;{name}" for key, name in KEY_NAMES.items()]
    return "&nbsp;&nbsp; ".join(marks)


def legend_width(legend: pg.LegendItem, columns: int) -> float:
    """The width ``legend`` needs with its entries in ``columns`` columns: a sample and a label per column (their
    own widths, not laid-out ones, which grow with the view), spaced, within the legend's margins."""
    entries = [sample.minimumWidth() + label.minimumWidth() for sample, label in legend.items]
    columns = max(1, min(columns, len(entries)))
    spacing = legend.layout.horizontalSpacing()
    left, _, right, _ = legend.layout.getContentsMargins()
    return sum(max(entries[j::columns]) for j in range(columns)) + spacing * (2 * columns - 1) + left + right


def legend_height(legend: pg.LegendItem) -> float:
    """The height ``legend`` takes laid out in its current columns (whether shown or not)."""
    return legend.layout.effectiveSizeHint(Qt.SizeHint.PreferredSize).height()


def legend_columns(legend: pg.LegendItem, width: float, most: int = 3) -> int:
    """The most columns (up to ``most``) in which ``legend``'s entries fit ``width`` pixels, at least 1."""
    for columns in range(min(most, len(legend.items)), 1, -1):
        if legend_width(legend, columns) <= width:
            return columns
    return 1


def _label_size(legend: pg.LegendItem, points: float) -> None:
    legend.setLabelTextSize(f"{points:g}pt")
    for _, label in legend.items:
        label.setText(label.text)  # re-render with the new size


class LossView(QWidget):
    """Loss curves with the penalty band, and the metric curves, linked on the epoch axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zoom = 1.0
        self._metric: str | None = None  # "accuracy" or "rmse", from the first row of a run
        self._rows = 0
        self._plotted = [0, 0]  # rows drawn by the loss plot and by the metric plot
        self._buffers: dict[str, np.ndarray] = {}
        self._extremes: dict[str, tuple[float, float, float]] = {}  # column → finite min, max, smallest positive
        self._log_y = False
        self._loss_curves: dict[str, pg.PlotDataItem] = {}  # filled below, after the plots (which range by them)
        self._metric_curves: dict[str, pg.PlotDataItem] = {}
        self._markers: list[pg.InfiniteLine] = []
        self._best: tuple[int, bool] | None = None  # (epoch, stopped) the best-epoch lines show, None: hidden

        self.log_y_box = QCheckBox("log y")
        self.log_y_box.setToolTip("Show the losses on a logarithmic axis (non-positive values are left out)")
        self.log_y_box.toggled.connect(self._log_y_toggled)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 0)
        # Where the loss legend steps aside (a laptop beside a lesson) the curves still need their names.
        self.compact_key = QLabel(compact_key_text())
        self.compact_key.setWordWrap(True)
        self.compact_key.setToolTip("<br>".join(f"{KEY_NAMES[key]}: {label}" for key, label in LOSS_LABELS.items()))
        self.compact_key.hide()
        bar.addWidget(self.compact_key, 1)
        bar.addStretch(1)
        bar.addWidget(self.log_y_box)

        self.graphics = paper_graphics()
        self.graphics.ci.setContentsMargins(4, 2, 4, 2)  # (pyqtgraph's 9 px: height the curves need on a laptop)
        white_background(self)
        layout = flush_column(self)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)
        self.graphics.sigDeviceRangeChanged.connect(self._fit_legends)  # the view was resized

        self.loss_legend = pg.LegendItem(colCount=3, frame=False, labelTextColor=INK)
        self.loss_plot = epoch_plot(lambda: self._bounds(self._loss_curves, self._log_y))
        self.metric_legend = pg.LegendItem(colCount=3, frame=False, labelTextColor=INK)
        self.metric_plot = epoch_plot(lambda: self._bounds(self._metric_columns(), False))
        self.graphics.addItem(self.loss_legend, row=0, col=0)
        self.graphics.addItem(self.loss_plot, row=1, col=0)
        self.graphics.addItem(self.metric_legend, row=2, col=0)
        self.graphics.addItem(self.metric_plot, row=3, col=0)
        self.graphics.ci.layout.setRowStretchFactor(1, 3)
        self.graphics.ci.layout.setRowStretchFactor(3, 2)
        self.metric_plot.setXLink(self.loss_plot)
        self.loss_plot.setLabel("left", "loss")
        self.metric_plot.setLabel("bottom", "epoch")

        self._loss_curves = {key: epoch_curve() for key in LOSS_LABELS}
        # Under the curves, so both edges of the band stay visible.
        self.penalty_band = PenaltyBand(
            self._loss_curves["data_loss"], self._loss_curves["loss"], brush=(*VERMILLION, BAND_ALPHA)
        )
        self.loss_plot.addItem(self.penalty_band)
        for key, curve in self._loss_curves.items():
            self.loss_plot.addItem(curve)
            self.loss_legend.addItem(curve, LOSS_LABELS[key])
        self._metric_curves = {prefix: epoch_curve() for prefix in METRIC_PREFIXES}
        for prefix, curve in self._metric_curves.items():
            self.metric_plot.addItem(curve)
            self.metric_legend.addItem(curve, METRIC_PREFIXES[prefix][1].format(name="metric"))
        # The best epoch (early stopping): one line per plot, made once, moved and relabelled. ignoreBounds: the
        # ranges come from the data anyway (SteppedViewBox), and a moved line must not even queue a ranging.
        self.best_lines = (pg.InfiniteLine(angle=90, label="", labelOpts={"position": 0.8, "fill": (*PAPER, 210)}),
                           pg.InfiniteLine(angle=90))
        for plot, line in zip((self.loss_plot, self.metric_plot), self.best_lines, strict=True):
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
        self.set_zoom(1.0)

    # ------------------------------------------------------------------ the common view API

    def show_snapshot(self, snap: Snapshot | None) -> None:
        """Nothing to do: the curves come from :meth:`set_history`, which holds every epoch, not just the latest."""

    def clear(self) -> None:
        """Empty every curve and remove the markers, ready for a new run."""
        self._rows = 0
        self._plotted = [0, 0]
        self._metric = None
        self._buffers = {}
        self._extremes = {}
        for curve in self._all_curves():
            curve.setData([], [])
        self.clear_markers()
        self.set_best_epoch(None)

    def _fit_legends(self, *_) -> None:
        """Legends that fit the view's width without taking the plots' height. A legend wider than the view would
        widen the plots under it past the view's edge (big type on a projector), cutting off the newest epochs;
        one entry a row would squash the plots flat. So: the loss legend in 3 columns, or 2 with its type made
        smaller if need be (down to LEGEND_SHRINK); the metric legend in 3 columns, or hidden, as its colours are the
        loss legend's (training batches, train with dropout off, validation). A low view keeps its height for the
        curves: the metric legend goes below LEGENDS_HEIGHT, the loss legend when it would leave the plots less
        than CURVES_LEAST (px at zoom 1; a 1366 × 768 laptop's quarter of the window, whose legend in 3 rows would
        take a third of it). Called when the view changes size, the type does, or the metric's name."""
        room = layout_width(self.graphics)
        height = self.graphics.viewport().height() / self._zoom
        changed = False
        for legend in (self.loss_legend, self.metric_legend):
            points = LABEL_PT * self._zoom
            if legend.opts["labelTextSize"] != f"{points:g}pt":
                _label_size(legend, points)
                changed = True
            # Smaller type in half-point steps (fonts come in whole pixels: a few per cent may change nothing).
            while (legend is self.loss_legend and legend_width(legend, 2) > room
                   and points - 0.5 >= LABEL_PT * self._zoom * LEGEND_SHRINK):
                points -= 0.5
                _label_size(legend, points)
                changed = True
            columns = max(2, legend_columns(legend, room)) if legend is self.loss_legend else 3
            if columns != legend.columnCount:
                legend.setColumnCount(columns)
                changed = True
            if legend is self.loss_legend:
                show = height - legend_height(legend) / self._zoom >= CURVES_LEAST
            else:
                show = height >= LEGENDS_HEIGHT and legend_width(legend, 3) <= room
            if show != (legend.scene() is not None):  # out of the layout when hidden: it takes no room at all
                if show:
                    self.graphics.addItem(legend, row=0 if legend is self.loss_legend else 2, col=0)
                else:
                    self.graphics.ci.removeItem(legend)
                if legend is self.loss_legend:
                    self.compact_key.setVisible(not show)
                changed = True
        if changed:
            relayout_soon(self.graphics)

    def set_zoom(self, factor: float) -> None:
        """Scale fonts and line widths (2 for a projector)."""
        self._zoom = factor
        zoom_check_box(self.log_y_box, factor)
        self.compact_key.setFont(self.log_y_box.font())
        for plot in (self.loss_plot, self.metric_plot):
            style_plot(plot, factor)
        for key, curve in self._loss_curves.items():
            style = Qt.PenStyle.DashLine if key == "generalization_gap" else Qt.PenStyle.SolidLine
            width = LINE_WIDTH * factor * (0.75 if key == "penalty" else 1.0)
            curve.setPen(pg.mkPen(CURVE[key], width=width, style=style))
        for prefix, curve in self._metric_curves.items():
            curve.setPen(pg.mkPen(METRIC_PREFIXES[prefix][0], width=LINE_WIDTH * factor))
        for marker in self._markers:
            self._style_marker(marker)
        self._style_best_lines()
        self._fit_legends()  # the legends' type, at the new zoom

    # ------------------------------------------------------------------ history

    def set_history(self, rows: Sequence[dict], plot: int | None = None) -> None:
        """Show ``rows`` (every metrics row since the run began); only rows not seen before are copied.

        ``plot`` 0 or 1 redraws only the loss or the metric plot (the window draws them on separate turns of its
        render timer, :class:`LossPart`); None redraws both.
        """
        if len(rows) < self._rows:  # a new run without clear(): start over
            self.clear()
        new = rows[self._rows :]
        if new:
            if self._metric is None:
                self._set_metric(next((name for name in METRIC_TITLES if name in new[0]), None))
            self._append(new)
        for k in (0, 1) if plot is None else (plot,):
            if self._plotted[k] != self._rows:
                self._plotted[k] = self._rows
                self._show_curves(k)

    def _show_curves(self, plot: int) -> None:
        """One setData per curve of the loss (0) or metric (1) plot, then its range."""
        x = self._buffers["epoch"][: self._rows]
        if plot == 0:
            self.penalty_band.held = True  # one path for both of its curves
        for name, curve in (self._loss_curves if plot == 0 else self._metric_columns()).items():
            curve.setData(x, self._buffers[name][: self._rows])
        if plot == 0:
            self.penalty_band.held = False
            self.penalty_band.updatePath()
        settle((self.loss_plot, self.metric_plot)[plot].getViewBox())

    def _settle_ranges(self) -> None:
        """Range the plots now, so painting finds nothing to change (a change while painting paints again)."""
        for plot in (self.loss_plot, self.metric_plot):
            settle(plot.getViewBox())

    def curve_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) drawn for a history key such as ``"val_loss"`` or ``"train_eval_accuracy"``."""
        curve = self._loss_curves.get(name)
        if curve is None:
            curve = self._metric_curves.get(self._metric_prefix(name))
        if curve is None:
            raise KeyError(f"no curve for {name!r}; curves: {self._column_names()[1:]}")
        x, y = curve.xData, curve.yData
        return (np.array([]), np.array([])) if x is None else (x, y)

    def _metric_prefix(self, name: str) -> str | None:
        """"val_" for "val_accuracy" (while the run's metric is accuracy, or before a run), else None."""
        for metric in METRIC_TITLES:
            if name.endswith(metric) and self._metric in (None, metric):
                return name[: -len(metric)]
        return None

    def _column_names(self) -> list[str]:
        return ["epoch", *LOSS_LABELS, *(prefix + (self._metric or "") for prefix in METRIC_PREFIXES)]

    def _set_metric(self, name: str | None) -> None:
        self._metric = name
        title = METRIC_TITLES.get(name, "metric")
        self.metric_plot.setLabel("left", title)
        style_plot(self.metric_plot, self._zoom)
        _, label = self.metric_legend.items[0]
        label.setText(METRIC_PREFIXES[""][1].format(name=title))
        self._fit_legends()  # the new name may be wider

    def _append(self, rows: Sequence[dict]) -> None:
        """Copy ``rows`` into the buffers, doubling their capacity when full; missing values become NaN."""
        end = self._rows + len(rows)
        capacity = len(self._buffers["epoch"]) if self._buffers else 0
        if end > capacity:
            capacity = max(end, 2 * capacity, 256)
            old = self._buffers
            self._buffers = {name: np.full(capacity, np.nan) for name in self._column_names()}
            for name, values in old.items():
                self._buffers[name][: self._rows] = values[: self._rows]
        for name, buffer in self._buffers.items():
            new = buffer[self._rows : end]
            new[:] = [_number(row.get(name)) for row in rows]
            self._extend_extremes(name, new)
        self._rows = end

    def _extend_extremes(self, name: str, values: np.ndarray) -> None:
        """Fold new values into the column's extremes (the ranges follow them; only new rows are looked at)."""
        values = values[np.isfinite(values)]
        if not values.size:
            return
        positive = values[values > 0]
        low, high = float(values.min()), float(values.max())
        smallest = float(positive.min()) if positive.size else math.inf
        if name in self._extremes:
            old = self._extremes[name]
            low, high, smallest = min(old[0], low), max(old[1], high), min(old[2], smallest)
        self._extremes[name] = (low, high, smallest)

    def _metric_columns(self) -> dict[str, pg.PlotDataItem]:
        return {prefix + (self._metric or ""): curve for prefix, curve in self._metric_curves.items()}

    def _bounds(self, curves: dict[str, pg.PlotDataItem], log: bool) -> list[tuple[float, float] | None]:
        """(epochs, values) extremes of the shown ``curves`` (column → curve) in view coordinates, for ranging."""
        epochs = self._extremes.get("epoch")
        lows, highs = [], []
        for name, curve in curves.items():
            extremes = self._extremes.get(name)
            if extremes is None or not curve.isVisible():
                continue
            low, high, smallest = extremes
            if log:  # a log axis leaves out values <= 0
                if high <= 0:
                    continue
                low, high = math.log10(smallest), math.log10(high)
            lows.append(low)
            highs.append(high)
        return [None if epochs is None else epochs[:2], (min(lows), max(highs)) if lows else None]

    # ------------------------------------------------------------------ log axis and markers

    def set_log_y(self, on: bool) -> None:
        """Show the losses on a logarithmic y axis (the same as ticking the check box)."""
        self.log_y_box.setChecked(on)

    def _log_y_toggled(self, on: bool) -> None:
        self._log_y = on
        self.loss_plot.getViewBox().refit()
        self.loss_plot.setLogMode(y=on)
        self.penalty_band.updatePath()  # the curves re-map their data without telling the band
        self._settle_ranges()

    def add_marker(self, epoch: float, text: str) -> None:
        """A labelled vertical line on the loss plot at ``epoch`` (e.g. "diverged"); removed by clear()."""
        label = text.replace("{", "{{").replace("}", "}}")  # the label is a format string
        marker = pg.InfiniteLine(pos=epoch, angle=90, label=label, labelOpts={"position": 0.92})
        self._style_marker(marker)
        self.loss_plot.addItem(marker)
        self._markers.append(marker)

    def set_best_epoch(self, epoch: int | None, stopped: bool = False) -> None:
        """Mark ``epoch`` (the lowest validation loss so far) with a dashed line on both plots; None or 0 hides it.

        Labelled "best epoch 42", or "early stop: best 42" once ``stopped``. Cheap when nothing changed; the
        axes' ranges are not touched. clear() (a new run) hides it.
        """
        best = (int(epoch), bool(stopped)) if epoch else None
        if best == self._best:
            return
        self._best = best
        if best is None:
            for line in self.best_lines:
                line.setVisible(False)
            return
        epoch, stopped = best
        text = f"early stop: best {epoch}" if stopped else f"best epoch {epoch}"
        self.best_lines[0].label.setFormat(text)  # the label is on the loss plot only
        for line in self.best_lines:
            line.setPos(epoch)
            line.setVisible(True)

    def best_epoch_shown(self) -> int | None:
        """The epoch the best-epoch lines mark, or None while they are hidden."""
        return None if self._best is None else self._best[0]

    def clear_markers(self) -> None:
        for marker in self._markers:
            self.loss_plot.removeItem(marker)
        self._markers = []

    def _style_marker(self, marker: pg.InfiniteLine) -> None:
        marker.setPen(pg.mkPen(VERMILLION, width=1.5 * self._zoom, style=Qt.PenStyle.DashLine))
        font = QFont()
        font.setPointSizeF(LABEL_PT * self._zoom)
        marker.label.setFont(font)
        marker.label.setColor(VERMILLION)

    def _style_best_lines(self) -> None:
        font = QFont()
        font.setPointSizeF(LABEL_PT * self._zoom)
        for line in self.best_lines:
            line.setPen(pg.mkPen(INK, width=1.5 * self._zoom, style=Qt.PenStyle.DashLine))
        loss_line = self.best_lines[0]
        loss_line.label.setFont(font)
        loss_line.label.setColor(INK)

    def _all_curves(self) -> list[pg.PlotDataItem]:
        return [*self._loss_curves.values(), *self._metric_curves.values()]


def _number(value) -> float:
    return np.nan if value is None else float(value)


class LossPart:
    """One of a LossView's two plots (0 losses, 1 metric), drawn on a turn of its own of the window's render timer
    (gui/main_window.py): each turn then repaints one plot's curves and axes, not both."""

    def __init__(self, view: LossView, plot: int) -> None:
        self.view, self.plot = view, plot

    def set_history(self, rows: Sequence[dict]) -> None:
        self.view.set_history(rows, self.plot)

    def set_best_epoch(self, epoch: int | None, stopped: bool = False) -> None:
        self.view.set_best_epoch(epoch, stopped)

    def __str__(self) -> str:
        return f"LossView {('losses', 'metric')[self.plot]}"
