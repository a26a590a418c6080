"""The trainer's numbers against hand computation and plain Keras."""

import numpy as np
import pytest
from builders import experiment, make_dataset

from engine.spec import OutputLayer, Regularizer
from engine.training.keras_setup import keras, tf
from engine.training.snapshot import ASINH_EDGES
from engine.training.trainer import Trainer, TrainingDiverged


def set_weights(trainer, rng):
    for layer in trainer.net.dense:
        layer.kernel.assign(rng.normal(size=layer.kernel.shape).astype(np.float32))
        layer.bias.assign(rng.normal(size=layer.bias.shape).astype(np.float32))


def test_penalties_equal_hand_computation(xor_data):
    hidden = [
        {"units": 5, "activation": "relu", "kernel_regularizer": {"l1": 0.01, "l2": 0.0},
         "bias_regularizer": {"l1": 0.0, "l2": 0.02}, "activity_regularizer": {"l1": 0.003, "l2": 0.0}},
        {"units": 4, "activation": "tanh", "kernel_regularizer": {"l1": 0.0, "l2": 0.05}},
        {"units": 3, "activation": "linear", "kernel_regularizer": {"l1": 0.004, "l2": 0.006},
         "activity_regularizer": {"l1": 0.0, "l2": 0.001}},
    ]
    exp = experiment(hidden)
    exp.network.output = OutputLayer(kernel_regularizer=Regularizer(l2=0.03), bias_regularizer=Regularizer(l1=0.02))
    trainer = Trainer(exp, xor_data)
    set_weights(trainer, np.random.default_rng(1))
    x, y = xor_data.x_train[:32], xor_data.y_train[:32]
    out = trainer.batch_losses(x, y, training=True)

    w = [(layer.kernel.numpy().astype(np.float64), layer.bias.numpy().astype(np.float64))
         for layer in trainer.net.dense]
    h1 = np.maximum(x @ w[0][0] + w[0][1], 0)
    h2 = np.tanh(h1 @ w[1][0] + w[1][1])
    h3 = h2 @ w[2][0] + w[2][1]
    expected = np.array([
        [0.01 * np.abs(w[0][0]).sum(), 0.02 * (w[0][1] ** 2).sum(), 0.003 * np.abs(h1).sum() / 32],  # L1, L2 bias, act
        [0.05 * (w[1][0] ** 2).sum(), 0.0, 0.0],  # L2 (λΣw², no ½)
        [0.004 * np.abs(w[2][0]).sum() + 0.006 * (w[2][0] ** 2).sum(), 0.0, 0.001 * (h3 ** 2).sum() / 32],  # L1L2
        [0.03 * (w[3][0] ** 2).sum(), 0.02 * np.abs(w[3][1]).sum(), 0.0],  # the output layer: no activity penalty
    ])
    np.testing.assert_allclose(out["layer_penalties"], expected, rtol=1e-4, atol=1e-6)
    assert out["penalty"] == pytest.approx(expected.sum(), rel=1e-5)
    assert out["loss"] == pytest.approx(out["data_loss"] + out["penalty"], rel=1e-6)
    logits_p = 1 / (1 + np.exp(-(h3 @ w[3][0] + w[3][1])))
    bce = -np.mean(y * np.log(logits_p) + (1 - y) * np.log(1 - logits_p))
    assert out["data_loss"] == pytest.approx(bce, rel=1e-4)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_batch_loss_equals_keras_own(task):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(60, 3))
    if task == "binary":
        y = (x[:, 0] > 0).astype(float)
    elif task == "multiclass":
        y = np.eye(3)[rng.integers(0, 3, 60)]
    else:
        y = x.sum(axis=1)
    data = make_dataset(x[:40], y[:40], x[40:], y[40:], task=task)
    hidden = [{"units": 6, "kernel_regularizer": {"l1": 0.01, "l2": 0.02}, "bias_regularizer": {"l1": 0.0, "l2": 0.1},
               "activity_regularizer": {"l1": 0.001, "l2": 0.0}, "dropout": 0.0},
              {"units": 5, "activation": "elu", "kernel_regularizer": {"l1": 0.0, "l2": 0.03}}]
    trainer = Trainer(experiment(hidden), data)
    set_weights(trainer, rng)
    mine = trainer.batch_losses(data.x_train, data.y_train, training=True)
    stock = trainer.stock_model()
    keras_loss = stock.evaluate(data.x_train, data.y_train, batch_size=40, verbose=0, return_dict=True)["loss"]
    assert mine["loss"] == pytest.approx(keras_loss, rel=1e-5)
    stock(data.x_train, training=False)  # an eager call, so stock.losses holds this batch's activity penalty
    assert mine["penalty"] == pytest.approx(float(sum(stock.losses)), rel=1e-5)


