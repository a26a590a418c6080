"""Studies (compare, cross-validation, sweep) report the same numbers as the plain engine runs they wrap."""

from pathlib import Path

import numpy as np
import pytest
from builders import experiment

from engine.spec import Regularizer, SpecError, load_experiment
from engine.studies.crossval import cross_validate
from engine.studies.study import (
    MAX_VARIANTS,
    classic_variants,
    compare_title,
    lesson_variants,
    regularization_label,
    run_compare,
    run_cv_study,
    run_summary,
    run_sweep_study,
)
from engine.studies.sweep import best_value, run_sweep
from engine.training.trainer import Trainer


def small(epochs=4, **fields):
    exp = experiment([{"units": 8, "dropout": 0.25, "kernel_regularizer": {"l1": 0.0, "l2": 0.003}},
                      {"units": 6}], epochs=epochs, **fields)
    exp.data.samples = 120
    return exp


L1, L2 = Regularizer(0.001, 0.0), Regularizer(0.0, 0.001)


def layers(count=2, kernel=None, bias=None, activity=None, dropout=0.0):
    """What regularizes each hidden layer: (kernel, bias, activity regularizer, dropout rate)."""
    return [(kernel, bias, activity, dropout)] * count


def regularization(exp):
    return [(h.kernel_regularizer, h.bias_regularizer, h.activity_regularizer, h.dropout) for h in exp.network.hidden]


def everything_else(exp):
    """The experiment's file with its regularization blanked: what every variant must share with it."""
    d = exp.to_dict()
    d["network"]["input_dropout"] = None
    for h in d["network"]["hidden"]:
        h.update(dropout=None, kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None)
    return d


def two_layers(**layer):
    return experiment([{"units": 8, **layer}, {"units": 6, **layer}], epochs=4,
                      early_stopping={"patience": 7, "restore_best_weights": False})


L1_DICT, ELASTIC = {"l1": 0.001, "l2": 0.0}, {"l1": 0.0005, "l2": 0.0005}
CLASSIC_SETS = {
    "L1": (two_layers(kernel_regularizer=L1_DICT), [
        ("none", layers()), ("L1 λ=0.001", layers(kernel=L1)), ("L2 λ=0.001", layers(kernel=L2)),
        ("dropout 0.3", layers(dropout=0.3))]),
    "L1 + dropout": (two_layers(kernel_regularizer=L1_DICT, dropout=0.5), [
        ("none", layers()), ("L1 λ=0.001 + dropout 0.5", layers(kernel=L1, dropout=0.5)),
        ("L2 λ=0.001 + dropout 0.5", layers(kernel=L2, dropout=0.5)), ("dropout 0.5", layers(dropout=0.5))]),
    "L2": (two_layers(kernel_regularizer={"l1": 0.0, "l2": 0.003}), [
        ("none", layers()), ("L2 λ=0.003", layers(kernel=Regularizer(0, 0.003))), ("dropout 0.3", layers(dropout=0.3)),
        ("L2 λ=0.003 + dropout 0.3", layers(kernel=Regularizer(0, 0.003), dropout=0.3))]),
    "L2 + dropout": (two_layers(kernel_regularizer={"l1": 0.0, "l2": 0.003}, dropout=0.25), [
        ("none", layers()), ("L2 λ=0.003 + dropout 0.25", layers(kernel=Regularizer(0, 0.003), dropout=0.25)),
        ("L2 λ=0.003", layers(kernel=Regularizer(0, 0.003))), ("dropout 0.25", layers(dropout=0.25))]),
    "elastic net": (two_layers(kernel_regularizer=ELASTIC), [
        ("none", layers()), ("L1 λ=0.0005 + L2 λ=0.0005", layers(kernel=Regularizer(0.0005, 0.0005))),
        ("L1 λ=0.001", layers(kernel=L1)), ("L2 λ=0.001", layers(kernel=L2))]),
    "activity": (two_layers(activity_regularizer={"l1": 0.0001, "l2": 0.0}), [
        ("none", layers()), ("activity L1 λ=0.0001", layers(activity=Regularizer(0.0001, 0))),
        ("L2 λ=0.001", layers(kernel=L2)), ("dropout 0.3", layers(dropout=0.3))]),
    "dropout": (two_layers(dropout=0.5), [
        ("none", layers()), ("dropout 0.5", layers(dropout=0.5)), ("L2 λ=0.001", layers(kernel=L2)),
        ("L2 λ=0.001 + dropout 0.5", layers(kernel=L2, dropout=0.5))]),
    "bias": (two_layers(bias_regularizer={"l1": 0.0, "l2": 0.01}), [
        ("none", layers()), ("bias L2 λ=0.01", layers(bias=Regularizer(0, 0.01))), ("dropout 0.3", layers(dropout=0.3)),
        ("bias L2 λ=0.01 + dropout 0.3", layers(bias=Regularizer(0, 0.01), dropout=0.3))]),
    "nothing": (two_layers(), [
        ("none", layers()), ("L2 λ=0.001", layers(kernel=L2)), ("dropout 0.3", layers(dropout=0.3)),
        ("L2 λ=0.001 + dropout 0.3", layers(kernel=L2, dropout=0.3))]),
}


