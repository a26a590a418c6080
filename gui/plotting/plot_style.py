"""How every plot looks: INK axes, fonts scaled by the view zoom, white backgrounds, shared point styles.

The loss, weight, boundary and study views (and the data panel's preview) style their pyqtgraph plots through
these functions, so a projector zoom or a colour change is made once, here; they also make their plots and
plot widgets here (:func:`grid_plot`, :func:`paper_graphics`, :func:`flush_column`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QGraphicsItem, QVBoxLayout, QWidget

from gui.plotting.palette import INK, PAPER

TICK_PT, LABEL_PT = 9.0, 10.0  # at zoom 1


def shared_styles(make: Callable, colours: Iterable) -> list:
    """One pen or brush per distinct colour, repeated for every point of that colour.

    pyqtgraph's scatter keeps a symbol atlas keyed by the pen and brush *objects*: 800 points with 800
    separate brushes render 800 symbols (≈ 0.3 s), the same few objects render a handful.
    """
    made: dict = {}
    out = []
    for colour in colours:
        key = tuple(int(c) for c in colour)
        if key not in made:
            made[key] = make(key)
        out.append(made[key])
    return out


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
        # No third tick level: its fine ticks cost ~10 ms a frame as grid lines and add little. The label room
        # only grows: a narrower axis would lay out (and paint) the whole view again.
        axis.setStyle(tickTextOffset=round(3 * zoom), maxTickLevel=1, autoReduceTextSpace=False)
        style = {"color": pg.mkColor(INK).name(), "font-size": f"{LABEL_PT * zoom:g}pt"}
        axis.setLabel(axis.labelText, siPrefixEnableRanges=(), **style)  # never "loss (x0.001)"
        axis.enableAutoSIPrefix(False)
        # Kept as a pixmap until the axis changes: pyqtgraph's own cache replays its tick labels and grid lines
        # (~1 ms an axis) whenever anything under the grid repaints, i.e. on every frame.
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    for name in ("right", "top"):  # hidden, but a range change would still re-render their labels' HTML
        plot.getAxis(name).enableAutoSIPrefix(False)
    if not getattr(plot, "fits_its_label", False):
        plot.fits_its_label = True
        # A plain function, not a lambda holding the plot: a lambda makes a reference cycle through Qt items, which
        # Python's collector may free after Qt has deleted them, and gc.collect() then crashes.
        plot.getViewBox().sigResized.connect(_box_resized)
    fit_axis_label(plot)


def _box_resized(box: pg.ViewBox) -> None:
    plot = box.parentItem()
    if isinstance(plot, pg.PlotItem):
        fit_axis_label(plot)


def fit_axis_label(plot: pg.PlotItem) -> None:
    """Show the left axis' label ("loss", "count") only while the plot is tall enough for it: a longer one runs into
    the label of the plot above or below (a squeezed view, big type). Call again after setting a new label."""
    axis = plot.getAxis("left")
    if not axis.labelText:
        return
    label = axis.label  # centred on the axis; its bounding box adds the text item's margins on both ends
    length = label.boundingRect().width() - 2 * label.document().documentMargin()
    fits = length <= plot.getViewBox().height()
    if fits != axis.label.isVisibleTo(axis):
        axis.showLabel(fits)


def grid_plot(viewbox: pg.ViewBox | None = None) -> pg.PlotItem:
    """A plot (on ``viewbox`` if given) with a faint grid and without pyqtgraph's context menu."""
    plot = pg.PlotItem(viewBox=viewbox) if viewbox is not None else pg.PlotItem()
    plot.showGrid(x=True, y=True, alpha=0.15)
    plot.setMenuEnabled(False)
    return plot


def paper_graphics() -> pg.GraphicsLayoutWidget:
    """A widget for a grid of plots, on PAPER."""
    graphics = pg.GraphicsLayoutWidget()
    graphics.setBackground(PAPER)
    return graphics


def layout_width(graphics: pg.GraphicsLayoutWidget) -> float:
    """The width ``graphics``' grid of plots has for its items: the view's, less the grid's own margins."""
    left, _, right, _ = graphics.ci.layout.getContentsMargins()
    return graphics.viewport().width() - left - right


def relayout_soon(graphics: pg.GraphicsLayoutWidget) -> None:
    """Lay ``graphics``' grid out again in the view's size once Qt has taken in its items' new sizes (their layouts
    update on its next pass). pyqtgraph does so only when the view resizes: a grid whose items grew stays wider than
    the view, cut off at its right edge, until then."""
    QTimer.singleShot(0, graphics, lambda: graphics.ci.setGeometry(graphics.range))  # not if the view is gone


def flush_column(widget: QWidget, spacing: int = 0) -> QVBoxLayout:
    """A vertical layout on ``widget`` without margins: its plots reach the edges of the panel."""
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    return layout


def settle(box: pg.ViewBox) -> None:
    """Range (if auto) and place ``box``'s items now, before painting: pyqtgraph does both lazily while painting,
    and an item that moves while the view paints makes it paint everything once more. A box that follows a
    linked box's range steps later (gui/plotting/epoch_plots.py's SteppedViewBox) catches up first."""
    catch_up = getattr(box, "catch_up", None)
    if catch_up is not None:
        catch_up()
    for _ in range(2):  # placing the items tells the box their bounds changed: a second look finds no change
        box.prepareForPaint()  # what the scene asks of the box before painting: range if asked to, then place


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
