"""The decision boundary of a network on 2-D data, under the data points.

The snapshot's ``decision_grid`` (64 × 64, rows = y, columns = x) is drawn as one image over its
``grid_extent``:

- binary: P(class 1) through the orange → white → blue table, with the 0.5 contour in INK;
- multiclass (64 × 64 × C): the most probable class's colour, fading to white as confidence drops;
- regression: the predicted value through the same table, over the targets' range (so the points,
  coloured by their target, compare with the background).

The colours are tinted towards white so the saturated points stand out on them. Training points are
filled circles, validation points rings. Data with another number of features gets a message instead. Under the
plot, for classification, a line gives the most confident prediction on the grid and, with label smoothing, the
targets it moves 0 and 1 to (gui/live/confidence_readout.py; the view follows the document's label smoothing).

:meth:`BoundaryView.show_uncertainty` switches to the Monte-Carlo dropout map of a model: the image shows
the std of the prediction over passes with dropout on (white = every pass agrees, dark purple = they
disagree; a colour bar gives the scale), with the predictive mean's boundary drawn on top. Snapshots
arriving meanwhile are kept but not drawn until ``show_uncertainty(None, None)`` (or :meth:`clear`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsItem, QLabel, QStackedLayout, QVBoxLayout, QWidget

from engine.data import Dataset
from engine.training.snapshot import Snapshot
from gui.document import ExperimentDocument
from gui.live.confidence_readout import ConfidenceReadout
from gui.live.contours import class_boundaries, contour_lines
from gui.plotting.palette import INK, PAPER, PURPLE, class_colour, diverging_lut
from gui.plotting.plot_style import LABEL_PT, TICK_PT, scaled_font, shared_styles, style_plot, white_background

TINT = 0.6  # how far the background moves from white towards the full colour
POINT_SIZE = 8.0  # pixels, at zoom 1
LUT = diverging_lut()
BACKGROUND_LUT = (PAPER + TINT * (LUT.astype(float) - PAPER)).round().astype(np.uint8)
STD_FULL = 0.5  # a probability's std is at most 0.5 (half the passes say 0, half say 1): the darkest colour
UNCERTAINTY_DARK = tuple(round(0.45 * c) for c in PURPLE)  # PURPLE, darker: the far end of the uncertainty map


def uncertainty_lut(n: int = 256) -> np.ndarray:
    """White → PURPLE → dark purple (n × 3 uint8): one hue, every channel falling, so a larger std is darker."""
    t = np.linspace(0.0, 1.0, n)
    stops, colours = [0.0, 0.55, 1.0], np.array([PAPER, PURPLE, UNCERTAINTY_DARK], float)
    return np.stack([np.interp(t, stops, colours[:, k]) for k in range(3)], -1).round().astype(np.uint8)


UNCERTAINTY_LUT = uncertainty_lut()


def multiclass_rgb(grid: np.ndarray) -> np.ndarray:
    """(64, 64, C) probabilities → (64, 64, 3) uint8: the likeliest class's colour, white where all are equal."""
    classes = grid.shape[-1]
    winner = grid.argmax(axis=-1)
    confidence = (grid.max(axis=-1) - 1 / classes) / (1 - 1 / classes)  # 0 = a tie of all, 1 = certain
    colours = np.array([class_colour(k) for k in range(classes)], dtype=float)[winner]
    strength = TINT * np.clip(confidence, 0, 1)[..., None]
    return (PAPER + strength * (colours - PAPER)).round().astype(np.uint8)


