"""The one place in gui/ that runs the engine: a worker that owns TensorFlow on its own QThread.

The session model (gui/session.py) sends commands (:meth:`TrainingWorker.load`, ``play``, ``pause``, ``step``,
``reset``, ``set_speed``, ``save_model``, ``set_tensorboard`` (gui/worker_tensorboard.py), ``request_landscape``
(gui/landscape_work.py), ``stop``): each is a :class:`gui.run_state.Command` put in a thread-safe queue and handled
between epochs by its method in the dispatch table ``HANDLERS``. The worker publishes the *latest* snapshot and
the new rows of the loss history, and its :class:`Status` (a :class:`gui.run_state.State` and the epoch); the
session collects them with :meth:`take_updates` on the window's render timer (latest wins: nothing queues per
epoch). Rare events — the data set is ready, an error, a model saved — are Qt signals, delivered on the GUI thread.

Studies (compare, K-fold cross-validation, sweeps: engine/studies/study.py) run on the same thread, one at a
time, while the live run waits; their growing progress is collected with :meth:`take_study`. A study trains several
networks at once in the window's warm pool of processes (gui/study_pool.py, :attr:`study_pool`), closed with the loop.

TensorFlow is imported on the worker thread, the first time a run is built, so the window shows
at once. Garbage the worker leaves (old models) is collected on the GUI thread (gui/garbage.py).

Ending the process (:meth:`TrainingWorker.shut_down`): training and studies stop between two epochs, within
milliseconds. Reading a data set, importing TensorFlow and building or tracing a model cannot be interrupted
(seconds for a large CSV) but write nothing, so the process may end without waiting for them. Writing a file
(saving a model, a TensorBoard log) holds ``_file_lock``; shutting down takes that lock first, so a file being
written is finished and no new one is started.
"""

from __future__ import annotations

import gc
import queue
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager

from PySide6.QtCore import QObject, QThread, Signal

from engine.spec import Experiment, SpecError
from engine.studies.runner import WorkerLost
from engine.studies.study import StudyProgress
from engine.training.snapshot import Snapshot
from gui import garbage
from gui.landscape_work import LandscapeWork
from gui.run_state import COALESCED, STUCK, Command, State, Status, Updates, setting_error
from gui.study_pool import StudyPool
from gui.worker_tensorboard import TensorBoardLogging

GIL_SWITCH_SECONDS = 0.0005
#: Put in the queue by stop() to wake the loop: the loop ends when it sees the quit event set, whatever it took.
_WAKE = (None, None)


class _LoopThread(QThread):
    """A QThread that runs one function (the worker's loop) instead of an event loop."""

    def __init__(self, loop):
        super().__init__()
        self.setObjectName("RegLab training")
        self._target = loop

    def run(self) -> None:
        self._target()