@pytest.mark.parametrize("batch_size", [40, 64])  # 200 examples: five equal batches; or three of 64 and one of 8
def test_one_epoch_equals_plain_keras_steps_over_the_same_batches(xor_data, batch_size):
    hidden = [{"units": 6, "activation": "tanh", "kernel_regularizer": {"l1": 0.001, "l2": 0.01},
               "activity_regularizer": {"l1": 0.0, "l2": 0.002}}]
    trainer = Trainer(experiment(hidden, optimizer="sgd", learning_rate=0.1, batch_size=batch_size), xor_data)
    stock = trainer.stock_model()  # the same starting weights, stock Keras layers and regularizers
    n = len(xor_data.x_train)
    order = tf.argsort(tf.random.stateless_uniform([n], seed=tf.constant([trainer.exp.training.seed, 0],
                                                                                tf.int64))).numpy()
    x, y = xor_data.x_train[order], xor_data.y_train[order]
    bce = keras.losses.BinaryCrossentropy()
    sgd = keras.optimizers.SGD(learning_rate=0.1)
    weighted_loss = 0.0
    for start in range(0, n, batch_size):  # Keras' fit: batches in order, the last one short if need be
        xb, yb = x[start: start + batch_size], y[start: start + batch_size]
        with tf.GradientTape() as tape:
            loss = bce(yb, stock(xb, training=True)) + tf.add_n(stock.losses)
        sgd.apply_gradients(zip(tape.gradient(loss, stock.trainable_variables), stock.trainable_variables,
                                strict=True))
        weighted_loss += float(loss) * len(xb)

    snap = trainer.step()
    for mine, theirs in zip(trainer.model.trainable_variables, stock.trainable_variables, strict=True):
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)
    assert snap.loss == pytest.approx(weighted_loss / n, rel=1e-5)  # the epoch's loss: the mean over examples


def test_epoch_loss_is_data_loss_plus_penalty_and_evaluations_are_dropout_off(xor_data):
    hidden = [{"units": 16, "dropout": 0.3, "kernel_regularizer": {"l1": 0.0, "l2": 0.01}}]
    trainer = Trainer(experiment(hidden), xor_data)
    snap = trainer.step()
    assert snap.epoch == 1
    assert snap.loss == pytest.approx(snap.data_loss + snap.penalty, rel=1e-6)
    assert snap.penalty == pytest.approx(sum(layer.penalty for layer in snap.layers), rel=1e-5)
    for x, y, value, acc in ((xor_data.x_train, xor_data.y_train, snap.train_eval_loss, snap.train_eval_metric),
                             (xor_data.x_val, xor_data.y_val, snap.val_loss, snap.val_metric)):
        p = np.clip(trainer.predict(x).astype(np.float64), 1e-7, 1 - 1e-7)
        bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        assert value == pytest.approx(bce, rel=1e-4)  # no penalty, no dropout
        assert acc == pytest.approx(np.mean((p > 0.5) == (y > 0.5)))
    # evaluation is deterministic: dropout is off
    np.testing.assert_array_equal(trainer.predict(xor_data.x_val), trainer.predict(xor_data.x_val))


