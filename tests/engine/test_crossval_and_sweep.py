"""`cv` and `sweep`: files read back and recomputed; paths and value ranges parsed; errors are one line."""

import csv
import json

import numpy as np
import pytest

from engine import cli
from engine.data import load_table
from engine.spec import Experiment, SpecError, parse_values, set_path

SPEC = {
    "reglab": 1, "name": "small",
    "data": {"kind": "toy", "name": "moons", "samples": 60, "noise": 0.2, "validation": 0.25, "seed": 3},
    "network": {"hidden": [{"units": 6, "activation": "tanh", "dropout": 0.1}]},
    "training": {"optimizer": "adam", "learning_rate": 0.02, "batch_size": 16, "epochs": 4, "seed": 1},
}


def write(tmp_path, spec, name="exp.json"):
    path = tmp_path / name
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_cv_files_recompute_the_final_score_in_the_input_order(tmp_path, capsys):
    out = tmp_path / "cv"
    assert cli.main(["cv", str(write(tmp_path, SPEC)), "--folds", "4", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[-1].startswith("Final, out of sample score (RMSE): ")
    final = float(printed[-1].split(": ")[1])

    folds = read_csv(out / "folds.csv")
    assert [int(r["fold"]) for r in folds] == [1, 2, 3, 4]
    assert sum(int(r["test_size"]) for r in folds) == 60
    assert all(int(r["train_size"]) + int(r["test_size"]) == 60 for r in folds)
    assert {"rmse", "accuracy", "log_loss"} <= set(folds[0])

    rows = read_csv(out / "oos_predictions.csv")
    table = load_table(Experiment.from_dict(SPEC).data)
    assert len(rows) == 60
    np.testing.assert_allclose([[float(r["x1"]), float(r["x2"])] for r in rows], table.x, rtol=1e-9)  # input order
    true = np.array([[float(r["true_0"]), float(r["true_1"])] for r in rows])
    pred = np.array([[float(r["predicted_0"]), float(r["predicted_1"])] for r in rows])
    np.testing.assert_array_equal(true.argmax(axis=1), table.y)
    np.testing.assert_allclose(pred.sum(axis=1), 1.0, atol=1e-5)  # (1 − p, p)
    assert final == pytest.approx(np.sqrt(np.mean((pred - true) ** 2)), rel=1e-4)


def test_cv_on_a_csv_keeps_its_columns_and_rows(tmp_path):
    rng = np.random.default_rng(0)
    lines = ["size,colour,price"]
    for i in range(40):
        size = float(rng.uniform(1, 5))
        lines.append(f"{size:.3f},{'red' if i % 3 else 'blue'},{2 * size + rng.normal(0, 0.1):.3f}")
    (tmp_path / "houses.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = json.loads(json.dumps(SPEC))
    spec["data"] = {"kind": "csv", "path": "houses.csv", "target": "price", "validation": 0.2, "seed": 0}
    out = tmp_path / "cv"
    assert cli.main(["cv", str(write(tmp_path, spec)), "--folds", "3", "--out", str(out)]) == 0
    rows = read_csv(out / "oos_predictions.csv")
    assert list(rows[0])[:3] == ["size", "colour", "price"]
    assert [r["colour"] for r in rows] == [line.split(",")[1] for line in lines[1:]]
    true = np.array([float(r["true_price"]) for r in rows])
    np.testing.assert_allclose(true, [float(line.split(",")[2]) for line in lines[1:]], rtol=1e-5)
    assert np.isfinite([float(r["predicted_price"]) for r in rows]).all()


def test_cv_rejects_bad_fold_counts(tmp_path, capsys):
    assert cli.main(["cv", str(write(tmp_path, SPEC)), "--folds", "1"]) == 2
    assert "--folds: 1 is out of range [2, 20]" in capsys.readouterr().err


def test_parse_values():
    assert parse_values("0,0.2, 0.5") == [0.0, 0.2, 0.5]
    np.testing.assert_allclose(parse_values("1e-5:1:6"), [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    for bad in ("", "a,b", "0:1:5", "1e-3:1:1", "1:2:x", "1:inf:3", "nan:1:3", "1:2:100000000", "1,nan"):
        with pytest.raises(SpecError) as caught:
            parse_values(bad)
        assert caught.value.field == "values" and repr(bad.strip()) in str(caught.value)


def test_set_path_reaches_layers_regularizers_and_all_layers():
    exp = Experiment.from_dict({**SPEC, "network": {"hidden": [{"units": 4}, {"units": 5, "dropout": 0.3}]}})
    every = set_path(exp, "network.hidden[*].dropout", 0.4)
    assert [h.dropout for h in every.network.hidden] == [0.4, 0.4]
    assert exp.network.hidden[1].dropout == 0.3  # the original is untouched
    reg = set_path(exp, "network.hidden[1].kernel_regularizer.l2", 0.01)
    assert reg.network.hidden[1].kernel_regularizer.l2 == 0.01 and reg.network.hidden[1].kernel_regularizer.l1 == 0
    assert set_path(exp, "training.learning_rate", 0.1).training.learning_rate == 0.1
    with pytest.raises(SpecError, match=r"network\.hidden\[0\]\.dropout: 2 is out of range"):
        set_path(exp, "network.hidden[0].dropout", 2.0)
    with pytest.raises(SpecError, match="does not exist"):
        set_path(exp, "network.hidden[5].dropout", 0.1)
    with pytest.raises(SpecError, match="no field 'droput'"):
        set_path(exp, "network.hidden[0].droput", 0.1)


def test_sweep_writes_csv_and_png_and_names_the_best(tmp_path, capsys):
    out = tmp_path / "sweep"
    args = ["sweep", str(write(tmp_path, SPEC)), "--param", "network.hidden[0].kernel_regularizer.l2",
            "--values", "1e-4:10:3", "--seeds", "2", "--out", str(out)]
    assert cli.main(args) == 0
    rows = read_csv(out / "sweep.csv")
    assert len(rows) == 6 and sorted({r["seed"] for r in rows}) == ["1", "2"]
    assert list(rows[0])[:5] == ["value", "seed", "final_train_accuracy", "final_val_accuracy", "best_val_accuracy"]
    losses = {}
    for r in rows:
        losses.setdefault(float(r["value"]), []).append(float(r["final_val_loss"]))
    best = min(losses, key=lambda v: np.mean(losses[v]))
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        f"Best network.hidden[0].kernel_regularizer.l2: {best:g} (lowest mean final validation loss)")
    png = (out / "validation_curve.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_sweep_bad_path_is_one_line_exit_2(tmp_path, capsys):
    code = cli.main(["sweep", str(write(tmp_path, SPEC)), "--param", "network.hidden[0].units.x", "--values", "1"])
    assert code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


# ---------------------------------------------------------------------------- the sweep's test score

# Classic dropout: the final model's evaluation scales by the rate, so a score made with another value's network
# would differ.
TESTED = {**SPEC, "data": {**SPEC["data"], "samples": 80, "test": 0.25},
          "network": {**SPEC["network"], "dropout_style": "classic"}}


def hand_test_score(exp, param, value, seeds):
    """Train the value's runs again (training is deterministic) and score their final models on the test rows
    with plain numpy: accuracy, and binary cross-entropy as Keras clips it (1e-7)."""
    from engine.data import load_dataset
    from engine.training.trainer import Trainer

    ds = load_dataset(exp)
    accuracies, losses, val_losses = [], [], []
    for s in range(seeds):
        run = set_path(exp, param, value)
        run.training.seed = exp.training.seed + s
        trainer = Trainer(run, ds, grid_every=0)
        trainer.run()
        p = np.clip(trainer.predict(ds.x_test)[:, 0].astype(np.float64), 1e-7, 1 - 1e-7)
        y = ds.y_test[:, 0]
        accuracies.append(np.mean((p > 0.5) == (y == 1)))
        losses.append(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        val_losses.append(trainer.history[-1]["val_loss"])
    return np.mean(accuracies), np.mean(losses), val_losses


def test_the_sweep_scores_only_the_chosen_value_on_the_test_rows():
    from engine.studies.sweep import best_value, run_sweep

    exp = Experiment.from_dict(TESTED)
    param = "network.hidden[0].dropout"
    scores = []
    rows = run_sweep(exp, param, [0.0, 0.5, 0.9], seeds=2, on_test_score=scores.append)
    assert len(scores) == 1
    score = scores[0]
    assert score.value == best_value(rows) and score.seeds == 2 and score.test_rows == 20  # ⌈0.25 · 80⌉
    accuracy, loss, val_losses = hand_test_score(exp, param, score.value, 2)
    assert val_losses == [r.final_val_loss for r in rows if r.value == score.value]  # the same final models
    assert score.test_metric == pytest.approx(accuracy, abs=1e-9)
    assert score.test_loss == pytest.approx(loss, rel=1e-5)
    assert score.sentence() == (f"Test score of the chosen value ({score.value:g}) on 20 untouched rows: "
                                f"accuracy {accuracy:.3g}, loss {loss:.3g} (mean of 2 seeds)")


def test_a_regression_sweep_scores_rmse_in_the_targets_units():
    from engine.data import load_dataset, load_table
    from engine.studies.sweep import run_sweep
    from engine.training.trainer import Trainer

    spec = {**TESTED, "data": {"kind": "sklearn", "name": "diabetes", "validation": 0.3, "test": 0.2, "seed": 0},
            "network": {"hidden": [{"units": 8, "dropout": 0.3}], "dropout_style": "classic"}}
    exp = Experiment.from_dict(spec)
    scores = []
    run_sweep(exp, "training.learning_rate", [0.02], on_test_score=scores.append)  # the spec's own rate
    trainer = Trainer(exp, ds := load_dataset(exp), grid_every=0)
    trainer.run()
    predicted = trainer.predict(ds.x_test)[:, 0] * ds.target_std + ds.target_mean
    target = load_table(exp.data).y[ds.test_index]
    assert scores[0].metric == "rmse" and scores[0].test_rows == 89  # ⌈0.2 · 442⌉
    assert scores[0].test_metric == pytest.approx(np.sqrt(np.mean((predicted - target) ** 2)), rel=1e-5)
    standardized = (predicted - target) / ds.target_std
    assert scores[0].test_loss == pytest.approx(np.mean(standardized ** 2), rel=1e-4)  # MSE, as val_loss
    assert ", loss " in scores[0].sentence() and ": RMSE " in scores[0].sentence()


def test_without_test_rows_there_is_no_test_score():
    from engine.studies.sweep import run_sweep

    scores = []
    run_sweep(Experiment.from_dict(SPEC), "network.hidden[0].dropout", [0.0], on_test_score=scores.append)
    assert scores == []


def test_only_the_best_value_so_far_and_values_still_to_come_keep_their_weights():
    from engine.studies.sweep import _forget_unchosen

    kept = {0.1: ["w"], 0.2: ["w"], 0.3: ["w"]}
    _forget_unchosen(kept, 0.2, [0.3, 0.5])
    assert set(kept) == {0.2, 0.3}


def test_sweep_study_result_carries_the_test_score_sentence():
    from engine.studies.study import run_sweep_study

    progress = run_sweep_study(Experiment.from_dict(TESTED), "network.hidden[0].dropout", [0.0, 0.5])
    score = progress.result["test_score"]
    assert score["value"] == progress.result["best"] and score["test_rows"] == 20 and score["seeds"] == 1
    assert score["text"] == (f"Test score of the chosen value ({score['value']:g}) on 20 untouched rows: "
                             f"accuracy {score['test_metric']:.3g}, loss {score['test_loss']:.3g}")


def test_sweep_cli_prints_and_writes_the_test_score(tmp_path, capsys):
    out = tmp_path / "sweep"
    args = ["sweep", str(write(tmp_path, TESTED)), "--param", "network.hidden[0].dropout", "--values", "0,0.5",
            "--seeds", "2", "--out", str(out)]
    assert cli.main(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert list(read_csv(out / "sweep.csv")[0]) == ["value", "seed", "final_train_accuracy", "final_val_accuracy",
                                                    "best_val_accuracy", "best_epoch", "final_val_loss"]
    (score,) = read_csv(out / "test_score.csv")
    assert list(score) == ["value", "seeds", "test_rows", "test_accuracy", "test_loss"]
    best = lines[-2].split(": ")[1].split(" ")[0]
    assert score["value"] == best and score["seeds"] == "2" and score["test_rows"] == "20"
    assert lines[-1] == (f"Test score of the chosen value ({best}) on 20 untouched rows: accuracy "
                         f"{float(score['test_accuracy']):.3g}, loss {float(score['test_loss']):.3g} (mean of 2 seeds)")
    assert "test_score.csv" in lines[-3]


def test_sweep_cli_without_test_rows_writes_no_test_score(tmp_path, capsys):
    out = tmp_path / "sweep"
    args = ["sweep", str(write(tmp_path, SPEC)), "--param", "network.hidden[0].dropout", "--values", "0",
            "--out", str(out)]
    assert cli.main(args) == 0
    assert not (out / "test_score.csv").exists()
    assert "Test score" not in capsys.readouterr().out
