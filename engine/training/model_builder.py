"""Build the Keras model an experiment describes.

Two twins are built from one spec:

* the *training model* (:func:`build_training_model`): every hidden Dense has a
  :class:`LiveRegularizer` for its kernel, bias and activity, and every hidden layer (and the
  input) is followed by a :class:`RecordingDropout`, even at rate 0, so λ and dropout rates can be
  changed live without a new graph. The trainer adds the penalties itself, layer by layer and kind
  by kind, from the same regularizer objects (the activity one on the Dense output divided by the
  batch size, as Keras 3.15 does); a test checks the sum against a stock Keras model's loss;
* the *stock model* (:func:`build_stock_model`): plain ``Dense``, ``Dropout`` (only where the rate
  is > 0) and ``L1``/``L2``/``L1L2`` (only where λ > 0) with the current values. This is what is
  saved and exported; it loads with plain ``keras.saving.load_model``.

Both have the same Dense layers in the same order, so weights copy across one to one.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.spec import (
    OUTPUT_REGULARIZER_KINDS,
    REGULARIZER_KINDS,
    Experiment,
    HiddenLayer,
    Regularizer,
)
from engine.training.keras_names import HEADS, NO_DECAY_NAMES, OPTIMIZER_CLASSES
from engine.training.keras_setup import keras
from engine.training.layers import LiveMaxNorm, LiveNoise, LiveRegularizer, RecordingDropout


@dataclass
class TrainingModel:
    model: keras.Model  # features → prediction
    with_hidden: keras.Model  # features → [prediction, output of each hidden Dense (before its dropout)]
    dense: list  # hidden Dense layers, then the output Dense
    dropout: list  # RecordingDropout: the input's first, then one after each hidden layer
    #: per hidden layer, then the output layer: {"kernel": LiveRegularizer, "bias": ..., "activity": ...} (the
    #: output layer's "activity" is None, and so are its kernel and bias ones while not set)
    regularizers: list
    max_norms: list  # per hidden layer: its LiveMaxNorm, or None (no constraint)
    noise: list  # LiveNoise: the input's first, then one after each hidden layer; None where σ is 0
    batch_norms: list  # per hidden layer: its BatchNormalization, or None

    def random_streams(self) -> list:
        """The seed generators' states: what makes dropout and noise draw the same numbers again."""
        layers = [layer for layer in [*self.dropout, *self.noise] if layer is not None]
        return [layer.seed_generator.state for layer in layers]

    def batch_norm_variables(self) -> list:
        """γ, β, moving mean and moving variance of every batch-normalization layer (empty without one)."""
        return [v for bn in self.batch_norms if bn is not None for v in bn.weights]


def _initializer(seed: int, index: int):
    return keras.initializers.GlorotUniform(seed=seed * 1009 + index)


def stock_regularizer(r: Regularizer | None):
    """Keras' own regularizer for a spec entry: None, L1, L2 or L1L2 (elastic net)."""
    if r is None or (r.l1 == 0 and r.l2 == 0):
        return None
    if r.l1 and r.l2:
        return keras.regularizers.L1L2(l1=r.l1, l2=r.l2)
    if r.l1:
        return keras.regularizers.L1(r.l1)
    return keras.regularizers.L2(r.l2)


def _live(r: Regularizer | None) -> LiveRegularizer:
    return LiveRegularizer(r.l1, r.l2) if r is not None else LiveRegularizer()


def _noise_seed(seed: int, index: int) -> int:
    return seed * 7919 + 4001 + index


def build_training_model(exp: Experiment, n_features: int, n_outputs: int, task: str) -> TrainingModel:
    seed = exp.training.seed
    net = exp.network
    inputs = keras.Input(shape=(n_features,), name="features")
    style = net.dropout_style
    x = inputs
    noise = [LiveNoise(net.input_noise, seed=_noise_seed(seed, 0), name="input_noise") if net.input_noise else None]
    if noise[0] is not None:
        x = noise[0](x)
    first = RecordingDropout(net.input_dropout, seed=seed * 7919 + 1, style=style, name="input_dropout")
    x = first(x)
    dense, dropout, regs, hidden_outputs, max_norms, batch_norms = [], [first], [], [], [], []
    for i, h in enumerate(net.hidden):
        r = {kind: _live(getattr(h, f"{kind}_regularizer")) for kind in REGULARIZER_KINDS}
        max_norm = LiveMaxNorm(h.max_norm) if h.max_norm is not None else None
        layer = keras.layers.Dense(
            h.units, activation=None if h.batch_norm else h.activation, kernel_initializer=_initializer(seed, i),
            name=f"hidden_{i + 1}", kernel_regularizer=r["kernel"], bias_regularizer=r["bias"],
            kernel_constraint=max_norm,
        )
        hidden_out = layer(x)  # what an activity penalty sees, as on the stock Dense layer
        x, bn = _after_dense(hidden_out, h, i)
        layer_noise = LiveNoise(h.noise, seed=_noise_seed(seed, i + 1), name=f"noise_{i + 1}") if h.noise else None
        if layer_noise is not None:
            x = layer_noise(x)
        drop = RecordingDropout(h.dropout, seed=seed * 7919 + i + 2, style=style, name=f"dropout_{i + 1}")
        x = drop(x)
        hidden_outputs.append(hidden_out)
        dense.append(layer)
        dropout.append(drop)
        regs.append(r)
        max_norms.append(max_norm)
        noise.append(layer_noise)
        batch_norms.append(bn)
    # The output layer's penalties exist only while set: kept in every step of every run, they would cost the
    # default preset a few per cent of its speed (bench/family_cost.py), on top of the always-present weight decay.
    out_regs = {kind: None if (r := getattr(net.output, f"{kind}_regularizer")) is None else _live(r)
                for kind in OUTPUT_REGULARIZER_KINDS}
    out_layer = keras.layers.Dense(
        n_outputs, activation=HEADS[task].activation, kernel_initializer=_initializer(seed, len(net.hidden)),
        name="output", kernel_regularizer=out_regs["kernel"], bias_regularizer=out_regs["bias"],
    )
    outputs = out_layer(x)
    dense.append(out_layer)
    regs.append({**out_regs, "activity": None})
    model = keras.Model(inputs, outputs, name="reglab")
    with_hidden = keras.Model(inputs, [outputs, *hidden_outputs], name="reglab_with_hidden")
    return TrainingModel(model, with_hidden, dense, dropout, regs, max_norms, noise, batch_norms)


