"""Starts the RegLab window: a thin launcher (`create_window` builds it, `main` runs the event loop)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMainWindow

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


def create_window(experiment_path: str | None = None) -> QMainWindow:
    """The lab window (needs a QApplication), opened on the default experiment or on a given file."""
    from gui.main_window import MainWindow  # pyqtgraph and the views load here, after the display check

    window = MainWindow()
    if experiment_path:
        window.open_experiment(Path(experiment_path))
    return window


def main(argv: list[str]) -> int:
    reason = missing_display_reason(argv)
    if reason:
        print(
            f"RegLab needs a display: none found ({reason}). Run it on a desktop, over ssh -X, under xvfb-run, "
            "or set QT_QPA_PLATFORM=offscreen for a headless check.",
            file=sys.stderr,
        )
        return 2
    app = QApplication.instance() or QApplication(["reglab", *argv])
    app.setApplicationName("RegLab")
    files = [arg for arg in argv if arg.endswith(".json")]
    window = create_window(files[0] if files else None)
    window.show()
    code = app.exec()
    window.worker.stop(timeout_ms=30_000)  # a model still being built finishes before Python shuts down
    return code
