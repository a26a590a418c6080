"""The regularization family's cost: epochs per second of the default preset with each mechanism switched on.

Every figure is measured in this run, in a fresh process per measurement (TensorFlow's thread pools and caches
start equal), and the figures are ratios against the default preset measured in the same run, so the machine's
speed cancels out. With ``--against REF`` (a git commit, e.g. the one before the family was added) the default
preset is also measured on that commit's code, from a temporary ``git worktree``, alternating with this tree's, so
"mechanisms off costs nothing" is checked in the same run too (goal: within 5 %).

Run: `make bench` or `.venv/bin/python bench/family_cost.py [--against c4dcc2f] [--rounds 3]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EPOCHS = 150

#: what each mechanism sets on the default preset (2×24 relu, L2 5e-4 on both, dropout 0.2 on the second, spiral)
MECHANISMS = {
    "weight decay 1e-3": {"training.weight_decay": 1e-3},
    "label smoothing 0.1": {"training.label_smoothing": 0.1},
    "max-norm c = 3 (both layers)": {"network.hidden[*].max_norm": 3.0},
    "noise σ 0.1 (both layers)": {"network.hidden[*].noise": 0.1},
    "input noise σ 0.1": {"network.input_noise": 0.1},
    "batch norm (both layers)": {"network.hidden[*].batch_norm": True},
    "output L2 1e-3": {"network.output.kernel_regularizer.l2": 1e-3},
}
GAUSSIAN = "Gaussian dropout (style)"

#: run in a fresh interpreter with the tree to measure first on sys.path; prints epochs/s
MEASURE = """
import json, sys, time
sys.path.insert(0, {tree!r})
from engine.spec import Experiment, set_path
from engine.training.trainer import Trainer
exp = Experiment.from_dict(json.loads({spec!r}))
for path, value in json.loads({changes!r}).items():
    exp = set_path(exp, path, value)
style = {style!r}
if style:
    exp.network.dropout_style = style
trainer = Trainer(exp, grid_every=1)
trainer.step()  # trace once, outside the timing
start = time.perf_counter()
for _ in range({epochs}):
    trainer.step()
print({epochs} / (time.perf_counter() - start))
"""


def measure(tree: Path, changes: dict | None = None, style: str = "") -> float:
    spec = (ROOT / "resources" / "presets" / "default.json").read_text(encoding="utf-8")
    code = MEASURE.format(tree=str(tree), spec=spec, changes=json.dumps(changes or {}), style=style, epochs=EPOCHS)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return float(out.stdout.strip().splitlines()[-1])


def median_of(rounds: int, fn) -> float:
    return statistics.median(fn() for _ in range(rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="a git commit whose default-preset speed this tree's is compared with")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per figure (the median is reported)")
    args = parser.parse_args()

    if args.against:
        with tempfile.TemporaryDirectory() as tmp:
            old = Path(tmp) / "tree"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.against],
                           check=True, capture_output=True)
            try:
                pairs = [(measure(old), measure(ROOT)) for _ in range(args.rounds)]  # alternating
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=True)
        before = statistics.median(p[0] for p in pairs)
        after = statistics.median(p[1] for p in pairs)
        print(f"default preset, mechanisms off: {after:.0f} epochs/s here vs {before:.0f} at {args.against} "
              f"({after / before - 1:+.1%}; goal within -5 %)")

    base = median_of(args.rounds, lambda: measure(ROOT))
    print(f"default preset (toy spiral, 2x24, L2 + dropout 0.2), snapshot + grid every epoch: {base:.0f} epochs/s")
    print(f"{'mechanism added':32} {'epochs/s':>9} {'cost per epoch':>15}")
    rows = [(name, median_of(args.rounds, lambda c=changes: measure(ROOT, c))) for name, changes in MECHANISMS.items()]
    rows.append((GAUSSIAN, median_of(args.rounds, lambda: measure(ROOT, style="gaussian"))))
    every = {k: v for changes in MECHANISMS.values() for k, v in changes.items()}
    rows.append(("all of them", median_of(args.rounds, lambda: measure(ROOT, every, "gaussian"))))
    for name, speed in rows:
        print(f"{name:32} {speed:9.0f} {base / speed - 1:+14.0%}")


if __name__ == "__main__":
    main()
