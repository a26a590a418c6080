"""One colour-blind-safe palette (Okabe–Ito blue/orange) used everywhere.

Blue means positive weights and class 1; orange means negative weights and class 0. The decision
boundary fades from orange through white to blue. Change a colour here and every view follows.
"""

from __future__ import annotations

import numpy as np

BLUE = (0, 114, 178)  # positive weight, class 1
ORANGE = (230, 159, 0)  # negative weight, class 0
VERMILLION = (213, 94, 0)  # warnings, divergence, the penalty share
GREEN = (0, 158, 115)  # validation curves
PURPLE = (204, 121, 167)
SKY = (86, 180, 233)
GREY = (150, 150, 150)  # switched-off (dropped) neurons
INK = (30, 30, 30)  # text and outlines
PAPER = (255, 255, 255)

#: distinct colours for curves and classes beyond two, in order
SERIES = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, (240, 228, 66), INK]

#: curve colours by metric name, used by the loss view and the formula panel alike
CURVE = {
    "loss": INK,
    "data_loss": BLUE,
    "penalty": VERMILLION,
    "train_eval_loss": SKY,
    "val_loss": GREEN,
    "generalization_gap": PURPLE,
}


def weight_colour(w: float) -> tuple[int, int, int]:
    return BLUE if w >= 0 else ORANGE


def class_colour(label: int) -> tuple[int, int, int]:
    return [ORANGE, BLUE, *SERIES[2:]][label % len(SERIES)]


def diverging_lut(n: int = 256) -> np.ndarray:
    """Orange → white → blue lookup table (n × 3, uint8) for values 0 … 1 (e.g. P(class 1))."""
    t = np.linspace(-1.0, 1.0, n)[:, None]
    orange, white, blue = np.array(ORANGE, float), np.array(PAPER, float), np.array(BLUE, float)
    lut = np.where(t < 0, white + (orange - white) * (-t), white + (blue - white) * t)
    return lut.round().astype(np.uint8)
