"""Studies ▸ Trainings at once: the window's studies on a warm pool of processes (engine/live/study_pool.py), the
setting (gui/studies/trainings_at_once.py) and the study pages with several runs training at the same time."""

from __future__ import annotations

import multiprocessing
import os
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from fakes import DEFAULT
from PySide6.QtCore import QSettings
from test_study_view import cv_progress, metrics_rows, sweep_progress, view  # noqa: F401  (view: a fixture)

from engine.live.study_pool import StudyPool
from engine.spec import Experiment
from engine.studies.process_pool import ProcessRunner
from engine.studies.runner import default_jobs
from engine.studies.study import Curve
from gui.run_state import State
from gui.studies.trainings_at_once import SETTING, TIP, cores, saved_jobs, starting_message

GREEN = "#009e73"
SWEEP = ("network.hidden[*].dropout", [0.0, 0.3, 0.6])


def trainings_menu(window):
    studies = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Studies")
    return next(a.menu() for a in studies.actions() if a.text() == "Trainings at once")


def checked_choice(window) -> str:
    return next(a.text() for a in trainings_menu(window).actions() if a.isChecked())


def choose(window, jobs: int) -> None:
    next(a for a in trainings_menu(window).actions() if a.text().split()[0] == str(jobs)).trigger()


def study_done(window, kind: str) -> bool:
    progress = window.session.worker.take_study()
    return (progress is not None and progress.kind == kind and progress.done
            and window.study_view._progress is progress and window.session.state is not State.STUDY)


def run_study(qtbot, window, start, kind: str):
    start()
    qtbot.waitUntil(lambda: study_done(window, kind), timeout=120000)
    return window.session.worker.take_study()


def study_children() -> list[str]:
    """This process's children started by multiprocessing's spawn (the study workers), from /proc. The resource
    tracker multiprocessing starts beside them is not one: it serves the whole process and ends with it."""
    me = Path(f"/proc/{os.getpid()}/task")
    pids = {pid for task in me.iterdir() for pid in (task / "children").read_text().split()}
    commands = []
    for pid in pids:
        try:
            commands.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except FileNotFoundError:  # ended meanwhile
            continue
    return [c for c in commands if "spawn_main" in c]


@contextmanager
def runners_used(pool: StudyPool, monkeypatch):
    """The runner each study was given (None: in the worker's thread)."""
    used: list = []
    original = pool.for_study

    @contextmanager
    def recording():
        with original() as runner:
            used.append(runner)
            yield runner

    monkeypatch.setattr(pool, "for_study", recording)
    yield used


# ---------------------------------------------------------------------------- the window's studies


