"""The loss landscape of two weights, live: the data loss over their plane, the penalty's level set through the
current point, the pair's path over the epochs and where it is now (ESL Fig. 3.11, from the run in front of the class).

The engine computes the landscape (engine/training/landscape.py, through engine/live/landscape_work.py) at most
every few tenths of a second while this view shows; the session announces each new one (``landscape_changed``) on
the render timer and :meth:`LandscapeView.show_landscape` draws it, into plot items made once:

- the data loss as an image (darker = lower) with grey contours, and in black its contour through the current point;
- dashed: the level set of the penalty through the current point, from the spec's λ
  (engine/training/landscape_geometry.py, as in the `landscape` command's PNG): the L1 diamond, the L2 circle,
  elastic net's rounded diamond, two lines when one weight has no penalty;
- dotted: the region max-norm allows the pair, the other weights as the landscape was made (a disc for two weights
  into one unit, a rectangle or band otherwise);
- the path of the pair over the epochs, and a dot where it is now.

The weights are picked above the plot (gui/live/landscape_picker.py) and kept in the experiment
(``"landscape": {"weights": "L:i:j,L:k:l"}``); a caption under the plot says what is drawn.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.data import Dataset
from engine.live.landscape_work import LandscapeFrame
from engine.spec import WeightRef, kernel_shapes
from engine.training.landscape_geometry import MaxNormRegion, PairPenalty, level_set, max_norm_region, pair_penalty
from gui.document import ExperimentDocument
from gui.live.contours import contour_lines
from gui.live.landscape_names import unit_name, weight_name
from gui.live.landscape_picker import LandscapePicker
from gui.plotting.palette import BLUE, GREY, INK, PAPER, PURPLE, SKY, VERMILLION
from gui.plotting.plot_style import scaled_font, style_plot, white_background

CONTOURS = 8  # grey contour lines between the lowest loss on the grid and LEVEL_TOP
LEVEL_TOP = 0.9  # the colours and contours reach this quantile of the grid's loss (a far corner can be huge)
FAR = 2.0  # curves reach this many grid widths from 0 (a Qt pen draws a very long dashed line solid)
MOST_PATH_POINTS = 4000  # a longer path is drawn through every k-th epoch (and the last)
WAITING = "The loss landscape shows once the network is built (it is computed at the current weights)."


def landscape_lut(n: int = 256) -> np.ndarray:
    """SKY, darkened (low loss) → PAPER (high loss): a valley reads as a dark basin."""
    low = np.array(SKY, float) * 0.75
    t = np.linspace(0.0, 1.0, n)[:, None] ** 0.7
    return (low + t * (np.array(PAPER, float) - low)).round().astype(np.uint8)


def pixel_extent(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float, float]:
    """The image's edges for grid values at pixel centres a (columns) and b (rows)."""
    da, db = (a[-1] - a[0]) / (len(a) - 1), (b[-1] - b[0]) / (len(b) - 1)
    return a[0] - da / 2, a[-1] + da / 2, b[0] - db / 2, b[-1] + db / 2


def loss_at(landscape, point: tuple[float, float]) -> float:
    """The grid's data loss at ``point``, interpolated between the four grid points around it."""
    a, b, grid = landscape.a, landscape.b, landscape.data_loss
    i = float(np.interp(point[1], b, np.arange(len(b))))
    j = float(np.interp(point[0], a, np.arange(len(a))))
    i0, j0 = min(int(i), len(b) - 2), min(int(j), len(a) - 2)
    fi, fj = i - i0, j - j0
    top = grid[i0, j0] * (1 - fj) + grid[i0, j0 + 1] * fj
    bottom = grid[i0 + 1, j0] * (1 - fj) + grid[i0 + 1, j0 + 1] * fj
    return float(top * (1 - fi) + bottom * fi)


