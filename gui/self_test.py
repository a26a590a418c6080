"""`RegLab --self-test` (or `python main.py --self-test`): proves an installed RegLab works, start to finish.

It opens the real window (on the offscreen platform when there is no display), loads the default experiment,
presses Play, trains 20 epochs through the training worker, saves a screenshot of the window and reports one JSON
line::

    {"ok": true, "window_shown_s": 0.7, "first_epoch_s": 3.1, "epochs_per_s": 180.0, "epochs": 20,
     "screenshot": "/tmp/reglab-self-test.png", "colours": 2411, "error": ""}

``window_shown_s`` counts from the start of the process (on Linux, from the kernel's record, so a packaged
app's unpacking and Python's start are included; elsewhere from main.py's first line), ``first_epoch_s`` from
Play to the first finished epoch, ``epochs_per_s`` over the epochs after the first. The exit code is 0 only if
every step worked and the screenshot is not blank. The line goes to stdout and, for windowed builds that have no
console, also to ``<screenshot>.json``. The user's settings (recent files, layout) are not touched: the window
gets its own settings file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, QTimer, qInstallMessageHandler
from PySide6.QtGui import QImage

from gui.app import application, missing_display_reason
from gui.main_window import MainWindow, default_experiment

EPOCHS = 20
TIME_LIMIT_S = 180.0
MIN_COLOURS = 50  # a painted window has thousands; a blank or black one has one or two


def process_age_s() -> float | None:
    """Seconds since this process started, from /proc (Linux); None where that is not available."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            started_ticks = int(f.read().rsplit(")", 1)[1].split()[19])  # field 22: start time after boot
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="RegLab --self-test", description=__doc__.splitlines()[0])
    parser.add_argument("--screenshot", default=str(Path(tempfile.gettempdir()) / "reglab-self-test.png"),
                        help="where to save the window's picture (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="epochs to train (default: %(default)s)")
    return parser.parse_args(argv)


def distinct_colours(image) -> int:
    """How many different colours a QImage has (a blank picture has one)."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32, count=image.width() * image.height())
    return int(len(np.unique(pixels)))


class SelfTest:
    """Drives the window from a timer: show → Play → EPOCHS epochs → screenshot → report."""

    def __init__(self, app, started_at: float, screenshot: Path, epochs: int):
        self.app, self.started_at, self.screenshot, self.epochs = app, started_at, screenshot, epochs
        self.result: dict = {"ok": False, "window_shown_s": None, "first_epoch_s": None, "epochs_per_s": None,
                             "epochs": 0, "screenshot": str(screenshot), "colours": 0, "error": ""}
        self._settings_dir = tempfile.TemporaryDirectory(prefix="reglab-self-test-")
        exp = default_experiment()
        exp.training.epochs = max(exp.training.epochs, epochs)
        exp.training.early_stopping = None  # all the epochs asked for
        settings = QSettings(str(Path(self._settings_dir.name) / "settings.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(exp, settings=settings)
        self.window.worker.failed.connect(self._fail)
        self._play_at = 0.0
        self._first_epoch_at = 0.0
        self._poll = QTimer()
        self._poll.setInterval(5)
        self._poll.timeout.connect(self._check)
        QTimer.singleShot(int(TIME_LIMIT_S * 1000), lambda: self._fail(f"not done within {TIME_LIMIT_S:.0f} s"))

    def start(self) -> None:
        self.window.show()
        QTimer.singleShot(0, self._shown)  # after the first paint

    def _shown(self) -> None:
        age = process_age_s()
        self.result["window_shown_s"] = round(age if age is not None else time.perf_counter() - self.started_at, 3)
        self._play_at = time.perf_counter()
        self.window.toggle_play()  # queued: the worker trains as soon as its model is built
        self._poll.start()

    def _check(self) -> None:
        rows = self.window.worker.take_updates(0, -1).new_rows  # everything the worker has published
        if rows and not self._first_epoch_at:
            self._first_epoch_at = time.perf_counter()
            self.result["first_epoch_s"] = round(self._first_epoch_at - self._play_at, 3)
        if len(rows) < self.epochs:
            return
        self._poll.stop()
        elapsed = time.perf_counter() - self._first_epoch_at
        self.result["epochs"] = len(rows)
        self.result["epochs_per_s"] = round((len(rows) - 1) / elapsed, 1) if elapsed > 0 else None
        self.window.toggle_play()  # pause
        QTimer.singleShot(300, self._take_screenshot)  # a few render ticks: every view has drawn a snapshot

    def _take_screenshot(self) -> None:
        image = self.window.grab().toImage()
        self.result["colours"] = colours = distinct_colours(image)
        self.screenshot.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(self.screenshot)):
            self._fail(f"could not write the screenshot {self.screenshot}")
            return
        if colours < MIN_COLOURS:
            self._fail(f"the screenshot is blank ({colours} colours)")
            return
        self.result["ok"] = True
        self._finish()

    def _fail(self, message: str) -> None:
        if not self.result["error"] and not self.result["ok"]:
            self.result["error"] = message
            self._finish()

    def _finish(self) -> None:
        self._poll.stop()
        self.window.worker.stop(timeout_ms=10_000)
        self.window.close()
        self.app.quit()


def report(result: dict, screenshot: Path) -> None:
    line = json.dumps(result)
    if sys.stdout is not None:  # a windowed build has no console
        print(line, flush=True)
    try:
        screenshot.with_suffix(".json").write_text(line + "\n", encoding="utf-8")
    except OSError:
        pass


def _qt_message(mode, context, message: str) -> None:
    """Qt's messages to stderr as usual, except the offscreen platform's note on every window (not a problem)."""
    if "propagateSizeHints" not in message and sys.stderr is not None:
        print(message, file=sys.stderr)


def main(argv: list[str], started_at: float) -> int:
    args = parse_args(argv)
    if missing_display_reason([]):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no screen: test the window off screen
    qInstallMessageHandler(_qt_message)
    app, collector = application([])
    test = SelfTest(app, started_at, Path(args.screenshot).resolve(), args.epochs)
    test.start()
    app.exec()
    collector.stop()
    report(test.result, test.screenshot)
    return 0 if test.result["ok"] else 1
