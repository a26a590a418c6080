"""`python main.py export EXP.json --keras`: a standalone Keras script with the same data, model and training."""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import cli
from engine.data import load_dataset
from engine.export.keras_script import keras_script
from engine.spec import Experiment, load_experiment
from engine.training.keras_names import HEADS
from tests.no_reglab import python_without_reglab

REPO = Path(__file__).resolve().parents[2]
DEFAULT = json.loads((REPO / "resources" / "presets" / "default.json").read_text(encoding="utf-8"))


def spec(data=None, hidden=None, **network_or_training) -> dict:
    d = json.loads(json.dumps(DEFAULT))
    if data is not None:
        d["data"] = data
    if hidden is not None:
        d["network"]["hidden"] = hidden
    for key, value in network_or_training.items():
        (d["training"] if key in ("early_stopping", "optimizer", "learning_rate") else d["network"])[key] = value
    return d


def write_csv(folder: Path, missing: bool = False) -> Path:
    """Three classes (text labels), a numeric, a true/false and a text feature column (some values missing)."""
    rng = np.random.default_rng(5)
    rows = ["size,ok,colour,kind"]
    for i in range(60):
        kind = ("ant", "bee", "cat")[i % 3]
        size = ("" if i % 7 == 0 else "inf" if i % 11 == 0 else f"{rng.normal() + i % 3:.4f}") if missing else \
            f"{rng.normal() + i % 3:.4f}"
        colour = "" if missing and i == 5 else ("red", "blue")[i % 4 == 0]
        rows.append(f"{size},{bool(i % 2)},{colour},{kind}")
    path = folder / "animals.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


CSV_DATA = {"kind": "csv", "path": "animals.csv", "target": "kind", "validation": 0.3, "seed": 4}
REG = {"l1": 0.001, "l2": 0.002}
SPECS = {
    "toy 2-D": spec(),
    "3 classes (iris)": spec({"kind": "sklearn", "name": "iris", "validation": 0.3, "seed": 1}),
    "regression (diabetes)": spec({"kind": "sklearn", "name": "diabetes", "validation": 0.2, "seed": 2},
                                  optimizer="sgd", learning_rate=0.05),
    "toy regression": spec({"kind": "toy", "name": "ripple", "samples": 100, "noise": 0.3, "validation": 0.3,
                            "seed": 0}, optimizer="rmsprop"),
    "csv": spec(CSV_DATA),
    "elastic net, bias, activity, input dropout": spec(
        hidden=[{"units": 7, "activation": "tanh", "dropout": 0.3, "kernel_regularizer": REG,
                 "bias_regularizer": {"l1": 0.0, "l2": 0.03}, "activity_regularizer": {"l1": 1e-05, "l2": 0.0}},
                {"units": 5, "activation": "elu", "dropout": 0.0, "kernel_regularizer": {"l1": 0.004, "l2": 0.0}}],
        input_dropout=0.15),
    "early stopping, no hidden layer": spec(hidden=[], early_stopping={"patience": 7,
                                                                       "restore_best_weights": False}),
    "classic dropout": spec(dropout_style="classic"),
}


def experiment(d: dict, folder: Path) -> Experiment:
    if d["data"]["kind"] == "csv":
        write_csv(folder, missing=d["data"].get("drop_missing", False))
    return Experiment.from_dict(d, base_dir=folder)


