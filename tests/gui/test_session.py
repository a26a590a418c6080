"""The session model (gui/session.py) on a scripted worker: what it announces, and when it stays quiet; the
worker's dispatch table; decisions made by type, not by message text."""

from __future__ import annotations

import fakes
import pytest
from PySide6.QtCore import QObject, Signal

from engine.live.live_engine import LiveEngine
from engine.spec import NewerFormatError, SpecError
from gui.document import ExperimentDocument
from gui.file_actions import open_error_text
from gui.run_state import COALESCED, Command, State, Status, Updates
from gui.session import MC_PASSES, TrainingSession
from gui.training_worker import TrainingWorker


class ScriptedWorker(QObject):
    """Stands in for TrainingWorker: publishes what the test sets, records the commands it is sent."""

    dataset_ready = Signal(object)
    failed = Signal(str)
    saved = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple] = []
        self.run_id, self.rows, self.snapshot = 1, [], None
        self.status, self.uncertainty = Status(), None

    def publish(self, state: State | None = None, rows: int = 0, **status) -> None:
        """``rows`` more epochs trained; the status' fields as given."""
        for _ in range(rows):
            self.rows.append({"epoch": len(self.rows) + 1, "loss": 1.0 / (len(self.rows) + 1)})
        self.status = Status(state=state or self.status.state, epoch=len(self.rows), **status)

    def new_run(self) -> None:
        self.run_id, self.rows = self.run_id + 1, []
        self.status = Status(state=State.READY)

    def take_updates(self, rows_seen: int, run_id: int) -> Updates:
        start = rows_seen if run_id == self.run_id else 0
        return Updates(self.run_id, self.snapshot, self.rows[start:], Status(**vars(self.status)), self.uncertainty)

    def take_study(self):
        return None

    def __getattr__(self, name):  # every command: recorded
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.sent.append((name, *args))


class Recorder:
    """Every emission of the session's signals, in order: (signal name, value)."""

    NAMES = ("run_changed", "rows_changed", "status_changed", "state_changed", "diverged_changed", "file_changed",
             "dirty_changed", "experiment_changed", "uncertainty_changed", "dataset_changed")

    def __init__(self, session: TrainingSession) -> None:
        self.seen: list[tuple[str, object]] = []
        for name in self.NAMES:
            getattr(session, name).connect(lambda value, name=name: self.seen.append((name, value)))

    def take(self, *names: str) -> list[tuple[str, object]]:
        """The emissions since the last take (only ``names``, if given); forgets them all."""
        seen, self.seen = self.seen, []
        return [(n, v) for n, v in seen if not names or n in names]


@pytest.fixture
def session(qtbot):
    worker = ScriptedWorker()
    s = TrainingSession(ExperimentDocument(fakes.experiment()), worker)
    yield s
    s.document.deleteLater()


def test_status_and_state_are_announced_when_they_change_only(session):
    seen = Recorder(session)
    worker = session.worker
    worker.publish(State.READY)
    session.poll()
    assert seen.take("state_changed") == [("state_changed", State.READY)]
    session.poll()  # nothing new
    assert seen.take() == []
    worker.publish(State.TRAINING, rows=3, epochs_per_second=50.0)
    session.poll()
    emitted = seen.take("status_changed", "state_changed")
    assert emitted == [("status_changed", Status(State.TRAINING, 3, 50.0)), ("state_changed", State.TRAINING)]
    worker.publish(rows=2, epochs_per_second=50.0)  # still training: the status changes, the state does not
    session.poll()
    assert [n for n, _ in seen.take("status_changed", "state_changed")] == ["status_changed"]
    assert session.status.epoch == 5 and session.state is State.TRAINING


def test_rows_are_appended_and_a_new_run_starts_empty(session):
    seen = Recorder(session)
    worker = session.worker
    worker.publish(State.TRAINING, rows=3)
    session.poll()
    assert seen.take("run_changed", "rows_changed") == [("run_changed", 1), ("rows_changed", 3)]
    worker.publish(rows=2)
    session.poll()
    assert seen.take("rows_changed") == [("rows_changed", 5)]
    assert [r["epoch"] for r in session.rows] == [1, 2, 3, 4, 5]
    session.poll()
    assert seen.take("rows_changed") == []  # no new rows: no signal
    worker.new_run()
    session.poll()
    assert seen.take("run_changed", "rows_changed") == [("run_changed", 2)]
    assert session.rows == [] and session.run_id == 2
    worker.publish(State.TRAINING, rows=1)
    session.poll()
    assert seen.take("rows_changed") == [("rows_changed", 1)] and session.rows[0]["epoch"] == 1


def test_commands_set_the_state_they_lead_to_at_once(session):
    seen = Recorder(session)
    session.worker.publish(State.READY)
    session.poll()
    seen.take()
    assert session.toggle_play() is State.TRAINING  # before the worker has answered
    assert session.worker.sent[-1] == ("play",) and seen.take() == [("state_changed", State.TRAINING)]
    assert session.toggle_play() is State.PAUSED
    assert session.worker.sent[-1] == ("pause",) and seen.take() == [("state_changed", State.PAUSED)]
    session.start_study("cv", folds=3)
    assert session.worker.sent[-1] == ("start_study", "cv") and session.state is State.STUDY


