"""Decoupled weight decay and label smoothing: the spec fields, the training step against plain Keras, live
changes, the saved model, the exported script and sweeps."""

import csv
import importlib.util
import json

import numpy as np
import pytest
from builders import experiment, make_dataset

from engine import cli
from engine.data import load_dataset
from engine.export.keras_script import keras_script
from engine.spec import Experiment, SpecError, live_fields_differ_only, load_experiment, set_path
from engine.studies.sweep import run_sweep
from engine.training.keras_setup import keras, tf
from engine.training.trainer import Trainer

HIDDEN = [{"units": 6, "activation": "tanh"}, {"units": 4, "activation": "relu"}]


# ---------------------------------------------------------------- spec


def spec(training=None, data=None) -> dict:
    return {"reglab": 1, "data": data or {"kind": "toy", "name": "xor"}, "training": training or {}}


def test_old_files_load_with_both_off_and_the_fields_are_written_only_when_set():
    exp = Experiment.from_dict(spec())
    assert exp.training.weight_decay == 0.0 and exp.training.label_smoothing == 0.0
    assert "weight_decay" not in exp.to_dict()["training"] and "label_smoothing" not in exp.to_dict()["training"]
    exp = Experiment.from_dict(spec({"weight_decay": 0.004, "label_smoothing": 0.1}))
    assert exp.to_dict()["training"]["weight_decay"] == 0.004
    assert exp.to_dict()["training"]["label_smoothing"] == 0.1
    assert Experiment.from_dict(exp.to_dict()) == exp


@pytest.mark.parametrize(("training", "message"), [
    ({"label_smoothing": 0.7}, "training.label_smoothing: 0.7 is out of range [0, 0.5]"),
    ({"label_smoothing": -0.1}, "training.label_smoothing: -0.1 is out of range [0, 0.5]"),
    ({"weight_decay": -1}, "training.weight_decay: -1 is out of range [0, 2000]"),
    ({"weight_decay": "0.1"}, "training.weight_decay: expected a number, got the text '0.1'"),
])
def test_bad_values_name_the_field(training, message):
    with pytest.raises(SpecError) as err:
        Experiment.from_dict(spec(training))
    assert str(err.value) == message


REGRESSION_REFUSED = ("training.label_smoothing: 0.1 needs a classification task; this data is regression "
                      "(set it to 0)")


@pytest.mark.parametrize("data", [{"kind": "toy", "name": "plane"}, {"kind": "sklearn", "name": "diabetes"},
                                  {"kind": "csv", "path": "a.csv", "target": "y", "task": "regression"}])
def test_label_smoothing_on_regression_is_refused_by_the_spec_when_it_can_tell(data):
    with pytest.raises(SpecError) as err:
        Experiment.from_dict(spec({"label_smoothing": 0.1}, data))
    assert str(err.value) == REGRESSION_REFUSED
    Experiment.from_dict(spec({"weight_decay": 0.1}, data))  # weight decay suits any task


def test_label_smoothing_on_a_csv_found_to_be_regression_is_refused_when_it_loads(tmp_path):
    rows = "\n".join(f"{i / 10},{i * 0.37 % 5:.3f}" for i in range(40))  # many distinct numbers: regression
    (tmp_path / "r.csv").write_text("x,y\n" + rows + "\n")
    exp = Experiment.from_dict(spec({"label_smoothing": 0.1}, {"kind": "csv", "path": "r.csv", "target": "y"}),
                               base_dir=tmp_path)
    with pytest.raises(SpecError) as err:
        load_dataset(exp)
    assert str(err.value) == REGRESSION_REFUSED


def test_both_are_sweepable_and_live_fields():
    exp = Experiment.from_dict(spec())
    assert set_path(exp, "training.weight_decay", 0.01).training.weight_decay == 0.01
    assert set_path(exp, "training.label_smoothing", 0.2).training.label_smoothing == 0.2
    with pytest.raises(SpecError, match=r"training.label_smoothing: 0.6 is out of range"):
        set_path(exp, "training.label_smoothing", 0.6)
    changed = set_path(set_path(exp, "training.weight_decay", 0.01), "training.label_smoothing", 0.2)
    assert live_fields_differ_only(exp, changed)


# ---------------------------------------------------------------- the training step against plain Keras


def three_class_data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(150, 2))
    y = np.eye(3)[(x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)]
    return make_dataset(x[:100], y[:100], x[100:], y[100:], task="multiclass")


