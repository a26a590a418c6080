"""Issue #16's mechanisms over a run's life: live changes of c, σ and the output λ; reset and warm-up; Monte-Carlo
passes with batch normalization; early stopping and divergence restoring batch norm's variables; the saved model;
and the spec fields."""

import json

import numpy as np
import pytest
from builders import experiment, make_dataset
from keras_twin import column_norms, family_experiment

from engine.spec import EarlyStopping, Experiment, SpecError, live_fields_differ_only, set_path
from engine.spec.experiment_file import experiment_text
from engine.training.keras_names import NO_DECAY_NAMES
from engine.training.keras_setup import keras
from engine.training.trainer import Trainer, TrainingDiverged

EVERYTHING_HIDDEN = [{"units": 8, "activation": "tanh", "max_norm": 1.5, "noise": 0.2, "batch_norm": True,
                      "dropout": 0.2},
                     {"units": 6, "max_norm": 2.0, "dropout": 0.1}]
EVERYTHING_NETWORK = {"input_noise": 0.3, "input_dropout": 0.1, "dropout_style": "gaussian",
                      "output": {"kernel_regularizer": {"l1": 0.0, "l2": 0.01}, "bias_regularizer": None}}


def everything(**training) -> Experiment:
    """Every new mechanism on at once."""
    return family_experiment(EVERYTHING_HIDDEN, EVERYTHING_NETWORK, **training)


def values(variables) -> list[np.ndarray]:
    return [v.numpy().copy() for v in variables]


def assert_all_equal(a: list, b: list) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


# ---------------------------------------------------------------- live changes


LIVE_HIDDEN = [{"units": 8, "activation": "tanh", "max_norm": 2.0, "noise": 0.1}]
LIVE_NETWORK = {"input_noise": 0.1, "output": {"kernel_regularizer": {"l1": 0.0, "l2": 0.01},
                                              "bias_regularizer": {"l1": 0.01, "l2": 0.0}}}


def changed_live(exp: Experiment) -> Experiment:
    for path, value in (("network.hidden[0].max_norm", 0.3), ("network.hidden[0].noise", 0.5),
                        ("network.input_noise", 0.4), ("network.output.kernel_regularizer.l2", 0.2),
                        ("network.output.bias_regularizer.l1", 0.1)):
        exp = set_path(exp, path, value)
    return exp


def test_c_sigma_and_output_lambda_change_live_and_take_effect_in_the_next_epoch(xor_data):
    exp = family_experiment(LIVE_HIDDEN, LIVE_NETWORK, optimizer="sgd", learning_rate=0.5, batch_size=40)
    live = Trainer(exp, xor_data)
    live.run(2)
    assert column_norms(live.net.dense[0].kernel.numpy()).max() > 0.3 + 0.05
    changed = changed_live(exp)
    assert live_fields_differ_only(exp, changed)
    weights, streams = values(live.model.trainable_variables), values(live.net.random_streams())
    assert live.apply_live(changed)
    assert_all_equal(values(live.model.trainable_variables), weights)  # not reset

    # the same settings from the start, given the state after epoch 2: the next epochs must be the same
    fresh = Trainer(changed, xor_data)
    for var, value in zip([*fresh.model.trainable_variables, *fresh.net.random_streams()], [*weights, *streams],
                          strict=True):
        var.assign(value)
    fresh._epoch_counter.assign(2)  # the third epoch's shuffle
    for _ in range(2):
        mine, theirs = live.step(), fresh.step()
        assert mine.loss == pytest.approx(theirs.loss, rel=1e-6)
        assert mine.penalty == pytest.approx(theirs.penalty, rel=1e-6) and mine.penalty > 0
    for a, b in zip(live.model.trainable_variables, fresh.model.trainable_variables, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-7)
    assert live.trace_count == 1 and live.epoch == 4
    assert column_norms(live.net.dense[0].kernel.numpy()).max() <= 0.3 + 1e-6
    assert mine.layers[0].max_norm == 0.3 and mine.metrics_row()["hidden_1_max_unit_norm"] <= 0.3 + 1e-6
    assert mine.layers[-1].bias_penalty > 0  # the output bias λ went from 0.01 to 0.1


def test_switching_an_output_penalty_on_or_off_needs_a_new_model(xor_data):
    exp = family_experiment(LIVE_HIDDEN, LIVE_NETWORK)
    trainer = Trainer(exp, xor_data)
    off = exp.copy()
    off.network.output.bias_regularizer = None
    assert not live_fields_differ_only(exp, off) and not live_fields_differ_only(off, exp)
    assert not trainer.apply_live(off)
    assert Trainer(off, xor_data).net.regularizers[-1]["bias"] is None  # no penalty in the graph while off


