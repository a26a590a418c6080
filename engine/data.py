"""Data for an experiment: toy sets, scikit-learn's bundled sets and the user's CSV files.

``load_table`` reads the whole data set as a :class:`Table`; ``split_table`` turns it into the
float32 training, validation (and test) arrays of a :class:`Dataset`, standardizing with statistics
from the training rows only; ``load_dataset`` does both with the seeded split of the spec: the test
rows (``data.test``) are held out first, then the other rows are split into training and validation.
Every problem with the data becomes a one-line :class:`DataError` that says how to fix it.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from engine.spec import Data, Experiment, SpecError

if TYPE_CHECKING:
    import pandas

MIN_ROWS = 10
MAX_CATEGORIES = 20  # per text feature column
MAX_CLASSES = 100
AUTO_MAX_INTEGER_CLASSES = 10  # an integer target with at most this many values is a classification
TEST_STREAM = 1  # the test rows' random stream of data.seed (the validation split uses data.seed itself)


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


# --------------------------------------------------------------------------- public functions


def load_table(data: Data, base_dir: str | Path = "") -> Table:
    """Read the data set that ``data`` describes (a relative CSV path is resolved against base_dir)."""
    if data.kind == "toy":
        return _toy_table(data.name, data.samples, data.noise, data.seed)
    if data.kind == "sklearn":
        return _sklearn_table(data.name)
    if data.kind == "csv":
        path = Path(data.path)
        if not path.is_absolute() and base_dir:
            path = Path(base_dir) / path
        return _csv_table(path, data.target, data.task, data.drop_missing)
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


# --------------------------------------------------------------------------- toy sets


def _toy_table(name: str, samples: int, noise: float, seed: int) -> Table:
    """Two-feature sets in the style of TensorFlow Playground (and the 10-feature "tabular" set of the
    tutorials); noise 0 = clean, 1 = heavy overlap."""
    makers = {
        "circle": _circle,
        "xor": _xor,
        "gaussian": _gaussian,
        "spiral": _spiral,
        "moons": _moons,
        "plane": _plane,
        "ripple": _ripple,
        "tabular": _tabular,
    }
    if name not in makers:
        raise DataError(f"data.name: {name!r} is not a toy data set (choose one of {', '.join(makers)})")
    x, y = makers[name](int(samples), float(noise), int(seed))
    regression = name in ("plane", "ripple")
    return Table(
        x=np.asarray(x, dtype=np.float64),
        y=np.asarray(y, dtype=np.float64 if regression else np.int64),
        task="regression" if regression else "binary",
        feature_names=[f"x{i + 1}" for i in range(x.shape[1])],
        class_names=[] if regression else ["0", "1"],
        target_name="y" if regression else "label",
        frame=None,
        scale_features=False,
    )


def _tabular(n, noise, seed):
    """Ten features, five informative, two redundant (the tutorials' generated binary set)."""
    from sklearn.datasets import make_classification

    return make_classification(n_samples=n, n_features=10, n_informative=5, n_redundant=2, flip_y=0.3 * noise,
                               class_sep=1.0, random_state=seed)


def _circle(n, noise, seed):
    from sklearn.datasets import make_circles

    return make_circles(n_samples=n, noise=0.25 * noise, factor=0.5, random_state=seed)


def _moons(n, noise, seed):
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=n, noise=0.5 * noise, random_state=seed)
    return x - [0.5, 0.25], y  # centre the two moons on the origin


