"""Studies: several runs of one experiment, reported while they train — compare, cross-validate, sweep.

Each study is a plain function (Orange3's style: long work with partial results). It trains on the
calling thread and calls ``report(progress)`` after every epoch with one :class:`StudyProgress` that it
keeps filling in; ``should_stop()`` is checked between epochs (a True ends the study with
``InterruptedError``). The window's worker runs them on its thread and shows the latest progress; the CLI
runs the same engine functions (``cv``, ``sweep``) without a report.

Thread rule: a progress object is only ever *added to* (rows appended, curves and table rows appended,
fields replaced), so a reader on another thread may look at it at any time and copy what it needs.

- :func:`run_compare`: up to 4 variants of an experiment, same data and seed, one epoch each in turn;
  :func:`classic_variants` (around the experiment's own mechanism) or :func:`lesson_variants` (a lesson's).
- :func:`run_cv_study`: K-fold cross-validation; a curve per fold, a table row per finished fold.
- :func:`run_sweep_study`: one field over a list of values (× seeds); a table row per finished run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine.spec import MAX_COMPARE_VARIANTS, REGULARIZER_FIELDS, Experiment, Regularizer, SpecError, set_path
from engine.training.snapshot import Snapshot

MAX_VARIANTS = MAX_COMPARE_VARIANTS
CLASSIC_L2 = 1e-3  # λ of the classic set's added L2 penalties when the experiment has no kernel L2 of its own
CLASSIC_DROPOUT = 0.3  # rate of the classic set's added dropout when the experiment has none

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


def _without_dropout(exp: Experiment) -> Experiment:
    new = exp.copy()
    new.network.input_dropout = 0.0
    for layer in new.network.hidden:
        layer.dropout = 0.0
    return new


def _without_penalties(exp: Experiment, kinds: tuple[str, ...] = REGULARIZER_FIELDS) -> Experiment:
    new = exp.copy()
    for layer in new.network.hidden:
        for kind in kinds:
            setattr(layer, kind, None)
    return new


def _without_regularization(exp: Experiment) -> Experiment:
    """No penalty, no dropout, no weight decay and no label smoothing (early stopping stays, as in every variant)."""
    new = _without_penalties(_without_dropout(exp))
    new.training.weight_decay = new.training.label_smoothing = 0.0
    return new


def _with_dropout(exp: Experiment, rate: float) -> Experiment:
    """``exp`` with dropout ``rate`` after every hidden layer (its input dropout as it is)."""
    new = exp.copy()
    for layer in new.network.hidden:
        layer.dropout = rate
    return new


def _with_kernels(exp: Experiment, make: Callable[[Regularizer | None], Regularizer | None]) -> Experiment:
    """``exp`` with every hidden layer's kernel regularizer replaced by ``make(its regularizer)``."""
    new = exp.copy()
    for layer in new.network.hidden:
        layer.kernel_regularizer = make(layer.kernel_regularizer)
    return new


def _kernel_kinds(exp: Experiment) -> set[str]:
    return {h.kernel_regularizer.kind for h in exp.network.hidden if h.kernel_regularizer is not None} - {"none"}


def _has_dropout(exp: Experiment) -> bool:
    return bool(exp.network.input_dropout or any(h.dropout for h in exp.network.hidden))


def _has_penalty(exp: Experiment, kinds: tuple[str, ...] = REGULARIZER_FIELDS) -> bool:
    return any(getattr(h, kind) is not None and getattr(h, kind).kind != "none"
               for h in exp.network.hidden for kind in kinds)


def _own_l2(exp: Experiment) -> float:
    """The experiment's first kernel L2 λ, else CLASSIC_L2."""
    return next((h.kernel_regularizer.l2 for h in exp.network.hidden
                 if h.kernel_regularizer is not None and h.kernel_regularizer.l2), CLASSIC_L2)


def _plus_penalty(exp: Experiment, source: Experiment) -> Experiment:
    """``exp`` as it is when ``source`` has penalties of its own, else with L2 λ = CLASSIC_L2 on every kernel."""
    return exp if _has_penalty(source) else _with_kernels(exp, lambda _: Regularizer(0.0, CLASSIC_L2))


def _plus_dropout(exp: Experiment, source: Experiment) -> Experiment:
    """``exp`` as it is when ``source`` has dropout of its own, else with CLASSIC_DROPOUT after every hidden layer."""
    return exp if _has_dropout(source) else _with_dropout(exp, CLASSIC_DROPOUT)


