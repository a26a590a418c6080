"""Writes resources/samples/tabular_with_noise.csv: a 10-feature binary data set whose noise features are known by
name (lesson 19, "feature selection by L1"). Run it again only to change the data set:

    .venv/bin/python tools/make_noise_features.py

Four columns carry the signal, ``signal_1`` … ``signal_4``, each drawn from N(0, 1); the label is 1 when
``signal_1 + signal_2 − signal_3 + signal_4`` is above 0, then each label is flipped with probability LABEL_FLIPS
(56 of the 1000 are), so no feature predicts it perfectly. Six columns, ``noise_1`` … ``noise_6``, are drawn from
N(0, 1) too, independently of everything else: they carry no information about the label. The columns are
interleaved (see COLUMNS), so the picture of which inputs a network uses does not follow their order. A fixed seed
makes the file the same on every run.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "resources" / "samples" / "tabular_with_noise.csv"
ROWS = 1000
SEED = 17
LABEL_FLIPS = 0.05  # the probability that a label is flipped
SIGNAL_WEIGHTS = {"signal_1": 1.0, "signal_2": 1.0, "signal_3": -1.0, "signal_4": 1.0}
NOISE = [f"noise_{i}" for i in range(1, 7)]
COLUMNS = ["signal_1", "noise_1", "noise_2", "signal_2", "noise_3", "signal_3", "noise_4", "noise_5", "signal_4",
           "noise_6"]


def noise_feature_rows(rows: int = ROWS, seed: int = SEED) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The feature columns (name → values, rounded to 4 decimals as written) and the 0/1 labels."""
    rng = np.random.default_rng(seed)
    columns = {name: np.round(rng.standard_normal(rows), 4) for name in [*SIGNAL_WEIGHTS, *NOISE]}
    score = sum(weight * columns[name] for name, weight in SIGNAL_WEIGHTS.items())
    label = (score > 0).astype(int)
    flipped = rng.random(rows) < LABEL_FLIPS
    return columns, np.where(flipped, 1 - label, label)


def write(path: Path = OUT, rows: int = ROWS, seed: int = SEED) -> None:
    columns, label = noise_feature_rows(rows, seed)
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow([*COLUMNS, "label"])
        for r in range(rows):
            out.writerow([f"{columns[name][r]:.4f}" for name in COLUMNS] + [int(label[r])])


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
