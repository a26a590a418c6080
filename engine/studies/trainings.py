"""What a study's trainings share, wherever a runner sends them (engine/studies/runner.py).

Each study's job function (sweep.train_run, path.train_path_run / train_path_fold, crossval.train_fold_job,
study.fit_variant) trains one network from what its arguments say — the experiment (its seed set), the experiment
whose data it trains on, the fold — and returns small picklable results: metrics rows, final weights, scores.
Nothing depends on what ran before in the same process, so a worker process or a Ray worker gets the numbers this
process would. ``on_epoch`` gets each epoch's metrics row (compare: its snapshot, for the weight histograms);
``should_stop`` is checked before every epoch (True raises InterruptedError).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.spec import Experiment

_datasets: dict[tuple, object] = {}  # the last study's data, loaded once per process


@dataclass
class Trained:
    """A finished training: what a sweep's row is made of, and the final state the test rows may score."""

    history: list[dict]
    metric_name: str
    state: list[np.ndarray] = field(default_factory=list)  # trainable variables, then batch norm's moving ones


def dataset_of(exp: Experiment):
    """``load_dataset(exp)``, kept for the next job of the same data (the jobs of one study share it)."""
    from engine.data import load_dataset

    key = (repr(exp.data), str(exp.base_dir), bool(exp.training.label_smoothing))
    if key not in _datasets:
        _datasets.clear()
        _datasets[key] = load_dataset(exp)
    return _datasets[key]


def train_to_end(trainer, on_epoch, should_stop, what: str = "study") -> None:
    """Train to the epoch limit or the early stop, reporting every epoch's metrics row."""
    while trainer.epoch < trainer.exp.training.epochs and not trainer.stopped_early:
        if should_stop is not None and should_stop():
            raise InterruptedError(f"{what} stopped")
        snap = trainer.step()
        if on_epoch is not None:
            on_epoch(snap.metrics_row())


def final_state(trainer) -> list:
    """What a final model predicts with: the trainable variables, and batch norm's moving mean and variance."""
    moving = [v for v in trainer.net.batch_norm_variables() if not v.trainable]
    return [*trainer.model.trainable_variables, *moving]


def fold_split(exp: Experiment, folds: int, fold: int):
    """(table, training rows, held-out rows) of fold ``fold`` (1-based) of cross_validate's K-fold split."""
    from sklearn.model_selection import KFold

    from engine.data import load_table, without_test_rows
    from engine.spec import SpecError

    table = without_test_rows(load_table(exp.data, exp.base_dir), exp.data)
    n = len(table.y)
    if folds > n:
        raise SpecError(f"{folds} folds need at least {folds} rows; this data has {n}", field="folds")
    splitter = KFold(n_splits=folds, shuffle=True, random_state=exp.data.seed)
    train_rows, test_rows = list(splitter.split(np.arange(n)))[fold - 1]
    return table, np.sort(train_rows), np.sort(test_rows)
