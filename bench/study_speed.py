"""Study speed: a 16-training sweep on one worker against two, measured in the same run.

The sweep: the default preset (toy spiral, 2×24 relu, L2 + dropout) at 100 epochs, dropout of both hidden layers
over 8 values × 2 seeds = 16 trainings. Three measurements:

1. As a command-line user runs it: ``main.py sweep … --jobs 1`` and ``--jobs 2``, wall clock from start to exit
   (each a fresh process: --jobs 1 imports TensorFlow in the process, --jobs 2 in its two workers at once).
2. As the window runs it with its pool already warm: the same sweep in this process (TensorFlow loaded) against a
   ProcessRunner(2) whose workers have started.
3. The per-worker start-up cost: the time each worker takes to import TensorFlow, and the pool's start to ready.

From (2) and (3) it prints how much training a study must hold before a pool started for it pays on this machine.
Goal (issue #18): ≥ 1.5× for --jobs 2 over --jobs 1 on a 2-core machine.

Run: `make bench` or `.venv/bin/python bench/study_speed.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.spec import load_experiment  # noqa: E402
from engine.studies.process_pool import ProcessRunner  # noqa: E402
from engine.studies.sweep import run_sweep  # noqa: E402

PRESET = ROOT / "resources" / "presets" / "default.json"
FIELD = "network.hidden[*].dropout"
VALUES = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
SEEDS = 2
EPOCHS = 100
GOAL = 1.5


def command_seconds(exp_file: Path, jobs: int, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "main.py"), "sweep", str(exp_file), "--param", FIELD, "--values",
                    ",".join(f"{v:g}" for v in VALUES), "--seeds", str(SEEDS), "--jobs", str(jobs), "--out",
                    str(out)], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    exp = load_experiment(PRESET)
    exp.training.epochs = EPOCHS
    trainings = len(VALUES) * SEEDS
    print(f"{trainings}-training sweep ({len(VALUES)} values × {SEEDS} seeds, {EPOCHS} epochs each) on "
          f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        exp_file = Path(tmp) / "sweep.json"
        exp_file.write_text(json.dumps(exp.to_dict()), encoding="utf-8")
        one = command_seconds(exp_file, 1, Path(tmp) / "one")
        two = command_seconds(exp_file, 2, Path(tmp) / "two")
        same = (Path(tmp) / "one" / "sweep.csv").read_text() == (Path(tmp) / "two" / "sweep.csv").read_text()
    print(f"command line: --jobs 1 {one:.1f} s, --jobs 2 {two:.1f} s: {one / two:.2f}× "
          f"({'meets' if one / two >= GOAL else 'MISSES'} the goal ≥ {GOAL}×); same sweep.csv: {same}")

    start = time.perf_counter()
    serial_rows = run_sweep(exp, FIELD, VALUES[:1], 1)  # TensorFlow loaded and the first trace done
    warm_up = time.perf_counter() - start
    start = time.perf_counter()
    serial_rows = run_sweep(exp, FIELD, VALUES, SEEDS)
    serial = time.perf_counter() - start
    runner = ProcessRunner(2)
    start = time.perf_counter()
    imports = runner.wait_ready()
    pool_start = time.perf_counter() - start
    try:
        start = time.perf_counter()
        pool_rows = run_sweep(exp, FIELD, VALUES, SEEDS, runner=runner)
        pooled = time.perf_counter() - start
    finally:
        runner.close()
    per_training = serial / trainings
    print(f"warm (the window's pool): one worker {serial:.1f} s ({per_training:.2f} s a training), two "
          f"{pooled:.1f} s: {serial / pooled:.2f}×; same rows: {serial_rows == pool_rows}")
    print(f"per-worker start-up: TensorFlow import {', '.join(f'{s:.2f}' for s in imports)} s; the pool of two "
          f"ready in {pool_start:.2f} s (this process's own first training and trace: {warm_up:.2f} s)")
    # A pool started for the study pays once the time it saves, half the training time with two workers,
    # exceeds its start-up: n · t / 2 > pool start.
    pays = 2 * pool_start / per_training
    print(f"a pool started for one study pays from ≈ {pays:.0f} trainings like these "
          f"(≈ {2 * pool_start:.0f} s of one-worker training); a warm pool pays from 2")


if __name__ == "__main__":
    main()
