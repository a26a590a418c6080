"""Writes resources/samples/strong_and_weak_feature.csv: two independent features, one strong and one weak, and a
numeric target (lesson 17, "why L1 gives zeros"). Run it again only to change the data set:

    .venv/bin/python tools/make_strong_and_weak_feature.py

``strong`` and ``weak`` are drawn from N(0, 1), independently; the target is
``y = strong + WEAK_WEIGHT · weak + NOISE · N(0, 1)``: the weak feature carries a little information, not none.
A fixed seed makes the file the same on every run.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "resources" / "samples" / "strong_and_weak_feature.csv"
ROWS = 500
SEED = 5
WEAK_WEIGHT = 0.03
NOISE = 0.1


def rows(count: int = ROWS, seed: int = SEED) -> np.ndarray:
    """(count, 3): strong, weak, y, rounded to 4 decimals as written."""
    rng = np.random.default_rng(seed)
    strong, weak, noise = rng.standard_normal((3, count))
    y = strong + WEAK_WEIGHT * weak + NOISE * noise
    return np.round(np.column_stack([strong, weak, y]), 4)


def main() -> None:
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["strong", "weak", "y"])
        writer.writerows([f"{v:.4f}" for v in row] for row in rows())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
