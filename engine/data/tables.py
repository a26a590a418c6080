"""The shapes of data in RegLab: a whole data set as read (:class:`Table`), and the split, scaled arrays that
training uses (:class:`Dataset`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from engine.spec import SpecError

if TYPE_CHECKING:
    import pandas


class DataError(SpecError):
    """Data that cannot be used; the message names the column, rows or file and how to fix it."""


@dataclass
class Table:
    """The whole data set, before splitting and scaling."""

    x: np.ndarray  # float64 (n, d)
    y: np.ndarray  # int64 labels 0..C-1 (classification) or float64 (regression), shape (n,)
    task: str  # "binary" | "multiclass" | "regression"
    feature_names: list[str]
    class_names: list[str]
    target_name: str
    frame: pandas.DataFrame | None = None  # CSV only: the rows as read
    scale_features: bool = True

    @property
    def n_classes(self) -> int:
        return len(self.class_names) if self.task == "multiclass" else 1


@dataclass
class Dataset:
    """What the trainer consumes: float32 arrays, y shaped for the output layer."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    task: str
    feature_names: list[str]
    class_names: list[str]
    target_name: str
    train_index: np.ndarray
    val_index: np.ndarray
    feature_mean: np.ndarray
    feature_std: np.ndarray
    target_mean: float = 0.0
    target_std: float = 1.0
    #: the test rows (data.test), scaled like the others; nothing trains, scales, validates or chooses with
    #: them. None → no test rows (empty arrays of the right widths).
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    test_index: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        if self.x_test is None:
            self.x_test = np.zeros((0, self.x_train.shape[1]), np.float32)
        if self.y_test is None:
            self.y_test = np.zeros((0, self.y_train.shape[1]), np.float32)

    @property
    def n_features(self) -> int:
        return self.x_train.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.y_train.shape[1]
