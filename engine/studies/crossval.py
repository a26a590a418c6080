"""K-fold cross-validation: honest out-of-sample scores, one fresh model per fold.

The rows are split with scikit-learn's ``KFold(K, shuffle=True, random_state=data seed)``; each fold
trains a new model (same spec and seed) on the other folds — features scaled with that fold's
training rows only — and predicts its held-out rows. Every row is predicted exactly once, by a model
that never saw it: those out-of-sample predictions give the final score.

With early stopping the held-out fold plays no part in training: the epoch to stop at is chosen on
*stopping rows* carved from the fold's training rows (the experiment's ``data.validation`` fraction of
them, seeded with ``data.seed`` and stratified like RegLab's own validation split), the model trains on
the rest (which also give the scaling statistics), training ends at the stop, the best epoch's weights
are put back if ``restore_best_weights`` (as Keras' ``fit`` does at its end, stopped or not), and only
then is the held-out fold predicted. Without early stopping all of the fold's training rows train.

Scores per fold, as the tutorial does: RMSE of the predicted probabilities against the one-hot targets
for classification (plus accuracy and log-loss), RMSE in the target's units for regression.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.data import Dataset, Table, load_table, split_rows, split_table, without_test_rows
from engine.spec import MAX_FOLDS, MIN_FOLDS, Experiment, SpecError


@dataclass
class FoldResult:
    fold: int  # 1-based
    train_size: int  # the rows the fold's model trained on
    test_size: int  # the held-out rows it predicted
    scores: dict  # rmse (always), accuracy and log_loss (classification)
    # the fold's metrics rows; their validation is the stopping rows with early stopping, else the held-out fold
    history: list[dict] = field(default_factory=list)
    stopping_size: int = 0  # the training rows set aside to choose the stopping epoch (0: no early stopping)
    epochs: int = 0  # epochs trained: the stop with early stopping, else training.epochs
    weights_from_epoch: int = 0  # the epoch whose weights predicted the held-out fold


@dataclass
class CrossValidation:
    folds: list[FoldResult]
    predictions: np.ndarray  # (rows, outputs) out-of-sample, in the data's original row order
    targets: np.ndarray  # (rows, outputs) the same encoding (one-hot for classification)
    task: str
    table: Table

    @property
    def final_rmse(self) -> float:
        """RMSE of every out-of-sample prediction against its target (over all folds at once)."""
        return rmse(self.predictions, self.targets)

    def final_scores(self) -> dict:
        return scores(self.predictions, self.targets, self.task)


def one_hot_targets(table: Table) -> np.ndarray:
    """Targets as the model sees them, in original units: one-hot (classification) or the value (regression)."""
    if table.task == "regression":
        return table.y.astype(np.float64).reshape(-1, 1)
    classes = max(len(table.class_names), 2)
    return np.eye(classes)[table.y]


def as_class_probabilities(pred: np.ndarray, task: str) -> np.ndarray:
    """A binary model's one sigmoid output p becomes the two columns (1 − p, p), like one-hot targets."""
    if task == "binary":
        return np.concatenate([1 - pred, pred], axis=1)
    return pred


def rmse(pred: np.ndarray, target: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(pred, np.float64) - target) ** 2)))


def scores(pred: np.ndarray, target: np.ndarray, task: str) -> dict:
    out = {"rmse": rmse(pred, target)}
    if task != "regression":
        p = np.clip(pred, 1e-7, 1 - 1e-7)
        out["accuracy"] = float(np.mean(np.argmax(pred, axis=1) == np.argmax(target, axis=1)))
        out["log_loss"] = float(-np.mean(np.sum(target * np.log(p), axis=1)))
    return out


def cross_validate(exp: Experiment, folds: int = 5,
                   on_fold: Callable[[FoldResult], None] | None = None,
                   on_epoch: Callable[[int, dict], None] | None = None,
                   should_stop: Callable[[], bool] | None = None, runner=None) -> CrossValidation:
    """Run K-fold cross-validation of ``exp``; ``on_fold`` is called after each fold, in fold order (for progress),
    ``on_epoch(fold, metrics row)`` after each epoch; ``should_stop`` is checked between epochs. The folds train on
    ``runner`` (engine/studies/runner.py; default: one after another here)."""
    if not MIN_FOLDS <= folds <= MAX_FOLDS:
        raise SpecError(f"{folds} is out of range [{MIN_FOLDS}, {MAX_FOLDS}]", field="folds")
    # The test rows (data.test) are kept out of every fold: they are for the one final, untouched score.
    table = without_test_rows(load_table(exp.data, exp.base_dir), exp.data)
    n = len(table.y)
    if folds > n:
        raise SpecError(f"{folds} folds need at least {folds} rows; this data has {n}", field="folds")
    from engine.studies.runner import Job, SerialRunner

    targets = one_hot_targets(table)
    predictions = np.full(targets.shape, np.nan)
    results: list[FoldResult] = []

    def finished(_i: int, outcome) -> None:
        result, held_out_rows, pred = outcome
        predictions[held_out_rows] = pred
        results.append(result)
        if on_fold is not None:
            on_fold(result)

    each = None if on_epoch is None else (lambda i, row: on_epoch(i + 1, row))
    jobs = [Job(train_fold_job, (exp, folds, k)) for k in range(1, folds + 1)]
    (runner or SerialRunner()).run(jobs, finished, each, should_stop)
    return CrossValidation(results, predictions, targets, table.task, table)


