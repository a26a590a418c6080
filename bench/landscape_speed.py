"""Loss landscape speed: a 41 × 41 landscape of the default preset against one of its epochs, in the same run.

The default preset (toy spiral, 2×24 relu, L2 + dropout) trains 30 epochs with a snapshot and decision grid every
epoch, as in the window; then the landscape of its default pair (the two largest first-layer weights) is timed, the
median of 20 after the first call (which traces the graph, timed apart), against the median epoch. For scale, the
same landscape by one model evaluation per grid point (set the two weights, evaluate: what the graph replaces) is
timed on one row of the grid and multiplied out. Goal (issue #17): ≤ 50 ms, in one graph call.

Run: `make bench` or `.venv/bin/python bench/landscape_speed.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.spec import load_experiment  # noqa: E402
from engine.training import landscape  # noqa: E402
from engine.training.trainer import Trainer  # noqa: E402

PRESET = Path(__file__).resolve().parents[1] / "resources" / "presets" / "default.json"
TRAINED_EPOCHS = 30
REPEATS = 20
GOAL_MS = 50.0


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def one_model_call_per_point(trainer: Trainer, refs, values) -> None:
    """The slow way, for one row of the grid: set the pair, evaluate the network on the training rows."""
    saved = trainer.weights_now()
    kernel = trainer.net.dense[refs[0].layer].kernel
    d = trainer.data
    for a in values:
        w = kernel.numpy()
        w[refs[0].row, refs[0].column] = a
        kernel.assign(w)
        trainer.batch_losses(d.x_train, d.y_train, training=False)
    trainer.put_weights(saved)


def main() -> None:
    trainer = Trainer(load_experiment(PRESET), grid_every=1)
    trainer.run(TRAINED_EPOCHS)
    refs = landscape.default_pair([layer.kernel.numpy() for layer in trainer.net.dense])
    start = time.perf_counter()
    first = landscape.compute_landscape(trainer, refs)
    trace_ms = (time.perf_counter() - start) * 1000
    grid = len(first.a)
    calls = landscape._graph_for(trainer, refs)
    points_per_call = landscape.CHUNK_FLOATS // (len(trainer.data.x_train) * calls.widest)
    land_ms = median_seconds(lambda: landscape.compute_landscape(trainer, refs), REPEATS) * 1000
    epoch_ms = median_seconds(trainer.step, 50) * 1000
    slow_row_ms = median_seconds(lambda: one_model_call_per_point(trainer, refs, first.a), 3) * 1000

    print(f"default preset after {TRAINED_EPOCHS} epochs, pair {refs[0].text},{refs[1].text}, "
          f"{len(trainer.data.x_train)} training rows")
    print(f"landscape {grid}x{grid}: {land_ms:6.1f} ms (median of {REPEATS}; goal <= {GOAL_MS:g} ms) "
          f"in {-(-grid * grid // points_per_call)} graph call(s); the first call, tracing: {trace_ms:.0f} ms")
    print(f"one epoch (with snapshot and decision grid): {epoch_ms:6.2f} ms; landscape / epoch = "
          f"{land_ms / epoch_ms:.1f}")
    print(f"one model evaluation per grid point: {slow_row_ms * grid:8.0f} ms for the grid "
          f"({slow_row_ms * grid / land_ms:.0f}x the graph)")


if __name__ == "__main__":
    main()
