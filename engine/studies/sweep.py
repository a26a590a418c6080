"""Sweeps (validation curves): train one experiment for each value of one field, and a few seeds each.

The field is named by its path in the experiment file (``network.hidden[*].dropout``,
``training.learning_rate``…) and the values are a list or a log range, as :mod:`engine.spec.fields` reads
them. The best value is the one with the lowest mean final validation loss.

That validation score is optimistic: it helped choose. With test rows (``data.test``), the chosen value's
final models are then scored once on those untouched rows — the sweep's honest estimate.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.spec import MAX_SWEEP_SEEDS, Experiment, SpecError, set_path


@dataclass
class SweepRow:
    value: float
    seed: int
    final_train: float  # the metric (accuracy or rmse) on the training set, dropout off, at the last epoch
    final_val: float
    best_val: float  # best validation metric over the epochs
    best_epoch: int
    final_val_loss: float
    metric: str = "accuracy"  # or "rmse"


@dataclass
class FinalTestScore:
    """The chosen value's score on the test rows, which nothing trained, scaled, validated or chose with."""

    value: float | tuple[float, float]  # a two-field sweep's chosen pair
    seeds: int  # its runs, one per training seed; the scores are their means
    test_rows: int
    test_metric: float  # accuracy or RMSE (target units) of the final model on the test rows
    test_loss: float  # data loss of the final model on the test rows (as val_loss on the validation rows)
    metric: str = "accuracy"  # or "rmse"
    fields: tuple[str, str] | None = None  # a two-field sweep's field paths, in the order of ``value``

    def sentence(self) -> str:
        """``Test score of the chosen value (0.3) on 50 untouched rows: accuracy 0.86, loss 0.34``."""
        mean = f" (mean of {self.seeds} seeds)" if self.seeds > 1 else ""
        name = "RMSE" if self.metric == "rmse" else self.metric
        return (f"Test score of the chosen {self.chosen()} on {self.test_rows} untouched rows: "
                f"{name} {self.test_metric:.3g}, loss {self.test_loss:.3g}{mean}")

    def chosen(self) -> str:
        """``value (0.3)``, or for a pair ``pair (training.learning_rate = 0.01, training.weight_decay = 0.001)``."""
        if not isinstance(self.value, tuple):
            return f"value ({self.value:g})"
        names = self.fields or ("value_1", "value_2")
        return "pair (" + ", ".join(f"{n} = {v:g}" for n, v in zip(names, self.value, strict=True)) + ")"

    def write_csv(self, path: Path) -> None:
        """One header and one row: value (value_1, value_2 for a pair), seeds, test_rows, test_accuracy (or
        test_rmse), test_loss."""
        pair = isinstance(self.value, tuple)
        values = list(self.value) if pair else [self.value]
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow([*(["value_1", "value_2"] if pair else ["value"]), "seeds", "test_rows",
                             f"test_{self.metric}", "test_loss"])
            writer.writerow([*(f"{v:.6g}" for v in values), self.seeds, self.test_rows, f"{self.test_metric:.6g}",
                             f"{self.test_loss:.6g}"])


def run_sweep(exp: Experiment, path: str, values: list[float], seeds: int = 1,
              on_row: Callable[[SweepRow], None] | None = None,
              on_epoch: Callable[[float, int, dict], None] | None = None,
              should_stop: Callable[[], bool] | None = None,
              on_test_score: Callable[[FinalTestScore], None] | None = None, runner=None) -> list[SweepRow]:
    """Train ``exp`` for every value × seed (training seeds exp.training.seed, +1, …; the data stays the same).

    ``on_epoch(value, seed, metrics row)`` is called after every epoch, ``on_row`` after every run (in the order
    value by value, seed by seed, whichever finished first); ``should_stop`` is checked between epochs (True raises
    InterruptedError). With test rows (data.test > 0), ``on_test_score`` is called once at the end with the chosen
    value's :class:`FinalTestScore`. The runs train on ``runner`` (engine/studies/runner.py; default: here, one
    after another)."""
    check_seeds(seeds)
    cells = [(v, set_path(exp, path, v)) for v in values]  # every value is checked before anything trains
    return run_cells(exp, cells, seeds, _sweep_row, on_row, on_epoch, should_stop, on_test_score, runner)


