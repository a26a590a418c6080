"""Field paths and value lists: how a study names one field of the experiment, and the values it gives it.

A field path is the field's place in the experiment file: ``network.hidden[0].dropout``,
``network.hidden[*].dropout`` (every hidden layer at once), ``network.hidden[1].kernel_regularizer.l2``
(a null regularizer becomes one), ``network.input_dropout``, ``training.learning_rate``… Values are a list
(``0,0.2,0.5``) or a log range ``start:stop:count`` (``1e-5:1:7``), the usual way to sweep λ.

A path or a value list comes from a lesson's study or from the command line, so an error here is about that
setting: it carries ``field`` "param" or "values" and a message that leaves out the path and the setting's name;
whoever read the setting names it (see :class:`~engine.spec.errors.SpecError`).
"""

from __future__ import annotations

import math
import re

from engine.spec.errors import SpecError
from engine.spec.limits import MAX_RANGE_VALUES, REGULARIZER_FIELDS
from engine.spec.parts import Regularizer

_NAME, _INDEX = r"[a-z_0-9]+", r"\d+|\*"
#: one step of a path: a field's name, then ``[i]`` (one item) or ``[*]`` (every item) when the field is a list
_PART = re.compile(rf"^(?P<name>{_NAME})(\[(?P<index>{_INDEX})\])?$")
#: a whole path: steps joined by dots
_FIELD_PATH = re.compile(rf"{_NAME}(\[({_INDEX})\])?(\.{_NAME}(\[({_INDEX})\])?)*")


def is_field_path(text: str) -> bool:
    """True when ``text`` is written like a field path; whether the experiment has that field is :func:`set_field`'s
    question."""
    return _FIELD_PATH.fullmatch(text) is not None


def parse_values(text: str) -> list[float]:
    """``"0,0.2,0.5"`` → [0, 0.2, 0.5]; ``"1e-5:1:6"`` → 6 values spaced evenly on a log scale."""
    text = text.strip()
    try:
        if ":" in text:
            start, stop, count = text.split(":")
            start_f, stop_f, n = float(start), float(stop), int(count)
            if not (0 < start_f < math.inf and 0 < stop_f < math.inf and 2 <= n <= MAX_RANGE_VALUES):
                raise ValueError
            import numpy as np  # here: the spec is read where numpy is not loaded yet (the window's first moments)

            return [float(v) for v in np.geomspace(start_f, stop_f, n)]
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise SpecError(f"{text!r} is neither a list like 0,0.2,0.5 nor a log range like 1e-5:1:7 "
                        f"(start:stop:count, start and stop finite and > 0, count 2 to {MAX_RANGE_VALUES})",
                        field="values") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise SpecError(f"{text!r} has no usable numbers", field="values")
    return values


def set_field(root: object, path: str, value: float) -> None:
    """Set the field at ``path`` in ``root`` (an Experiment) to ``value``, in place and unchecked.

    :func:`engine.spec.set_path` is the checked way: it sets the field on a copy and validates it like a file.
    """
    parts = path.split(".")
    targets = [root]
    for depth, part in enumerate(parts):
        m = _PART.match(part)
        if not m:
            raise SpecError(f"{part!r} is not a field name", field="param")
        name, index = m.group("name"), m.group("index")
        last = depth == len(parts) - 1
        next_targets = []
        for obj in targets:
            if not hasattr(obj, name) or name == "base_dir":
                raise SpecError(f"no field {name!r} here", field="param")
            if last:
                if index is not None:
                    raise SpecError("the last part must be a number field", field="param")
                setattr(obj, name, value)
                continue
            next_targets.extend(_children(obj, name, index))
        targets = next_targets
        if not targets and not last:
            raise SpecError(f"{part!r} matches nothing (no hidden layers?)", field="param")


def _children(obj: object, name: str, index: str | None) -> list:
    """What the path step ``name`` (with its ``[index]``, if any) reaches in ``obj``."""
    child = getattr(obj, name)
    if name in REGULARIZER_FIELDS and child is None:
        child = Regularizer()
        setattr(obj, name, child)
    if index is None:
        return [child]
    if not isinstance(child, list):
        raise SpecError(f"{name} is not a list", field="param")
    if index == "*":
        return list(child)
    if int(index) >= len(child):
        raise SpecError(f"{name}[{index}] does not exist ({len(child)} layers)", field="param")
    return [child[int(index)]]
