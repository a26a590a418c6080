"""Export an experiment as a standalone Keras script: ``python main.py export EXP.json --keras [-o model.py]``.

:func:`keras_script` writes Python that uses only Keras/TensorFlow, numpy, scikit-learn and pandas (no RegLab
import): it loads or generates the same data with the same split and scaling as :mod:`engine.data`, builds the
network of :func:`engine.training.model_builder.build_stock_model` (stock ``Dense``, ``Dropout`` and
``L1``/``L2``/``L1L2``), compiles it with the same optimizer (``engine.training.model_builder.make_optimizer``),
learning rate, weight decay (biases excluded) and loss (with its label smoothing), and trains it
with ``model.fit`` (``validation_data``, ``batch_size``, ``epochs``, ``shuffle``; ``EarlyStopping`` if the
experiment has it). A ``data_loss`` metric gives the loss without the penalty, so ``val_data_loss`` is RegLab's
``val_loss`` and ``EarlyStopping`` watches it (Keras' ``val_loss`` adds the penalty).

Toy data sets are generated inline by a copy of RegLab's generator (the same seed gives the same arrays; a test
compares them), so the script reads like code a person would write. This module does not import TensorFlow.
"""

from __future__ import annotations

import json
import textwrap

from engine.data import load_table
from engine.spec import REGULARIZER_KINDS, Experiment, HiddenLayer, Regularizer
from engine.training.keras_names import HEADS, OPTIMIZER_CLASSES

# --------------------------------------------------------------------------- toy generators (as engine/data/bundled.py)

_TWO_CLASSES = '''
def two_classes(n):
    """Labels 0 then 1, half of the rows each."""
    return np.repeat([0, 1], [n // 2, n - n // 2])


def shuffled(rng, x, y):
    order = rng.permutation(len(y))
    return x[order], y[order]
'''

_TOY = {
    "circle": '''
def make_data(n, noise, seed):
    """A disc of one class inside a ring of the other."""
    return make_circles(n_samples=n, noise=0.25 * noise, factor=0.5, random_state=seed)
''',
    "moons": '''
def make_data(n, noise, seed):
    """Two interleaving half circles, centred on the origin."""
    x, y = make_moons(n_samples=n, noise=0.5 * noise, random_state=seed)
    return x - [0.5, 0.25], y
''',
    "tabular": '''
def make_data(n, noise, seed):
    """Ten features, five informative, two redundant; noise flips labels."""
    return make_classification(
        n_samples=n,
        n_features=10,
        n_informative=5,
        n_redundant=2,
        flip_y=0.3 * noise,
        class_sep=1.0,
        random_state=seed,
    )
''',
    "xor": _TWO_CLASSES + '''

def make_data(n, noise, seed):
    """Points in the four quadrants; label 1 where x1 and x2 have the same sign."""
    rng = np.random.default_rng(seed)
    y = two_classes(n)
    signs = rng.choice([-1.0, 1.0], size=n)
    first = signs * rng.uniform(0.05, 1.0, size=n)  # a small gap around the axes
    same_sign = np.where(y == 1, 1.0, -1.0) * np.sign(first)
    second = same_sign * rng.uniform(0.05, 1.0, size=n)
    x = np.column_stack([first, second])
    x += rng.normal(0.0, 0.4 * noise, size=(n, 2))
    return shuffled(rng, x, y)
''',
    "gaussian": _TWO_CLASSES + '''

def make_data(n, noise, seed):
    """Two round blobs on the diagonal."""
    rng = np.random.default_rng(seed)
    y = two_classes(n)
    centres = np.where(y[:, None] == 1, 0.6, -0.6)
    x = centres + rng.normal(0.0, 0.1 + 0.8 * noise, size=(n, 2))
    return shuffled(rng, x, y)
''',
    "spiral": _TWO_CLASSES + '''

def make_data(n, noise, seed):
    """Two interleaved spiral arms, 1.75 turns each."""
    rng = np.random.default_rng(seed)
    y = two_classes(n)
    k = n // 2
    radius = np.concatenate([np.linspace(0.0, 1.0, k), np.linspace(0.0, 1.0, n - k)])
    angle = 1.75 * 2 * np.pi * radius + np.pi * y
    x = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    x += rng.normal(0.0, 0.15 * noise, size=(n, 2))
    return shuffled(rng, x, y)
''',
    "plane": '''
def make_data(n, noise, seed):
    """y = (x1 + x2) / 2 plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = 0.5 * (x[:, 0] + x[:, 1]) + rng.normal(0.0, 0.5 * noise, size=n)
    return x, y
''',
    "ripple": '''
def make_data(n, noise, seed):
    """y = sin(2π·radius) plus noise: rings around the origin."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    radius = np.hypot(x[:, 0], x[:, 1])
    y = np.sin(2 * np.pi * radius) + rng.normal(0.0, 0.5 * noise, size=n)
    return x, y
''',
}
_SKLEARN_MAKERS = {"circle": "make_circles", "moons": "make_moons", "tabular": "make_classification"}