def _dropout_alone(exp: Experiment) -> Experiment:
    return _plus_dropout(_without_penalties(exp), exp)


def _as_l1(reg: Regularizer | None) -> Regularizer | None:
    return Regularizer(reg.l1 + reg.l2, 0.0) if reg is not None and reg.kind != "none" else reg


def _as_l2(reg: Regularizer | None) -> Regularizer | None:
    return Regularizer(0.0, reg.l1 + reg.l2) if reg is not None and reg.kind != "none" else reg


def _l1_as_l2(reg: Regularizer | None) -> Regularizer | None:
    return Regularizer(0.0, reg.l1) if reg is not None and reg.kind == "L1" else reg


def _penalty_text(reg: Regularizer, prefix: str = "") -> str:
    terms = [f"{name} λ={lam:g}" for name, lam in (("L1", reg.l1), ("L2", reg.l2)) if lam]
    return prefix + " + ".join(terms)


def _layer_text(layer) -> str:
    parts = [_penalty_text(reg, prefix) for reg, prefix in ((layer.kernel_regularizer, ""),
                                                          (layer.bias_regularizer, "bias "),
                                                          (layer.activity_regularizer, "activity "))
             if reg is not None and reg.kind != "none"]
    if layer.dropout:
        parts.append(f"dropout {layer.dropout:g}")
    return " + ".join(parts)


def regularization_label(exp: Experiment) -> str:
    """What regularizes ``exp``, exactly: "L1 λ=0.001", "L2 λ=0.001 + dropout 0.5", "none".

    Said once when every hidden layer has the same; else per layer ("h1: L2 λ=0.003 · h2: none"). Input dropout
    comes first ("input dropout 0.2 · …"), weight decay and label smoothing last. Kernel penalties have no prefix;
    bias and activity ones say so.
    """
    layers = [_layer_text(layer) for layer in exp.network.hidden]
    if len(set(layers)) == 1:
        parts = [layers[0]] if layers[0] else []
    else:
        parts = [f"h{i}: {text or 'none'}" for i, text in enumerate(layers, start=1)]
    if exp.network.input_dropout:
        parts.insert(0, f"input dropout {exp.network.input_dropout:g}")
    if exp.training.weight_decay:
        parts.append(f"weight decay {exp.training.weight_decay:g}")
    if exp.training.label_smoothing:
        parts.append(f"label smoothing {exp.training.label_smoothing:g}")
    return " · ".join(parts) or "none"


def _without_decay(exp: Experiment) -> Experiment:
    new = exp.copy()
    new.training.weight_decay = 0.0
    return new


def _l2_instead_of_decay(exp: Experiment) -> Experiment:
    """L2 λ = weight_decay / 2 on every hidden kernel in place of the decay: the same steps with plain SGD, not with
    Adam (lesson 12)."""
    lam = exp.training.weight_decay / 2
    return _without_decay(_with_kernels(exp, lambda _: Regularizer(0.0, lam)))


def _contrasts(exp: Experiment) -> list[Experiment]:
    """The natural contrasts of the experiment's own regularization (the rule is :func:`classic_variants`')."""
    kinds = _kernel_kinds(exp)
    if "L1+L2" in kinds:
        return [_with_kernels(exp, _as_l1), _with_kernels(exp, _as_l2)]
    if "L1" in kinds:
        return [_with_kernels(exp, _l1_as_l2), _dropout_alone(exp)]
    if _has_penalty(exp, ("activity_regularizer",)):
        lam = _own_l2(exp)
        instead = _with_kernels(_without_penalties(exp, ("activity_regularizer",)), lambda _: Regularizer(0.0, lam))
        return [instead, _dropout_alone(exp)]
    if exp.training.weight_decay and not _has_penalty(exp):
        return [_l2_instead_of_decay(exp), _without_decay(_dropout_alone(exp))]
    return [_plus_penalty(_without_dropout(exp), exp), _dropout_alone(exp), _plus_penalty(_plus_dropout(exp, exp), exp)]


