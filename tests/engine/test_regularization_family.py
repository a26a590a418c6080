"""Issue #16's mechanisms trained by RegLab equal plain Keras: max-norm, batch normalization (and weight decay beside
it), output-layer regularizers, Gaussian noise and Gaussian dropout, each on the same batches in the same order from
the same weights (and, for noise, the same random streams)."""

import numpy as np
import pytest
from builders import experiment
from keras_twin import assert_same_weights, column_norms, family_experiment, keras_epoch, stock_twin

from engine.training.keras_setup import keras
from engine.training.layers import LiveNoise, RecordingDropout
from engine.training.trainer import Trainer

BCE = keras.losses.BinaryCrossentropy()


def dense_layers(model) -> list:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def layer_classes(model) -> list[str]:
    return [type(layer).__name__ for layer in model.layers]


# ---------------------------------------------------------------- max-norm


MAX_NORMS = (0.5, 0.8)  # below the Glorot columns' norms (about 0.6–1.1 here): the constraint works from step 1


def test_max_norm_training_equals_keras_max_norm_constraint(xor_data):
    hidden = [{"units": 8, "activation": "tanh", "max_norm": MAX_NORMS[0]}, {"units": 6, "max_norm": MAX_NORMS[1]}]
    trainer = Trainer(experiment(hidden, optimizer="sgd", learning_rate=1.0, batch_size=64), xor_data)
    initial = [column_norms(layer.kernel.numpy()).max() for layer in trainer.net.dense[:2]]
    assert all(norm > c + 0.05 for norm, c in zip(initial, MAX_NORMS, strict=True))
    stock = stock_twin(trainer)
    for layer, c in zip(dense_layers(stock), MAX_NORMS, strict=False):
        assert type(layer.kernel_constraint) is keras.constraints.MaxNorm
        assert layer.kernel_constraint.max_value == c and layer.kernel_constraint.axis == 0
    keras_norms = []  # after every Keras step (four a epoch: three of 64 rows and one of 8)

    def record(model):
        keras_norms.append([column_norms(layer.kernel.numpy()).max() for layer in dense_layers(model)[:2]])

    for epoch in range(3):
        loss = keras_epoch(trainer, stock, BCE, epoch, after_step=record)
        snap = trainer.step()
        assert_same_weights(trainer, stock)
        assert snap.loss == pytest.approx(loss, rel=1e-5)
        for layer, c in zip(trainer.net.dense, MAX_NORMS, strict=False):
            assert column_norms(layer.kernel.numpy()).max() <= c + 1e-6
    assert len(keras_norms) == 12
    assert np.all(np.array(keras_norms) <= np.array(MAX_NORMS) + 1e-6)
    # the constraint binds: the longest column sits at c (c·n/(n + 1e-7), Keras' ε), not below it
    np.testing.assert_allclose(keras_norms[-1], MAX_NORMS, rtol=1e-5)


def test_snapshot_unit_norms_and_metrics_row_max_unit_norm(xor_data):
    hidden = [{"units": 8, "activation": "tanh", "max_norm": MAX_NORMS[0]}, {"units": 6}]
    trainer = Trainer(experiment(hidden, optimizer="sgd", learning_rate=1.0, batch_size=64), xor_data)
    snap = trainer.step()
    row = snap.metrics_row()
    for layer_snap, layer in zip(snap.layers, trainer.net.dense, strict=True):
        norms = column_norms(layer.kernel.numpy())
        np.testing.assert_allclose(layer_snap.unit_norms, norms, rtol=1e-6)
        assert row[f"{layer.name}_max_unit_norm"] == pytest.approx(norms.max(), rel=1e-6)
    assert [layer.max_norm for layer in snap.layers] == [MAX_NORMS[0], None, None]
    assert row["hidden_1_max_unit_norm"] <= MAX_NORMS[0] + 1e-6
    assert row["hidden_2_max_unit_norm"] > MAX_NORMS[0] + 0.05  # unconstrained: nothing holds it near c


# ---------------------------------------------------------------- batch normalization


BN_HIDDEN = [{"units": 8, "activation": "tanh", "batch_norm": True}, {"units": 6, "batch_norm": True}]