def keras_epoch(trainer, stock, optimizer, loss_fn, data, batch_size, epoch=0):
    """One epoch of plain Keras steps over RegLab's batches (same shuffle, the last batch short); the mean loss."""
    n = len(data.x_train)
    seed = tf.constant([trainer.exp.training.seed, epoch], tf.int64)
    order = tf.argsort(tf.random.stateless_uniform([n], seed=seed)).numpy()
    x, y = data.x_train[order], data.y_train[order]
    total = 0.0
    for start in range(0, n, batch_size):
        xb, yb = x[start: start + batch_size], y[start: start + batch_size]
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, stock(xb, training=True))
            if stock.losses:
                loss = loss + tf.add_n(stock.losses)
        optimizer.apply_gradients(zip(tape.gradient(loss, stock.trainable_variables), stock.trainable_variables,
                                      strict=True))
        total += float(loss) * len(xb)
    return total / n


def assert_same_weights(trainer, stock, rtol=1e-5, atol=1e-6):
    for mine, theirs in zip(trainer.model.trainable_variables, stock.trainable_variables, strict=True):
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize("batch_size", [40, 64])
def test_weight_decay_epoch_equals_keras_optimizer_weight_decay(xor_data, optimizer, batch_size):
    trainer = Trainer(experiment(HIDDEN, optimizer=optimizer, learning_rate=0.05, batch_size=batch_size,
                                 weight_decay=0.3), xor_data)
    stock = trainer.stock_model()
    assert stock.optimizer.weight_decay == pytest.approx(0.3)
    keras_opt = stock.optimizer  # Keras' own: Adam/SGD(weight_decay=0.3), biases excluded
    loss = keras_epoch(trainer, stock, keras_opt, keras.losses.BinaryCrossentropy(), xor_data, batch_size)
    snap = trainer.step()
    assert_same_weights(trainer, stock)
    assert snap.loss == pytest.approx(loss, rel=1e-5)
    assert snap.penalty == 0.0  # weight decay is not a loss term
    # the decay changes the steps: the same run without it ends elsewhere
    plain = Trainer(experiment(HIDDEN, optimizer=optimizer, learning_rate=0.05, batch_size=batch_size), xor_data)
    plain.step()
    assert not np.allclose(plain.model.trainable_variables[0].numpy(), trainer.model.trainable_variables[0].numpy())


def test_biases_are_not_decayed():
    # Zero inputs: the first kernel gets no gradient, so only the decay moves it; its bias gets a small gradient.
    x = np.zeros((8, 2))
    data = make_dataset(x, np.full(8, 0.5), x, np.full(8, 0.5))
    trainer = Trainer(experiment([{"units": 3}], optimizer="sgd", learning_rate=0.01, batch_size=8,
                                 weight_decay=50.0), data)
    for layer in trainer.net.dense:
        layer.bias.assign(np.ones(layer.bias.shape, np.float32))
    kernels = [layer.kernel.numpy() for layer in trainer.net.dense]
    trainer.step()
    # zero inputs: the first kernel has no gradient, so it only decays, by 1 − 0.01·50
    np.testing.assert_allclose(trainer.net.dense[0].kernel.numpy(), kernels[0] * (1 - 0.5), rtol=1e-6)
    # the first bias moves by its gradient alone (no decay would take it to 0.5)
    assert trainer.net.dense[0].bias.numpy().min() > 0.9


def test_sgd_weight_decay_2_lambda_takes_the_steps_of_l2_lambda_on_every_kernel(xor_data):
    lam = 0.01
    trainer = Trainer(experiment(HIDDEN, optimizer="sgd", learning_rate=0.1, batch_size=40, weight_decay=2 * lam),
                      xor_data)
    l2_stock = l2_on_every_kernel(trainer, lam)
    sgd = keras.optimizers.SGD(learning_rate=0.1)  # no weight decay: the penalty's gradient 2λw does it
    for epoch in range(3):
        keras_epoch(trainer, l2_stock, sgd, keras.losses.BinaryCrossentropy(), xor_data, 40, epoch)
        trainer.step()
    assert_same_weights(trainer, l2_stock, rtol=1e-5, atol=1e-6)


def l2_on_every_kernel(trainer, lam):
    """A plain Keras twin of the trainer's network (its weights) with L2(λ) on every kernel, the output's too."""
    inputs = keras.Input(shape=(trainer.data.n_features,))
    x = inputs
    for layer in trainer.net.dense:
        x = keras.layers.Dense(layer.units, activation=layer.activation,
                               kernel_regularizer=keras.regularizers.L2(lam))(x)
    model = keras.Model(inputs, x)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    for mine, theirs in zip(trainer.net.dense, dense, strict=True):
        theirs.set_weights(mine.get_weights())
    return model


