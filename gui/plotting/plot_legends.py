"""Sizes of a pyqtgraph legend laid out in columns, to choose how many columns fit a width and what type size."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt


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


def set_label_size(legend: pg.LegendItem, points: float) -> None:
    """Write ``legend``'s labels at ``points`` points."""
    legend.setLabelTextSize(f"{points:g}pt")
    for _, label in legend.items:
        label.setText(label.text)  # re-render with the new size
