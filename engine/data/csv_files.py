"""The user's CSV files: read, checked for missing values, and encoded as numbers (text features one-hot).

Every problem becomes a one-line :class:`~engine.data.tables.DataError` that names the file, the column or the
rows and says how to fix it. :mod:`engine.data.csv_inspect` uses the same rules to preview a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from engine.data.tables import DataError, Table

if TYPE_CHECKING:
    import pandas

MIN_ROWS = 10
MAX_CATEGORIES = 20  # per text feature column
MAX_CLASSES = 100
AUTO_MAX_INTEGER_CLASSES = 10  # an integer target with at most this many values is a classification


def csv_table(path: Path, target: str, task: str | None, drop_missing: bool = False) -> Table:
    """Read a CSV file with a header row; text feature columns become one-hot columns.

    With ``drop_missing`` the rows with an empty (or infinite) value are dropped before anything else.
    """
    frame = read_csv(path)
    file = path.name
    if target not in frame.columns:
        raise DataError(f"{file}: no column named {target!r}; the columns are: {column_list(frame.columns)}")
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

    y, task, classes = encode_target(frame[target], target, task, file)
    features = [c for c in frame.columns if c != target]
    if not features:
        raise DataError(f"{file}: no feature columns besides the target {target!r}; add columns to learn from")
    x, names = _encode_features(frame[features], file)
    return Table(x, y, task, names, classes, target, frame=frame, scale_features=True)


def read_csv(path: Path) -> pandas.DataFrame:
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


def show(value) -> str:
    """A value or column name for a one-line message."""
    text = _label_text(value)
    return text if text.isprintable() else repr(text)


def column_list(columns, limit: int = 30) -> str:
    names = [show(c) for c in columns]
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


def encode_target(column: pandas.Series, name: str, task: str | None, file: str):
    """Return (y, task, class_names); classes are numbered in sorted order of their values."""
    import pandas as pd

    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    values = column.to_numpy()
    if task is None:
        task = detect_task(column)

    if column.nunique() < 2:
        if task == "regression":
            raise DataError(
                f"{file}: target column {name!r} has the same value ({show(values[0])}) in every row; nothing to "
                "learn: pick another target column"
            )
        raise DataError(
            f"{file}: target column {name!r} has only one class ({show(values[0])}); classification needs at "
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
