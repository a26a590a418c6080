"""The numbers above a layer's weight plots: Σ|w| (what L1 penalizes), ‖w‖ (whose square L2 penalizes) and the share
of weights near 0, as a :class:`LayerReadout`, shown in a :class:`Readout` box that keeps its size."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QGraphicsSimpleTextItem

from engine.training.snapshot import LayerSnapshot
from gui.plotting.palette import INK
from gui.plotting.plot_style import LABEL_PT

#: sizes a readout before the first numbers arrive, as wide as most numbers get (3 significant digits: "0.123",
#: "12.3", "1087"); a wider one (e.g. "0.000123") grows the box once
TEMPLATE = ("hidden 8", "L1 Σ|w| = 0.123", "L2 ‖w‖ = 0.123", "100 % near 0")


def layer_title(name: str) -> str:
    """"hidden_1" → "hidden 1"."""
    return name.replace("_", " ")


def significant(value: float) -> str:
    """3 significant digits, without exponents for the sizes weights norms have."""
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


@dataclass(frozen=True)
class LayerReadout:
    """What a layer's readout says: its title, Σ|w|, ‖w‖ and the share of its weights near 0 (0 … 1)."""

    title: str
    l1_norm: float
    l2_norm: float
    near_zero: float

    @classmethod
    def of(cls, layer: LayerSnapshot) -> LayerReadout:
        return cls(layer_title(layer.name), layer.l1_norm, layer.l2_norm, layer.near_zero)

    def lines(self) -> tuple[str, str, str, str]:
        """Four lines (title, L1, L2, share near 0), so three layers fit side by side (what "near 0" means is
        written once, above the columns)."""
        return (self.title, f"L1 Σ|w| = {significant(self.l1_norm)}", f"L2 ‖w‖ = {significant(self.l2_norm)}",
                f"{100 * self.near_zero:.0f} % near 0")

    def text(self) -> str:
        """One line: "hidden 1 — L1 Σ|w| = 12.3 · L2 ‖w‖ = 3.4 · 18 % near 0"."""
        title, *numbers = self.lines()
        return f"{title} — " + " · ".join(numbers)


class Readout(pg.GraphicsWidget):
    """Lines of text (the first bold) in a box that keeps its size while the numbers in them change.

    (pg.LabelItem takes the size of each new text, and a new size lays out every plot of the view again: a
    second full paint per frame; it also parses HTML for every new number.) The box only grows, to fit a wider
    line; :meth:`reset` sizes it for TEMPLATE at a zoom.
    """

    MARGIN = 4  # around the text, as a QGraphicsTextItem (pg.LabelItem) has

    def __init__(self) -> None:
        super().__init__()
        self.items = [QGraphicsSimpleTextItem(self) for _ in TEMPLATE]
        for item in self.items:
            item.setBrush(QColor(*INK))
        self.lines: tuple[str, ...] = ()
        self._size = (0, 0)

    def set_lines(self, lines: tuple[str, ...]) -> None:
        for item, line, old in zip(self.items, lines, self.lines or ("",) * len(lines), strict=True):
            if line != old:
                item.setText(line)
        self.lines = tuple(lines)
        self._fit()

    def reset(self, zoom: float) -> None:
        """Fonts for ``zoom`` and the box sized for TEMPLATE; the title stays, the numbers are blank until the next
        ones arrive (the box grows if they are wider)."""
        title = self.lines[0] if self.lines else ""
        y = self.MARGIN
        for i, item in enumerate(self.items):
            font = QFont()
            font.setPointSizeF(LABEL_PT * zoom)
            font.setBold(i == 0)
            item.setFont(font)
            item.setPos(self.MARGIN, y)
            y += QFontMetricsF(font).lineSpacing()
        self._size = (0, 0)
        self.lines = ()
        self.set_lines(TEMPLATE)  # only to size the box, never painted: its numbers would read as a layer's
        self.show_title(title)

    def show_title(self, title: str) -> None:
        """The layer's name, and no numbers (until its own arrive)."""
        self.set_lines((title, "", "", ""))

    def _fit(self) -> None:
        width = max(item.boundingRect().width() for item in self.items) + 2 * self.MARGIN
        last = self.items[-1]
        height = last.pos().y() + last.boundingRect().height() + self.MARGIN
        size = (max(self._size[0], math.ceil(width)), max(self._size[1], math.ceil(height)))
        if size != self._size:
            self._size = size
            self.setMinimumSize(*size)
            self.setPreferredSize(*size)
            self.setMaximumHeight(size[1])
