"""The study runner: a study's independent trainings, handed out to whatever trains them.

A study (compare, K-fold cross-validation, sweeps, the regularization path) is many trainings that do not depend on
one another. It describes each as a :class:`Job` — a module-level function of engine.studies.trainings and its
arguments, so that it pickles — and gives the list to a runner:

- :class:`SerialRunner` trains them one after another in this process (``--jobs 1``);
- :class:`~engine.studies.process_pool.ProcessRunner` on N worker processes, each with its own TensorFlow;
- :class:`~engine.studies.ray_runner.RayRunner` on a Ray cluster (``--backend ray``);

engine/studies/choose_runner.py makes the one the settings ask for.

A job's numbers depend only on its arguments (each training seeds itself from its own spec, and loads its data from
it), so they are the same whichever runner trains it and in whatever order the jobs finish; every runner hands the
results back in the jobs' order, so the files a study writes are the same too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

#: a job's progress after each of its epochs: (job index, what the job reported — its metrics row, or for compare
#: its snapshot)
OnEpoch = Callable[[int, Any], None]
OnResult = Callable[[int, Any], None]  # (job index, its result), in the jobs' order
ShouldStop = Callable[[], bool]


@dataclass(frozen=True)
class Job:
    """One training of a study: ``fn(*args, on_epoch=…, should_stop=…)`` returns its result."""

    fn: Callable
    args: tuple


class WorkerLost(RuntimeError):
    """A worker process (or Ray worker) ended while it trained a job: the study cannot finish."""


class Runner(Protocol):
    workers: int  # trainings at once

    def run(self, jobs: Sequence[Job], on_result: OnResult, on_epoch: OnEpoch | None = None,
            should_stop: ShouldStop | None = None) -> None:
        """Train every job; ``on_result`` in the jobs' order. ``should_stop`` True ends the study with
        InterruptedError (nothing of a job in training is reported); a job's exception ends it with that
        exception, after the others are stopped."""


class SerialRunner:
    """Every job in this process, one after another, on the calling thread."""

    workers = 1

    def run(self, jobs: Sequence[Job], on_result: OnResult, on_epoch: OnEpoch | None = None,
            should_stop: ShouldStop | None = None) -> None:
        for i, job in enumerate(jobs):
            each = None if on_epoch is None else (lambda note, i=i: on_epoch(i, note))
            on_result(i, job.fn(*job.args, on_epoch=each, should_stop=should_stop))

    def close(self) -> None:
        pass


class InOrder:
    """Results as they finish in, the jobs' order out: ``add`` holds a result until every earlier one is in."""

    def __init__(self, on_result: OnResult):
        self.on_result = on_result
        self.next = 0
        self.waiting: dict[int, Any] = {}

    def add(self, i: int, result: Any) -> None:
        self.waiting[i] = result
        while self.next in self.waiting:
            self.on_result(self.next, self.waiting.pop(self.next))
            self.next += 1


def default_jobs(window_open: bool = False) -> int:
    """One training per core; with the window open, one core is left to it (and at least one training)."""
    cores = os.cpu_count() or 1
    return max(1, cores - 1) if window_open else cores
