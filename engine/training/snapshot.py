"""What one epoch looks like, as plain numpy and floats: everything the window draws.

No TensorFlow objects live here, so a snapshot can cross threads and be kept as long as needed.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np

HISTOGRAM_BINS = 41  # odd, so one bin is centred on zero (where L1 piles weights up)
NEAR_ZERO = 1e-3  # |w| below this counts as "near zero"
GRID_SIZE = 64  # decision grid resolution for 2-D data

# The histogram's bins span ±R, R a step of the 1-2-5 ladder (…, 0.1, 0.2, 0.5, 1, 2, …) at least max |w|: every
# weight is inside, and R only changes by whole steps. R grows at once; it shrinks only after the weights have fitted
# in a smaller step for SHRINK_AFTER epochs in a row, so an animation is not re-binned every epoch.
SMALLEST_REACH = NEAR_ZERO  # R never gets narrower than the band that counts as near zero
LOWEST_STEP = -9  # ladder(-9) = 0.001 = SMALLEST_REACH
SHRINK_AFTER = 20  # epochs

# The heat map's bins are fixed for ever, on an asinh weight axis u = asinh(w / ASINH_SCALE): linear for
# |w| ≪ 0.001, logarithmic for |w| ≫ 0.001 (≈ 7 bins a decade), so 0.001 and 1 are both resolved and rows of any
# epoch (or run) compare bin for bin.
ASINH_SCALE = NEAR_ZERO
ASINH_REACH = 10.0  # |w| beyond this is counted in the outermost bins
ASINH_BINS = 61  # odd, so one bin is centred on zero
ASINH_EDGES = ASINH_SCALE * np.sinh(np.linspace(-1, 1, ASINH_BINS + 1) * np.arcsinh(ASINH_REACH / ASINH_SCALE))

LOSS_COLUMNS = ("epoch", "loss", "data_loss", "penalty", "train_eval_loss", "val_loss")


def ladder(k: int) -> float:
    """Step ``k`` of the 1-2-5 ladder: 0 → 1, 1 → 2, 2 → 5, 3 → 10, −1 → 0.5, −3 → 0.1."""
    return float(f"{(1, 2, 5)[k % 3]}e{k // 3}")  # decimal, so step −3 is the float nearest 0.1


def ladder_index(value: float) -> int:
    """The lowest step of the ladder ≥ ``value`` and ≥ SMALLEST_REACH: 0.13 → 0.2, 0.2 → 0.2, 3 → 5."""
    value = max(float(value), SMALLEST_REACH)
    k = 3 * math.floor(math.log10(value))
    while ladder(k) < value:
        k += 1
    return k


def symmetric_edges(reach: float, bins: int = HISTOGRAM_BINS) -> np.ndarray:
    return np.linspace(-reach, reach, bins + 1)


def histogram_edges(kernel: np.ndarray, bins: int = HISTOGRAM_BINS) -> np.ndarray:
    """Bins for ``kernel`` alone: ±R, R the smallest 1-2-5 step holding every weight."""
    largest = float(np.max(np.abs(kernel))) if kernel.size else 0.0
    return symmetric_edges(ladder(ladder_index(largest)), bins)


def weight_histogram(kernel: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per bin; weights beyond the range are counted in the outermost bins."""
    return counts_between(np.sort(kernel, axis=None).astype(np.float64), edges)


def asinh_histogram(kernel: np.ndarray) -> np.ndarray:
    """Counts over ASINH_EDGES (the heat map's fixed bins)."""
    return counts_between(np.sort(kernel, axis=None).astype(np.float64), ASINH_EDGES)


