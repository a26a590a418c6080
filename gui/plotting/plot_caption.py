"""A caption across a row of plots that says what their axes are, in the longest wording that fits the row."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QSizePolicy

from gui.plotting.palette import INK
from gui.plotting.plot_style import LABEL_PT


class Caption(pg.GraphicsWidget):
    """What the axes of a row of plots are, centred across the row: the longest of ``forms`` that fits the width the
    row gives it (the last may break into lines). Its text changes with the layout or the type, never in a frame."""

    MARGIN = 2

    def __init__(self, forms: tuple[str, ...]) -> None:
        super().__init__()
        self.forms = forms
        self.item = QGraphicsSimpleTextItem(self)
        self.item.setBrush(QColor(*INK))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._metrics = QFontMetricsF(QFont())

    @property
    def text(self) -> str:
        return self.item.text()

    def set_zoom(self, zoom: float) -> None:
        font = QFont()
        font.setPointSizeF(LABEL_PT * zoom)
        self.item.setFont(font)
        self._metrics = QFontMetricsF(font)
        self.setMinimumWidth(min(self._width(form) for form in self.forms))
        self.item.setText("")
        self._choose(self.size().width())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._choose(event.newSize().width())

    def _width(self, text: str) -> float:
        return max(self._metrics.horizontalAdvance(line) for line in text.split("\n")) + 2 * self.MARGIN

    def _choose(self, width: float) -> None:
        text = next((form for form in self.forms if self._width(form) <= width), self.forms[-1])
        if text != self.item.text():
            self.item.setText(text)
            height = math.ceil(self.item.boundingRect().height()) + 2 * self.MARGIN
            self.setMinimumHeight(height)
            self.setMaximumHeight(height)
        self.item.setPos(max(0.0, (width - self.item.boundingRect().width()) / 2), self.MARGIN)