def _two_classes(n: int) -> np.ndarray:
    return np.repeat([0, 1], [n // 2, n - n // 2])


def _shuffled(rng, x, y):
    order = rng.permutation(len(y))
    return x[order], y[order]


def _xor(n, noise, seed):
    """Points in the four quadrants; label 1 where x1 and x2 have the same sign."""
    rng = np.random.default_rng(seed)
    y = _two_classes(n)
    signs = rng.choice([-1.0, 1.0], size=n)
    first = signs * rng.uniform(0.05, 1.0, size=n)  # keep a small gap around the axes
    second = np.where(y == 1, 1.0, -1.0) * np.sign(first) * rng.uniform(0.05, 1.0, size=n)
    x = np.column_stack([first, second]) + rng.normal(0.0, 0.4 * noise, size=(n, 2))
    return _shuffled(rng, x, y)


def _gaussian(n, noise, seed):
    """Two round blobs on the diagonal."""
    rng = np.random.default_rng(seed)
    y = _two_classes(n)
    centres = np.where(y[:, None] == 1, 0.6, -0.6)
    x = centres + rng.normal(0.0, 0.1 + 0.8 * noise, size=(n, 2))
    return _shuffled(rng, x, y)


def _spiral(n, noise, seed):
    """Two interleaved spiral arms, 1.75 turns each."""
    rng = np.random.default_rng(seed)
    y = _two_classes(n)
    k = n // 2
    radius = np.concatenate([np.linspace(0.0, 1.0, k), np.linspace(0.0, 1.0, n - k)])
    angle = 1.75 * 2 * np.pi * radius + np.pi * y
    x = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    x += rng.normal(0.0, 0.15 * noise, size=(n, 2))
    return _shuffled(rng, x, y)


def _plane(n, noise, seed):
    """y = (x1 + x2) / 2 plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = 0.5 * (x[:, 0] + x[:, 1]) + rng.normal(0.0, 0.5 * noise, size=n)
    return x, y


def _ripple(n, noise, seed):
    """y = sin(2π·radius) plus noise: rings around the origin."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = np.sin(2 * np.pi * np.hypot(x[:, 0], x[:, 1])) + rng.normal(0.0, 0.5 * noise, size=n)
    return x, y


# --------------------------------------------------------------------------- scikit-learn sets

_SKLEARN_TARGETS = {
    "iris": "species",
    "wine": "cultivar",
    "breast_cancer": "diagnosis",
    "digits": "digit",
    "diabetes": "disease progression",
}


def _sklearn_table(name: str) -> Table:
    """One of scikit-learn's bundled data sets (nothing is downloaded)."""
    if name not in _SKLEARN_TARGETS:
        raise DataError(f"data.name: {name!r} is not a bundled data set (choose one of {', '.join(_SKLEARN_TARGETS)})")
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")()
    x = np.asarray(bunch.data, dtype=np.float64)
    names = [str(f) for f in getattr(bunch, "feature_names", [])] or [f"x{i + 1}" for i in range(x.shape[1])]
    if name == "diabetes":
        task, y, classes = "regression", np.asarray(bunch.target, dtype=np.float64), []
    else:
        classes = [str(c) for c in bunch.target_names]
        task = "binary" if len(classes) == 2 else "multiclass"
        y = np.asarray(bunch.target, dtype=np.int64)
    return Table(x, y, task, names, classes, _SKLEARN_TARGETS[name], frame=None, scale_features=True)


# --------------------------------------------------------------------------- CSV files


def _csv_table(path: Path, target: str, task: str | None, drop_missing: bool = False) -> Table:
    """Read a CSV file with a header row; text feature columns become one-hot columns.

    With ``drop_missing`` the rows with an empty (or infinite) value are dropped before anything else.
    """
    frame = _read_csv(path)
    file = path.name
    if target not in frame.columns:
        raise DataError(f"{file}: no column named {target!r}; the columns are: {_column_list(frame.columns)}")
    if drop_missing:
        frame = drop_missing_rows(frame)
        if len(frame) < MIN_ROWS:
            raise DataError(
                f"{file}: only {len(frame)} data rows left after dropping the rows with missing values; "
                f"RegLab needs at least {MIN_ROWS} (fill the values in instead)"
            )
    if len(frame) < MIN_ROWS:
        raise DataError(f"{file}: only {len(frame)} data rows; RegLab needs at least {MIN_ROWS}: add rows")
    _check_missing(frame, file)

    y, task, classes = _encode_target(frame[target], target, task, file)
    features = [c for c in frame.columns if c != target]
    if not features:
        raise DataError(f"{file}: no feature columns besides the target {target!r}; add columns to learn from")
    x, names = _encode_features(frame[features], file)
    return Table(x, y, task, names, classes, target, frame=frame, scale_features=True)


def _read_csv(path: Path) -> pandas.DataFrame:
    import pandas as pd

    if not path.exists():
        raise DataError(f"{path}: no such file; check data.path (a relative path starts at the experiment's folder)")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a CSV file; check data.path")
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in head:
        raise DataError(f"{path.name}: looks like a binary file, not a CSV; export the data as CSV (comma-separated)")
    if not head.strip():
        raise DataError(f"{path.name}: the file is empty; it needs a header row and at least {MIN_ROWS} data rows")
    try:
        try:
            frame = pd.read_csv(path, encoding="utf-8-sig")
        except UnicodeDecodeError:  # e.g. a spreadsheet's "CSV" in a Windows code page
            frame = pd.read_csv(path, encoding="latin-1")
    except pd.errors.EmptyDataError:
        raise DataError(
            f"{path.name}: the file is empty; it needs a header row and at least {MIN_ROWS} data rows"
        ) from None
    except (ValueError, OSError) as exc:  # ParserError is a ValueError
        detail = " ".join(str(exc).split())[:200]
        raise DataError(f"{path.name}: not a readable CSV file ({detail}); save it as comma-separated CSV") from None
    if len(frame) == 0:
        raise DataError(f"{path.name}: has a header row but no data rows")
    return frame


def _show(value) -> str:
    """A value or column name for a one-line message."""
    text = _label_text(value)
    return text if text.isprintable() else repr(text)


def _column_list(columns, limit: int = 30) -> str:
    names = [_show(c) for c in columns]
    more = f", … ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _row_numbers(mask) -> tuple[int, str]:
    """How many rows are marked and the first few as spreadsheet row numbers (the header is row 1)."""
    positions = np.flatnonzero(np.asarray(mask))
    shown = ", ".join(str(p + 2) for p in positions[:5])
    return len(positions), shown + (", …" if len(positions) > 5 else "")


def missing_mask(frame: pandas.DataFrame) -> pandas.DataFrame:
    """True where a value is missing: empty, or infinite in a number column (the engine can use neither)."""
    import pandas as pd

    mask = frame.isna()
    for col in frame.columns:
        if pd.api.types.is_float_dtype(frame[col]):
            mask[col] = mask[col] | ~np.isfinite(frame[col].to_numpy(dtype=np.float64))
    return mask


def drop_missing_rows(frame: pandas.DataFrame) -> pandas.DataFrame:
    """The rows without a missing value (see :func:`missing_mask`), renumbered from 0."""
    keep = ~missing_mask(frame).any(axis=1).to_numpy()
    return frame[keep].reset_index(drop=True)


def missing_values(frame: pandas.DataFrame) -> list[tuple[str, str, int, str]]:
    """(column, "empty" | "infinite", count, first row numbers) for each column with missing values."""
    import pandas as pd

    found = []
    for col in frame.columns:
        column = frame[col]
        count, rows = _row_numbers(column.isna())
        if count:
            found.append((col, "empty", count, rows))
        elif pd.api.types.is_float_dtype(column):
            count, rows = _row_numbers(~np.isfinite(column.to_numpy(dtype=np.float64)))
            if count:
                found.append((col, "infinite", count, rows))
    return found


def _check_missing(frame: pandas.DataFrame, file: str) -> None:
    problems = [f"{col!r} ({count} {kind}, row {rows})" for col, kind, count, rows in missing_values(frame)]
    if problems:
        raise DataError(
            f"{file}: missing values in column {'; '.join(problems)}; "
            "fill them in, delete those rows or set data.drop_missing to true to drop them "
            "(row numbers count the header as row 1)"
        )


def detect_task(column: pandas.Series) -> str:
    """The task "auto" means: classification when the target is text (or true/false) or has at most
    AUTO_MAX_INTEGER_CLASSES distinct whole numbers, regression otherwise. Missing values are ignored."""
    import pandas as pd

    column = column.dropna()
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    with np.errstate(invalid="ignore"):  # inf % 1 is nan: not whole (the missing-value rules report the inf)
        whole = numeric and bool(np.all(np.mod(column.to_numpy().astype(np.float64), 1) == 0))
    few = column.nunique() <= AUTO_MAX_INTEGER_CLASSES
    return "classification" if not numeric or (whole and few) else "regression"


def _encode_target(column: pandas.Series, name: str, task: str | None, file: str):
    """Return (y, task, class_names); classes are numbered in sorted order of their values."""
    import pandas as pd

    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    values = column.to_numpy()
    if task is None:
        task = detect_task(column)

    if column.nunique() < 2:
        if task == "regression":
            raise DataError(
                f"{file}: target column {name!r} has the same value ({_show(values[0])}) in every row; nothing to "
                "learn: pick another target column"
            )
        raise DataError(
            f"{file}: target column {name!r} has only one class ({_show(values[0])}); classification needs at "
                "least two: pick another target column"
        )

    if task == "regression":
        if not numeric:
            kind = "true/false" if pd.api.types.is_bool_dtype(column) else "text"
            raise DataError(
                f"{file}: target column {name!r} has {kind} values; regression needs numbers "
                "(set the task to classification)"
            )
        return values.astype(np.float64), "regression", []

    labels, y = np.unique(values, return_inverse=True)
    if len(labels) > MAX_CLASSES:
        raise DataError(
            f"{file}: target column {name!r} has {len(labels)} different values, too many classes "
            f"(at most {MAX_CLASSES}); set the task to regression or pick another column"
        )
    classes = [_label_text(v) for v in labels]
    return y.astype(np.int64).reshape(-1), "binary" if len(classes) == 2 else "multiclass", classes


def _label_text(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _encode_features(frame: pandas.DataFrame, file: str) -> tuple[np.ndarray, list[str]]:
    """Numbers stay, true/false becomes 0/1, text becomes one 0/1 column per value (named column=value)."""
    import pandas as pd

    parts, names = [], []
    for col in frame.columns:
        column = frame[col]
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            parts.append(column.to_numpy(dtype=np.float64).reshape(-1, 1))
            names.append(str(col))
            continue
        text = column.astype(str)
        problem = text_feature_problem(text, col)
        if problem:
            raise DataError(f"{file}: {problem}")
        dummies = pd.get_dummies(text, prefix=str(col), prefix_sep="=", dtype=np.float64)
        parts.append(dummies.to_numpy(dtype=np.float64))
        names.extend(str(c) for c in dummies.columns)
    return np.hstack(parts), names


def text_feature_problem(column: pandas.Series, name) -> str | None:
    """Why a text feature column cannot be one-hot encoded (too many different values), or None."""
    import pandas as pd

    text = column.astype(str)
    n_values = text.nunique()
    if n_values <= MAX_CATEGORIES:
        return None
    hint = ""
    as_numbers = pd.to_numeric(text, errors="coerce")
    if as_numbers.notna().mean() >= 0.5:
        _, rows = _row_numbers(as_numbers.isna())
        hint = f" (most are numbers: check the text in row {rows})"
    return (f"text column {name!r} has {n_values} different values, at most {MAX_CATEGORIES} allowed"
            f"{hint}; remove the column or group its values")


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
