"""The model half of the exported Keras script: the layers of ``build_model()``, its optimizer and its loss.

Each line builds what :func:`engine.training.model_builder.build_stock_model` builds, with the same layer names
(``input_noise``, ``input_dropout``, ``hidden_i``, ``batch_norm_i``, ``activation_i``, ``noise_i``, ``dropout_i``,
``output``), and the comment above it says what it does.
"""

from __future__ import annotations

from engine.export.script_text import call, comment, number
from engine.spec import OUTPUT_REGULARIZER_KINDS, REGULARIZER_KINDS, HiddenLayer, Network, OutputLayer, Regularizer
from engine.training.keras_names import NO_DECAY_NAMES

INDENT = 12  # the layers sit in the list of keras.Sequential([...]) inside build_model()
_PENALIZED = {"kernel": ("weights", "w"), "bias": ("biases", "b"), "activity": ("outputs", "a")}


def keras_import(net: Network) -> str:
    """``from keras import ...``: layers, and constraints and regularizers when the network uses them."""
    names = ["layers"]
    if any(h.max_norm is not None for h in net.hidden):
        names.append("constraints")
    if any(regularizer_code(r)[0] for r in _all_regularizers(net)):
        names.append("regularizers")
    return f"from keras import {', '.join(sorted(names))}"


def _all_regularizers(net: Network) -> list[Regularizer | None]:
    hidden = [getattr(h, f"{kind}_regularizer") for h in net.hidden for kind in REGULARIZER_KINDS]
    return hidden + [getattr(net.output, f"{kind}_regularizer") for kind in OUTPUT_REGULARIZER_KINDS]


def regularizer_code(r: Regularizer | None, w: str = "w") -> tuple[str | None, str]:
    """(Keras expression, comment) for a spec regularizer, as engine.training.model_builder.stock_regularizer."""
    if r is None or (r.l1 == 0 and r.l2 == 0):
        return None, ""
    if r.l1 and r.l2:
        return (f"regularizers.L1L2(l1={number(r.l1)}, l2={number(r.l2)})",
                f"L1+L2 (elastic net) adds {r.l1:g}·Σ|{w}| + {r.l2:g}·Σ{w}² to the loss")
    if r.l1:
        return f"regularizers.L1({number(r.l1)})", f"L1 adds {r.l1:g}·Σ|{w}| to the loss"
    return f"regularizers.L2({number(r.l2)})", f"L2 adds {r.l2:g}·Σ{w}² to the loss (Keras' L2 has no ½)"


def model_lines(net: Network, n_features: int, n_outputs: int, activation: str, task: str) -> list[str]:
    """The items of the Sequential list: the input, its noise and dropout, each hidden layer, the output layer."""
    lines = [f"{' ' * INDENT}keras.Input(shape=({n_features},)),"]
    if net.input_noise > 0:
        lines += _noise_lines("input_noise", net.input_noise, "Gaussian noise on the inputs", "feature")
    if net.input_dropout > 0:
        lines += _dropout_lines("input_dropout", net.input_dropout, net.dropout_style, " on the inputs", "feature")
    for i, h in enumerate(net.hidden, start=1):
        lines += _hidden_lines(i, h, net.dropout_style)
    return lines + _output_lines(net.output, n_outputs, activation, task)


def _layer(head: str, args: list[str]) -> list[str]:
    return call(INDENT, f"layers.{head}(", args, "),")


def _comments(*texts: str) -> list[str]:
    return [line for text in texts for line in comment(INDENT, text)]