def test_batch_norm_training_equals_keras_batch_normalization(xor_data):
    # SGD: the bias of a Dense layer before batch normalization has a gradient of 0 up to rounding (the mean is
    # subtracted), and Adam would scale that rounding noise up to steps of size lr, in Keras and here alike
    trainer = Trainer(experiment(BN_HIDDEN, optimizer="sgd", learning_rate=0.5, batch_size=64), xor_data)
    stock = stock_twin(trainer)
    assert layer_classes(stock) == ["InputLayer", "Dense", "BatchNormalization", "Activation",
                                    "Dense", "BatchNormalization", "Activation", "Dense"]
    assert [layer.activation.__name__ for layer in dense_layers(stock)] == ["linear", "linear", "sigmoid"]
    for epoch in range(3):
        loss = keras_epoch(trainer, stock, BCE, epoch)
        snap = trainer.step()
        assert snap.loss == pytest.approx(loss, rel=1e-5)
    assert_same_weights(trainer, stock)  # γ, β, the kernels and biases, and the moving statistics
    for bn in trainer.net.batch_norms:  # 12 steps of momentum 0.99 moved the statistics away from 0 and 1
        assert np.abs(bn.moving_mean.numpy()).max() > 1e-3 and np.abs(bn.moving_variance.numpy() - 1).max() > 1e-3
        assert np.abs(bn.gamma.numpy() - 1).max() > 1e-3 and np.abs(bn.beta.numpy()).max() > 1e-3
    # the evaluation losses normalize with the moving statistics, as Keras' evaluate does
    sets = ((trainer.data.x_train, trainer.data.y_train, snap.train_eval_loss),
            (trainer.data.x_val, trainer.data.y_val, snap.val_loss))
    for x, y, mine in sets:
        assert mine == pytest.approx(stock.evaluate(x, y, batch_size=len(x), verbose=0)[0], rel=1e-5)
    for x, y, mine in sets:  # (after evaluating: a call in training mode updates the moving statistics)
        with_batch_statistics = float(BCE(y, stock(x, training=True)))
        assert abs(mine - with_batch_statistics) > 1e-3


