"""Worker processes for studies: each imports TensorFlow once (one op thread, as the window's run) and then trains
one job at a time for as long as the pool lives (a window keeps its pool warm from one study to the next).

Processes are started with "spawn" — a fresh interpreter, never a fork of a process that already has TensorFlow's or
Qt's threads — as on Windows and macOS, and as a PyInstaller build needs (main.py calls freeze_support()).

Messages go back on one queue: ("ready", pid, seconds to import), ("epoch", job, note), ("done", job, result),
("failed", job, exception). The parent hands a job out only when a worker is free, so stopping never leaves queued
work behind: it sets the stop event, every worker ends its job at the next epoch, and the pool is ready again.
Workers ignore Ctrl+C (the parent decides) and end on their own when the parent process is gone.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import queue
import signal
import time
from collections.abc import Sequence

from engine.studies.runner import InOrder, Job, OnEpoch, OnResult, ShouldStop, WorkerLost

#: how long a stopped job may take to reach its next epoch before its worker is ended by force
STOP_GRACE_S = 10.0
POLL_S = 0.05


def _worker_main(tasks, events, stop) -> None:
    """A worker: import TensorFlow, say so, then train jobs until told to end (None) or orphaned."""
    start = time.perf_counter()
    import engine.training.trainer  # noqa: F401  (TensorFlow, once, before the first job)

    parent = multiprocessing.parent_process()
    events.put(("ready", multiprocessing.current_process().pid, time.perf_counter() - start))

    def should_stop() -> bool:
        return stop.is_set() or (parent is not None and not parent.is_alive())

    while True:
        try:
            task = tasks.get(timeout=0.5)
        except queue.Empty:
            if parent is not None and not parent.is_alive():
                return
            continue
        if task is None:
            return
        index, job = task
        try:
            result = job.fn(*job.args, on_epoch=lambda note, i=index: events.put(("epoch", i, note)),
                            should_stop=should_stop)
        except BaseException as exc:  # noqa: BLE001  (every failure goes back to the parent, which decides)
            events.put(("failed", index, _sendable(exc)))
        else:
            events.put(("done", index, result))


def _sendable(exc: BaseException) -> BaseException:
    """The exception itself when it pickles (SpecError keeps its field), else its type and message as text."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")


