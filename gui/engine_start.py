"""What the window's start needs before Qt loads (no Qt here): is there a display, which experiment opens, and the
engine process started on it — main.py calls :func:`start_for_window` before importing the window, so TensorFlow's
import in the engine overlaps even Qt's own loading."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from gui.qt_options import QT_OPTIONS_WITH_VALUE

# Qt platforms that draw without a display server.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"})


def missing_display_reason(
    argv: list[str], environ: Mapping[str, str] = os.environ, platform: str = sys.platform
) -> str | None:
    """Why Qt would find no display to open a window on (Linux only), or None when it can start.

    Qt itself aborts with a core dump in that case; we would rather say what to do.
    """
    if not platform.startswith("linux"):
        return None
    requested = environ.get("QT_QPA_PLATFORM", "")
    if "-platform" in argv[:-1]:
        requested = argv[argv.index("-platform") + 1]
    # A list of fallbacks ("wayland;xcb") and plugin options ("vnc:size=800x600") are both allowed.
    names = {part.split(":", 1)[0].strip() for part in requested.split(";") if part.strip()}
    if names & HEADLESS_PLATFORMS:
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return "WAYLAND_DISPLAY is not set" if names == {"wayland"} else "DISPLAY is not set"


def experiment_argument(argv: list[str]) -> str | None:
    """The experiment file given on the command line (the first argument that is not a Qt option)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg.split("=", 1)[0] in QT_OPTIONS_WITH_VALUE and "=" not in arg
        else:
            return arg
    return None


def engine_mode() -> str:
    """"process" (the product) or "thread" (REGLAB_ENGINE=thread: the test suite, and a fallback)."""
    return "thread" if os.environ.get("REGLAB_ENGINE", "").strip().lower() == "thread" else "process"


def start_engine_early(exp=None) -> None:
    """Start the engine process before the window is built, so that its TensorFlow import — and the build of
    ``exp``, the experiment the window opens on — run on the other core meanwhile (gui/training_worker.py takes the
    engine up; nothing to do when the engine runs on a thread)."""
    if engine_mode() == "process":
        from engine.live.engine_link import start_early_engine

        start_early_engine(exp)


def opening_experiment(path: str | None):
    """The experiment the window opens on: the file's, else the default preset (a bad file: the default, as
    create_window does)."""
    from engine.spec import SpecError, load_experiment
    from gui.presets import default_experiment

    if path:
        try:
            return load_experiment(path)
        except SpecError:
            pass
    return default_experiment()


def start_for_window(argv: list[str]) -> None:
    """The engine process for the window ``argv`` opens (nothing without a display: the window will not open)."""
    if missing_display_reason(argv) is None:
        start_engine_early(opening_experiment(experiment_argument(argv)))
