"""The launcher: the window builds and paints headless, and a missing display gives one clear line, not a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui.app import create_window, missing_display_reason

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
    assert window.worker.stop(timeout_ms=30000)


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