def test_adam_weight_decay_2_lambda_differs_from_l2_lambda(xor_data):
    lam = 0.01
    trainer = Trainer(experiment(HIDDEN, optimizer="adam", learning_rate=0.01, batch_size=40, weight_decay=2 * lam),
                      xor_data)
    l2_stock = l2_on_every_kernel(trainer, lam)
    adam = keras.optimizers.Adam(learning_rate=0.01)
    for epoch in range(5):
        keras_epoch(trainer, l2_stock, adam, keras.losses.BinaryCrossentropy(), xor_data, 40, epoch)
        trainer.step()
    # Adam divides the penalty's gradient 2λw by the running gradient scale; decoupled decay shrinks w by lr·2λ·w
    # whatever that scale: after 25 steps a kernel weight differs by tenths (measured: 0.17 to 0.31 by layer), where
    # SGD agrees to 1e-6 (the test above)
    gaps = [np.abs(mine.kernel.numpy() - theirs.kernel.numpy()).max()
            for mine, theirs in zip(trainer.net.dense, [la for la in l2_stock.layers if la.weights], strict=True)]
    assert 0.1 < min(gaps) and max(gaps) < 0.5


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_label_smoothing_epoch_equals_keras_loss_label_smoothing(xor_data, task):
    data = xor_data if task == "binary" else three_class_data()
    trainer = Trainer(experiment(HIDDEN, optimizer="sgd", learning_rate=0.2, batch_size=64, label_smoothing=0.2),
                      data)
    stock = trainer.stock_model()
    assert stock.loss.label_smoothing == pytest.approx(0.2)
    loss_class = keras.losses.BinaryCrossentropy if task == "binary" else keras.losses.CategoricalCrossentropy
    loss = keras_epoch(trainer, stock, keras.optimizers.SGD(learning_rate=0.2), loss_class(label_smoothing=0.2),
                       data, 64)
    snap = trainer.step()
    assert_same_weights(trainer, stock)
    assert snap.loss == pytest.approx(loss, rel=1e-5) and snap.data_loss == pytest.approx(loss, rel=1e-5)
    # the evaluation losses compare with the true labels
    plain = loss_class()
    assert snap.train_eval_loss == pytest.approx(float(plain(data.y_train, trainer.predict(data.x_train))), rel=1e-5)
    assert snap.val_loss == pytest.approx(float(plain(data.y_val, trainer.predict(data.x_val))), rel=1e-5)
    smoothed = float(loss_class(label_smoothing=0.2)(data.y_val, trainer.predict(data.x_val)))
    assert abs(snap.val_loss - smoothed) > 1e-3


def test_both_change_live_without_reset_or_retrace(xor_data):
    base = experiment(HIDDEN, optimizer="sgd", learning_rate=0.1, batch_size=40)
    live = Trainer(base, xor_data)
    live.step()
    changed = set_path(set_path(base, "training.weight_decay", 0.5), "training.label_smoothing", 0.3)
    assert live.apply_live(changed)
    after_one = [v.numpy() for v in live.model.trainable_variables]

    fresh = Trainer(changed, xor_data)  # the same settings from the start, given the first epoch's weights
    for var, value in zip(fresh.model.trainable_variables, after_one, strict=True):
        var.assign(value)
    fresh._epoch_counter.assign(1)  # the second epoch's shuffle
    live.step()
    fresh.step()
    assert live.trace_count == 1 and live.epoch == 2
    for mine, theirs in zip(live.model.trainable_variables, fresh.model.trainable_variables, strict=True):
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)
    assert not np.allclose(live.model.trainable_variables[0].numpy(), after_one[0], atol=1e-3)


def test_live_label_smoothing_on_regression_data_is_refused():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 2))
    data = make_dataset(x[:20], x[:20, 0], x[20:], x[20:, 0], task="regression")
    trainer = Trainer(experiment(HIDDEN), data)
    exp = trainer.exp.copy()
    exp.training.label_smoothing = 0.1
    with pytest.raises(SpecError, match="needs a classification task"):
        trainer.apply_live(exp)
    with pytest.raises(SpecError, match="needs a classification task"):
        Trainer(exp, data)


# ---------------------------------------------------------------- saved model, exported script, sweep


