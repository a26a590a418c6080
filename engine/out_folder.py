"""Where a command writes when ``--out`` is not given: ``runs/<the experiment file's name><suffix>``."""

from __future__ import annotations

import re
from pathlib import Path


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "run"


def default_out(args, suffix: str = "") -> Path:
    """``--out`` if given, else runs/<experiment file name><suffix> (``-cv``, ``-sweep``, ``-path``)."""
    return Path(args.out) if args.out else Path("runs") / f"{slug(Path(args.experiment).stem)}{suffix}"
