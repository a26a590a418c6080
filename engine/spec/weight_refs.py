"""Kernel weights named as text, ``"L:i:j"``: the landscape's pair, in the experiment file and on the command line.

``L`` counts the Dense layers from 0 (the hidden layers, then the output layer), ``i`` is the kernel's row (the
input unit), ``j`` its column (the unit). A pair is two of them separated by a comma: ``"0:0:1,0:1:3"``.
Whether the indices exist depends on the data (its features and outputs) and on the network, which an edit may
change while a pair stays chosen, so they are checked where a landscape is made (:func:`check_weight_refs`), not
when the model is built: the model does not use them.
"""

from __future__ import annotations

import re

from engine.spec.errors import SpecError
from engine.spec.parts import LandscapeChoice, WeightRef
from engine.spec.reader import Fields, describe

FIELD = "landscape.weights"
_REF = re.compile(r"\s*(\d{1,6}):(\d{1,6}):(\d{1,6})\s*")
_FORM = "two weights L:i:j separated by a comma, e.g. 0:0:1,0:1:3 (L the Dense layer from 0, i the row, j the column)"


def parse_weight_refs(text: str) -> tuple[WeightRef, WeightRef]:
    """``"0:0:1,0:1:3"`` → two WeightRefs. A bad text raises SpecError with ``field="weights"`` and a message that
    says only what is wrong (its reader puts ``landscape.weights:`` or ``--weights:`` in front)."""
    if not isinstance(text, str):
        raise SpecError(f"expected {_FORM}, got {describe(text)}", field="weights")
    parts = text.split(",")
    matches = [_REF.fullmatch(part) for part in parts]
    if len(parts) != 2 or not all(matches):
        raise SpecError(f"{text[:60]!r} is not {_FORM}", field="weights")
    first, second = (WeightRef(*(int(g) for g in m.groups())) for m in matches)
    if first == second:
        raise SpecError(f"{text[:60]!r} names the weight {first.text} twice; choose two different weights",
                        field="weights")
    return first, second


def parse_landscape(d: object) -> LandscapeChoice:
    f = Fields(d, "landscape")
    if not f.has("weights"):
        raise SpecError(f"{FIELD}: missing; name the two weights, e.g. \"0:0:1,0:1:3\"")
    try:
        weights = parse_weight_refs(f.raw("weights", ""))
    except SpecError as exc:
        raise SpecError(f"{FIELD}: {exc}") from None
    f.done()
    return LandscapeChoice(weights)


def kernel_shapes(units: list[int], n_features: int, n_outputs: int) -> list[tuple[int, int]]:
    """(rows, columns) of each Dense kernel, hidden layers then the output layer, for hidden layers of ``units``."""
    sizes = [n_features, *units, n_outputs]
    return list(zip(sizes[:-1], sizes[1:], strict=True))


def check_weight_refs(refs: tuple[WeightRef, ...], shapes: list[tuple[int, int]], where: str = FIELD) -> None:
    """Each weight exists in kernels of these ``shapes``; else one SpecError line starting with ``where``."""
    last = len(shapes) - 1
    for ref in refs:
        if ref.layer > last:
            raise SpecError(f"{where}: {ref.text}: there is no Dense layer {ref.layer}; this network has layers 0 to "
                            f"{last} (the hidden layers, then the output layer {last})")
        rows, columns = shapes[ref.layer]
        if ref.row >= rows or ref.column >= columns:
            raise SpecError(f"{where}: {ref.text}: layer {ref.layer}'s kernel has rows 0 to {rows - 1} and columns "
                            f"0 to {columns - 1}")
