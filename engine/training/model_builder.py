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

from engine.spec import REGULARIZER_KINDS, Experiment, Regularizer
from engine.training.keras_names import BIAS_NAME, HEADS, OPTIMIZER_CLASSES
from engine.training.keras_setup import keras
from engine.training.layers import LiveRegularizer, RecordingDropout


@dataclass
class TrainingModel:
    model: keras.Model  # features → prediction
    with_hidden: keras.Model  # features → [prediction, output of each hidden Dense (before its dropout)]
    dense: list  # hidden Dense layers, then the output Dense
    dropout: list  # RecordingDropout: the input's first, then one after each hidden layer
    regularizers: list  # per hidden layer: {"kernel": LiveRegularizer, "bias": ..., "activity": ...}


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


def build_training_model(exp: Experiment, n_features: int, n_outputs: int, task: str) -> TrainingModel:
    seed = exp.training.seed
    net = exp.network
    inputs = keras.Input(shape=(n_features,), name="features")
    classic = net.dropout_style == "classic"
    first = RecordingDropout(net.input_dropout, seed=seed * 7919 + 1, classic=classic, name="input_dropout")
    x = first(inputs)
    dense, dropout, regs, hidden_outputs = [], [first], [], []
    for i, h in enumerate(net.hidden):
        r = {kind: _live(getattr(h, f"{kind}_regularizer")) for kind in REGULARIZER_KINDS}
        layer = keras.layers.Dense(
            h.units, activation=h.activation, kernel_initializer=_initializer(seed, i), name=f"hidden_{i + 1}",
            kernel_regularizer=r["kernel"], bias_regularizer=r["bias"],
        )
        drop = RecordingDropout(h.dropout, seed=seed * 7919 + i + 2, classic=classic, name=f"dropout_{i + 1}")
        hidden_out = layer(x)
        x = drop(hidden_out)
        hidden_outputs.append(hidden_out)
        dense.append(layer)
        dropout.append(drop)
        regs.append(r)
    activation = HEADS[task].activation
    out_layer = keras.layers.Dense(
        n_outputs, activation=activation, kernel_initializer=_initializer(seed, len(net.hidden)), name="output"
    )
    outputs = out_layer(x)
    dense.append(out_layer)
    model = keras.Model(inputs, outputs, name="reglab")
    with_hidden = keras.Model(inputs, [outputs, *hidden_outputs], name="reglab_with_hidden")
    return TrainingModel(model, with_hidden, dense, dropout, regs)


def build_stock_model(exp: Experiment, n_features: int, n_outputs: int, task: str) -> keras.Model:
    """The same network with only stock Keras layers and regularizers (for saving and sharing)."""
    seed = exp.training.seed
    net = exp.network
    inputs = keras.Input(shape=(n_features,), name="features")
    x = inputs
    if net.input_dropout > 0:
        x = keras.layers.Dropout(net.input_dropout, seed=seed, name="input_dropout")(x)
    for i, h in enumerate(net.hidden):
        x = keras.layers.Dense(
            h.units, activation=h.activation, kernel_initializer=_initializer(seed, i), name=f"hidden_{i + 1}",
            kernel_regularizer=stock_regularizer(h.kernel_regularizer),
            bias_regularizer=stock_regularizer(h.bias_regularizer),
            activity_regularizer=stock_regularizer(h.activity_regularizer),
        )(x)
        if h.dropout > 0:
            x = keras.layers.Dropout(h.dropout, seed=seed + i + 1, name=f"dropout_{i + 1}")(x)
    activation = HEADS[task].activation
    outputs = keras.layers.Dense(
        n_outputs, activation=activation, kernel_initializer=_initializer(seed, len(net.hidden)), name="output"
    )(x)
    return keras.Model(inputs, outputs, name="reglab")


def make_loss(task: str, label_smoothing: float = 0.0) -> keras.losses.Loss:
    """The data loss, averaged over the batch ("sum_over_batch_size"), as ``model.compile(loss=...)`` uses it;
    cross-entropy with its ``label_smoothing`` when above 0."""
    loss_class = getattr(keras.losses, HEADS[task].loss_class)
    return loss_class(label_smoothing=label_smoothing) if label_smoothing else loss_class()


def make_optimizer(name: str, learning_rate: float, weight_decay: float = 0.0):
    """Keras' optimizer; with weight decay, decoupled (Adam → AdamW, SGD → SGDW) and on kernels only: Keras
    excludes the variables whose name contains "bias". Build it after this (the exclusion must come first)."""
    cls = getattr(keras.optimizers, OPTIMIZER_CLASSES[name])
    if not weight_decay:
        return cls(learning_rate=learning_rate)
    optimizer = cls(learning_rate=learning_rate, weight_decay=weight_decay)
    optimizer.exclude_from_weight_decay(var_names=[BIAS_NAME])
    return optimizer
