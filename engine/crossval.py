"""K-fold cross-validation: honest out-of-sample scores, one fresh model per fold.

The rows are split with scikit-learn's ``KFold(K, shuffle=True, random_state=data seed)``; each fold
trains a new model (same spec and seed) on the other folds — features scaled with that fold's
training rows only — and predicts its held-out rows. Every row is predicted exactly once, by a model
that never saw it: those out-of-sample predictions give the final score.

Scores per fold, as the tutorial does: RMSE of the predicted probabilities against the one-hot targets
for classification (plus accuracy and log-loss), RMSE in the target's units for regression.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.data import Table, load_table, split_table
from engine.spec import Experiment, SpecError

MIN_FOLDS, MAX_FOLDS = 2, 20


@dataclass
class FoldResult:
    fold: int  # 1-based
    train_size: int
    test_size: int
    scores: dict  # rmse (always), accuracy and log_loss (classification)
    history: list[dict] = field(default_factory=list)  # the fold's metrics rows (validation = the held-out fold)


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
                   on_epoch: Callable[[int, object], None] | None = None,
                   should_stop: Callable[[], bool] | None = None) -> CrossValidation:
    """Run K-fold cross-validation of ``exp``; ``on_fold`` is called after each fold (for progress),
    ``on_epoch(fold, snapshot)`` after each epoch; ``should_stop`` is checked between epochs."""
    if not MIN_FOLDS <= folds <= MAX_FOLDS:
        raise SpecError(f"--folds: {folds} is out of range [{MIN_FOLDS}, {MAX_FOLDS}]")
    table = load_table(exp.data, exp.base_dir)
    n = len(table.y)
    if folds > n:
        raise SpecError(f"--folds: {folds} folds need at least {folds} rows; this data has {n}")
    from sklearn.model_selection import KFold

    from engine.trainer import Trainer

    targets = one_hot_targets(table)
    predictions = np.full(targets.shape, np.nan)
    results = []
    splitter = KFold(n_splits=folds, shuffle=True, random_state=exp.data.seed)
    for k, (train_rows, test_rows) in enumerate(splitter.split(np.arange(n)), start=1):
        dataset = split_table(table, np.sort(train_rows), np.sort(test_rows))
        trainer = Trainer(exp, dataset, grid_every=0)
        for _ in range(exp.training.epochs):
            if should_stop is not None and should_stop():
                raise InterruptedError("cross-validation stopped")
            snap = trainer.step()
            if on_epoch is not None:
                on_epoch(k, snap)
        pred = trainer.predict(dataset.x_val).astype(np.float64)
        if table.task == "regression":
            pred = pred * dataset.target_std + dataset.target_mean
        pred = as_class_probabilities(pred, table.task)
        predictions[dataset.val_index] = pred
        result = FoldResult(k, len(train_rows), len(test_rows), scores(pred, targets[dataset.val_index], table.task),
                            trainer.history)
        results.append(result)
        if on_fold is not None:
            on_fold(result)
    return CrossValidation(results, predictions, targets, table.task, table)


def write_results(cv: CrossValidation, out: Path) -> None:
    """DIR/folds.csv (one row per fold) and DIR/oos_predictions.csv (the data, its target, the prediction)."""
    out.mkdir(parents=True, exist_ok=True)
    score_names = list(cv.folds[0].scores)
    with (out / "folds.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["fold", "train_size", "test_size", *score_names])
        for r in cv.folds:
            writer.writerow([r.fold, r.train_size, r.test_size, *(f"{r.scores[s]:.6g}" for s in score_names)])

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
