"""Plot axes whose tick labels never overlap: labels that would run into another are left out.

pyqtgraph draws every label of an axis' first tick level, on top of each other when the plot is small.
:class:`FittingAxis` keeps the labels that fit (0 and the ends first on a weight axis), :class:`DecadeAxis` labels
the decades of a log axis as far apart as the labels need, and :class:`EpochAxis` steps whole epochs so that their
labels fit the plot's height. The weights view and the compare page draw their axes with these.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontMetricsF

from engine.training.snapshot import ladder, ladder_index

LABEL_GAP = {"bottom": 0.2, "left": 0.4}  # of a tick label's height: the least room left between two tick labels
TICK_ROOM = 1.6  # of a tick label's height: the least distance between two labelled ticks up a plot's side
BOTTOM_REACH = 12  # px a vertical log axis' lowest label may reach under the axis (into the plot's empty corner)
MINOR_ROOM = 3.0  # of a tick label's height: a decade of the count axis this tall gets ticks at 2–9 times it


def decade_levels(low: float, high: float, pixels_per_decade: float,
                  label_height: float) -> tuple[list[float], list[float]]:
    """A log axis' ticks between ``low`` and ``high`` (log10 values), as (labelled, unlabelled) log10 values.

    Decades (…, 0.1, 1, 10, 100, …) are labelled every 1st, 2nd, 3rd … decade, as far apart as the labels need
    (TICK_ROOM label heights), counting from the decade nearest 1 whose label fits under the axis' top (0.4 of a
    label height from it: above is the plot's neighbour; the lowest label may reach into the empty corner under the
    axis); the other decades are ticked without a label, and a decade at least MINOR_ROOM label heights tall also
    gets ticks at 2–9 times it."""
    decades = range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)
    room = TICK_ROOM * label_height
    step = next((k for k in (1, 2, 3, 5, 10) if k * pixels_per_decade >= room), 20)
    margin = 0.4 * label_height / max(pixels_per_decade, 1e-9)  # (pyqtgraph boxes a label 0.8 of its height)
    whole = [d for d in decades if d <= high - margin]
    anchor = min(whole, key=abs, default=0)
    major = [float(d) for d in whole if (d - anchor) % step == 0]
    minor = [float(d) for d in decades if float(d) not in major]
    if pixels_per_decade >= MINOR_ROOM * label_height:
        minor += [v for d in decades for m in range(2, 10) if (v := math.log10(m) + d) <= high]
    return major, sorted(minor)


def epoch_step(pixels_per_epoch: float, label_height: float) -> float:
    """Whole epochs between the epoch axis' labels: the least 1-2-5 step (1, 2, 5, 10, …) that keeps them TICK_ROOM
    label heights apart."""
    return max(1.0, ladder(ladder_index(TICK_ROOM * label_height / max(pixels_per_epoch, 1e-9))))


def fitting_labels(texts: list, gap: float, order: list[int] | None = None) -> list:
    """The tick labels (pyqtgraph's text specs: rect, flags, text) that come at least ``gap`` px short of every label
    kept before them, visited in ``order`` (indices; by default as given); in their original order."""
    kept: list[tuple[int, QRectF]] = []
    for i in range(len(texts)) if order is None else order:
        rect = texts[i][0].adjusted(-gap / 2, -gap / 2, gap / 2, gap / 2)
        if not any(rect.intersects(other) for _, other in kept):
            kept.append((i, rect))
    return [texts[i] for i in sorted(i for i, _ in kept)]


def centre_out(texts: list) -> list[int]:
    """The labels' indices, 0 first, then the largest |value| first: a weight axis keeps its centre and ends."""
    def rank(i: int) -> tuple[int, float]:
        try:
            value = abs(float(texts[i][2].replace("−", "-")))
        except ValueError:
            return 2, 0.0
        return (0 if value == 0 else 1), -value

    return sorted(range(len(texts)), key=rank)


class FittingAxis(pg.AxisItem):
    """An axis that leaves out a tick label (not its tick) that would come within LABEL_GAP label heights of another:
    pyqtgraph draws every label of its first level, on top of each other when the plot is small. With ``centred``
    (a weight axis) 0 and the ends keep their labels first."""

    def __init__(self, orientation: str, centred: bool = False) -> None:
        super().__init__(orientation)
        self.centred = centred

    def generateDrawSpecs(self, p):
        specs = super().generateDrawSpecs(p)
        if not specs or not specs[2]:
            return specs
        axis, ticks, texts = specs
        gap = LABEL_GAP[self.orientation] * texts[0][0].height()
        return axis, ticks, fitting_labels(texts, gap, centre_out(texts) if self.centred else None)

    def label_height(self) -> float:
        return QFontMetricsF(self.style["tickFont"] or QFont()).height()


class DecadeAxis(FittingAxis):
    """A vertical log axis of the plot's log10 values: labelled decades as far apart as their labels need
    (:func:`decade_levels`), written by :meth:`decade`."""

    def __init__(self) -> None:
        super().__init__("left")
        # pyqtgraph leaves out a label that reaches past the axis' ends; the lowest (1, the bars' base) may reach
        # into the empty corner under it (decade_levels keeps the top ones clear of the plot above)
        self.setStyle(hideOverlappingLabels=BOTTOM_REACH)

    def tickValues(self, minVal, maxVal, size):
        major, minor = decade_levels(minVal, maxVal, size / max(maxVal - minVal, 1e-9), self.label_height())
        return [(1.0, major), (0.0, minor)]  # the spacing only tells tickStrings which level it labels

    def tickStrings(self, values, scale, spacing):
        return [self.decade(round(v)) if spacing else "" for v in values]

    def decade(self, power: int) -> str:
        raise NotImplementedError


class CountAxis(DecadeAxis):
    """A log count axis (a histogram's): 1, 10, 100, …"""

    def decade(self, power: int) -> str:
        return f"{10 ** power:d}"


class EpochAxis(FittingAxis):
    """A vertical axis of whole epochs, a 1-2-5 step apart that leaves room for their labels (:func:`epoch_step`).

    Axes of one view that show the same epochs at the same size and style share their ticks (``shared``): the
    first to be drawn works out the ticks and labels and the others reuse them. (A heat map's epochs scroll, so
    its axis is drawn again on every frame, and pyqtgraph's Python that places the ticks and measures the labels
    is the dearest part of such a frame.)
    """

    def __init__(self, shared: dict) -> None:
        super().__init__("left")
        self.shared = shared  # one per view: {"key": …, "specs": …, "width": …}

    def tickSpacing(self, minVal, maxVal, size):
        return [(epoch_step(size / max(maxVal - minVal, 1e-9), self.label_height()), 0.0)]

    def generateDrawSpecs(self, p):
        # The key leaves out the device transform: the axes of one view share one device, and asking pyqtgraph for
        # it from here crashes Qt once the view's columns have been rebuilt.
        font = self.style["tickFont"]
        key = (tuple(self.range), self.mapRectFromParent(self.geometry()).getRect(),
               None if font is None else font.key(),
               self.style["tickLength"], tuple(self.style["tickTextOffset"]), self.logMode, self.grid)
        if self.shared.get("key") == key:
            # pyqtgraph's generateDrawSpecs ends by widening the axis to its widest label through this private
            # method (no public one does the same: setWidth fixes the width for good); reused specs skip that
            # call, so it is made here. tests/gui/test_pyqtgraph_private_api.py checks that it still exists.
            self._updateMaxTextSize(self.shared["width"])
            return self.shared["specs"]
        specs = super().generateDrawSpecs(p)
        self.shared.update(key=key, specs=specs, width=self.textWidth)
        return specs
