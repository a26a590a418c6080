"""The shaded band between the data-loss curve and the loss curve: the penalty's share of the loss
(``loss = data_loss + penalty``), seen at a glance."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPainterPath

BAND_PIXELS = 3  # the band's edges have a vertex every 3 pixels at most
BAND_ALPHA = 80  # of the penalty band's fill colour (VERMILLION in the loss view)


def band_edges(x: np.ndarray, lower: np.ndarray, upper: np.ndarray, most: int):
    """At most ``most`` + 2 points along the band: the means of consecutive runs of the curves' points, and
    their first and last points exactly (so the band reaches the curves' ends).

    The curves come peak-downsampled for long runs (each pixel bin's min and max, a zigzag); a band filled
    between zigzags costs more to paint than all the curves. The curves' own strokes cover their zigzags, so
    the band only needs to be smooth between them.
    """
    n = len(x)
    if n <= most + 2:
        return x, lower, upper
    starts = np.arange(0, n, -(-n // most))
    counts = np.diff(np.append(starts, n))
    means = [np.add.reduceat(a, starts) / counts for a in (x, lower, upper)]
    return tuple(np.concatenate([a[:1], m, a[-1:]]) for a, m in zip((x, lower, upper), means, strict=True))


class PenaltyBand(pg.FillBetweenItem):
    """The shaded band between two curves drawn over the same epochs, its path built with numpy, smoothed to
    about one vertex per :data:`BAND_PIXELS` pixels (:func:`band_edges`).

    (pyqtgraph's own joins Qt polygons in Python: ~10 ms for 5,000 epochs, on every frame.)
    """

    held = False  # True while both curves get new data: one path for both, not one per curve

    def updatePath(self) -> None:
        if self.held:
            return
        if self.curves is None:
            super().updatePath()
            return
        (x, lower), (x_upper, upper) = (curve.curve.getData() for curve in self.curves)
        if x is None or x_upper is None or len(x) != len(x_upper):  # not paired up: let pyqtgraph join them
            super().updatePath()
            return
        keep = np.isfinite(x) & np.isfinite(lower) & np.isfinite(upper)
        x, lower, upper = x[keep], lower[keep], upper[keep]
        view = self.curves[0].getViewBox()  # (a QGraphicsPathItem has none of its own)
        if view is not None and view.width() > 0:
            x, lower, upper = band_edges(x, lower, upper, most=max(2, int(view.width() / BAND_PIXELS)))
        path = QPainterPath()
        if len(x) > 1:
            path = pg.arrayToQPath(np.concatenate([x, x[::-1]]), np.concatenate([lower, upper[::-1]]), connect="all")
            path.closeSubpath()
        self.setPath(path)