def counts_between(sorted_weights: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per bin of sorted weights, bin k holding edges[k] ≤ w < edges[k + 1]; the first bin also holds
    everything below, the last everything from its left edge up (one binary search per edge, no pass over the
    weights: a kernel sorted once serves both histograms)."""
    below = np.concatenate(((0,), np.searchsorted(sorted_weights, edges[1:-1]), (sorted_weights.size,)))
    return below[1:] - below[:-1]  # (np.diff with prepend and append takes 20 µs more, most of a small layer's cost)


class WeightBins:
    """One layer's histogram bins over a run: ±R on the 1-2-5 ladder, following the weights (see SHRINK_AFTER)."""

    def __init__(self, kernel: np.ndarray, bins: int = HISTOGRAM_BINS) -> None:
        self.bins = bins
        largest = float(np.max(np.abs(kernel))) if kernel.size else 0.0
        self._set(ladder_index(largest))

    def follow(self, largest: float) -> np.ndarray:
        """The bins for an epoch whose largest |w| is ``largest`` (the same array while R stays)."""
        if largest > self.reach:
            return self._set(ladder_index(largest))
        if self.step == LOWEST_STEP or largest > ladder(self.step - 1):
            self._fitting, self._largest = 0, 0.0
            return self.edges
        self._fitting += 1
        self._largest = max(self._largest, largest)
        if self._fitting >= SHRINK_AFTER:
            return self._set(ladder_index(self._largest))
        return self.edges

    def histograms(self, kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(counts over this epoch's bins, those bins' edges, counts over ASINH_EDGES) for ``kernel``."""
        ordered = np.sort(kernel, axis=None).astype(np.float64)  # float64 once, not per searchsorted with the edges
        largest = max(-float(ordered[0]), float(ordered[-1])) if ordered.size else 0.0
        edges = self.follow(largest)
        return counts_between(ordered, edges), edges, counts_between(ordered, ASINH_EDGES)

    def _set(self, step: int) -> np.ndarray:
        self.step = step
        self.reach = ladder(step)
        self.edges = symmetric_edges(self.reach, self.bins)
        self._fitting = 0  # epochs in a row the weights have fitted in the step below R
        self._largest = 0.0  # the largest |w| over those epochs
        return self.edges


@dataclass
class LayerSnapshot:
    name: str
    kernel: np.ndarray  # (inputs, units)
    bias: np.ndarray  # (units,)
    histogram: np.ndarray  # counts of kernel weights per bin of histogram_edges
    histogram_edges: np.ndarray  # ±R, following the weights (WeightBins)
    asinh_histogram: np.ndarray  # counts of kernel weights per bin of ASINH_EDGES (fixed for ever)
    l1_norm: float  # Σ|w| over the kernel
    l2_norm: float  # sqrt(Σw²) over the kernel (the penalty uses Σw², the square of this)
    near_zero: float  # fraction of kernel weights with |w| < 1e-3
    kernel_penalty: float = 0.0  # epoch means, as added to the loss
    bias_penalty: float = 0.0
    activity_penalty: float = 0.0
    dropout_rate: float = 0.0  # of the dropout after this layer (0 for the output layer)
    dropped: np.ndarray | None = None  # bool per unit: dropped for the first example of the last step
    #: Gaussian dropout: per unit, the factor it multiplied the first example of the last step by (none is dropped)
    dropout_factors: np.ndarray | None = None
    unit_norms: np.ndarray | None = None  # per unit, ‖W[:, j]‖: its incoming weight vector's length
    max_norm: float | None = None  # c of the layer's max-norm constraint (None: none)

    @property
    def penalty(self) -> float:
        return self.kernel_penalty + self.bias_penalty + self.activity_penalty


@dataclass
class Snapshot:
    epoch: int  # epochs completed (1 after the first)
    loss: float  # mean over the epoch's batches of data_loss + penalty, as Keras logs it
    data_loss: float
    penalty: float
    train_eval_loss: float  # data loss on the whole training set at epoch end, dropout off
    val_loss: float  # data loss on the validation set at epoch end, dropout off, no penalty
    metric_name: str  # "accuracy" or "rmse"
    metric: float  # running over the epoch's batches (dropout on), as Keras logs it
    val_metric: float
    train_eval_metric: float  # on the whole training set at epoch end, dropout off
    learning_rate: float
    layers: list[LayerSnapshot] = field(default_factory=list)  # hidden layers, then the output layer
    input_dropout_rate: float = 0.0
    input_dropped: np.ndarray | None = None
    input_dropout_factors: np.ndarray | None = None  # Gaussian dropout's factors on the inputs (see LayerSnapshot)
    decision_grid: np.ndarray | None = None  # (64, 64) or (64, 64, classes); rows = y, columns = x
    grid_extent: tuple[float, float, float, float] | None = None  # x_min, x_max, y_min, y_max
    seconds: float = 0.0  # wall time of the epoch (training + evaluation)

    @property
    def generalization_gap(self) -> float:
        return self.val_loss - self.train_eval_loss

    def metrics_row(self) -> dict:
        """One row of metrics.csv: the loss columns, the metric columns, then extras."""
        m = self.metric_name
        row = {
            "epoch": self.epoch,
            "loss": self.loss,
            "data_loss": self.data_loss,
            "penalty": self.penalty,
            "train_eval_loss": self.train_eval_loss,
            "val_loss": self.val_loss,
            m: self.metric,
            f"val_{m}": self.val_metric,
            f"train_eval_{m}": self.train_eval_metric,
            "generalization_gap": self.generalization_gap,
            "learning_rate": self.learning_rate,
        }
        for layer in self.layers:  # the same key strings in every row (a long run keeps thousands of rows)
            row[sys.intern(f"{layer.name}_penalty")] = layer.penalty
            row[sys.intern(f"{layer.name}_near_zero")] = layer.near_zero
            if layer.unit_norms is not None:  # the largest ‖W[:, j]‖: what a max-norm c bounds
                row[sys.intern(f"{layer.name}_max_unit_norm")] = float(layer.unit_norms.max(initial=0.0))
        return row
