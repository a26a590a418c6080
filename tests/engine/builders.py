"""Small builders for engine tests: datasets from arrays and experiments from a few fields."""

import numpy as np

from engine.data import Dataset
from engine.spec import Experiment


def make_dataset(x_train, y_train, x_val, y_val, task="binary") -> Dataset:
    x_train, x_val = np.asarray(x_train, np.float32), np.asarray(x_val, np.float32)
    y_train, y_val = np.asarray(y_train, np.float32), np.asarray(y_val, np.float32)
    if y_train.ndim == 1:
        y_train, y_val = y_train[:, None], y_val[:, None]
    d = x_train.shape[1]
    return Dataset(
        x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val, task=task,
        feature_names=[f"x{i + 1}" for i in range(d)], class_names=["0", "1"] if task == "binary" else [],
        target_name="y", train_index=np.arange(len(x_train)), val_index=np.arange(len(x_val)) + len(x_train),
        feature_mean=np.zeros(d), feature_std=np.ones(d),
    )


def experiment(hidden=None, **training) -> Experiment:
    spec = {"reglab": 1, "name": "test", "data": {"kind": "toy", "name": "xor", "samples": 300},
            "network": {"input_dropout": 0.0, "hidden": hidden if hidden is not None else [{"units": 8}]},
            "training": {"learning_rate": 0.01, "batch_size": 32, "epochs": 20, **training}}
    return Experiment.from_dict(spec)
