"""The launcher: the window builds and paints headless, opens a file given on the command line (a bad one: the
default experiment and the reason), and a missing display gives one clear line, not a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import DEFAULT
from PySide6.QtWidgets import QApplication

import gui.app
from engine.spec import load_experiment
from gui.app import create_window, experiment_argument, missing_display_reason

ROOT = Path(__file__).resolve().parents[2]


def test_window_is_created_and_paints(qtbot):
    window = create_window()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle().startswith("RegLab")
    pixmap = window.grab()
    assert not pixmap.isNull()
    assert pixmap.width() > 0 and pixmap.height() > 0
    window.close()
    assert window.session.worker.stop(timeout_ms=30000)


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        ([], {}, "DISPLAY is not set"),
        ([], {"QT_QPA_PLATFORM": "wayland"}, "WAYLAND_DISPLAY is not set"),
        ([], {"QT_QPA_PLATFORM": "xcb"}, "DISPLAY is not set"),
        ([], {"DISPLAY": ":0"}, None),
        ([], {"WAYLAND_DISPLAY": "wayland-0"}, None),
        ([], {"QT_QPA_PLATFORM": "offscreen"}, None),
        ([], {"QT_QPA_PLATFORM": "vnc:size=800x600"}, None),
        ([], {"QT_QPA_PLATFORM": "wayland;minimal"}, None),
        (["-platform", "offscreen"], {}, None),
    ],
)
def test_missing_display_reason(argv, environ, expected):
    assert missing_display_reason(argv, environ, "linux") == expected


def test_no_display_check_off_linux():
    assert missing_display_reason([], {}, "darwin") is None
    assert missing_display_reason([], {}, "win32") is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is for Linux")
def test_main_without_display_exits_2_with_one_line():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("RegLab needs a display: none found (DISPLAY is not set).")
    assert "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert "Traceback" not in result.stderr


def _close(qtbot, window) -> None:
    window.close()
    assert window.session.worker.stop(timeout_ms=30000)


def test_create_window_opens_a_file(qtbot, tmp_path):
    path = tmp_path / "lab.json"
    path.write_text(json.dumps({**DEFAULT, "name": "From the command line"}), encoding="utf-8")
    window = create_window(str(path))
    qtbot.addWidget(window)
    assert window.document.exp.to_dict() == load_experiment(path).to_dict()
    assert window.session.path == path.resolve()
    assert window.windowTitle() == "RegLab — lab.json"
    assert window.files.recent_files()[0] == path.resolve()
    _close(qtbot, window)


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "no such file"), ("not json", "not valid JSON"), (json.dumps({**DEFAULT, "reglab": 2}), "newer RegLab"),
     (json.dumps({**DEFAULT, "network": {"hidden": [{"units": 0}]}}), "network.hidden[0].units")],
    ids=["missing", "corrupt", "newer", "invalid"],
)
def test_create_window_with_a_bad_file_opens_the_default_and_says_why(qtbot, tmp_path, content, expected):
    from gui.session import default_experiment

    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    window = create_window(path)
    qtbot.addWidget(window)
    assert window.document.exp.to_dict() == default_experiment().to_dict() and window.session.path is None
    # the dialog comes once the event loop runs (offscreen: it cannot block, it goes to the status bar)
    qtbot.waitUntil(lambda: window.files.last_dialog is not None, timeout=5000)
    title, text = window.files.last_dialog
    assert title == "Could not open the experiment" and "bad.json" in text and expected in text
    assert expected in window.statusBar().currentMessage()
    _close(qtbot, window)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [([], None), (["my.json"], "my.json"), (["-platform", "offscreen", "my.json"], "my.json"),
     (["-platform", "offscreen"], None), (["-style=fusion", "exp"], "exp"),
     (["--reverse", "a.json", "b.json"], "a.json")],
)
def test_experiment_argument(argv, expected):
    assert experiment_argument(argv) == expected


def test_main_opens_the_file_given(qtbot, tmp_path, monkeypatch):
    """`python main.py lab.json` (and the `reglab` command): main → gui.app.main → the window on that file."""
    import main as entry

    path = tmp_path / "lab.json"
    path.write_text(json.dumps({**DEFAULT, "name": "Given"}), encoding="utf-8")
    made = []
    real_create = gui.app.create_window

    def create(experiment_path=None):
        window = real_create(experiment_path)
        qtbot.addWidget(window)
        made.append(window)
        return window

    monkeypatch.setattr(gui.app, "create_window", create)
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)  # no event loop: return at once
    assert entry.main(["-platform", "offscreen", str(path)]) == 0
    assert [w.document.exp.name for w in made] == ["Given"] and made[0].session.path == path.resolve()
    made[0].close()
