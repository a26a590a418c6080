"""`RegLab --self-test` (or `python main.py --self-test`): proves an installed RegLab works, start to finish.

It opens the real window (on the offscreen platform when there is no display), loads the default experiment,
presses Play, trains at least 20 epochs in the engine process (as the window does), saves a screenshot of the window
and reports one JSON line::

    {"ok": true, "window_shown_s": 0.7, "first_epoch_s": 2.5, "epochs_per_s": 180.0, "epochs_per_s_note": "",
     "epochs": 20, "screenshot": "/tmp/reglab-self-test.png", "colours": 2411, "error": "", "engine": "process",
     "engine_pid": 4321}

``engine`` says where the engine ran ("process", or "thread" with REGLAB_ENGINE=thread); in a process, the
self-test fails if TensorFlow was loaded in the window's own process.

``window_shown_s`` counts from the start of the process (on Linux, from the kernel's record, so a packaged
app's unpacking and Python's start are included; elsewhere from main.py's first line) to the moment Qt has
exposed (painted) the window, ``first_epoch_s`` from Play to the first epoch's arrival, ``epochs_per_s`` the
epochs that arrived after the first ones divided by the time between those arrivals. Arrivals are timed by a
thread of the self-test's own that looks at the worker's rows every millisecond: the GUI thread can be busy for
seconds building the views for the first snapshot, and a timer of its own would see tens of epochs arrive at
once. Training goes on past the epochs asked for until MIN_RATE_EPOCHS epochs and MIN_RATE_INTERVAL_S seconds
separate the first arrival from the last; should the experiment end before that, ``epochs_per_s`` is null and
``epochs_per_s_note`` says why. The exit code is 0 only if every step worked and the screenshot is not blank.
The line goes to stdout and, for windowed builds that have no console, also to ``<screenshot>.json``. The user's
settings (recent files, layout) are not touched: the window gets its own settings file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, QTimer, qInstallMessageHandler
from PySide6.QtGui import QImage

from gui.app import application, missing_display_reason, start_engine_early
from gui.main_window import MainWindow
from gui.presets import default_experiment

EPOCHS = 20
TIME_LIMIT_S = 180.0
MIN_COLOURS = 50  # a painted window has thousands; a blank or black one has one or two
ARRIVAL_POLL_S = 0.001
# An arrival is seen up to one poll plus one GIL hand-over (0.5 ms, gui/training_worker.py) late, at both ends of
# the interval: over 50 ms that moves the rate by at most ~6 %; 5 epochs keep one epoch's own jitter small.
MIN_RATE_EPOCHS = 5
MIN_RATE_INTERVAL_S = 0.05


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


def epoch_rate(first: tuple[float, int], last: tuple[float, int]) -> tuple[float | None, str]:
    """Epochs per second between two arrivals, each (time in seconds, epochs done by then): the epochs that
    arrived after the first arrival over the time between the two. None and the reason when too few epochs or
    too short a time separate them to make a measurement."""
    (first_at, first_epochs), (last_at, last_epochs) = first, last
    epochs, seconds = last_epochs - first_epochs, last_at - first_at
    if epochs < MIN_RATE_EPOCHS:
        return None, (f"only {epochs} epochs arrived after the first {first_epochs}; a rate needs at least "
                      f"{MIN_RATE_EPOCHS}")
    if seconds < MIN_RATE_INTERVAL_S:
        return None, (f"{epochs} epochs arrived within {seconds * 1000:.1f} ms; a rate needs at least "
                      f"{MIN_RATE_INTERVAL_S * 1000:.0f} ms")
    return epochs / seconds, ""


class EpochArrivals(threading.Thread):
    """Times the worker's epochs as they arrive, from a thread of its own (the GUI thread's timers can be late by
    seconds): ``first`` and ``last`` are (perf_counter time, epochs done) at the first and the latest arrival."""

    def __init__(self, worker):
        super().__init__(name="RegLab self-test arrivals", daemon=True)
        self.worker = worker
        self.first: tuple[float, int] | None = None
        self.last: tuple[float, int] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.wait(ARRIVAL_POLL_S):
            epochs = len(self.worker.take_updates(0, -1).new_rows)  # every row of the current run
            now = time.perf_counter()
            with self._lock:
                if epochs and (self.last is None or epochs > self.last[1]):
                    self.first = self.first or (now, epochs)
                    self.last = (now, epochs)

    def span(self) -> tuple[tuple[float, int] | None, tuple[float, int] | None]:
        with self._lock:
            return self.first, self.last

    def stop(self) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="RegLab --self-test", description=__doc__.splitlines()[0])
    parser.add_argument("--screenshot", default=str(Path(tempfile.gettempdir()) / "reglab-self-test.png"),
                        help="where to save the window's picture (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=EPOCHS,
                        help="train at least this many epochs (default: %(default)s), more while they are too few "
                             f"or too fast to time a rate ({MIN_RATE_EPOCHS} epochs over {MIN_RATE_INTERVAL_S:g} s)")
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
                             "epochs_per_s_note": "", "epochs": 0, "screenshot": str(screenshot), "colours": 0,
                             "error": ""}
        self._settings_dir = tempfile.TemporaryDirectory(prefix="reglab-self-test-")
        exp = self_test_experiment(epochs)
        self.planned_epochs = exp.training.epochs
        settings = QSettings(str(Path(self._settings_dir.name) / "settings.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(exp, settings=settings)
        self.window.session.worker.failed.connect(self._fail)
        self.arrivals = EpochArrivals(self.window.session.worker)
        self._play_at = 0.0
        self._poll = QTimer()
        self._poll.setInterval(5)
        self._poll.timeout.connect(self._check)
        QTimer.singleShot(int(TIME_LIMIT_S * 1000), lambda: self._fail(f"not done within {TIME_LIMIT_S:.0f} s"))

    def start(self) -> None:
        self.window.show()
        QTimer.singleShot(0, self._shown)

    def _shown(self) -> None:
        handle = self.window.windowHandle()
        if handle is None or not handle.isExposed():  # shown, not yet on screen: Qt paints it on its expose event
            QTimer.singleShot(5, self._shown)
            return
        age = process_age_s()
        self.result["window_shown_s"] = round(age if age is not None else time.perf_counter() - self.started_at, 3)
        self._play_at = time.perf_counter()
        self.arrivals.start()
        self.window.toggle_play()  # queued: the worker trains as soon as its model is built
        self._poll.start()

    def _check(self) -> None:
        first, last = self.arrivals.span()
        if last is None or last[1] < self.epochs:
            return
        rate, note = epoch_rate(first, last)
        if rate is None and last[1] < self.planned_epochs:
            return  # too few epochs, or too fast, to time: train on
        self._poll.stop()
        self.result.update(first_epoch_s=round(first[0] - self._play_at, 3), epochs=last[1],
                           epochs_per_s=None if rate is None else round(rate, 1), epochs_per_s_note=note)
        if last[1] < self.planned_epochs:  # a finished run has stopped by itself; Play would start it again
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
        engine = self.window.session.worker.engine
        self.result["engine"] = "thread" if self.window.session.worker.in_process else "process"
        if self.result["engine"] == "process" and "tensorflow" in sys.modules:
            self._fail("TensorFlow was loaded in the window's process (the engine should have it alone)")
            return
        self.result["engine_pid"] = getattr(engine, "pid", None)
        self.result["ok"] = True
        self._finish()

    def _fail(self, message: str) -> None:
        if not self.result["error"] and not self.result["ok"]:
            self.result["error"] = message
            self._finish()

    def _finish(self) -> None:
        self._poll.stop()
        self.arrivals.stop()
        self.window.session.stop(timeout_ms=10_000)
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


def self_test_experiment(epochs: int):
    """The default experiment, for at least ``epochs`` epochs and without early stopping (all the epochs asked for)."""
    exp = default_experiment()
    exp.training.epochs = max(exp.training.epochs, epochs)
    exp.training.early_stopping = None
    return exp


def main(argv: list[str], started_at: float) -> int:
    args = parse_args(argv)
    if missing_display_reason([]):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no screen: test the window off screen
    qInstallMessageHandler(_qt_message)
    start_engine_early(self_test_experiment(args.epochs))  # as the window's start does: built while it shows
    app, collector = application([])
    test = SelfTest(app, started_at, Path(args.screenshot).resolve(), args.epochs)
    test.start()
    app.exec()
    collector.stop()
    report(test.result, test.screenshot)
    return 0 if test.result["ok"] else 1
