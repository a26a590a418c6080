"""From the spec to arrays: the data set read, its test rows held out, the rest split into training and
validation rows, and everything scaled with statistics from the training rows only."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np

from engine.data.bundled import sklearn_table, toy_table
from engine.data.csv_files import csv_table
from engine.data.tables import DataError, Dataset, Table
from engine.spec import Data, Experiment, label_smoothing_error

TEST_STREAM = 1  # the test rows' random stream of data.seed (the validation split uses data.seed itself)


def load_table(data: Data, base_dir: str | Path = "") -> Table:
    """Read the data set that ``data`` describes (a relative CSV path is resolved against base_dir)."""
    if data.kind == "toy":
        return toy_table(data.name, data.samples, data.noise, data.seed)
    if data.kind == "sklearn":
        return sklearn_table(data.name)
    if data.kind == "csv":
        path = Path(data.path)
        if not path.is_absolute() and base_dir:
            path = Path(base_dir) / path
        return csv_table(path, data.target, data.task, data.drop_missing)
    raise DataError(f"data.kind: {data.kind!r} is not one of toy, sklearn, csv")


def split_table(table: Table, train_index, val_index, test_index=()) -> Dataset:
    """Split rows into training, validation and test rows; fit the scaler on the training rows only."""
    train_index = np.asarray(train_index, dtype=np.int64)
    val_index = np.asarray(val_index, dtype=np.int64)
    test_index = np.asarray(test_index, dtype=np.int64)
    x_train, x_val, x_test = table.x[train_index], table.x[val_index], table.x[test_index]
    d = table.x.shape[1]
    feature_mean, feature_std = np.zeros(d), np.ones(d)
    target_mean, target_std = 0.0, 1.0
    y = table.y.astype(np.float64)

    with np.errstate(all="ignore"), warnings.catch_warnings():  # huge values: caught by _check_finite
        warnings.simplefilter("ignore", RuntimeWarning)
        if table.scale_features:
            from sklearn.preprocessing import StandardScaler

            scaler = StandardScaler().fit(x_train)
            x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
            if len(test_index):
                x_test = scaler.transform(x_test)
            feature_mean, feature_std = scaler.mean_, scaler.scale_
            if table.task == "regression":
                target_mean = float(np.mean(y[train_index]))
                target_std = float(np.std(y[train_index])) or 1.0
                y = (y - target_mean) / target_std
        x_train, x_val, x_test = x_train.astype(np.float32), x_val.astype(np.float32), x_test.astype(np.float32)
        if table.task == "multiclass":
            y_out = np.eye(len(table.class_names), dtype=np.float32)[table.y]
        else:
            y_out = y.astype(np.float32).reshape(-1, 1)
    ds = Dataset(
        x_train=x_train,
        y_train=y_out[train_index],
        x_val=x_val,
        y_val=y_out[val_index],
        task=table.task,
        feature_names=list(table.feature_names),
        class_names=list(table.class_names),
        target_name=table.target_name,
        train_index=train_index,
        val_index=val_index,
        feature_mean=np.asarray(feature_mean, dtype=np.float64),
        feature_std=np.asarray(feature_std, dtype=np.float64),
        target_mean=target_mean,
        target_std=target_std,
        x_test=x_test,
        y_test=y_out[test_index],
        test_index=test_index,
    )
    _check_finite(ds)
    return ds


def load_dataset(exp: Experiment) -> Dataset:
    """Load the experiment's data, hold out its test rows, and split the rest with its validation fraction."""
    data = exp.data
    table = load_table(data, exp.base_dir)
    if exp.training.label_smoothing and table.task == "regression":  # a CSV's task is known only now
        raise label_smoothing_error(exp.training.label_smoothing)
    n = len(table.y)
    if n < 2:
        raise DataError(f"only {n} row(s): need at least 2 to split into training and validation")
    rest, test_index = hold_out_test_rows(table, data)
    # The validation fraction counts all rows, as without test rows; each part keeps at least one row.
    n_val = min(max(math.ceil(data.validation * n), 1), len(rest) - 1)
    train, val = split_rows(len(rest), n_val, data.seed, _stratify(table.y[rest], table.task, n_val))
    return split_table(table, np.sort(rest[train]), np.sort(rest[val]), test_index)