def test_snapshot_contents(xor_data):
    hidden = [{"units": 16, "dropout": 0.5, "kernel_regularizer": {"l1": 0.001, "l2": 0.0}}, {"units": 8}]
    trainer = Trainer(experiment(hidden), xor_data)
    for _ in range(5):
        snap = trainer.step()
    assert [layer.name for layer in snap.layers] == ["hidden_1", "hidden_2", "output"]
    for b in snap.layers:
        reach = b.histogram_edges[-1]
        np.testing.assert_allclose(b.histogram_edges, np.linspace(-reach, reach, 42))  # ±R, one bin centred on 0
        assert np.abs(b.kernel).max() <= reach and reach in (0.2, 0.5, 1.0, 2.0)  # a 1-2-5 step holding every w
        np.testing.assert_array_equal(b.histogram, np.histogram(b.kernel, b.histogram_edges)[0])
        asinh_counts = np.histogram(np.clip(b.kernel, -10, 10), ASINH_EDGES)[0]  # fixed bins of the heat map
        np.testing.assert_array_equal(b.asinh_histogram, asinh_counts)
        assert b.histogram.sum() == b.asinh_histogram.sum() == b.kernel.size
        assert b.l1_norm == pytest.approx(np.abs(b.kernel).sum(), rel=1e-6)
        assert b.l2_norm == pytest.approx(np.sqrt((b.kernel.astype(np.float64) ** 2).sum()), rel=1e-5)
        assert b.near_zero == pytest.approx(np.mean(np.abs(b.kernel) < 1e-3))
    assert snap.layers[0].dropout_rate == pytest.approx(0.5)
    assert snap.layers[0].dropped.shape == (16,) and snap.layers[0].dropped.dtype == bool
    assert snap.layers[1].dropped.sum() == 0  # rate 0 drops nothing
    assert snap.decision_grid.shape == (64, 64)
    assert 0.0 <= snap.decision_grid.min() and snap.decision_grid.max() <= 1.0
    x0, x1, y0, y1 = snap.grid_extent
    assert x0 < xor_data.x_train[:, 0].min() and x1 > xor_data.x_train[:, 0].max()
    # the grid is the model's output at the grid points (row = y, column = x)
    corner = trainer.predict(np.array([[x0, y0], [x1, y1]]))[:, 0]
    np.testing.assert_allclose([snap.decision_grid[0, 0], snap.decision_grid[-1, -1]], corner, rtol=1e-5, atol=1e-6)
    # the kernel drawn is the model's kernel
    np.testing.assert_array_equal(snap.layers[0].kernel, trainer.net.dense[0].kernel.numpy())


def test_grid_every_k_epochs(xor_data):
    trainer = Trainer(experiment(), xor_data, grid_every=3)
    grids = [trainer.step().decision_grid is not None for _ in range(6)]
    assert grids == [False, False, True, False, False, True]


def test_live_changes_apply_next_epoch_without_reset_or_retracing(xor_data):
    exp = experiment([{"units": 16, "dropout": 0.0}])
    trainer = Trainer(exp, xor_data)
    for _ in range(3):
        before = trainer.step()
    assert before.penalty == 0.0
    weights = trainer.net.dense[0].kernel.numpy().copy()

    changed = exp.copy()
    changed.network.hidden[0].kernel_regularizer = Regularizer(l1=0.0, l2=0.5)
    changed.network.hidden[0].dropout = 0.9
    changed.training.learning_rate = 0.001
    assert trainer.apply_live(changed)
    np.testing.assert_array_equal(trainer.net.dense[0].kernel.numpy(), weights)  # not reset
    after = trainer.step()
    assert after.epoch == 4
    expected_penalty_now = 0.5 * float((trainer.net.dense[0].kernel.numpy().astype(np.float64) ** 2).sum())
    assert after.layers[0].kernel_penalty > 0.0
    assert after.layers[0].kernel_penalty == pytest.approx(expected_penalty_now, rel=0.2)
    assert after.layers[0].dropout_rate == pytest.approx(0.9)
    assert after.learning_rate == pytest.approx(0.001)
    assert trainer.trace_count == 1