def _penalty_args(layer: HiddenLayer | OutputLayer, kinds: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(comments, Dense arguments) of a layer's regularizers."""
    notes, args = [], []
    for kind in kinds:
        what, sym = _PENALIZED[kind]
        code, text = regularizer_code(getattr(layer, f"{kind}_regularizer"), sym)
        if code is None:
            continue
        notes.append(f"{kind}_regularizer on the {what} {sym}: {text}.")
        if kind == "activity":
            notes.append("(Keras 3.15 divides the activity penalty by the batch size; other releases may not.)")
        args.append(f"{kind}_regularizer={code}")
    return notes, args


def _hidden_lines(i: int, h: HiddenLayer, style: str) -> list[str]:
    """Dense (penalties, max-norm), then batch norm and the activation, Gaussian noise, dropout: as RegLab builds it."""
    notes, args = _penalty_args(h, REGULARIZER_KINDS)
    if h.max_norm is not None:
        notes.append(f"kernel_constraint, max-norm: after every step each unit's incoming weights (a column of the "
                     f"kernel, hence axis=0) are scaled back to length ≤ {h.max_norm:g}.")
        args.append(f"kernel_constraint=constraints.MaxNorm({number(h.max_norm)}, axis=0)")
    head = f"Hidden layer {i}: {h.units} {h.activation} units."
    if h.batch_norm:
        head = f"Hidden layer {i}: {h.units} units, batch-normalized before their {h.activation} activation."
        args = [str(h.units), *args, f'name="hidden_{i}"']
    else:
        args = [str(h.units), f'activation="{h.activation}"', *args, f'name="hidden_{i}"']
    lines = _comments(head, *notes) + _layer("Dense", args)
    if h.batch_norm:
        lines += _comments("Batch normalization: while training, each unit is standardized with the batch's mean and "
                           "variance, then scaled by a learned γ and shifted by a learned β; at evaluation the "
                           "moving averages of those means and variances are used.")
        lines += _layer("BatchNormalization", [f'name="batch_norm_{i}"'])
        lines += _layer("Activation", [f'"{h.activation}"', f'name="activation_{i}"'])
    if h.noise > 0:
        lines += _noise_lines(f"noise_{i}", h.noise, "Gaussian noise on the layer's outputs", "unit's output")
    if h.dropout > 0:
        lines += _dropout_lines(f"dropout_{i}", h.dropout, style, "", "unit")
    return lines


def _noise_lines(name: str, sigma: float, title: str, what: str) -> list[str]:
    return _comments(f"{title}: adds a number drawn from N(0, {sigma:g}²) to each {what}, anew for every example "
                     "and step, in training only.") + _layer("GaussianNoise", [number(sigma), f'name="{name}"'])


def _dropout_lines(name: str, rate: float, style: str, where: str, what: str) -> list[str]:
    if style == "gaussian":
        variance = rate / (1 - rate)
        text = (f"Gaussian dropout{where}: multiplies each {what} by a factor drawn from a normal distribution "
                f"with mean 1 and variance p/(1 − p) = {variance:.3g} (p = {rate:g}), in training only.")
        return _comments(text) + _layer("GaussianDropout", [number(rate), f'name="{name}"'])
    text = f"Dropout{where}: zeroes each {what} with probability {rate:g}, in training only."
    return _comments(text) + _layer("Dropout", [number(rate), f'name="{name}"'])


def _output_lines(out: OutputLayer, n_outputs: int, activation: str, task: str) -> list[str]:
    notes, args = _penalty_args(out, OUTPUT_REGULARIZER_KINDS)
    args = [str(n_outputs), f'activation="{activation}"', *args, 'name="output"']
    return _comments(f"Output: {task} → {n_outputs} {activation} unit(s).", *notes) + _layer("Dense", args)


def dropout_note(net: Network) -> list[str]:
    """What the script's dropout layers do, and how they relate to the dropout RegLab trained with."""
    if not (net.input_dropout > 0 or any(h.dropout > 0 for h in net.hidden)):
        return []
    if net.dropout_style == "classic":
        text = ("RegLab trained this network with classic (textbook) dropout: no scaling while training, outputs "
                "× (1 − p) at evaluation. Keras has only inverted dropout, used here: the survivors × 1/(1 − p) "
                "while training, nothing at evaluation. An inverted network computes what a classic one does when "
                "its weights after each dropout are (1 − p) times the classic one's (RegLab's saved .keras file is "
                "converted so), but the training steps differ.")
    elif net.dropout_style == "gaussian":
        text = ("Keras' GaussianDropout multiplies each unit by a normally distributed factor with the same mean (1) "
                "and variance (p/(1 − p)) as inverted dropout's factor (0, or 1/(1 − p) for a survivor); nothing "
                "changes at evaluation.")
    else:
        text = ("Keras' Dropout is inverted dropout: the surviving units are scaled by 1/(1 − p) while training, "
                "so nothing changes at evaluation.")
    return comment(4, text)


def optimizer_lines(optimizer: str, weight_decay: float) -> list[str]:
    """The optimizer of build_model(); with decoupled weight decay, on the kernels only."""
    if not weight_decay:
        return [f"    optimizer = keras.optimizers.{optimizer}(learning_rate=LEARNING_RATE)"]
    names = ", ".join(f'"{name}"' for name in NO_DECAY_NAMES)
    return [
        *comment(4, f"Decoupled weight decay ({'AdamW' if optimizer == 'Adam' else optimizer + 'W'}): before "
                    f"each gradient step every kernel shrinks by w · {weight_decay:g} · learning rate. It is "
                    "not a loss term, so no loss or metric shows it. Only kernels decay, as in RegLab: Keras "
                    "skips the variables whose names contain \"bias\", \"gamma\" or \"beta\" (the biases, and "
                    "batch normalization's scale and shift)."),
        *call(4, f"optimizer = keras.optimizers.{optimizer}(",
              ["learning_rate=LEARNING_RATE", f"weight_decay={number(weight_decay)}"]),
        f"    optimizer.exclude_from_weight_decay(var_names=[{names}])",
    ]


def loss_lines(loss: str, loss_class: str, label_smoothing: float) -> list[str]:
    """The loss of build_model(); with label smoothing, the cross-entropy against smoothed targets."""
    if not label_smoothing:
        return [f'    loss = "{loss}"']
    moved = "y · (1 − s) + s/2" if loss_class == "BinaryCrossentropy" else "y · (1 − s) + s/K (K classes)"
    return [
        *comment(4, f"Label smoothing s = {label_smoothing:g}: the training loss compares the predictions with "
                    f"targets moved toward uniform, {moved}."),
        f"    loss = keras.losses.{loss_class}(label_smoothing={number(label_smoothing)})",
    ]
