"""The live engine: the one place that trains the window's run, on a thread of its own (no Qt).

It runs in the engine process (engine/live/engine_process.py) that the window starts at launch, or — for tests and
tools that ask for it — on a thread of the window's own process (gui/training_worker.py). Commands
(:meth:`LiveEngine.send` of a :class:`~engine.live.vocabulary.Command`) go in a thread-safe queue and are handled
between epochs by their method in the dispatch table ``HANDLERS``. The engine publishes the *latest* snapshot and
the new rows of the loss history, and its :class:`~engine.live.vocabulary.Status`; whoever shows them collects them
with :meth:`take_updates` (latest wins: nothing queues per epoch). Rare events — the data set is ready, an error, a
model saved, study processes starting — are kept in order for :meth:`take_events`.

Studies (compare, K-fold cross-validation, sweeps, the path: engine/studies/study.py) run on the same thread, one at
a time, while the live run waits; their growing progress is collected with :meth:`take_study`. A study trains
several networks at once in the warm pool of processes (engine/live/study_pool.py), closed with the loop.

Stopping (:meth:`stop`): training and studies stop between two epochs, within milliseconds. Reading a data set,
importing TensorFlow and building or tracing a model cannot be interrupted but write nothing. Writing a file (a
model, a TensorBoard log) holds ``_file_lock``; :meth:`forbid_writes` takes that lock, so a file being written is
finished and no new one is started.
"""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager

from engine.live.landscape_work import LandscapeWork
from engine.live.partial_files import partial_save_path
from engine.live.study_pool import StudyPool
from engine.live.tensorboard_log import TensorBoardLogging
from engine.live.vocabulary import COALESCED, STUCK, Command, State, Status, Updates
from engine.spec import Experiment, SpecError
from engine.studies.progress import StudyProgress
from engine.studies.runner import WorkerLost
from engine.training.snapshot import Snapshot

#: Put in the queue by stop() to wake the loop: the loop ends when it sees the quit event set, whatever it took.
_WAKE = (None, None)


