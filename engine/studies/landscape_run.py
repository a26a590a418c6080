"""``reglab landscape``: train an experiment, following two weights, then write the loss landscape around them.

The files: ``landscape.csv`` (``a,b,data_loss,penalty`` over the N×N grid), ``trajectory.csv`` (``epoch,a,b``: the
pair before training, epoch 0, and at the end of every epoch), ``landscape.png`` (see
:mod:`engine.studies.landscape_plot`) and the trained ``model.keras``.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.spec import Experiment, WeightRef, check_weight_refs, kernel_shapes
from engine.training.landscape import DEFAULT_GRID, Landscape, compute_landscape, default_pair, pair_values
from engine.training.trainer import Trainer, TrainingDiverged

FILES = ("landscape.csv", "trajectory.csv", "landscape.png", "model.keras")


@dataclass
class LandscapeRun:
    trainer: Trainer
    landscape: Landscape
    trajectory: np.ndarray  # (epochs + 1, 3): epoch, a, b; epoch 0 is before training
    stopped: str | None = None  # why training ended before its epochs (diverged or interrupted), else None


def check_pair(refs: tuple[WeightRef, WeightRef], exp: Experiment, dataset, where: str) -> None:
    """The pair exists in the network built for this data; else SpecError starting with ``where``."""
    units = [h.units for h in exp.network.hidden]
    check_weight_refs(refs, kernel_shapes(units, dataset.n_features, dataset.n_outputs), where)


def run_landscape(exp: Experiment, dataset, refs: tuple[WeightRef, WeightRef] | None = None,
                  grid: int = DEFAULT_GRID, on_epoch: Callable | None = None) -> LandscapeRun:
    """Train ``exp`` for its epochs; the pair is ``refs``, else the experiment's own (``landscape.weights``), else
    the two largest |w| of the first layer once trained."""
    trainer = Trainer(exp, dataset, grid_every=0)
    refs = refs or (exp.landscape.weights if exp.landscape is not None else None)
    # per epoch from 0 (before training): the pair's layers' kernels, or the first layer's while the pair is unknown
    # (the default pair is chosen once trained)
    kept = sorted({r.layer for r in refs}) if refs else [0]
    kernels = [{i: trainer.net.dense[i].kernel.numpy() for i in kept}]

    def record(snap):
        kernels.append({i: snap.layers[i].kernel for i in kept})
        if on_epoch is not None:
            on_epoch(snap)

    stopped = None
    try:
        trainer.run(on_epoch=record)
    except TrainingDiverged as exc:
        stopped = str(exc)
    except KeyboardInterrupt:
        stopped = f"interrupted after {trainer.epoch} epochs"
    refs = refs or default_pair([layer.kernel.numpy() for layer in trainer.net.dense])
    path = np.array([[epoch, *pair_values(k, refs)] for epoch, k in enumerate(kernels)])
    landscape = compute_landscape(trainer, refs, grid, around=path[:, 1:])
    return LandscapeRun(trainer, landscape, path, stopped)


def write_landscape_csv(landscape: Landscape, path: Path) -> None:
    """One row per grid point: the first weight's value varies fastest (a row of the grid at a time)."""
    aa, bb = np.meshgrid(landscape.a, landscape.b)
    columns = (aa.ravel(), bb.ravel(), landscape.data_loss.ravel(), landscape.penalty.ravel())
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["a", "b", "data_loss", "penalty"])
        writer.writerows([f"{v:.8g}" for v in row] for row in zip(*columns, strict=True))


def write_trajectory_csv(trajectory: np.ndarray, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch", "a", "b"])
        writer.writerows([int(epoch), f"{a:.8g}", f"{b:.8g}"] for epoch, a, b in trajectory)


def write_outputs(run: LandscapeRun, exp: Experiment, out: Path) -> list[Path]:
    """Every file of the run in ``out`` (created if needed); returns their paths."""
    from engine.studies.landscape_plot import plot_landscape

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / name for name in FILES]
    write_landscape_csv(run.landscape, paths[0])
    write_trajectory_csv(run.trajectory, paths[1])
    kernels = [layer.kernel.numpy() for layer in run.trainer.net.dense]
    plot_landscape(run.landscape, run.trajectory, exp, kernels, paths[2])
    run.trainer.save_model(paths[3])
    return paths


def landscape_command(experiment: str, out: str, weights: str | None = None, grid: int = DEFAULT_GRID,
                      epochs: int | None = None, say: Callable[[str], None] = print) -> int:
    """``reglab landscape``: the exit status (0, or 1 when training diverged or was interrupted; the files are then
    written from the last finite weights). Bad input raises SpecError (a flag's error carries its name in
    ``field``) before any training."""
    from engine.data import load_dataset
    from engine.spec import MAX_EPOCHS, LandscapeChoice, SpecError, load_experiment, parse_weight_refs
    from engine.training.landscape import MAX_GRID, MIN_GRID

    exp = load_experiment(experiment)
    refs = parse_weight_refs(weights) if weights is not None else None
    if not MIN_GRID <= grid <= MAX_GRID:
        raise SpecError(f"{grid} is out of range [{MIN_GRID}, {MAX_GRID}] (grid points per axis)", field="grid")
    if epochs is not None:
        if not 1 <= epochs <= MAX_EPOCHS:
            raise SpecError(f"{epochs} is out of range [1, {MAX_EPOCHS}]", field="epochs")
        exp.training.epochs = epochs
    if exp.data.kind == "csv":
        exp.data.path = str(exp.resolved_data_path().resolve())
    dataset = load_dataset(exp)
    if refs is not None:
        check_pair(refs, exp, dataset, "--weights")
        exp.landscape = LandscapeChoice(refs)
    elif exp.landscape is not None:  # the file's pair: checked here, before training (the model does not use it)
        check_pair(exp.landscape.weights, exp, dataset, "landscape.weights")
    run = run_landscape(exp, dataset, grid=grid)
    paths = write_outputs(run, exp, Path(out))
    a, b = run.landscape.refs
    say(f"wrote {', '.join(str(p) for p in paths)}")
    say(f"weights {a.text} = {run.landscape.current[0]:.6g} and {b.text} = {run.landscape.current[1]:.6g} after "
        f"{run.trainer.epoch} epochs (grid ±{run.landscape.reach:g})")
    if run.stopped:
        print(f"reglab: {run.stopped}", file=sys.stderr)
        return 1
    return 0