@pytest.mark.skipif(cores() < 2, reason="the menu offers 1 to the cores: one core offers no 2")
def test_two_trainings_at_once_give_the_same_tables_stop_and_close_leave_no_process(qtbot, window, monkeypatch):
    pool = window.session.worker.engine.study_pool  # the engine runs on a thread of this process in tests
    menu = trainings_menu(window)
    assert [a.text().split()[0] for a in menu.actions()] == [str(n) for n in range(1, cores() + 1)]
    qtbot.waitUntil(lambda: pool.jobs == default_jobs(window_open=True), timeout=60000)  # a command to the engine
    assert checked_choice(window).split()[0] == str(default_jobs(window_open=True))
    assert menu.menuAction().toolTip() == TIP and menu.toolTipsVisible()
    assert menu.actions()[1].toolTip() == "Studies train 2 networks at the same time, each in its own process"
    window.document.edit("Short", lambda e: setattr(e.training, "epochs", 8))
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)

    with runners_used(pool, monkeypatch) as used:
        choose(window, 1)
        one_sweep = run_study(qtbot, window, lambda: window.studies.sweep(*SWEEP), "sweep")
        one_compare = run_study(qtbot, window, window.studies.compare_classic, "compare")
        assert used == [None, None] and pool.processes == []  # in the worker's own thread

        choose(window, 2)
        assert window.settings.value(SETTING) in (2, "2")
        qtbot.waitUntil(lambda: window.statusBar().currentMessage() == starting_message(2), timeout=10000)
        workers = [p.pid for p in pool.processes]
        assert len(workers) == 2
        qtbot.waitUntil(lambda: len(study_children()) == 2, timeout=5000)  # each past its exec
        two_sweep = run_study(qtbot, window, lambda: window.studies.sweep(*SWEEP), "sweep")
        assert isinstance(used[-1], ProcessRunner) and used[-1].workers == 2
        assert two_sweep.table == one_sweep.table
        curves = {c.label: c.rows for c in two_sweep.curves}  # in the order their first epochs came
        assert curves == {c.label: c.rows for c in one_sweep.curves} and len(curves) == 3

        # A long sweep: both processes train a run at once (two curves grow), then Stop.
        window.document.edit("Long", lambda e: setattr(e.training, "epochs", 50_000))
        window.studies.sweep(*SWEEP)
        qtbot.waitUntil(lambda: (p := window.session.worker.take_study()) is not None and p.kind == "sweep"
                        and sum(len(c.rows) > 2 for c in p.curves) == 2, timeout=120000)
        page = window.study_view.sweep
        qtbot.waitUntil(lambda: page.shown == 2, timeout=10000)
        greens = [c for c in page.runs[: page.shown] if c.opts["pen"].color().name() == GREEN]
        title = page.runs_plot.titleLabel.text
        assert len(greens) == 2 and title.endswith(("green: these runs, 0 (seed 0), 0.3 (seed 0)",
                                                    "green: these runs, 0.3 (seed 0), 0 (seed 0)"))  # as they came
        asked = time.perf_counter()
        window.studies.stop_action.trigger()
        qtbot.waitUntil(lambda: window.session.state is not State.STUDY, timeout=20000)
        print(f"a parallel sweep stopped {time.perf_counter() - asked:.2f} s after Stop")
        stopped = window.session.worker.take_study()
        assert stopped.message == "Stopped" and not stopped.done and len(stopped.table) == 0
        assert [p.pid for p in pool.processes] == workers and all(p.is_alive() for p in pool.processes)

        # The same processes train the next study (compare goes to the pool too), to the same numbers.
        window.document.edit("Short", lambda e: setattr(e.training, "epochs", 8))
        qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)
        two_compare = run_study(qtbot, window, window.studies.compare_classic, "compare")
        assert used[-1] is used[-3] and [p.pid for p in pool.processes] == workers
        assert two_compare.table == one_compare.table

    window.close()
    assert window.session.worker.stop(timeout_ms=30000)
    assert multiprocessing.active_children() == [] and study_children() == []

    again = type(window)(Experiment.from_dict(DEFAULT), settings=QSettings(window.settings.fileName(),
                                                                           QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert checked_choice(again) == "2" + (" (default)" if default_jobs(window_open=True) == 2 else "")
    assert again.studies.trainings_at_once.jobs == 2  # what the engine is told when it starts
    assert again.session.worker.engine.study_pool.processes == []  # started by the first study, not by the window


def test_back_to_one_training_at_once_ends_the_pool():
    started = []
    pool = StudyPool(jobs=1, on_starting=started.append)
    with pool.for_study() as runner:
        assert runner is None and pool.in_study
    assert not pool.in_study
    pool.set_jobs(2)
    processes = pool.processes
    assert started == [2] and len(processes) == 2 and all(p.is_alive() for p in processes)
    pool.set_jobs(3, warm=False)  # recorded; the pool of 2 is resized when the next study begins
    assert pool.processes == processes
    pool.set_jobs(1)
    assert pool.processes == [] and not any(p.is_alive() for p in processes)
    with pool.for_study() as runner:
        assert runner is None
    assert started == [2] and multiprocessing.active_children() == []


@pytest.mark.parametrize("saved", [None, "0", "x", "2.5", str(cores() + 1)])
def test_a_missing_or_impossible_saved_choice_is_the_default(tmp_path, saved):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    if saved is not None:
        settings.setValue(SETTING, saved)
    assert saved_jobs(settings) == default_jobs(window_open=True)
    settings.setValue(SETTING, 1)
    assert saved_jobs(settings) == 1


# ---------------------------------------------------------------------------- the pages, several runs at once


def greens(page) -> list[int]:
    return [i for i, c in enumerate(page.runs[: page.shown]) if c.opts["pen"].color().name() == GREEN]


def test_the_sweep_marks_every_run_in_training(view):  # noqa: F811  (the fixture)
    progress = sweep_progress(runs=4, seeds=1, done=False, epochs=10)  # runs 1-3 done, run 4 training
    for i in (1, 2):  # three at once: runs 2 and 3 not done either
        progress.curves[i].done = False
        progress.table.pop()
    view.show_progress(progress)
    page = view.sweep
    assert greens(page) == [1, 2, 3]
    assert page.runs_plot.titleLabel.text.endswith("green: these runs, 0.0001 (seed 0), 0.001 (seed 0), "
                                                   "0.01 (seed 0)")
    progress.curves[1].done = progress.curves[2].done = True  # two finish: one run left in training
    view.show_progress(progress)
    assert greens(page) == [3] and page.runs_plot.titleLabel.text.endswith("green: this run, 0.01 (seed 0)")
    progress.curves.append(Curve("0.1 (seed 0)", metrics_rows(1, 0.9)))
    for curve in progress.curves:
        curve.done = False
    view.show_progress(progress)
    assert greens(page) == [0, 1, 2, 3, 4] and page.runs_plot.titleLabel.text.endswith("green: these 5 runs")


def test_cross_validation_folds_arriving_out_of_order_keep_their_colours(view):  # noqa: F811  (the fixture)
    progress = cv_progress(folds=3, finished=3)
    progress.curves[0], progress.curves[1] = progress.curves[1], progress.curves[0]  # fold 2's first epoch came first
    view.show_progress(progress)
    page = view.cv
    in_order = cv_progress(folds=3, finished=3)
    colour = {c.label: page.curves[i].opts["pen"].color().name() for i, c in enumerate(progress.curves)}
    bars = [b.color().name() for b in page.bars["rmse"].opts["brushes"]]
    assert [colour[c.label] for c in in_order.curves] == bars  # fold k's curve in fold k's bar colour
    assert len(set(bars)) == 3
    view.set_zoom(1.5)
    assert [page.curves[i].opts["pen"].color().name() for i in range(3)] == [colour[c.label] for c in progress.curves]
