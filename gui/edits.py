"""Named edits of a spec, for menus, buttons and the canvas: each changes an Experiment in place.

Use them through the document, which makes them undoable::

    document.edit("Add layer", lambda e: edits.add_layer(e, after=1))
"""

from __future__ import annotations

import copy

from engine.spec import (
    MAX_HIDDEN_LAYERS,
    MAX_UNITS,
    SKLEARN_REGRESSION,
    TOY_REGRESSION,
    Data,
    Experiment,
    HiddenLayer,
    Regularizer,
)

REGULARIZER_KINDS = ("none", "L1", "L2", "L1+L2")


def add_layer(exp: Experiment, after: int) -> None:
    """Insert a hidden layer after index ``after`` (-1: first), copying its neighbour's settings."""
    hidden = exp.network.hidden
    if len(hidden) >= MAX_HIDDEN_LAYERS:
        return
    template = hidden[max(0, min(after, len(hidden) - 1))] if hidden else HiddenLayer(units=8)
    hidden.insert(after + 1, copy.deepcopy(template))


def remove_layer(exp: Experiment, index: int) -> None:
    if 0 <= index < len(exp.network.hidden):
        del exp.network.hidden[index]


def change_units(exp: Experiment, index: int, delta: int) -> None:
    layer = exp.network.hidden[index]
    layer.units = max(1, min(MAX_UNITS, layer.units + delta))


def set_field(exp: Experiment, index: int, name: str, value) -> None:
    """Set a field (``units``, ``activation``, ``dropout``, ``noise``, ``max_norm``, ``batch_norm``) of hidden layer
    ``index``; at index -1 (the input), ``dropout`` or ``noise`` sets ``input_dropout`` or ``input_noise``."""
    if index < 0:
        setattr(exp.network, f"input_{name}", value)
    else:
        setattr(exp.network.hidden[index], name, value)


def set_regularizer(exp: Experiment, index: int | None, which: str, reg: Regularizer | None) -> None:
    """Set the ``which`` ("kernel" | "bias" | "activity") regularizer of hidden layer ``index``, or the ``which``
    ("kernel" | "bias") regularizer of the output layer when ``index`` is None."""
    owner = exp.network.output if index is None else exp.network.hidden[index]
    setattr(owner, f"{which}_regularizer", reg)


def make_regularizer(kind: str, l1: float, l2: float) -> Regularizer | None:
    """A regularizer of a kind ("none", "L1", "L2", "L1+L2"), keeping only the λ that kind uses."""
    if kind == "L1":
        return Regularizer(l1=l1)
    if kind == "L2":
        return Regularizer(l2=l2)
    if kind == "L1+L2":
        return Regularizer(l1=l1, l2=l2)
    return None


def regularizer_strength(reg: Regularizer | None) -> float:
    """The λ shown for a regularizer: its l1 or l2 (the larger when both differ)."""
    if reg is None:
        return 0.0
    return max(reg.l1, reg.l2)


def is_regression_data(data: Data) -> bool:
    """True when the spec alone says the task is regression (a regression toy set or scikit-learn set, a CSV whose
    task is set to regression); a CSV without a task is decided by its target column when it loads."""
    if data.kind == "toy":
        return data.name in TOY_REGRESSION
    if data.kind == "sklearn":
        return data.name in SKLEARN_REGRESSION
    return data.task == "regression"


def drop_label_smoothing_for_regression(exp: Experiment) -> None:
    """Label smoothing off when the data has become regression: the spec refuses it there, and a change of data
    should not be refused for a setting that no longer applies (one undo brings both back)."""
    if exp.training.label_smoothing and is_regression_data(exp.data):
        exp.training.label_smoothing = 0.0