def _after_dense(x, h: HiddenLayer, i: int):
    """Batch normalization between the Dense layer and its activation, when the layer has it: (output, the layer)."""
    if not h.batch_norm:
        return x, None
    bn = keras.layers.BatchNormalization(name=f"batch_norm_{i + 1}")
    return keras.layers.Activation(h.activation, name=f"activation_{i + 1}")(bn(x)), bn


def build_stock_model(exp: Experiment, n_features: int, n_outputs: int, task: str) -> keras.Model:
    """The same network with only stock Keras layers, regularizers and constraints (for saving and sharing)."""
    seed = exp.training.seed
    net = exp.network
    gaussian = net.dropout_style == "gaussian"
    inputs = keras.Input(shape=(n_features,), name="features")
    x = inputs
    if net.input_noise > 0:
        x = keras.layers.GaussianNoise(net.input_noise, seed=_noise_seed(seed, 0), name="input_noise")(x)
    if net.input_dropout > 0:
        x = _stock_dropout(gaussian, net.input_dropout, seed, "input_dropout")(x)
    for i, h in enumerate(net.hidden):
        x = keras.layers.Dense(
            h.units, activation=None if h.batch_norm else h.activation, kernel_initializer=_initializer(seed, i),
            name=f"hidden_{i + 1}",
            kernel_regularizer=stock_regularizer(h.kernel_regularizer),
            bias_regularizer=stock_regularizer(h.bias_regularizer),
            activity_regularizer=stock_regularizer(h.activity_regularizer),
            kernel_constraint=keras.constraints.MaxNorm(h.max_norm, axis=0) if h.max_norm is not None else None,
        )(x)
        x, _ = _after_dense(x, h, i)
        if h.noise > 0:
            x = keras.layers.GaussianNoise(h.noise, seed=_noise_seed(seed, i + 1), name=f"noise_{i + 1}")(x)
        if h.dropout > 0:
            x = _stock_dropout(gaussian, h.dropout, seed + i + 1, f"dropout_{i + 1}")(x)
    outputs = keras.layers.Dense(
        n_outputs, activation=HEADS[task].activation, kernel_initializer=_initializer(seed, len(net.hidden)),
        name="output",
        kernel_regularizer=stock_regularizer(net.output.kernel_regularizer),
        bias_regularizer=stock_regularizer(net.output.bias_regularizer),
    )(x)
    return keras.Model(inputs, outputs, name="reglab")


def _stock_dropout(gaussian: bool, rate: float, seed: int, name: str):
    if gaussian:
        return keras.layers.GaussianDropout(rate, seed=seed, name=name)
    return keras.layers.Dropout(rate, seed=seed, name=name)


def make_loss(task: str, label_smoothing: float = 0.0) -> keras.losses.Loss:
    """The data loss, averaged over the batch ("sum_over_batch_size"), as ``model.compile(loss=...)`` uses it;
    cross-entropy with its ``label_smoothing`` when above 0."""
    loss_class = getattr(keras.losses, HEADS[task].loss_class)
    return loss_class(label_smoothing=label_smoothing) if label_smoothing else loss_class()


def make_optimizer(name: str, learning_rate: float, weight_decay: float = 0.0):
    """Keras' optimizer; with weight decay, decoupled (Adam → AdamW, SGD → SGDW) and on kernels only: Keras
    excludes the variables whose name contains "bias", "gamma" or "beta" (batch norm's scale and shift). Build it
    after this (the exclusion must come first)."""
    cls = getattr(keras.optimizers, OPTIMIZER_CLASSES[name])
    if not weight_decay:
        return cls(learning_rate=learning_rate)
    optimizer = cls(learning_rate=learning_rate, weight_decay=weight_decay)
    optimizer.exclude_from_weight_decay(var_names=list(NO_DECAY_NAMES))
    return optimizer
