"""The terms of the objective J as text: the data loss and one penalty per active regularizer, hidden layers then
the output layer, written with Keras 3.15's definitions (what the engine computes)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.spec import TOY_REGRESSION, Experiment
from engine.training.snapshot import Snapshot

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
L2_NOTE = "Keras' L2 is λΣw² — no ½ (some textbooks write ½λ‖w‖²)."
# Keras releases differ here (keras-team/keras#22021), so the note names the one pyproject.toml pins and the
# engine's tests compare against.
ACTIVITY_NOTE = "Keras 3.15, the version RegLab trains with, divides them by the batch size"
TARGETS = (("kernel", "W", "weights"), ("bias", "b", "biases"), ("activity", "a", "outputs"))

MSE = "mean squared error"
BINARY_CE = "binary cross-entropy"
CATEGORICAL_CE = "categorical cross-entropy"


def number(value: float) -> str:
    """A spec's value as the user typed it: 0.001, 3, 1e-05."""
    return f"{value:g}"


def subscript(layer: int) -> str:
    """The subscript of layer ``layer`` (0-based; the output layer follows the hidden ones): 0 → ₁."""
    return str(layer + 1).translate(SUBSCRIPTS)


def format_value(value: float) -> str:
    """Four significant digits, zeros kept so a column lines up: 0.01000, 1.235e-05, 0.6931."""
    return f"{value:#.4g}"


def class_count(snap: Snapshot | None) -> int | None:
    """K, the number of classes the output layer has (None before a run)."""
    if snap is None or not snap.layers:
        return None
    return snap.layers[-1].kernel.shape[-1]


def smoothed_targets(loss_name: str, smoothing: float, classes: int | None) -> str:
    """Keras' smoothed target for the loss, with the experiment's ε: binary cross-entropy y·(1−ε) + 0.5·ε,
    categorical cross-entropy y·(1−ε) + ε/K (K: the one-hot target's length, the output's units)."""
    e = number(smoothing)
    if loss_name == BINARY_CE:
        return f"y·(1−{e}) + {e}/2"
    k = "K" if classes is None else str(classes)
    if loss_name == CATEGORICAL_CE:
        return f"y·(1−{e}) + {e}/{k}"
    return f"y·(1−{e}) + {e}/2 (binary) or y·(1−{e}) + {e}/K (K classes)"


def label_smoothing_line(exp: Experiment, loss_name: str, classes: int | None) -> str:
    """What label smoothing changes, and what it leaves alone; "" without it (or for regression)."""
    smoothing = exp.training.label_smoothing
    if not smoothing or loss_name == MSE:
        return ""
    return (f"Label smoothing {number(smoothing)}: the data loss (and so J) is measured against smoothed targets "
            f"{smoothed_targets(loss_name, smoothing, classes)}, Keras' label_smoothing. The validation loss and "
            "the train loss (dropout off) curves stay the plain cross-entropy against the true labels.")


def data_loss_name(exp: Experiment, snap: Snapshot | None = None) -> str:
    """The Keras loss the engine will use: from the snapshot when there is one, else from the data spec."""
    if snap is not None and snap.layers:
        if snap.metric_name != "accuracy":
            return MSE
        return BINARY_CE if snap.layers[-1].kernel.shape[-1] == 1 else CATEGORICAL_CE
    data = exp.data
    if data.kind == "toy":
        return MSE if data.name in TOY_REGRESSION else BINARY_CE
    if data.kind == "sklearn":
        return {"diabetes": MSE, "breast_cancer": BINARY_CE}.get(data.name, CATEGORICAL_CE)
    if data.task == "regression":
        return MSE
    if data.task == "classification":
        return "cross-entropy"
    return "cross-entropy or mean squared error, by the target column"


@dataclass(frozen=True)
class Term:
    """One penalty in J: the ``which`` regularizer of layer ``layer`` (0-based; len(hidden) is the output layer)."""

    layer: int
    which: str
    label: str
    formula: str  # plain text, e.g. "0.001·Σ|W₂|"
    has_l2: bool


def _term(layer: int, which: str, reg, name: str) -> Term | None:
    """The term of regularizer ``reg`` on ``which`` of layer ``layer``, labelled "<name> <which> (<kind>)"."""
    if reg is None or reg.kind == "none":
        return None
    x = dict((w, letter) for w, letter, _ in TARGETS)[which] + subscript(layer)
    parts = []
    if reg.l1:
        parts.append(f"{number(reg.l1)}·Σ|{x}|")
    if reg.l2:
        parts.append(f"{number(reg.l2)}·Σ{x}²")
    formula = " + ".join(parts)
    if which == "activity":
        formula = f"({formula}) / batch" if len(parts) > 1 else f"{formula} / batch"
    return Term(layer, which, f"{name} {which} ({reg.kind})", formula, bool(reg.l2))


def penalty_terms(exp: Experiment) -> list[Term]:
    """Every penalty Keras adds to the loss: each hidden layer's kernel, bias and activity terms, then the output
    layer's kernel and bias terms (its W and b numbered after the hidden layers')."""
    terms = [_term(i, which, getattr(layer, f"{which}_regularizer"), f"Layer {i + 1}")
             for i, layer in enumerate(exp.network.hidden) for which, _, _ in TARGETS]
    out, at = exp.network.output, len(exp.network.hidden)
    terms += [_term(at, which, getattr(out, f"{which}_regularizer"), "Output") for which in ("kernel", "bias")]
    return [t for t in terms if t is not None]
