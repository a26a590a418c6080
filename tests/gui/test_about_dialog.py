"""Help ▸ About (gui/about_dialog.py): RegLab's version from pyproject.toml, the Keras and TensorFlow versions, the
licences and the lessons' folder, read without importing TensorFlow or Keras."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from PySide6.QtWidgets import QMainWindow

from gui.about_dialog import AboutDialog, about_facts, add_help_menu
from gui.panels.lesson_panel import LESSONS, lesson_files

ROOT = Path(__file__).resolve().parents[2]


def test_the_facts_are_the_installed_versions_and_the_lessons_folder():
    facts = about_facts()
    assert facts["RegLab"] == tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert facts["Keras"] == metadata.version("keras")
    assert facts["TensorFlow"] == metadata.version("tensorflow-cpu" if sys.platform != "darwin" else "tensorflow")
    assert facts["Keras's licence"] == metadata.metadata("keras")["License"]
    assert facts["RegLab's licence"]  # stated, or said to be missing: never blank
    assert facts["Lessons"] == f"{len(lesson_files())} lessons in the Lessons menu, from {LESSONS}"
    assert len(lesson_files()) > 10 and LESSONS.is_dir()


def test_the_dialog_shows_every_fact(qtbot):
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    text = dialog.label.text()
    for name, value in dialog.facts.items():
        assert name.replace("'", "&#x27;") in text
        assert value.replace("'", "&#x27;") in text


def test_help_about_opens_the_dialog_from_the_menu(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    add_help_menu(window.menuBar(), window)
    help_menu = window.menuBar().actions()[-1]
    assert help_menu.text() == "&Help"
    about = help_menu.menu().actions()[0]
    assert about.text() == "&About RegLab"
    about.trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.facts["Keras"] == metadata.version("keras")
    dialog.accept()


def test_the_facts_are_read_without_importing_tensorflow_or_keras():
    code = ("import json, sys; from gui.about_dialog import about_facts; about_facts(); "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
