"""How a layer's weights are drawn, as numbers: the histogram's bars on a log count axis, its comparison curves, and
the heat map's asinh axis and colours. (gui/live/weight_column.py puts them on the screen.)

- The histogram's counts are on a log axis whose floor is EMPTY, so a bar of one weight has a height and an empty
  bin none; bars are orange for negative weights, blue for positive and grey for the bin on 0.
- The Gaussian and the Laplace densities with the weights' own mean and standard deviation (median and mean absolute
  deviation) are scaled to weights per bin.
- The heat map's x axis is u = asinh(w / ASINH_SCALE), |u| ≤ HEAT_REACH; a row's colours are log(1 + count) on a
  scale fixed by the layer's size, from white (no weight) to blue (every weight in one bin).
"""

from __future__ import annotations

import math

import numpy as np

from engine.training.snapshot import ASINH_REACH, ASINH_SCALE
from gui.plotting.palette import BLUE, GREY, INK, ORANGE, PAPER, PURPLE

HISTORY_EPOCHS = 300  # rows of the heat map: the last epochs shown
FIT_POINTS = 200
HEAT_LUT = np.linspace(PAPER, BLUE, 256).round().astype(np.uint8)  # white (no weights) → blue (all of them)
HEAT_REACH = float(np.arcsinh(ASINH_REACH / ASINH_SCALE))  # the heat map's x axis: u = asinh(w / 0.001), |u| ≤ this
HEAT_TICKS = (0.01, 1.0)  # weights labelled on the heat map's axis (and their negatives, and 0)
HEAT_MINOR_TICKS = (0.001, 0.1, 10.0)
EMPTY = math.log10(0.5)  # the count axis' floor: a bar of 1 weight reaches log10(1) = 0, an empty bin none
GAUSSIAN_COLOUR, LAPLACE_COLOUR = INK, PURPLE


def fitted_curves(kernel: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(x, Gaussian, Laplace) over the bins' range, scaled to counts per bin; None if all weights are equal.

    The Gaussian has the weights' mean and standard deviation (the maximum-likelihood fit); the Laplace
    their median and mean absolute deviation from it.
    """
    w = kernel.ravel().astype(np.float64)
    mean, std = w.mean(), w.std()
    median = np.median(w)
    spread = np.abs(w - median).mean()
    if w.size < 2 or std == 0 or spread == 0:
        return None
    x = np.linspace(edges[0], edges[-1], FIT_POINTS)
    scale = w.size * (edges[1] - edges[0])  # density → count per bin
    gaussian = scale * np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))
    laplace = scale * np.exp(-np.abs(x - median) / spread) / (2 * spread)
    return x, gaussian, laplace


def log_heights(counts: np.ndarray) -> np.ndarray:
    """Bar heights above EMPTY on the log count axis: log10(count) − EMPTY, 0 for an empty bin."""
    counts = np.asarray(counts, dtype=float)
    return np.where(counts > 0, np.log10(np.maximum(counts, 1.0)) - EMPTY, 0.0)


def bar_colours(edges: np.ndarray) -> np.ndarray:
    """A colour per bin, by the sign of its centre: ORANGE below 0, GREY on it, BLUE above (bins × 3)."""
    centres = (edges[:-1] + edges[1:]) / 2
    width = edges[1] - edges[0]
    return np.array([GREY if abs(c) < width / 2 else BLUE if c > 0 else ORANGE for c in centres])


def heat_x(weight: float) -> float:
    """A weight's place on the heat map's asinh axis."""
    return float(np.arcsinh(weight / ASINH_SCALE))


def heat_ticks() -> list[list[tuple[float, str]]]:
    """0, ±0.01 and ±1 labelled; ±0.001, ±0.1 and ±10 unlabelled."""
    major = [(0.0, "0")] + [(heat_x(s * w), f"{s * w:g}") for w in HEAT_TICKS for s in (-1, 1)]
    minor = [(heat_x(s * w), "") for w in HEAT_MINOR_TICKS for s in (-1, 1)]
    return [sorted(major), sorted(minor)]


def heat_colours(counts: np.ndarray, weights: int) -> np.ndarray:
    """HEAT_LUT indices for a row of counts: log(1 + count) / log(1 + weights), a scale fixed for the layer, so the
    same count has the same colour in every row and frame."""
    share = np.log1p(np.asarray(counts, dtype=float)) / math.log1p(max(weights, 1))
    return np.clip(share * (len(HEAT_LUT) - 1), 0, len(HEAT_LUT) - 1).round().astype(np.uint8)
