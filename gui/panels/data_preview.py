"""The data panel's preview: a scatter of 2-D data, training points filled and validation points hollow, coloured
by class (regression: by target, orange to blue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QSizePolicy

from gui.plotting import palette
from gui.plotting.plot_style import shared_styles

if TYPE_CHECKING:
    from engine.data import Dataset

PADDING = 0.05  # of the points' extent, around them


class DataPreview(pg.PlotWidget):
    """A scatter of a data set's two features, without axes; it draws only 2-D data."""

    def __init__(self) -> None:
        super().__init__(background="w")
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.hideButtons()
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.setAspectLocked(True)
        for axis in ("left", "bottom"):
            self.hideAxis(axis)
        self.setToolTip("Filled: training points · hollow: validation points")
        self.train_points = pg.ScatterPlotItem(size=6, pxMode=True)
        self.val_points = pg.ScatterPlotItem(size=7, pxMode=True)
        self.addItem(self.train_points)
        self.addItem(self.val_points)

    def draw(self, ds: Dataset) -> bool:
        """Scatter ``ds`` if it has two features (else clear the points); whether it did."""
        if ds.x_train.shape[1] != 2:
            self.train_points.clear()
            self.val_points.clear()
            return False
        colours = point_colours(np.concatenate([ds.y_train, ds.y_val]), ds.task)
        train_colours, val_colours = colours[: len(ds.y_train)], colours[len(ds.y_train):]
        self.train_points.setData(
            x=ds.x_train[:, 0], y=ds.x_train[:, 1],
            brush=shared_styles(lambda c: pg.mkBrush(*c, 220), train_colours),
            pen=pg.mkPen(*palette.INK, 90, width=0.5))
        self.val_points.setData(
            x=ds.x_val[:, 0], y=ds.x_val[:, 1],
            brush=pg.mkBrush(None), pen=shared_styles(lambda c: pg.mkPen(*c, width=1.5), val_colours))
        return True

    def fit(self) -> None:
        """Frame the points, with PADDING around them."""
        self.autoRange(padding=PADDING)

    def counts(self) -> tuple[int, int]:
        """How many training and validation points the scatter shows."""
        return len(self.train_points.data), len(self.val_points.data)


def preview_caption(ds: Dataset) -> str:
    """What the preview shows of ``ds``, or why it shows nothing."""
    if ds.x_train.shape[1] != 2:
        return f"{ds.x_train.shape[1]} features — no 2-D preview"
    test = f" · {len(ds.x_test)} test rows, not drawn" if len(ds.x_test) else ""
    return f"{len(ds.x_train)} training points (filled) · {len(ds.x_val)} validation points (hollow){test}"


def point_colours(y: np.ndarray, task: str) -> list[tuple[int, int, int]]:
    """Class colours from the palette (binary: y > 0.5; multiclass: the one-hot's argmax); regression: orange
    (lowest target) to blue (highest), straight, so no point fades into the white background."""
    if task == "regression":
        v = y[:, 0].astype(np.float64)
        t = (v - v.min()) / (float(v.max() - v.min()) or 1.0)
        rgb = np.array(palette.ORANGE, float) + t[:, None] * (np.array(palette.BLUE, float) - palette.ORANGE)
        return [tuple(int(c) for c in row) for row in rgb.round()]
    labels = np.argmax(y, axis=1) if y.shape[1] > 1 else (y[:, 0] > 0.5).astype(int)
    return [palette.class_colour(int(k)) for k in labels]