class LiveEngine(TensorBoardLogging, LandscapeWork):
    def __init__(self, build_guard=contextlib.nullcontext, name: str = "RegLab engine", first_run_id: int = 0,
                 preload: bool = False):
        """``build_guard``: a context manager held while a model builds (the window's process pauses its garbage
        collector then: gui/garbage.py). Run ids start after ``first_run_id``. ``preload``: import TensorFlow as
        the loop starts, before any command (the engine process: it overlaps the window's start)."""
        self._build_guard = build_guard
        self._preload = preload
        self._commands: queue.Queue = queue.Queue()
        self._held: list[tuple] = []  # a command taken from the queue to look past a run of COALESCED ones
        self._lock = threading.Lock()
        self._run_id = first_run_id
        self._latest: Snapshot | None = None
        self._rows: list[dict] = []
        self._status = Status()
        self._events: list[tuple[str, object]] = []
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._trainer = None
        self._exp: Experiment | None = None
        self._playing = False
        self._speed: float | None = None  # epochs per second, None = as fast as possible
        self._recent: deque[float] = deque(maxlen=64)
        self._study: StudyProgress | None = None
        self._study_stop = threading.Event()
        self.study_pool = StudyPool(on_starting=lambda n: self._event("study_processes_starting", n))
        self._quit = threading.Event()  # set by stop(): end the loop before anything else still queued
        self._uncertainty: tuple | None = None
        self._tensorboard_dir: str | None = None  # while set, every trained epoch goes to a TensorBoard log
        self._tensorboard = None  # the current run's engine.export.tensorboard.TensorBoardLog, from its first epoch
        self._file_lock = threading.Lock()  # held while a file is written (see forbid_writes)
        self._ending = False  # set by forbid_writes under _file_lock: no file is written after it
        self.taken = 0  # commands taken off the queue (coalesced ones too), for commands_pending
        self._init_landscape()

    # ---------------------------------------------------------------- any thread
    def start(self) -> None:
        if not self._thread.is_alive() and not self._quit.is_set():
            self._thread.start()

    def send(self, command: Command, payload=None) -> None:
        if command is Command.STUDY:
            self._study_stop.clear()
        self._commands.put((command, payload))

    def cancel_study(self) -> None:
        """End the running study between two epochs (its progress so far stays readable)."""
        self._study_stop.set()

    def take_study(self) -> StudyProgress | None:
        """The latest study's progress (the same object, growing while the study runs), None before any."""
        with self._lock:
            return self._study

    def take_updates(self, rows_seen: int, run_id: int) -> Updates:
        """The latest snapshot, the rows after ``rows_seen`` (all rows if ``run_id`` is not current)."""
        with self._lock:
            start = rows_seen if run_id == self._run_id else 0
            return Updates(self._run_id, self._latest, self._rows[start:], Status(**vars(self._status)),
                           self._uncertainty, self._current_landscape())

    def take_events(self) -> list[tuple[str, object]]:
        """The events since the last call, in order: ("dataset_ready", Dataset), ("failed", one line),
        ("saved", path), ("study_processes_starting", n)."""
        with self._lock:
            events, self._events = self._events, []
        return events

    def stop(self, timeout_s: float = 1.0) -> bool:
        """Stop training and end the loop; True when it ended within the timeout.

        Training and studies stop between epochs (milliseconds); commands still queued are dropped, except a
        model save. Reading data and building a model (importing TensorFlow, tracing the graph) cannot be
        interrupted, so the loop may end later.
        """
        self._quit.set()
        if self._trainer is not None:
            self._trainer.request_stop()
        self._study_stop.set()
        self._commands.put(_WAKE)
        if not self._thread.is_alive():
            self.study_pool.close()  # a running loop closes it itself, as its last act (_finish)
            return True
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def forbid_writes(self) -> None:
        """Wait for a file being written to be complete (however long it takes), and write none after it."""
        self.study_pool.close()
        with self._file_lock:
            self._ending = True

    @property
    def is_running(self) -> bool:
        return self._thread.is_alive()

    @property
    def commands_pending(self) -> bool:
        return not self._commands.empty() or bool(self._held)

    @property
    def experiment(self) -> Experiment | None:
        """The spec the current run trains (live changes included), None before the first load."""
        return self._exp

    @contextmanager
    def _writing(self):
        """Hold while writing a file; yields False (write nothing) once forbid_writes has been called."""
        with self._file_lock:
            yield not self._ending

    def _send(self, command: Command, payload=None) -> None:  # the mixins' commands
        self.send(command, payload)

    # ---------------------------------------------------------------- the loop's thread
    def _event(self, kind: str, value) -> None:
        with self._lock:
            self._events.append((kind, value))

    def _set_status(self, **changes) -> None:
        with self._lock:
            for key, value in changes.items():
                setattr(self._status, key, value)

    def _new_run(self) -> None:
        self._close_tensorboard()  # the next epoch opens a new run-<n> folder
        with self._lock:
            self._run_id += 1
            self._latest = None
            self._rows = []
            self._uncertainty = None
            self._status.epoch = 0
        self._recent.clear()

    def _loop(self) -> None:
        if self._preload:
            # On this thread, before anything else: TensorFlow's import briefly hides scikit-learn from Keras
            # (engine/training/keras_setup.py), and a data set loading on another thread meanwhile would miss it.
            import engine.training.trainer  # noqa: F401
        while True:
            try:
                if self._playing and self._trainer is not None:
                    command = self._next_command(timeout=self._wait_before_next_epoch())
                else:
                    command = self._next_command()
            except queue.Empty:
                self._train_one()
                continue
            if self._quit.is_set():  # stop() sets it before waking the loop
                self._finish(command)
                return
            name, payload = command
            try:
                self.HANDLERS[name](self, payload)
            except Exception as exc:  # an engine error must never end the engine
                self._playing = False
                self._set_status(state=State.ERROR, message=str(exc))
                self._event("failed", f"{type(exc).__name__}: {exc}")

    def _next_command(self, timeout: float | None = None) -> tuple:
        """The next command (queue.Empty after ``timeout`` seconds); of a run of the same COALESCED command queued
        back to back only the last is returned: a slider drag sends a live change per pixel (≈ 10 ms each to apply
        on a busy machine), quick edits a rebuild each, and only the latest counts."""
        if self._held:
            command = self._held.pop()
        else:
            command = self._commands.get(timeout=timeout) if timeout is not None else self._commands.get()
            self.taken += 1
        while command[0] in COALESCED:
            try:
                following = self._commands.get_nowait()
            except queue.Empty:
                break
            self.taken += 1
            if following[0] != command[0]:
                self._held.append(following)  # handled next, in order
                break
            command = following
        return command

    def _finish(self, command: tuple) -> None:
        """The loop's last act after stop(): queued studies, epochs and rebuilds are dropped (each could take
        seconds), but a model the user asked to save is still saved; then the TensorBoard log is closed."""
        pending = [command, *self._held]
        self._held.clear()
        while True:
            try:
                pending.append(self._commands.get_nowait())
            except queue.Empty:
                break
        for name, payload in pending:
            if name is Command.SAVE:
                self._save(payload)
        self._close_tensorboard()
        self.study_pool.close()

    def _wait_before_next_epoch(self) -> float:
        if not self._speed or not self._recent:
            return 0.0
        due = self._recent[-1] + 1.0 / self._speed
        return max(0.0, due - time.perf_counter())

    # ---------------------------------------------------------------- the commands' handlers (see HANDLERS)
    def _on_live(self, exp: Experiment) -> None:
        if self._trainer is None or not self._trainer.apply_live(exp):
            self._build(exp)
        self._exp = exp

    def _on_play(self, _payload=None) -> None:
        if self._trainer is None or self._status.state in STUCK:
            return
        if self._trainer.epoch >= self._exp.training.epochs:
            self._set_status(message=f"Reached the epoch limit ({self._exp.training.epochs}): raise it or press Reset")
            return
        self._playing = True
        self._set_status(state=State.TRAINING, message="")

    def _on_pause(self, _payload=None) -> None:
        self._playing = False
        if self._status.state is State.TRAINING:
            self._set_status(state=State.PAUSED)

    def _on_step(self, _payload=None) -> None:
        self._playing = False
        if self._trainer is not None and self._status.state not in STUCK:
            self._train_one()
            if self._status.state in (State.TRAINING, State.READY):
                self._set_status(state=State.PAUSED)

    def _on_reset(self, _payload=None) -> None:
        self._playing = False
        if self._trainer is not None:
            self._trainer.reset()
            self._new_run()
            self._set_status(state=State.READY, message="Reset: weights re-initialized from the seed")

    def _on_speed(self, epochs_per_second: float | None) -> None:
        self._speed = epochs_per_second

    def _on_study(self, payload: tuple[str, dict]) -> None:
        self._run_study(*payload)

    def _on_study_jobs(self, setting: tuple[int, bool]) -> None:
        jobs, warm = setting
        self.study_pool.set_jobs(int(jobs), warm=warm)

    def _on_uncertainty(self, passes: int) -> None:
        if self._trainer is not None:
            result = self._trainer.mc_grid(passes)
            with self._lock:
                self._uncertainty = result

    def _save(self, path: str) -> None:
        try:
            self._save_model(path)
        finally:
            self._event("save_ended", path)

    def _save_model(self, path: str) -> None:
        if self._trainer is None:
            self._event("failed", f"Cannot save {path}: there is no model yet (load an experiment first)")
            return
        try:
            with self._writing() as allowed:
                if not allowed:
                    return
                if str(path).endswith(".keras"):  # written aside, then moved: never a half-written model file
                    partial = partial_save_path(path, os.getpid())
                    try:
                        self._trainer.save_model(partial)
                        os.replace(partial, path)
                    finally:
                        partial.unlink(missing_ok=True)
                else:  # Keras refuses it with a one-line reason
                    self._trainer.save_model(path)
        except OSError as exc:
            self._event("failed", f"Cannot save {path}: {exc.strerror or exc}")
            return
        except Exception as exc:  # Keras: ValueError for a name without .keras, and the like
            reason = " ".join(str(exc).split())[:300]
            self._event("failed", f"Cannot save {path}: {reason}")
            return
        self._event("saved", path)

    def _run_study(self, kind: str, params: dict) -> None:
        from engine.studies import study

        runners = {"compare": study.run_compare, "cv": study.run_cv_study, "sweep": study.run_sweep_study,
                   "path": study.run_path_study}
        if kind not in runners:
            raise ValueError(f"unknown study {kind!r}")
        self._playing = False
        self._flush_tensorboard()
        previous = self._status.state if self._status.state is not State.TRAINING else State.PAUSED
        self._set_status(state=State.STUDY, message=f"Running the {kind} study…")

        def report(progress: StudyProgress) -> None:
            with self._lock:
                self._study = progress

        try:
            with self.study_pool.for_study() as runner:
                runners[kind](**params, report=report, should_stop=self._study_stop.is_set, runner=runner)
        except InterruptedError:
            with self._lock:
                if self._study is not None:
                    self._study.message = "Stopped"
            self._set_status(state=previous, message=f"The {kind} study was stopped")
            return
        except (SpecError, WorkerLost) as exc:  # a setting the engine refused, or a study process that ended
            message = study_setting_error(exc, params.get("path"))
            self._set_status(state=previous, message=message)
            self._event("failed", message)
            return
        self._set_status(state=previous, message=self._study.message if self._study else "")

    def _build(self, exp: Experiment) -> None:
        if self._is_fresh(exp):  # the window asks again for what was built before it showed: keep it
            self._playing = False
            return
        self._playing = False
        self._trainer = None
        self._exp = exp
        self._new_run()
        self._set_status(state=State.LOADING, message="Loading data and building the model…")
        first = "engine.training.trainer" not in sys.modules
        # The first build imports scikit-learn, pandas and TensorFlow: hundreds of thousands of long-lived objects.
        # Collections on the way would cost 1-3 s before the first epoch and find nothing.
        with self._build_guard():
            from engine.data import load_dataset

            try:
                dataset = load_dataset(exp)
            except SpecError as exc:
                self._set_status(state=State.ERROR, message=str(exc))
                self._event("failed", str(exc))
                return
            self._event("dataset_ready", dataset)
            from engine.training.trainer import Trainer  # TensorFlow loads here (unless already loaded)

            self._trainer = Trainer(exp, dataset)
            self._trainer.warm_up()  # trace the epoch graph while the user looks at the window
            if first:
                # Out of the collector's reach for good, so that full collections stay short (100-250 ms otherwise).
                gc.freeze()
        self._set_status(state=State.READY, message="")

    def _is_fresh(self, exp: Experiment) -> bool:
        """This experiment is built and has not trained an epoch (its first build, asked for at launch)."""
        return (self._trainer is not None and self._trainer.epoch == 0 and self._status.state is State.READY
                and exp == self._exp)

    def _train_one(self) -> None:
        from engine.training.diverged import TrainingDiverged

        trainer = self._trainer
        try:
            snap = trainer.step()
        except TrainingDiverged as exc:
            self._playing = False
            self._set_status(state=State.DIVERGED, message=str(exc))
            self._event("failed", str(exc))
            return
        self._write_tensorboard(snap)
        self._record_kernels(snap)
        now = time.perf_counter()
        self._recent.append(now)
        rate = (len(self._recent) - 1) / (now - self._recent[0]) if len(self._recent) > 1 else 0.0
        finished = trainer.epoch >= self._exp.training.epochs or bool(trainer.stopped_early)
        if finished:
            self._playing = False
        with self._lock:
            self._latest = snap
            self._rows.append(trainer.history[-1])  # the trainer's own row (read only): kept once, not twice
            self._status.epoch = snap.epoch
            self._status.epochs_per_second = rate
            self._status.best_epoch = trainer.best_epoch
            if finished:
                self._status.state = State.FINISHED
                self._status.message = (trainer.stopped_early[:1].upper() + trainer.stopped_early[1:]
                                        if trainer.stopped_early else f"Finished {snap.epoch} epochs")

    #: The dispatch table: the loop calls ``HANDLERS[command](engine, payload)``.
    HANDLERS = {
        Command.LOAD: _build, Command.LIVE: _on_live, Command.PLAY: _on_play, Command.PAUSE: _on_pause,
        Command.STEP: _on_step, Command.RESET: _on_reset, Command.SPEED: _on_speed, Command.STUDY: _on_study,
        Command.STUDY_JOBS: _on_study_jobs, Command.SAVE: _save, Command.UNCERTAINTY: _on_uncertainty,
        Command.TENSORBOARD: TensorBoardLogging._on_tensorboard, Command.LANDSCAPE: LandscapeWork._on_landscape,
    }


#: How the window names a study setting that an engine error points at (SpecError.field).
SETTING_NAMES = {"param": "field", "values": "values", "seeds": "seeds", "folds": "folds"}


def study_setting_error(exc: Exception, path: str | None = None) -> str:
    """One line for a study setting the engine refused: the engine says what is wrong and which setting
    (``exc.field``); the window says where (a field path is named, as the command line names its flags)."""
    field_name = getattr(exc, "field", None)
    if field_name == "param" and path:
        return f"field {path!r}: {exc}"
    if field_name:
        return f"{SETTING_NAMES.get(field_name, field_name)}: {exc}"
    return str(exc)