# --------------------------------------------------------------------------- shared pieces of load_data

_SPLIT = '''
def split_rows(y, classification):
    """A seeded random split into training and validation rows (as RegLab does it).

    For classification it is stratified when every class has at least 2 rows: each
    class keeps its share in both parts (largest-remainder rounding, at least one row
    of each class on each side).
    """
    n = len(y)
    n_val = min(max(math.ceil(VALIDATION * n), 1), n - 1)
    rng = np.random.default_rng(SPLIT_SEED)
    stratify = False
    if classification:
        counts = np.bincount(y)
        stratify = counts.min() >= 2 and min(n_val, n - n_val) >= len(counts)
    if not stratify:
        order = rng.permutation(n)
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    classes = [np.flatnonzero(y == c) for c in np.unique(y)]
    exact = np.array([len(rows) * n_val / n for rows in classes])
    take = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - take))[: n_val - take.sum()]:
        take[i] += 1
    take = np.clip(take, 1, [len(rows) - 1 for rows in classes])
    picks = zip(classes, take, strict=True)
    val = np.concatenate([rng.permutation(rows)[:k] for rows, k in picks])
    return np.setdiff1d(np.arange(n), val), np.sort(val)
'''

_CSV_READER = '''
def read_table():
    """The CSV file as (x, y); features: numbers stay, true/false becomes 0/1,
    text becomes one 0/1 column per value (named column=value)."""
    try:
        frame = pd.read_csv(DATA_FILE, encoding="utf-8-sig")
    except UnicodeDecodeError:  # e.g. a spreadsheet's "CSV" in a Windows code page
        frame = pd.read_csv(DATA_FILE, encoding="latin-1")
{drop}    target = frame.pop(TARGET)
    parts = []
    for name, column in frame.items():
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            parts.append(column.to_numpy(dtype=np.float64).reshape(-1, 1))
        else:
            text = column.astype(str)
            one_hot = pd.get_dummies(text, prefix=str(name), prefix_sep="=")
            parts.append(one_hot.to_numpy(dtype=np.float64))
    x = np.hstack(parts)
{target}
    return x, y
'''
_CSV_DROP = """\
    # Drop the rows with a missing value: empty, or infinite in a number column.
    finite = np.isfinite(frame.select_dtypes("float")).all(axis=1)
    frame = frame[frame.notna().all(axis=1) & finite].reset_index(drop=True)
"""
_CSV_TARGET = {
    "regression": "    y = target.to_numpy(dtype=np.float64)",
    "classification": "    # Classes are numbered in sorted order of their values.\n"
                      "    classes, y = np.unique(target.to_numpy(), return_inverse=True)\n"
                      "    y = y.astype(np.int64).reshape(-1)",
}


def _str(text: str) -> str:
    """A double-quoted Python string literal (as ruff format writes it)."""
    return json.dumps(text, ensure_ascii=False)


def _lam(value: float) -> str:
    return repr(float(value))


def _regularizer_code(r: Regularizer | None, w: str = "w") -> tuple[str | None, str]:
    """(Keras expression, comment) for a spec regularizer, as engine.training.model_builder.stock_regularizer."""
    if r is None or (r.l1 == 0 and r.l2 == 0):
        return None, ""
    if r.l1 and r.l2:
        return (f"regularizers.L1L2(l1={_lam(r.l1)}, l2={_lam(r.l2)})",
                f"L1+L2 (elastic net) adds {r.l1:g}·Σ|{w}| + {r.l2:g}·Σ{w}² to the loss")
    if r.l1:
        return f"regularizers.L1({_lam(r.l1)})", f"L1 adds {r.l1:g}·Σ|{w}| to the loss"
    return f"regularizers.L2({_lam(r.l2)})", f"L2 adds {r.l2:g}·Σ{w}² to the loss (Keras' L2 has no ½)"


def _call(indent: int, head: str, args: list[str], tail: str = ")", width: int = 88) -> list[str]:
    """``head(arg, arg)tail`` on one line if it fits in ``width`` (ruff's default), else one argument a line."""
    pad = " " * indent
    one = f"{pad}{head}{', '.join(args)}{tail}"
    if len(one) <= width:
        return [one]
    return [f"{pad}{head}", *(f"{pad}    {a}," for a in args), f"{pad}{tail}"]


