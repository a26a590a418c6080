"""The lab window's layout, in pieces of their own: the 2 × 2 grid of live views, its docks, its size on a screen
and presentation mode's zoom (gui/main_window.py puts them together)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QSplitter, QWidget

PRESENTATION_ZOOM = 1.6  # at least this zoom in presentation mode on a screen of 1600 × 1000 or more (see below)
WINDOW_SIZE = QSize(1440, 900)  # the window's size at the first start, at the most (a smaller screen: its size)
FORMULA_MOST = 300  # px: the objective dock's height at the start, at the most
FORMULA_SHARE = 0.28  # … and at the most this share of the window's height: on 1440 × 900 the default objective
#                        shows whole, on a 1366 × 768 laptop the live views keep 220 px of height each
LESSON_SHARE = 0.28  # of the window's width for the lesson text in presentation mode


def presentation_zoom(width: int, height: int) -> float:
    """The zoom presentation mode asks for on a ``width`` × ``height`` screen: PRESENTATION_ZOOM from 1600 × 1000 up,
    less on smaller screens (a 1024 × 768 projector: ≈ 1), where bigger type would squeeze the plots to nothing and
    the screen's own pixels are already large on the wall."""
    return round(PRESENTATION_ZOOM * min(1.0, width / 1600, height / 1000), 2)


def fitted(frame: QRect, area: QRect) -> QRect:
    """``frame`` moved, and shrunk where it is bigger, so that all of it lies inside ``area`` (a screen's available
    geometry): a window saved on a bigger screen, or placed partly off this one, shows whole."""
    width, height = min(frame.width(), area.width()), min(frame.height(), area.height())
    x = max(area.left(), min(frame.left(), area.left() + area.width() - width))
    y = max(area.top(), min(frame.top(), area.top() + area.height() - height))
    return QRect(x, y, width, height)


def scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a scroll area: a dock shorter than its panel (big type, a small screen) scrolls it instead of
    squeezing its rows into each other."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


def live_grid(network: QWidget, losses: QWidget, boundary: QWidget, weights: QWidget) -> QSplitter:
    """Four views in a 2 × 2 grid: what the network is (top) and what it does (bottom)."""
    top = QSplitter(Qt.Orientation.Horizontal)
    top.addWidget(network)
    top.addWidget(losses)
    bottom = QSplitter(Qt.Orientation.Horizontal)
    bottom.addWidget(boundary)
    bottom.addWidget(weights)
    grid = QSplitter(Qt.Orientation.Vertical)
    grid.addWidget(top)
    grid.addWidget(bottom)
    grid.setSizes([450, 450])
    top.setSizes([560, 560])
    bottom.setSizes([560, 560])
    for splitter in (grid, top, bottom):
        splitter.setChildrenCollapsible(False)  # a dragged divider stops at a view's readable minimum
    return grid


def add_dock(window: QMainWindow, title: str, name: str, widget: QWidget, area) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)  # QSettings restores docks by object name
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock
