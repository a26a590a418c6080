"""The exported Keras script builds the model RegLab saves, with max-norm, noise, batch norm, Gaussian dropout,
output-layer penalties, weight decay and label smoothing, and trains it."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.export.keras_script import keras_script
from engine.spec import Experiment
from engine.training.trainer import Trainer
from tests.engine.test_export_keras import DEFAULT, import_script, run_without_reglab

L2_OUT, L1_BIAS = {"l1": 0.0, "l2": 0.01}, {"l1": 0.001, "l2": 0.0}


def family(style="gaussian", **network) -> dict:
    """The default preset with every new mechanism on (batch norm and noise on the first hidden layer only)."""
    d = json.loads(json.dumps(DEFAULT))
    d["data"]["samples"] = 120
    d["network"].update(input_noise=0.2, input_dropout=0.1, dropout_style=style,
                        output={"kernel_regularizer": L2_OUT, "bias_regularizer": L1_BIAS}, **network)
    d["network"]["hidden"][0].update(max_norm=3, noise=0.1, batch_norm=True, dropout=0.3)
    d["network"]["hidden"][1].update(max_norm=0.5)
    d["training"].update(weight_decay=0.004, label_smoothing=0.1, epochs=3)
    return d


IRIS = {"kind": "sklearn", "name": "iris", "validation": 0.3, "seed": 1}
CASES = {
    "every mechanism, Gaussian dropout": family(),
    "every mechanism, inverted dropout": family("inverted"),
    "classic dropout": family("classic"),
    "three classes": {**family(), "data": IRIS},
}
SEEDS_AND_INITIALIZERS = ("seed", "kernel_initializer")  # the script seeds with keras.utils.set_random_seed


def layer_configs(model) -> list[tuple]:
    """(class, config without seeds and initializers, parameter count) of every layer but the input."""
    out = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        config = {k: v for k, v in layer.get_config().items() if k not in SEEDS_AND_INITIALIZERS}
        out.append((type(layer).__name__, config, layer.count_params()))
    return out


def decayed(model) -> list[str]:
    """The variables the model's optimizer applies weight decay to."""
    model.optimizer.build(model.trainable_variables)
    return [v.path for v in model.trainable_variables if model.optimizer._use_weight_decay(v)]


@pytest.mark.parametrize("name", list(CASES))
def test_the_scripts_model_is_reglabs_stock_model(tmp_path, name):
    exp = Experiment.from_dict(CASES[name])
    mine = import_script(keras_script(exp), tmp_path / "model.py").build_model()
    stock = Trainer(exp, grid_every=0).stock_model()
    assert layer_configs(mine) == layer_configs(stock)
    kinds = [kind for kind, _, _ in layer_configs(mine)]
    drop = "GaussianDropout" if exp.network.dropout_style == "gaussian" else "Dropout"
    assert kinds == ["GaussianNoise", drop, "Dense", "BatchNormalization", "Activation", "GaussianNoise", drop,
                     "Dense", drop, "Dense"]
    assert mine.count_params() == stock.count_params()
    assert mine.get_layer("hidden_2").kernel_constraint.get_config() == {"max_value": 0.5, "axis": 0}
    # Weight decay on the kernels only: not the biases, not batch norm's γ and β.
    assert decayed(mine) == ["reglab/hidden_1/kernel", "reglab/hidden_2/kernel", "reglab/output/kernel"]
    assert [p.rsplit("/", 2)[-2:] for p in decayed(stock)] == [p.rsplit("/", 2)[-2:] for p in decayed(mine)]
    assert mine.optimizer.weight_decay == pytest.approx(0.004)
    assert mine.loss.get_config()["label_smoothing"] == pytest.approx(0.1)
    assert type(mine.loss).__name__ == type(stock.loss).__name__


