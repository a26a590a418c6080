"""`RegLab --self-test` (gui/self_test.py): the real window trains 20 epochs and reports one JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtGui import QColor, QImage

from gui.self_test import MIN_RATE_EPOCHS, MIN_RATE_INTERVAL_S, EpochArrivals, distinct_colours, epoch_rate, report

ROOT = Path(__file__).resolve().parents[2]

# What a windowed build (no console) starts with: no stdout, no stderr.
WINDOWED = """
import runpy, sys
sys.stdout = None
sys.stderr = None
sys.argv = ["main.py", "--self-test", "--screenshot", sys.argv[1]]
runpy.run_path("main.py", run_name="__main__")
"""


def test_self_test_in_a_windowed_build_writes_its_report_beside_the_screenshot(tmp_path):
    shot = tmp_path / "shots" / "self test.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "REGLAB_ENGINE": "process"}  # as the app runs
    proc = subprocess.run([sys.executable, "-c", WINDOWED, str(shot)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout == ""  # nothing reached the missing console
    result = json.loads(shot.with_suffix(".json").read_text(encoding="utf-8"))
    assert result["ok"] is True and result["error"] == ""
    assert result["epochs"] >= 20 and result["epochs_per_s"] > 0 and result["epochs_per_s_note"] == ""
    assert 0 < result["window_shown_s"] < 60 and 0 < result["first_epoch_s"] < 120
    assert Path(result["screenshot"]) == shot.resolve()
    image = QImage(str(shot))
    assert min(image.width(), image.height()) >= 600  # the whole window, not one of its widgets
    assert distinct_colours(image) == result["colours"] > 1000


def test_report_prints_one_json_line_and_keeps_a_copy(tmp_path, capsys):
    result = {"ok": False, "error": "the screenshot is blank (1 colours)"}
    report(result, tmp_path / "shot.png")
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and json.loads(out) == result
    assert json.loads((tmp_path / "shot.json").read_text(encoding="utf-8")) == result


def test_a_blank_picture_has_one_colour():
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    assert distinct_colours(image) == 1
    image.setPixelColor(3, 4, QColor("red"))
    assert distinct_colours(image) == 2


def test_process_age_counts_from_the_process_start():
    import time

    from gui.self_test import process_age_s

    age = process_age_s()
    if sys.platform.startswith("linux"):
        # this pytest process has been running for a while (it imported Qt and the tests) but not for hours
        assert age is not None and 0.5 < age < 6 * 3600
        time.sleep(0.05)
        assert process_age_s() >= age
    else:
        assert age is None


def test_the_rate_counts_the_epochs_after_the_first_arrival_over_the_time_since():
    # 1 epoch seen at 10.0 s, 21 by 10.2 s: 20 epochs in 0.2 s
    assert epoch_rate((10.0, 1), (10.2, 21)) == (pytest.approx(100.0), "")
    # the first look already saw 4 epochs: only the 16 after them count, over 0.5 s
    assert epoch_rate((3.0, 4), (3.5, 20)) == (pytest.approx(32.0), "")


def test_epochs_that_arrive_together_give_no_rate():
    # what once printed 1060659.6 epochs/s: 20 epochs seen within 18 µs of each other
    rate, note = epoch_rate((7.0, 1), (7.000018, 20))
    assert rate is None and note == "19 epochs arrived within 0.0 ms; a rate needs at least 50 ms"
    rate, note = epoch_rate((7.0, 20), (7.0, 20))  # all at one look
    assert rate is None and note == "only 0 epochs arrived after the first 20; a rate needs at least 5"


def test_the_rate_needs_enough_epochs_and_time():
    assert (MIN_RATE_EPOCHS, MIN_RATE_INTERVAL_S) == (5, 0.05)
    assert epoch_rate((1.0, 1), (2.0, 5)) == (None, "only 4 epochs arrived after the first 1; a rate needs at least 5")
    assert epoch_rate((1.0, 1), (1.049, 6)) == (None, "5 epochs arrived within 49.0 ms; a rate needs at least 50 ms")
    assert epoch_rate((1.0, 1), (1.0625, 6)) == (pytest.approx(80.0), "")  # 5 epochs in 62.5 ms


class GrowingWorker:
    """Stands in for the training worker: rows appear when the test adds them."""

    def __init__(self):
        self.rows: list[dict] = []
        self.lock = threading.Lock()

    def take_updates(self, rows_seen, run_id):
        with self.lock:
            return SimpleNamespace(new_rows=list(self.rows))

    def add(self, count: int) -> None:
        with self.lock:
            self.rows += [{} for _ in range(count)]


def test_arrivals_are_timed_by_their_own_thread(qtbot):
    worker = GrowingWorker()
    arrivals = EpochArrivals(worker)
    arrivals.start()
    try:
        assert arrivals.span() == (None, None)
        worker.add(1)
        qtbot.waitUntil(lambda: arrivals.span()[1] is not None, timeout=5000)
        worker.add(2)
        qtbot.waitUntil(lambda: arrivals.span()[1][1] == 3, timeout=5000)
        worker.rows.clear()  # a new run starts with no rows: the count of the last arrival stays
        qtbot.wait(20)
        first, last = arrivals.span()
        assert first[1] == 1 and last[1] == 3 and first[0] < last[0]
    finally:
        arrivals.stop()
    assert not arrivals.is_alive()