@pytest.mark.parametrize(("path", "value"), [
    ("network.hidden[0].max_norm", None),  # max-norm off
    ("network.hidden[0].noise", 0.0),  # noise off
    ("network.input_noise", 0.0),
    ("network.hidden[0].batch_norm", True),
    ("network.dropout_style", "gaussian"),
])
def test_switching_a_mechanism_on_or_off_needs_a_new_model(xor_data, path, value):
    exp = family_experiment(LIVE_HIDDEN, LIVE_NETWORK)
    trainer = Trainer(exp, xor_data)
    on_off = exp.to_dict()
    network = on_off["network"]
    target = network["hidden"][0] if "hidden[0]" in path else network
    target[path.rsplit(".", 1)[1]] = value
    changed = Experiment.from_dict(on_off)
    assert not live_fields_differ_only(exp, changed) and not live_fields_differ_only(changed, exp)
    assert not trainer.apply_live(changed)
    assert trainer.exp == exp


def test_switching_max_norm_and_noise_on_needs_a_new_model(xor_data):
    plain = family_experiment([{"units": 8}])
    trainer = Trainer(plain, xor_data)
    for path in ("network.hidden[0].max_norm", "network.hidden[0].noise", "network.input_noise"):
        assert not trainer.apply_live(set_path(plain, path, 0.5)), path


# ---------------------------------------------------------------- reset, warm-up, Monte-Carlo passes


def test_warm_up_and_reset_replay_a_fresh_run_with_batch_norm_and_noise(xor_data):
    a, b = Trainer(everything(), xor_data), Trainer(everything(), xor_data)
    a.warm_up()
    assert a.trace_count == 1 and a.epoch == 0
    a.run(3)
    b.run(3)
    assert a.history == b.history
    assert_all_equal(values(a.model.weights), values(b.model.weights))  # moving statistics and recorded factors too
    assert_all_equal(values(a.net.random_streams()), values(b.net.random_streams()))
    moving = values(a.net.batch_norm_variables())
    assert np.abs(moving[2]).max() > 1e-3  # the moving mean has moved: reset has something to undo
    a.reset()
    a.run(3)
    assert a.history == b.history and a.trace_count == 1
    assert_all_equal(values(a.net.batch_norm_variables()), moving)


def test_monte_carlo_passes_with_batch_norm_use_the_moving_statistics_and_keep_them(xor_data):
    hidden = [{"units": 8, "activation": "tanh", "batch_norm": True}, {"units": 6, "batch_norm": True}]
    trainer, twin = Trainer(experiment(hidden), xor_data), Trainer(experiment(hidden), xor_data)
    snap = trainer.run(2)
    twin.run(2)
    kept = values(trainer.model.weights)
    mean, std = trainer.mc_predict(xor_data.x_val, passes=4)
    assert np.all(std == 0)  # no dropout, no noise: batch norm adds no randomness in inference mode
    np.testing.assert_allclose(mean, trainer.predict(xor_data.x_val), rtol=1e-6)
    grid_mean, grid_std = trainer.mc_grid(passes=3)
    assert np.all(grid_std == 0)
    np.testing.assert_allclose(grid_mean, snap.decision_grid, rtol=1e-5, atol=1e-6)
    assert_all_equal(values(trainer.model.weights), kept)  # the moving statistics did not learn from the passes
    assert all(bn.trainable for bn in trainer.net.batch_norms)
    trainer.step()
    twin.step()
    assert trainer.history == twin.history and trainer.trace_count == 1
    # the check can fail: normalizing by the batch's own statistics gives other outputs
    assert np.abs(trainer.predict(xor_data.x_val, training=True) - trainer.predict(xor_data.x_val)).max() > 1e-3


def test_monte_carlo_with_noise_and_gaussian_dropout_spreads_and_keeps_the_run(xor_data):
    trainer, twin = Trainer(everything(), xor_data), Trainer(everything(), xor_data)
    trainer.run(2)
    twin.run(2)
    kept = values(trainer.model.weights)
    mean, std = trainer.mc_grid(passes=5)
    assert std.mean() > 1e-3
    assert_all_equal(values(trainer.model.weights), kept)
    trainer.step()
    twin.step()
    assert trainer.history == twin.history


# ---------------------------------------------------------------- early stopping and divergence


def noisy_data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(80, 2))
    y = (x[:, 0] + 0.8 * rng.normal(size=80) > 0).astype(float)  # noisy: the validation loss soon rises
    return make_dataset(x[:40], y[:40], x[40:], y[40:])