@pytest.mark.parametrize("kind", list(CLASSIC_SETS))
def test_the_classic_set_is_none_the_experiment_and_the_contrasts_of_its_mechanism(kind):
    exp, expected = CLASSIC_SETS[kind]
    variants = classic_variants(exp)
    assert [(label, regularization(v)) for label, v in variants] == expected
    assert all(v.network.input_dropout == 0 for _, v in variants)
    for _, variant in variants:  # only the regularization differs: data, network, seed, early stopping the same
        assert everything_else(variant) == everything_else(exp)
        assert variant.training.early_stopping == exp.training.early_stopping
    if kind != "nothing":
        assert variants[1][1] == exp  # the experiment as it is
    assert compare_title(variants) == "Compare: " + " / ".join(label for label, _ in expected) + \
        " (each with early stopping)"


def test_the_classic_set_of_mixed_layers_and_input_dropout_labels_each_layer():
    exp = experiment([{"units": 8, "dropout": 0.25, "kernel_regularizer": {"l1": 0.0, "l2": 0.003}},
                      {"units": 6, "activity_regularizer": {"l1": 0.01, "l2": 0.0}}], epochs=4)
    exp.network.input_dropout = 0.1
    variants = classic_variants(exp)
    own_l2 = Regularizer(0, 0.003)
    assert [(label, v.network.input_dropout, regularization(v)) for label, v in variants] == [
        ("none", 0, layers()),
        ("input dropout 0.1 · h1: L2 λ=0.003 + dropout 0.25 · h2: activity L1 λ=0.01", 0.1,
         [(own_l2, None, None, 0.25), (None, None, Regularizer(0.01, 0), 0.0)]),
        # the activity penalty replaced by an L2 kernel penalty at the experiment's own kernel λ, on every layer
        ("input dropout 0.1 · h1: L2 λ=0.003 + dropout 0.25 · h2: L2 λ=0.003", 0.1,
         [(own_l2, None, None, 0.25), (own_l2, None, None, 0.0)]),
        ("input dropout 0.1 · h1: dropout 0.25 · h2: none", 0.1, [(None, None, None, 0.25), (None, None, None, 0.0)]),
    ]
    assert compare_title(variants).endswith("h2: none")  # no early stopping: nothing said about it

    input_only = experiment([{"units": 4}], epochs=4)
    input_only.network.input_dropout = 0.2
    assert [label for label, _ in classic_variants(input_only)] == [
        "none", "input dropout 0.2", "L2 λ=0.001", "input dropout 0.2 · L2 λ=0.001"]
    assert [label for label, _ in classic_variants(experiment([]))] == ["none"]  # no hidden layer: nothing to vary


