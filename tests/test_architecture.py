"""The architecture boundary, checked on the syntax tree: engine/ has no Qt, gui/ has no TensorFlow/Keras."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

QT_MODULES = frozenset({"PySide6", "PyQt5", "PyQt6", "pyqtgraph", "qtpy", "shiboken6"})
TF_MODULES = frozenset({"tensorflow", "keras", "tf_keras"})
IMPORT_FUNCTIONS = frozenset({"__import__", "import_module"})  # __import__("x"), importlib.import_module("x")


def forbidden_imports(source: str, forbidden: frozenset[str], filename: str = "<string>") -> list[tuple[int, str]]:
    """(line, module) for every import of a top-level package in `forbidden`, wherever it stands in the file."""
    hits = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module] if node.module and node.level == 0 else []
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) in IMPORT_FUNCTIONS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        else:
            continue
        hits += [(node.lineno, name) for name in names if name.split(".")[0] in forbidden]
    return hits


def violations(package: str, forbidden: frozenset[str]) -> list[str]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/: the scan would prove nothing"
    return [
        f"{path.relative_to(ROOT)}:{line}: imports {name}"
        for path in files
        for line, name in forbidden_imports(path.read_text(encoding="utf-8"), forbidden, str(path))
    ]


def test_engine_imports_no_qt():
    assert violations("engine", QT_MODULES) == []


def test_gui_imports_no_tensorflow_or_keras():
    assert violations("gui", TF_MODULES) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import pyqtgraph as pg\n", [(1, "pyqtgraph")]),
        ("import numpy, PySide6.QtCore\n", [(1, "PySide6.QtCore")]),
        ("from PyQt6.QtWidgets import QWidget\n", [(1, "PyQt6.QtWidgets")]),
        ("def f():\n    from shiboken6 import isValid\n", [(2, "shiboken6")]),
        ("import importlib\nqt = importlib.import_module('qtpy')\n", [(2, "qtpy")]),
        ("m = __import__('PyQt5')\n", [(1, "PyQt5")]),
        # Not Qt: a name that only starts the same way, a relative import, and a string.
        ("import pyqtgraphics\nfrom . import pyqtgraph\nx = 'import pyqtgraph'\n", []),
    ],
)
def test_scanner_reports_qt_imports(source, expected):
    assert forbidden_imports(source, QT_MODULES) == expected


def test_scanner_reports_keras_imports():
    assert forbidden_imports("import os\nfrom keras import layers\nimport tensorflow as tf\n", TF_MODULES) == [
        (2, "keras"),
        (3, "tensorflow"),
    ]


def test_engine_spec_loads_no_heavy_modules():
    """The GUI reads engine.spec at start-up; it must not pay for TensorFlow, scikit-learn or pandas."""
    heavy = ["tensorflow", "keras", "sklearn", "pandas", "PySide6"]
    code = f"import json, sys, engine.spec; print(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
