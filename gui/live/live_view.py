"""The live views as the window's render loop sees them: a :class:`Frame` of what the run has published, handed
in turn to each :class:`LiveView`.

The render loop (gui/render_loop.py) draws one group of live views per tick of its timer; each view draws
from the frame what is new to it and nothing else. A new run (``TrainingSession.run_changed``) clears every one.
The views predate this interface: the ``…Turn`` classes below give each the two methods, from the calls it has
(``show_snapshot``, ``set_history``, ``show_progress``, ``clear``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from engine.studies.study import StudyProgress
from engine.training.snapshot import Snapshot
from gui.live.loss_view import LossPart, LossView
from gui.live.weights_view import WeightsPart, WeightsView
from gui.run_state import State, Status

WEIGHT_PARTS = 3  # the weights view's columns are drawn over this many ticks (see live_view_groups)


@dataclass(frozen=True)
class Frame:
    """What one tick of the render timer hands the live views."""

    snapshot: Snapshot | None  # the run's newest snapshot (None before its first epoch)
    rows: Sequence[dict]  # every metrics row of the run, in epoch order
    status: Status
    early_stopping: bool  # the experiment stops early (the best epoch is marked)
    study: StudyProgress | None = None  # the study's progress, when its tab shows
    study_shown: bool = False


class LiveView(Protocol):
    """A live view, or the part of one that a tick draws."""

    def show_frame(self, frame: Frame) -> None:
        """Draw what ``frame`` holds that this view has not drawn yet; nothing new: nothing drawn."""

    def clear(self) -> None:
        """A new run: forget the last one's pictures (nothing shows until the new run's first frame)."""


class SnapshotView(Protocol):
    def show_snapshot(self, snap: Snapshot) -> None: ...


class HistoryView(Protocol):
    def set_history(self, rows: Sequence[dict]) -> None: ...

    def set_best_epoch(self, epoch: int | None, stopped: bool = False) -> None: ...


class ProgressView(Protocol):
    def show_progress(self, progress: StudyProgress | None) -> None: ...


class _Turn:
    def __init__(self, name: str, clear: Callable[[], None] | None) -> None:
        self._name, self._clear = name, clear
        self.drawn = None  # what the view shows: the snapshot, or the number of rows

    def clear(self) -> None:
        self.drawn = None
        if self._clear is not None:
            self._clear()

    def __str__(self) -> str:
        return self._name


class SnapshotTurn(_Turn):
    """A view that draws the newest snapshot (the network, weights columns, the decision boundary, the objective)."""

    def __init__(self, view: SnapshotView, name: str, clear: Callable[[], None] | None = None) -> None:
        super().__init__(name, clear)
        self.view = view

    def show_frame(self, frame: Frame) -> None:
        if frame.snapshot is not None and frame.snapshot is not self.drawn:
            self.drawn = frame.snapshot
            self.view.show_snapshot(frame.snapshot)


class HistoryTurn(_Turn):
    """A view that draws every row of the run (a loss view's plot) and the best epoch while stopping early."""

    def __init__(self, view: HistoryView, name: str, clear: Callable[[], None] | None = None) -> None:
        super().__init__(name, clear)
        self.view = view

    def show_frame(self, frame: Frame) -> None:
        if self.drawn != len(frame.rows):
            self.drawn = len(frame.rows)
            self.view.set_history(frame.rows)
            stopping = frame.early_stopping
            self.view.set_best_epoch(frame.status.best_epoch if stopping else None,
                                     stopped=stopping and frame.status.state is State.FINISHED)


class StudyTurn(_Turn):
    """The study view: the study's progress, drawn while its tab shows (a study is not part of the live run)."""

    def __init__(self, view: ProgressView, name: str) -> None:
        super().__init__(name, None)
        self.view = view

    def show_frame(self, frame: Frame) -> None:
        if frame.study_shown:
            self.view.show_progress(frame.study)


def live_view_groups(network, losses: LossView, weights: WeightsView, boundary, formula,
                     study) -> tuple[list[tuple[LiveView, ...]], list[SnapshotTurn]]:
    """The render timer's turns, one group of live views each, and the views among them that draw snapshots.

    One view a turn, and the two heaviest views in parts: the loss view's two plots, and the weights view's columns
    (histogram, heat map and their axes, per layer) over WEIGHT_PARTS turns. Drawn whole, either made the longest
    frames. The objective's few labels share the last weights turn. The first part of a view clears the whole view
    for a new run.
    """
    weight_turns = [SnapshotTurn(part, str(part), weights.clear if part.part == 0 else None)
                    for part in (WeightsPart(weights, i, WEIGHT_PARTS) for i in range(WEIGHT_PARTS))]
    loss_turns = [HistoryTurn(part, str(part), losses.clear if part.plot == 0 else None)
                  for part in (LossPart(losses, plot) for plot in (0, 1))]
    network_turn = SnapshotTurn(network, "NetworkView", network.clear_snapshot)
    boundary_turn = SnapshotTurn(boundary, "BoundaryView", boundary.clear)
    formula_turn = SnapshotTurn(formula, "FormulaView")
    groups = [(network_turn,), (weight_turns[0],), (loss_turns[0],), (weight_turns[1],), (boundary_turn,),
              (loss_turns[1],), (weight_turns[2], formula_turn, StudyTurn(study, "StudyView"))]
    return groups, [network_turn, boundary_turn, formula_turn, *weight_turns]
