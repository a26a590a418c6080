"""The loss curves of the run so far, and the accuracy (or RMSE) below them.

The top plot splits the loss Keras reports into its two parts: ``loss = data_loss + penalty``.
The band between the data-loss curve and the loss curve is shaded, so the share the penalty
takes of the loss can be seen at a glance. The validation loss, the loss on the training set
with dropout off, and their difference (the generalization gap, dashed) sit on the same axes.

The history arrives whole on every call of :meth:`LossView.set_history`; only the new rows are
copied into numpy buffers, and each curve gets one ``setData`` per call.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainterPath, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from engine.snapshot import Snapshot
from gui.palette import CURVE, GREEN, INK, PAPER, SKY, VERMILLION

#: loss curves: history key → legend label
LOSS_LABELS = {
    "loss": "loss = data + penalty",
    "data_loss": "data loss",
    "penalty": "penalty",
    "train_eval_loss": "train loss (dropout off)",
    "val_loss": "validation loss",
    "generalization_gap": "gap = validation − train",
}
#: metric curves: key prefix → (colour, legend label); the colours match the loss curves of the same data
METRIC_PREFIXES = {
    "": (CURVE["loss"], "{name} (training batches)"),
    "train_eval_": (SKY, "train (dropout off)"),
    "val_": (GREEN, "validation"),
}
METRIC_TITLES = {"accuracy": "accuracy", "rmse": "RMSE"}
BAND_ALPHA = 80  # of the penalty band's VERMILLION fill
TICK_PT, LABEL_PT, LINE_WIDTH = 9.0, 10.0, 2.0  # at zoom 1


def style_plot(plot: pg.PlotItem, zoom: float) -> None:
    """INK axes with tick fonts, labels and axis lines scaled by ``zoom``; no SI-prefix rescaling of values."""
    font = QFont()
    font.setPointSizeF(TICK_PT * zoom)
    metrics = QFontMetrics(font)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(INK, width=zoom))
        axis.setTextPen(INK)
        axis.setTickFont(font)
        # Room for tick labels before the first paint measures them (which then only widens the axis).
        axis.textWidth = metrics.horizontalAdvance("-0.00")
        axis.textHeight = metrics.height()
        # No third tick level: its fine ticks cost ~10 ms a frame as grid lines and add little.
        axis.setStyle(tickTextOffset=round(3 * zoom), maxTickLevel=1)
        style = {"color": pg.mkColor(INK).name(), "font-size": f"{LABEL_PT * zoom:g}pt"}
        axis.setLabel(axis.labelText, siPrefixEnableRanges=(), **style)  # never "loss (x0.001)"
        axis.enableAutoSIPrefix(False)


def white_background(widget: QWidget) -> None:
    """Paint ``widget`` (and so the controls on it) on PAPER, like the plots."""
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(*PAPER))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(*INK))
    widget.setPalette(palette)
    widget.setAutoFillBackground(True)


def scaled_font(zoom: float) -> QFont:
    """The application font, ``zoom`` times as big (for check boxes and labels)."""
    font = QFont(QApplication.font())
    font.setPointSizeF(QApplication.font().pointSizeF() * zoom)
    return font


def zoom_check_box(box: QCheckBox, zoom: float) -> None:
    """Scale a check box's text and its tick box."""
    box.setFont(scaled_font(zoom))
    side = round(QFontMetrics(box.font()).height() * 0.8)
    box.setStyleSheet(f"QCheckBox::indicator {{ width: {side}px; height: {side}px; }}")


class PenaltyBand(pg.FillBetweenItem):
    """The shaded band between two curves drawn over the same epochs, its path built with numpy.

    (pyqtgraph's own joins Qt polygons in Python: ~10 ms for 5,000 epochs, on every frame.)
    """

    def updatePath(self) -> None:
        if self.curves is None:
            super().updatePath()
            return
        (x, lower), (x_upper, upper) = (curve.curve.getData() for curve in self.curves)
        if x is None or x_upper is None or len(x) != len(x_upper):  # not paired up: let pyqtgraph join them
            super().updatePath()
            return
        keep = np.isfinite(x) & np.isfinite(lower) & np.isfinite(upper)
        x, lower, upper = x[keep], lower[keep], upper[keep]
        path = QPainterPath()
        if len(x) > 1:
            path = pg.arrayToQPath(np.concatenate([x, x[::-1]]), np.concatenate([lower, upper[::-1]]), connect="all")
            path.closeSubpath()
        self.setPath(path)