def test_structural_change_is_refused_by_apply_live(xor_data):
    exp = experiment([{"units": 16}])
    trainer = Trainer(exp, xor_data)
    changed = exp.copy()
    changed.network.hidden[0].units = 17
    assert not trainer.apply_live(changed)
    changed = exp.copy()
    changed.training.batch_size = 10
    assert not trainer.apply_live(changed)


def test_same_spec_and_seed_give_identical_metrics_and_reset_replays(xor_data):
    exp = experiment([{"units": 16, "dropout": 0.3, "activity_regularizer": {"l1": 0.01, "l2": 0}}])
    a, b = Trainer(exp, xor_data), Trainer(exp, xor_data)
    a.run(5)
    b.run(5)
    assert a.history == b.history
    history = list(a.history)
    a.reset()
    assert a.epoch == 0 and a.history == []
    a.run(5)
    assert a.history == history
    assert a.trace_count == 1
    other = exp.copy()
    other.training.seed = 1
    c = Trainer(other, xor_data)
    c.run(5)
    assert c.history != history


def test_run_stops_on_request_between_epochs(xor_data):
    trainer = Trainer(experiment(epochs=50), xor_data)
    seen = []

    def on_epoch(snap):
        seen.append(snap.epoch)
        if snap.epoch == 3:
            trainer.request_stop()

    trainer.run(on_epoch=on_epoch)
    assert seen == [1, 2, 3] and trainer.epoch == 3
    trainer.run(2)
    assert trainer.epoch == 5


def test_divergence_stops_with_a_reason_and_keeps_finite_weights(xor_data):
    hidden = [{"units": 16, "kernel_regularizer": {"l1": 0.0, "l2": 100.0}}]
    exp = experiment(hidden, optimizer="sgd", learning_rate=10.0)
    trainer = Trainer(exp, xor_data)
    with pytest.raises(TrainingDiverged, match="diverged"):
        trainer.run(50)
    assert trainer.diverged and "learning rate" in trainer.diverged
    for v in trainer.model.trainable_variables:
        assert np.isfinite(v.numpy()).all()
    with pytest.raises(TrainingDiverged):
        trainer.step()
    sane = exp.copy()
    sane.training.learning_rate = 0.01
    sane.network.hidden[0].kernel_regularizer = Regularizer(l2=0.001)
    assert trainer.apply_live(sane)
    trainer.reset()
    assert trainer.diverged is None and trainer.epoch == 0
    assert np.isfinite(trainer.run(3).loss)


