"""Studies ▸ Trainings at once: how many networks a study trains at the same time, each in its own process.

A choice from 1 to the machine's cores, kept in the window's settings (QSettings, key :data:`SETTING`); the
default, engine.studies.runner.default_jobs(window_open=True), leaves one core to the window. The choice goes to
the engine's study pool (engine/live/study_pool.py), which starts that many processes at once (1: none, the studies
train in the engine's own thread, one network at a time).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from engine.studies.runner import default_jobs

SETTING = "studies/trainings_at_once"
TIP = ("Studies train this many networks at the same time, each in its own process; by default one core is left to "
       "the window (cores − 1, at least 1). A study's numbers are the same at any setting")


def cores() -> int:
    return os.cpu_count() or 1


def saved_jobs(settings: QSettings) -> int:
    """The saved choice; the default when there is none, or when it is not a whole number from 1 to the cores
    (a settings file from a bigger machine, or edited by hand)."""
    value = settings.value(SETTING)
    try:
        jobs = int(value)
    except (TypeError, ValueError):
        return default_jobs(window_open=True)
    return jobs if 1 <= jobs <= cores() else default_jobs(window_open=True)


def starting_message(processes: int) -> str:
    return (f"Starting {processes} training processes for studies: each loads TensorFlow (a few seconds), then they "
            "stay ready for every study while the window is open")


class TrainingsAtOnce(QObject):
    """The submenu (:attr:`menu`) and the setting behind it; the engine's study pool follows the choice."""

    def __init__(self, parent: QWidget, settings: QSettings, worker, in_study: Callable[[], bool],
                 show_message: Callable[[str], None]) -> None:
        """``worker``: the window's gui.training_worker.TrainingWorker; ``in_study()``: a study is running."""
        super().__init__(parent)
        self.settings = settings
        self.worker = worker
        self.in_study = in_study
        self.show_message = show_message
        self.menu = QMenu("Trainings at once", parent)
        self.menu.setToolTipsVisible(True)
        self.menu.menuAction().setToolTip(TIP)
        self.menu.menuAction().setStatusTip(TIP)
        group = QActionGroup(self)
        self.choices: dict[int, QAction] = {}
        default = default_jobs(window_open=True)
        for jobs in range(1, cores() + 1):
            action = QAction(f"{jobs}" + (" (default)" if jobs == default else ""), self.menu)
            action.setCheckable(True)
            action.setToolTip(choice_tip(jobs))
            action.setStatusTip(choice_tip(jobs))
            action.triggered.connect(lambda _checked, n=jobs: self.choose(n))
            group.addAction(action)
            self.menu.addAction(action)
            self.choices[jobs] = action
        self.jobs = saved_jobs(settings)
        self.choices[self.jobs].setChecked(True)
        worker.set_study_jobs(self.jobs, warm=False)  # the processes start with the first study, not the window
        worker.study_processes_starting.connect(lambda processes: show_message(starting_message(processes)))

    def choose(self, jobs: int) -> None:
        """Trainings at once from the next study on; saved for the next window."""
        self.choices[jobs].setChecked(True)
        self.settings.setValue(SETTING, jobs)
        if jobs == self.jobs:
            return
        self.jobs = jobs
        self.worker.set_study_jobs(jobs)  # starting processes says so (study_processes_starting)
        if self.in_study():
            self.show_message(f"From the next study on, studies train {choice_count(jobs)} at a time")
        elif jobs == 1:
            self.show_message("Studies now train one network at a time")


def choice_tip(jobs: int) -> str:
    if jobs == 1:
        return "Studies train one network at a time"
    return f"Studies train {jobs} networks at the same time, each in its own process"


def choice_count(jobs: int) -> str:
    return "one network" if jobs == 1 else f"{jobs} networks"