def _dense_code(i: int, h: HiddenLayer) -> list[str]:
    lines = [f"# Hidden layer {i}: {h.units} {h.activation} units."]
    args = [str(h.units), f'activation="{h.activation}"']
    for kind, what, sym in (("kernel", "weights", "w"), ("bias", "biases", "b"), ("activity", "outputs", "a")):
        code, comment = _regularizer_code(getattr(h, f"{kind}_regularizer"), sym)
        if code is None:
            continue
        lines.append(f"# {kind}_regularizer on the {what} {sym}: {comment}.")
        if kind == "activity":
            lines.append("# (Keras 3.15 divides the activity penalty by the batch size; other releases may not.)")
        args.append(f"{kind}_regularizer={code}")
    args.append(f'name="hidden_{i}"')
    lines = [c for line in lines for c in _comment(12, line)] + _call(12, "layers.Dense(", args, "),")
    if h.dropout > 0:
        lines += _comment(12, f"# Dropout: zeroes each unit with probability {h.dropout:g}, in training only.")
        lines.append(f'            layers.Dropout({_lam(h.dropout)}, name="dropout_{i}"),')
    return lines


def _comment(indent: int, text: str, width: int = 88) -> list[str]:
    """A ``# comment`` wrapped to ``width`` columns at ``indent``."""
    pad = " " * indent
    return textwrap.wrap(text.removeprefix("# "), width, initial_indent=pad + "# ", subsequent_indent=pad + "# ",
                         break_long_words=False, break_on_hyphens=False)


def _optimizer_lines(optimizer: str, weight_decay: float) -> list[str]:
    """The optimizer of build_model(); with decoupled weight decay, on the kernels only."""
    if not weight_decay:
        return [f"    optimizer = keras.optimizers.{optimizer}(learning_rate=LEARNING_RATE)"]
    return [
        *_comment(4, f"Decoupled weight decay ({'AdamW' if optimizer == 'Adam' else optimizer + 'W'}): before "
                     f"each gradient step every kernel shrinks by w · {weight_decay:g} · learning rate. It is "
                     "not a loss term, so no loss or metric shows it. Biases are excluded (variables named "
                     "\"bias\"), as in RegLab."),
        *_call(4, f"optimizer = keras.optimizers.{optimizer}(",
               ["learning_rate=LEARNING_RATE", f"weight_decay={_lam(weight_decay)}"]),
        '    optimizer.exclude_from_weight_decay(var_names=["bias"])',
    ]


def _loss_lines(loss: str, loss_class: str, label_smoothing: float) -> list[str]:
    """The loss of build_model(); with label smoothing, the cross-entropy against smoothed targets."""
    if not label_smoothing:
        return [f'    loss = "{loss}"']
    moved = "y · (1 − s) + s/2" if loss_class == "BinaryCrossentropy" else "y · (1 − s) + s/K (K classes)"
    return [
        *_comment(4, f"Label smoothing s = {label_smoothing:g}: the training loss compares the predictions with "
                     f"targets moved toward uniform, {moved}."),
        f"    loss = keras.losses.{loss_class}(label_smoothing={_lam(label_smoothing)})",
    ]


def _docstring(exp: Experiment, task: str, n_outputs: int, activation: str, loss: str) -> str:
    d = exp.data
    source = {
        "toy": f"RegLab's toy data set {d.name!r} ({d.samples} samples, noise {d.noise:g}), generated here",
        "sklearn": f"scikit-learn's bundled data set {d.name!r}",
        "csv": f"the CSV file {exp.resolved_data_path().name} (target column {d.target!r})",
    }[d.kind]
    text = (
        f"Data: {source}; {d.validation:g} of the rows are held out for validation (split seed {d.seed}). "
        f"Task: {task}; the output layer has {n_outputs} {activation} unit(s) and the loss is {loss}.\n\n"
        "Run it with `python THIS_FILE [--epochs N]`. It needs only Keras (TensorFlow), numpy, scikit-learn and "
        "pandas. The weights start from other random numbers than in RegLab and the batches come in another "
        "order, so the curves look alike but the numbers are not the same."
    )
    body = "\n\n".join(textwrap.fill(par, 88) for par in text.split("\n\n"))
    title = textwrap.fill(f"{exp.name}: exported from RegLab as a plain Keras script.", 85)
    text = f"{title}\n\n{body}\n".replace("\\", "/").replace('"', "'")  # nothing that could end the docstring
    return '"""' + text + '"""\n\n'


