"""Studies: several runs of one experiment, reported while they train — compare, cross-validate, sweep.

Each study is a plain function (Orange3's style: long work with partial results). It trains on the
calling thread and calls ``report(progress)`` after every epoch with one :class:`StudyProgress` that it
keeps filling in; ``should_stop()`` is checked between epochs (a True ends the study with
``InterruptedError``). The window's worker runs them on its thread and shows the latest progress; the CLI
runs the same engine functions (``cv``, ``sweep``) without a report.

Thread rule: a progress object is only ever *added to* (rows appended, curves and table rows appended,
fields replaced), so a reader on another thread may look at it at any time and copy what it needs.

- :func:`run_compare`: up to 4 variants of an experiment, same data and seed, one epoch each in turn.
- :func:`run_cv_study`: K-fold cross-validation; a curve per fold, a table row per finished fold.
- :func:`run_sweep_study`: one field over a list of values (× seeds); a table row per finished run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine.snapshot import Snapshot
from engine.spec import Experiment, Regularizer, SpecError

MAX_VARIANTS = 4
CLASSIC_L2 = 1e-3  # λ of the classic set's L2 variants when the experiment has no L2 of its own
CLASSIC_DROPOUT = 0.3  # rate of the classic set's dropout variants when the experiment has none

Report = Callable[["StudyProgress"], None]
ShouldStop = Callable[[], bool]


@dataclass
class Curve:
    """One run of a study: its metrics rows so far (``Snapshot.metrics_row``) and its latest snapshot."""

    label: str  # "none", "L2", "fold 3", "0.3 (seed 2)"
    rows: list[dict] = field(default_factory=list)  # only appended to
    snapshot: Snapshot | None = None  # the latest (compare keeps it for the weight histograms)
    done: bool = False


@dataclass
class StudyProgress:
    kind: str  # "compare" | "cv" | "sweep"
    title: str  # what is being studied, for the panel's heading
    metric: str = "accuracy"  # or "rmse" (regression)
    curves: list[Curve] = field(default_factory=list)
    #: summary rows so far, one per variant / finished fold / finished run (see each study for the columns)
    table: list[dict] = field(default_factory=list)
    message: str = ""  # "fold 2 of 5, epoch 40 of 200"
    done: bool = False
    #: compare: {} · cv: {"final": scores over all out-of-sample predictions} ·
    #: sweep: {"param": path, "values": [...], "log_x": bool, "best": value}
    result: dict = field(default_factory=dict)


def _best_index(values: list[float], metric: str) -> int:
    return int(np.argmin(values) if metric == "rmse" else np.argmax(values))


def run_summary(label: str, rows: list[dict], metric: str) -> dict:
    """The compare table's row: final and best training/validation metric, and the final gap."""
    train = [r[f"train_eval_{metric}"] for r in rows]
    val = [r[f"val_{metric}"] for r in rows]
    best = _best_index(val, metric)
    return {
        "variant": label,
        "epochs": len(rows),
        f"final_train_{metric}": train[-1],
        f"final_val_{metric}": val[-1],
        f"best_train_{metric}": train[_best_index(train, metric)],
        f"best_val_{metric}": val[best],
        "best_epoch": best + 1,
        "final_gap": rows[-1]["val_loss"] - rows[-1]["train_eval_loss"],  # generalization gap (data loss)
    }


# ---------------------------------------------------------------------------- compare


def _without_regularization(exp: Experiment) -> Experiment:
    new = exp.copy()
    new.network.input_dropout = 0.0
    for layer in new.network.hidden:
        layer.dropout = 0.0
        layer.kernel_regularizer = layer.bias_regularizer = layer.activity_regularizer = None
    return new


def classic_variants(exp: Experiment) -> list[tuple[str, Experiment]]:
    """The classic set: no regularization, L2 only, dropout only, L2 + dropout (same data, network and seed).

    λ and the rate are the experiment's own where it has them (its first L2 kernel λ, its first dropout
    rate), else λ = 1e-3 and rate 0.3.
    """
    layers = exp.network.hidden
    lam = next((h.kernel_regularizer.l2 for h in layers if h.kernel_regularizer and h.kernel_regularizer.l2),
               CLASSIC_L2)
    rate = next((h.dropout for h in layers if h.dropout), CLASSIC_DROPOUT)
    none = _without_regularization(exp)
    l2, dropout, both = none.copy(), none.copy(), none.copy()
    for variant in (l2, both):
        for layer in variant.network.hidden:
            layer.kernel_regularizer = Regularizer(0.0, lam)
    for variant in (dropout, both):
        for layer in variant.network.hidden:
            layer.dropout = rate
    return [("none", none), (f"L2 λ={lam:g}", l2), (f"dropout {rate:g}", dropout),
            (f"L2 λ={lam:g} + dropout {rate:g}", both)]


