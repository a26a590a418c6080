"""Fixtures shared by the window tests: the whole lab window, shown, with its first run built."""

from __future__ import annotations

import pytest
from fakes import DEFAULT
from PySide6.QtCore import QSettings

from engine.spec import Experiment
from gui.run_state import State


@pytest.fixture(scope="session", autouse=True)
def gui_thread_collector(qapp):
    """As in the app (gui/app.py): reference cycles are collected on the GUI thread only, never on a worker's."""
    from gui.garbage import GuiThreadCollector

    collector = GuiThreadCollector()
    collector.start()
    yield collector
    collector.stop()


@pytest.fixture
def window(qtbot, tmp_path):
    """The default test experiment (an epoch limit far away) in a window with its own settings file."""
    from gui.main_window import MainWindow

    exp = Experiment.from_dict(DEFAULT)
    exp.training.epochs = 100_000
    w = MainWindow(exp, settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.session.state is State.READY, timeout=60000)
    yield w
    w.close()
    assert w.session.worker.stop(timeout_ms=30000)  # a build still running ends before the next test