def keras_script(exp: Experiment) -> str:
    """A standalone Keras script that loads the experiment's data and builds, compiles and trains its model.

    Reads the data once (to learn the task, the number of features and classes); raises SpecError/DataError
    like :func:`engine.data.load_table` for data that cannot be used.
    """
    d, t, net = exp.data, exp.training, exp.network
    table = load_table(d, exp.base_dir)
    task = table.task
    n_features = table.x.shape[1]
    n_outputs = table.n_classes
    activation, loss, loss_class = HEADS[task]
    classification = task != "regression"

    # ---- imports
    imports = ["import argparse", "import math"]
    if d.kind == "csv":
        imports.append("from pathlib import Path")
    imports += ["", "import keras", "import numpy as np"]
    if d.kind == "csv":
        imports.append("import pandas as pd")
    regularized = any(getattr(h, f"{kind}_regularizer") is not None and _regularizer_code(
        getattr(h, f"{kind}_regularizer"))[0] for h in net.hidden for kind in REGULARIZER_KINDS)
    imports.append("from keras import layers, regularizers" if regularized else "from keras import layers")
    if d.kind == "sklearn":
        imports.append(f"from sklearn.datasets import load_{d.name}")
    if d.kind == "toy" and d.name in _SKLEARN_MAKERS:
        imports.append(f"from sklearn.datasets import {_SKLEARN_MAKERS[d.name]}")
    if table.scale_features:
        imports.append("from sklearn.preprocessing import StandardScaler")

    # ---- constants
    consts = []
    if d.kind == "toy":
        consts += [f"SAMPLES = {d.samples}", f"NOISE = {_lam(d.noise)}", f"DATA_SEED = {d.seed}"]
    if d.kind == "csv":
        path = _str(str(exp.resolved_data_path().resolve()))
        consts += ["# Change DATA_FILE if you move the CSV file.", *_call(0, "DATA_FILE = Path(", [path]),
                   f"TARGET = {_str(d.target)}"]
    consts += [f"VALIDATION = {_lam(d.validation)}  # the fraction of rows held out", f"SPLIT_SEED = {d.seed}"]
    consts += [f"EPOCHS = {t.epochs}", f"BATCH_SIZE = {t.batch_size}", f"LEARNING_RATE = {_lam(t.learning_rate)}",
               f"SEED = {t.seed}"]

    # ---- data
    blocks = []
    if d.kind == "toy":
        blocks.append(_TOY[d.name].strip("\n"))
        read = ["x, y = make_data(SAMPLES, NOISE, DATA_SEED)"]
        if classification:
            read.append("y = np.asarray(y, dtype=np.int64)")
    elif d.kind == "sklearn":
        kind = "np.float64" if task == "regression" else "np.int64"
        read = [f"bunch = load_{d.name}()", "x = bunch.data.astype(np.float64)", f"y = bunch.target.astype({kind})"]
    else:
        target = _CSV_TARGET["regression" if task == "regression" else "classification"]
        blocks.append(_CSV_READER.format(target=target, drop=_CSV_DROP if d.drop_missing else "").strip("\n"))
        read = ["x, y = read_table()"]
    blocks.append(_SPLIT.strip("\n"))

    body = [*read, f"train, val = split_rows(y, classification={classification})", "x_train, x_val = x[train], x[val]"]
    if table.scale_features:
        body += ["# Standardize the features with statistics of the training rows only.",
                 "scaler = StandardScaler().fit(x_train)",
                 "x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)"]
    if task == "regression":
        body.append("y = y.astype(np.float64)")
        if table.scale_features:
            body += ["# The target is standardized the same way for training (so the rmse printed here is",
                     "# in standard deviations of the target; RegLab reports it in the target's units).",
                     "y = (y - np.mean(y[train])) / (np.std(y[train]) or 1.0)"]
        body.append("y = y.astype(np.float32).reshape(-1, 1)")
    elif task == "multiclass":
        body += ["# One-hot targets for categorical cross-entropy.", f"y = np.eye({n_outputs}, dtype=np.float32)[y]"]
    else:
        body.append("y = y.astype(np.float64).astype(np.float32).reshape(-1, 1)")
    body += ["x_train, x_val = x_train.astype(np.float32), x_val.astype(np.float32)",
             "return x_train, y[train], x_val, y[val]"]
    load_data = "\n".join(["def load_data():", '    """(x_train, y_train, x_val, y_val) as float32 arrays."""',
                           *(f"    {line}" for line in body)])

    # ---- model
    model_lines = [f"            keras.Input(shape=({n_features},)),"]
    if net.input_dropout > 0:
        model_lines += [*_comment(12, f"Dropout on the inputs: zeroes each feature with probability "
                                      f"{net.input_dropout:g}, in training only."),
                        f'            layers.Dropout({_lam(net.input_dropout)}, name="input_dropout"),']
    for i, h in enumerate(net.hidden, start=1):
        model_lines += _dense_code(i, h)
    model_lines += _comment(12, f"Output: {task} → {n_outputs} {activation} unit(s).")
    model_lines.append(f'            layers.Dense({n_outputs}, activation="{activation}", name="output"),')
    notes = []
    if any(h.dropout > 0 for h in net.hidden) or net.input_dropout > 0:
        if net.dropout_style == "classic":
            notes = ["RegLab trained this network with classic (textbook) dropout: no scaling while",
                     "training and outputs × (1 − p) at evaluation. Keras has only inverted dropout",
                     "(survivors × 1/(1 − p) while training, nothing at evaluation). Both give the same",
                     "predictions in expectation, so the stock Dropout layer is used here."]
        else:
            notes = ["Keras' Dropout is inverted dropout: the surviving units are scaled by 1/(1 − p)",
                     "while training, so nothing changes at evaluation."]
    optimizer = OPTIMIZER_CLASSES[t.optimizer]
    data_loss = f'keras.metrics.{loss_class}(name="data_loss")'
    other = '"accuracy"' if classification else 'keras.metrics.RootMeanSquaredError(name="rmse")'
    smoothing_note = (["    # It compares with the true labels, not the smoothed ones the training loss uses."]
                      if t.label_smoothing else [])
    metric_lines = [
        "    # data_loss: the loss without the regularization penalty (compiled metrics leave it",
        "    # out; on the validation rows dropout is off). val_data_loss is RegLab's val_loss;",
        "    # Keras' val_loss adds the penalty.",
        *smoothing_note,
        *_call(4, "metrics = [", [data_loss, other], "]"),
    ]
    build_model = "\n".join([
        "def build_model():",
        '    """The network, compiled with the optimizer, learning rate and loss of RegLab."""',
        *(f"    # {line}" for line in notes),
        "    model = keras.Sequential(",
        "        [",
        *model_lines,
        "        ],",
        '        name="reglab",',
        "    )",
        *metric_lines,
        *_optimizer_lines(optimizer, t.weight_decay),
        *_loss_lines(loss, loss_class, t.label_smoothing),
        *_call(4, "model.compile(", ["optimizer=optimizer", "loss=loss", "metrics=metrics"]),
        "    return model",
    ])

    # ---- main
    callbacks = "[]"
    stop_lines = []
    rule = t.early_stopping
    if rule is not None:
        stop_lines = [
            "    # Early stopping: stop when val_data_loss has not improved for `patience` epochs.",
            "    # It watches val_data_loss, not val_loss, as RegLab does: RegLab's val_loss is the",
            "    # data loss alone, Keras' val_loss adds the regularization penalty, and with a",
            "    # penalty the two can reach their minimum at different epochs.",
            *_call(4, "stop = keras.callbacks.EarlyStopping(",
                   ['monitor="val_data_loss"', f"patience={rule.patience}",
                    f"restore_best_weights={rule.restore_best_weights}"]),
        ]
        callbacks = "[stop]"
    main = "\n".join([
        "def main(argv=None):",
        "    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])",
        '    parser.add_argument("--epochs", type=int, default=EPOCHS, help="epochs to train")',
        "    args = parser.parse_args(argv)",
        "",
        "    keras.utils.set_random_seed(SEED)",
        "    x_train, y_train, x_val, y_val = load_data()",
        "    model = build_model()",
        "    model.summary()",
        *stop_lines,
        *_call(4, "history = model.fit(", [
            "x_train", "y_train", "validation_data=(x_val, y_val)", "batch_size=BATCH_SIZE",
            "epochs=args.epochs", "shuffle=True", f"callbacks={callbacks}", "verbose=2"]),
        "    last = {name: values[-1] for name, values in history.history.items()}",
        '    print(", ".join(f"{name} {value:.4f}" for name, value in last.items()))',
        "    print(f\"final val_loss: {last['val_loss']:.4f}\")",
    ])
    parts = [_docstring(exp, task, n_outputs, activation, loss) + "\n".join(imports) + "\n\n" + "\n".join(consts),
             *blocks, load_data, build_model, main, 'if __name__ == "__main__":\n    main()']
    return "\n\n\n".join(parts) + "\n"
