"""The window's end of the engine process (engine/live/engine_process.py): commands out, news in, a mirror kept.

:class:`EngineProcess` has the same face as a :class:`~engine.live.live_engine.LiveEngine` (``send``,
``take_updates``, ``take_study``, ``take_events``, ``stop``…), so the window's worker (gui/training_worker.py) uses
either. A receiver thread reads the engine's news and keeps what the window will ask for: every metrics row of the
current run, the latest snapshot, the status, the study (engine/live/study_delta.py). This process never imports
TensorFlow.

When the engine process ends by itself (a crash inside TensorFlow, a kill), the mirror keeps the experiment and the
run's curves, the status says what happened, and the next command that needs a model (Play, Step, Reset, an edit, a
study) starts a fresh engine: it loads the last experiment and replays the settings (speed, TensorBoard folder,
trainings at once), its run ids going on from the last one.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading

from engine.live.partial_files import partial_save_path
from engine.live.study_delta import StudyMirror
from engine.live.vocabulary import Command, State, Status, Updates
from engine.spec import Experiment
from engine.studies.progress import StudyProgress

#: commands that need an engine: when it has ended, they start a fresh one
RESTARTING = frozenset({Command.LOAD, Command.LIVE, Command.PLAY, Command.STEP, Command.RESET, Command.STUDY})
#: settings a fresh engine is given again
REPLAYED = (Command.SPEED, Command.TENSORBOARD, Command.STUDY_JOBS)
KILL_WAIT_S = 1.0


class EngineProcess:
    def __init__(self) -> None:
        self._lock = threading.Lock()  # the mirror
        self._send_lock = threading.Lock()  # the pipe's sending end
        self._process = None
        self._conn = None
        self._closing = False
        self._dead = False
        self._sent = 0
        self._taken = 0
        self._pending = False
        self._run_id = 0
        self._rows: list[dict] = []
        self._snapshot = None
        self._status = Status()
        self._uncertainty = None
        self._landscape = None
        self._experiment: Experiment | None = None
        self._events: list[tuple[str, object]] = []
        self._study = StudyMirror()
        self._loaded: Experiment | None = None  # the last LOAD or LIVE: what a fresh engine loads
        self._settings: dict[Command, object] = {}
        self._saving: set[str] = set()
        self.starts = 0  # engine processes started (a replaced one counts)
        #: what the pipe has carried from the engine: (messages, bytes, seconds spent pickling and sending)
        self.transport = (0, 0, 0.0)

    # ---------------------------------------------------------------- the process
    def start(self) -> None:
        """Start the engine process (it imports TensorFlow at once); a no-op while one runs."""
        if self._process is not None and self._process.is_alive():
            return
        from engine.live.engine_process import serve

        ctx = multiprocessing.get_context("spawn")
        here, there = ctx.Pipe(duplex=True)
        # Not a daemon: a daemonic process may not start children, and studies start worker processes. It ends
        # with the window all the same: on "quit", or when it finds this end of the pipe closed.
        self._process = ctx.Process(target=serve, args=(there, self._run_id), name="RegLab engine")
        self._process.start()
        there.close()
        self._conn, self._closing, self._dead = here, False, False
        self.starts += 1
        threading.Thread(target=self._receive, args=(here, self._process), name="RegLab engine news",
                         daemon=True).start()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def stop(self, timeout_s: float = KILL_WAIT_S) -> bool:
        """Ask the engine to end (it finishes a file being written); after ``timeout_s`` it is killed. True when
        it ended by itself. No process is left either way."""
        process, self._closing = self._process, True
        if process is None:
            return True
        self._post(("quit",))
        process.join(timeout_s)
        ended = not process.is_alive()
        if not ended:
            process.kill()
            process.join(KILL_WAIT_S)
            self._remove_partial_saves(process.pid)
        if self._conn is not None:
            self._conn.close()
        return ended

    def forbid_writes(self) -> None:
        """(The engine process lets a file being written finish when it is told to quit.)"""

    # ---------------------------------------------------------------- commands
    def send(self, command: Command, payload=None) -> None:
        if command in (Command.LOAD, Command.LIVE):
            self._loaded = payload
        if command in REPLAYED:
            self._settings[command] = payload
        if command is Command.SAVE:
            self._saving.add(str(payload))
        if self._process is None:  # a command before start(): the engine starts for it
            self.start()
        elif self._dead and command in RESTARTING:
            self._restart(command)
        self._post(("command", command.name, payload))

    def cancel_study(self) -> None:
        self._post(("cancel_study",))

    def _post(self, message: tuple) -> None:
        with self._send_lock:
            if self._conn is None or self._dead:
                return
            try:
                self._conn.send(message)
            except (OSError, ValueError):  # the engine has gone; the receiver reports it
                return
            if message[0] == "command":
                self._sent += 1

    def _restart(self, command: Command) -> None:
        self.start()
        for setting, value in self._settings.items():
            self._post(("command", setting.name, value))
        if command not in (Command.LOAD, Command.LIVE) and self._loaded is not None:
            self._post(("command", Command.LOAD.name, self._loaded))

    # ---------------------------------------------------------------- what the engine published
    def take_updates(self, rows_seen: int, run_id: int) -> Updates:
        with self._lock:
            start = rows_seen if run_id == self._run_id else 0
            return Updates(self._run_id, self._snapshot, self._rows[start:], Status(**vars(self._status)),
                           self._uncertainty, self._landscape)

    def take_study(self) -> StudyProgress | None:
        return self._study.progress

    def take_events(self) -> list[tuple[str, object]]:
        with self._lock:
            events, self._events = self._events, []
        return events

    @property
    def commands_pending(self) -> bool:
        return self._sent > self._taken or self._pending

    @property
    def experiment(self) -> Experiment | None:
        return self._experiment

    def _receive(self, conn, process) -> None:
        while True:
            try:
                kind, news = pickle.loads(conn.recv_bytes())
            except (EOFError, OSError):
                break
            if kind == "bye":
                return
            self._apply(news)
        process.join(KILL_WAIT_S)
        if self._closing or process is not self._process:
            return
        self._remove_partial_saves(process.pid)
        self._dead = True
        message = (f"The engine process ended unexpectedly (exit code {process.exitcode}). The experiment and its "
                   "curves are kept: press Play or Reset to start a fresh engine.")
        with self._lock:
            self._status = Status(State.ERROR, self._status.epoch, 0.0, message, self._status.best_epoch)
            self._events.append(("failed", message))
            self._taken, self._pending, self._sent = 0, False, 0

    def _apply(self, news: dict) -> None:
        with self._lock:
            if "run_id" in news:
                self._run_id, self._rows = news["run_id"], []
                self._snapshot = self._uncertainty = self._landscape = None
            self._rows.extend(news.get("rows", ()))
            for name in ("snapshot", "uncertainty", "landscape", "status", "experiment"):
                if name in news:
                    setattr(self, f"_{name}", news[name])
            if "transport" in news:
                self.transport = news["transport"]
            if "taken" in news:
                self._taken, self._pending = news["taken"], news["pending"]
            for event in news.get("events", ()):
                if event[0] == "save_ended":
                    self._saving.discard(str(event[1]))
                else:
                    self._events.append(event)
        if "study" in news:
            self._study.apply(news["study"])

    def _remove_partial_saves(self, pid: int | None) -> None:
        """A model being written when the engine was killed: its partial file goes (the real path was never
        touched)."""
        for path in self._saving:
            leftover = partial_save_path(path, pid)
            if pid is not None and leftover.exists():
                os.remove(leftover)
        self._saving.clear()


_early: EngineProcess | None = None


def start_early_engine(exp: Experiment | None = None) -> None:
    """Start the engine process now, before the window is built (gui/app.py): TensorFlow's import overlaps it, and
    so does building ``exp`` (the experiment the window opens on), which the window's own first load then finds
    ready."""
    global _early
    if _early is None:
        _early = EngineProcess()
        _early.start()
        if exp is not None:
            _early.send(Command.LOAD, exp)


def take_early_engine() -> EngineProcess | None:
    """The engine started by :func:`start_early_engine` (once; None when there is none)."""
    global _early
    engine, _early = _early, None
    return engine
