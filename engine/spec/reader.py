"""Reading one JSON object of an experiment file: types and ranges checked, the field's path in every error."""

from __future__ import annotations

import math

from engine.spec.errors import SpecError


class Fields:
    """Reads one JSON object, checking types and ranges and naming the path in errors."""

    def __init__(self, d: object, path: str):
        if not isinstance(d, dict):
            where = path or "the experiment"
            raise SpecError(f"{where}: expected an object {{...}}, got {describe(d)}")
        self.d = d
        self.path = path
        self.used: set[str] = set()

    def name(self, key: str) -> str:
        """The path of ``key`` in the file: ``network.hidden[0].units``."""
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.d

    def raw(self, key: str, default: object) -> object:
        self.used.add(key)
        return self.d.get(key, default)

    def number(self, key: str, default: float, lo: float, hi: float, *, lo_open: bool = False) -> float:
        v = self.raw(key, default)
        name = self.name(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise SpecError(f"{name}: expected a number, got {describe(v)}")
        try:
            v = float(v)
        except OverflowError:  # an int beyond float range (JSON allows 1 followed by 400 zeros)
            v = math.inf if v > 0 else -math.inf
        if not math.isfinite(v):
            raise SpecError(f"{name}: {v} is not a finite number")
        if v < lo or v > hi or (lo_open and v == lo):
            bracket = "(" if lo_open else "["
            raise SpecError(f"{name}: {fmt(v)} is out of range {bracket}{fmt(lo)}, {fmt(hi)}]")
        return v

    def integer(self, key: str, default: int, lo: int, hi: int) -> int:
        v = self.raw(key, default)
        name = self.name(key)
        if isinstance(v, bool) or not isinstance(v, int):
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            else:
                raise SpecError(f"{name}: expected a whole number, got {describe(v)}")
        if v < lo or v > hi:
            raise SpecError(f"{name}: {int_text(v)} is out of range [{lo}, {hi}]")
        return v

    def boolean(self, key: str, default: bool) -> bool:
        v = self.raw(key, default)
        if not isinstance(v, bool):
            raise SpecError(f"{self.name(key)}: expected true or false, got {describe(v)}")
        return v

    def string(self, key: str, default: str, choices: tuple[str, ...] | None = None, max_len: int = 500) -> str:
        v = self.raw(key, default)
        name = self.name(key)
        if not isinstance(v, str):
            raise SpecError(f"{name}: expected a string, got {describe(v)}")
        if choices is not None and v not in choices:
            raise SpecError(f"{name}: {v!r} is not one of {', '.join(choices)}")
        if len(v) > max_len:
            raise SpecError(f"{name}: longer than {max_len} characters")
        return v

    def done(self) -> None:
        extra = [k for k in self.d if k not in self.used]
        if extra:
            k = str(extra[0])
            k = k if k.isprintable() else repr(k)  # a key with a newline must not break the one-line message
            allowed = ", ".join(sorted(self.used))
            raise SpecError(f"{self.name(k)}: unknown field (allowed here: {allowed})")


def describe(v: object) -> str:
    """A JSON value as a message names it: "null", "the text 'abc'", "a list", "3"."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f"the text {v[:40]!r}"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, int):
        return int_text(v)
    return repr(v)


def int_text(v: int) -> str:
    """str(v), or the size of a whole number too long for str() (over 4300 digits: only from Python, not JSON)."""
    try:
        return str(v)
    except ValueError:
        return f"a {'negative ' if v < 0 else ''}whole number with about {int(math.log10(abs(v))) + 1} digits"


def fmt(x: float) -> str:
    s = f"{x:g}"
    return s if float(s) == x else repr(x)  # :g keeps 6 digits; 0.9500001 must not print as 0.95