def test_the_scripts_comments_say_what_each_new_layer_does(tmp_path):
    source = keras_script(Experiment.from_dict(family()))
    flat = " ".join(line.strip().removeprefix("# ") for line in source.splitlines())
    assert "each unit's incoming weights (a column of the kernel, hence axis=0) are scaled back to length ≤ 3." in flat
    assert "adds a number drawn from N(0, 0.2²) to each feature" in flat
    assert "adds a number drawn from N(0, 0.1²) to each unit's output" in flat
    assert "variance p/(1 − p) = 0.429 (p = 0.3)" in flat  # 0.3 / 0.7
    assert "L2 adds 0.01·Σw² to the loss" in flat and "bias_regularizer on the biases b: L1 adds 0.001·Σ|b|" in flat
    assert 'exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])' in source
    classic = keras_script(Experiment.from_dict(family("classic")))
    assert "Keras has only inverted dropout" in classic and "layers.GaussianDropout" not in classic


def test_the_script_with_every_mechanism_is_formatted_code(tmp_path):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    (tmp_path / "model.py").write_text(keras_script(Experiment.from_dict(family())), encoding="utf-8")
    lint = ["check", "--isolated", "--select", "E,F,W,I,B,UP"]
    for args in (["format", "--isolated", "--check"], lint):
        proc = subprocess.run([ruff, *args, "model.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_training_the_exported_model_keeps_each_unit_within_its_max_norm(tmp_path):
    d = family()
    d["training"]["learning_rate"] = 0.05  # large steps: the constraint has work to do
    module = import_script(keras_script(Experiment.from_dict(d)), tmp_path / "model.py")
    x_train, y_train, x_val, y_val = module.load_data()
    model = module.build_model()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), batch_size=32, epochs=3, verbose=0)
    assert np.isfinite(history.history["val_data_loss"]).all()
    for name, c in (("hidden_1", 3.0), ("hidden_2", 0.5)):
        unit_norms = np.linalg.norm(model.get_layer(name).kernel.numpy(), axis=0)
        assert unit_norms.max() <= c * (1 + 1e-6), name
    assert np.linalg.norm(model.get_layer("hidden_2").kernel.numpy(), axis=0).max() == pytest.approx(0.5, rel=1e-4)


def test_the_exported_script_with_every_mechanism_runs_without_reglab(tmp_path):
    script = tmp_path / "model.py"
    script.write_text(keras_script(Experiment.from_dict(family())), encoding="utf-8")
    proc = run_without_reglab(script, "--epochs", "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Epoch 2/2" in proc.stdout
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("final val_loss: ") and np.isfinite(float(last.split()[-1]))


def test_tensorboard_logs_the_max_norm_beside_the_largest_unit_norm(tmp_path):
    from engine.export.tensorboard import TensorBoardLog
    from tests.engine.test_tensorboard import read_events

    d = family()
    d["training"]["learning_rate"] = 0.05
    exp = Experiment.from_dict(d)
    trainer = Trainer(exp, grid_every=0)
    with TensorBoardLog(tmp_path) as log:
        snaps = [trainer.step() for _ in range(2)]
        live = exp.copy()
        live.network.hidden[1].max_norm = 0.4  # c changes live, without a new model
        assert trainer.apply_live(live)
        snaps.append(trainer.step())
        for snap in snaps:
            log.write(snap)
    scalars, histograms = read_events(tmp_path)
    assert scalars["hidden_1_max_norm"] == {1: 3.0, 2: 3.0, 3: 3.0}
    assert scalars["hidden_2_max_norm"] == {1: 0.5, 2: 0.5, 3: pytest.approx(0.4)}
    assert "output_max_norm" not in scalars  # the output layer has no constraint
    for step, snap in enumerate(snaps, start=1):
        for layer in snap.layers:
            unit_norms = np.linalg.norm(layer.kernel.astype(np.float64), axis=0)  # by hand, from the weights
            assert scalars[f"{layer.name}_max_unit_norm"][step] == pytest.approx(unit_norms.max(), rel=1e-5)
            buckets = histograms[f"{layer.name}/unit_norms"][step]
            assert buckets[:, 2].sum() == layer.kernel.shape[1]
            assert buckets[0, 0] == pytest.approx(unit_norms.min(), rel=1e-5)
            assert buckets[-1, 1] == pytest.approx(unit_norms.max(), rel=1e-5)
    assert scalars["hidden_2_max_unit_norm"][3] == pytest.approx(0.4, rel=1e-4)  # held at the new c
