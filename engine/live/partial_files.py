"""Where the engine writes a model before moving it into place: a kill mid-write leaves this file, never a
half-written model at the path the user chose (the window removes it: engine/live/engine_link.py)."""

from __future__ import annotations

from pathlib import Path


def partial_save_path(path: str | Path, pid: int) -> Path:
    """The file engine process ``pid`` writes before moving it to ``path``: hidden, beside it, still ``.keras``
    (Keras chooses the format by the suffix)."""
    path = Path(path)
    return path.with_name(f".{path.stem}.partial-{pid}.keras")
