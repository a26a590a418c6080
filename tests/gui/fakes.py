"""Snapshots and data sets made with numpy alone, shaped like the engine's, for testing views without TensorFlow."""

from __future__ import annotations

import numpy as np

from engine.data import Dataset
from engine.spec import Experiment
from engine.training.snapshot import (
    GRID_SIZE,
    LayerSnapshot,
    Snapshot,
    asinh_histogram,
    histogram_edges,
    weight_histogram,
)

DEFAULT = {
    "reglab": 1, "name": "Spiral: L2 + dropout",
    "data": {"kind": "toy", "name": "spiral", "samples": 200, "noise": 0.15, "validation": 0.3, "seed": 0},
    "network": {"input_dropout": 0.0, "hidden": [
        {"units": 8, "activation": "relu", "dropout": 0.0, "kernel_regularizer": {"l1": 0.0, "l2": 0.001}},
        {"units": 6, "activation": "tanh", "dropout": 0.5, "kernel_regularizer": {"l1": 0.001, "l2": 0.0}}]},
    "training": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "epochs": 100, "seed": 0},
}


def experiment(**changes) -> Experiment:
    exp = Experiment.from_dict(DEFAULT)
    for key, value in changes.items():
        setattr(exp, key, value)
    return exp


def dataset(n_features: int = 2, n: int = 100, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_features)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)[:, None]
    cut = int(n * 0.7)
    return Dataset(x_train=x[:cut], y_train=y[:cut], x_val=x[cut:], y_val=y[cut:], task="binary",
                   feature_names=[f"x{i + 1}" for i in range(n_features)], class_names=["0", "1"], target_name="label",
                   train_index=np.arange(cut), val_index=np.arange(cut, n), feature_mean=np.zeros(n_features),
                   feature_std=np.ones(n_features))


def snapshot(exp: Experiment, epoch: int = 1, n_features: int = 2, n_outputs: int = 1, seed: int = 0) -> Snapshot:
    """A plausible snapshot for ``exp``'s network: random weights shrinking with the epoch, random masks."""
    rng = np.random.default_rng(seed * 1000 + epoch)
    sizes = [n_features] + [h.units for h in exp.network.hidden] + [n_outputs]
    layers = []
    for i in range(len(sizes) - 1):
        kernel = (rng.normal(size=(sizes[i], sizes[i + 1])) / (1 + 0.05 * epoch)).astype(np.float32)
        hidden = i < len(exp.network.hidden)
        rate = exp.network.hidden[i].dropout if hidden else 0.0
        edges = histogram_edges(np.ones(1) * 0.5)
        layers.append(LayerSnapshot(
            name=f"hidden_{i + 1}" if hidden else "output", kernel=kernel, bias=np.zeros(sizes[i + 1], np.float32),
            histogram=weight_histogram(kernel, edges), histogram_edges=edges, asinh_histogram=asinh_histogram(kernel),
            l1_norm=float(np.abs(kernel).sum()), l2_norm=float(np.sqrt((kernel ** 2).sum())),
            near_zero=float(np.mean(np.abs(kernel) < 1e-3)), kernel_penalty=0.01 if hidden else 0.0,
            dropout_rate=rate, dropped=(rng.random(sizes[i + 1]) < rate) if hidden else None,
        ))
    yy, xx = np.mgrid[0:GRID_SIZE, 0:GRID_SIZE] / (GRID_SIZE - 1)
    grid = (1 / (1 + np.exp(-8 * (xx - 0.5 + 0.1 * np.sin(epoch + 6 * yy))))).astype(np.float32)
    loss = 0.7 / (1 + 0.1 * epoch)
    return Snapshot(
        epoch=epoch, loss=loss + 0.02, data_loss=loss, penalty=0.02, train_eval_loss=loss * 0.9,
        val_loss=loss * 1.1 + 0.001 * epoch, metric_name="accuracy", metric=min(0.99, 0.5 + 0.01 * epoch),
        val_metric=min(0.95, 0.5 + 0.008 * epoch), train_eval_metric=min(0.99, 0.5 + 0.011 * epoch),
        learning_rate=exp.training.learning_rate, layers=layers, input_dropout_rate=exp.network.input_dropout,
        input_dropped=rng.random(n_features) < exp.network.input_dropout,
        decision_grid=grid if n_features == 2 else None,
        grid_extent=(-2.0, 2.0, -2.0, 2.0) if n_features == 2 else None,
    )


def history(exp: Experiment, epochs: int) -> list[dict]:
    return [snapshot(exp, e).metrics_row() for e in range(1, epochs + 1)]