class LossView(QWidget):
    """Loss curves with the penalty band, and the metric curves, linked on the epoch axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zoom = 1.0
        self._metric: str | None = None  # "accuracy" or "rmse", from the first row of a run
        self._rows = 0
        self._buffers: dict[str, np.ndarray] = {}
        self._markers: list[pg.InfiniteLine] = []

        self.log_y_box = QCheckBox("log y")
        self.log_y_box.setToolTip("Show the losses on a logarithmic axis (non-positive values are left out)")
        self.log_y_box.toggled.connect(self._log_y_toggled)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 0)
        bar.addStretch(1)
        bar.addWidget(self.log_y_box)

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(PAPER)
        white_background(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)

        self.loss_legend = pg.LegendItem(colCount=3, frame=False, labelTextColor=INK)
        self.loss_plot = pg.PlotItem()
        self.metric_legend = pg.LegendItem(colCount=3, frame=False, labelTextColor=INK)
        self.metric_plot = pg.PlotItem()
        self.graphics.addItem(self.loss_legend, row=0, col=0)
        self.graphics.addItem(self.loss_plot, row=1, col=0)
        self.graphics.addItem(self.metric_legend, row=2, col=0)
        self.graphics.addItem(self.metric_plot, row=3, col=0)
        self.graphics.ci.layout.setRowStretchFactor(1, 3)
        self.graphics.ci.layout.setRowStretchFactor(3, 2)
        self.metric_plot.setXLink(self.loss_plot)
        self.loss_plot.setLabel("left", "loss")
        self.metric_plot.setLabel("bottom", "epoch")
        for plot in (self.loss_plot, self.metric_plot):
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setMenuEnabled(False)
            plot.setClipToView(True)  # long runs: draw only what is visible, about one point per pixel
            plot.setDownsampling(auto=True, mode="peak")

        # Wide antialiased pens take Qt's slow path (~100 ms for a noisy 5,000-epoch curve); without
        # antialiasing pyqtgraph draws them as line segments, in a few ms, looking nearly the same.
        self._loss_curves = {key: pg.PlotDataItem(antialias=False) for key in LOSS_LABELS}
        # Under the curves, so both edges of the band stay visible.
        self.penalty_band = PenaltyBand(
            self._loss_curves["data_loss"], self._loss_curves["loss"], brush=(*VERMILLION, BAND_ALPHA)
        )
        self.loss_plot.addItem(self.penalty_band)
        for key, curve in self._loss_curves.items():
            self.loss_plot.addItem(curve)
            self.loss_legend.addItem(curve, LOSS_LABELS[key])
        self._metric_curves = {prefix: pg.PlotDataItem(antialias=False) for prefix in METRIC_PREFIXES}
        for curve in self._all_curves():
            curve.opts["autoDownsampleFactor"] = 1.0  # "peak" keeps each pixel's min and max: looks the same
        for prefix, curve in self._metric_curves.items():
            self.metric_plot.addItem(curve)
            self.metric_legend.addItem(curve, METRIC_PREFIXES[prefix][1].format(name="metric"))
        self.set_zoom(1.0)

    # ------------------------------------------------------------------ the common view API

    def show_snapshot(self, snap: Snapshot | None) -> None:
        """Nothing to do: the curves come from :meth:`set_history`, which holds every epoch, not just the latest."""

    def clear(self) -> None:
        """Empty every curve and remove the markers, ready for a new run."""
        self._rows = 0
        self._metric = None
        self._buffers = {}
        for curve in self._all_curves():
            curve.setData([], [])
        self.clear_markers()

    def set_zoom(self, factor: float) -> None:
        """Scale fonts and line widths (2 for a projector)."""
        self._zoom = factor
        zoom_check_box(self.log_y_box, factor)
        for plot in (self.loss_plot, self.metric_plot):
            style_plot(plot, factor)
        for legend in (self.loss_legend, self.metric_legend):
            legend.setLabelTextSize(f"{LABEL_PT * factor:g}pt")
            for _, label in legend.items:
                label.setText(label.text)  # re-render with the new size
        for key, curve in self._loss_curves.items():
            style = Qt.PenStyle.DashLine if key == "generalization_gap" else Qt.PenStyle.SolidLine
            width = LINE_WIDTH * factor * (0.75 if key == "penalty" else 1.0)
            curve.setPen(pg.mkPen(CURVE[key], width=width, style=style))
        for prefix, curve in self._metric_curves.items():
            curve.setPen(pg.mkPen(METRIC_PREFIXES[prefix][0], width=LINE_WIDTH * factor))
        for marker in self._markers:
            self._style_marker(marker)

    # ------------------------------------------------------------------ history

    def set_history(self, rows: Sequence[dict]) -> None:
        """Show ``rows`` (every metrics row since the run began); only rows not seen before are copied."""
        if len(rows) < self._rows:  # a new run without clear(): start over
            self.clear()
        new = rows[self._rows :]
        if not new:
            return
        if self._metric is None:
            self._set_metric(next((name for name in METRIC_TITLES if name in new[0]), None))
        self._append(new)
        x = self._buffers["epoch"][: self._rows]
        for key, curve in self._loss_curves.items():
            curve.setData(x, self._buffers[key][: self._rows])
        for prefix, curve in self._metric_curves.items():
            curve.setData(x, self._buffers[prefix + (self._metric or "")][: self._rows])

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
            buffer[self._rows : end] = [_number(row.get(name)) for row in rows]
        self._rows = end

    # ------------------------------------------------------------------ log axis and markers

    def set_log_y(self, on: bool) -> None:
        """Show the losses on a logarithmic y axis (the same as ticking the check box)."""
        self.log_y_box.setChecked(on)

    def _log_y_toggled(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self.penalty_band.updatePath()  # the curves re-map their data without telling the band

    def add_marker(self, epoch: float, text: str) -> None:
        """A labelled vertical line on the loss plot at ``epoch`` (e.g. "diverged"); removed by clear()."""
        label = text.replace("{", "{{").replace("}", "}}")  # the label is a format string
        marker = pg.InfiniteLine(pos=epoch, angle=90, label=label, labelOpts={"position": 0.92})
        self._style_marker(marker)
        self.loss_plot.addItem(marker)
        self._markers.append(marker)

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

    def _all_curves(self) -> list[pg.PlotDataItem]:
        return [*self._loss_curves.values(), *self._metric_curves.values()]


def _number(value) -> float:
    return np.nan if value is None else float(value)