def run_compare(variants: list[tuple[str, Experiment]], report: Report | None = None,
                should_stop: ShouldStop | None = None) -> StudyProgress:
    """Train every variant one epoch in turn until each reaches its epoch limit (or stops early)."""
    if not 1 <= len(variants) <= MAX_VARIANTS:
        raise SpecError(f"compare: {len(variants)} variants; 1 to {MAX_VARIANTS} can be compared")
    from engine.data import load_dataset
    from engine.trainer import Trainer

    first = variants[0][1]
    shared = load_dataset(first)
    trainers = []
    for _, exp in variants:
        same_data = exp.data == first.data and exp.base_dir == first.base_dir
        trainers.append(Trainer(exp, shared if same_data else load_dataset(exp), grid_every=0))
    progress = StudyProgress("compare", "Compare: " + " · ".join(label for label, _ in variants),
                             trainers[0].metric_name, [Curve(label) for label, _ in variants])
    while not all(c.done for c in progress.curves):
        for (label, exp), trainer, curve in zip(variants, trainers, progress.curves, strict=True):
            if curve.done:
                continue
            if should_stop is not None and should_stop():
                raise InterruptedError("comparison stopped")
            snap = trainer.step()
            curve.rows.append(snap.metrics_row())
            curve.snapshot = snap
            if trainer.epoch >= exp.training.epochs or trainer.stopped_early:
                curve.done = True
                progress.table.append(run_summary(label, curve.rows, progress.metric))
        epoch = max(len(c.rows) for c in progress.curves)
        progress.message = f"epoch {epoch} of {max(exp.training.epochs for _, exp in variants)}"
        if report is not None:
            report(progress)
    progress.table.sort(key=lambda row: [label for label, _ in variants].index(row["variant"]))
    progress.done = True
    progress.message = f"Compared {len(variants)} variants"
    if report is not None:
        report(progress)
    return progress


# ---------------------------------------------------------------------------- cross-validation


def run_cv_study(exp: Experiment, folds: int = 5, report: Report | None = None,
                 should_stop: ShouldStop | None = None) -> StudyProgress:
    """K-fold cross-validation with a curve per fold (validation = the held-out fold) and a row per fold.

    Table columns: fold, train_size, test_size and the fold's scores (rmse; accuracy and log_loss for
    classification). ``result["final"]``: the same scores over every out-of-sample prediction at once.
    """
    from engine.crossval import cross_validate

    progress = StudyProgress("cv", f"{folds}-fold cross-validation")

    def on_epoch(fold: int, snap: Snapshot) -> None:
        if len(progress.curves) < fold:
            progress.metric = snap.metric_name
            progress.curves.append(Curve(f"fold {fold}"))
        curve = progress.curves[fold - 1]
        curve.rows.append(snap.metrics_row())
        curve.snapshot = snap
        progress.message = f"fold {fold} of {folds}, epoch {snap.epoch} of {exp.training.epochs}"
        if report is not None:
            report(progress)

    def on_fold(result) -> None:
        progress.curves[result.fold - 1].done = True
        progress.table.append({"fold": result.fold, "train_size": result.train_size, "test_size": result.test_size,
                               **result.scores})

    cv = cross_validate(exp, folds, on_fold=on_fold, on_epoch=on_epoch, should_stop=should_stop)
    progress.result = {"final": cv.final_scores()}
    progress.done = True
    progress.message = f"Final, out of sample score (RMSE): {cv.final_rmse:.4g}"
    if report is not None:
        report(progress)
    return progress


# ---------------------------------------------------------------------------- sweep


def run_sweep_study(exp: Experiment, path: str, values: list[float], seeds: int = 1,
                    report: Report | None = None, should_stop: ShouldStop | None = None) -> StudyProgress:
    """Train ``exp`` for each value of the field at ``path`` (× seeds): a curve per run, a row per finished run.

    Table rows: the fields of :class:`engine.sweep.SweepRow` (value, seed, final_train, final_val, best_val,
    best_epoch, final_val_loss, metric). ``result``: param, values, log_x, and best (lowest mean final
    validation loss) once done.
    """
    from dataclasses import asdict

    from engine.sweep import best_value, run_sweep

    positive = all(v > 0 for v in values)
    progress = StudyProgress("sweep", f"Sweep of {path}",
                             result={"param": path, "values": list(values),
                                     "log_x": positive and len(values) > 1 and max(values) / min(values) > 10})
    runs: list = []

    def on_epoch(value: float, seed: int, snap: Snapshot) -> None:
        if not progress.curves or progress.curves[-1].label != f"{value:g} (seed {seed})":
            progress.metric = snap.metric_name
            progress.curves.append(Curve(f"{value:g} (seed {seed})"))
        curve = progress.curves[-1]
        curve.rows.append(snap.metrics_row())
        progress.message = f"{path} = {value:g}, seed {seed}, epoch {snap.epoch} of {exp.training.epochs}"
        if report is not None:
            report(progress)

    def on_row(row) -> None:
        runs.append(row)
        progress.curves[-1].done = True
        progress.table.append(asdict(row))

    run_sweep(exp, path, values, seeds, on_row=on_row, on_epoch=on_epoch, should_stop=should_stop)
    progress.result["best"] = best_value(runs)
    progress.done = True
    progress.message = f"Best {path}: {progress.result['best']:g} (lowest mean final validation loss)"
    if report is not None:
        report(progress)
    return progress
