"""How the network view draws what dropout did in the last training step, and the caption that says so.

Inverted and classic dropout switch units off: the view crosses out the units one example's mask dropped. Gaussian
dropout switches none off but multiplies every unit by a factor: the view fills each unit by its factor, from white
(× 0) through the usual fill (× 1) to black (× 2 or more), and orange where the factor is below 0 (the unit passes
its value on with the sign flipped).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QBrush

from gui.plotting.palette import GREY, ORANGE, PAPER

NEURON = (74, 84, 99)  # fill of a neuron that is on (× 1)
DROPPED_FILL = (226, 226, 226)
CROSS = (105, 105, 105)
DARKEST = (0, 0, 0)  # fill of a unit × FACTOR_TOP or more
FACTOR_TOP = 2.0
FACTOR_STEP = 0.125  # fills step by this much of a factor: few brushes for pyqtgraph's symbol atlas

# Dropout draws a fresh mask for every example of a batch; the view can show only one of them, so it says which.
MASK_CAPTION = "✕ dropped for one example"
MASK_TIP = ("Dropout switches each unit off independently with probability p (the layer's rate), and separately "
            "for every example of a batch, so a batch has as many masks as examples. The crossed-out units are "
            "the mask of one example: the first example of the epoch's last training batch.")
GAUSSIAN_CAPTION = ("Gaussian dropout: each unit × a factor from N(1, p/(1−p)); one example's factors, last training "
                    "step")
GAUSSIAN_TIP = ("Gaussian dropout (Keras' GaussianDropout(p)) switches no unit off: while training it multiplies each "
                "unit's value by a factor of its own drawn from N(1, p/(1−p)) (mean 1, variance p/(1−p), p the "
                "layer's rate), separately for every example of a batch; at evaluation nothing is multiplied. The "
                "fills are the factors of one example: the first example of the epoch's last training batch. A "
                "factor below 0 passes the unit's value on with its sign flipped.")


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _dot(rgb, text: str, symbol: str = "●") -> str:
    return f"<span style='color:{_hex(rgb)}'>{symbol}</span>&nbsp;{text.replace(' ', '&nbsp;')}"  # kept whole


#: the Gaussian caption with its key: the fills of the factors 0, 1, 2 or more and below 0 (rich text)
GAUSSIAN_CAPTION_KEY = (f"{GAUSSIAN_CAPTION}. Fill by factor: " + " · ".join(
    (_dot(GREY, "0", "○"), _dot(NEURON, "1"), _dot(DARKEST, f"{FACTOR_TOP:g} or more"), _dot(ORANGE, "below 0"))))


def _mix(a, b, t: float) -> tuple[int, ...]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def factor_colour(factor: float) -> tuple[int, ...]:
    """The fill of a unit multiplied by ``factor``: PAPER at 0, NEURON at 1, DARKEST from FACTOR_TOP, ORANGE below 0
    (in steps of FACTOR_STEP)."""
    if factor < 0:
        return ORANGE
    t = round(min(float(factor), FACTOR_TOP) / FACTOR_STEP) * FACTOR_STEP
    return _mix(PAPER, NEURON, t) if t <= 1 else _mix(NEURON, DARKEST, (t - 1) / (FACTOR_TOP - 1))


@cache
def _brush(rgb: tuple[int, ...]) -> QBrush:
    return pg.mkBrush(rgb)


def factor_brushes(factors: np.ndarray) -> list[QBrush]:
    """One brush per unit, the same object for the same fill (pyqtgraph's scatter draws one symbol per object)."""
    return [_brush(factor_colour(f)) for f in np.asarray(factors, dtype=float)]


def neuron_styles(masks: list[np.ndarray], factors: list[np.ndarray | None], selected: int,
                  pens: dict) -> tuple[list[QBrush], list]:
    """Per drawn neuron, column by column, its fill and outline: by its factor where a column has factors (Gaussian
    dropout), else on or dropped. ``pens`` maps (column selected, fill pale) to an outline: a pale fill needs one to
    show on the paper, and so does every factor's fill (it may be white)."""
    on, off = _brush(NEURON), _brush(DROPPED_FILL)
    brushes, outline = [], []
    for c, (mask, factor) in enumerate(zip(masks, factors, strict=True)):
        pale = np.ones(len(factor), bool) if factor is not None else np.asarray(mask, bool)
        brushes += factor_brushes(factor) if factor is not None else [off if dropped else on for dropped in mask]
        outline += [pens[(c == selected, bool(p))] for p in pale]
    return brushes, outline
