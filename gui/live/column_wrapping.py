"""How many columns of layer plots stand side by side, and how small their type gets, for a view's size.

As many columns (up to MAX_COLUMNS) as the view's width holds, the other layers in rows below: columns wider than
the view (big type on a projector, a narrow window) would be cut off at its right edge. Where rows would squash the
plots flat (a short view) and the columns do not fit either (a 1024 × 768 projector), the type gets smaller, down to
SMALLEST_TYPE of the zoom.
"""

from __future__ import annotations

import math

MAX_COLUMNS = 3  # layers side by side before the blocks wrap into a second row
ROW_HEIGHT = 250  # px at zoom 1 a row of layers needs (readout, histogram, heat map) before wrapping is worth it
NORMS_HEIGHT = 80  # px at zoom 1 more for the unit norms' plot and caption, when shown
SMALLEST_TYPE = 0.7  # of the zoom: how far the plots' type shrinks so that the columns fit a narrow, short view


def column_count(layers: int, most: int) -> int:
    """Columns for ``layers`` layers, at most ``most``, with the rows as evenly filled as can be (4 layers: 2 × 2)."""
    rows = math.ceil(layers / max(1, most))
    return math.ceil(layers / rows) if rows else 0


def wrapping(layers: int, room: float, need: float, height: float, zoom: float,
             norms: bool = False) -> tuple[int, float]:
    """(columns, type zoom) for ``layers`` columns each ``need`` px wide at the full type size (spacing included) in
    a view ``room`` px wide and ``height`` px high, at ``zoom``; ``norms``: the columns show their unit norms."""
    columns = column_count(layers, max(1, min(MAX_COLUMNS, int(room // max(need, 1.0)))))
    row_height = ROW_HEIGHT + (NORMS_HEIGHT if norms else 0)
    if math.ceil(layers / columns) * row_height * zoom > height:
        columns = column_count(layers, MAX_COLUMNS)  # rows would squash the plots flat: the widest layout
    fit = room / (columns * need)
    return columns, zoom * (1.0 if fit >= 1 else max(SMALLEST_TYPE, 0.97 * fit))
