"""The private parts of pyqtgraph RegLab relies on are still there and still mean what RegLab assumes.

pyqtgraph may rename or drop a private attribute in any release; RegLab would then go on running, slower or wrong
(a box ranging on every paint, an axis too narrow for its labels, curves with ten times the points). Each test here
fails naming the attribute, the installed pyqtgraph version and the RegLab code that uses it. Written against
pyqtgraph 0.14.0.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage, QPainter

from gui.plotting.epoch_plots import SteppedViewBox, epoch_curve, nice_ceiling
from gui.plotting.plot_axes import EpochAxis
from gui.plotting.plot_style import settle

USERS = {
    "_autoRangeNeedsUpdate": "SteppedViewBox.updateAutoRange (gui/plotting/epoch_plots.py) clears it after ranging",
    "_updateMaxTextSize": "EpochAxis.generateDrawSpecs (gui/plotting/plot_axes.py) widens an axis reusing shared ticks",
    "autoDownsampleFactor": "epoch_curve (gui/plotting/epoch_plots.py) sets PlotDataItem.opts['autoDownsampleFactor']",
}


def broken(name: str, what: str) -> str:
    return f"pyqtgraph {pg.__version__}: {name} {what}; RegLab relies on it: {USERS[name]}"


def require(owner: object, name: str) -> None:
    if not hasattr(owner, name):
        cls = next(c for c in type(owner).__mro__ if c.__module__.startswith("pyqtgraph"))
        pytest.fail(broken(name, f"is gone from {cls.__name__}"), pytrace=False)


def test_a_view_box_flags_a_pending_ranging_that_prepare_for_paint_acts_on(qapp):
    calls = []

    class Counting(pg.ViewBox):
        def updateAutoRange(self):  # noqa: N802 (pyqtgraph's name)
            calls.append(self)
            super().updateAutoRange()

    box = Counting()
    require(box, "_autoRangeNeedsUpdate")
    box.updateAutoRange()
    if box._autoRangeNeedsUpdate is not False:
        pytest.fail(broken("_autoRangeNeedsUpdate", "stays set after ViewBox.updateAutoRange"), pytrace=False)
    calls.clear()
    box.prepareForPaint()
    assert calls == [], broken("_autoRangeNeedsUpdate", "unset still makes prepareForPaint range")
    box.queueUpdateAutoRange()
    if box._autoRangeNeedsUpdate is not True:
        pytest.fail(broken("_autoRangeNeedsUpdate", "is not set by queueUpdateAutoRange"), pytrace=False)
    box.prepareForPaint()
    assert calls == [box], broken("_autoRangeNeedsUpdate", "set no longer makes prepareForPaint range")


def test_a_stepped_view_box_ranges_once_and_clears_the_flag(qapp):
    box = SteppedViewBox(lambda: [(0.0, 437.0), (0.2, 0.9)])
    box.resize(200, 100)
    box.queueUpdateAutoRange()
    settle(box)
    assert box.viewRange()[0][1] == nice_ceiling(437.0) == 500.0  # ranged, in a step
    assert box._autoRangeNeedsUpdate is False, broken("_autoRangeNeedsUpdate", "is not the flag prepareForPaint reads")
    ranged = []
    box.updateAutoRange = lambda: ranged.append(1)  # (an instance attribute: what prepareForPaint would call)
    box.prepareForPaint()
    assert ranged == []  # the next paint does not range again


def test_an_axis_widens_to_its_widest_label_through_update_max_text_size(qapp):
    axis = pg.AxisItem("left")
    require(axis, "_updateMaxTextSize")
    axis.setStyle(autoReduceTextSpace=False)  # as gui/plotting/plot_style.py's style_plot sets every axis
    width = axis.maximumWidth()
    axis._updateMaxTextSize(axis.textWidth + 40)
    if axis.maximumWidth() != width + 40:
        pytest.fail(broken("_updateMaxTextSize", f"no longer widens the axis ({width} → {axis.maximumWidth()})"),
                    pytrace=False)
    axis._updateMaxTextSize(1)
    assert axis.maximumWidth() == width + 40  # and never narrows it (a narrower axis lays the view out again)


def test_drawing_an_axis_measures_its_labels_through_update_max_text_size_as_shared_ticks_do(qtbot):
    require(pg.AxisItem("left"), "_updateMaxTextSize")  # before any axis paints
    shared: dict = {}
    graphics = pg.GraphicsLayoutWidget()
    qtbot.addWidget(graphics)
    plots = [graphics.addPlot(row=0, col=i, axisItems={"left": EpochAxis(shared)}) for i in range(2)]
    for plot in plots:
        plot.setYRange(0, 12000, padding=0)
    graphics.resize(400, 300)
    graphics.show()
    qtbot.waitExposed(graphics)
    first, second = (plot.getAxis("left") for plot in plots)
    measured = []
    original = first._updateMaxTextSize
    first._updateMaxTextSize = lambda x: (measured.append(x), original(x))
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = first.generateDrawSpecs(painter)  # works the ticks out and shares them
        if not measured:
            pytest.fail(broken("_updateMaxTextSize", "is not called by AxisItem.generateDrawSpecs"), pytrace=False)
        second.textWidth = 0
        assert second.generateDrawSpecs(painter) is specs  # the shared ticks
    finally:
        painter.end()
    assert second.textWidth == first.textWidth > 0  # widened to the labels it did not measure itself


def test_an_epoch_curve_draws_about_one_point_per_pixel_through_auto_downsample_factor(qapp):
    if "autoDownsampleFactor" not in pg.PlotDataItem().opts:
        pytest.fail(broken("autoDownsampleFactor", "is no longer one of PlotDataItem's options"), pytrace=False)
    lengths = {}
    for name, curve in (("default", pg.PlotDataItem()), ("epoch_curve", epoch_curve())):
        box = pg.ViewBox()
        box.resize(100, 100)
        curve.setDownsampling(auto=True, method="peak")  # as epoch_plot's setDownsampling(auto=True, mode="peak")
        box.addItem(curve)
        x = np.arange(10_000.0)
        curve.setData(x, np.sin(x))
        box.setRange(xRange=(0, x[-1]), padding=0)
        lengths[name] = len(curve.getData()[0])
    if not lengths["epoch_curve"] <= 110 < 500 <= lengths["default"]:  # a bin per 2 px, 2 points a bin; 5 a px
        pytest.fail(broken("autoDownsampleFactor", f"no longer sets the points per pixel ({lengths})"),
                    pytrace=False)
