"""Plots of curves over epochs whose axes follow the data in steps, so that a growing run does not re-range them
on every frame.

The epoch axis grows to the next round epoch count (:func:`nice_ceiling`) and the value axis moves only when the data
leaves it or fills too little of it (:func:`sticky_range`). A changed range re-renders the axes and grid, so ranging
every frame would cost that on every frame; the ranges are also settled before painting (gui/plotting/plot_style.py's
``settle``), so a frame is painted once. The loss view and the study pages draw their curves with :func:`epoch_plot`
and :func:`epoch_curve`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QTimer

from gui.plotting.plot_style import grid_plot

NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)  # the epoch axis ends on one of these × 10^k
X_PAD = 0.02  # of the epoch range, left of epoch 0
Y_MARGIN = 0.05  # of the data's span, above and below it
Y_HEADROOM = 0.1  # extra room, of the span, on the side the data left the range by (the next steps fit in it)
Y_MIN_FILL = 0.6  # a value range is narrowed when the data (with margins) fills less of it than this
FOLLOW_LATEST_MS = 150  # a plot follows a linked plot's range step by then, if no turn of its own came first


def nice_ceiling(value: float) -> float:
    """The smallest NICE_STEPS × 10^k at or above ``value`` (≥ 1): 437 → 500, 1001 → 1200."""
    if not value > 1:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in NICE_STEPS if step * power >= value * (1 - 1e-12))


def sticky_range(low: float, high: float, current: tuple[float, float] | None) -> tuple[float, float]:
    """A value range for data spanning ``low`` … ``high`` that keeps ``current`` while the data sits well in it.

    The range changes when the data leaves it (then widening by Y_HEADROOM on that side, so a slow drift
    moves it in steps) or when the data fills less than Y_MIN_FILL of it (then fitting the data again).
    """
    span = high - low
    if span <= 0:
        span = abs(high) * 0.1 or 0.1
    wanted = (low - Y_MARGIN * span, high + Y_MARGIN * span)
    if current is None:
        return wanted
    bottom, top = current
    if bottom <= wanted[0] and top >= wanted[1]:
        if (wanted[1] - wanted[0]) >= Y_MIN_FILL * (top - bottom):
            return current
        return wanted
    if wanted[0] < bottom:
        bottom = wanted[0] - Y_HEADROOM * span
    if wanted[1] > top:
        top = wanted[1] + Y_HEADROOM * span
    if (wanted[1] - wanted[0]) < Y_MIN_FILL * (top - bottom):
        return wanted
    return bottom, top


class SteppedViewBox(pg.ViewBox):
    """A ViewBox whose auto-range moves in steps: x to [0, nice_ceiling(last epoch)], y by :func:`sticky_range`.

    ``bounds()`` gives the data's (low, high) per axis in view coordinates (log10 on a log axis), or None: from
    the data, not from the items (pyqtgraph's childrenBounds pads by the pens' width in pixels, and the
    items hold the data downsampled for the current range; either way the range it sets changes the bounds,
    and a range can flip between two steps on every frame). Auto-ranging stays pyqtgraph's own switch:
    panning or zooming with the mouse turns it off and the "A" button turns it back on. :func:`settle` ranges
    at once (before painting) instead of in the paint.
    """

    def __init__(self, bounds: Callable[[], list[tuple[float, float] | None]]) -> None:
        super().__init__()
        self._bounds = bounds
        self._y_range: tuple[float, float] | None = None
        self._stepping = False  # True while this box sets a range of its own auto-ranging
        self._ranging = False  # True while updateAutoRange runs: setting a range may ask for another ranging
        self._behind: tuple[pg.ViewBox, int] | None = None  # a linked box's step not followed yet
        self._catch_up_timer = QTimer(self)
        self._catch_up_timer.setSingleShot(True)
        self._catch_up_timer.setInterval(FOLLOW_LATEST_MS)
        self._catch_up_timer.timeout.connect(self.catch_up)

    def linkedViewChanged(self, view: pg.ViewBox, axis: int) -> None:  # noqa: N802 (pyqtgraph's name)
        """Follow a linked box at once when the user pans or zooms it; follow its auto-range steps later, at this
        box's next :func:`settle` (its own turn of the window's render timer) or within FOLLOW_LATEST_MS.

        A step re-renders a plot's axes, grid and every curve; two linked plots stepping in the same frame make it
        a late frame of the window (the render timer's ticks 25–35 ms apart instead of 17).
        """
        if getattr(view, "_stepping", False):
            self._behind = (view, axis)
            self._catch_up_timer.start()
            return
        super().linkedViewChanged(view, axis)

    def catch_up(self) -> None:
        """Take the range of a linked box whose step this box has not followed yet."""
        self._catch_up_timer.stop()
        if self._behind is not None:
            (view, axis), self._behind = self._behind, None
            super().linkedViewChanged(view, axis)

    def updateAutoRange(self) -> None:  # noqa: N802 (pyqtgraph's name)
        if self._ranging:
            return
        self._ranging = True
        try:
            auto = self.state["autoRange"]
            if not any(auto):
                return
            bounds = self._bounds()
            current = self.viewRange()
            ranges = {}
            for axis, key in ((0, "xRange"), (1, "yRange")):
                if auto[axis] is False or bounds[axis] is None:
                    continue
                low, high = (float(v) for v in bounds[axis])
                if axis == 0:  # from epoch 0, a little left of it so that its tick label shows
                    high = nice_ceiling(high)
                    low = min(0.0, low)
                    wanted = (low - X_PAD * (high - low), high)
                else:
                    wanted = sticky_range(low, high, self._y_followed(current[1]))
                if wanted != tuple(current[axis]):
                    ranges[key] = wanted
            if ranges:
                self._stepping = True
                try:
                    self.setRange(padding=0, disableAutoRange=False, **ranges)
                finally:
                    self._stepping = False
            if auto[1] is not False and bounds[1] is not None:
                self._y_range = tuple(self.viewRange()[1])  # this box's range, to keep while the data fits
        finally:
            # pyqtgraph's flag for "range again before the next paint" (read by prepareForPaint), which its own
            # updateAutoRange clears in the same way; no public method clears it. Left set, every paint would
            # range again. tests/gui/test_pyqtgraph_private_api.py checks that it still exists and means this.
            self._autoRangeNeedsUpdate = False
            self._ranging = False

    def refit(self) -> None:
        """Fit the data afresh at the next ranging (e.g. on a new axis scale), instead of keeping the range."""
        self._y_range = None
        self.queueUpdateAutoRange()

    def _y_followed(self, current: list[float]) -> tuple[float, float] | None:
        """The y range to keep, if it is the one this box set last (not the default, or a zoom the user undid)."""
        last = self._y_range
        return tuple(current) if last is not None and tuple(current) == last else None


def epoch_plot(bounds: Callable[[], list[tuple[float, float] | None]]) -> pg.PlotItem:
    """A plot of curves over epochs: ranged in steps by a :class:`SteppedViewBox` on ``bounds``, drawing only what
    is visible (long runs: about one point per pixel)."""
    plot = grid_plot(SteppedViewBox(bounds))
    plot.setClipToView(True)
    plot.setDownsampling(auto=True, mode="peak")
    return plot


def epoch_curve() -> pg.PlotDataItem:
    """A curve over epochs for an :func:`epoch_plot`, drawn fast however long and noisy it gets."""
    # Wide antialiased pens take Qt's slow path (~100 ms for a noisy 5,000-epoch curve); without
    # antialiasing pyqtgraph draws them as line segments, in a few ms, looking nearly the same.
    curve = pg.PlotDataItem(antialias=False)
    # One bin per 2 pixels, the pen's width: "peak" keeps each bin's min and max, so a long noisy curve
    # covers the same pixels with half the segments (the raster time of these curves). pyqtgraph has no setter
    # for this option (setDownsampling sets the others); tests/gui/test_pyqtgraph_private_api.py checks the key.
    curve.opts["autoDownsampleFactor"] = 0.5
    return curve
