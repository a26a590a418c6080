"""The lesson being taught: its title, the short explanation, what to look at, and its study button.

A lesson is an experiment file with a ``lesson`` block (resources/presets/lessons/). Opening one from the
Lessons menu loads its experiment and shows this panel; in presentation mode (F11) it is the one panel
left beside the views, in large type.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from engine.spec import Experiment, SpecError, load_experiment
from gui.plotting.plot_style import scaled_font, white_background

LESSONS = Path(__file__).resolve().parents[2] / "resources" / "presets" / "lessons"
STUDY_BUTTONS = {"sweep": "Run the sweep", "cv": "Run the cross-validation", "compare": "Run the comparison",
                 "path": "Run the path"}


def lesson_files() -> list[tuple[str, Path]]:
    """(title, path) of every lesson, in teaching order (the files are numbered)."""
    out = []
    for path in sorted(LESSONS.glob("*.json")):
        try:
            exp = load_experiment(path)
        except SpecError:
            continue
        if exp.lesson is not None:
            out.append((exp.lesson.title, path))
    return out


class LessonPanel(QWidget):
    run_study = Signal(dict)  # the lesson's study block, when its button is pressed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._study: dict | None = None
        self._zoom = 1.0
        self.title = QLabel()
        self.text = QLabel()
        self.look_at = QLabel()
        for label in (self.title, self.text, self.look_at):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.study_button = QPushButton()
        self.study_button.clicked.connect(lambda: self._study and self.run_study.emit(dict(self._study)))
        layout = QVBoxLayout(self)
        for widget in (self.title, self.text, self.look_at, self.study_button):
            layout.addWidget(widget)
        layout.addStretch(1)
        white_background(self)
        self.show_experiment(None)
        self.set_zoom(1.0)

    def show_experiment(self, exp: Experiment | None) -> None:
        lesson = exp.lesson if exp is not None else None
        if lesson is None:
            self.title.setText("No lesson")
            self.text.setText("Pick one from the Lessons menu: each loads an experiment that shows one idea.")
            self.look_at.setText("")
            self._study = None
        else:
            self.title.setText(lesson.title)
            self.text.setText(lesson.text)
            self.look_at.setText(f"<b>Look at:</b> {lesson.look_at}")
            self._study = lesson.study
        self.study_button.setVisible(self._study is not None)
        if self._study is not None:
            self.study_button.setText(STUDY_BUTTONS.get(self._study.get("kind"), "Run the study"))

    def set_zoom(self, factor: float) -> None:
        self._zoom = factor
        body = scaled_font(factor * 1.05)
        heading = scaled_font(factor * 1.35)
        heading.setBold(True)
        self.title.setFont(heading)
        for widget in (self.text, self.look_at, self.study_button):
            widget.setFont(body)