def check_seeds(seeds: int) -> None:
    if not 1 <= seeds <= MAX_SWEEP_SEEDS:
        raise SpecError(f"{seeds} is out of range [1, {MAX_SWEEP_SEEDS}]", field="seeds")


def seeded_runs(exp: Experiment, cells: list[tuple[object, Experiment]], seeds: int) -> list[tuple[object, Experiment]]:
    """(key, the cell's experiment with its training seed: exp.training.seed, +1, …), cell by cell, seed by seed."""
    runs = []
    for key, variant in cells:
        for s in range(seeds):
            run = variant.copy()
            run.training.seed = exp.training.seed + s
            runs.append((key, run))
    return runs


def run_cells(exp: Experiment, cells: list[tuple[object, Experiment]], seeds: int, make_row: Callable,
              on_row=None, on_epoch=None, should_stop=None, on_test_score=None, runner=None) -> list:
    """Train every cell (a key — one value, or a pair of values — and its variant of ``exp``) × seed.

    ``make_row(key, seed, trained)`` makes each run's row from its :class:`engine.studies.trainings.Trained`; a row's
    ``value`` is its cell's key, and the chosen cell is the key with the lowest mean final validation loss
    (:func:`best_value`)."""
    from engine.studies.runner import Job, SerialRunner
    from engine.studies.trainings import dataset_of

    runner = runner or SerialRunner()
    scoring = on_test_score is not None and len(dataset_of(exp).test_index) > 0
    runs = seeded_runs(exp, cells, seeds)
    rows: list = []
    final_weights: dict[object, list[list[np.ndarray]]] = {}  # per cell that may still be chosen, per seed
    keys = [key for key, _ in cells]

    def finished(i: int, trained) -> None:
        key, run = runs[i]
        rows.append(make_row(key, run.training.seed, trained))
        if scoring:
            final_weights.setdefault(key, []).append(trained.state)
        if on_row is not None:
            on_row(rows[-1])
        if (i + 1) % seeds == 0:  # the cell's last run
            _forget_unchosen(final_weights, best_value(rows), keys[(i + 1) // seeds:])

    def each_epoch(i: int, row: dict) -> None:
        key, run = runs[i]
        on_epoch(key, run.training.seed, row)

    runner.run([Job(train_run, (run, exp, scoring)) for _, run in runs], finished,
               None if on_epoch is None else each_epoch, should_stop)
    if scoring:
        # Only the chosen cell meets the test rows: scoring every cell on them would invite choosing by
        # them, and the test score would then be as optimistic as the validation score it is meant to check.
        chosen = best_value(rows)
        job = Job(score_test_rows, (cells[keys.index(chosen)][1], exp, chosen, final_weights[chosen]))
        runner.run([job], lambda _i, score: on_test_score(score), None, should_stop)
    return rows


def train_run(run: Experiment, data_of: Experiment, keep_state: bool = False, *, on_epoch=None,
              should_stop=None):
    """A sweep's run (a job, engine/studies/runner.py): ``run`` trained on ``data_of``'s data (the swept
    experiment's, the same for every run); its :class:`engine.studies.trainings.Trained`."""
    from engine.studies.trainings import Trained, dataset_of, final_state, train_to_end
    from engine.training.trainer import Trainer

    trainer = Trainer(run, dataset_of(data_of), grid_every=0)
    train_to_end(trainer, on_epoch, should_stop, "sweep")
    state = [np.array(v.numpy()) for v in final_state(trainer)] if keep_state else []
    return Trained(trainer.history, trainer.metric_name, state)


def score_test_rows(variant: Experiment, data_of: Experiment, value, weights: list[list[np.ndarray]], *,
                    on_epoch=None, should_stop=None) -> FinalTestScore:
    """:func:`score_on_test_rows` as a job: on ``data_of``'s data."""
    from engine.studies.trainings import dataset_of

    return score_on_test_rows(variant, dataset_of(data_of), value, weights)


def _sweep_row(value: float, seed: int, trainer) -> SweepRow:
    history = trainer.history
    metric = trainer.metric_name
    vals = np.array([r[f"val_{metric}"] for r in history])
    best = int(np.argmin(vals) if metric == "rmse" else np.argmax(vals))
    return SweepRow(value, seed, history[-1][f"train_eval_{metric}"], history[-1][f"val_{metric}"],
                    float(vals[best]), best + 1, history[-1]["val_loss"], metric)


def _forget_unchosen(final_weights: dict, best: float, later_values: list[float]) -> None:
    """Keep the final weights of the best value so far and of values still to come; memory stays at about
    two values' runs."""
    for value in list(final_weights):
        if value != best and value not in later_values:
            del final_weights[value]


def score_on_test_rows(variant: Experiment, dataset, value, weights: list[list[np.ndarray]]) -> FinalTestScore:
    """The mean over ``weights`` (one final model per seed of ``variant``) of the test metric and data loss."""
    from engine.studies.trainings import final_state
    from engine.training.trainer import Trainer

    # The variant's own network: a classic-dropout network scales by its rates at evaluation (Gaussian dropout and
    # noise, like inverted dropout, do nothing there), and batch norm uses the moving statistics it ended with.
    trainer = Trainer(variant, dataset, grid_every=0)
    metrics, losses = [], []
    for final in weights:
        for var, w in zip(final_state(trainer), final, strict=True):
            var.assign(w)
        pred = trainer.predict(dataset.x_test)
        metrics.append(prediction_metric(pred, dataset.y_test, dataset.task, dataset.target_std))
        losses.append(float(trainer.loss_fn(dataset.y_test, pred)))
    return FinalTestScore(value, len(weights), len(dataset.test_index), float(np.mean(metrics)),
                          float(np.mean(losses)), trainer.metric_name)


def prediction_metric(pred: np.ndarray, y: np.ndarray, task: str, target_std: float = 1.0) -> float:
    """Accuracy (classification) or RMSE in the target's units (regression), as the trainer computes them."""
    if task == "binary":
        return float(np.mean((pred > 0.5) == (y > 0.5)))
    if task == "multiclass":
        return float(np.mean(np.argmax(pred, axis=1) == np.argmax(y, axis=1)))
    return float(np.sqrt(np.mean((pred.astype(np.float64) - y) ** 2)) * target_std)


def best_value(rows: list[SweepRow]) -> float:
    """The value with the lowest mean final validation loss over its seeds."""
    by_value: dict[float, list[float]] = {}
    for r in rows:
        by_value.setdefault(r.value, []).append(r.final_val_loss)
    return min(by_value, key=lambda v: float(np.mean(by_value[v])))


def write_csv(rows: list[SweepRow], path: Path, metric: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["value", "seed", f"final_train_{metric}", f"final_val_{metric}", f"best_val_{metric}",
                         "best_epoch", "final_val_loss"])
        for r in rows:
            writer.writerow([f"{r.value:.6g}", r.seed, f"{r.final_train:.6g}", f"{r.final_val:.6g}",
                             f"{r.best_val:.6g}", r.best_epoch, f"{r.final_val_loss:.6g}"])


def plot_validation_curve(rows: list[SweepRow], path: Path, param: str, metric: str) -> None:
    """Train and validation metric against the value (log x when the values span more than a decade)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = sorted({r.value for r in rows})
    train = [np.mean([r.final_train for r in rows if r.value == v]) for v in values]
    val = [np.mean([r.final_val for r in rows if r.value == v]) for v in values]
    best = best_value(rows)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    ax.plot(values, train, "o-", color="#0072B2", label=f"training {metric} (dropout off)")
    ax.plot(values, val, "s-", color="#009E73", label=f"validation {metric}")
    ax.axvline(best, color="#D55E00", linestyle="--", label=f"best: {best:g} (lowest validation loss)")
    positive = [v for v in values if v > 0]
    if positive and len(positive) == len(values) and max(values) / min(values) > 10:
        ax.set_xscale("log")
    ax.set_xlabel(param)
    ax.set_ylabel(metric)
    ax.set_title(f"Validation curve: {param}")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