def test_divergence_is_announced_once_per_run_with_its_epoch(session):
    seen = Recorder(session)
    worker = session.worker
    worker.publish(State.TRAINING, rows=7)
    session.poll()
    worker.publish(State.DIVERGED, message="Training diverged at epoch 8")
    session.poll()
    assert seen.take("diverged_changed") == [("diverged_changed", 7)]
    session.toggle_play()  # Play after a divergence: the worker stays diverged
    session.poll()
    assert session.state is State.DIVERGED and seen.take("diverged_changed") == []
    worker.new_run()
    worker.publish(State.TRAINING, rows=2)
    session.poll()
    worker.publish(State.DIVERGED)
    session.poll()
    assert seen.take("diverged_changed") == [("diverged_changed", 2)]


def test_dirty_flag_follows_edits_saves_and_undo(session, tmp_path):
    seen = Recorder(session)
    doc = session.document
    assert not session.dirty
    doc.edit("Units", lambda e: setattr(e.network.hidden[0], "units", 5))
    assert session.dirty and seen.take("dirty_changed") == [("dirty_changed", True)]
    session.mark_saved(tmp_path / "lab.json")
    assert not session.dirty and seen.take("dirty_changed", "file_changed") == [
        ("file_changed", (tmp_path / "lab.json").resolve()), ("dirty_changed", False)]
    doc.undo_stack.undo()  # back past the save: unsaved again
    assert session.dirty and seen.take("dirty_changed") == [("dirty_changed", True)]


def test_current_file_and_opened_experiments(session, tmp_path):
    seen = Recorder(session)
    assert session.path is None and session.display_name == session.document.exp.name
    other = fakes.experiment(name="Other")
    session.open(other, tmp_path / "other.json")
    path = (tmp_path / "other.json").resolve()
    assert session.path == path and session.display_name == "other.json" and not session.dirty
    assert seen.take("file_changed", "experiment_changed") == [("file_changed", path), ("experiment_changed", other)]
    assert session.worker.sent[-1][0] == "load"  # a new experiment: a new run
    session.set_path(tmp_path / "." / "other.json")  # the same file
    assert seen.take("file_changed") == []
    session.open(fakes.experiment(), None)  # a preset or New: untitled
    assert session.path is None and seen.take("file_changed") == [("file_changed", None)]


def test_edits_reach_the_worker_live_or_as_a_new_run(session):
    doc = session.document
    doc.edit("λ", lambda e: setattr(e.network.hidden[0].kernel_regularizer, "l2", 0.01))
    assert session.worker.sent[-1][0] == "apply_live"
    doc.edit("Units", lambda e: setattr(e.network.hidden[0], "units", 3))
    name, exp = session.worker.sent[-1]
    assert name == "load" and exp.network.hidden[0].units == 3


def test_uncertainty_is_asked_for_new_weights_and_announced_once(session):
    seen = Recorder(session)
    worker = session.worker
    worker.publish(State.PAUSED, rows=4)
    session.poll()
    session.want_uncertainty(True)
    assert worker.sent[-1] == ("request_uncertainty", MC_PASSES)
    session.poll()
    assert worker.sent.count(("request_uncertainty", MC_PASSES)) == 1  # the same weights: not asked again
    worker.uncertainty = ("mean", "std")
    session.poll()
    session.poll()
    assert seen.take("uncertainty_changed") == [("uncertainty_changed", ("mean", "std"))]
    session.want_uncertainty(False)
    worker.uncertainty = ("mean 2", "std 2")
    session.poll()
    assert seen.take("uncertainty_changed") == []


def test_every_engine_command_has_a_handler_of_the_engine():
    assert set(LiveEngine.HANDLERS) == set(Command)
    for command, handler in LiveEngine.HANDLERS.items():
        assert getattr(LiveEngine, handler.__name__) is handler, command
    assert COALESCED <= set(Command)


def test_engine_commands_without_a_model_change_nothing(qtbot):
    """Handlers called as the loop calls them, before any model exists: no error, the state stays."""
    worker = TrainingWorker(engine=LiveEngine())
    engine = worker.engine
    for command, payload in ((Command.PLAY, None), (Command.PAUSE, None), (Command.STEP, None),
                             (Command.RESET, None), (Command.SPEED, 20.0), (Command.UNCERTAINTY, 5),
                             (Command.TENSORBOARD, None), (Command.STUDY_JOBS, (1, False))):
        LiveEngine.HANDLERS[command](engine, payload)
    assert worker.take_updates(0, -1).status.state is State.STARTING and worker.take_updates(0, -1).run_id == 0
    with qtbot.waitSignal(worker.failed) as failed:
        LiveEngine.HANDLERS[Command.SAVE](engine, "model.keras")
        worker.deliver_events()
    assert "no model yet" in failed.args[0]


def test_a_newer_file_is_told_by_its_error_type_not_its_words(tmp_path):
    path = tmp_path / "lab.json"
    newer = open_error_text(path, NewerFormatError("reglab: format version 9 is newer than this RegLab reads (1)"))
    assert newer.startswith("lab.json was saved by a newer RegLab") and "Update RegLab" in newer
    other = open_error_text(path, SpecError("reglab: name: a newer name is needed"))
    assert other == "lab.json: reglab: name: a newer name is needed"
