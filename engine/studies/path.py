"""The regularization path: every kernel weight of the network against λ (or any other field), glmnet style.

The study trains the experiment once for each value of one field (× training seeds, as a sweep does: the runs are
engine.studies.sweep's cells), or with ``folds`` K, K times per value and seed (one fresh model per fold, split and
trained as engine.studies.crossval does). Each run ends with its final kernels — every Dense layer's, hidden layers
then the output layer — and its scores, all of the final weights with dropout off:

- ``train_<metric>`` / ``train_loss``: the rows the run trained on;
- ``val_<metric>`` / ``val_loss``: the validation rows, or with K-fold the held-out fold.

Per value the runs are summarized (:class:`PathPoint`): the fraction of kernel weights with |w| < NEAR_ZERO (0.001),
Σ|w| and Σw² over the kernels (λ times each is the L1 or L2 penalty Keras adds for them), and the scores' mean and
standard deviation over the runs. The picture (engine.studies.path_plot) draws, per value, the weights of its first
run: the experiment's own training seed (and fold 1 with K-fold), a network that really trained.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.spec import MAX_FOLDS, MIN_FOLDS, Experiment, SpecError, set_path
from engine.studies.progress import Report, RunCurves, ShouldStop, StudyProgress
from engine.studies.sweep import check_seeds, prediction_metric
from engine.training.snapshot import NEAR_ZERO

OnEpoch = Callable[[float, int, int, dict], None]  # (value, seed, fold, metrics row); fold 0 without K-fold
SCORES = ("train_{}", "val_{}", "train_loss", "val_loss")
#: lines a picture draws at most (one per kernel weight): beyond it, every k-th weight (see drawn_weights)
MAX_DRAWN_WEIGHTS = 1000


@dataclass
class PathRun:
    """One trained network of the path."""

    value: float
    seed: int  # its training seed
    fold: int  # 1…K with K-fold; 0: trained on the experiment's own training rows
    kernels: list[np.ndarray]  # every Dense layer's kernel at the end of training: hidden layers, then the output
    scores: dict[str, float]  # train_<metric>, val_<metric>, train_loss, val_loss (see the module's docstring)
    metric: str = "accuracy"  # or "rmse"

    @property
    def final_val_loss(self) -> float:  # what engine.studies.sweep.best_value ranks runs by
        return self.scores["val_loss"]


@dataclass
class PathPoint:
    """One value of the path, summarized over its runs (seeds × folds)."""

    value: float
    runs: int
    near_zero_fraction: float  # mean over the runs of the fraction of kernel weights with |w| < NEAR_ZERO
    l1: float  # mean over the runs of Σ|w| over every kernel
    l2: float  # mean over the runs of Σw² over every kernel
    metric: str
    mean: dict[str, float] = field(default_factory=dict)  # the runs' mean of each score
    std: dict[str, float] = field(default_factory=dict)  # their standard deviation (numpy's, ddof 0; 0 for one run)

    def row(self) -> dict:
        """The summary CSV's row (and the window's table row): value, near_zero_fraction, l1, l2, then each score and
        its ``_std``, then the number of runs they summarize (the issue's column order, extras last)."""
        scores = {}
        for name in score_names(self.metric):
            scores[name], scores[f"{name}_std"] = self.mean[name], self.std[name]
        return {"value": self.value, "near_zero_fraction": self.near_zero_fraction, "l1": self.l1, "l2": self.l2,
                **scores, "runs": self.runs}


def score_names(metric: str) -> list[str]:
    return [name.format(metric) for name in SCORES]


# ---------------------------------------------------------------------------- training


def check_path(exp: Experiment, path: str, values: list[float], folds: int, seeds: int) -> list[Experiment]:
    """Every value's variant of ``exp``, checked (with folds and seeds) before anything trains."""
    check_seeds(seeds)
    if folds and not MIN_FOLDS <= folds <= MAX_FOLDS:
        raise SpecError(f"{folds} is out of range [{MIN_FOLDS}, {MAX_FOLDS}]", field="folds")
    return [set_path(exp, path, v) for v in values]


def run_path(exp: Experiment, path: str, values: list[float], folds: int = 0, seeds: int = 1,
             on_run: Callable[[PathRun], None] | None = None, on_epoch: OnEpoch | None = None,
             should_stop: ShouldStop | None = None, runner=None) -> list[PathRun]:
    """Train ``exp`` for every value of the field at ``path`` × seed (training seeds exp.training.seed, +1, …),
    with ``folds`` K ≥ 2 K times each (0: once, on the experiment's own training rows).

    ``on_epoch(value, seed, fold, metrics row)`` is called after every epoch, ``on_run`` after every run (in the
    order value, seed, fold, whichever finished first); ``should_stop`` is checked between epochs (True raises
    InterruptedError). A value whose training diverges raises SpecError naming it. The runs train on ``runner``
    (engine/studies/runner.py; default: here, one after another)."""
    variants = check_path(exp, path, values, folds, seeds)
    from engine.studies.runner import Job, SerialRunner

    keys: list[tuple[float, int, int]] = []  # (value, seed, fold) of each job
    jobs: list[Job] = []
    for value, variant in zip(values, variants, strict=True):
        for s in range(seeds):
            seed = exp.training.seed + s
            if not folds:
                run = variant.copy()
                run.training.seed = seed
                keys.append((value, seed, 0))
                jobs.append(Job(train_path_run, (run, exp, value, path)))
            for k in range(1, folds + 1):
                keys.append((value, seed, k))
                jobs.append(Job(train_path_fold, (variant, value, seed, folds, k, path)))
    runs: list[PathRun] = []

    def finished(_i: int, run: PathRun) -> None:
        runs.append(run)
        if on_run is not None:
            on_run(run)

    def each_epoch(i: int, row: dict) -> None:
        on_epoch(*keys[i], row)

    (runner or SerialRunner()).run(jobs, finished, None if on_epoch is None else each_epoch, should_stop)
    return runs


def train_path_run(run: Experiment, data_of: Experiment, value: float, field: str, *, on_epoch=None,
                   should_stop=None) -> PathRun:
    """A path run without folds (a job, engine/studies/runner.py): its final kernels and scores; a diverging run
    raises SpecError naming ``field`` = ``value``."""
    from engine.studies.trainings import dataset_of, train_to_end
    from engine.training.trainer import Trainer, TrainingDiverged

    trainer = Trainer(run, dataset_of(data_of), grid_every=0)
    try:
        train_to_end(trainer, on_epoch, should_stop, "path")
    except TrainingDiverged as exc:
        raise diverged_value(field, value, exc) from None
    return finished_run(value, run.training.seed, 0, trainer, trainer.data, trainer.data)


def train_path_fold(variant: Experiment, value: float, seed: int, folds: int, fold: int, field: str, *,
                    on_epoch=None, should_stop=None) -> PathRun:
    """A path run with K-fold (a job): ``variant`` with training seed ``seed`` on fold ``fold`` of
    engine.studies.crossval's split, scored on its held-out rows."""
    from engine.studies.crossval import fold_datasets, train_fold
    from engine.studies.trainings import fold_split
    from engine.training.trainer import Trainer, TrainingDiverged

    run = variant.copy()
    run.training.seed = seed
    table, train_rows, test_rows = fold_split(run, folds, fold)
    trained_on, held_out = fold_datasets(run, table, train_rows, test_rows)
    trainer = Trainer(run, trained_on, grid_every=0)
    try:
        train_fold(trainer, on_epoch, should_stop)
    except TrainingDiverged as exc:
        raise diverged_value(field, value, exc) from None
    return finished_run(value, seed, fold, trainer, trained_on, held_out)


def diverged_value(path: str, value: float, exc: Exception) -> SpecError:
    """The error of a path whose run for ``value`` diverged."""
    return SpecError(f"{path} = {value:g}: {str(exc).split(':')[0]}; leave this value out or lower the "
                     "learning rate", field="values")


def finished_run(value: float, seed: int, fold: int, trainer, trained_on, validated_on) -> PathRun:
    """The run's final kernels and its scores on the rows it trained on and on ``validated_on``'s validation rows."""
    metric = trainer.metric_name
    scores = {}
    for side, x, y in (("train", trained_on.x_train, trained_on.y_train),
                       ("val", validated_on.x_val, validated_on.y_val)):
        pred = trainer.predict(x)
        scores[f"{side}_{metric}"] = prediction_metric(pred, y, trained_on.task, trained_on.target_std)
        scores[f"{side}_loss"] = float(trainer.loss_fn(y, pred))
    kernels = [np.array(layer.kernel.numpy()) for layer in trainer.net.dense]
    return PathRun(value, seed, fold, kernels, scores, metric)


# ---------------------------------------------------------------------------- summaries


def flat_weights(kernels: list[np.ndarray]) -> np.ndarray:
    """Every kernel weight in one vector: layer by layer, each kernel row by row (the order of path.csv)."""
    return np.concatenate([k.ravel() for k in kernels])


def weight_names(kernels: list[np.ndarray]) -> np.ndarray:
    """(layer, row, column) of every weight of :func:`flat_weights`, as an (n, 3) integer array."""
    names = [np.column_stack([np.full(k.size, i), *np.unravel_index(np.arange(k.size), k.shape)])
             for i, k in enumerate(kernels)]
    return np.concatenate(names).astype(np.int64)


def summarize(runs: list[PathRun]) -> list[PathPoint]:
    """A point per value, in the order the values first ran."""
    by_value: dict[float, list[PathRun]] = {}
    for run in runs:
        by_value.setdefault(run.value, []).append(run)
    return [summarize_value(group) for group in by_value.values()]


def summarize_value(runs: list[PathRun]) -> PathPoint:
    weights = [np.abs(flat_weights(r.kernels).astype(np.float64)) for r in runs]
    metric = runs[0].metric
    scores = {name: np.array([r.scores[name] for r in runs]) for name in score_names(metric)}
    return PathPoint(runs[0].value, len(runs),
                     near_zero_fraction=float(np.mean([np.mean(w < NEAR_ZERO) for w in weights])),
                     l1=float(np.mean([w.sum() for w in weights])),
                     l2=float(np.mean([(w**2).sum() for w in weights])),
                     metric=metric,
                     mean={k: float(v.mean()) for k, v in scores.items()},
                     std={k: float(v.std()) for k, v in scores.items()})


def first_runs(runs: list[PathRun]) -> list[PathRun]:
    """Each value's first run (the experiment's own seed; fold 1 with K-fold): the networks the picture draws."""
    seen: dict[float, PathRun] = {}
    for run in runs:
        seen.setdefault(run.value, run)
    return list(seen.values())


# ---------------------------------------------------------------------------- files


def write_path_csv(runs: list[PathRun], path: Path) -> None:
    """``value,layer,row,column,weight,seed,fold``: every kernel weight of every run (fold 0: no K-fold)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["value", "layer", "row", "column", "weight", "seed", "fold"])
        for run in runs:
            names = weight_names(run.kernels)
            for (layer, row, column), w in zip(names, flat_weights(run.kernels), strict=True):
                writer.writerow([f"{run.value:.6g}", layer, row, column, f"{w:.6g}", run.seed, run.fold])


def write_summary_csv(points: list[PathPoint], path: Path) -> None:
    """One row per value: :meth:`PathPoint.row`'s columns."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        header = list(points[0].row())
        writer.writerow(header)
        for point in points:
            writer.writerow([v if isinstance(v, int) else f"{v:.6g}" for v in point.row().values()])


# ---------------------------------------------------------------------------- the window's study


def log_axis(values: list[float]) -> bool:
    """λ is drawn on a log axis when every value is > 0."""
    return all(v > 0 for v in values)


def run_path_study(exp: Experiment, path: str, values: list[float], folds: int = 0, seeds: int = 1,
                   report: Report | None = None, should_stop: ShouldStop | None = None,
                   runner=None) -> StudyProgress:
    """The path as a study the window draws while it trains: a curve per run, and per finished value a table row
    (:meth:`PathPoint.row`) and its first run's weights.

    ``result``: param, values, log_x, folds, seeds, names (:func:`weight_names`, once the first run is done), lines:
    [(value, :func:`flat_weights` of its first run)], one appended per value as its first run ends."""
    progress = StudyProgress("path", f"Regularization path of {path}",
                             result={"param": path, "values": list(values), "log_x": log_axis(values),
                                     "folds": folds, "seeds": seeds, "lines": []})
    runs: list[PathRun] = []
    per_value = seeds * max(folds, 1)
    total = len(values) * per_value

    curves = RunCurves(progress)

    def label(value: float, seed: int, fold: int) -> str:
        return f"{value:g} (seed {seed}" + (f", fold {fold})" if fold else ")")

    def on_epoch(value: float, seed: int, fold: int, row: dict) -> None:
        curves.add_row((value, seed, fold), label(value, seed, fold), row)
        progress.message = (f"{path} = {value:g}, run {len(runs) + 1} of {total}, "
                            f"epoch {row['epoch']} of {exp.training.epochs}")
        if report is not None:
            report(progress)

    def on_run(run: PathRun) -> None:
        runs.append(run)
        curves.finish((run.value, run.seed, run.fold), label(run.value, run.seed, run.fold))
        progress.result.setdefault("names", weight_names(run.kernels))
        if (len(runs) - 1) % per_value == 0:  # the value's first run
            progress.result["lines"].append((run.value, flat_weights(run.kernels)))
        if len(runs) % per_value == 0:
            progress.table.append(summarize_value(runs[-per_value:]).row())

    run_path(exp, path, values, folds, seeds, on_run=on_run, on_epoch=on_epoch, should_stop=should_stop,
             runner=runner)
    progress.done = True
    progress.message = f"{len(values)} values of {path}, {total} runs"
    if report is not None:
        report(progress)
    return progress


# ---------------------------------------------------------------------------- what the pictures draw


def drawn_weights(total: int, cap: int = MAX_DRAWN_WEIGHTS) -> np.ndarray:
    """The weights a picture draws a line for: all of them up to ``cap``, else every k-th (k = ⌈total / cap⌉), so
    each layer keeps its share."""
    return np.arange(0, total, max(1, -(-total // cap)))


def drawn_note(total: int, drawn: int) -> str:
    """"" when every weight is drawn, else "every 5th of the 4288 kernel weights is drawn (858)"."""
    if drawn >= total:
        return ""
    step = -(-total // MAX_DRAWN_WEIGHTS)
    return f"every {_ordinal(step)} of the {total} kernel weights is drawn ({drawn})"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def path_lines(lines: list[tuple[float, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(values ascending, weights: one row per value, one column per weight) from (value, flat weights) pairs."""
    ordered = sorted(lines, key=lambda pair: pair[0])
    values = np.array([v for v, _ in ordered], float)
    weights = np.array([w for _, w in ordered], float).reshape(len(ordered), -1)
    return values, weights
