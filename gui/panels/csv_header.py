"""The column names of a CSV file, read from its header line alone (the first 64 KB at most), named as pandas will
name them; a file whose header cannot be used raises :class:`CsvHeaderError` with a message naming the file and what
to do."""

from __future__ import annotations

import csv
import io
from pathlib import Path

HEADER_BYTES = 65536


class CsvHeaderError(ValueError):
    """A file whose header line cannot be used; the message names the file and what to do."""


def read_csv_header(path: str | Path) -> list[str]:
    """The column names of a CSV file, as pandas will name them; reads at most the first 64 KB."""
    path = Path(path)
    name = path.name or str(path)
    if path.is_dir():
        raise CsvHeaderError(f"{name}: is a folder, not a CSV file")
    try:
        with open(path, "rb") as f:
            head = f.read(HEADER_BYTES)
    except OSError as exc:
        raise CsvHeaderError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in head:
        raise CsvHeaderError(f"{name}: looks like a binary file, not a CSV; export the data as CSV (comma-separated)")
    if not head.strip():
        raise CsvHeaderError(f"{name}: the file is empty; it needs a header row of column names and data rows")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:  # a spreadsheet's "CSV" in a Windows code page, as the engine also accepts
        text = head.decode("latin-1")
    if len(head) == HEADER_BYTES and not any(c in text for c in "\r\n"):
        raise CsvHeaderError(f"{name}: the first line is longer than 64 KB; is this really a CSV file?")
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        raise CsvHeaderError(f"{name}: not a readable CSV file ({exc})") from None
    if len(header) < 2:
        raise CsvHeaderError(
            f"{name}: the header has {len(header)} column; a CSV needs feature columns and a target column, "
            "separated by commas"
        )
    return _pandas_names(header)


def _pandas_names(header: list[str]) -> list[str]:
    """Name columns as ``pandas.read_csv`` does: "Unnamed: i" for a blank, "a.1" for a repeated "a" (skipping
    names the header already uses; named columns are numbered before unnamed ones)."""
    names = [raw if raw != "" else f"Unnamed: {i}" for i, raw in enumerate(header)]
    unnamed = [i for i, raw in enumerate(header) if raw == ""]
    counts: dict[str, int] = {}
    for i in [i for i in range(len(names)) if header[i] != ""] + unnamed:
        col = old = names[i]
        count = counts.get(col, 0)
        while count > 0:
            counts[old] = count + 1
            col = f"{old}.{count}"
            count = count + 1 if col in names else counts.get(col, 0)
        names[i] = col
        counts[col] = count + 1
    return names
