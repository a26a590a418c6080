"""What a running study shows: its runs' curves, its table and its message, as the window reads them.

A leaf of engine.studies: every study (compare, cross-validation, sweeps, the path) fills one, so they all import it
and it imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy stays unloaded until a snapshot is made: the window's start imports this before numpy
    from engine.training.snapshot import Snapshot

Report = Callable[["StudyProgress"], None]
ShouldStop = Callable[[], bool]


@dataclass
class Curve:
    """One run of a study: its metrics rows so far (``Snapshot.metrics_row``) and its latest snapshot."""

    label: str  # "none", "L2", "fold 3", "0.3 (seed 2)"
    rows: list[dict] = field(default_factory=list)  # only appended to
    snapshot: Snapshot | None = None  # the latest (compare keeps it for the weight histograms)
    done: bool = False


@dataclass
class StudyProgress:
    kind: str  # "compare" | "cv" | "sweep" | "path"
    title: str  # what is being studied, for the panel's heading
    metric: str = "accuracy"  # or "rmse" (regression)
    curves: list[Curve] = field(default_factory=list)
    #: summary rows so far, one per variant / finished fold / finished run (see each study for the columns)
    table: list[dict] = field(default_factory=list)
    message: str = ""  # "fold 2 of 5, epoch 40 of 200"
    done: bool = False
    #: compare: {} · cv: {"final": scores over all out-of-sample predictions} ·
    #: sweep: {"param": path, "values": [...], "log_x": bool, "best": value}
    result: dict = field(default_factory=dict)


def row_metric(row: dict) -> str:
    """The metric a metrics row carries: "rmse" (regression) or "accuracy"."""
    return "rmse" if "rmse" in row else "accuracy"


@dataclass
class RunCurves:
    """A study's curves, one per run, for runs that may train at the same time: a run's curve is made (appended to
    the progress) at its first epoch and found again by its key (value and seed, or value, seed and fold)."""

    progress: StudyProgress
    running: dict = field(default_factory=dict)  # run key → its curve, until the run is done

    def add_row(self, key, label: str, row: dict) -> Curve:
        curve = self.running.get(key)
        if curve is None:
            self.progress.metric = row_metric(row)
            curve = self.running[key] = Curve(label)
            self.progress.curves.append(curve)
        curve.rows.append(row)
        return curve

    def finish(self, key, label: str) -> None:
        """The run is done (a run stopped before its first epoch gets an empty curve, so every run has one)."""
        curve = self.running.pop(key, None)
        if curve is None:
            curve = Curve(label)
            self.progress.curves.append(curve)
        curve.done = True