def test_weight_decay_moves_gamma_beta_and_biases_exactly_as_without_it(xor_data):
    # One step an epoch (the batch is the whole training set): both runs take their gradients at the same weights,
    # so whatever the decay does not touch moves identically; the kernels differ by exactly lr·wd·w.
    lr, wd = 0.5, 0.4
    runs = [Trainer(experiment(BN_HIDDEN, optimizer="sgd", learning_rate=lr, batch_size=200, weight_decay=decay),
                    xor_data) for decay in (wd, 0.0)]
    before = [layer.kernel.numpy() for layer in runs[0].net.dense]
    for run in runs:
        run.step()
    decayed, plain = runs
    for a, b in zip(decayed.net.batch_norm_variables(), plain.net.batch_norm_variables(), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
    for a, b, w in zip(decayed.net.dense, plain.net.dense, before, strict=True):
        np.testing.assert_array_equal(a.bias.numpy(), b.bias.numpy())
        np.testing.assert_allclose(b.kernel.numpy() - a.kernel.numpy(), lr * wd * w, rtol=1e-4, atol=1e-7)
    assert np.abs(decayed.net.batch_norms[0].gamma.numpy() - 1).max() > 1e-3  # γ did move


def test_weight_decay_with_batch_norm_equals_keras_optimizer_which_excludes_gamma_beta(xor_data):
    trainer = Trainer(experiment(BN_HIDDEN, optimizer="sgd", learning_rate=0.3, batch_size=64, weight_decay=0.5),
                      xor_data)
    stock = stock_twin(trainer)
    decayed = [v.path for v in stock.trainable_variables if stock.optimizer._use_weight_decay(v)]
    assert decayed == ["hidden_1/kernel", "hidden_2/kernel", "output/kernel"]
    for epoch in range(2):
        keras_epoch(trainer, stock, BCE, epoch)
        trainer.step()
    assert_same_weights(trainer, stock)


# ---------------------------------------------------------------- output-layer regularizers


def test_output_layer_regularizers_penalty_and_step_equal_keras(xor_data):
    output = {"kernel_regularizer": {"l1": 0.01, "l2": 0.03}, "bias_regularizer": {"l1": 0.0, "l2": 0.2}}
    exp = family_experiment([{"units": 6, "activation": "tanh"}], {"output": output}, optimizer="sgd",
                            learning_rate=0.3, batch_size=64)
    trainer = Trainer(exp, xor_data)
    trainer.net.dense[-1].bias.assign([0.4])
    stock = stock_twin(trainer)
    out = dense_layers(stock)[-1]
    assert type(out.kernel_regularizer) is keras.regularizers.L1L2
    assert type(out.bias_regularizer) is keras.regularizers.L2
    assert (out.kernel_regularizer.l1, out.kernel_regularizer.l2, out.bias_regularizer.l2) == pytest.approx(
        (0.01, 0.03, 0.2))

    x, y = xor_data.x_train[:32], xor_data.y_train[:32]
    mine = trainer.batch_losses(x, y)
    w, b = (v.astype(np.float64) for v in trainer.net.dense[-1].get_weights())
    expected = [0.01 * np.abs(w).sum() + 0.03 * (w ** 2).sum(), 0.2 * (b ** 2).sum(), 0.0]
    np.testing.assert_allclose(mine["layer_penalties"][-1], expected, rtol=1e-5)
    stock(x, training=True)
    assert mine["penalty"] == pytest.approx(float(sum(stock.losses)), rel=1e-5)
    assert mine["penalty"] == pytest.approx(sum(expected), rel=1e-5)  # the hidden layer has none

    for epoch in range(2):
        loss = keras_epoch(trainer, stock, BCE, epoch)
        snap = trainer.step()
        assert snap.loss == pytest.approx(loss, rel=1e-5)
    assert_same_weights(trainer, stock)
    assert snap.layers[-1].kernel_penalty > 0 and snap.layers[-1].bias_penalty > 0
    assert snap.layers[-1].activity_penalty == 0.0


# ---------------------------------------------------------------- Gaussian noise and Gaussian dropout


def inputs(shape=(32, 5)) -> np.ndarray:
    return np.random.default_rng(1).normal(size=shape).astype(np.float32)


@pytest.mark.parametrize("stddev", [0.1, 0.7])
def test_live_noise_adds_what_keras_gaussian_noise_adds(stddev):
    x = inputs()
    mine, theirs = LiveNoise(stddev, seed=11), keras.layers.GaussianNoise(stddev, seed=11)
    for _ in range(3):  # the same stream, call after call
        out = mine(x, training=True).numpy()
        np.testing.assert_array_equal(out, theirs(x, training=True).numpy())
        assert np.abs(out - x).max() > stddev
    np.testing.assert_array_equal(mine(x, training=False).numpy(), x)


@pytest.mark.parametrize("rate", [0.2, 0.6])
def test_gaussian_recording_dropout_multiplies_what_keras_gaussian_dropout_does(rate):
    x = inputs()
    mine = RecordingDropout(rate, seed=11, style="gaussian")
    theirs = keras.layers.GaussianDropout(rate, seed=11)
    for _ in range(3):
        out = mine(x, training=True).numpy()
        np.testing.assert_allclose(out, theirs(x, training=True).numpy(), rtol=1e-6, atol=1e-7)
        factors = out / x
        np.testing.assert_allclose(mine.kept.numpy(), factors[0], rtol=1e-5)  # the first example's factors
        assert np.abs(mine.kept.numpy() - 1).max() > 0.1
    np.testing.assert_array_equal(mine(x, training=False).numpy(), x)


def test_noise_and_gaussian_factors_have_the_stated_distributions():
    ones = np.ones((1000, 400), np.float32)  # 400 000 draws: the mean within 5 standard errors, the std within 1 %
    n = ones.size
    sigma = 0.3
    noise = LiveNoise(sigma, seed=3)(ones * 0, training=True).numpy().astype(np.float64)
    assert abs(noise.mean()) < 5 * sigma / np.sqrt(n)
    assert noise.std() == pytest.approx(sigma, rel=0.01)
    rate = 0.4
    factors = RecordingDropout(rate, seed=3, style="gaussian")(ones, training=True).numpy().astype(np.float64)
    spread = np.sqrt(rate / (1 - rate))  # N(1, p/(1−p))
    assert abs(factors.mean() - 1) < 5 * spread / np.sqrt(n)
    assert factors.std() == pytest.approx(spread, rel=0.01)


def test_noise_and_gaussian_dropout_training_equals_keras_layers(xor_data):
    hidden = [{"units": 8, "activation": "tanh", "noise": 0.2, "dropout": 0.3}, {"units": 6, "dropout": 0.2}]
    network = {"input_noise": 0.3, "input_dropout": 0.1, "dropout_style": "gaussian"}
    trainer = Trainer(family_experiment(hidden, network, optimizer="sgd", learning_rate=0.3, batch_size=64),
                      xor_data)
    assert [layer.name for layer in trainer.model.layers[1:4]] == ["input_noise", "input_dropout", "hidden_1"]
    stock = stock_twin(trainer)
    assert layer_classes(stock) == ["InputLayer", "GaussianNoise", "GaussianDropout", "Dense", "GaussianNoise",
                                    "GaussianDropout", "Dense", "GaussianDropout", "Dense"]
    for epoch in range(2):
        loss = keras_epoch(trainer, stock, BCE, epoch)
        snap = trainer.step()
        assert snap.loss == pytest.approx(loss, rel=1e-5)
    assert_same_weights(trainer, stock)
    # noise is training only: the evaluation is deterministic and equals the stock model's
    np.testing.assert_allclose(trainer.predict(xor_data.x_val), stock.predict(xor_data.x_val, verbose=0), rtol=1e-6)
    # Gaussian dropout switches no unit off: the snapshot carries the recorded factors instead of a mask
    np.testing.assert_array_equal(snap.layers[0].dropout_factors, trainer.net.dropout[1].kept.numpy())
    np.testing.assert_array_equal(snap.input_dropout_factors, trainer.net.dropout[0].kept.numpy())
    assert not snap.layers[0].dropped.any() and not snap.input_dropped.any()
    assert np.abs(snap.layers[0].dropout_factors - 1).max() > 0.1


def test_same_run_without_the_random_streams_ends_elsewhere(xor_data):
    """The check above can fail: a Keras twin drawing other noise ends with other weights."""
    hidden = [{"units": 8, "activation": "tanh", "noise": 0.2}]
    trainer = Trainer(family_experiment(hidden, {"input_noise": 0.3}, optimizer="sgd", learning_rate=0.3,
                                        batch_size=64), xor_data)
    stock = trainer.stock_model()
    stock.get_layer("noise_1").seed_generator.state.assign([123, 0])
    keras_epoch(trainer, stock, BCE)
    trainer.step()
    assert np.abs(trainer.net.dense[0].kernel.numpy() - stock.get_layer("hidden_1").kernel.numpy()).max() > 1e-3
