"""Run Python code in a subprocess where RegLab cannot be imported, as for a user who only has Keras.

The project is pip-installed (editable) in the venv, so dropping PYTHONPATH is not enough: an import hook refuses
RegLab's packages, and the code checks that they really are hidden before it runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

HIDE_REGLAB = textwrap.dedent("""
    import importlib.abc, importlib.util, sys

    class NoRegLab(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("engine", "gui", "main"):
                raise ImportError(f"{name} is RegLab code")

    sys.meta_path.insert(0, NoRegLab())
    try:
        importlib.util.find_spec("engine")
        raise SystemExit("RegLab is still importable")
    except ImportError:
        pass
""")


def python_without_reglab(code: str, *args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``code`` (dedented) with ``args`` in ``sys.argv[1:]``; stdout and stderr captured as text."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", HIDE_REGLAB + textwrap.dedent(code), *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=timeout)