def data_extent(ds: Dataset | None) -> tuple[float, float, float, float] | None:
    """The decision grid's extent for 2-D data as the engine makes it: the points' box, 10 % wider on every side."""
    if ds is None or ds.n_features != 2:
        return None
    points = np.concatenate([ds.x_train, ds.x_val])
    if not len(points):
        return None
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-6)
    lo, hi = lo - pad, hi + pad
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def value_colours(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Regression targets → (n, 3) uint8 colours of the full lut over ``low`` … ``high``."""
    span = high - low if high > low else 1.0
    index = np.clip((values - low) / span * (len(LUT) - 1), 0, len(LUT) - 1).round().astype(int)
    return LUT[index]


class BoundaryView(QWidget):
    """Decision regions of the latest snapshot (or a dropout uncertainty map) with the training and validation
    points on top."""

    def __init__(self, parent: QWidget | None = None, document: ExperimentDocument | None = None) -> None:
        super().__init__(parent)
        self._zoom = 1.0
        self._dataset: Dataset | None = None
        self._last: Snapshot | None = None
        self._target_range: tuple[float, float] | None = None  # regression: the colour scale of points and grid
        self._extent: tuple[float, float, float, float] | None = None  # of the latest grid: where a map goes
        self._uncertainty: tuple[np.ndarray, np.ndarray] | None = None  # (mean, std) while the map is shown
        self._passes: int | None = None
        self._bar_label = ""  # what the colour bar measures

        self.plot_widget = pg.PlotWidget(background=PAPER)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        # Bilinear scaling of the 64 × 64 image: smooth regions rather than blocks.
        self.plot_widget.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.contour = pg.PlotCurveItem(connect="finite", antialias=True)  # all lines, NaN-separated
        # Under the contour on the uncertainty map: a white edge, since the boundary runs where the map is darkest.
        self.contour_halo = pg.PlotCurveItem(connect="finite", antialias=True)
        self.train_points = pg.ScatterPlotItem(symbol="o", antialias=True)
        self.val_points = pg.ScatterPlotItem(symbol="o", antialias=True, brush=None)
        self.val_halo = pg.ScatterPlotItem(symbol="o", antialias=True, brush=None)  # a faint INK edge for pale rings
        self.plot.addItem(self.image)
        self.plot.addItem(self.contour_halo)
        self.plot.addItem(self.contour)
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.val_halo)
        self.plot.addItem(self.val_points)
        for points in (self.train_points, self.val_halo, self.val_points):
            # The points stay put while the regions under them change on every frame: keep them as a pixmap.
            points.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

        # The uncertainty map's scale, right of the plot; hidden (taking no room) while the regions are shown.
        self.colour_bar = pg.ColorBarItem(values=(0.0, STD_FULL), interactive=False, colorMapMenu=False,
                                          colorMap=pg.ColorMap(np.linspace(0.0, 1.0, len(UNCERTAINTY_LUT)),
                                                               UNCERTAINTY_LUT))
        self.plot.layout.addItem(self.colour_bar, 2, 5)
        self.colour_bar.setVisible(False)

        self.confidence = ConfidenceReadout()
        self.plot_page = QWidget()
        column = QVBoxLayout(self.plot_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.plot_widget, 1)
        column.addWidget(self.confidence)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setMargin(24)
        white_background(self)
        self.stack = QStackedLayout(self)
        self.stack.addWidget(self.plot_page)
        self.stack.addWidget(self.message)
        self.set_zoom(1.0)
        self._document = document
        if document is not None:
            document.spec_changed.connect(self._follow_label_smoothing)
            self._follow_label_smoothing()

    # ------------------------------------------------------------------ data

    def set_dataset(self, ds: Dataset | None) -> None:
        """Scatter the training (filled) and validation (rings) points, coloured by class or target value."""
        for _ in self.dataset_steps(ds):
            pass

    def dataset_steps(self, ds: Dataset | None) -> Iterator[None]:
        """:meth:`set_dataset` in two steps, for two ticks of the render timer (gui/render_loop.py): the axes and
        the training points, then the validation points and what depends on the data."""
        self._dataset = ds
        self._target_range = None
        if ds is not None and ds.task == "regression":
            targets = np.concatenate([ds.y_train.ravel(), ds.y_val.ravel()])
            self._target_range = (float(targets.min()), float(targets.max())) if targets.size else (0.0, 1.0)
        names = ds.feature_names[:2] if ds is not None and ds.n_features == 2 else ["", ""]
        self.plot.setLabel("bottom", names[0])
        self.plot.setLabel("left", names[1])
        style_plot(self.plot, self._zoom)
        self._draw_training_points()
        yield
        self._draw_validation_points()
        self._update_message()
        self._extent = None  # the new data's grid: from its next snapshot, or from the data meanwhile
        if self._last is not None:
            last, self._last = self._last, None
            self.show_snapshot(last)  # the regression colour scale may have changed (and the map's place)
        if self._uncertainty is not None and self._extent is None:
            self._draw_uncertainty()
        yield

    def _draw_points(self) -> None:
        self._draw_training_points()
        self._draw_validation_points()

    def _draw_training_points(self) -> None:
        ds = self._dataset
        if ds is None or ds.n_features != 2:
            self.train_points.setData([], [])
            return
        zoom = self._zoom
        outline = pg.mkPen((*INK, 150), width=0.8 * zoom)
        colours = self._point_colours(ds.y_train)
        self.train_points.setData(
            ds.x_train[:, 0], ds.x_train[:, 1], size=POINT_SIZE * zoom, pen=outline,
            brush=shared_styles(lambda c: pg.mkBrush(*c), colours),
        )

    def _draw_validation_points(self) -> None:
        ds = self._dataset
        if ds is None or ds.n_features != 2:
            for item in (self.val_halo, self.val_points):
                item.setData([], [])
            return
        zoom = self._zoom
        colours = self._point_colours(ds.y_val)
        ring = 2 * zoom
        self.val_points.setData(
            ds.x_val[:, 0], ds.x_val[:, 1], size=POINT_SIZE * zoom, brush=None,
            pen=shared_styles(lambda c: pg.mkPen(*c, width=ring), colours),
        )
        self.val_halo.setData(ds.x_val[:, 0], ds.x_val[:, 1], size=POINT_SIZE * zoom + 1.5 * ring, brush=None,
                              pen=pg.mkPen((*INK, 170), width=0.8 * zoom))

    def _point_colours(self, y: np.ndarray) -> np.ndarray:
        if self._target_range is not None:
            return value_colours(y.ravel(), *self._target_range)
        labels = y.argmax(axis=1) if y.shape[1] > 1 else y.ravel().round().astype(int)
        return np.array([class_colour(int(k)) for k in labels], dtype=np.uint8).reshape(-1, 3)

    # ------------------------------------------------------------------ the common view API

    def show_snapshot(self, snap: Snapshot | None) -> None:
        """Draw ``snap``'s decision regions (kept, not drawn, while an uncertainty map is shown)."""
        if snap is self._last:
            return
        self._last = snap
        self._update_message()
        if snap is not None and snap.grid_extent is not None and snap.decision_grid is not None:
            extent_changed = tuple(snap.grid_extent) != self._extent
            self._extent = tuple(snap.grid_extent)
            if self._uncertainty is not None and extent_changed:
                self._draw_uncertainty()  # a map shown before the grid's place was known
        if self._uncertainty is None:
            self._draw_regions(snap)

    def show_uncertainty(self, mean: np.ndarray | None, std: np.ndarray | None, passes: int | None = None) -> None:
        """Show a Monte-Carlo dropout map instead of the regions, or (``None, None``) go back to the regions.

        ``mean`` and ``std`` are shaped like a snapshot's decision grid ((64, 64) or (64, 64, classes), rows = y),
        e.g. from ``Trainer.mc_grid``. The image shows ``std`` (several classes: its mean over the classes)
        from white (0: every pass agrees) to dark purple (STD_FULL for probabilities, half the targets' range
        for regression), and the boundary of ``mean`` is drawn on top (0.5 for one probability, the edges
        of the likeliest classes for several, none for regression). ``passes`` (T) goes into the colour bar's
        label. While the map is shown, snapshots are kept but not drawn; clear() removes the map too.
        """
        if mean is None or std is None:
            if self._uncertainty is None:
                return
            self._uncertainty = self._passes = None
            self.colour_bar.setVisible(False)
            self.contour_halo.setData([], [])
            self._set_title()
            self._draw_regions(self._last)
            return
        self._uncertainty = (np.asarray(mean, dtype=float), np.asarray(std, dtype=float))
        self._passes = passes
        self._draw_uncertainty()

    def uncertainty_shown(self) -> bool:
        """True while the view shows an uncertainty map instead of the decision regions."""
        return self._uncertainty is not None

    def _draw_regions(self, snap: Snapshot | None) -> None:
        grid = None if snap is None else snap.decision_grid
        drawn = grid is not None and snap.grid_extent is not None
        self.confidence.show_grid(grid if drawn else None, not self._regression(snap))
        if not drawn:
            self.image.clear()
            self.image.setVisible(False)
            self.contour.setData([], [])
            return
        grid = np.asarray(grid)
        regression = self._regression(snap)
        if grid.ndim == 3 and grid.shape[-1] > 1:
            self.image.setLookupTable(None)
            self.image.setImage(multiclass_rgb(grid), levels=(0, 255), autoLevels=False)
        else:
            grid = grid.reshape(grid.shape[:2])
            if regression:
                levels = self._target_range or (float(grid.min()), float(grid.max()))
            else:
                levels = (0.0, 1.0)
            if levels[1] <= levels[0]:
                levels = (levels[0] - 0.5, levels[0] + 0.5)
            self.image.setLookupTable(BACKGROUND_LUT)
            self.image.setImage(grid, levels=levels, autoLevels=False)
        x_min, x_max, y_min, y_max = snap.grid_extent
        self.image.setRect(x_min, y_min, x_max - x_min, y_max - y_min)
        self.image.setVisible(True)
        binary = grid.ndim == 2 and not regression
        self.contour.setData(*(contour_lines(grid, 0.5, snap.grid_extent) if binary else ([], [])))

    def _draw_uncertainty(self) -> None:
        mean, std = self._uncertainty
        self.confidence.show_grid(None, False)  # the map shows the passes' spread, not these predictions
        extent = self._extent or data_extent(self._dataset)
        if extent is None:  # no grid seen and no 2-D data: nowhere to put the map yet (a snapshot will tell)
            self.image.clear()
            self.image.setVisible(False)
            return
        regression = self._regression(self._last)
        several = mean.ndim == 3 and mean.shape[-1] > 1
        spread = std.mean(axis=-1) if std.ndim == 3 else std  # several classes: the mean std over the classes
        if regression:
            low, high = self._target_range or (0.0, 2 * float(spread.max()))
            top = (high - low) / 2 or 1.0
            what = "std of the prediction"
        else:
            top = STD_FULL
            what = "mean std of the P(class)" if several else "std of P(class 1)"
        what += f" over {self._passes} dropout passes" if self._passes else " over the dropout passes"
        self.image.setLookupTable(UNCERTAINTY_LUT)
        self.image.setImage(spread, levels=(0.0, top), autoLevels=False)
        x_min, x_max, y_min, y_max = extent
        self.image.setRect(x_min, y_min, x_max - x_min, y_max - y_min)
        self.image.setVisible(True)
        if several:
            lines = class_boundaries(mean, extent)
        elif regression:
            lines = ([], [])
        else:
            lines = contour_lines(mean.reshape(mean.shape[:2]), 0.5, extent)
        self.contour.setData(*lines)
        self.contour_halo.setData(*lines)
        self.colour_bar.setLevels((0.0, top))
        if what != self._bar_label or not self.colour_bar.isVisible():
            self._bar_label = what
            self.colour_bar.setVisible(True)
            self._style_colour_bar()  # after showing it: a hidden axis sizes itself to nothing
            self._set_title()

    def _follow_label_smoothing(self, _kind: str = "") -> None:
        self.confidence.set_label_smoothing(self._document.exp.training.label_smoothing)

    def _regression(self, snap: Snapshot | None) -> bool:
        return self._target_range is not None or (snap is not None and snap.metric_name == "rmse")

    def clear(self) -> None:
        """Remove the decision regions and any uncertainty map (the data points stay until the next set_dataset)."""
        self._last = None
        if self._uncertainty is not None:
            self._uncertainty = self._passes = None
            self.colour_bar.setVisible(False)
            self.contour_halo.setData([], [])
            self._set_title()
        self.image.clear()
        self.image.setVisible(False)
        self.contour.setData([], [])
        self.confidence.show_grid(None, False)
        self._update_message()

    def set_zoom(self, factor: float) -> None:
        self._zoom = factor
        style_plot(self.plot, factor)
        self._set_title()
        self.plot.layout.setRowFixedHeight(0, 30 * factor)
        self.plot.titleLabel.setMaximumHeight(30 * factor)
        self.contour.setPen(pg.mkPen(INK, width=2 * factor))
        self.contour_halo.setPen(pg.mkPen(PAPER, width=5 * factor))
        self.message.setFont(scaled_font(1.2 * factor))
        self.confidence.set_zoom(factor)
        self._style_colour_bar()
        self._draw_points()

    def _set_title(self) -> None:
        title = "● training   ○ validation"
        if self._uncertainty is not None:  # short: the title's width is the plot's least width
            title = f"dropout uncertainty &nbsp;&nbsp; {title}"
        self.plot.setTitle(title, color=INK, size=f"{LABEL_PT * self._zoom:g}pt")

    def _style_colour_bar(self) -> None:
        bar, zoom = self.colour_bar, self._zoom
        font = scaled_font(1.0)
        font.setPointSizeF(TICK_PT * zoom)
        for name in ("left", "right", "top", "bottom"):
            axis = bar.getAxis(name)
            axis.setPen(pg.mkPen(INK, width=zoom))
            axis.setTextPen(INK)
            axis.setTickFont(font)
        bar.axis.setWidth(round(40 * zoom))
        bar.axis.setStyle(tickTextOffset=round(3 * zoom))
        bar.getAxis("left").setLabel(self._bar_label, color=pg.mkColor(INK).name(),
                                     **{"font-size": f"{LABEL_PT * zoom:g}pt"})
        bar.layout.setColumnFixedWidth(1, round(18 * zoom))
        self.plot.layout.setColumnFixedWidth(4, round(6 * zoom))  # room between the plot's frame and the bar

    # ------------------------------------------------------------------ for tests

    def image_array(self) -> np.ndarray | None:
        """What the image shows: the probability or value grid (through the lut), or the multiclass RGB."""
        return None if self.image.image is None or not self.image.isVisible() else self.image.image

    def scatter_counts(self) -> tuple[int, int]:
        return len(self.train_points.data), len(self.val_points.data)

    def message_text(self) -> str:
        """The message shown instead of the plot, or "" while the plot is shown."""
        return self.message.text() if self.stack.currentWidget() is self.message else ""

    # ------------------------------------------------------------------ internals

    def _update_message(self) -> None:
        features = self._feature_count()
        if features is None or features == 2:
            self.stack.setCurrentWidget(self.plot_page)
            return
        self.message.setText(f"The decision boundary is drawn for data with 2 features (this set has {features}).")
        self.stack.setCurrentWidget(self.message)

    def _feature_count(self) -> int | None:
        if self._dataset is not None:
            return self._dataset.n_features
        if self._last is not None and self._last.layers:
            return int(self._last.layers[0].kernel.shape[0])
        return None
