"""Train an experiment one epoch at a time, each epoch a single ``tf.function`` call.

The whole epoch — a seeded shuffle, every batch in one graph loop (the last batch shorter when the
batch size does not divide the rows, as in Keras' fit), evaluation on the training and validation
sets with dropout off — runs as one graph. Live settings (dropout rates, λ, learning rate, weight decay,
label smoothing, max-norm c, noise σ) are variables read by that graph, so changing them between epochs needs no
retracing.

Use from one thread (the one that owns TensorFlow). ``request_stop`` may be called from any thread.
"""

from __future__ import annotations

import math
import threading
import time
import warnings
from collections.abc import Callable

import numpy as np

from engine.data import Dataset, load_dataset
from engine.spec import (
    OUTPUT_REGULARIZER_KINDS,
    REGULARIZER_KINDS,
    Experiment,
    label_smoothing_error,
    live_fields_differ_only,
)
from engine.training.diverged import TrainingDiverged  # noqa: F401  (raised here, importable from here)
from engine.training.epoch_values import layout, make_snapshot, unpack
from engine.training.keras_names import HEADS
from engine.training.keras_setup import keras, tf
from engine.training.model_builder import build_stock_model, build_training_model, make_loss, make_optimizer
from engine.training.snapshot import GRID_SIZE, Snapshot, WeightBins


