"""Starts the RegLab window: a thin launcher (`create_window` builds it, `main` runs the event loop)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMainWindow

from gui.engine_start import (  # noqa: F401  (importable from here)
    HEADLESS_PLATFORMS,
    experiment_argument,
    missing_display_reason,
    opening_experiment,
    start_engine_early,
)
from gui.garbage import GuiThreadCollector


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


def application(argv: list[str]) -> tuple[QApplication, GuiThreadCollector]:
    """The QApplication (made if there is none yet), named RegLab, with Python's garbage collector moved to its
    thread (gui/garbage.py): what the window, the self-test and the window benchmarks all run in."""
    app = QApplication.instance() or QApplication(["reglab", *argv])
    app.setApplicationName("RegLab")
    collector = GuiThreadCollector(parent=app)  # reference cycles are collected on this thread only
    collector.start()
    return app, collector


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
