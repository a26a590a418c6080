"""`python main.py run | validate | export`: files read back, bad input gives one line and exit 2."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import cli
from engine.spec import Experiment, load_experiment
from tests.no_reglab import python_without_reglab

REPO = Path(__file__).resolve().parents[2]
SMALL = {
    "reglab": 1, "name": "small",
    "data": {"kind": "toy", "name": "moons", "samples": 120, "noise": 0.2, "validation": 0.25, "seed": 1},
    "network": {"input_dropout": 0.1, "hidden": [
        {"units": 8, "activation": "tanh", "dropout": 0.3, "kernel_regularizer": {"l1": 0.001, "l2": 0.002},
         "bias_regularizer": {"l1": 0.0, "l2": 0.01}, "activity_regularizer": {"l1": 0.0001, "l2": 0.0}}]},
    "training": {"optimizer": "rmsprop", "learning_rate": 0.01, "batch_size": 16, "epochs": 50, "seed": 2},
}


def write(path: Path, spec: dict) -> Path:
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def run_main(*args, cwd=REPO, env=None):
    return subprocess.run([sys.executable, str(REPO / "main.py"), *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def test_run_writes_metrics_experiment_and_a_plain_keras_model(tmp_path):
    exp_file = write(tmp_path / "small.json", SMALL)
    out = tmp_path / "out"
    assert cli.main(["run", str(exp_file), "--epochs", "4", "--out", str(out), "--quiet"]) == 0

    with (out / "metrics.csv").open() as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0])
    assert header[:8] == ["epoch", "loss", "data_loss", "penalty", "train_eval_loss", "val_loss",
                          "accuracy", "val_accuracy"]
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3, 4]
    for r in rows:
        assert float(r["loss"]) == pytest.approx(float(r["data_loss"]) + float(r["penalty"]), rel=1e-4)
        assert float(r["penalty"]) > 0

    saved = load_experiment(out / "experiment.json")
    expected = Experiment.from_dict(SMALL)
    expected.training.epochs = 4
    assert saved.to_dict() == expected.to_dict()

    # The same run in-process gives the same model: compare predictions with the saved file,
    # loaded by a Python that cannot import RegLab at all.
    from engine.training.trainer import Trainer

    trainer = Trainer(expected)
    trainer.run(4)
    x = trainer.data.x_val
    np.save(tmp_path / "x.npy", x)
    script = f"""
        import numpy as np, keras
        model = keras.saving.load_model({str(out / "model.keras")!r})
        print(",".join(type(layer).__name__ for layer in model.layers))
        print(type(model.layers[2].kernel_regularizer).__name__, model.layers[2].kernel_regularizer.get_config())
        np.save({str(tmp_path / "pred.npy")!r}, model.predict(np.load({str(tmp_path / "x.npy")!r}), verbose=0))
    """
    proc = python_without_reglab(script, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    assert lines[-2] == "InputLayer,Dropout,Dense,Dropout,Dense"
    assert lines[-1].startswith("L1L2") and "0.001" in lines[-1] and "0.002" in lines[-1]
    np.testing.assert_allclose(np.load(tmp_path / "pred.npy"), trainer.predict(x), rtol=1e-5, atol=1e-6)


def test_run_prints_a_one_line_summary(tmp_path, capsys):
    exp_file = write(tmp_path / "small.json", SMALL)
    assert cli.main(["run", str(exp_file), "--epochs", "2", "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("small: 2 epochs") and "val_accuracy" in out[0]


def test_validate_describes_the_experiment(tmp_path, capsys):
    assert cli.main(["validate", str(write(tmp_path / "e.json", SMALL))]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("ok: 'small'") and "dropout 0.3" in line and "L1+L2" in line and "90 training" in line


def test_validate_names_every_mechanism(tmp_path, capsys):
    spec = json.loads(json.dumps(SMALL))
    spec["network"] = {
        "input_dropout": 0.1, "input_noise": 0.2, "dropout_style": "gaussian",
        "hidden": [{"units": 6, "activation": "relu", "dropout": 0.3, "batch_norm": True, "max_norm": 3,
                    "noise": 0.1, "kernel_regularizer": {"l1": 0, "l2": 0.001}}],
        "output": {"bias_regularizer": {"l1": 0.01, "l2": 0}},
    }
    spec["training"].update(weight_decay=0.004)
    assert cli.main(["validate", str(write(tmp_path / "e.json", spec))]) == 0
    line = capsys.readouterr().out.strip()
    assert ("; input noise σ 0.2 → input Gaussian dropout 0.1 → 6 relu + batch norm + kernel L2(l2=0.001) + max-norm 3"
            " + noise σ 0.1 + Gaussian dropout 0.3 → output + bias L1(l1=0.01); ") in line
    assert "weight decay 0.004" in line


def bad_inputs(tmp_path: Path):
    (tmp_path / "broken.json").write_text('{"reglab": 1, "name": ', encoding="utf-8")
    bad_rate = json.loads(json.dumps(SMALL))
    bad_rate["network"]["hidden"][0]["dropout"] = 1.2
    csv_spec = json.loads(json.dumps(SMALL))
    csv_spec["data"] = {"kind": "csv", "path": "data.csv", "target": "label", "validation": 0.3, "seed": 0}
    (tmp_path / "data.csv").write_text("a,label\n1,0\n2,1\n,0\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    return {
        "missing": (tmp_path / "nope.json", "no such file"),
        "bad json": (tmp_path / "broken.json", "not valid JSON (line 1"),
        "invalid spec": (write(tmp_path / "rate.json", bad_rate), "network.hidden[0].dropout: 1.2 is out of range"),
        "bad csv": (write(tmp_path / "csv.json", csv_spec), "missing"),
    }


@pytest.mark.parametrize("case", ["missing", "bad json", "invalid spec", "bad csv"])
def test_bad_input_is_one_line_and_exit_2(tmp_path, case):
    path, message = bad_inputs(tmp_path)[case]
    extra = {"run": ["--quiet"], "validate": [], "export": ["--keras"]}
    for command in ("run", "validate", "export"):
        proc = run_main(command, str(path), *extra[command])
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2, proc.stderr
        assert len(lines) == 1 and message in lines[0], proc.stderr
        assert "Traceback" not in proc.stderr


def test_bad_arguments_exit_2(tmp_path):
    exp_file = write(tmp_path / "small.json", SMALL)
    assert run_main("run", str(exp_file), "--epochs", "0").returncode == 2
    proc = run_main("run")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_divergence_exits_1_with_a_reason_and_keeps_files(tmp_path, capsys):
    spec = json.loads(json.dumps(SMALL))
    spec["training"].update(optimizer="sgd", learning_rate=10.0)
    spec["network"]["hidden"][0]["kernel_regularizer"] = {"l1": 0.0, "l2": 100.0}
    out = tmp_path / "o"
    assert cli.main(["run", str(write(tmp_path / "d.json", spec)), "--out", str(out), "--quiet"]) == 1
    assert "diverged" in capsys.readouterr().err
    assert (out / "experiment.json").exists() and (out / "metrics.csv").exists()


@pytest.mark.parametrize("preset", sorted((REPO / "resources" / "presets").glob("*.json")), ids=lambda p: p.stem)
def test_every_preset_is_valid(preset, capsys):
    assert cli.main(["validate", str(preset)]) == 0


def test_run_with_early_stopping_says_where_it_stopped(tmp_path, capsys):
    spec = json.loads(json.dumps(SMALL))
    spec["data"].update(samples=60, noise=0.9)
    spec["network"]["hidden"] = [{"units": 64}, {"units": 64}]
    spec["training"].update(epochs=300, learning_rate=0.03, early_stopping={"patience": 5,
                                                                            "restore_best_weights": True})
    out = tmp_path / "o"
    assert cli.main(["run", str(write(tmp_path / "e.json", spec)), "--out", str(out)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("Early stopping after epoch") and "restored" in lines[0]
    with (out / "metrics.csv").open() as f:
        epochs = len(list(csv.DictReader(f)))
    assert epochs < 300 and f"{epochs} epochs" in lines[1]
