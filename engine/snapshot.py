"""What one epoch looks like, as plain numpy and floats: everything the window draws.

No TensorFlow objects live here, so a snapshot can cross threads and be kept as long as needed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np

HISTOGRAM_BINS = 41  # odd, so one bin is centred on zero (where L1 piles weights up)
NEAR_ZERO = 1e-3  # |w| below this counts as "near zero"
GRID_SIZE = 64  # decision grid resolution for 2-D data

LOSS_COLUMNS = ("epoch", "loss", "data_loss", "penalty", "train_eval_loss", "val_loss")


def histogram_edges(initial_kernel: np.ndarray, bins: int = HISTOGRAM_BINS) -> np.ndarray:
    """Bin edges fixed for a whole run: symmetric, wide enough for weights to grow 4× from init (≥ ±2)."""
    reach = max(2.0, 4.0 * float(np.max(np.abs(initial_kernel))) if initial_kernel.size else 2.0)
    return np.linspace(-reach, reach, bins + 1)


def weight_histogram(kernel: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per bin; weights beyond the range are counted in the outermost bins."""
    clipped = np.clip(kernel.ravel(), edges[0], edges[-1])
    counts, _ = np.histogram(clipped, bins=edges)
    return counts


@dataclass
class LayerSnapshot:
    name: str
    kernel: np.ndarray  # (inputs, units)
    bias: np.ndarray  # (units,)
    histogram: np.ndarray  # counts of kernel weights per bin
    histogram_edges: np.ndarray  # fixed for the run
    l1_norm: float  # Σ|w| over the kernel
    l2_norm: float  # sqrt(Σw²) over the kernel (the penalty uses Σw², the square of this)
    near_zero: float  # fraction of kernel weights with |w| < 1e-3
    kernel_penalty: float = 0.0  # epoch means, as added to the loss
    bias_penalty: float = 0.0
    activity_penalty: float = 0.0
    dropout_rate: float = 0.0  # of the dropout after this layer (0 for the output layer)
    dropped: np.ndarray | None = None  # bool per unit: dropped for the first example of the last step

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
        return row