class TrainingWorker(TensorBoardLogging, LandscapeWork, QObject):
    dataset_ready = Signal(object)  # engine.data.Dataset of the new run
    failed = Signal(str)  # a one-line reason (bad data, divergence, an engine error)
    saved = Signal(str)  # the path of a model written by save_model

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._commands: queue.Queue = queue.Queue()
        self._held: list[tuple] = []  # a command taken from the queue to look past a run of COALESCED ones
        self._lock = threading.Lock()
        self._run_id = 0
        self._latest: Snapshot | None = None
        self._rows: list[dict] = []
        self._status = Status()
        self._thread = _LoopThread(self._loop)
        self._trainer = None
        self._exp: Experiment | None = None
        self._playing = False
        self._speed: float | None = None  # epochs per second, None = as fast as possible
        self._recent: deque[float] = deque(maxlen=64)
        self._study: StudyProgress | None = None
        self._study_stop = threading.Event()
        self.study_pool = StudyPool(parent=self)  # "Studies ▸ Trainings at once" and its processes
        self._quit = threading.Event()  # set by stop(): end the loop before anything else still queued
        self._uncertainty: tuple | None = None
        self._tensorboard_dir: str | None = None  # while set, every trained epoch goes to a TensorBoard log
        self._tensorboard = None  # the current run's engine.export.tensorboard.TensorBoardLog, from its first epoch
        self._file_lock = threading.Lock()  # held while a file is written (see shut_down)
        self._ending = False  # set by shut_down under _file_lock: no file is written after it
        self._init_landscape()

    # ---------------------------------------------------------------- GUI thread
    def start(self) -> None:
        if not self._thread.isRunning():
            # Between graph calls the training thread needs the GIL for a moment; with Python's default 5 ms
            # switch interval it waits behind the GUI thread's painting and trains ~40 % slower.
            sys.setswitchinterval(GIL_SWITCH_SECONDS)
            self._thread.start()

    def load(self, exp: Experiment) -> None:
        """A new run for this spec (structural change): data and model are rebuilt from the seed."""
        self._send(Command.LOAD, exp.copy())

    def apply_live(self, exp: Experiment) -> None:
        """Dropout rates, λ, learning rate, weight decay or label smoothing changed: applied from the next epoch,
        weights kept."""
        self._send(Command.LIVE, exp.copy())

    def play(self) -> None:
        self._send(Command.PLAY)

    def pause(self) -> None:
        self._send(Command.PAUSE)

    def step(self) -> None:
        self._send(Command.STEP)

    def reset(self) -> None:
        self._send(Command.RESET)

    def set_speed(self, epochs_per_second: float | None) -> None:
        self._send(Command.SPEED, epochs_per_second)

    def start_study(self, kind: str, **params) -> None:
        """Run a study on the worker thread: ``compare`` (variants=[(label, Experiment), …]), ``cv`` (exp, folds)
        or ``sweep`` (exp, path, values, seeds). The live run pauses while it runs; see engine/studies/study.py."""
        self._study_stop.clear()
        self._send(Command.STUDY, (kind, params))

    def cancel_study(self) -> None:
        """End the running study between two epochs (its progress so far stays readable)."""
        self._study_stop.set()

    def take_study(self) -> StudyProgress | None:
        """The latest study's progress (the same object, growing while the study runs), None before any."""
        with self._lock:
            return self._study

    def save_model(self, path: str) -> None:
        """Save the current model (stock Keras layers, current weights) as a .keras file; then ``saved`` is
        emitted with the path, or ``failed`` with a one-line reason (no model yet, a path that cannot be written)."""
        self._send(Command.SAVE, str(path))

    def request_uncertainty(self, passes: int = 30) -> None:
        """Compute Monte-Carlo dropout mean and std on the decision grid for the current weights (see Updates)."""
        self._send(Command.UNCERTAINTY, passes)

    def stop(self, timeout_ms: int = 1000) -> bool:
        """Stop training and end the thread; True when it ended within the timeout.

        Training and studies stop between epochs (milliseconds); commands still queued are dropped, except a
        model save. Reading data and building a model (importing TensorFlow, tracing the graph) cannot be
        interrupted, so the thread may end later: the worker has no Qt parent and stays alive until its loop
        returns (see also shut_down).
        """
        self._quit.set()  # commands still queued are dropped (a model save excepted): see _loop
        if self._trainer is not None:
            self._trainer.request_stop()
        self._study_stop.set()
        self._commands.put(_WAKE)
        if not self._thread.isRunning():
            self.study_pool.close()  # a running loop closes it itself, as its last act (_finish)
            return True
        return self._thread.wait(timeout_ms)

    def shut_down(self, timeout_ms: int = 100) -> bool:
        """For the end of the process: stop, and tell whether the thread ended (True) or may be abandoned (False).

        Asks the thread to stop and waits at most ``timeout_ms``; then, if it is still writing a file (a model,
        a TensorBoard log), waits until that file is complete — however long it takes — and forbids any further
        write. False means the thread is still busy with something that cannot be interrupted and writes nothing
        (reading a CSV, importing TensorFlow, building or tracing a model): the caller may end the process at
        once (``os._exit``, gui/app.py) instead of waiting seconds for it.
        """
        if self.stop(timeout_ms):
            return True
        self.study_pool.close()  # the process may end now: its study processes end with it
        with self._file_lock:  # waits for a write in progress
            self._ending = True
        return not self._thread.isRunning()

    @contextmanager
    def _writing(self):
        """Hold while writing a file; yields False (write nothing) once shut_down has given up on the thread."""
        with self._file_lock:
            yield not self._ending

    def take_updates(self, rows_seen: int, run_id: int) -> Updates:
        """The latest snapshot, the rows after ``rows_seen`` (all rows if ``run_id`` is not current)."""
        with self._lock:
            start = rows_seen if run_id == self._run_id else 0
            return Updates(self._run_id, self._latest, self._rows[start:], Status(**vars(self._status)),
                           self._uncertainty, self._current_landscape())

    @property
    def is_running(self) -> bool:
        return self._thread.isRunning()

    @property
    def commands_pending(self) -> bool:
        """Commands sent and not yet handled (read on the GUI thread: the answer may be old by a command)."""
        return not self._commands.empty() or bool(self._held)

    @property
    def experiment(self) -> Experiment | None:
        """The spec the current run trains (live changes included), None before the first load."""
        return self._exp

    def _send(self, command: Command, payload=None) -> None:
        self._commands.put((command, payload))

    # ---------------------------------------------------------------- worker thread
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
            except Exception as exc:  # an engine error must never kill the window
                self._playing = False
                self._set_status(state=State.ERROR, message=str(exc))
                self._emit(self.failed, f"{type(exc).__name__}: {exc}")

    def _next_command(self, timeout: float | None = None) -> tuple:
        """The next command (queue.Empty after ``timeout`` seconds); of a run of the same COALESCED command queued
        back to back only the last is returned: a slider drag sends a live change per pixel (≈ 10 ms each to apply
        on a busy machine), quick edits a rebuild each, and only the latest counts."""
        if self._held:
            command = self._held.pop()
        else:
            command = self._commands.get(timeout=timeout) if timeout is not None else self._commands.get()
        while command[0] in COALESCED:
            try:
                following = self._commands.get_nowait()
            except queue.Empty:
                break
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

    def _emit(self, signal, value) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the window is gone (closed while a model was being built): nobody to tell
            pass

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

    def _on_uncertainty(self, passes: int) -> None:
        if self._trainer is not None:
            result = self._trainer.mc_grid(passes)
            with self._lock:
                self._uncertainty = result

    def _save(self, path: str) -> None:
        if self._trainer is None:
            self._emit(self.failed, f"Cannot save {path}: there is no model yet (load an experiment first)")
            return
        try:
            with self._writing() as allowed:
                if not allowed:
                    return
                self._trainer.save_model(path)
        except OSError as exc:
            self._emit(self.failed, f"Cannot save {path}: {exc.strerror or exc}")
            return
        except Exception as exc:  # Keras: ValueError for a name without .keras, and the like
            reason = " ".join(str(exc).split())[:300]
            self._emit(self.failed, f"Cannot save {path}: {reason}")
            return
        self._emit(self.saved, path)

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
            message = setting_error(exc, params.get("path"))
            self._set_status(state=previous, message=message)
            self._emit(self.failed, message)
            return
        self._set_status(state=previous, message=self._study.message if self._study else "")

    def _build(self, exp: Experiment) -> None:
        self._playing = False
        self._trainer = None
        self._exp = exp
        self._new_run()
        self._set_status(state=State.LOADING, message="Loading data and building the model…")
        first = "engine.training.trainer" not in sys.modules
        # The first build imports scikit-learn, pandas and TensorFlow: hundreds of thousands of long-lived objects.
        # Collections on the way would cost 1-3 s before the first epoch and find nothing (gui/garbage.py).
        with garbage.held():
            from engine.data import load_dataset  # scikit-learn and pandas load here, off the GUI thread

            try:
                dataset = load_dataset(exp)
            except SpecError as exc:
                self._set_status(state=State.ERROR, message=str(exc))
                self._emit(self.failed, str(exc))
                return
            self._emit(self.dataset_ready, dataset)
            from engine.training.trainer import Trainer  # TensorFlow loads here, on this thread

            self._trainer = Trainer(exp, dataset)
            self._trainer.warm_up()  # trace the epoch graph while the user looks at the window
            if first:
                # Out of the collector's reach for good, so that full collections stay short (100-250 ms otherwise).
                # Later models are not frozen: an old one is garbage after a rebuild, collected on the GUI thread.
                gc.freeze()
        self._set_status(state=State.READY, message="")

    def _train_one(self) -> None:
        from engine.training.trainer import TrainingDiverged

        trainer = self._trainer
        try:
            snap = trainer.step()
        except TrainingDiverged as exc:
            self._playing = False
            self._set_status(state=State.DIVERGED, message=str(exc))
            self._emit(self.failed, str(exc))
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

    #: The dispatch table: the loop calls ``HANDLERS[command](worker, payload)``.
    HANDLERS = {
        Command.LOAD: _build, Command.LIVE: _on_live, Command.PLAY: _on_play, Command.PAUSE: _on_pause,
        Command.STEP: _on_step, Command.RESET: _on_reset, Command.SPEED: _on_speed, Command.STUDY: _on_study,
        Command.SAVE: _save, Command.TENSORBOARD: TensorBoardLogging._on_tensorboard,
        Command.UNCERTAINTY: _on_uncertainty, Command.LANDSCAPE: LandscapeWork._on_landscape,
    }
