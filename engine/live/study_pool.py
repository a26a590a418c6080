"""The live engine's study processes: a warm pool of trainings for as long as the window is open.

With "Studies ▸ Trainings at once" above 1, every study the window runs (compare, cross-validation, sweeps, the
regularization path) hands its trainings to an engine.studies.process_pool.ProcessRunner of that many processes.
Each process imports TensorFlow once (seconds), so the pool is started on the first study — or as soon as the
setting changes — and kept from one study to the next. At 1 there is no pool: studies train in the engine's own
thread, as the live run does, with the same numbers.

Threads: the engine's loop runs the studies (:meth:`StudyPool.for_study`) and changes the setting
(:meth:`StudyPool.set_jobs`, a command from the window). A pool changed while a study uses it is changed when the
next study begins.
Idle workers are ended by force (:meth:`StudyPool.close`): they hold nothing to save, and a clean exit waits for
TensorFlow's own teardown (about 1.6 s each on a 2-core machine) where a kill takes milliseconds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from engine.studies.process_pool import ProcessRunner


def running(runner: ProcessRunner | None) -> bool:
    """The pool's processes are started and none has ended."""
    return runner is not None and bool(runner.processes) and all(p.is_alive() for p in runner.processes)


class StudyPool:
    """How many trainings a study runs at once, and the processes that run them when that is more than one."""

    def __init__(self, jobs: int = 1, on_starting: Callable[[int], None] | None = None) -> None:
        """``jobs``: 1 until the window applies its setting (gui/studies/trainings_at_once.py), so that an engine
        made without a window trains its studies in its own thread. ``on_starting(n)``: n training processes are
        being started (each loads TensorFlow: seconds)."""
        self._on_starting = on_starting
        self._lock = threading.Lock()
        self._jobs = jobs
        self._runner: ProcessRunner | None = None
        self._in_study = False

    @property
    def jobs(self) -> int:
        """Trainings at once for the next study (1: on the engine's own thread)."""
        return self._jobs

    @property
    def in_study(self) -> bool:
        """A study is using the pool (a new setting then applies from the next study)."""
        return self._in_study

    @property
    def processes(self) -> list:
        """The pool's worker processes (multiprocessing.Process), empty without a pool."""
        with self._lock:
            return list(self._runner.processes) if self._runner is not None else []

    def set_jobs(self, jobs: int, warm: bool = True) -> None:
        """Trainings at once from the next study on. ``warm``: start the processes now (unless a study is using
        the pool: then when the next one begins), so that the next study need not wait for them."""
        with self._lock:
            self._jobs = jobs
            if self._in_study or not warm:
                return
            started = self._fit()
        if started and self._on_starting is not None:
            self._on_starting(started)

    @contextmanager
    def for_study(self) -> Iterator[ProcessRunner | None]:
        """The runner for one study (None: train in this thread), the pool started or resized as the setting
        says; the setting may change meanwhile, and the pool follows at the next study."""
        with self._lock:
            started = self._fit()
            runner = self._runner
            self._in_study = True
        if started and self._on_starting is not None:
            self._on_starting(started)
        try:
            yield runner
        finally:
            with self._lock:
                self._in_study = False

    def close(self) -> None:
        """End the pool's processes (the window closes): nothing is left running."""
        with self._lock:
            runner, self._runner = self._runner, None
        self._end(runner)

    def _fit(self) -> int:
        """(Under the lock.) Make the pool match the setting: a pool of another size is ended, a missing one
        started; the processes started."""
        if self._runner is not None and self._runner.workers != self._jobs:
            self._end(self._runner)
            self._runner = None
        if self._jobs == 1:
            return 0
        if self._runner is None:
            self._runner = ProcessRunner(self._jobs)
        if running(self._runner):
            return 0
        self._runner.start()
        return self._jobs

    @staticmethod
    def _end(runner: ProcessRunner | None) -> None:
        if runner is not None:
            runner.close(timeout=0)  # idle: nothing to finish (see the module's note)