def test_a_lessons_variants_are_the_experiment_with_their_fields_set():
    exp = two_layers(kernel_regularizer=L1_DICT)
    variants = lesson_variants(exp, [
        {"label": "none", "set": {"network.hidden[*].kernel_regularizer.l1": 0.0}},
        {"label": "L1 λ=0.001", "set": {}},
        {"label": "L2 λ=0.001", "set": {"network.hidden[*].kernel_regularizer.l1": 0.0,
                                        "network.hidden[*].kernel_regularizer.l2": 0.001}},
        {"label": "dropout 0.5 on h2", "set": {"network.hidden[*].kernel_regularizer.l1": 0.0,
                                               "network.hidden[1].dropout": 0.5}},
    ])
    none = Regularizer(0, 0)
    assert [(label, regularization(v)) for label, v in variants] == [
        ("none", layers(kernel=none)), ("L1 λ=0.001", layers(kernel=L1)), ("L2 λ=0.001", layers(kernel=L2)),
        ("dropout 0.5 on h2", [(none, None, None, 0.0), (none, None, None, 0.5)])]
    assert variants[1][1] == exp and variants[1][1] is not exp
    assert all(everything_else(v) == everything_else(exp) for _, v in variants)


@pytest.mark.parametrize(("changes", "message"), [
    ({"network.hidden[2].dropout": 0.5},
     'lesson.study.variants[0].set["network.hidden[2].dropout"]: hidden[2] does not exist (2 layers)'),
    ({"network.hidden[*].dropout": 1.2},
     'lesson.study.variants[0].set["network.hidden[*].dropout"]: network.hidden[0].dropout: 1.2 is out of range '
     "[0, 0.95]"),
    ({"network.hidden[*].colour": 1.0},
     "lesson.study.variants[0].set[\"network.hidden[*].colour\"]: no field 'colour' here"),
])
def test_a_lessons_variant_the_experiment_cannot_take_is_refused_naming_the_field(changes, message):
    with pytest.raises(SpecError) as caught:
        lesson_variants(two_layers(), [{"label": "x", "set": changes}])
    assert str(caught.value) == message


def test_every_lessons_compare_study_builds_distinct_variants():
    lessons = Path(__file__).resolve().parents[2] / "resources" / "presets" / "lessons"
    for path in sorted(lessons.glob("*.json")):
        exp = load_experiment(path)
        study = exp.lesson.study or {}
        if study.get("kind") != "compare":
            continue
        variants = lesson_variants(exp, study["variants"]) if "variants" in study else classic_variants(exp)
        labels = [label for label, _ in variants]
        assert 2 <= len(variants) <= MAX_VARIANTS and len(set(labels)) == len(labels), path.name


def test_run_summary_by_hand():
    rows = [{"train_eval_accuracy": a, "val_accuracy": b, "val_loss": c, "train_eval_loss": d}
            for a, b, c, d in [(0.6, 0.55, 0.9, 0.8), (0.8, 0.7, 0.7, 0.5), (0.9, 0.65, 0.8, 0.3)]]
    s = run_summary("L2", rows, "accuracy")
    assert s == {"variant": "L2", "epochs": 3, "final_train_accuracy": 0.9, "final_val_accuracy": 0.65,
                 "best_train_accuracy": 0.9, "best_val_accuracy": 0.7, "best_epoch": 2,
                 "final_gap": pytest.approx(0.5)}
    rmse_rows = [{"train_eval_rmse": a, "val_rmse": b, "val_loss": 1.0, "train_eval_loss": 1.0}
                 for a, b in [(0.5, 0.6), (0.3, 0.4), (0.2, 0.45)]]
    s = run_summary("x", rmse_rows, "rmse")  # lower is better
    assert (s["best_val_rmse"], s["best_epoch"], s["best_train_rmse"]) == (0.4, 2, 0.2)


def test_compare_curves_equal_plain_runs_and_report_as_they_go():
    variants = classic_variants(small(epochs=3))[:2]
    variants[1][1].training.epochs = 5  # variants may differ in length: the shorter one finishes first
    reports = []
    progress = run_compare(variants, report=lambda p: reports.append(
        (p.done, [len(c.rows) for c in p.curves], len(p.table))))
    assert reports[0] == (False, [1, 1], 0)  # one epoch each, in turn
    assert reports[2] == (False, [3, 3], 1)  # the first variant is done after 3 epochs
    assert reports[-1] == (True, [3, 5], 2)
    for (label, exp), curve, row in zip(variants, progress.curves, progress.table, strict=True):
        plain = Trainer(exp, grid_every=0)
        plain.run()
        assert curve.label == label and curve.done
        assert curve.rows == plain.history  # same data, same seed: the same numbers as a run of its own
        assert row == run_summary(label, plain.history, "accuracy")
        assert curve.snapshot.epoch == exp.training.epochs


