"""The metrics rows of a run as numpy columns, grown by appending, with each column's extremes for ranging.

The loss view gets the whole history on every frame; only the rows not seen before are copied here, into buffers
that double their capacity when full, and folded into the extremes the plots' ranges follow.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np


class LossHistory:
    """Columns "epoch", the loss columns and the metric columns (``prefix + metric``) of the rows so far.

    ``metric`` ("accuracy", "rmse" or None) names the metric columns; it is set before the first rows are appended.
    A value a row lacks (or gives as None) is NaN.
    """

    def __init__(self, loss_keys: Iterable[str], metric_prefixes: Iterable[str]) -> None:
        self.loss_keys = tuple(loss_keys)
        self.metric_prefixes = tuple(metric_prefixes)
        self.clear()

    def clear(self) -> None:
        self.rows = 0
        self.metric: str | None = None
        self.buffers: dict[str, np.ndarray] = {}
        self.extremes: dict[str, tuple[float, float, float]] = {}  # column → finite min, max, smallest positive

    def column_names(self) -> list[str]:
        return ["epoch", *self.loss_keys, *(prefix + (self.metric or "") for prefix in self.metric_prefixes)]

    def column(self, name: str) -> np.ndarray:
        """The column's values of every row so far."""
        return self.buffers[name][: self.rows]

    def append(self, rows: Sequence[dict]) -> None:
        """Copy ``rows`` into the buffers, doubling their capacity when full; missing values become NaN."""
        end = self.rows + len(rows)
        capacity = len(self.buffers["epoch"]) if self.buffers else 0
        if end > capacity:
            capacity = max(end, 2 * capacity, 256)
            old = self.buffers
            self.buffers = {name: np.full(capacity, np.nan) for name in self.column_names()}
            for name, values in old.items():
                self.buffers[name][: self.rows] = values[: self.rows]
        for name, buffer in self.buffers.items():
            new = buffer[self.rows : end]
            new[:] = [_number(row.get(name)) for row in rows]
            self._extend_extremes(name, new)
        self.rows = end

    def _extend_extremes(self, name: str, values: np.ndarray) -> None:
        """Fold new values into the column's extremes (the ranges follow them; only new rows are looked at)."""
        values = values[np.isfinite(values)]
        if not values.size:
            return
        positive = values[values > 0]
        low, high = float(values.min()), float(values.max())
        smallest = float(positive.min()) if positive.size else math.inf
        if name in self.extremes:
            old = self.extremes[name]
            low, high, smallest = min(old[0], low), max(old[1], high), min(old[2], smallest)
        self.extremes[name] = (low, high, smallest)

    def bounds(self, columns: Iterable[str], log: bool) -> list[tuple[float, float] | None]:
        """(epochs, values) extremes of ``columns`` in view coordinates (log10 values on a ``log`` axis, which
        leaves out values ≤ 0), or None where there are none yet."""
        epochs = self.extremes.get("epoch")
        lows, highs = [], []
        for name in columns:
            extremes = self.extremes.get(name)
            if extremes is None:
                continue
            low, high, smallest = extremes
            if log:
                if high <= 0:
                    continue
                low, high = math.log10(smallest), math.log10(high)
            lows.append(low)
            highs.append(high)
        return [None if epochs is None else epochs[:2], (min(lows), max(highs)) if lows else None]


def _number(value) -> float:
    return np.nan if value is None else float(value)
