"""How confident the network is, under the decision boundary: the most confident prediction on the snapshot's
decision grid, and, with label smoothing s, the targets Keras' cross-entropy compares with instead of 0 and 1.

Binary (one sigmoid output): the confidence of a prediction p is max(p, 1 − p), the probability of the class it
predicts; the targets 0 / 1 become s/2 / 1 − s/2 (y·(1−s) + s/2). K classes (softmax): the confidence is the largest
class probability; the one-hot targets become s/K / 1 − s + s/K (y·(1−s) + s/K). The confidence is shown with label
smoothing off too, so a student sees it before and after switching smoothing on (the lesson's comparison).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from gui.plotting.plot_style import TICK_PT, scaled_font
from gui.widgets import HINT_COLOUR, SteadyLabel, hint_label, set_text_colour

LOSS_MINIMUM_TIP = ("Cross-entropy against a target t is smallest where the prediction equals t, so training pulls "
                    "the predictions towards the smoothed targets, away from 0 and 1.")


def most_confident(grid: np.ndarray) -> float:
    """The largest confidence over a decision grid: max of p and 1 − p for one probability per point ((64, 64) or
    (64, 64, 1)), the largest class probability for several ((64, 64, K))."""
    grid = np.asarray(grid, dtype=np.float64)
    if grid.ndim == 3 and grid.shape[-1] > 1:
        return float(grid.max())
    return float(max(grid.max(), 1.0 - grid.min()))


def smoothed_targets(smoothing: float, classes: int) -> tuple[float, float]:
    """(low, high): where label smoothing s moves the targets 0 and 1, as Keras' cross-entropy does: y·(1−s) + s/2
    for one sigmoid output (``classes`` 1), y·(1−s) + s/K for K softmax outputs."""
    share = smoothing / (2 if classes == 1 else classes)
    return share, 1.0 - smoothing + share


def confidence_text(value: float) -> str:
    """Three decimals that never round a prediction short of 1 up to 1: 0.930, 0.999, > 0.999, 1.000."""
    if 0.9995 <= value < 1.0:
        return "> 0.999"
    return f"{value:.3f}"


def smoothing_text(smoothing: float, classes: int) -> str:
    """"label smoothing 0.1: targets 0.05 / 0.95" (0 → 0.05, 1 → 0.95; short, under a plot; "" without smoothing)."""
    if not smoothing:
        return ""
    low, high = smoothed_targets(smoothing, classes)
    of = "" if classes == 1 else f" ({classes} classes)"
    return f"label smoothing {smoothing:g}: targets {low:.4g} / {high:.4g}{of}"


def smoothing_tip(smoothing: float, classes: int) -> str:
    """The readout's tooltip: the targets in words, Keras' formula, and why predictions follow them."""
    if not smoothing:
        return ""
    low, high = smoothed_targets(smoothing, classes)
    formula = "y·(1−s) + s/2" if classes == 1 else f"y·(1−s) + s/K, K = {classes}"
    return (f"Label smoothing s = {smoothing:g} moves the training targets 0 and 1 to {low:.4g} and {high:.4g} "
            f"(Keras: {formula}). {LOSS_MINIMUM_TIP}")


class ConfidenceReadout(QWidget):
    """One line under the boundary: "most confident prediction 0.930 · label smoothing 0.1: targets 0.05 / 0.95".
    The number changes every epoch in a label of steady size (a repaint, no layout); the smoothing part only when s
    or the number of classes does."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._smoothing = 0.0
        self._classes: int | None = None  # of the latest grid; None: no classification grid (the readout hides)
        self.confidence = SteadyLabel()
        set_text_colour(self.confidence, HINT_COLOUR)
        self.smoothing = hint_label()
        self.smoothing.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 0, 8, 4)
        row.setSpacing(4)
        row.addWidget(self.confidence, 0, Qt.AlignmentFlag.AlignTop)  # level with the first line of a wrapped rest
        row.addWidget(self.smoothing, 1)
        row.addStretch(0)  # without smoothing, the line stays on the left
        self.setVisible(False)

    def set_label_smoothing(self, smoothing: float) -> None:
        self._smoothing = float(smoothing)
        self._write_smoothing()

    def show_grid(self, grid: np.ndarray | None, classification: bool) -> None:
        """Read the confidence off a snapshot's decision grid (``None`` or a regression grid: nothing to show)."""
        if grid is None or not classification:
            self._classes = None
            self.setVisible(False)
            return
        grid = np.asarray(grid)
        classes = grid.shape[-1] if grid.ndim == 3 else 1
        text = f"most confident prediction {confidence_text(most_confident(grid))}"
        if self.confidence.text() != text:
            self.confidence.setText(text)
        if classes != self._classes:
            self._classes = classes
            self._write_smoothing()
        self.setVisible(True)

    def set_zoom(self, factor: float) -> None:
        font = scaled_font(1.0)
        font.setPointSizeF(TICK_PT * factor)  # as the plot's numbers: a note on the figure, not a heading
        for label in (self.confidence, self.smoothing):
            label.setFont(font)

    def text(self) -> str:
        """The line as shown ("" while hidden)."""
        if self.isHidden():
            return ""
        return " ".join(label.text() for label in (self.confidence, self.smoothing) if not label.isHidden())

    def _write_smoothing(self) -> None:
        text = "" if self._classes is None else smoothing_text(self._smoothing, self._classes)
        self.smoothing.setText(f"· {text}" if text else "")
        self.smoothing.setToolTip("" if self._classes is None else smoothing_tip(self._smoothing, self._classes))
        self.smoothing.setVisible(bool(text))
