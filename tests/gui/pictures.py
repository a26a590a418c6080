"""Helpers for looking at what a view draws: colours in its picture, items in its scenes."""

from PySide6.QtWidgets import QGraphicsView

from gui import self_test


def distinct_colours(widget) -> int:
    return self_test.distinct_colours(widget.grab().toImage())


def scene_items(widget) -> int:
    return sum(len(graphics.scene().items()) for graphics in widget.findChildren(QGraphicsView))


def show_in_host(qtbot, widget, width: int, height: int):
    """Show ``widget`` inside a window without a layout: Qt's offscreen platform warns ("does not support
    propagateSizeHints") when a window's layout sets its minimum size, and Qt warnings fail tests."""
    from PySide6.QtWidgets import QWidget

    host = QWidget()
    qtbot.addWidget(host)
    host.resize(width, height)
    widget.setParent(host)
    widget.resize(width, height)
    host.show()
    qtbot.waitExposed(host)
    widget.host = host  # qtbot keeps only a weak reference; without this the host (and widget) would be deleted
    return host