def import_script(source: str, path: Path):
    path.write_text(source, encoding="utf-8")
    module_spec = importlib.util.spec_from_file_location(f"exported_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def f32(config: dict) -> dict:
    """λ as float32 (Keras keeps some of them so: L1(1e-05).get_config() gives 9.9999997e-06)."""
    return {k: float(np.float32(v)) for k, v in config.items()}


def regularizer_config(r) -> tuple | None:
    """(Keras class name, config) of the stock regularizer for a spec entry."""
    if r is None or (r.l1 == 0 and r.l2 == 0):
        return None
    if r.l1 and r.l2:
        return "L1L2", f32({"l1": r.l1, "l2": r.l2})
    return ("L1", f32({"l1": r.l1})) if r.l1 else ("L2", f32({"l2": r.l2}))


def expected_layers(exp: Experiment, n_outputs: int, task: str) -> list[tuple]:
    net = exp.network
    layers = [("Dropout", net.input_dropout)] if net.input_dropout else []
    for h in net.hidden:
        regs = tuple(regularizer_config(getattr(h, f"{k}_regularizer")) for k in ("kernel", "bias", "activity"))
        layers.append(("Dense", h.units, h.activation, regs))
        if h.dropout:
            layers.append(("Dropout", h.dropout))
    layers.append(("Dense", n_outputs, HEADS[task].activation, (None, None, None)))
    return layers


def actual_layers(model) -> list[tuple]:
    out = []
    for layer in model.layers:
        if type(layer).__name__ == "Dropout":
            out.append(("Dropout", layer.rate))
            continue
        regs = []
        for kind in ("kernel", "bias", "activity"):
            r = getattr(layer, f"{kind}_regularizer")
            regs.append(None if r is None else (type(r).__name__, f32(r.get_config())))
        out.append(("Dense", layer.units, layer.activation.__name__, tuple(regs)))
    return out


@pytest.mark.parametrize("name", list(SPECS))
def test_build_model_matches_the_spec(tmp_path, name):
    exp = experiment(SPECS[name], tmp_path)
    module = import_script(keras_script(exp), tmp_path / "model.py")
    ds = load_dataset(exp)
    model = module.build_model()
    assert model.input_shape == (None, ds.n_features)
    assert actual_layers(model) == expected_layers(exp, ds.n_outputs, ds.task)
    t = exp.training
    optimizer = model.optimizer
    assert type(optimizer).__name__ == {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}[t.optimizer]
    assert float(optimizer.learning_rate.numpy()) == pytest.approx(t.learning_rate)
    assert model.loss == HEADS[ds.task].loss
    import keras

    logs = model.evaluate(ds.x_val, ds.y_val, verbose=0, return_dict=True)  # data_loss: the task's loss, no penalty
    data_loss = keras.losses.get(HEADS[ds.task].loss)(ds.y_val, model(ds.x_val, training=False))
    assert logs["data_loss"] == pytest.approx(float(np.mean(data_loss)), rel=1e-5)
    assert (module.EPOCHS, module.BATCH_SIZE, module.SEED) == (t.epochs, t.batch_size, t.seed)
    source = (tmp_path / "model.py").read_text(encoding="utf-8")
    assert "engine" not in source.replace("# ", "").split('"""', 2)[2]  # no RegLab import in the code
    if t.early_stopping is not None:
        assert f"patience={t.early_stopping.patience}" in source
        assert f"restore_best_weights={t.early_stopping.restore_best_weights}" in source
    if exp.network.dropout_style == "classic":
        assert "only inverted dropout" in source


TOY_SETS = ["circle", "xor", "gaussian", "spiral", "moons", "tabular", "plane", "ripple"]


@pytest.mark.parametrize("data", [
    *({"kind": "toy", "name": n, "samples": 101, "noise": 0.35, "validation": 0.3, "seed": 3} for n in TOY_SETS),
    {"kind": "sklearn", "name": "iris", "validation": 0.3, "seed": 1},
    {"kind": "sklearn", "name": "diabetes", "validation": 0.2, "seed": 2},
    CSV_DATA,
    {**CSV_DATA, "drop_missing": True, "task": "classification"},
], ids=[*TOY_SETS, "iris", "diabetes", "csv", "csv dropping missing rows"])
def test_load_data_gives_reglabs_arrays(tmp_path, data):
    exp = experiment(spec(data), tmp_path)
    module = import_script(keras_script(exp), tmp_path / "model.py")
    ds = load_dataset(exp)
    if data.get("drop_missing"):
        assert len(ds.x_train) + len(ds.x_val) < 60  # some rows were dropped
    for got, want in zip(module.load_data(), (ds.x_train, ds.y_train, ds.x_val, ds.y_val), strict=True):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", ["toy 2-D", "csv", "elastic net, bias, activity, input dropout",
                                  "early stopping, no hidden layer", "regression (diabetes)"])
