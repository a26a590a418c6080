"""Studies: several runs of one experiment, reported while they train — compare, cross-validate, sweep.

Each study is a plain function (Orange3's style: long work with partial results). Its runs are independent
trainings, handed to a runner (engine/studies/runner.py: here one after another, or on worker processes or a Ray
cluster, the same numbers either way); it calls ``report(progress)`` after every epoch of any run with one
:class:`StudyProgress` that it keeps filling in; ``should_stop()`` is checked between epochs (a True ends the
study with ``InterruptedError``). The window's worker runs them on its thread and shows the latest progress; the
CLI runs the same engine functions (``cv``, ``sweep``, ``path``) without a report.

Thread rule: a progress object is only ever *added to* (rows appended, curves and table rows appended,
fields replaced), so a reader on another thread may look at it at any time and copy what it needs. With several
workers, several curves grow at once; each is made when its run's first epoch arrives, table rows come in the runs'
order.

- :func:`run_compare`: up to 4 variants of an experiment, same data and seed, one epoch each in turn;
  :func:`~engine.studies.variants.classic_variants` (around the experiment's own mechanism) or
  :func:`~engine.studies.variants.lesson_variants` (a lesson's), both also importable from here.
- :func:`run_cv_study`: K-fold cross-validation; a curve per fold, a table row per finished fold.
- :func:`run_sweep_study`: one field over a list of values (× seeds); a table row per finished run.
- :func:`run_path_study`: the regularization path, a table row and the weights per finished value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.spec import Experiment, SpecError
from engine.studies.progress import (  # noqa: F401  (importable from here)
    Curve,
    Report,
    RunCurves,
    ShouldStop,
    StudyProgress,
)
from engine.studies.variants import (  # noqa: F401  (the compare study's variants, used with it from here)
    CLASSIC_DROPOUT,
    CLASSIC_L2,
    MAX_VARIANTS,
    classic_variants,
    compare_title,
    lesson_variants,
    regularization_label,
)
from engine.training.snapshot import Snapshot


def _best_index(values: list[float], metric: str) -> int:
    return int(np.argmin(values) if metric == "rmse" else np.argmax(values))


def run_summary(label: str, rows: list[dict], metric: str) -> dict:
    """The compare table's row: final and best training/validation metric, and the final gap (NaN without a row:
    a run that diverged in its first epoch)."""
    if not rows:
        nan = float("nan")
        return {"variant": label, "epochs": 0, f"final_train_{metric}": nan, f"final_val_{metric}": nan,
                f"best_train_{metric}": nan, f"best_val_{metric}": nan, "best_epoch": 0, "final_gap": nan}
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


def run_compare(variants: list[tuple[str, Experiment]], report: Report | None = None,
                should_stop: ShouldStop | None = None, runner=None) -> StudyProgress:
    """Train every variant one epoch in turn until each reaches its epoch limit (or stops early, or diverges: its
    row then has ``diverged_epoch`` and the last finite epoch's numbers, and the others go on). With a runner of
    several workers, the variants train at the same time, each on its own (the same numbers)."""
    if not 1 <= len(variants) <= MAX_VARIANTS:
        raise SpecError(f"compare: {len(variants)} variants; 1 to {MAX_VARIANTS} can be compared")
    if runner is not None and runner.workers > 1 and len(variants) > 1:
        return _compare_at_once(variants, runner, report, should_stop)
    from engine.data import load_dataset
    from engine.training.trainer import Trainer, TrainingDiverged

    first = variants[0][1]
    shared = load_dataset(first)
    trainers = []
    for _, exp in variants:
        same_data = exp.data == first.data and exp.base_dir == first.base_dir
        trainers.append(Trainer(exp, shared if same_data else load_dataset(exp), grid_every=0))
    progress = StudyProgress("compare", compare_title(variants), trainers[0].metric_name,
                             [Curve(label) for label, _ in variants])
    finished: dict[int, dict] = {}  # variant index → its table row
    diverged: list[str] = []
    while not all(c.done for c in progress.curves):
        for i, ((label, exp), trainer, curve) in enumerate(zip(variants, trainers, progress.curves, strict=True)):
            if curve.done:
                continue
            if should_stop is not None and should_stop():
                raise InterruptedError("comparison stopped")
            try:
                snap = trainer.step()
            except TrainingDiverged:  # this variant ends here; the others go on
                diverged.append(f"{label} diverged in epoch {trainer.epoch}")
            else:
                curve.rows.append(snap.metrics_row())
                curve.snapshot = snap
            if trainer.diverged or trainer.epoch >= exp.training.epochs or trainer.stopped_early:
                curve.done = True
                finished[i] = run_summary(label, curve.rows, progress.metric)
                if trainer.diverged:
                    finished[i]["diverged_epoch"] = trainer.epoch
                progress.table.append(finished[i])
        epoch = max(len(c.rows) for c in progress.curves)
        progress.message = f"epoch {epoch} of {max(exp.training.epochs for _, exp in variants)}"
        if report is not None:
            report(progress)
    progress.table[:] = [finished[i] for i in sorted(finished)]
    return _compared(progress, len(variants), diverged, report)


def _compared(progress: StudyProgress, variants: int, diverged: list[str], report: Report | None) -> StudyProgress:
    """The comparison is done: its last message names any variant that diverged."""
    progress.done = True
    progress.message = f"Compared {variants} variants" + "".join(
        f"; {note} (its last finite epoch is shown)" for note in diverged)
    if report is not None:
        report(progress)
    return progress


def _compare_at_once(variants: list[tuple[str, Experiment]], runner, report: Report | None,
                     should_stop: ShouldStop | None) -> StudyProgress:
    from engine.studies.runner import Job

    progress = StudyProgress("compare", compare_title(variants), curves=[Curve(label) for label, _ in variants])
    diverged: list[str] = []
    most = max(exp.training.epochs for _, exp in variants)

    def on_epoch(i: int, snap: Snapshot) -> None:
        curve = progress.curves[i]
        progress.metric = snap.metric_name
        curve.rows.append(snap.metrics_row())
        curve.snapshot = snap
        progress.message = f"epoch {max(len(c.rows) for c in progress.curves)} of {most}"
        if report is not None:
            report(progress)

    def finished(i: int, outcome) -> None:
        label, curve = variants[i][0], progress.curves[i]
        curve.done = True
        row = run_summary(label, outcome.rows, progress.metric)  # its finite epochs: the rows its curve has
        if outcome.diverged_epoch:
            row["diverged_epoch"] = outcome.diverged_epoch
            diverged.append(f"{label} diverged in epoch {outcome.diverged_epoch}")
        progress.table.append(row)

    runner.run([Job(fit_variant, (exp,)) for _, exp in variants], finished, on_epoch, should_stop)
    return _compared(progress, len(variants), diverged, report)


@dataclass
class Compared:
    """A compared variant's training: its metrics rows, and the epoch it diverged in (0: it did not)."""

    rows: list[dict]
    diverged_epoch: int = 0


def fit_variant(exp: Experiment, *, on_epoch=None, should_stop=None) -> Compared:
    """A compared variant trained to its end (a job, engine/studies/runner.py); a divergence ends it alone (its rows
    are its finite epochs). ``on_epoch`` gets each epoch's snapshot (the compare page draws its weights)."""
    from engine.studies.trainings import dataset_of
    from engine.training.trainer import Trainer, TrainingDiverged

    trainer = Trainer(exp, dataset_of(exp), grid_every=0)
    while trainer.epoch < exp.training.epochs and not trainer.stopped_early:
        if should_stop is not None and should_stop():
            raise InterruptedError("comparison stopped")
        try:
            snap = trainer.step()
        except TrainingDiverged:
            return Compared(trainer.history, trainer.epoch)
        if on_epoch is not None:
            on_epoch(snap)
    return Compared(trainer.history)


# ---------------------------------------------------------------------------- cross-validation


def run_cv_study(exp: Experiment, folds: int = 5, report: Report | None = None,
                 should_stop: ShouldStop | None = None, runner=None) -> StudyProgress:
    """K-fold cross-validation with a curve per fold (validation = the held-out fold) and a row per fold.

    Table columns: fold, train_size, test_size and the fold's scores (rmse; accuracy and log_loss for
    classification). ``result["final"]``: the same scores over every out-of-sample prediction at once.
    """
    from engine.studies.crossval import cross_validate

    progress = StudyProgress("cv", f"{folds}-fold cross-validation")

    curves = RunCurves(progress)

    def on_epoch(fold: int, row: dict) -> None:
        curves.add_row(fold, f"fold {fold}", row)
        progress.message = f"fold {fold} of {folds}, epoch {row['epoch']} of {exp.training.epochs}"
        if report is not None:
            report(progress)

    def on_fold(result) -> None:
        curves.finish(result.fold, f"fold {result.fold}")
        progress.table.append({"fold": result.fold, "train_size": result.train_size, "test_size": result.test_size,
                               **result.scores})

    cv = cross_validate(exp, folds, on_fold=on_fold, on_epoch=on_epoch, should_stop=should_stop, runner=runner)
    progress.result = {"final": cv.final_scores()}
    progress.done = True
    progress.message = f"Final, out of sample score (RMSE): {cv.final_rmse:.4g}"
    if report is not None:
        report(progress)
    return progress


# ---------------------------------------------------------------------------- sweep


def run_sweep_study(exp: Experiment, path: str, values: list[float], seeds: int = 1,
                    report: Report | None = None, should_stop: ShouldStop | None = None,
                    path2: str | None = None, values2: list[float] | None = None, runner=None) -> StudyProgress:
    """Train ``exp`` for each value of the field at ``path`` (× seeds): a curve per run, a row per finished run.
    With ``path2`` and ``values2``, for each pair of values of the two fields instead
    (:func:`engine.studies.sweep_grid.run_grid_study`).

    Table rows: the fields of :class:`engine.studies.sweep.SweepRow` (value, seed, final_train, final_val, best_val,
    best_epoch, final_val_loss, metric). ``result``: param, values, log_x, and best (lowest mean final
    validation loss) once done; with test rows (data.test) also test_score: the fields of
    :class:`engine.studies.sweep.FinalTestScore` and its sentence as text.
    """
    from dataclasses import asdict

    if path2 is not None:
        from engine.studies.sweep_grid import run_grid_study

        return run_grid_study(exp, (path, path2), (values, values2 or []), seeds, report, should_stop, runner)
    from engine.studies.sweep import best_value, run_sweep

    positive = all(v > 0 for v in values)
    progress = StudyProgress("sweep", f"Sweep of {path}",
                             result={"param": path, "values": list(values),
                                     "log_x": positive and len(values) > 1 and max(values) / min(values) > 10})
    runs: list = []
    curves = RunCurves(progress)

    def on_epoch(value: float, seed: int, row: dict) -> None:
        curves.add_row((value, seed), f"{value:g} (seed {seed})", row)
        progress.message = f"{path} = {value:g}, seed {seed}, epoch {row['epoch']} of {exp.training.epochs}"
        if report is not None:
            report(progress)

    def on_row(row) -> None:
        runs.append(row)
        curves.finish((row.value, row.seed), f"{row.value:g} (seed {row.seed})")
        progress.table.append(asdict(row))

    def on_test_score(score) -> None:
        progress.result["test_score"] = {**asdict(score), "text": score.sentence()}

    run_sweep(exp, path, values, seeds, on_row=on_row, on_epoch=on_epoch, should_stop=should_stop,
              on_test_score=on_test_score, runner=runner)
    progress.result["best"] = best_value(runs)
    progress.done = True
    progress.message = f"Best {path}: {progress.result['best']:g} (lowest mean final validation loss)"
    if report is not None:
        report(progress)
    return progress


def run_path_study(exp: Experiment, path: str, values: list[float], folds: int = 0, seeds: int = 1,
                   report: Report | None = None, should_stop: ShouldStop | None = None,
                   runner=None) -> StudyProgress:
    """The regularization path (engine/studies/path.py): every kernel weight against the values of one field."""
    from engine.studies import path as regularization_path

    return regularization_path.run_path_study(exp, path, values, folds, seeds, report, should_stop, runner)
