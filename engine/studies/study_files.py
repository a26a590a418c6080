"""A study as CSV files, from what the window holds of it (its :class:`~engine.studies.study.StudyProgress`).

``NAME.csv`` has the study's table: a row per compared variant, per fold, per sweep run or per path value, with the
columns the panel shows (and the command line's files use). ``NAME-curves.csv`` has every run's metrics per epoch,
one row per run and epoch: ``run`` (its label), then the columns of ``metrics.csv``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from engine.studies.study import StudyProgress


def write_study_csv(progress: StudyProgress, path: str | Path) -> list[Path]:
    """Write ``path`` (the table) and ``<path stem>-curves.csv`` beside it; return both paths. A column a row lacks
    (a value only some rows have, e.g. ``diverged_epoch``) is left empty."""
    table = Path(path)
    curves = table.with_name(f"{table.stem}-curves.csv")
    _write_rows(table, [dict(row) for row in progress.table])
    _write_rows(curves, [{"run": curve.label, **row} for curve in progress.curves for row in curve.rows])
    return [table, curves]


def _write_rows(path: Path, rows: list[dict]) -> None:
    columns: dict[str, None] = {}  # the first row's order, then any new key as it first appears
    for row in rows:
        columns.update(dict.fromkeys(row))
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), restval="")
        writer.writeheader()
        writer.writerows(rows)