def test_compare_checks_its_variants_and_stops_on_request():
    with pytest.raises(SpecError, match="1 to 4"):
        run_compare(classic_variants(small()) * 2)
    assert MAX_VARIANTS == 4
    calls = []
    with pytest.raises(InterruptedError):
        run_compare(classic_variants(small(epochs=50))[:2], should_stop=lambda: calls.append(1) or len(calls) > 3)
    assert len(calls) == 4  # checked before every epoch of every variant


def test_cv_study_reports_each_fold_like_cross_validate():
    exp = small(epochs=3)
    reports = []
    progress = run_cv_study(exp, 3, report=lambda p: reports.append(p.message))
    plain = cross_validate(exp, 3)
    assert [c.label for c in progress.curves] == ["fold 1", "fold 2", "fold 3"]
    assert all(len(c.rows) == 3 and c.done for c in progress.curves)
    assert [c.rows for c in progress.curves] == [f.history for f in plain.folds]
    for row, fold in zip(progress.table, plain.folds, strict=True):
        assert row == {"fold": fold.fold, "train_size": fold.train_size, "test_size": fold.test_size, **fold.scores}
    assert progress.result["final"] == plain.final_scores()
    assert progress.done and progress.message.startswith("Final, out of sample score (RMSE): ")
    assert reports[0] == "fold 1 of 3, epoch 1 of 3" and len(reports) == 10  # 9 epochs and the end


def test_sweep_study_rows_equal_run_sweep():
    exp = small(epochs=3)
    path, values = "network.hidden[*].dropout", [0.0, 0.5]
    progress = run_sweep_study(exp, path, values, seeds=2)
    plain = run_sweep(exp, path, values, seeds=2)
    assert [c.label for c in progress.curves] == ["0 (seed 0)", "0 (seed 1)", "0.5 (seed 0)", "0.5 (seed 1)"]
    assert [r["final_val"] for r in progress.table] == [r.final_val for r in plain]
    assert [(r["value"], r["seed"]) for r in progress.table] == [(r.value, r.seed) for r in plain]
    assert progress.result == {"param": path, "values": values, "log_x": False, "best": best_value(plain)}
    assert np.all([len(c.rows) == 3 for c in progress.curves])

    lam = run_sweep_study(exp, "network.hidden[0].kernel_regularizer.l2", [1e-4, 1e-2], seeds=1)
    assert lam.result["log_x"] is True


def test_sweep_study_stops_on_request():
    with pytest.raises(InterruptedError):
        run_sweep_study(small(epochs=50), "network.hidden[*].dropout", [0.1, 0.2], should_stop=lambda: True)


def test_the_classic_set_of_a_weight_decay_experiment_contrasts_it_with_l2_at_half_the_decay():
    exp = experiment([{"units": 8}, {"units": 8}], weight_decay=0.01)
    variants = classic_variants(exp)
    assert [label for label, _ in variants] == ["none", "weight decay 0.01", "L2 λ=0.005", "dropout 0.3"]
    none, as_is, l2, dropout = (v for _, v in variants)
    assert none.training.weight_decay == 0 and as_is == exp
    assert l2.training.weight_decay == 0 and all(h.kernel_regularizer == Regularizer(0.0, 0.005)
                                                 for h in l2.network.hidden)
    assert dropout.training.weight_decay == 0 and all(h.dropout == 0.3 for h in dropout.network.hidden)
    # Weight decay and label smoothing are named with the rest of what regularizes a variant.
    smoothed = experiment([{"units": 8, "kernel_regularizer": {"l1": 0.0, "l2": 0.001}}], weight_decay=0.002,
                          label_smoothing=0.1)
    assert regularization_label(smoothed) == "L2 λ=0.001 · weight decay 0.002 · label smoothing 0.1"
    assert classic_variants(smoothed)[0][1].training.label_smoothing == 0  # "none" is none of them
