"""The live run's vocabulary, shared by the engine (engine/live/live_engine.py, in its own process) and the window
(gui/training_worker.py, gui/session.py): the states a run is in, the commands the engine takes, and what it
publishes.

States and commands are enums: code decides by comparing members, never by reading message text. ``State`` is a
``StrEnum`` because its value is also what the status bar shows ("training · epoch 12").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum, auto
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy stays unloaded until a snapshot arrives: the window's start imports this before numpy
    from engine.training.snapshot import Snapshot


class State(StrEnum):
    STARTING = auto()  # the engine has not built anything yet
    LOADING = auto()  # reading the data and building the model
    READY = auto()  # built, no epoch trained since (a new run or a Reset)
    TRAINING = auto()
    PAUSED = auto()
    FINISHED = auto()  # the epoch limit, or early stopping, ended the run
    DIVERGED = auto()  # the loss or the weights became NaN/inf (engine.training.trainer.TrainingDiverged)
    ERROR = auto()  # the data could not be read, or the engine failed
    STUDY = auto()  # a study trains; the live run waits


#: States in which Play and Step do nothing: the run has to be rebuilt (an edit) or Reset first.
STUCK = frozenset({State.DIVERGED, State.ERROR})
#: States without a model to ask for predictions.
NO_MODEL = frozenset({State.STARTING, State.LOADING, State.ERROR})


class Command(Enum):
    """What the window asks the engine to do; each has a handler in ``LiveEngine.HANDLERS``."""

    LOAD = auto()  # payload: Experiment (a new run)
    LIVE = auto()  # payload: Experiment (dropout rates, λ, learning rate changed: weights kept)
    PLAY = auto()
    PAUSE = auto()
    STEP = auto()
    RESET = auto()
    SPEED = auto()  # payload: epochs per second, or None for as fast as possible
    STUDY = auto()  # payload: (kind, parameters)
    STUDY_JOBS = auto()  # payload: trainings at once for the next studies (1: in the engine's own thread)
    SAVE = auto()  # payload: the .keras path
    TENSORBOARD = auto()  # payload: a log folder, or None to stop logging
    UNCERTAINTY = auto()  # payload: the number of Monte-Carlo passes
    LANDSCAPE = auto()  # payload: two engine.spec.WeightRef, or None: the default pair (engine/live/landscape_work.py)


#: Commands where, of several queued back to back, only the last matters (each replaces what the one before set).
COALESCED = frozenset({Command.LOAD, Command.LIVE, Command.RESET, Command.SPEED})


@dataclass
class Status:
    state: State = State.STARTING
    epoch: int = 0
    epochs_per_second: float = 0.0
    message: str = ""
    best_epoch: int = 0  # lowest val_loss so far (early stopping restores this epoch's weights)


@dataclass
class Updates:
    """What the engine has published since the window last looked."""

    run_id: int  # changes when a new run starts (new network or data, or Reset): clear the views
    snapshot: Snapshot | None  # the latest snapshot of this run (None before the first epoch)
    new_rows: list[dict] = field(default_factory=list)  # metrics rows not taken before, in epoch order
    status: Status = field(default_factory=Status)
    #: Monte-Carlo dropout on the decision grid, (mean, std), after request_uncertainty (None until then)
    uncertainty: tuple | None = None
    #: the loss landscape, an engine.live.landscape_work.LandscapeFrame, after request_landscape (None until then)
    landscape: object | None = None