def test_early_stopping_restores_gamma_beta_and_moving_statistics():
    hidden = [{"units": 32, "batch_norm": True}, {"units": 32, "batch_norm": True}]
    exp = experiment(hidden, learning_rate=0.05, batch_size=16, epochs=100)
    reference = Trainer(exp, noisy_data())  # the same run without early stopping, up to its first worse val_loss
    by_epoch, best = [], np.inf
    while reference.epoch < 20 and (snap := reference.step()).val_loss < best:
        best = snap.val_loss
        by_epoch.append(values(reference.model.weights))
    by_epoch.append(values(reference.model.weights))
    assert 2 <= reference.epoch < 20  # (measured: val_loss 0.534, 0.484, 0.487)
    exp.training.early_stopping = EarlyStopping(patience=1, restore_best_weights=True)
    trainer = Trainer(exp, noisy_data())
    trainer.run()
    assert (trainer.best_epoch, trainer.epoch) == (reference.epoch - 1, reference.epoch)
    assert trainer.history == reference.history
    restored = values(trainer.model.weights)
    assert_all_equal(restored, by_epoch[-2])  # kernels, biases, γ, β and moving statistics
    moving_mean = [v.path for v in trainer.model.weights].index("batch_norm_1/moving_mean")
    assert np.abs(by_epoch[-1][moving_mean] - restored[moving_mean]).max() > 1e-4  # the last epoch's differ


def test_divergence_restores_the_last_finite_batch_norm_variables():
    hidden = [{"units": 8, "batch_norm": True, "kernel_regularizer": {"l1": 0.0, "l2": 100.0}}]
    trainer = Trainer(experiment(hidden, optimizer="sgd", learning_rate=10.0, epochs=50), noisy_data())
    weights = [v for layer in trainer.net.dense for v in (layer.kernel, layer.bias)]
    weights += trainer.net.batch_norm_variables()
    finite = []
    with pytest.raises(TrainingDiverged):
        trainer.run(on_epoch=lambda snap: finite.append(values(weights)))
    assert len(finite) >= 1 and trainer.diverged.startswith(f"training diverged in epoch {len(finite) + 1}")
    assert_all_equal(values(weights), finite[-1])
    assert all(np.isfinite(v).all() for v in finite[-1])


# ---------------------------------------------------------------- the saved model


STOCK_CLASSES = {"InputLayer", "Dense", "BatchNormalization", "Activation", "GaussianNoise", "GaussianDropout"}


def test_saved_model_is_stock_keras_and_predicts_what_the_trainer_does(tmp_path, xor_data):
    exp = everything(optimizer="adam", weight_decay=0.01, label_smoothing=0.1)
    trainer = Trainer(exp, xor_data)
    trainer.run(2)
    assert trainer.apply_live(set_path(exp, "network.hidden[0].max_norm", 0.9))
    trainer.step()
    trainer.save_model(tmp_path / "model.keras")
    model = keras.saving.load_model(tmp_path / "model.keras")

    assert {type(layer).__name__ for layer in model.layers} == STOCK_CLASSES
    assert all(type(layer).__module__.startswith("keras.src.layers.") for layer in model.layers)
    np.testing.assert_allclose(model.predict(xor_data.x_val, verbose=0), trainer.predict(xor_data.x_val),
                               rtol=1e-5, atol=1e-7)
    hidden = [model.get_layer(f"hidden_{i}") for i in (1, 2)]
    assert [type(layer.kernel_constraint) for layer in hidden] == [keras.constraints.MaxNorm] * 2
    assert [layer.kernel_constraint.max_value for layer in hidden] == [0.9, 2.0]  # the current c
    assert all(layer.kernel_constraint.axis == 0 for layer in hidden)
    assert model.get_layer("input_noise").stddev == pytest.approx(0.3)
    assert model.get_layer("noise_1").stddev == pytest.approx(0.2)
    assert model.get_layer("dropout_1").rate == pytest.approx(0.2)
    assert type(model.get_layer("output").kernel_regularizer) is keras.regularizers.L2
    assert model.optimizer.weight_decay == pytest.approx(0.01) and model.loss.label_smoothing == pytest.approx(0.1)


def test_weight_decay_excludes_biases_gamma_and_beta_in_the_stock_model_and_after_loading(tmp_path, xor_data):
    trainer = Trainer(everything(optimizer="sgd", weight_decay=0.01), xor_data)

    def decayed(model):
        return [v.path for v in model.trainable_variables if model.optimizer._use_weight_decay(v)]

    kernels = ["hidden_1/kernel", "hidden_2/kernel", "output/kernel"]
    stock = trainer.stock_model()
    assert decayed(stock) == kernels
    assert sorted(stock.optimizer._exclude_from_weight_decay_pattern.pattern.split("|")) == sorted(NO_DECAY_NAMES)
    trainer.save_model(tmp_path / "model.keras")
    model = keras.saving.load_model(tmp_path / "model.keras")
    # Keras saves weight_decay but not the exclusion (the README says so); named again, it takes effect
    assert len(decayed(model)) == len(model.trainable_variables)
    model.optimizer.exclude_from_weight_decay(var_names=list(NO_DECAY_NAMES))
    assert decayed(model) == kernels


