"""Studies (compare, cross-validation, sweep) report the same numbers as the plain engine runs they wrap."""

import numpy as np
import pytest
from builders import experiment

from engine.crossval import cross_validate
from engine.spec import Regularizer, SpecError
from engine.study import (
    MAX_VARIANTS,
    classic_variants,
    run_compare,
    run_cv_study,
    run_summary,
    run_sweep_study,
)
from engine.sweep import best_value, run_sweep
from engine.trainer import Trainer


def small(epochs=4, **fields):
    exp = experiment([{"units": 8, "dropout": 0.25, "kernel_regularizer": {"l1": 0.0, "l2": 0.003}},
                      {"units": 6}], epochs=epochs, **fields)
    exp.data.samples = 120
    return exp


def test_classic_variants_are_none_l2_dropout_and_both():
    exp = small()
    exp.network.hidden[1].activity_regularizer = Regularizer(0.01, 0.0)
    labels, variants = zip(*classic_variants(exp), strict=True)
    assert labels == ("none", "L2 λ=0.003", "dropout 0.25", "L2 λ=0.003 + dropout 0.25")
    kernels = [[h.kernel_regularizer for h in v.network.hidden] for v in variants]
    rates = [[h.dropout for h in v.network.hidden] for v in variants]
    assert kernels == [[None, None], [Regularizer(0, 0.003)] * 2, [None, None], [Regularizer(0, 0.003)] * 2]
    assert rates == [[0, 0], [0, 0], [0.25, 0.25], [0.25, 0.25]]
    assert all(h.activity_regularizer is None and h.bias_regularizer is None
               for v in variants for h in v.network.hidden)
    assert all(v.data == exp.data and v.training == exp.training for v in variants)  # same data and seed
    assert [h.units for h in variants[0].network.hidden] == [8, 6]

    bare = experiment([{"units": 4}])  # nothing of its own: λ 1e-3, rate 0.3
    assert [label for label, _ in classic_variants(bare)] == ["none", "L2 λ=0.001", "dropout 0.3",
                                                               "L2 λ=0.001 + dropout 0.3"]


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