def classic_variants(exp: Experiment) -> list[tuple[str, Experiment]]:
    """Up to 4 variants around the experiment's own regularization, each labelled by what regularizes it.

    Always first "none" (no penalty, no dropout) and second the experiment as it is; then the natural contrasts of
    its own mechanism, the first that applies of:

    - elastic net (a kernel penalty with both L1 and L2): L1 at l1 + l2 and L2 at l1 + l2, in place of every
      kernel penalty;
    - L1 on a kernel: L2 at the same λ in place of every L1 kernel penalty; dropout alone;
    - an activity penalty: a kernel L2 penalty on every hidden layer in its place (λ = the experiment's kernel
      L2 λ, else 1e-3); dropout alone;
    - weight decay and no penalty: L2 λ = weight_decay / 2 on every hidden kernel in its place (the same steps with
      plain SGD); dropout alone, without the decay;
    - anything else (kernel L2, a bias penalty, dropout, or nothing): the 2 × 2 grid of P (its penalties, else L2
      λ = 1e-3 on every hidden kernel) and D (its dropout, else rate 0.3 after every hidden layer): P alone, D
      alone, P + D — for an L2 experiment none / L2 / dropout / L2 + dropout.

    "Dropout alone" is the experiment without its penalties, with its own dropout, else rate 0.3 after every
    hidden layer. The other mechanisms of the experiment stay as they are in a contrast, so each variant differs
    from the experiment in its regularization only: the data, network, seed and training settings are the
    experiment's, early stopping included (kept in every variant when the experiment has it). A variant that
    would be the same as an earlier one is left out (no hidden layers: "none" alone).
    """
    candidates = [_without_regularization(exp), exp.copy(), *_contrasts(exp)]
    variants: list[tuple[str, Experiment]] = []
    for variant in candidates:
        label = regularization_label(variant)
        if all(label != seen for seen, _ in variants):
            variants.append((label, variant))
    return variants[:MAX_VARIANTS]


def lesson_variants(exp: Experiment, variants: list[dict]) -> list[tuple[str, Experiment]]:
    """A lesson's own variants (``lesson.study.variants``): each ``exp`` with the fields of its ``set`` changed.

    ``set`` maps field paths (as :func:`engine.spec.set_path` reads them) to numbers, applied in order; a path
    or value the experiment does not allow raises SpecError naming the variant and the path.
    """
    out = []
    for i, variant in enumerate(variants):
        new = exp.copy()
        for path, value in variant["set"].items():
            try:
                new = set_path(new, path, value)
            except SpecError as exc:
                raise SpecError(f'lesson.study.variants[{i}].set["{path}"]: {exc}') from None
        out.append((variant["label"], new))
    return out


def compare_title(variants: list[tuple[str, Experiment]]) -> str:
    """The study's heading: the variants' labels, and "(each with early stopping)" when every variant has it on.

    The labels name penalties and dropout only, so the heading is where early stopping is said.
    """
    title = "Compare: " + " / ".join(label for label, _ in variants)
    if all(exp.training.early_stopping is not None for _, exp in variants):
        title += " (each with early stopping)"
    return title


def run_compare(variants: list[tuple[str, Experiment]], report: Report | None = None,
                should_stop: ShouldStop | None = None) -> StudyProgress:
    """Train every variant one epoch in turn until each reaches its epoch limit (or stops early)."""
    if not 1 <= len(variants) <= MAX_VARIANTS:
        raise SpecError(f"compare: {len(variants)} variants; 1 to {MAX_VARIANTS} can be compared")
    from engine.data import load_dataset
    from engine.training.trainer import Trainer

    first = variants[0][1]
    shared = load_dataset(first)
    trainers = []
    for _, exp in variants:
        same_data = exp.data == first.data and exp.base_dir == first.base_dir
        trainers.append(Trainer(exp, shared if same_data else load_dataset(exp), grid_every=0))
    progress = StudyProgress("compare", compare_title(variants), trainers[0].metric_name,
                             [Curve(label) for label, _ in variants])
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
    from engine.studies.crossval import cross_validate

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

    Table rows: the fields of :class:`engine.studies.sweep.SweepRow` (value, seed, final_train, final_val, best_val,
    best_epoch, final_val_loss, metric). ``result``: param, values, log_x, and best (lowest mean final
    validation loss) once done; with test rows (data.test) also test_score: the fields of
    :class:`engine.studies.sweep.FinalTestScore` and its sentence as text.
    """
    from dataclasses import asdict

    from engine.studies.sweep import best_value, run_sweep

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

    def on_test_score(score) -> None:
        progress.result["test_score"] = {**asdict(score), "text": score.sentence()}

    run_sweep(exp, path, values, seeds, on_row=on_row, on_epoch=on_epoch, should_stop=should_stop,
              on_test_score=on_test_score)
    progress.result["best"] = best_value(runs)
    progress.done = True
    progress.message = f"Best {path}: {progress.result['best']:g} (lowest mean final validation loss)"
    if report is not None:
        report(progress)
    return progress
