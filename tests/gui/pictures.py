"""Helpers for looking at what a view draws: colours in its picture, items in its scenes."""

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsView


def distinct_colours(widget) -> int:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    return len(np.unique(np.frombuffer(image.constBits(), np.uint32)))


def scene_items(widget) -> int:
    return sum(len(graphics.scene().items()) for graphics in widget.findChildren(QGraphicsView))