@contextlib.contextmanager
def _ctrl_c_ignored():
    """Children started inside inherit an ignored SIGINT (Python keeps it ignored): Ctrl+C on a terminal reaches
    the whole process group, and only the parent should act on it."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread (the window's worker thread): nothing to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class ProcessRunner:
    """``workers`` processes that train a study's jobs at the same time (engine/studies/runner.py)."""

    def __init__(self, workers: int):
        self.workers = workers
        self.processes: list = []
        self.startup_s: list[float] = []  # each worker's TensorFlow import, as it reported it
        self._checked = 0.0  # when the workers' lives were last looked at

    # ------------------------------------------------------------------ the pool

    def start(self) -> None:
        """Start the workers (they import TensorFlow in the background); a no-op while they run."""
        if self.processes and all(p.is_alive() for p in self.processes):
            return
        self.close()
        ctx = multiprocessing.get_context("spawn")
        self._tasks, self._events, self._stop = ctx.Queue(), ctx.Queue(), ctx.Event()
        with _ctrl_c_ignored():
            self.processes = [ctx.Process(target=_worker_main, args=(self._tasks, self._events, self._stop),
                                          name=f"reglab-study-{i + 1}", daemon=True) for i in range(self.workers)]
            for p in self.processes:
                p.start()
        self.startup_s = []

    def close(self, timeout: float = 1.0) -> None:
        """End every worker: asked first, then ended by force after ``timeout`` seconds. Nothing is left running."""
        if not self.processes:
            return
        for _ in self.processes:
            with contextlib.suppress(Exception):
                self._tasks.put(None)
        deadline = time.monotonic() + timeout
        for p in self.processes:
            p.join(max(0.0, deadline - time.monotonic()))
        for p in self.processes:
            if p.is_alive():
                p.kill()
                p.join(1.0)
        for q in (self._tasks, self._events):
            q.close()
            q.cancel_join_thread()  # a killed reader must not make this process wait at exit
        # Their semaphores are freed (and unregistered from multiprocessing's resource tracker) as they go: kept,
        # a process ended by Ctrl+C would leave them to the tracker, which warns about each on the terminal.
        self._tasks = self._events = self._stop = None
        self.processes = []

    def wait_ready(self, timeout: float = 120.0) -> list[float]:
        """Wait until every worker has imported TensorFlow; their import times (seconds)."""
        self.start()
        deadline = time.monotonic() + timeout
        while len(self.startup_s) < len(self.processes):
            self._take(lambda *_: None, None, None, deadline)
        return list(self.startup_s)

    # ------------------------------------------------------------------ a study

    def run(self, jobs: Sequence[Job], on_result: OnResult, on_epoch: OnEpoch | None = None,
            should_stop: ShouldStop | None = None) -> None:
        self.start()
        self._stop.clear()
        ordered = InOrder(on_result)
        waiting = list(range(len(jobs)))[::-1]  # next job last
        self._busy: set[int] = set()
        self._failure: BaseException | None = None
        try:
            while (waiting and self._failure is None) or self._busy:
                while waiting and self._failure is None and len(self._busy) < len(self.processes):
                    i = waiting.pop()
                    self._busy.add(i)
                    self._tasks.put((i, jobs[i]))
                self._take(ordered.add, on_epoch, should_stop)
                if isinstance(self._failure, InterruptedError) and len(self.startup_s) < len(self.processes):
                    self.close(0)  # stopped while TensorFlow still loads: seconds to wait for, a fresh pool is as quick
                    break
        except BaseException:
            self._abandon()
            raise
        if self._failure is not None:
            raise self._failure

    def _take(self, add, on_epoch, should_stop, deadline: float | None = None) -> None:
        """Handle the next message. The stop request is looked at before every message, and the workers' lives every
        POLL_S: busy workers send epochs without a pause."""
        if should_stop is not None and self._failure is None and should_stop():
            self._failure = InterruptedError("study stopped")
            self._stop.set()
        now = time.monotonic()
        if now - self._checked >= POLL_S:
            self._checked = now
            self._check_alive()
        try:
            kind, who, payload = self._events.get(timeout=POLL_S)
        except queue.Empty:
            if deadline is not None and time.monotonic() > deadline:
                raise WorkerLost("the study's worker processes did not start") from None
            return
        if kind == "ready":
            self.startup_s.append(payload)
        elif kind == "epoch":
            if on_epoch is not None and self._failure is None:
                on_epoch(who, payload)
        elif kind == "done":
            self._busy.discard(who)
            if self._failure is None:
                add(who, payload)
        elif kind == "failed":
            self._busy.discard(who)
            if self._failure is None or isinstance(self._failure, InterruptedError) and not isinstance(
                    payload, InterruptedError):
                self._failure = payload
            self._stop.set()  # the study cannot finish: the other jobs end at their next epoch

    def _check_alive(self) -> None:
        dead = [p for p in self.processes if not p.is_alive()]
        if dead:
            codes = ", ".join(str(p.exitcode) for p in dead)
            self.close(0.2)
            raise WorkerLost(f"a study's worker process ended unexpectedly (exit code {codes}); the study stopped")

    def _abandon(self) -> None:
        """The study ends without finishing (Ctrl+C, a lost worker, a callback's error): stop the jobs in training;
        a worker that does not reach its next epoch in time is ended, and the pool with it."""
        if not self.processes:
            return
        self._stop.set()
        deadline = time.monotonic() + STOP_GRACE_S
        try:
            while getattr(self, "_busy", None) and time.monotonic() < deadline:
                try:
                    kind, who, _ = self._events.get(timeout=POLL_S)
                except queue.Empty:
                    if any(not p.is_alive() for p in self.processes):
                        break
                    continue
                if kind in ("done", "failed"):
                    self._busy.discard(who)
        except BaseException:  # a second Ctrl+C: end the workers now
            self.close(0)
            raise
        if self._busy:
            self.close(0)
        else:
            self._stop.clear()
