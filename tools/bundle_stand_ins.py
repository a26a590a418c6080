"""PyInstaller runtime hook (RegLab.spec): empty stand-ins for the TensorFlow extension modules that the desktop app
leaves out (tools/slim_bundle.py says which and why).

``import tensorflow`` imports these modules although RegLab never calls them, so a missing file would stop TensorFlow
from loading at all. A stand-in is found only after every real module finder has failed (it is appended to
``sys.meta_path``), so a build that still holds the real file uses it. Using anything from a stand-in raises an
AttributeError that names what the app leaves out.
"""

import importlib.abc
import importlib.machinery
import sys
import types

# module name → what it is, as the error names it
STAND_INS = {
    "tensorflow.python.profiler.internal._pywrap_profiler_plugin":
        "TensorFlow's remote profiler client (tf.profiler.experimental.client)",
}


class LeftOutModule(types.ModuleType):
    """A module whose every attribute, but the module's own, is missing with a reason."""

    def __getattr__(self, name: str):
        raise AttributeError(f"{self.__name__}.{name}: {STAND_INS[self.__name__]} is not part of RegLab's desktop "
                             "app (tools/slim_bundle.py)")


class StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        return importlib.machinery.ModuleSpec(name, self) if name in STAND_INS else None

    def create_module(self, spec):
        return LeftOutModule(spec.name)

    def exec_module(self, module) -> None:
        pass


def install() -> None:
    if not any(isinstance(finder, StandInFinder) for finder in sys.meta_path):
        sys.meta_path.append(StandInFinder())


if getattr(sys, "frozen", False):
    install()
