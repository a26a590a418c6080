"""The loss curves of the run so far, and the accuracy (or RMSE) below them.

The top plot splits the loss Keras reports into its two parts: ``loss = data_loss + penalty``.
The band between the data-loss curve and the loss curve is shaded (gui/live/penalty_band.py), so the share the
penalty takes of the loss can be seen at a glance. The validation loss, the loss on the training set
with dropout off, and their difference (the generalization gap, dashed) sit on the same axes.

The history arrives whole on every call of :meth:`LossView.set_history`; only the new rows are
copied into numpy buffers (gui/live/loss_history.py), and each curve gets one ``setData`` per call.

With early stopping on, :meth:`LossView.set_best_epoch` marks the epoch of the lowest validation loss (the
weights early stopping keeps) with a dashed line on both plots.

The axes follow the data in steps (gui/plotting/epoch_plots.py): the epoch axis grows to the next round epoch
count and the value axes move only when the data leaves them or fills too little of them. The legends
fit the view's width and step aside in a low view (gui/live/loss_legends.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QWidget

from engine.training.snapshot import Snapshot
from gui.live.loss_history import LossHistory
from gui.live.loss_legends import KEY_NAMES, LOSS_LABELS, METRIC_PREFIXES, compact_key_text, fit_legends
from gui.live.penalty_band import BAND_ALPHA, PenaltyBand
from gui.plotting.epoch_plots import epoch_curve, epoch_plot
from gui.plotting.palette import CURVE, INK, PAPER, VERMILLION
from gui.plotting.plot_style import (
    LABEL_PT,
    flush_column,
    paper_graphics,
    settle,
    style_plot,
    white_background,
    zoom_check_box,
)

METRIC_TITLES = {"accuracy": "accuracy", "rmse": "RMSE"}
LINE_WIDTH = 2.0  # at zoom 1


class LossView(QWidget):
    """Loss curves with the penalty band, and the metric curves, linked on the epoch axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zoom = 1.0
        # its metric ("accuracy" or "rmse") comes from the first row of a run
        self._history = LossHistory(LOSS_LABELS, METRIC_PREFIXES)
        self._plotted = [0, 0]  # rows drawn by the loss plot and by the metric plot
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
        self.graphics.sigDeviceRangeChanged.connect(self._fit_legends)  # the view changes size

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
        self._history.clear()
        self._plotted = [0, 0]
        for curve in self._all_curves():
            curve.setData([], [])
        self.clear_markers()
        self.set_best_epoch(None)

    def _fit_legends(self, *_) -> None:
        """Legends that fit the view (:func:`gui.live.loss_legends.fit_legends`)."""
        fit_legends(self.graphics, self.loss_legend, self.metric_legend, self.compact_key, self._zoom)

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
        history = self._history
        if len(rows) < history.rows:  # a new run without clear(): start over
            self.clear()
        new = rows[history.rows :]
        if new:
            if history.metric is None:
                self._set_metric(next((name for name in METRIC_TITLES if name in new[0]), None))
            history.append(new)
        for k in (0, 1) if plot is None else (plot,):
            if self._plotted[k] != history.rows:
                self._plotted[k] = history.rows
                self._show_curves(k)

    def _show_curves(self, plot: int) -> None:
        """One setData per curve of the loss (0) or metric (1) plot, then its range."""
        x = self._history.column("epoch")
        if plot == 0:
            self.penalty_band.held = True  # one path for both of its curves
        for name, curve in (self._loss_curves if plot == 0 else self._metric_columns()).items():
            curve.setData(x, self._history.column(name))
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
            raise KeyError(f"no curve for {name!r}; curves: {self._history.column_names()[1:]}")
        x, y = curve.xData, curve.yData
        return (np.array([]), np.array([])) if x is None else (x, y)

    def _metric_prefix(self, name: str) -> str | None:
        """"val_" for "val_accuracy" (while the run's metric is accuracy, or before a run), else None."""
        for metric in METRIC_TITLES:
            if name.endswith(metric) and self._history.metric in (None, metric):
                return name[: -len(metric)]
        return None

    def _set_metric(self, name: str | None) -> None:
        self._history.metric = name
        title = METRIC_TITLES.get(name, "metric")
        self.metric_plot.setLabel("left", title)
        style_plot(self.metric_plot, self._zoom)
        _, label = self.metric_legend.items[0]
        label.setText(METRIC_PREFIXES[""][1].format(name=title))
        self._fit_legends()  # the new name may be wider

    def _metric_columns(self) -> dict[str, pg.PlotDataItem]:
        return {prefix + (self._history.metric or ""): curve for prefix, curve in self._metric_curves.items()}

    def _bounds(self, curves: dict[str, pg.PlotDataItem], log: bool) -> list[tuple[float, float] | None]:
        """(epochs, values) extremes of the shown ``curves`` (column → curve) in view coordinates, for ranging."""
        return self._history.bounds([name for name, curve in curves.items() if curve.isVisible()], log)

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