class Trainer:
    def __init__(self, exp: Experiment, dataset: Dataset | None = None, grid_every: int = 1):
        self.exp = exp.copy()
        self.data = dataset if dataset is not None else load_dataset(exp)
        self.grid_every = max(0, int(grid_every))
        self.metric_name = "rmse" if self.data.task == "regression" else "accuracy"
        _check_label_smoothing(exp, self.data.task)
        self._stop = threading.Event()
        self.diverged: str | None = None
        self.epoch = 0
        self.history: list[dict] = []
        self.last_timing = {"epoch_graph": 0.0, "snapshot": 0.0}  # seconds of the last step, by part
        self.stopped_early: str | None = None  # why early stopping ended the run
        self.best_epoch = 0  # the epoch with the lowest val_loss so far
        self._best_val_loss = math.inf
        self._best_weights: list | None = None

        keras.utils.set_random_seed(exp.training.seed)
        d = self.data
        self.net = build_training_model(self.exp, d.n_features, d.n_outputs, d.task)
        self.model = self.net.model
        self.loss_fn = make_loss(d.task)
        self.optimizer = make_optimizer(exp.training.optimizer, exp.training.learning_rate)
        self.optimizer.build(self.model.trainable_variables)
        # Keras' optimizer takes weight_decay as a Python number fixed when the step is traced; these variables
        # let the graph read the current values, so they change live (see _decay_kernels and _smoothed).
        self._weight_decay = tf.Variable(exp.training.weight_decay, dtype=tf.float32, trainable=False)
        self._label_smoothing = tf.Variable(exp.training.label_smoothing, dtype=tf.float32, trainable=False)

        self._x_train = tf.constant(d.x_train, tf.float32)
        self._y_train = tf.constant(d.y_train, tf.float32)
        self._x_val = tf.constant(d.x_val, tf.float32)
        self._y_val = tf.constant(d.y_val, tf.float32)
        self._epoch_counter = tf.Variable(0, dtype=tf.int64, trainable=False)
        self._shuffle_seed = tf.constant(exp.training.seed, tf.int64)
        self._grid_flag = bool(self.grid_every)
        self._with_grid = tf.Variable(self._grid_flag, trainable=False)

        self._grid, self.grid_extent = self._make_grid()
        self._layout = layout(self.net, d.n_outputs if self._grid is not None else None)
        # what a diverged run or early stopping puts back: the Dense weights (copied from each epoch's output) and
        # batch norm's γ, β and moving statistics (read when there are any)
        self._dense_vars = [v for layer in self.net.dense for v in (layer.kernel, layer.bias)]
        self._bn_vars = self.net.batch_norm_variables()
        # autograph=False: the graph is written with explicit tf.while_loop / tf.cond, and converting the
        # Python code (ours and Keras') would cost about a second at the first epoch.
        self._epoch_fn = tf.function(self._train_one_epoch, autograph=False)
        self._initial_state = self._state_to_restore_on_reset()
        self._initial_values = [v.numpy() for v in self._initial_state]
        self._last_finite = self.weights_now()
        self.weight_bins = [WeightBins(layer.kernel.numpy()) for layer in self.net.dense]

    # ------------------------------------------------------------------ public controls
    @property
    def trace_count(self) -> int:
        """How many times the epoch graph was traced (1 after the first epoch, and it stays 1)."""
        return self._epoch_fn.experimental_get_tracing_count()

    def warm_up(self) -> None:
        """Prepare the epoch graph now, so the first epoch after Play starts at once.

        Tracing (≈ 0.5 s) is only half of it: TensorFlow optimizes and instantiates a graph at its first call
        (another ≈ 0.3 s). So run one epoch and put every variable back as it was (weights, optimizer slots,
        dropout seeds, the epoch counter): the run then starts exactly as if nothing had happened.
        """
        if self.epoch == 0:
            self._epoch_fn()
            self.reset()
        else:
            self._epoch_fn.get_concrete_function()

    def request_stop(self) -> None:
        """Ask ``run`` to stop after the current epoch (safe from any thread)."""
        self._stop.set()

    def step(self) -> Snapshot:
        """Train exactly one epoch and return its snapshot."""
        if self.diverged:
            raise TrainingDiverged(self.diverged)
        start = time.perf_counter()
        with_grid = bool(self.grid_every) and (self.epoch + 1) % self.grid_every == 0
        if with_grid != self._grid_flag:  # a graph input that rarely changes: a variable, set on change only
            self._with_grid.assign(with_grid)
            self._grid_flag = with_grid
        flat = self._epoch_fn().numpy()
        graph_done = time.perf_counter()
        values = unpack(flat, self._layout, with_grid)
        self.epoch += 1
        self._check_finite(values)
        snap = make_snapshot(values, epoch=self.epoch, net=self.net, weight_bins=self.weight_bins,
                             metric_name=self.metric_name, data=self.data, grid_extent=self.grid_extent,
                             gaussian=self.exp.network.dropout_style == "gaussian",
                             max_norms=[h.max_norm for h in self.exp.network.hidden])
        done = time.perf_counter()
        snap.seconds = done - start
        self.last_timing = {"epoch_graph": graph_done - start, "snapshot": done - graph_done}
        self.history.append(snap.metrics_row())
        self._early_stopping(snap)
        return snap

    def run(self, epochs: int | None = None, on_epoch: Callable[[Snapshot], None] | None = None) -> Snapshot | None:
        """Train ``epochs`` more epochs (default: up to the spec's limit), stopping early on request."""
        self._stop.clear()
        target = self.epoch + epochs if epochs is not None else self.exp.training.epochs
        snap = None
        while self.epoch < target and not self._stop.is_set() and not self.stopped_early:
            snap = self.step()
            if on_epoch is not None:
                on_epoch(snap)
        return snap

    def reset(self) -> None:
        """Re-initialize weights, optimizer state and random streams from the seed; keep live settings."""
        for var, value in zip(self._initial_state, self._initial_values, strict=True):
            var.assign(value)
        for drop in self.net.dropout:
            drop.kept.assign(np.ones(drop.kept.shape, np.float32))
        self._epoch_counter.assign(0)
        self.epoch = 0
        self.history = []
        self.diverged = None
        self.stopped_early = None
        self.best_epoch, self._best_val_loss, self._best_weights = 0, math.inf, None
        self._last_finite = self.weights_now()
        self.weight_bins = [WeightBins(layer.kernel.numpy()) for layer in self.net.dense]

    def apply_live(self, exp: Experiment) -> bool:
        """Take the new spec's dropout rates, λ, learning rate, weight decay, label smoothing, max-norm c and noise σ
        from the next epoch on.

        Returns False (and changes nothing) if ``exp`` differs in anything else: that needs a new Trainer.
        Label smoothing on regression data raises SpecError.
        """
        if not live_fields_differ_only(self.exp, exp):
            return False
        _check_label_smoothing(exp, self.data.task)
        net = exp.network
        self.net.dropout[0].rate.assign(net.input_dropout)
        _set_noise(self.net.noise[0], net.input_noise)
        for i, h in enumerate(net.hidden):
            self.net.dropout[i + 1].rate.assign(h.dropout)
            _set_regularizers(self.net.regularizers[i], h, REGULARIZER_KINDS)
            if self.net.max_norms[i] is not None:
                self.net.max_norms[i].max_value.assign(h.max_norm)
            _set_noise(self.net.noise[i + 1], h.noise)
        _set_regularizers(self.net.regularizers[-1], net.output, OUTPUT_REGULARIZER_KINDS)
        self.optimizer.learning_rate = exp.training.learning_rate
        self._weight_decay.assign(exp.training.weight_decay)
        self._label_smoothing.assign(exp.training.label_smoothing)
        self.exp = exp.copy()
        return True

    def stock_model(self) -> keras.Model:
        """A plain-Keras copy with the current weights, rates, λ, c and σ (stock Dropout, GaussianDropout,
        GaussianNoise, BatchNormalization, regularizers and MaxNorm), compiled with the stock optimizer (its
        ``weight_decay``, biases and batch norm's γ, β excluded) and loss (its ``label_smoothing``).

        Keras has only inverted dropout; for a classic-dropout network the evaluation scaling × (1−p) of
        each dropout is folded into the kernel of the Dense layer after it, so predictions are the same.
        """
        d = self.data
        stock = build_stock_model(self.exp, d.n_features, d.n_outputs, d.task)
        dense = [layer for layer in stock.layers if isinstance(layer, keras.layers.Dense)]
        classic = self.exp.network.dropout_style == "classic"
        for mine, theirs, before in zip(self.net.dense, dense, self.net.dropout, strict=True):
            kernel, bias = mine.get_weights()
            if classic:
                kernel = kernel * (1.0 - float(before.rate.numpy()))
            theirs.set_weights([kernel, bias])
        for bn in self.net.batch_norms:
            if bn is not None:
                stock.get_layer(bn.name).set_weights(bn.get_weights())
        t = self.exp.training
        stock.compile(
            optimizer=make_optimizer(t.optimizer, t.learning_rate, t.weight_decay),
            loss=make_loss(d.task, t.label_smoothing) if t.label_smoothing else HEADS[d.task].loss,
            metrics=["accuracy"] if self.metric_name == "accuracy" else [keras.metrics.RootMeanSquaredError()],
        )
        stock.optimizer.build(stock.trainable_variables)  # saved whole (fresh moments), so loading it does not warn
        return stock

    def save_model(self, path) -> None:
        with warnings.catch_warnings():
            # Keras' saving turns each variable into numpy with np.array(), whose __array__ lacks numpy 2's `copy`
            # keyword (keras-team/keras#21288): one DeprecationWarning per weight, the file is unaffected.
            warnings.filterwarnings("ignore", "__array__ implementation doesn't accept a copy keyword",
                                    DeprecationWarning)
            self.stock_model().save(str(path))

    def predict(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Model output for raw (already scaled) features; with training=True dropout is on."""
        return self.model(tf.constant(x, tf.float32), training=training).numpy()

    def mc_predict(self, x: np.ndarray, passes: int = 30) -> tuple[np.ndarray, np.ndarray]:
        """Monte-Carlo dropout: ``passes`` forward passes with dropout on; the mean and the std of the outputs.

        The recorded masks (what the network view draws) are left as the last training step set them; batch
        normalization uses its moving statistics (it neither learns from these passes nor normalizes by them) and
        Gaussian noise layers add nothing: the spread is dropout's alone.
        """
        kept = [drop.kept.numpy() for drop in self.net.dropout]
        xt = tf.constant(x, tf.float32)
        batch_norms = [bn for bn in self.net.batch_norms if bn is not None]
        noise = [layer for layer in self.net.noise if layer is not None]
        sigmas = [float(layer.stddev.numpy()) for layer in noise]
        for bn in batch_norms:  # a frozen BatchNormalization uses its moving statistics even when training=True
            bn.trainable = False
        for layer in noise:  # Monte-Carlo dropout: only dropout is random, as at evaluation otherwise
            layer.stddev.assign(0.0)
        try:
            outputs = np.stack([self.model(xt, training=True).numpy() for _ in range(passes)]).astype(np.float64)
        finally:
            for bn in batch_norms:
                bn.trainable = True
            for layer, sigma in zip(noise, sigmas, strict=True):
                layer.stddev.assign(sigma)
        for drop, values in zip(self.net.dropout, kept, strict=True):
            drop.kept.assign(values)
        spread = outputs - outputs[0]  # std is shift-invariant; identical passes give exactly 0
        return outputs[0] + spread.mean(axis=0), spread.std(axis=0)

    def mc_grid(self, passes: int = 30) -> tuple[np.ndarray, np.ndarray] | None:
        """Monte-Carlo dropout over the decision grid: (mean, std) of ``passes`` passes with dropout on.

        Both are shaped like ``Snapshot.decision_grid`` — (64, 64) for one output, (64, 64, classes) for
        several; rows = y, columns = x — and in the same units (regression: target units). None without a
        grid (data with other than 2 features). The drawn masks are kept (see :meth:`mc_predict`) and so are
        the dropout random streams: the run goes on exactly as if the map had not been made.
        """
        if self._grid is None:
            return None
        streams = self.net.random_streams()
        seeds = [state.numpy() for state in streams]
        try:
            mean, std = self.mc_predict(self._grid.numpy(), passes)
        finally:
            for state, value in zip(streams, seeds, strict=True):
                state.assign(value)
        shape = (GRID_SIZE, GRID_SIZE) if self.data.n_outputs == 1 else (GRID_SIZE, GRID_SIZE, self.data.n_outputs)
        mean, std = mean.reshape(shape), std.reshape(shape)
        if self.data.task == "regression":
            mean = mean * self.data.target_std + self.data.target_mean
            std = std * self.data.target_std
        return mean.astype(np.float32), std.astype(np.float32)

    def batch_losses(self, x: np.ndarray, y: np.ndarray, training: bool = True) -> dict:
        """loss, data_loss, penalty and the per-layer penalties (hidden layers, then the output layer ×
        kernel/bias/activity) on one batch, computed as the training step does, without updating any weight
        (batch normalization in training mode does update its moving statistics, as in Keras)."""
        loss, data_loss, penalty, layer_penalties, _ = self._forward(
            tf.constant(x, tf.float32), self._smoothed(tf.constant(y, tf.float32)), training)
        return {"loss": float(loss), "data_loss": float(data_loss), "penalty": float(penalty),
                "layer_penalties": layer_penalties.numpy()}

    # ------------------------------------------------------------------ the graph
    def _forward(self, x, target, training: bool):
        """The training loss and its parts on one batch; ``target`` is what the loss compares with (see _smoothed)."""
        y_pred, *hidden = self.net.with_hidden(x, training=training)
        data_loss = self.loss_fn(target, y_pred)
        batch = tf.cast(tf.shape(x)[0], tf.float32)
        rows = []  # per layer: kernel, bias, activity penalty (Keras 3.15 divides activity by the batch size)
        for layer, out, regs in zip(self.net.dense, [*hidden, None], self.net.regularizers, strict=True):
            activity = tf.zeros([]) if out is None else tf.math.divide_no_nan(regs["activity"](out), batch)
            rows.append(tf.stack([_penalty(regs["kernel"], layer.kernel), _penalty(regs["bias"], layer.bias),
                                  activity]))
        layer_penalties = tf.stack(rows)
        penalty = tf.reduce_sum(layer_penalties)
        return data_loss + penalty, data_loss, penalty, layer_penalties, y_pred

    def _smoothed(self, y):
        """The targets the training loss compares with: as Keras' cross-entropy with ``label_smoothing`` s moves
        them, y·(1−s) + s/2 (binary) or y·(1−s) + s/K (K classes). Evaluation losses use the true targets. An epoch
        smooths its shuffled targets once, before the batch loop: the same numbers, without ops in every step."""
        s = self._label_smoothing
        if self.data.task == "binary":
            return y * (1.0 - s) + 0.5 * s
        if self.data.task == "multiclass":
            return y * (1.0 - s) + s / tf.cast(tf.shape(y)[-1], tf.float32)
        return y

    def _decay_kernels(self):
        """Decoupled weight decay as Keras' optimizer applies it (``_apply_weight_decay``): every kernel, not the
        biases, shrinks by w·weight_decay·learning_rate, after the gradients are taken and before they are applied."""
        lr = tf.cast(self.optimizer.learning_rate, tf.float32)
        for layer in self.net.dense:
            layer.kernel.assign_sub(layer.kernel * self._weight_decay * lr)

    def _metric_sum(self, y, y_pred):
        """Sum over the batch of: correct predictions (classification) or squared error (regression). ``y`` may be
        smoothed targets: smoothing (s ≤ 0.5) keeps each on its side of 0.5 and keeps the true class the largest."""
        task = self.data.task
        if task == "binary":
            return tf.reduce_sum(tf.cast(tf.equal(y_pred > 0.5, y > 0.5), tf.float32))
        if task == "multiclass":
            hits = tf.equal(tf.argmax(y_pred, axis=-1), tf.argmax(y, axis=-1))
            return tf.reduce_sum(tf.cast(hits, tf.float32))
        return tf.reduce_sum(tf.square(y_pred - y))

    def _finish_metric(self, total, count):
        mean = total / tf.cast(count, tf.float32)
        if self.data.task == "regression":
            return tf.sqrt(mean) * self.data.target_std
        return mean

    def _train_step(self, xb, yb):
        with tf.GradientTape() as tape:
            loss, data_loss, penalty, layer_penalties, y_pred = self._forward(xb, yb, True)
        variables = self.model.trainable_variables
        grads = tape.gradient(loss, variables)
        self._decay_kernels()
        self.optimizer.apply_gradients(zip(grads, variables, strict=True))
        n = tf.cast(tf.shape(xb)[0], tf.float32)
        sums = tf.stack([loss, data_loss, penalty]) * n
        return sums, layer_penalties * n, self._metric_sum(yb, y_pred)

    def _train_one_epoch(self):
        x_all, y_all = self._x_train, self._y_train
        n = int(x_all.shape[0])
        batch = min(self.exp.training.batch_size, n)
        steps = -(-n // batch)  # when batch does not divide n the last batch is a short one, as in Keras' fit
        seed = tf.stack([self._shuffle_seed, self._epoch_counter])
        order = tf.argsort(tf.random.stateless_uniform([n], seed=seed))
        x_all = tf.gather(x_all, order)
        y_all = self._smoothed(tf.gather(y_all, order))
        if n % batch == 0:  # every batch has the same static shape: TensorFlow folds the shape arithmetic away
            xs = tf.reshape(x_all, [steps, batch, x_all.shape[1]])
            ys = tf.reshape(y_all, [steps, batch, y_all.shape[1]])

            def batch_at(i):
                return xs[i], ys[i]
        else:  # slices of [None, features]; slicing past the end stops at n, so the last batch is the short one

            def batch_at(i):
                return x_all[i * batch: (i + 1) * batch], y_all[i * batch: (i + 1) * batch]

        sums = tf.zeros([3])
        layer_sums = tf.zeros([len(self.net.regularizers), 3])
        metric_sum = tf.constant(0.0)

        def body(i, sums, layer_sums, metric_sum):
            s, ls, m = self._train_step(*batch_at(i))
            return i + 1, sums + s, layer_sums + ls, metric_sum + m

        # One graph loop over every batch, a short last one included: the training step (forward pass, gradient,
        # optimizer update) is traced once. (A separate step for the short batch would double the tracing and the
        # graph optimization before the first epoch: about a second on a slow machine.)
        _, sums, layer_sums, metric_sum = tf.while_loop(
            lambda i, *_: i < steps, body, (tf.constant(0), sums, layer_sums, metric_sum), maximum_iterations=steps)
        self._epoch_counter.assign_add(1)

        train_pred = self.model(self._x_train, training=False)
        val_pred = self.model(self._x_val, training=False)
        scalars = tf.stack([
            self._finish_metric(metric_sum, n),
            self.loss_fn(self._y_train, train_pred),
            self._finish_metric(self._metric_sum(self._y_train, train_pred), n),
            self.loss_fn(self._y_val, val_pred),
            self._finish_metric(self._metric_sum(self._y_val, val_pred), self._x_val.shape[0]),
            tf.cast(self.optimizer.learning_rate, tf.float32),
        ])
        parts = [sums / n, scalars, layer_sums / n]
        for layer in self.net.dense:
            parts += [layer.kernel, layer.bias]
        for drop in self.net.dropout:
            parts += [drop.kept, drop.rate]
        if self._grid is not None:
            grid_size = GRID_SIZE * GRID_SIZE * self.data.n_outputs
            parts.append(tf.cond(self._with_grid, self._predict_grid, lambda: tf.zeros([grid_size])))
        # One flat vector: a single device-to-numpy copy per epoch (see _unpack).
        return tf.concat([tf.reshape(tf.cast(p, tf.float32), [-1]) for p in parts], axis=0)

    def _predict_grid(self):
        return tf.reshape(self.model(self._grid, training=False), [-1])

    def _make_grid(self):
        if self.data.n_features != 2:
            return None, None
        pts = np.concatenate([self.data.x_train, self.data.x_val])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = 0.1 * np.maximum(hi - lo, 1e-6)
        lo, hi = lo - pad, hi + pad
        gx = np.linspace(lo[0], hi[0], GRID_SIZE)
        gy = np.linspace(lo[1], hi[1], GRID_SIZE)
        xx, yy = np.meshgrid(gx, gy)  # rows follow y, columns follow x
        grid = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)
        return tf.constant(grid), (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))

    # ------------------------------------------------------------------ helpers
    def _state_to_restore_on_reset(self) -> list:
        lr = self.optimizer._learning_rate if hasattr(self.optimizer, "_learning_rate") else None
        state = list(self.model.trainable_variables)
        state += [v for v in self.optimizer.variables if v is not lr]
        state += [v for v in self._bn_vars if not v.trainable]  # moving statistics
        return state + self.net.random_streams()

    def weights_now(self) -> tuple[list, list]:
        """What the model predicts with, as numpy: the Dense kernels and biases, and batch norm's γ, β and moving
        statistics (what :meth:`put_weights` puts back)."""
        return [v.numpy() for v in self._dense_vars], [v.numpy() for v in self._bn_vars]

    def put_weights(self, saved: tuple[list, list]) -> None:
        for var, value in zip([*self._dense_vars, *self._bn_vars], [*saved[0], *saved[1]], strict=True):
            var.assign(value)

    def _check_finite(self, values: dict) -> None:
        weights_ok = all(np.isfinite(values[k]).all() for k in values if k.startswith(("kernel_", "bias_")))
        loss = float(values["sums"][0])
        if math.isfinite(loss) and weights_ok:  # keep copies, in the order of _dense_vars
            dense = [values[f"{kind}_{i}"].copy() for i in range(len(self.net.dense)) for kind in ("kernel", "bias")]
            self._last_finite = (dense, [v.numpy() for v in self._bn_vars])
            return
        self.put_weights(self._last_finite)
        lr = self.exp.training.learning_rate
        self.diverged = (
            f"training diverged in epoch {self.epoch}: the loss became {loss} "
            f"(learning rate {lr:g} or a λ may be too large); the last finite weights are kept — lower them and Reset"
        )
        raise TrainingDiverged(self.diverged)

    def _early_stopping(self, snap: Snapshot) -> None:
        """Keras' EarlyStopping(monitor="val_loss", patience, restore_best_weights), checked after each epoch."""
        if snap.val_loss < self._best_val_loss:
            self._best_val_loss, self.best_epoch = snap.val_loss, snap.epoch
            self._best_weights = self._last_finite  # this epoch's weights (copied in _check_finite)
        rule = self.exp.training.early_stopping
        if rule is None or self.stopped_early or snap.epoch - self.best_epoch < rule.patience:
            return
        restored = ""
        if rule.restore_best_weights and self._best_weights is not None:
            self.put_weights(self._best_weights)
            restored = "; the weights of that epoch are restored"
        self.stopped_early = (f"early stopping after epoch {snap.epoch}: val_loss has not improved for "
                              f"{rule.patience} epochs since its minimum {self._best_val_loss:.4g} at epoch "
                              f"{self.best_epoch}{restored}")


def _check_label_smoothing(exp: Experiment, task: str) -> None:
    """Label smoothing needs classes: refused for regression data (a CSV's task is known only once it loads)."""
    if exp.training.label_smoothing and task == "regression":
        raise label_smoothing_error(exp.training.label_smoothing)


def _penalty(regularizer, x):
    return tf.zeros([]) if regularizer is None else regularizer(x)


def _set_regularizers(live: dict, layer, kinds: tuple[str, ...]) -> None:
    for kind in kinds:
        r = getattr(layer, f"{kind}_regularizer")
        if live[kind] is not None:  # the output layer has one only while it is set (switching it rebuilds)
            live[kind].set(r.l1 if r else 0.0, r.l2 if r else 0.0)


def _set_noise(layer, stddev: float) -> None:
    if layer is not None:  # a layer exists only while σ > 0 (switching it on or off builds a new model)
        layer.stddev.assign(stddev)