def thinned(values: np.ndarray, most: int = MOST_PATH_POINTS) -> np.ndarray:
    if len(values) <= most:
        return values
    step = -(-len(values) // most)
    return np.concatenate([values[:-1:step], values[-1:]])


class LandscapeView(QWidget):
    """The picker, the plot and its caption; :meth:`show_landscape` draws a LandscapeFrame."""

    def __init__(self, document: ExperimentDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.drawn: LandscapeFrame | None = None
        self._dataset: tuple[int, int, list[str]] | None = None  # features, outputs, feature names
        self._extent: tuple[float, float, float, float] | None = None
        self._zoom = 1.0
        white_background(self)
        self.picker = LandscapePicker()
        self.plot_widget = pg.PlotWidget(background=PAPER)
        self.plot_widget.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setAspectLocked(True)  # a circle is round: both axes are weights on one scale
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.getViewBox().setMouseEnabled(False, False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(landscape_lut())
        self.image.setZValue(-10)
        self.axes_lines = [pg.InfiniteLine(0.0, angle, pen=pg.mkPen(GREY, width=1)) for angle in (0, 90)]
        self.contours = pg.PlotCurveItem(connect="finite", pen=pg.mkPen((120, 120, 120), width=1))
        self.through = pg.PlotCurveItem(connect="finite", pen=pg.mkPen(INK, width=1.5), antialias=True)
        self.level = pg.PlotCurveItem(connect="finite", antialias=True,
                                      pen=pg.mkPen(VERMILLION, width=2.5, style=Qt.PenStyle.DashLine))
        self.bound = pg.PlotCurveItem(connect="finite", antialias=True,
                                      pen=pg.mkPen(PURPLE, width=2.5, style=Qt.PenStyle.DotLine))
        self.path = pg.PlotCurveItem(pen=pg.mkPen(BLUE, width=2), antialias=True)
        self.now = pg.ScatterPlotItem(size=11, brush=pg.mkBrush(BLUE), pen=pg.mkPen(PAPER, width=1.5))
        for item in (self.image, *self.axes_lines, self.contours, self.through, self.level, self.bound, self.path,
                     self.now):
            self.plot.addItem(item)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setContentsMargins(4, 2, 4, 4)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.picker)
        column.addWidget(self.plot_widget, 1)
        column.addWidget(self.caption)
        self.set_zoom(1.0)
        self.clear()

    # ---------------------------------------------------------------- what the window tells it
    def set_dataset(self, dataset: Dataset) -> None:
        self._dataset = (dataset.n_features, dataset.n_outputs, list(dataset.feature_names))
        self.refresh_shape()

    def refresh_shape(self) -> None:
        """The picker's choices for the document's network on the data set (after an edit or a new data set)."""
        if self._dataset is None:
            return
        features, outputs, names = self._dataset
        shapes = kernel_shapes([h.units for h in self.document.exp.network.hidden], features, outputs)
        if shapes != self.picker.shapes:
            self.picker.set_shape(shapes, names)
        self.picker.show_pair(self.drawn.pair if self.drawn is not None else self.chosen_pair)

    @property
    def chosen_pair(self) -> tuple[WeightRef, WeightRef] | None:
        """The experiment's pair, None for the default."""
        choice = self.document.exp.landscape
        return None if choice is None else tuple(choice.weights)

    def clear(self) -> None:
        """A new run: nothing is drawn until its first landscape."""
        self.drawn = None
        self.image.clear()
        for item in (self.contours, self.through, self.level, self.bound, self.path, self.now):
            item.setData([], [])
        self.caption.setText(WAITING)

    def set_zoom(self, zoom: float) -> None:
        self._zoom = zoom
        style_plot(self.plot, zoom)
        font = scaled_font(zoom)
        self.caption.setFont(font)
        self.picker.setFont(font)

    # ---------------------------------------------------------------- drawing
    def show_landscape(self, frame: LandscapeFrame) -> None:
        """Draw ``frame`` (the newest landscape of the run)."""
        self.drawn = frame
        if frame.landscape is None:
            self.clear()
            self.drawn = frame
            self.caption.setText(frame.note)
            return
        land = frame.landscape
        extent = pixel_extent(land.a, land.b)
        self.image.setImage(land.data_loss, autoLevels=False, levels=self._levels(land.data_loss))
        if extent != self._extent:
            self._extent = extent
            self.image.setRect(QRectF(extent[0], extent[2], extent[1] - extent[0], extent[3] - extent[2]))
            self.plot.getViewBox().setRange(xRange=extent[:2], yRange=extent[2:], padding=0)
        self._draw_contours(land, extent)
        exp = self.document.exp
        penalty = pair_penalty(exp, frame.pair)
        far = FAR * (extent[1] - extent[0])  # lines beyond the view, but not so long that dashes turn solid
        _set_rows(self.level, level_set(penalty, land.current, far))
        region = max_norm_region(exp, frame.pair, list(frame.kernels), far) if frame.kernels else None
        _set_rows(self.bound, None if region is None else region.boundary)
        self.path.setData(thinned(frame.path_a), thinned(frame.path_b))
        self.now.setData([land.current[0]], [land.current[1]])
        self._label_axes(frame.pair)
        self._set_caption(frame, penalty, region)
        self.picker.show_pair(frame.pair)

    def _levels(self, loss: np.ndarray) -> tuple[float, float]:
        low, high = float(np.min(loss)), float(np.quantile(loss, LEVEL_TOP))
        return low, max(high, low + 1e-12)

    def _draw_contours(self, land, extent) -> None:
        low, high = self._levels(land.data_loss)
        xs, ys = [], []
        for level in low + (high - low) * np.linspace(0.0, 1.0, CONTOURS + 2)[1:-1] ** 2:  # closer near the bottom
            x, y = contour_lines(land.data_loss, level, extent)
            xs.append(x)
            ys.append(y)
        self.contours.setData(np.concatenate(xs), np.concatenate(ys))
        self.through.setData(*contour_lines(land.data_loss, loss_at(land, land.current), extent))

    def _label_axes(self, pair: tuple[WeightRef, WeightRef]) -> None:
        hidden = len(self.document.exp.network.hidden)
        features, outputs, names = self._dataset if self._dataset is not None else (0, 1, None)
        for axis, weight in zip(("bottom", "left"), pair, strict=True):
            text = weight_name(weight, hidden, names, outputs)
            if self.plot.getAxis(axis).labelText != text:
                self.plot.setLabel(axis, text)
                style_plot(self.plot, self._zoom)

    def _set_caption(self, frame: LandscapeFrame, penalty: PairPenalty, region: MaxNormRegion | None) -> None:
        exp = self.document.exp
        labels = ", against the true labels (no label smoothing)" if exp.training.label_smoothing else ""
        lines = [f"{frame.note}." if frame.note else "",
                 "Shading and grey lines: the data loss on the training rows, dropout and noise off" + labels
                 + ", every other weight as now; black line: its contour through the current point.",
                 _level_words(penalty, frame.landscape.current)]
        if region is not None:
            lines.append(self._region_words(frame.pair, region))
        if len(frame.epochs):
            lines.append(f"Blue line: the pair over epochs {frame.epochs[0]}–{frame.epochs[-1]}; dot: now "
                         f"(epoch {frame.epoch}).")
        text = " ".join(line for line in lines if line)
        if text != self.caption.text():
            self.caption.setText(text)

    def _region_words(self, pair: tuple[WeightRef, WeightRef], region: MaxNormRegion) -> str:
        """The caption's sentence on the dotted shape: its inequalities, with c and the rest of each unit."""
        hidden = len(self.document.exp.network.hidden)
        parts = []
        for k, (name, weight) in enumerate(zip(("a", "b"), pair, strict=True)):
            if region.c[k] is None or (region.kind == "disc" and k == 1):
                continue
            square = "a² + b²" if region.kind == "disc" else f"{name}²"
            unit = unit_name(weight.layer + 1, weight.column, hidden)
            parts.append(f"{square} ≤ c² − the rest of {unit}'s weights squared = {region.c[k]:g}² − "
                         f"{region.rest[k]:.3g} = {region.room[k]:.3g}")
        return f"Dotted: the pair's max-norm region: {'; '.join(parts)}."


def _set_rows(item: pg.PlotCurveItem, rows: np.ndarray | None) -> None:
    """Draw (K, 2) rows (a, b), NaN rows breaking the line; None: nothing."""
    item.setData(*((rows[:, 0], rows[:, 1]) if rows is not None else ([], [])))


PENALTY_NAMES = {"L1": "L1", "L2": "L2", "L1+L2": "elastic net"}


def _level_words(penalty: PairPenalty, current: tuple[float, float]) -> str:
    """The caption's sentence on the dashed curve: which penalty's level set, and its equation when one λ pair
    applies to both weights."""
    if penalty.name == "none":
        return "No kernel penalty on these two weights: no level set to draw."
    level = float(penalty(*current))
    if not penalty.same:
        return f"Dashed: the kernel penalties' level set through the current point (their sum = {level:.3g})."
    l1, l2 = penalty.l1[0], penalty.l2[0]
    terms = [f"{l1:g}·(|a| + |b|)"] if l1 else []
    terms += [f"{l2:g}·(a² + b²)"] if l2 else []
    return (f"Dashed: the {PENALTY_NAMES[penalty.name]} penalty's level set through the current point, "
            f"{' + '.join(terms)} = {level:.3g}.")