def test_the_script_is_formatted_code(tmp_path, name):
    source = keras_script(experiment(SPECS[name], tmp_path))
    compile(source, "model.py", "exec")
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    (tmp_path / "model.py").write_text(source, encoding="utf-8")
    lint = ["check", "--isolated", "--select", "E,F,W,I,B,UP", "--ignore", "E501"]  # a long path may not fit
    for args in (["format", "--isolated", "--check"], lint):
        proc = subprocess.run([ruff, *args, "model.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def run_without_reglab(script: Path, *args: str) -> subprocess.CompletedProcess:
    """Run an exported script as `python script.py args` would, with RegLab hidden."""
    run = """
        import runpy
        sys.argv = sys.argv[1:]
        runpy.run_path(sys.argv[0], run_name="__main__")
    """
    return python_without_reglab(run, str(script), *args, cwd=script.parent, timeout=180)


def test_cli_export_writes_a_script_that_trains_without_reglab(tmp_path):
    d = SPECS["elastic net, bias, activity, input dropout"]
    d = {**d, "data": CSV_DATA, "training": {**d["training"], "early_stopping": {"patience": 3}}}
    write_csv(tmp_path)
    exp_file = tmp_path / "exp.json"
    exp_file.write_text(json.dumps(d), encoding="utf-8")
    out = tmp_path / "elsewhere" / "model.py"
    out.parent.mkdir()
    assert cli.main(["export", str(exp_file), "--keras", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == keras_script(load_experiment(exp_file))

    proc = run_without_reglab(out, "--epochs", "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("final val_loss: ") and np.isfinite(float(last.split()[-1]))
    assert "Epoch 2/2" in proc.stdout


def test_cli_export_prints_the_script_without_o(tmp_path, capsys):
    exp_file = tmp_path / "e.json"
    exp_file.write_text(json.dumps(SPECS["toy 2-D"]), encoding="utf-8")
    assert cli.main(["export", str(exp_file), "--keras"]) == 0
    assert capsys.readouterr().out == keras_script(load_experiment(exp_file))


def test_cli_export_bad_input_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"reglab": 1, "name": ', encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(SPECS["toy 2-D"]), encoding="utf-8")
    cases = [
        (["export", str(tmp_path / "missing.json"), "--keras"], "no such file"),
        (["export", str(bad), "--keras"], "not valid JSON"),
        (["export", str(good)], "--keras"),
        (["export", str(good), "--keras", "-o", str(tmp_path / "no" / "such" / "dir" / "m.py")], "m.py"),
    ]
    for args, message in cases:
        proc = subprocess.run([sys.executable, str(REPO / "main.py"), *args], capture_output=True, text=True,
                              cwd=tmp_path, timeout=120)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2, (args, proc.stderr)
        assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr, (args, proc.stderr)
        assert proc.stdout == ""


L2 = 0.03
STOPPING = {
    "reglab": 1, "name": "early stopping with L2 and dropout",
    "data": {"kind": "toy", "name": "moons", "samples": 80, "noise": 0.4, "validation": 0.3, "seed": 1},
    "network": {"input_dropout": 0.1, "hidden": [{"units": 16, "activation": "relu", "dropout": 0.3,
                                                  "kernel_regularizer": {"l1": 0.0, "l2": L2}}]},
    "training": {"optimizer": "adam", "learning_rate": 0.02, "batch_size": 16, "epochs": 60, "seed": 0,
                 "early_stopping": {"patience": 3, "restore_best_weights": True}},
}


def keras_stop_epoch(monitored, patience, epochs):
    """The epoch EarlyStopping(patience) ends training at: the first one `patience` epochs after the best so far."""
    for epoch in range(1, len(monitored) + 1):
        if epoch - (int(np.argmin(monitored[:epoch])) + 1) >= patience:
            return epoch
    return epochs


def test_the_script_stops_on_reglabs_val_loss_not_keras_val_loss(tmp_path, capsys):
    """Each epoch the script's model is copied into a RegLab trainer, whose val_loss (data loss on the
    validation rows, dropout off, no penalty) is what the script's early stopping must watch."""
    import keras

    from engine.training.trainer import Trainer

    exp = Experiment.from_dict(STOPPING)
    module = import_script(keras_script(exp), tmp_path / "model.py")
    reglab = Trainer(exp, grid_every=0)
    x_val, y_val = reglab.data.x_val, reglab.data.y_val
    seen = {"reglab_val_loss": [], "val_data_loss": [], "val_loss": [], "penalty": []}

    def reglab_val_loss(model):
        dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        for mine, theirs in zip(reglab.net.dense, dense, strict=True):
            mine.set_weights(theirs.get_weights())
        return reglab.batch_losses(x_val, y_val, training=False)["data_loss"]

    class Watch(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen["reglab_val_loss"].append(reglab_val_loss(self.model))
            seen["val_data_loss"].append(logs["val_data_loss"])
            seen["val_loss"].append(logs["val_loss"])
            seen["penalty"].append(L2 * float(np.sum(np.square(self.model.get_layer("hidden_1").kernel.numpy()))))

    built = []

    def build_model_watched():
        model = build_model()
        fit = model.fit
        model.fit = lambda *args, callbacks=(), **kw: fit(*args, callbacks=[*callbacks, Watch()], **kw)
        built.append(model)
        return model

    build_model, module.build_model = module.build_model, build_model_watched
    module.main([])
    capsys.readouterr()

    s = {k: np.array(v) for k, v in seen.items()}
    np.testing.assert_allclose(s["val_data_loss"], s["reglab_val_loss"], rtol=1e-5)
    np.testing.assert_allclose(s["val_loss"] - s["val_data_loss"], s["penalty"], rtol=1e-4)  # Keras': + penalty
    assert s["penalty"].min() > 0.01
    patience, epochs = exp.training.early_stopping.patience, exp.training.epochs
    stopped_at = len(s["val_loss"])
    assert stopped_at == keras_stop_epoch(s["reglab_val_loss"], patience, epochs) < epochs  # where RegLab stops
    assert keras_stop_epoch(s["val_loss"], patience, epochs) != stopped_at  # watching val_loss would not stop here
    assert reglab_val_loss(built[0]) == pytest.approx(s["reglab_val_loss"].min(), rel=1e-6)  # best weights restored
