"""Export an experiment as a standalone Keras script: ``python main.py export EXP.json --keras [-o model.py]``.

:func:`keras_script` writes Python that uses only Keras/TensorFlow, numpy, scikit-learn and pandas (no RegLab
import): it loads or generates the same data with the same split and scaling as :mod:`engine.data`
(:mod:`engine.export.script_data`), builds the network of :func:`engine.training.model_builder.build_stock_model`
(:mod:`engine.export.script_layers`: stock ``Dense`` with ``L1``/``L2``/``L1L2`` and ``MaxNorm``,
``BatchNormalization``, ``GaussianNoise``, ``Dropout`` or ``GaussianDropout``), compiles it with the same optimizer
(``engine.training.model_builder.make_optimizer``), learning rate, weight decay (kernels only) and loss (with its
label smoothing), and trains it with ``model.fit`` (``validation_data``, ``batch_size``, ``epochs``, ``shuffle``;
``EarlyStopping`` if the experiment has it). A ``data_loss`` metric gives the loss without the penalty, so
``val_data_loss`` is RegLab's ``val_loss`` and ``EarlyStopping`` watches it (Keras' ``val_loss`` adds the penalty).

The script reads like code a person would write. This module does not import TensorFlow.
"""

from __future__ import annotations

import textwrap

from engine.data import load_table
from engine.export.script_data import data_code, data_constants, data_imports
from engine.export.script_layers import dropout_note, keras_import, loss_lines, model_lines, optimizer_lines
from engine.export.script_text import call, number
from engine.spec import Experiment
from engine.training.keras_names import HEADS, OPTIMIZER_CLASSES


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


def _imports(exp: Experiment, table) -> list[str]:
    """Standard library, then third party (plain imports before from-imports, each sorted, as isort writes them)."""
    stdlib, third = data_imports(exp, table)
    plain = ["import keras", "import numpy as np", *(line for line in third if line.startswith("import "))]
    from_imports = sorted([keras_import(exp.network), *(line for line in third if line.startswith("from "))])
    return ["import argparse", *stdlib, "", *plain, *from_imports]


def _constants(exp: Experiment) -> list[str]:
    t = exp.training
    return [*data_constants(exp), f"EPOCHS = {t.epochs}", f"BATCH_SIZE = {t.batch_size}",
            f"LEARNING_RATE = {number(t.learning_rate)}", f"SEED = {t.seed}"]


def _build_model(exp: Experiment, table) -> str:
    t, net, task = exp.training, exp.network, table.task
    activation, loss, loss_class = HEADS[task]
    data_loss = f'keras.metrics.{loss_class}(name="data_loss")'
    other = '"accuracy"' if task != "regression" else 'keras.metrics.RootMeanSquaredError(name="rmse")'
    smoothing_note = (["    # It compares with the true labels, not the smoothed ones the training loss uses."]
                      if t.label_smoothing else [])
    return "\n".join([
        "def build_model():",
        '    """The network, compiled with the optimizer, learning rate and loss of RegLab."""',
        *dropout_note(net),
        "    model = keras.Sequential(",
        "        [",
        *model_lines(net, table.x.shape[1], table.n_classes, activation, task),
        "        ],",
        '        name="reglab",',
        "    )",
        "    # data_loss: the loss without the regularization penalty (compiled metrics leave it",
        "    # out; on the validation rows the model runs in inference mode, without dropout or",
        "    # noise). val_data_loss is RegLab's val_loss; Keras' val_loss adds the penalty.",
        *smoothing_note,
        *call(4, "metrics = [", [data_loss, other], "]"),
        *optimizer_lines(OPTIMIZER_CLASSES[t.optimizer], t.weight_decay),
        *loss_lines(loss, loss_class, t.label_smoothing),
        *call(4, "model.compile(", ["optimizer=optimizer", "loss=loss", "metrics=metrics"]),
        "    return model",
    ])


def _early_stopping(exp: Experiment) -> list[str]:
    rule = exp.training.early_stopping
    if rule is None:
        return []
    return [
        "    # Early stopping: stop when val_data_loss has not improved for `patience` epochs.",
        "    # It watches val_data_loss, not val_loss, as RegLab does: RegLab's val_loss is the",
        "    # data loss alone, Keras' val_loss adds the regularization penalty, and with a",
        "    # penalty the two can reach their minimum at different epochs.",
        *call(4, "stop = keras.callbacks.EarlyStopping(",
              ['monitor="val_data_loss"', f"patience={rule.patience}",
               f"restore_best_weights={rule.restore_best_weights}"]),
    ]


def _main(exp: Experiment) -> str:
    stop = _early_stopping(exp)
    return "\n".join([
        "def main(argv=None):",
        "    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])",
        '    parser.add_argument("--epochs", type=int, default=EPOCHS, help="epochs to train")',
        "    args = parser.parse_args(argv)",
        "",
        "    keras.utils.set_random_seed(SEED)",
        "    x_train, y_train, x_val, y_val = load_data()",
        "    model = build_model()",
        "    model.summary()",
        *stop,
        *call(4, "history = model.fit(", [
            "x_train", "y_train", "validation_data=(x_val, y_val)", "batch_size=BATCH_SIZE",
            "epochs=args.epochs", "shuffle=True", f"callbacks={'[stop]' if stop else '[]'}", "verbose=2"]),
        "    last = {name: values[-1] for name, values in history.history.items()}",
        '    print(", ".join(f"{name} {value:.4f}" for name, value in last.items()))',
        "    print(f\"final val_loss: {last['val_loss']:.4f}\")",
    ])


def keras_script(exp: Experiment) -> str:
    """A standalone Keras script that loads the experiment's data and builds, compiles and trains its model.

    Reads the data once (to learn the task, the number of features and classes); raises SpecError/DataError
    like :func:`engine.data.load_table` for data that cannot be used.
    """
    table = load_table(exp.data, exp.base_dir)
    head = _docstring(exp, table.task, table.n_classes, *HEADS[table.task][:2])
    parts = [head + "\n".join(_imports(exp, table)) + "\n\n" + "\n".join(_constants(exp)),
             *data_code(exp, table), _build_model(exp, table), _main(exp), 'if __name__ == "__main__":\n    main()']
    return "\n\n\n".join(parts) + "\n"
