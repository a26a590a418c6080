"""Look at a CSV file before training: its columns and their types, the first rows, and every problem.

``inspect_csv`` reads the file once (pandas, imported lazily) and applies the same rules as
``engine.data.csv_files`` — the same reader, minimum row count, task detection, target encoding, category cap
and missing-value rules — so what the preview dialog calls fine is what the engine loads, and what it
calls an error is what the engine would refuse. It never raises for a bad file: each problem is a
``(severity, message)`` pair, severity "error" (the file cannot be used like this) or "warning".
Pure Python and pandas: no Qt, no TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.data.csv_files import (
    MAX_CATEGORIES,
    MIN_ROWS,
    column_list,
    detect_task,
    drop_missing_rows,
    encode_target,
    missing_mask,
    missing_values,
    read_csv,
    show,
    text_feature_problem,
)
from engine.data.tables import DataError

if TYPE_CHECKING:
    import pandas

__all__ = ["MAX_CATEGORIES", "MIN_ROWS", "ColumnInfo", "CsvReport", "inspect_csv", "inspect_frame", "read_frame"]

COLUMN_KINDS = ("number", "integer", "text", "empty")
DROP_OPTION = 'choose "drop rows with missing values"'


@dataclass
class ColumnInfo:
    name: str
    kind: str  # "number" | "integer" | "text" | "empty"
    missing: int  # empty (or infinite) values
    distinct: int  # different values, missing ones not counted


@dataclass
class CsvReport:
    """What ``inspect_csv`` found; ``problems`` is empty for a file that trains as it is."""

    path: str
    columns: list[ColumnInfo] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)  # the first rows, every value as text ("" = missing)
    n_rows: int = 0  # data rows in the file (the header not counted)
    n_columns: int = 0
    suggested_target: str | None = None  # the last column
    target: str | None = None  # the target the report is about (the one asked for, else the suggestion)
    detected_task: str | None = None  # "classification" | "regression": what "auto" means for this target
    task: str | None = None  # the task that would be used: the one asked for, else the detected one
    classes: list[str] = field(default_factory=list)  # classification: the class names, sorted
    n_inputs: int = 0  # network inputs after one-hot encoding the text columns
    drop_missing: bool = False
    rows_with_missing: int = 0
    rows_used: int = 0  # rows left for training (after dropping rows with missing values)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (severity "error"|"warning", message)
    frame: Any = field(default=None, repr=False, compare=False)  # the rows as read (pandas), for re-inspection

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def errors(self) -> list[str]:
        return [message for severity, message in self.problems if severity == "error"]

    @property
    def warnings(self) -> list[str]:
        return [message for severity, message in self.problems if severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when nothing blocks training (warnings allowed)."""
        return not self.errors


def read_frame(path: str | Path) -> pandas.DataFrame:
    """Read the CSV file as the engine does; a file that cannot be used raises DataError (one line)."""
    return read_csv(Path(path))


def inspect_csv(
    path: str | Path,
    target: str | None = None,
    task: str | None = None,
    preview_rows: int = 20,
    drop_missing: bool = False,
) -> CsvReport:
    """Read ``path`` and report on it for training ``target`` (default: the last column) with ``task``
    ("classification", "regression" or None = auto). Never raises for a bad file."""
    try:
        frame = read_frame(path)
    except DataError as exc:
        return CsvReport(path=str(path), problems=[("error", _without_file(str(exc), Path(path).name))])
    return inspect_frame(frame, path, target, task, preview_rows, drop_missing)


