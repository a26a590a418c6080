"""The session model: the live run and the experiment's file, in one object the rest of gui/ subscribes to.

:class:`TrainingSession` owns the training worker (gui/training_worker.py) and keeps what the worker published —
the run's id, its metrics rows, the newest snapshot, its :class:`~gui.run_state.Status` with a
:class:`~gui.run_state.State` — and the experiment's file: its path and whether it has unsaved changes. Changes are
announced with signals, all named ``…_changed``; the window, the File menu, the studies and the tests read the
session's properties and connect to its signals, never to each other's attributes.

The worker publishes on its own thread; :meth:`TrainingSession.poll`, called by the window's render timer on the
GUI thread, takes what is new (latest wins) and emits the signals then. Commands (Play, Step, a study…) go through
the session's methods, which also set the state a command leads to at once, so that the Play button and a second
key press agree with what was asked before the worker has answered.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine.spec import Experiment
from engine.studies.study import StudyProgress
from engine.training.snapshot import Snapshot
from gui.document import ExperimentDocument
from gui.landscape_requests import LandscapeRequests
from gui.presets import DEFAULT_PRESET, PRESETS, default_experiment  # noqa: F401  (importable from here)
from gui.run_state import NO_MODEL, State, Status
from gui.training_worker import TrainingWorker

MC_PASSES = 30  # stochastic forward passes of the Monte-Carlo dropout map
MC_INTERVAL_S = 0.5  # while training, the map is recomputed at most this often


class TrainingSession(QObject):
    """One live run of the document's experiment, and the file the experiment belongs to."""

    run_changed = Signal(int)  # a new run started (new network or data, or Reset): its id; rows and snapshot are empty
    rows_changed = Signal(int)  # rows were appended: how many the run has now
    status_changed = Signal(object)  # the Status changed (state, epoch, rate, message or best epoch)
    state_changed = Signal(object)  # the State changed (also when a command sets the state it leads to)
    diverged_changed = Signal(int)  # the run diverged: the epoch of its last finite weights (once per run)
    dataset_changed = Signal(object)  # the run's engine.data.Dataset, once read
    uncertainty_changed = Signal(object)  # a new Monte-Carlo dropout map, (mean, std), while it is wanted
    landscape_changed = Signal(object)  # a new engine.live.landscape_work.LandscapeFrame, while one is wanted
    file_changed = Signal(object)  # the experiment's file: a Path, or None when untitled
    dirty_changed = Signal(bool)  # True when the experiment has changes not saved to its file
    experiment_changed = Signal(object)  # another experiment replaced the document's (New, Open, a preset, a lesson)

    def __init__(self, document: ExperimentDocument, worker: TrainingWorker | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.worker = worker or TrainingWorker()  # no Qt parent: it outlives the window until its thread has ended
        self._run_id = -1
        self._rows: list[dict] = []
        self._snapshot: Snapshot | None = None
        self._status = Status()
        self._diverged_at: int | None = None
        self._path: Path | None = None
        self._mc_wanted = False
        self._mc_asked = (-1, 0.0)  # (epoch, time) of the last Monte-Carlo request
        self._mc_shown = None
        self._landscape = LandscapeRequests()
        self.worker.dataset_ready.connect(self.dataset_changed)
        document.spec_changed.connect(self._on_spec_changed)
        document.undo_stack.cleanChanged.connect(lambda clean: self.dirty_changed.emit(not clean))

    # ---------------------------------------------------------------- the run, as last polled
    @property
    def run_id(self) -> int:
        return self._run_id

    @property
    def rows(self) -> list[dict]:
        """The run's metrics rows, one per epoch in order (read only: the worker's own dicts)."""
        return self._rows

    @property
    def snapshot(self) -> Snapshot | None:
        """The run's newest snapshot, None before its first epoch."""
        return self._snapshot

    @property
    def status(self) -> Status:
        return self._status

    @property
    def state(self) -> State:
        return self._status.state

    @property
    def study(self) -> StudyProgress | None:
        """The latest study's progress (growing while it runs), None before any."""
        return self.worker.take_study()

    # ---------------------------------------------------------------- the file
    @property
    def path(self) -> Path | None:
        """The file the experiment was opened from or saved to; None while untitled."""
        return self._path

    @property
    def dirty(self) -> bool:
        return not self.document.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        """The file's name, or the experiment's while untitled."""
        return self._path.name if self._path else self.document.exp.name

    def set_path(self, path: Path | None) -> None:
        path = None if path is None else Path(path).resolve()
        if path != self._path:
            self._path = path
            self.file_changed.emit(path)

    def open(self, exp: Experiment, path: Path | None) -> None:
        """Replace the experiment (a new run, no undo history: clean) and the file it belongs to."""
        self.document.replace(exp)
        self.set_path(path)
        self.experiment_changed.emit(exp)

    def mark_saved(self, path: Path) -> None:
        """The experiment was written to ``path``: that is its file now, and it has no unsaved changes."""
        self.set_path(path)
        self.document.undo_stack.setClean()

    # ---------------------------------------------------------------- commands
    def start(self) -> None:
        self.worker.start()

    def load(self) -> None:
        """A new run of the document's experiment (data and model rebuilt from the seed)."""
        self.worker.load(self.document.exp)

    def toggle_play(self) -> State:
        """Pause while training, else play; the state it leads to."""
        if self.state is State.TRAINING:
            self.worker.pause()
            self._set_state(State.PAUSED)
        else:
            self.worker.play()
            self._set_state(State.TRAINING)
        return self.state

    def step(self) -> None:
        self.worker.step()

    def reset(self) -> None:
        self.worker.reset()

    def set_speed(self, epochs_per_second: float | None) -> None:
        self.worker.set_speed(epochs_per_second)

    def start_study(self, kind: str, **params) -> None:
        self.worker.start_study(kind, **params)
        self._set_state(State.STUDY)

    def cancel_study(self) -> None:
        self.worker.cancel_study()

    def save_model(self, path: str) -> None:
        self.worker.save_model(path)

    def set_tensorboard(self, logdir: str | None) -> None:
        self.worker.set_tensorboard(logdir)

    def want_uncertainty(self, wanted: bool) -> None:
        """Ask for Monte-Carlo dropout maps of the current weights (``uncertainty_changed``), or stop asking."""
        self._mc_wanted = wanted
        self._mc_asked, self._mc_shown = (-1, 0.0), None
        self._ask_uncertainty()

    def want_landscape(self, wanted: bool, pair=None) -> None:
        """Ask for the loss landscape over ``pair`` (two engine.spec.WeightRef; None: the default pair) for the
        current weights (``landscape_changed``), or stop asking (gui/landscape_requests.py says when it asks)."""
        self._landscape.want(wanted, pair)
        self._ask_landscape()

    def stop(self, timeout_ms: int) -> bool:
        return self.worker.stop(timeout_ms=timeout_ms)

    def _set_state(self, state: State) -> None:
        if state is not self._status.state:
            self._status.state = state
            self.state_changed.emit(state)

    # ---------------------------------------------------------------- reacting
    def _on_spec_changed(self, kind: str) -> None:
        if kind == "live":
            self.worker.apply_live(self.document.exp)
        else:
            self.load()

    def poll(self) -> None:
        """Take what the worker published since the last call and announce it (the render timer calls this)."""
        updates = self.worker.take_updates(len(self._rows), self._run_id)
        if updates.run_id != self._run_id:
            self._run_id, self._rows, self._diverged_at = updates.run_id, [], None
            self._mc_asked, self._mc_shown = (-1, 0.0), None
            self._landscape.forget()
            self.run_changed.emit(updates.run_id)
        self._snapshot = updates.snapshot
        if updates.new_rows:
            self._rows.extend(updates.new_rows)
            self.rows_changed.emit(len(self._rows))
        self._take_status(updates.status)
        self._ask_uncertainty()
        if self._mc_wanted and updates.uncertainty is not self._mc_shown:
            self._mc_shown = updates.uncertainty
            if updates.uncertainty is not None:
                self.uncertainty_changed.emit(updates.uncertainty)
        self._ask_landscape()
        if (frame := self._landscape.new_frame(updates.landscape)) is not None:
            self.landscape_changed.emit(frame)

    def _take_status(self, status: Status) -> None:
        previous, self._status = self._status, status
        if status.state is State.DIVERGED and self._diverged_at is None:
            self._diverged_at = status.epoch
            self.diverged_changed.emit(status.epoch)
        if status != previous:
            self.status_changed.emit(status)
        if status.state is not previous.state:
            self.state_changed.emit(status.state)

    def _ask_landscape(self) -> None:
        if self._landscape.due(self.state, self._status.epoch):
            self.worker.request_landscape(self._landscape.pair)

    def _ask_uncertainty(self) -> None:
        """While the map is wanted: a new one for new weights (at most every MC_INTERVAL_S while training)."""
        if not self._mc_wanted or self.state in NO_MODEL:
            return
        epoch, asked_at = self._mc_asked
        now = time.monotonic()
        if self._status.epoch != epoch and (self.state is not State.TRAINING or now - asked_at > MC_INTERVAL_S):
            self._mc_asked = (self._status.epoch, now)
            self.worker.request_uncertainty(MC_PASSES)
