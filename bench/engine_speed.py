"""Engine speed: RegLab's one-graph epoch (with a full snapshot every epoch) against model.fit.

Same model and data for all: 2-64-64-1, dropout 0.2 + L2 1e-3 on both hidden layers, toy moons with
500 samples (350 train / 150 validation), batch 32, Adam. Every figure is measured in this run, and
the goals are ratios, so the machine's speed cancels out. Run: `make bench` or
`.venv/bin/python bench/engine_speed.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.data import load_dataset  # noqa: E402
from engine.spec import Experiment, load_experiment  # noqa: E402
from engine.training.trainer import Trainer  # noqa: E402

EPOCHS = 150
LAYER = {"units": 64, "activation": "relu", "dropout": 0.2, "kernel_regularizer": {"l1": 0.0, "l2": 0.001}}
SPEC = {
    "reglab": 1, "name": "bench",
    "data": {"kind": "toy", "name": "moons", "samples": 500, "noise": 0.2, "validation": 0.3, "seed": 0},
    "network": {"hidden": [LAYER, LAYER]},
    "training": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "epochs": EPOCHS, "seed": 0},
}


def epochs_per_second(fn, epochs: int) -> float:
    start = time.perf_counter()
    fn(epochs)
    return epochs / (time.perf_counter() - start)


def trainer_speed(exp: Experiment, epochs: int) -> float:
    """Epochs per second of Trainer.step() with a full snapshot (and the decision grid) every epoch."""
    trainer = Trainer(exp, grid_every=1)
    trainer.step()  # trace once, outside the timing
    start = time.perf_counter()
    for _ in range(epochs):
        trainer.step()
    total = time.perf_counter() - start
    assert trainer.trace_count == 1
    return epochs / total


def main() -> None:
    exp = Experiment.from_dict(SPEC)
    data = load_dataset(exp)
    ours = trainer_speed(exp, EPOCHS)

    trainer = Trainer(exp, data)  # only for its stock Keras twin (same layers, same initial weights)
    model = trainer.stock_model()
    fit_args = {"x": data.x_train, "y": data.y_train, "batch_size": 32, "validation_data": (data.x_val, data.y_val),
                "verbose": 0}
    model.fit(epochs=1, **fit_args)  # warm-up (tracing)
    fit_once = epochs_per_second(lambda n: [model.fit(epochs=1, **fit_args) for _ in range(n)], EPOCHS // 3)
    fit_all = epochs_per_second(lambda n: model.fit(epochs=n, **fit_args), EPOCHS)

    default = load_experiment(Path(__file__).resolve().parents[1] / "resources" / "presets" / "default.json")
    spiral = trainer_speed(default, EPOCHS)

    # Building a snapshot (numpy: unpacking, histograms, norms) against the epoch graph itself.
    snap_trainer = Trainer(exp, data, grid_every=1)
    snap_trainer.step()
    graph = snapshot = 0.0
    for _ in range(EPOCHS):
        snap_trainer.step()
        graph += snap_trainer.last_timing["epoch_graph"]
        snapshot += snap_trainer.last_timing["snapshot"]
    snapshot_ms, graph_ms = snapshot / EPOCHS * 1000, graph / EPOCHS * 1000

    print(f"model: 2-64-64-1, dropout 0.2 + L2 1e-3, {len(data.x_train)} training samples, batch 32, Adam")
    print(f"RegLab trainer, full snapshot + 64x64 grid every epoch: {ours:8.1f} epochs/s ({1000 / ours:.2f} ms/epoch)")
    print(f"model.fit(epochs=1) per epoch, with validation:       {fit_once:8.1f} epochs/s")
    print(f"model.fit(epochs={EPOCHS}) once, with validation:          {fit_all:8.1f} epochs/s")
    print(f"ratio vs fit per epoch: {ours / fit_once:5.1f}x (goal >= 15x)")
    print(f"ratio vs fit(epochs=N): {ours / fit_all:5.1f}x (goal >= 5x)")
    print(f"snapshot building: {snapshot_ms:.3f} ms vs the epoch graph's {graph_ms:.2f} ms "
          f"({snapshot_ms / graph_ms:.0%})")
    print(f"default preset (toy spiral, 2x24, L2 + dropout) with snapshots: {spiral:.0f} epochs/s (goal >= 300)")


if __name__ == "__main__":
    main()
