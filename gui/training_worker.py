"""The window's training worker: the one place in gui/ that talks to the engine.

The engine (engine/live/live_engine.py) runs in a process of its own (engine/live/engine_process.py), started at
launch before the window is built (gui/app.py): TensorFlow's import then runs on the other core while the window is
built and shown, painting never waits for training's share of Python's lock, and a crash inside TensorFlow cannot
take the window — nor the class's unsaved experiment — with it. This process never imports TensorFlow or Keras.
With ``REGLAB_ENGINE=thread`` the engine runs on a thread of this process instead, as the test suite does (an engine
process per test window would cost each a TensorFlow import); both speak through the same methods.

The session model (gui/session.py) sends commands (:meth:`TrainingWorker.load`, ``play``, ``pause``, ``step``,
``reset``, ``set_speed``, ``save_model``, ``set_tensorboard``, ``request_landscape``, ``request_uncertainty``,
``start_study``, ``set_study_jobs``, ``stop``). The engine publishes the *latest* snapshot, the new rows of the loss
history and its :class:`~gui.run_state.Status`; the session collects them with :meth:`take_updates` on the window's
render timer (latest wins: nothing queues per epoch). Rare events — the data set is ready, an error, a model saved,
study processes starting — become Qt signals, emitted on the GUI thread by a timer that takes the engine's events.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal

from engine.live.engine_link import EngineProcess, take_early_engine
from engine.live.vocabulary import Command, Updates
from engine.spec import Experiment
from engine.studies.progress import StudyProgress
from gui import garbage
from gui.engine_start import engine_mode

GIL_SWITCH_SECONDS = 0.0005
EVENTS_MS = 20  # how often the engine's events are turned into signals


def make_engine():
    """The engine the window talks to: the process started at launch (or a new one), or a thread of this process."""
    if engine_mode() == "thread":
        from engine.live.live_engine import LiveEngine

        return LiveEngine(build_guard=garbage.held)
    return take_early_engine() or EngineProcess()


class TrainingWorker(QObject):
    dataset_ready = Signal(object)  # engine.data.Dataset of the new run
    failed = Signal(str)  # a one-line reason (bad data, divergence, an engine error, the engine process ended)
    saved = Signal(str)  # the path of a model written by save_model
    study_processes_starting = Signal(int)  # this many study processes are starting (each loads TensorFlow)

    def __init__(self, parent: QObject | None = None, engine=None):
        super().__init__(parent)
        self.engine = engine if engine is not None else make_engine()
        self._events = QTimer(self)
        self._events.setInterval(EVENTS_MS)
        self._events.timeout.connect(self.deliver_events)
        self._signals = {"dataset_ready": self.dataset_ready, "failed": self.failed, "saved": self.saved,
                         "study_processes_starting": self.study_processes_starting}

    @property
    def in_process(self) -> bool:
        """The engine runs on a thread of this process (REGLAB_ENGINE=thread)."""
        return not isinstance(self.engine, EngineProcess)

    # ---------------------------------------------------------------- commands
    def start(self) -> None:
        if self.in_process:
            # Between graph calls the training thread needs the GIL for a moment; with Python's default 5 ms
            # switch interval it waits behind the GUI thread's painting and trains ~40 % slower.
            sys.setswitchinterval(GIL_SWITCH_SECONDS)
        self.engine.start()
        self._events.start()

    def load(self, exp: Experiment) -> None:
        """A new run for this spec (structural change): data and model are rebuilt from the seed."""
        self.engine.send(Command.LOAD, exp.copy())

    def apply_live(self, exp: Experiment) -> None:
        """Dropout rates, λ, learning rate, weight decay or label smoothing changed: applied from the next epoch,
        weights kept."""
        self.engine.send(Command.LIVE, exp.copy())

    def play(self) -> None:
        self.engine.send(Command.PLAY)

    def pause(self) -> None:
        self.engine.send(Command.PAUSE)

    def step(self) -> None:
        self.engine.send(Command.STEP)

    def reset(self) -> None:
        self.engine.send(Command.RESET)

    def set_speed(self, epochs_per_second: float | None) -> None:
        self.engine.send(Command.SPEED, epochs_per_second)

    def start_study(self, kind: str, **params) -> None:
        """Run a study in the engine: ``compare`` (variants=[(label, Experiment), …]), ``cv`` (exp, folds),
        ``sweep`` (exp, path, values, seeds…) or ``path``. The live run pauses while it runs."""
        self.engine.send(Command.STUDY, (kind, params))

    def cancel_study(self) -> None:
        """End the running study between two epochs (its progress so far stays readable)."""
        self.engine.cancel_study()

    def set_study_jobs(self, jobs: int, warm: bool = True) -> None:
        """Trainings at once for the next studies (1: in the engine's own thread); ``warm``: start their processes
        now rather than with the next study."""
        self.engine.send(Command.STUDY_JOBS, (int(jobs), bool(warm)))

    def save_model(self, path: str) -> None:
        """Save the current model (stock Keras layers, current weights) as a .keras file; then ``saved`` is
        emitted with the path, or ``failed`` with a one-line reason."""
        self.engine.send(Command.SAVE, str(path))

    def set_tensorboard(self, logdir: str | None) -> None:
        """Log every trained epoch for TensorBoard under ``logdir`` (a sub-folder ``run-<n>`` per run); None
        stops logging."""
        self.engine.send(Command.TENSORBOARD, None if logdir is None else str(logdir))

    def request_landscape(self, pair) -> None:
        """The data loss over the plane of ``pair`` (None: the default pair) at the current weights."""
        self.engine.send(Command.LANDSCAPE, pair)

    def request_uncertainty(self, passes: int = 30) -> None:
        """Monte-Carlo dropout mean and std on the decision grid for the current weights (see Updates)."""
        self.engine.send(Command.UNCERTAINTY, passes)

    def stop(self, timeout_ms: int = 1000) -> bool:
        """Stop training and end the engine; True when it ended within the timeout. Training and studies stop
        between epochs; a model being saved is finished. An engine process that has not ended by then is killed
        (a model it was writing is never left half-written)."""
        self._events.stop()
        ended = self.engine.stop(timeout_ms / 1000)
        self.deliver_events()
        return ended

    def shut_down(self, timeout_ms: int = 100) -> bool:
        """For the end of the process: stop, and tell whether the engine has ended (True) or is a thread that may
        be abandoned (False: busy with something that cannot be interrupted and writes nothing — reading a CSV,
        importing TensorFlow, building a model — so the caller may end the process at once, gui/app.py)."""
        if self.stop(timeout_ms) or not self.in_process:
            return True  # an engine process is ended by now, killed if need be
        self.engine.forbid_writes()  # waits for a file being written
        return not self.engine.is_running

    # ---------------------------------------------------------------- what the engine published
    def take_updates(self, rows_seen: int, run_id: int) -> Updates:
        """The latest snapshot, the rows after ``rows_seen`` (all rows if ``run_id`` is not current)."""
        return self.engine.take_updates(rows_seen, run_id)

    def take_study(self) -> StudyProgress | None:
        """The latest study's progress (growing while the study runs), None before any."""
        return self.engine.take_study()

    def deliver_events(self) -> None:
        """The engine's events since the last call, as signals (on this thread)."""
        for kind, value in self.engine.take_events():
            signal = self._signals.get(kind)
            if signal is not None:
                signal.emit(value)

    @property
    def is_running(self) -> bool:
        return self.engine.is_running

    @property
    def commands_pending(self) -> bool:
        """Commands sent and not yet handled (the answer may be old by a command)."""
        return self.engine.commands_pending

    @property
    def experiment(self) -> Experiment | None:
        """The spec the current run trains (live changes included), None before the first load."""
        return self.engine.experiment
