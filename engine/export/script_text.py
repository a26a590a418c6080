"""How the exported Keras script writes Python: string and number literals, calls and comments as ruff formats them."""

from __future__ import annotations

import json
import textwrap

WIDTH = 88  # ruff's default line length


def py_str(text: str) -> str:
    """A double-quoted Python string literal (as ruff format writes it)."""
    return json.dumps(text, ensure_ascii=False)


def number(value: float) -> str:
    """A float literal that reads back as the same float."""
    return repr(float(value))


def call(indent: int, head: str, args: list[str], tail: str = ")", width: int = WIDTH) -> list[str]:
    """``head(arg, arg)tail`` on one line if it fits in ``width``, else one argument a line (ruff's style)."""
    pad = " " * indent
    one = f"{pad}{head}{', '.join(args)}{tail}"
    if len(one) <= width:
        return [one]
    return [f"{pad}{head}", *(f"{pad}    {a}," for a in args), f"{pad}{tail}"]


def comment(indent: int, text: str, width: int = WIDTH) -> list[str]:
    """A ``# comment`` wrapped to ``width`` columns at ``indent``."""
    pad = " " * indent
    return textwrap.wrap(text.removeprefix("# "), width, initial_indent=pad + "# ", subsequent_indent=pad + "# ",
                         break_long_words=False, break_on_hyphens=False)
