"""Starts the RegLab window: a thin launcher (`create_window` builds it, `main` runs the event loop)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMainWindow

from gui.garbage import GuiThreadCollector
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


def create_window(experiment_path: str | Path | None = None) -> QMainWindow:
    """The lab window (needs a QApplication), opened on the default experiment or on a given file.

    A file that cannot be opened (missing, not JSON, from a newer RegLab, invalid) leaves the default experiment
    and shows why in the error dialog once the event loop runs.
    """
    from PySide6.QtCore import QTimer

    from engine.spec import SpecError, load_experiment
    from gui.file_actions import open_error_text
    from gui.main_window import MainWindow  # pyqtgraph and the views load here, after the display check

    if not experiment_path:
        return MainWindow()
    path = Path(experiment_path)
    try:
        exp = load_experiment(path)
    except SpecError as exc:
        window = MainWindow()
        text = open_error_text(path, exc)
        QTimer.singleShot(0, lambda: window.files.error_dialog("Could not open the experiment", text))
        return window
    window = MainWindow(exp, path=path)
    window.files.add_recent(path)
    return window


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


def application(argv: list[str]) -> tuple[QApplication, GuiThreadCollector]:
    """The QApplication (made if there is none yet), named RegLab, with Python's garbage collector moved to its
    thread (gui/garbage.py): what the window, the self-test and the window benchmarks all run in."""
    app = QApplication.instance() or QApplication(["reglab", *argv])
    app.setApplicationName("RegLab")
    collector = GuiThreadCollector(parent=app)  # reference cycles are collected on this thread only
    collector.start()
    return app, collector


def start_engine_early(exp=None) -> None:
    """Start the engine process before the window is built, so that its TensorFlow import — and the build of
    ``exp``, the experiment the window opens on — run on the other core meanwhile (gui/training_worker.py takes the
    engine up; nothing to do when the engine runs on a thread)."""
    from gui.training_worker import engine_mode

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


def main(argv: list[str]) -> int:
    reason = missing_display_reason(argv)
    if reason:
        print(
            f"RegLab needs a display: none found ({reason}). Run it on a desktop, over ssh -X, under xvfb-run, "
            "or set QT_QPA_PLATFORM=offscreen for a headless check.",
            file=sys.stderr,
        )
        return 2
    start_engine_early(opening_experiment(experiment_argument(argv)))
    app, collector = application(argv)
    window = create_window(experiment_argument(argv))
    window.show()
    code = app.exec()
    if not window.session.worker.shut_down(timeout_ms=SHUTDOWN_WAIT_MS):
        end_now(window, code)
    collector.stop()
    return code


SHUTDOWN_WAIT_MS = 100  # after the window's own wait on closing (gui/main_window.py CLOSE_WAIT_MS)


def end_now(window: QMainWindow, code: int) -> None:
    """End the process without waiting for the worker thread, which is still busy with something that cannot be
    interrupted and writes nothing (reading a CSV, importing TensorFlow, building a model): waiting could take
    seconds after the window has gone. TrainingWorker.shut_down has already let any file being written finish and
    forbidden new ones; the settings and the standard streams are flushed here. A normal interpreter exit is not
    an option: it would destroy the QThread while it runs, and Qt aborts the process ("QThread: Destroyed while
    thread is still running").
    """
    window.settings.sync()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or gone: nothing to flush
            pass
    os._exit(code)
