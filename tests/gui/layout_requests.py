"""Counting the layout passes a widget asks for: a view that changes a number every frame should ask for none."""

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class LayoutRequests(QObject):
    """Counts the LayoutRequest events ``widget`` receives (Qt posts one when a child's size hint changes)."""

    def __init__(self, widget: QWidget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event):  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False
