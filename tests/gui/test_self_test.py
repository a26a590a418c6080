"""`RegLab --self-test` (gui/self_test.py): the real window trains 20 epochs and reports one JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QColor, QImage

from gui.self_test import distinct_colours, report

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
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", WINDOWED, str(shot)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout == ""  # nothing reached the missing console
    result = json.loads(shot.with_suffix(".json").read_text(encoding="utf-8"))
    assert result["ok"] is True and result["error"] == ""
    assert result["epochs"] >= 20 and result["epochs_per_s"] > 0
    assert 0 < result["window_shown_s"] < 60 and 0 < result["first_epoch_s"] < 120
    assert Path(result["screenshot"]) == shot.resolve()
    image = QImage(str(shot))
    assert image.width() >= 800 and distinct_colours(image) == result["colours"] > 1000


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
