"""A lesson's study block: which study the lesson is about (sweep, cv, compare or path) and its settings.

A sweep may name a second field (``param2``, ``values2``): it is then a two-field sweep, a grid of every pair."""

from __future__ import annotations

import math

from engine.spec.errors import SpecError
from engine.spec.fields import is_field_path, parse_values
from engine.spec.limits import (
    LESSON_STUDY_KINDS,
    MAX_COMPARE_VARIANTS,
    MAX_FOLDS,
    MAX_SWEEP_SEEDS,
    MAX_SWEEP_VALUES,
    MAX_VARIANT_LABEL,
    MIN_FOLDS,
)
from engine.spec.reader import Fields, describe


def parse_study(d: object) -> dict:
    f = Fields(d, "lesson.study")
    if not f.has("kind"):
        raise SpecError(f"lesson.study.kind: missing; one of {', '.join(LESSON_STUDY_KINDS)}")
    kind = f.string("kind", "", LESSON_STUDY_KINDS)
    if kind == "cv":
        study: dict = {"kind": kind, "folds": f.integer("folds", 5, MIN_FOLDS, MAX_FOLDS)}
    elif kind == "compare":
        study = {"kind": kind}
        variants = f.raw("variants", None)  # none: engine.studies.study.classic_variants picks them
        if variants is not None:
            study["variants"] = _parse_variants(variants)
    elif kind == "path":  # a sweep whose picture is every kernel weight against the value; K-fold optional
        study = {**_parse_sweep(f, "a path"), "kind": "path", "folds": _path_folds(f)}
    else:
        study = _parse_sweep(f)
        if f.has("param2") or f.has("values2"):
            study.update(_parse_second_field(f, study["param"]))
    f.done()
    return study


def _parse_sweep(f: Fields, study: str = "a sweep") -> dict:
    for key in ("param", "values"):
        if not f.has(key):
            raise SpecError(f"lesson.study.{key}: missing; {study} names the field (param) and its values")
    param = f.string("param", "")
    if not is_field_path(param):
        raise SpecError(f"lesson.study.param: {param!r} is not a field path like network.hidden[*].dropout")
    values = f.string("values", "")
    _check_sweep_values(values, "values")
    return {"kind": "sweep", "param": param, "values": values, "seeds": f.integer("seeds", 1, 1, MAX_SWEEP_SEEDS)}


def _parse_second_field(f: Fields, first: str) -> dict:
    """{"param2", "values2"}: a second field, different from the first, and its values."""
    for key in ("param2", "values2"):
        if not f.has(key):
            raise SpecError(f"lesson.study.{key}: missing; a two-field sweep names its second field (param2) "
                            "and its values (values2)")
    param2 = f.string("param2", "")
    if not is_field_path(param2):
        raise SpecError(f"lesson.study.param2: {param2!r} is not a field path like training.weight_decay")
    if param2 == first:
        raise SpecError(f"lesson.study.param2: {param2!r} is the first field too; a two-field sweep needs two")
    values2 = f.string("values2", "")
    _check_sweep_values(values2, "values2")
    return {"param2": param2, "values2": values2}


def _path_folds(f: Fields) -> int:
    """0 (one run per value and seed) or K of K-fold."""
    folds = f.integer("folds", 0, 0, MAX_FOLDS)
    if 0 < folds < MIN_FOLDS:
        raise SpecError(f"lesson.study.folds: {folds} is not a K-fold; 0 (none) or {MIN_FOLDS} to {MAX_FOLDS}")
    return folds


def _parse_variants(d: object) -> list[dict]:
    """A lesson's compare variants: 1 to 4 of {"label": text, "set": {field path: number}}, labels all different."""
    if not isinstance(d, list) or not 1 <= len(d) <= MAX_COMPARE_VARIANTS:
        got = f"{len(d)} variants" if isinstance(d, list) else describe(d)
        raise SpecError(f"lesson.study.variants: expected a list of 1 to {MAX_COMPARE_VARIANTS} variants, got {got}")
    variants: list[dict] = []
    for i, item in enumerate(d):
        path = f"lesson.study.variants[{i}]"
        f = Fields(item, path)
        if not f.has("label") or not f.has("set"):
            raise SpecError(f'{path}: a variant needs a "label" and a "set" of field paths and numbers')
        label = f.string("label", "", max_len=MAX_VARIANT_LABEL)
        if not label.strip():
            raise SpecError(f"{path}.label: must not be empty")
        same = next((j for j, v in enumerate(variants) if v["label"] == label), None)
        if same is not None:
            raise SpecError(f"{path}.label: {label!r} is the label of variants[{same}] too; each needs its own")
        variants.append({"label": label, "set": _parse_variant_set(f.raw("set", None), f"{path}.set")})
        f.done()
    return variants


def _parse_variant_set(d: object, path: str) -> dict:
    """{field path: number}: paths as engine.spec.fields reads them; applied (and range-checked) by
    engine.studies.study."""
    if not isinstance(d, dict):
        raise SpecError(f"{path}: expected an object of field paths and numbers, got {describe(d)}")
    out = {}
    for key, value in d.items():
        if not isinstance(key, str) or not is_field_path(key):
            raise SpecError(f"{path}: {str(key)[:80]!r} is not a field path like network.hidden[*].dropout")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(f'{path}["{key}"]: expected a number, got {describe(value)}')
        try:
            number = float(value)
        except OverflowError:  # an int beyond float range (JSON allows 1 followed by 400 zeros)
            raise SpecError(f'{path}["{key}"]: a whole number beyond the range of numbers (±1.8e308)') from None
        if not math.isfinite(number):
            raise SpecError(f'{path}["{key}"]: {number} is not a finite number')
        out[key] = number
    return out


def _check_sweep_values(text: str, key: str) -> None:
    """``text`` (lesson.study.``key``) as :func:`engine.spec.fields.parse_values` reads it, with at most
    MAX_SWEEP_VALUES values."""
    parts = text.split(":")
    count = 0
    if len(parts) == 3:
        try:
            count = int(parts[2])
        except ValueError:
            pass  # not a count: parse_values says what is wrong
    if count <= MAX_SWEEP_VALUES:  # a log range is built in memory: check its count before building it
        if len(parts) == 3 and not _finite_ends(parts):  # parse_values refuses these too, in its own words
            raise SpecError(f"lesson.study.{key}: {text!r} gives values that are not finite numbers; "
                            "use finite numbers like 0,0.2,0.5 or 1e-5:1:7")
        try:
            count = len(parse_values(text))  # only finite values come back
        except SpecError as exc:
            raise SpecError(f"lesson.study.{key}: {exc}") from None
    if count > MAX_SWEEP_VALUES:
        raise SpecError(f"lesson.study.{key}: more than {MAX_SWEEP_VALUES} values; a lesson's sweep needs a few")


def _finite_ends(parts: list[str]) -> bool:
    """False when the start or stop of a log range start:stop:count is inf or nan."""
    for part in parts[:2]:
        try:
            if not math.isfinite(float(part)):
                return False
        except ValueError:
            pass  # not a number: parse_values says what is wrong
    return True
