"""The regularization path (engine/studies/path.py, `python main.py path`): the weights and scores it records are
those of plain training runs, its files read back to them, its summaries match hand computation, and bad input
gives one line and exit 2."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from engine import cli
from engine.spec import Experiment, SpecError, set_path
from engine.studies.crossval import cross_validate
from engine.studies.path import (
    MAX_DRAWN_WEIGHTS,
    drawn_note,
    drawn_weights,
    flat_weights,
    run_path,
    run_path_study,
    summarize,
    weight_names,
    write_path_csv,
    write_summary_csv,
)
from engine.training.snapshot import NEAR_ZERO
from engine.training.trainer import Trainer

L1 = "network.hidden[0].kernel_regularizer.l1"
SPEC = {
    "reglab": 1, "name": "path",
    "data": {"kind": "toy", "name": "tabular", "samples": 60, "noise": 0.2, "validation": 0.3, "seed": 3},
    "network": {"hidden": [{"units": 4, "activation": "relu", "kernel_regularizer": {"l1": 0.001, "l2": 0.0}}]},
    "training": {"optimizer": "sgd", "learning_rate": 0.05, "batch_size": 16, "epochs": 6, "seed": 5},
}
WEIGHTS = 10 * 4 + 4 * 1  # tabular's 10 features → 4 units → 1 output


def small() -> Experiment:
    return Experiment.from_dict(SPEC)


def plain_run(exp: Experiment, value: float, seed: int) -> Trainer:
    run = set_path(exp, L1, value)
    run.training.seed = seed
    trainer = Trainer(run, grid_every=0)
    trainer.run()
    return trainer


@pytest.fixture(scope="module")
def two_seeds():
    """λ = 0.001 and 0.3 × training seeds 5 and 6."""
    return run_path(small(), L1, [0.001, 0.3], seeds=2)


def test_each_run_keeps_the_kernels_and_scores_of_a_plain_training_run(two_seeds):
    assert [(r.value, r.seed, r.fold) for r in two_seeds] == [(0.001, 5, 0), (0.001, 6, 0), (0.3, 5, 0), (0.3, 6, 0)]
    for run in (two_seeds[1], two_seeds[2]):
        trainer = plain_run(small(), run.value, run.seed)
        assert len(run.kernels) == 2  # the hidden layer, then the output layer
        for kept, dense in zip(run.kernels, trainer.net.dense, strict=True):
            np.testing.assert_array_equal(kept, dense.kernel.numpy())
        last = trainer.history[-1]  # the trainer evaluates the final weights with dropout off, as the path does
        assert run.scores["train_accuracy"] == pytest.approx(last["train_eval_accuracy"], abs=1e-6)
        assert run.scores["val_accuracy"] == pytest.approx(last["val_accuracy"], abs=1e-6)
        assert run.scores["train_loss"] == pytest.approx(last["train_eval_loss"], rel=1e-5)
        assert run.scores["val_loss"] == pytest.approx(last["val_loss"], rel=1e-5)


def test_the_summary_is_the_runs_near_zero_fraction_norms_and_score_spread(two_seeds):
    points = summarize(two_seeds)
    assert [(p.value, p.runs) for p in points] == [(0.001, 2), (0.3, 2)]
    for point, runs in ((points[0], two_seeds[:2]), (points[1], two_seeds[2:])):
        w = [np.concatenate([k.ravel() for k in r.kernels]).astype(np.float64) for r in runs]
        assert point.near_zero_fraction == pytest.approx(np.mean([np.mean(np.abs(x) < NEAR_ZERO) for x in w]))
        assert point.l1 == pytest.approx(np.mean([np.abs(x).sum() for x in w]))
        assert point.l2 == pytest.approx(np.mean([(x * x).sum() for x in w]))
        val = [r.scores["val_accuracy"] for r in runs]
        assert point.mean["val_accuracy"] == pytest.approx((val[0] + val[1]) / 2)
        assert point.std["val_accuracy"] == pytest.approx(abs(val[0] - val[1]) / 2)  # ddof 0 over two runs
    assert points[1].l1 < points[0].l1  # a stronger L1 penalty leaves a smaller Σ|w|


def test_path_csv_holds_every_kernel_weight_of_every_run(two_seeds, tmp_path):
    write_path_csv(two_seeds, tmp_path / "path.csv")
    with (tmp_path / "path.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["value", "layer", "row", "column", "weight", "seed", "fold"]
    assert len(rows) == 4 * WEIGHTS
    by_run = {(r.value, r.seed): r for r in two_seeds}
    for row in rows[:: 7]:
        run = by_run[(float(row["value"]), int(row["seed"]))]
        kernel = run.kernels[int(row["layer"])]
        assert float(row["weight"]) == pytest.approx(kernel[int(row["row"]), int(row["column"])], rel=1e-5, abs=1e-9)
        assert row["fold"] == "0"
    names = weight_names(two_seeds[0].kernels)
    assert names.shape == (WEIGHTS, 3)
    assert names[40].tolist() == [1, 0, 0]  # the output layer's first weight follows the 10 × 4 hidden kernel
    assert flat_weights(two_seeds[0].kernels)[40] == two_seeds[0].kernels[1][0, 0]


def test_path_summary_csv_reads_back(two_seeds, tmp_path):
    points = summarize(two_seeds)
    write_summary_csv(points, tmp_path / "path_summary.csv")
    with (tmp_path / "path_summary.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["value", "near_zero_fraction", "l1", "l2", "train_accuracy",
                             "train_accuracy_std", "val_accuracy", "val_accuracy_std", "train_loss", "train_loss_std",
                             "val_loss", "val_loss_std", "runs"]
    for row, point in zip(rows, points, strict=True):
        assert float(row["value"]) == point.value and int(row["runs"]) == 2
        assert float(row["l1"]) == pytest.approx(point.l1, rel=1e-5)
        assert float(row["val_loss_std"]) == pytest.approx(point.std["val_loss"], rel=1e-5, abs=1e-9)


def test_k_fold_runs_score_each_held_out_fold_as_cross_validation_does():
    exp = small()
    runs = run_path(exp, L1, [0.01], folds=3)
    cv = cross_validate(set_path(exp, L1, 0.01), 3)
    assert [r.fold for r in runs] == [1, 2, 3]
    for run, fold in zip(runs, cv.folds, strict=True):
        assert run.scores["val_accuracy"] == pytest.approx(fold.scores["accuracy"])
    point = summarize(runs)[0]
    accuracies = [f.scores["accuracy"] for f in cv.folds]
    assert point.mean["val_accuracy"] == pytest.approx(np.mean(accuracies))
    assert point.std["val_accuracy"] == pytest.approx(np.std(accuracies))


def test_the_study_reports_a_row_and_the_first_runs_weights_per_value():
    reports = []
    progress = run_path_study(small(), L1, [0.001, 0.3], seeds=2, report=lambda p: reports.append(len(p.table)))
    assert progress.kind == "path" and progress.done and progress.result["log_x"]
    assert [row["value"] for row in progress.table] == [0.001, 0.3]
    assert [row["runs"] for row in progress.table] == [2, 2]
    assert [v for v, _ in progress.result["lines"]] == [0.001, 0.3]
    first = run_path(small(), L1, [0.3])[0]  # the experiment's own seed
    np.testing.assert_array_equal(progress.result["lines"][1][1], flat_weights(first.kernels))
    assert progress.result["names"].shape == (WEIGHTS, 3)
    assert len(progress.curves) == 4 and all(len(c.rows) == 6 for c in progress.curves)
    assert reports[0] == 0 and reports[-1] == 2  # rows appear as values finish


def test_stopping_ends_the_path_between_epochs():
    with pytest.raises(InterruptedError):
        run_path(small(), L1, [0.001, 0.01], should_stop=lambda: True)


def test_a_value_that_makes_training_diverge_is_named():
    linear = small()  # a linear network on a regression plane: SGD with learning rate 10 overflows within epochs
    linear.data = Experiment.from_dict({**SPEC, "data": {"kind": "toy", "name": "plane", "samples": 60}}).data
    linear.network.hidden[0].activation = "linear"
    with pytest.raises(SpecError, match=r"^training.learning_rate = 10: training diverged in epoch \d+; leave") \
            as caught:
        run_path(linear, "training.learning_rate", [0.01, 10])
    assert caught.value.field == "values"


def test_a_huge_network_draws_every_kth_weight_and_says_so():
    assert len(drawn_weights(300)) == 300 and drawn_note(300, 300) == ""
    drawn = drawn_weights(4288)  # 2-64-64-1
    assert len(drawn) == 858 and drawn[1] == 5 and len(drawn) <= MAX_DRAWN_WEIGHTS
    assert drawn_note(4288, 858) == "every 5th of the 4288 kernel weights is drawn (858)"
    assert drawn_note(2100, len(drawn_weights(2100))) == "every 3rd of the 2100 kernel weights is drawn (700)"


# --------------------------------------------------------------------------- the command line


def write(tmp_path, spec=SPEC):
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return str(path)


def test_the_path_command_writes_its_three_files(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["path", write(tmp_path), "--param", L1, "--values", "1e-3:0.1:3", "--out", str(out)]) == 0
    with (out / "path.csv").open() as f:
        assert sum(1 for _ in f) == 1 + 3 * WEIGHTS
    with (out / "path_summary.csv").open() as f:
        assert [float(r["value"]) for r in csv.DictReader(f)] == pytest.approx([1e-3, 1e-2, 1e-1])
    assert (out / "regularization_path.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"{L1} = 0.001 (seed 5): train_accuracy ")
    assert printed[-1].startswith("wrote ")


@pytest.mark.parametrize(("args", "message"), [
    (["--param", "network.hidden[3].dropout", "--values", "0.1"], "reglab: --param: 'network.hidden[3].dropout': "),
    (["--param", L1, "--values", "1:x"], "reglab: --values: '1:x' is neither a list"),
    (["--param", L1, "--values", "-0.1"], "reglab: network.hidden[0].kernel_regularizer.l1: "),
    (["--param", L1, "--values", "0.1", "--folds", "1"], "reglab: --folds: 1 is out of range [2, 20]"),
    (["--param", L1, "--values", "0.1", "--seeds", "0"], "reglab: --seeds: 0 is out of range [1, 20]"),
    (["--values", "0.1"], "reglab: the following arguments are required: --param"),
])
def test_bad_input_gives_one_line_and_exit_2(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert exit_code(["path", write(tmp_path), *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1
    assert not out.exists()


def exit_code(argv: list[str]) -> int:
    """What the command returns, or the code it exits with (argparse exits on a missing flag)."""
    try:
        return cli.main(argv)
    except SystemExit as exc:
        return exc.code


# --------------------------------------------------------------------------- a lesson's path study


LESSON = {"title": "t", "text": "x", "look_at": "y"}


@pytest.mark.parametrize(("study", "message"), [
    ({"kind": "path", "values": "0,0.1"}, "lesson.study.param: missing; a path names the field (param) and its values"),
    ({"kind": "path", "param": L1, "values": "0,0.1", "folds": 1},
     "lesson.study.folds: 1 is not a K-fold; 0 (none) or 2 to 20"),
    ({"kind": "path", "param": L1, "values": "0,0.1", "folds": 21}, "lesson.study.folds: 21 is out of range [0, 20]"),
    ({"kind": "path", "param": L1, "values": "0:1:5"}, "lesson.study.values: '0:1:5' is neither a list"),
    ({"kind": "path", "param": L1, "values": "0,0.1", "variants": []}, "lesson.study.variants: unknown field"),
])
def test_a_lessons_path_study_is_checked_like_a_sweep(study, message):
    with pytest.raises(SpecError) as caught:
        Experiment.from_dict({**SPEC, "lesson": {**LESSON, "study": study}})
    assert str(caught.value).startswith(message)


def test_a_lessons_path_study_reads_folds_and_seeds():
    study = {"kind": "path", "param": L1, "values": "1e-4:0.1:4", "folds": 3, "seeds": 2}
    exp = Experiment.from_dict({**SPEC, "lesson": {**LESSON, "study": study}})
    assert exp.lesson.study == study
    assert Experiment.from_dict(exp.to_dict()).lesson.study == study  # written back as read