def test_saved_model_loads_in_plain_keras_with_both(tmp_path, xor_data):
    trainer = Trainer(experiment(HIDDEN, optimizer="adam", weight_decay=0.004, label_smoothing=0.1), xor_data)
    trainer.step()
    trainer.save_model(tmp_path / "model.keras")
    model = keras.saving.load_model(tmp_path / "model.keras")
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.weight_decay == pytest.approx(0.004)
    assert type(model.loss).__name__ == "BinaryCrossentropy" and model.loss.label_smoothing == pytest.approx(0.1)
    np.testing.assert_allclose(model.predict(xor_data.x_val, verbose=0), trainer.predict(xor_data.x_val), rtol=1e-6)


@pytest.mark.parametrize(("optimizer", "data"), [("sgd", {"name": "xor"}), ("adam", {"name": "spiral"})])
def test_exported_script_compiles_with_both(tmp_path, optimizer, data):
    d = {"reglab": 1, "data": {"kind": "toy", "samples": 100, **data},
         "network": {"hidden": [{"units": 4}]},
         "training": {"optimizer": optimizer, "weight_decay": 0.02, "label_smoothing": 0.15, "epochs": 2}}
    source = keras_script(Experiment.from_dict(d))
    assert "exclude_from_weight_decay" in source and "# Label smoothing s = 0.15" in source
    path = tmp_path / "model.py"
    path.write_text(source, encoding="utf-8")
    module_spec = importlib.util.spec_from_file_location("exported_decay", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    model = module.build_model()
    assert model.optimizer.weight_decay == pytest.approx(0.02)
    assert model.loss.label_smoothing == pytest.approx(0.15)
    model.optimizer.build(model.trainable_variables)
    decayed = [v.name for v in model.trainable_variables if model.optimizer._use_weight_decay(v)]
    assert decayed and all(name == "kernel" for name in decayed)


def test_sweep_over_weight_decay_and_label_smoothing():
    exp = experiment([{"units": 4}], epochs=2)
    for path, values in (("training.weight_decay", [0.0, 0.5]), ("training.label_smoothing", [0.0, 0.3])):
        rows = run_sweep(exp, path, values)
        assert [row.value for row in rows] == values
        assert rows[0].final_val_loss != rows[1].final_val_loss


# ---------------------------------------------------------------- the command line

CLI_SPEC = {"reglab": 1, "name": "decayed",
            "data": {"kind": "toy", "name": "moons", "samples": 80, "validation": 0.25},
            "network": {"hidden": [{"units": 4}]},
            "training": {"optimizer": "sgd", "learning_rate": 0.1, "batch_size": 20, "epochs": 3,
                         "weight_decay": 0.1, "label_smoothing": 0.2}}


def write_spec(path, spec_dict):
    path.write_text(json.dumps(spec_dict), encoding="utf-8")
    return path


def test_cli_run_trains_with_both_and_keeps_them_in_the_files(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["validate", str(write_spec(tmp_path / "e.json", CLI_SPEC))]) == 0
    assert "weight decay 0.1, label smoothing 0.2" in capsys.readouterr().out
    assert cli.main(["run", str(tmp_path / "e.json"), "--out", str(out), "--quiet"]) == 0
    saved = load_experiment(out / "experiment.json")
    assert (saved.training.weight_decay, saved.training.label_smoothing) == (0.1, 0.2)
    model = keras.saving.load_model(out / "model.keras")
    assert model.optimizer.weight_decay == pytest.approx(0.1) and model.loss.label_smoothing == pytest.approx(0.2)
    with (out / "metrics.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert all(float(r["penalty"]) == 0 for r in rows)  # the decay is not a penalty


def test_cli_sweep_over_weight_decay(tmp_path, capsys):
    out = tmp_path / "sweep"
    args = ["sweep", str(write_spec(tmp_path / "e.json", CLI_SPEC)), "--param", "training.weight_decay",
            "--values", "0,0.5", "--out", str(out)]
    assert cli.main(args) == 0
    with (out / "sweep.csv").open() as f:
        assert [float(r["value"]) for r in csv.DictReader(f)] == [0.0, 0.5]


def test_cli_label_smoothing_on_regression_is_one_line_exit_2(tmp_path, capsys):
    bad = {**CLI_SPEC, "data": {"kind": "toy", "name": "plane", "samples": 80}}
    assert cli.main(["run", str(write_spec(tmp_path / "e.json", bad)), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.strip().splitlines() == ["reglab: " + REGRESSION_REFUSED.replace("0.1", "0.2")]