def inspect_frame(
    frame: pandas.DataFrame,
    path: str | Path,
    target: str | None = None,
    task: str | None = None,
    preview_rows: int = 20,
    drop_missing: bool = False,
) -> CsvReport:
    """:func:`inspect_csv` on rows already read by :func:`read_frame` (cheap: a new target or task does not re-read)."""
    if task not in (None, "classification", "regression"):
        raise ValueError(f"task: {task!r} is not classification, regression or None")
    file = Path(path).name
    names = [str(c) for c in frame.columns]
    report = CsvReport(path=str(path), frame=frame, n_rows=len(frame), n_columns=len(names),
                       drop_missing=drop_missing)
    report.columns = [_column_info(frame[c], str(c)) for c in frame.columns]
    report.preview = _preview(frame, preview_rows, [c.kind for c in report.columns])
    report.suggested_target = names[-1] if names else None
    report.target = target if target is not None else report.suggested_target
    problems = report.problems

    def error(message: str) -> None:
        problems.append(("error", message))

    def warning(message: str) -> None:
        problems.append(("warning", message))

    columns = list(frame.columns)
    target_col = next((c for c in columns if str(c) == report.target), None)
    if target_col is None:
        error(f"no column named {report.target!r}; pick the target from: {column_list(columns)}")

    # Missing values: per column, with what to do.
    empty = [c for c, info in zip(columns, report.columns, strict=True) if info.kind == "empty"]
    for col in empty:
        error(f"column {show(col)!r} has no values at all; delete the column from the file")
    mask = missing_mask(frame)
    report.rows_with_missing = int(mask.any(axis=1).sum())
    for col, kind, count, rows in missing_values(frame):
        if col in empty:
            continue
        values = "value" if count == 1 else "values"
        where = f"column {show(col)!r}: {count} {kind} {values} (row {rows})"
        if drop_missing:
            warning(f"{where}; those rows are dropped")
        else:
            error(f"{where}; fill {'it' if count == 1 else 'them'} in or {DROP_OPTION}")
    used = drop_missing_rows(frame) if drop_missing and not empty else frame
    report.rows_used = len(used)

    if len(used) < MIN_ROWS:
        if drop_missing and report.rows_with_missing and not empty:
            error(f"only {len(used)} data rows left after dropping the {report.rows_with_missing} with missing "
                  f"values; RegLab needs at least {MIN_ROWS}: fill the values in instead")
        else:
            error(f"only {len(frame)} data rows; RegLab needs at least {MIN_ROWS}: add rows")
    elif drop_missing and report.rows_with_missing:
        warning(f"{report.rows_with_missing} of {len(frame)} rows have missing values and are dropped; "
                f"{len(used)} rows are used")

    # The target: its task and classes, by the engine's own rules.
    if target_col is not None:
        column = used[target_col].dropna()
        if len(column):
            report.detected_task = detect_task(column)
            report.task = task or report.detected_task
            try:
                _, encoded, classes = encode_target(column, target_col, report.task, file)
                report.classes = list(classes)
                if encoded != "regression" and len(used) >= MIN_ROWS:
                    counts = column.astype(str).value_counts()
                    if counts.min() < 2:
                        warning(f"target column {show(target_col)!r}: class {show(counts.idxmin())!r} "
                                "has a single row; it cannot be in both training and validation")
            except DataError as exc:
                error(_without_file(str(exc), file))

    # The features: numbers as they are, text one-hot with a cap on the categories.
    features = [c for c in columns if c is not target_col]
    if target_col is not None and not features:
        error(f"no feature columns besides the target {show(target_col)!r}; add columns to learn from")
    for col, info in zip(columns, report.columns, strict=True):
        if col is target_col or info.kind == "empty":
            continue
        if info.kind != "text":
            report.n_inputs += 1
            continue
        problem = text_feature_problem(used[col].dropna(), col)
        if problem:
            error(problem)
        else:
            n_values = used[col].dropna().astype(str).nunique()
            report.n_inputs += n_values
            warning(f"text column {show(col)!r}: one-hot encoded into {n_values} input columns "
                    "(one per value)")
    return report


# --------------------------------------------------------------------------- helpers


def _column_info(column: pandas.Series, name: str) -> ColumnInfo:
    import pandas as pd

    values = column.dropna()
    missing = len(column) - len(values)
    if pd.api.types.is_float_dtype(column):
        finite = np.isfinite(values.to_numpy(dtype=np.float64))
        missing += int((~finite).sum())
        values = values[finite]
    if len(values) == 0:
        kind = "empty"
    elif pd.api.types.is_bool_dtype(column):
        kind = "integer"  # true/false: 0/1 as a feature, two classes as a target
    elif pd.api.types.is_numeric_dtype(column):
        whole = bool(np.all(np.mod(values.to_numpy(dtype=np.float64), 1) == 0))
        kind = "integer" if whole else "number"
    else:
        kind = "text"
    return ColumnInfo(name=name, kind=kind, missing=missing, distinct=int(values.nunique()))


def _preview(frame: pandas.DataFrame, rows: int, kinds: list[str]) -> list[list[str]]:
    """The first rows as text: "" for a missing value, whole numbers without ".0" in integer columns."""
    import pandas as pd

    def text(value, kind: str) -> str:
        if pd.isna(value):
            return ""
        if kind == "integer" and isinstance(value, (float, np.floating)) and float(value).is_integer():
            return str(int(value))
        return str(value)

    head = frame.head(max(int(rows), 0))
    return [[text(v, k) for v, k in zip(row, kinds, strict=True)] for row in head.itertuples(index=False, name=None)]


def _without_file(message: str, file: str) -> str:
    """The engine's messages start with the file name; the preview shows the file already."""
    prefix = f"{file}: "
    return message[len(prefix):] if message.startswith(prefix) else message