def test_stock_model_uses_only_keras_layers_and_current_values(xor_data):
    hidden = [{"units": 8, "dropout": 0.25, "kernel_regularizer": {"l1": 0.01, "l2": 0.0}},
              {"units": 4, "kernel_regularizer": {"l1": 0.01, "l2": 0.02},
               "activity_regularizer": {"l1": 0, "l2": 0.1}}]
    exp = experiment(hidden)
    trainer = Trainer(exp, xor_data)
    trainer.step()
    live = exp.copy()
    live.network.hidden[0].dropout = 0.4
    trainer.apply_live(live)
    stock = trainer.stock_model()
    kinds = [type(layer).__name__ for layer in stock.layers]
    assert kinds == ["InputLayer", "Dense", "Dropout", "Dense", "Dense"]
    assert stock.layers[2].rate == pytest.approx(0.4)
    assert isinstance(stock.layers[1].kernel_regularizer, keras.regularizers.L1)
    assert isinstance(stock.layers[3].kernel_regularizer, keras.regularizers.L1L2)
    assert isinstance(stock.layers[3].activity_regularizer, keras.regularizers.L2)
    np.testing.assert_allclose(stock.predict(xor_data.x_val, verbose=0), trainer.predict(xor_data.x_val), rtol=1e-6)


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    from engine.spec import EarlyStopping

    rng = np.random.default_rng(3)
    x = rng.normal(size=(80, 2))
    y = (x[:, 0] + 0.8 * rng.normal(size=80) > 0).astype(float)  # noisy: a big network over-fits fast
    data = make_dataset(x[:40], y[:40], x[40:], y[40:])
    exp = experiment([{"units": 64}, {"units": 64}], learning_rate=0.03, epochs=400)
    exp.training.early_stopping = EarlyStopping(patience=10, restore_best_weights=True)
    trainer = Trainer(exp, data)
    trainer.run()
    assert trainer.stopped_early and trainer.epoch < 400
    val = [row["val_loss"] for row in trainer.history]
    best = int(np.argmin(val)) + 1
    assert trainer.best_epoch == best and trainer.epoch == best + 10
    p = np.clip(trainer.predict(data.x_val).astype(np.float64), 1e-7, 1 - 1e-7)
    restored = -np.mean(data.y_val * np.log(p) + (1 - data.y_val) * np.log(1 - p))
    assert restored == pytest.approx(val[best - 1], rel=1e-4)  # the best epoch's weights are back
    assert trainer.run(5) is None  # a stopped run does not go on
    trainer.reset()
    assert trainer.stopped_early is None and trainer.best_epoch == 0


def test_classic_dropout_network_saves_as_an_equivalent_stock_model(xor_data):
    exp = experiment([{"units": 12, "dropout": 0.5}, {"units": 6, "dropout": 0.3}])
    exp.network.input_dropout = 0.2
    exp.network.dropout_style = "classic"
    trainer = Trainer(exp, xor_data)
    trainer.run(3)
    stock = trainer.stock_model()
    np.testing.assert_allclose(stock.predict(xor_data.x_val, verbose=0), trainer.predict(xor_data.x_val), rtol=1e-5)
    assert all(type(layer).__name__ in ("InputLayer", "Dense", "Dropout") for layer in stock.layers)


def test_mc_dropout_mean_and_std(xor_data):
    trainer = Trainer(experiment([{"units": 16, "dropout": 0.0}]), xor_data)
    trainer.run(2)
    mean, std = trainer.mc_predict(xor_data.x_val, passes=10)
    assert np.all(std == 0)  # every rate 0: every pass is the same
    np.testing.assert_allclose(mean, trainer.predict(xor_data.x_val), rtol=1e-6)

    dropping = Trainer(experiment([{"units": 16, "dropout": 0.5}]), xor_data)
    dropping.run(2)
    kept_before = dropping.net.dropout[1].kept.numpy().copy()
    mean, std = dropping.mc_predict(xor_data.x_val, passes=20)
    assert std.mean() > 1e-3 and mean.shape == (len(xor_data.x_val), 1)
    np.testing.assert_array_equal(dropping.net.dropout[1].kept.numpy(), kept_before)  # the drawn mask is kept


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_warm_up_traces_once_and_changes_nothing(xor_data, optimizer):
    # warm_up runs one epoch and puts everything back: weights, optimizer slots, dropout seeds, epoch counter
    hidden = [{"units": 8, "dropout": 0.3}, {"units": 6, "dropout": 0.5}]
    a = Trainer(experiment(hidden, optimizer=optimizer), xor_data)
    b = Trainer(experiment(hidden, optimizer=optimizer), xor_data)
    a.warm_up()
    assert a.trace_count == 1 and a.epoch == 0
    a.run(3)
    b.run(3)
    assert a.trace_count == 1 and a.history == b.history
    for wa, wb in zip(a.model.trainable_variables, b.model.trainable_variables, strict=True):
        np.testing.assert_array_equal(wa.numpy(), wb.numpy())
    for da, db in zip(a.net.dropout, b.net.dropout, strict=True):
        np.testing.assert_array_equal(da.kept.numpy(), db.kept.numpy())