def train_fold_job(exp: Experiment, folds: int, fold: int, *, on_epoch=None, should_stop=None):
    """One fold (a job, engine/studies/runner.py): (its FoldResult, the held-out rows, their predictions)."""
    from engine.studies.trainings import fold_split
    from engine.training.trainer import Trainer

    table, train_rows, test_rows = fold_split(exp, folds, fold)
    trained_on, held_out = fold_datasets(exp, table, train_rows, test_rows)
    trainer = Trainer(exp, trained_on, grid_every=0)
    weights_from_epoch = train_fold(trainer, on_epoch, should_stop)
    pred = predict_held_out(trainer, held_out)
    stopping_size = len(trained_on.val_index) if trained_on is not held_out else 0
    result = FoldResult(fold, len(trained_on.train_index), len(test_rows),
                        scores(pred, one_hot_targets(table)[held_out.val_index], table.task), trainer.history,
                        stopping_size=stopping_size, epochs=trainer.epoch, weights_from_epoch=weights_from_epoch)
    return result, held_out.val_index, pred


def fold_datasets(exp: Experiment, table: Table, train_rows: np.ndarray,
                  test_rows: np.ndarray) -> tuple[Dataset, Dataset]:
    """(what the fold's model trains and is validated on, the held-out fold scaled the same way).

    Without early stopping they are one dataset: the fold's training rows train and the held-out fold is
    the validation, which only watches. With early stopping the validation chooses the stopping epoch, so
    it is the stopping rows, and the scaler is fitted on the rows that train.
    """
    if exp.training.early_stopping is None:
        held_out = split_table(table, train_rows, test_rows)
        return held_out, held_out
    fit_rows, stopping_rows = stopping_split(table, train_rows, exp.data.validation, exp.data.seed)
    return split_table(table, fit_rows, stopping_rows), split_table(table, fit_rows, test_rows)


def stopping_split(table: Table, train_rows: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Split a fold's training rows into the rows that train and the stopping rows (``fraction`` of them).

    The same rule as the experiment's validation split (engine.data.load_dataset): at least one row on each
    side, and stratified for classification when every class has 2 rows and fits on both sides.
    """
    m = len(train_rows)
    if m < 2:
        raise SpecError(f"early stopping needs at least 2 training rows per fold; these folds have {m}",
                        field="folds")
    n_stop = min(max(math.ceil(fraction * m), 1), m - 1)
    labels = None
    if table.task != "regression":
        fold_labels = table.y[train_rows]
        counts = np.bincount(fold_labels)
        if counts.min() >= 2 and min(n_stop, m - n_stop) >= len(counts):
            labels = fold_labels
    fit, stop = split_rows(m, n_stop, seed, labels)
    return train_rows[fit], train_rows[stop]


def train_fold(trainer, on_epoch: Callable[[dict], None] | None, should_stop: Callable[[], bool] | None) -> int:
    """Train up to the spec's epochs, ending at the early stop if there is one; return the epoch whose weights
    the model ends with (the best epoch's, restored as Keras' ``fit`` does, when ``restore_best_weights``)."""
    rule = trainer.exp.training.early_stopping
    keep_best = rule is not None and rule.restore_best_weights
    best_weights = None
    while trainer.epoch < trainer.exp.training.epochs and not trainer.stopped_early:
        if should_stop is not None and should_stop():
            raise InterruptedError("cross-validation stopped")
        snap = trainer.step()
        if on_epoch is not None:
            on_epoch(snap.metrics_row())
        if keep_best and trainer.best_epoch == trainer.epoch:
            best_weights = trainer.weights_now()  # batch norm's moving statistics too
    if best_weights is None:
        return trainer.epoch
    trainer.put_weights(best_weights)
    return trainer.best_epoch


def predict_held_out(trainer, held_out: Dataset) -> np.ndarray:
    """The fold's predictions for its held-out rows, in the targets' units and encoding."""
    pred = trainer.predict(held_out.x_val).astype(np.float64)
    if held_out.task == "regression":
        pred = pred * held_out.target_std + held_out.target_mean
    return as_class_probabilities(pred, held_out.task)


def write_results(cv: CrossValidation, out: Path) -> None:
    """DIR/folds.csv (one row per fold) and DIR/oos_predictions.csv (the data, its target, the prediction)."""
    out.mkdir(parents=True, exist_ok=True)
    score_names = list(cv.folds[0].scores)
    with (out / "folds.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["fold", "train_size", "test_size", *score_names, "stopping_size", "epochs",
                         "weights_from_epoch"])
        for r in cv.folds:
            writer.writerow([r.fold, r.train_size, r.test_size, *(f"{r.scores[s]:.6g}" for s in score_names),
                             r.stopping_size, r.epochs, r.weights_from_epoch])

    table = cv.table
    if table.frame is not None:
        columns = [str(c) for c in table.frame.columns]
        rows = table.frame.astype(object).where(table.frame.notna(), "").values.tolist()
    else:
        columns = [*table.feature_names, table.target_name]
        labels = np.asarray(table.class_names, dtype=object)[table.y] if table.task != "regression" else table.y
        rows = [[*map(float, x), y] for x, y in zip(table.x, labels, strict=True)]
    if table.task == "regression":
        extra = [f"true_{table.target_name}", f"predicted_{table.target_name}"]
    else:
        names = table.class_names if len(table.class_names) > 1 else ["0", "1"]
        extra = [f"true_{c}" for c in names] + [f"predicted_{c}" for c in names]
    with (out / "oos_predictions.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*columns, *extra])
        for row, target, pred in zip(rows, cv.targets, cv.predictions, strict=True):
            writer.writerow([*row, *(f"{t:.6g}" for t in target), *(f"{p:.6g}" for p in pred)])
