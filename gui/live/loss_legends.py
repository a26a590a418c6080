"""The loss view's legends: which curve is which, in words that fit the view.

The loss legend sits above the loss plot and the metric legend above the metric plot; where the view is too low
for the loss legend, a one-line key of coloured marks and short names (:func:`compact_key_text`) stands in for it.
:func:`fit_legends` chooses their columns, type size and whether they show.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QLabel

from gui.plotting.palette import CURVE, GREEN, SKY
from gui.plotting.plot_legends import legend_columns, legend_height, legend_width, set_label_size
from gui.plotting.plot_style import LABEL_PT, layout_width, relayout_soon

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
LEGEND_SHRINK = 0.7  # the loss legend's type may shrink to this share of the zoomed size to fit in 2 columns
LEGENDS_HEIGHT = 300  # px at zoom 1: a lower view shows no metric legend (see fit_legends)
CURVES_LEAST = 185  # px at zoom 1 the two plots keep, with their axes, under the loss legend; else it steps aside
LOSS_LEGEND_ROW, METRIC_LEGEND_ROW = 0, 2  # of the view's grid: each above its plot


def compact_key_text() -> str:
    """One line of coloured marks and short names: ━ loss ━ data … ╍ gap (dashed like the gap's curve)."""
    marks = [f"<span style='color:{pg.mkColor(CURVE[key]).name()}'>{'╍' if key == 'generalization_gap' else '━'}"
             f"</span>&nbsp;{name}" for key, name in KEY_NAMES.items()]
    return "&nbsp;&nbsp; ".join(marks)


def fit_legends(graphics: pg.GraphicsLayoutWidget, loss_legend: pg.LegendItem, metric_legend: pg.LegendItem,
                compact_key: QLabel, zoom: float) -> None:
    """Legends that fit the view's width without taking the plots' height. A legend wider than the view would
    widen the plots under it past the view's edge (big type on a projector), cutting off the newest epochs;
    one entry a row would squash the plots flat. So: the loss legend in 3 columns, or 2 with its type made
    smaller if need be (down to LEGEND_SHRINK); the metric legend in 3 columns, or hidden, as its colours are the
    loss legend's (training batches, train with dropout off, validation). A low view keeps its height for the
    curves: the metric legend goes below LEGENDS_HEIGHT, the loss legend when it would leave the plots less
    than CURVES_LEAST (px at zoom 1; a 1366 × 768 laptop's quarter of the window, whose legend in 3 rows would
    take a third of it), and ``compact_key`` shows instead. Called when the view changes size, the type does, or
    the metric's name."""
    room = layout_width(graphics)
    height = graphics.viewport().height() / zoom
    changed = False
    for legend, row in ((loss_legend, LOSS_LEGEND_ROW), (metric_legend, METRIC_LEGEND_ROW)):
        loss = legend is loss_legend
        changed |= _fit_type(legend, zoom, room if loss else None)
        columns = max(2, legend_columns(legend, room)) if loss else 3
        if columns != legend.columnCount:
            legend.setColumnCount(columns)
            changed = True
        if loss:
            show = height - legend_height(legend) / zoom >= CURVES_LEAST
        else:
            show = height >= LEGENDS_HEIGHT and legend_width(legend, 3) <= room
        if show != (legend.scene() is not None):  # out of the layout when hidden: it takes no room at all
            if show:
                graphics.addItem(legend, row=row, col=0)
            else:
                graphics.ci.removeItem(legend)
            if loss:
                compact_key.setVisible(not show)
            changed = True
    if changed:
        relayout_soon(graphics)


def _fit_type(legend: pg.LegendItem, zoom: float, room: float | None) -> bool:
    """The legend's type at ``zoom``; with ``room``, smaller until its 2 columns fit ``room`` px (down to
    LEGEND_SHRINK). Whether it changed."""
    points = LABEL_PT * zoom
    changed = False
    if legend.opts["labelTextSize"] != f"{points:g}pt":
        set_label_size(legend, points)
        changed = True
    # Smaller type in half-point steps (fonts come in whole pixels: a few per cent may change nothing).
    while room is not None and legend_width(legend, 2) > room and points - 0.5 >= LABEL_PT * zoom * LEGEND_SHRINK:
        points -= 0.5
        set_label_size(legend, points)
        changed = True
    return changed