# ---------------------------------------------------------------- the spec

OLD_FILE = {"reglab": 1, "name": "old", "data": {"kind": "toy", "name": "moons", "samples": 200, "noise": 0.2},
            "network": {"input_dropout": 0.1, "hidden": [
                {"units": 16, "activation": "relu", "dropout": 0.2, "kernel_regularizer": {"l1": 0.0, "l2": 0.001},
                 "bias_regularizer": None, "activity_regularizer": None}]},
            "training": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "epochs": 50, "seed": 1}}
NEW_KEYS = {"max_norm", "noise", "batch_norm", "input_noise", "output", "dropout_style"}


def keys_in(d) -> set:
    if isinstance(d, dict):
        return set(d) | {k for v in d.values() for k in keys_in(v)}
    if isinstance(d, list):
        return {k for v in d for k in keys_in(v)}
    return set()


def test_old_files_load_with_every_new_field_off_and_save_without_the_new_keys():
    exp = Experiment.from_dict(OLD_FILE)
    h = exp.network.hidden[0]
    assert (h.max_norm, h.noise, h.batch_norm) == (None, 0.0, False)
    assert (exp.network.input_noise, exp.network.dropout_style) == (0.0, "inverted")
    assert (exp.network.output.kernel_regularizer, exp.network.output.bias_regularizer) == (None, None)
    written = json.loads(experiment_text(exp))
    assert not keys_in(written["network"]) & NEW_KEYS
    assert written["network"] == OLD_FILE["network"] and written["training"] == OLD_FILE["training"]


def test_the_new_fields_are_written_when_set_and_read_back():
    exp = everything()
    written = json.loads(experiment_text(exp))
    network = written["network"]
    assert network["hidden"][0] == {**EVERYTHING_HIDDEN[0], "kernel_regularizer": None, "bias_regularizer": None,
                                    "activity_regularizer": None}
    assert not {"batch_norm", "noise"} & set(network["hidden"][1])  # off: not written
    assert {key: network[key] for key in EVERYTHING_NETWORK} == EVERYTHING_NETWORK
    assert Experiment.from_dict(written) == exp


def layer_spec(**fields) -> dict:
    d = json.loads(json.dumps(OLD_FILE))
    d["network"]["hidden"][0].update(fields)
    return d


def network_spec(**fields) -> dict:
    d = json.loads(json.dumps(OLD_FILE))
    d["network"].update(fields)
    return d


@pytest.mark.parametrize(("spec", "message"), [
    (layer_spec(max_norm=0), "network.hidden[0].max_norm: 0 is out of range (0, 100]"),
    (layer_spec(max_norm=101), "network.hidden[0].max_norm: 101 is out of range (0, 100]"),
    (layer_spec(noise=-1), "network.hidden[0].noise: -1 is out of range [0, 10]"),
    (layer_spec(batch_norm="yes"), "network.hidden[0].batch_norm: expected true or false, got the text 'yes'"),
    (network_spec(dropout_style="gauss"), "network.dropout_style: 'gauss' is not one of inverted, classic, gaussian"),
    (network_spec(input_noise=11), "network.input_noise: 11 is out of range [0, 10]"),
    (network_spec(output={"activity_regularizer": {"l1": 0.0, "l2": 0.1}}),
     "network.output.activity_regularizer: unknown field (allowed here: bias_regularizer, kernel_regularizer)"),
    (network_spec(output={"kernel_regularizer": {"l1": 0.0, "l2": -1}}),
     "network.output.kernel_regularizer.l2: -1 is out of range [0, 1000]"),
])
def test_bad_values_are_one_line_naming_the_field(spec, message):
    with pytest.raises(SpecError) as err:
        Experiment.from_dict(spec)
    assert str(err.value) == message


def test_set_path_reaches_the_new_fields():
    exp = Experiment.from_dict(network_spec(hidden=[{"units": 4}, {"units": 3}]))
    assert [h.max_norm for h in set_path(exp, "network.hidden[*].max_norm", 3.0).network.hidden] == [3.0, 3.0]
    assert [h.noise for h in set_path(exp, "network.hidden[*].noise", 0.25).network.hidden] == [0.25, 0.25]
    assert set_path(exp, "network.input_noise", 0.5).network.input_noise == 0.5
    out = set_path(exp, "network.output.kernel_regularizer.l2", 0.01).network.output
    assert out.kernel_regularizer.l2 == 0.01 and out.kernel_regularizer.l1 == 0.0 and out.bias_regularizer is None
    with pytest.raises(SpecError, match=r"^network.hidden\[1\].max_norm: 0 is out of range \(0, 100\]$"):
        set_path(exp, "network.hidden[1].max_norm", 0)