def test_mc_grid_is_shaped_like_the_decision_grid_and_spreads_only_with_dropout(xor_data):
    still = Trainer(experiment([{"units": 16, "dropout": 0.0}]), xor_data)
    snap = still.step()
    mean, std = still.mc_grid(passes=5)
    assert mean.shape == std.shape == snap.decision_grid.shape == (64, 64)
    assert np.all(std == 0)  # every rate 0: every pass is the same
    np.testing.assert_allclose(mean, snap.decision_grid, rtol=1e-5, atol=1e-6)  # rows = y, columns = x, as drawn

    exp = experiment([{"units": 16, "dropout": 0.5}, {"units": 8, "dropout": 0.3}])
    dropping, twin = Trainer(exp, xor_data), Trainer(exp, xor_data)
    dropping.run(2)
    twin.run(2)
    kept_before = [drop.kept.numpy().copy() for drop in dropping.net.dropout]
    mean, std = dropping.mc_grid(passes=20)
    assert mean.shape == std.shape == (64, 64)
    assert std.max() > 1e-2 and np.all(std >= 0)
    assert 0.0 <= mean.min() and mean.max() <= 1.0
    for drop, kept in zip(dropping.net.dropout, kept_before, strict=True):
        np.testing.assert_array_equal(drop.kept.numpy(), kept)  # the drawn masks are kept
    again_mean, again_std = dropping.mc_grid(passes=20)  # the random streams were put back: the same passes
    np.testing.assert_array_equal(again_std, std)
    dropping.run(3)
    twin.run(3)
    assert dropping.history == twin.history  # looking at the map does not change the run


def test_mc_grid_for_several_classes_regression_and_no_grid():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(90, 2))
    labels = rng.integers(0, 3, 90)
    multi = make_dataset(x[:60], np.eye(3)[labels[:60]], x[60:], np.eye(3)[labels[60:]], task="multiclass")
    trainer = Trainer(experiment([{"units": 8, "dropout": 0.4}]), multi)
    snap = trainer.step()
    mean, std = trainer.mc_grid(passes=8)
    assert mean.shape == std.shape == snap.decision_grid.shape == (64, 64, 3)
    np.testing.assert_allclose(mean.sum(axis=-1), 1.0, rtol=1e-4)  # softmax, averaged over the passes
    assert std.max() > 0

    y = x[:, 0] * 30 + 100  # regression: mean and std in target units, like the snapshot's grid
    reg = make_dataset(x[:60], y[:60], x[60:], y[60:], task="regression")
    reg.target_mean, reg.target_std = 100.0, 30.0
    trainer = Trainer(experiment([{"units": 8, "dropout": 0.0}]), reg)
    snap = trainer.step()
    mean, std = trainer.mc_grid(passes=3)
    assert mean.shape == std.shape == (64, 64)
    np.testing.assert_allclose(mean, snap.decision_grid, rtol=1e-5)
    assert np.all(std == 0)

    wide = make_dataset(rng.normal(size=(40, 3)), labels[:40] % 2, rng.normal(size=(20, 3)), labels[40:60] % 2)
    assert Trainer(experiment(), wide).mc_grid() is None


def test_tensorflow_runs_on_one_thread_unless_told_otherwise(monkeypatch):
    from engine.training import keras_setup
    from engine.training.keras_setup import tf

    assert keras_setup.TF_THREADS == 1
    assert tf.config.threading.get_intra_op_parallelism_threads() == 1
    assert tf.config.threading.get_inter_op_parallelism_threads() == 1
    for value, expected in (("0", 0), ("4", 4), ("many", 1), ("-2", 0)):
        monkeypatch.setenv("REGLAB_TF_THREADS", value)
        assert keras_setup._threads() == expected
