"""RecordingDropout behaves like keras.layers.Dropout and records the mask it really applied."""

import numpy as np
import pytest

from engine.training.keras_setup import keras
from engine.training.layers import LiveRegularizer, RecordingDropout


def make_layer(rate, units=200, seed=3):
    layer = RecordingDropout(rate, seed=seed)
    layer.build((None, units))
    return layer


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropped_fraction_and_inverted_scaling(rate):
    layer = make_layer(rate)
    x = np.ones((500, 200), np.float32)
    out = np.asarray(layer(x, training=True))
    dropped = np.mean(out == 0)
    n = out.size
    bound = 4 * np.sqrt(rate * (1 - rate) / n)  # 4 standard deviations of a binomial proportion
    assert abs(dropped - rate) < bound
    survivors = out[out != 0]
    np.testing.assert_allclose(survivors, 1 / (1 - rate), rtol=1e-6)  # Keras' inverted scaling
    assert np.mean(out) == pytest.approx(1.0, abs=0.02)  # the expectation is kept


def test_identity_at_evaluation():
    layer = make_layer(0.5)
    x = np.random.default_rng(0).normal(size=(10, 200)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)


def test_recorded_mask_is_the_applied_one():
    layer = make_layer(0.5, units=64)
    for _ in range(5):
        x = np.random.default_rng(1).uniform(1, 2, size=(8, 64)).astype(np.float32)  # never zero
        out = np.asarray(layer(x, training=True))
        kept = layer.kept.numpy()
        np.testing.assert_array_equal(kept == 0, out[0] == 0)
        assert 0 < kept.sum() < 64


def test_rate_zero_drops_nothing_and_rate_is_live():
    layer = make_layer(0.0, units=50)
    x = np.ones((20, 50), np.float32)
    np.testing.assert_array_equal(np.asarray(layer(x, training=True)), x)
    layer.rate.assign(0.9)
    out = np.asarray(layer(x, training=True))
    assert np.mean(out == 0) > 0.7


def test_matches_keras_dropout_in_distribution():
    x = np.ones((400, 100), np.float32)
    ours = np.asarray(make_layer(0.3, units=100)(x, training=True))
    theirs = np.asarray(keras.layers.Dropout(0.3, seed=1)(x, training=True))
    assert set(np.unique(ours).round(5)) == set(np.unique(theirs).round(5))
    assert abs(np.mean(ours == 0) - np.mean(theirs == 0)) < 0.02


def test_live_regularizer_equals_keras_l1l2():
    w = np.random.default_rng(4).normal(size=(7, 5)).astype(np.float32)
    for l1, l2 in [(0.01, 0.0), (0.0, 0.02), (0.03, 0.04), (0.0, 0.0)]:
        mine = float(LiveRegularizer(l1, l2)(keras.ops.convert_to_tensor(w)))
        theirs = float(keras.regularizers.L1L2(l1=l1, l2=l2)(keras.ops.convert_to_tensor(w)))
        assert mine == pytest.approx(theirs, rel=1e-6, abs=1e-9)
        assert mine == pytest.approx(l1 * np.abs(w).sum() + l2 * (w.astype(np.float64) ** 2).sum(), rel=1e-5, abs=1e-9)
    reg = LiveRegularizer(0.1, 0.2)
    reg.set(0.0, 0.5)
    assert reg.get_config() == {"l1": 0.0, "l2": 0.5}


@pytest.mark.parametrize("classic", [False, True])
def test_training_and_evaluation_agree_in_expectation(classic):
    """Inverted: survivors × 1/(1−p) while training; classic: no scaling while training, × (1−p) at
    evaluation. Either way the mean training-time output equals the evaluation output."""
    rate = 0.4
    layer = RecordingDropout(rate, seed=5, style="classic" if classic else "inverted")
    layer.build((None, 50))
    x = np.random.default_rng(2).uniform(0.5, 2.0, size=(1, 50)).astype(np.float32)
    batch = np.repeat(x, 4000, axis=0)
    train_mean = np.asarray(layer(batch, training=True)).mean(axis=0)
    evaluation = np.asarray(layer(x, training=False))[0]
    np.testing.assert_allclose(train_mean, evaluation, rtol=0.08)
    survivors = np.asarray(layer(batch, training=True))
    scale = 1.0 if classic else 1 / (1 - rate)
    np.testing.assert_allclose(survivors[survivors != 0], np.broadcast_to(batch * scale, batch.shape)[survivors != 0],
                               rtol=1e-6)
    expected_eval = x[0] * (1 - rate) if classic else x[0]
    np.testing.assert_allclose(evaluation, expected_eval, rtol=1e-6)


def test_classic_and_inverted_dropout_agree_in_expectation():
    """The same masks (same seed): classic = (1−p) × inverted while training, and at evaluation too. So with the
    next layer's weights × (1−p) (what a saved classic model folds in), the mean over many training passes of an
    inverted network equals the classic network's evaluation output, and the other way round."""
    rate = 0.3
    inverted = RecordingDropout(rate, seed=7)
    classic = RecordingDropout(rate, seed=7, style="classic")
    for layer in (inverted, classic):
        layer.build((None, 50))
    rng = np.random.default_rng(3)
    x = rng.uniform(0.5, 2.0, size=(1, 50)).astype(np.float32)
    w, b = rng.uniform(0.0, 1.0, size=(50, 4)), rng.normal(size=4)  # a Dense layer after the dropout
    batch = np.repeat(x, 4000, axis=0)
    inverted_train = np.asarray(inverted(batch, training=True), np.float64)
    classic_train = np.asarray(classic(batch, training=True), np.float64)
    np.testing.assert_allclose(classic_train, (1 - rate) * inverted_train, rtol=1e-6)  # the very same masks
    inverted_eval = np.asarray(inverted(x, training=False), np.float64)
    classic_eval = np.asarray(classic(x, training=False), np.float64)
    np.testing.assert_allclose(classic_eval, (1 - rate) * inverted_eval, rtol=1e-6)

    mc_inverted = (inverted_train @ (w * (1 - rate)) + b).mean(axis=0)  # Monte-Carlo mean, weights folded
    np.testing.assert_allclose(mc_inverted, (classic_eval @ w + b)[0], rtol=0.02)
    mc_classic = (classic_train @ (w / (1 - rate)) + b).mean(axis=0)
    np.testing.assert_allclose(mc_classic, (inverted_eval @ w + b)[0], rtol=0.02)