def hold_out_test_rows(table: Table, data: Data) -> tuple[np.ndarray, np.ndarray]:
    """(other rows, test rows), both sorted: ⌈data.test · n⌉ rows held out before anything else.

    With data.test 0 there are no test rows and the other rows are 0..n-1: the training/validation split is the
    one of a data set without a test fraction. The test rows come from their own random stream of data.seed, so
    which rows they are does not echo the validation split drawn after them. Classes keep their shares (as in
    the validation split) when every class can give a row to both sides.
    """
    n = len(table.y)
    n_test = math.ceil(round(data.test * n, 9))  # round: 0.3 · 100 is 30.000000000000004 in floating point
    if n_test == 0:
        return np.arange(n), np.zeros(0, np.int64)
    rest, test = split_rows(n, n_test, (data.seed, TEST_STREAM), _stratify(table.y, table.task, n_test))
    return np.sort(rest), np.sort(test)


def without_test_rows(table: Table, data: Data) -> Table:
    """``table`` with its test rows (see :func:`hold_out_test_rows`) removed, in the same order."""
    rest, test = hold_out_test_rows(table, data)
    if not len(test):
        return table
    frame = None if table.frame is None else table.frame.iloc[rest].reset_index(drop=True)
    return Table(table.x[rest], table.y[rest], table.task, list(table.feature_names), list(table.class_names),
                 table.target_name, frame=frame, scale_features=table.scale_features)


def _stratify(labels: np.ndarray, task: str, n_held: int) -> np.ndarray | None:
    """The labels to stratify a split holding out ``n_held`` rows by, or None (regression, or a class too small)."""
    if task == "regression":
        return None
    counts = np.bincount(labels)
    if counts.min() >= 2 and n_held >= len(counts) and len(labels) - n_held >= len(counts):
        return labels
    return None


def split_rows(n: int, n_val: int, seed: int | tuple[int, ...],
               labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A seeded random split of rows 0..n-1 into training and validation (``n_val`` rows).

    With ``labels`` it is stratified: each class keeps its share in both parts (largest-remainder
    rounding, at least one row of each class on each side). Plain numpy, so a toy experiment starts
    without importing scikit-learn (≈0.9 s).
    """
    rng = np.random.default_rng(seed)
    if labels is None:
        order = rng.permutation(n)
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    classes = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    exact = np.array([len(rows) * n_val / n for rows in classes])
    take = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - take))[: n_val - take.sum()]:
        take[i] += 1
    take = np.clip(take, 1, [len(rows) - 1 for rows in classes])
    val = np.concatenate([rng.permutation(rows)[:k] for rows, k in zip(classes, take, strict=True)])
    train = np.setdiff1d(np.arange(n), val)
    return train, np.sort(val)


def _check_finite(ds: Dataset) -> None:
    """Values so large that standardizing overflows float32 make training useless: say which columns."""
    bad = np.zeros(ds.n_features, bool)
    for x in (ds.x_train, ds.x_val, ds.x_test):
        bad |= ~np.isfinite(x).all(axis=0)
    bad |= ~np.isfinite(ds.feature_mean) | ~np.isfinite(ds.feature_std)
    if bad.any():
        columns = ", ".join(repr(n) for n, b in zip(ds.feature_names, bad, strict=True) if b)
        raise DataError(f"feature column {columns}: values too large to standardize; rescale them (e.g. divide)")
    if not (np.isfinite(ds.y_train).all() and np.isfinite(ds.y_val).all() and np.isfinite(ds.y_test).all()):
        raise DataError(f"target column {ds.target_name!r}: values too large to standardize; rescale them")
    if not (math.isfinite(ds.target_mean) and math.isfinite(ds.target_std)):
        raise DataError(f"target column {ds.target_name!r}: values too large to standardize; rescale them")
