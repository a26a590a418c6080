"""The live engine's loss-landscape command (mixed into :class:`engine.live.live_engine.LiveEngine`).

The window asks (``request_landscape``, at most every few tenths of a second while the view shows) for the data
loss over the plane of two kernel weights at the current weights; the engine computes it between two epochs
(engine/training/landscape.py, on the engine's thread) and publishes a :class:`LandscapeFrame`: the landscape and
the pair's path over the run's epochs. The path comes from a :class:`KernelHistory` the engine feeds with every
trained epoch's kernels, so that any pair chosen later has its whole path.

A weight is an :class:`engine.spec.WeightRef`: Dense layer ``layer`` counted from 0 (hidden layers, then the
output layer), kernel row ``row`` (the unit it comes from), column ``column`` (the unit it goes to). A pair of None
asks for the engine's default pair (the two largest weights of the first layer), chosen once per run, at the run's
first request, so that it does not jump while the weights change.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from engine.live.vocabulary import Command
from engine.spec import LandscapeChoice, SpecError, WeightRef
from engine.training.snapshot import Snapshot

Pair = tuple[WeightRef, WeightRef]
HISTORY_BYTES = 32 * 2**20  # the kernels kept for paths: beyond this, every other epoch is dropped (see add)


@dataclass(frozen=True)
class LandscapeFrame:
    """One landscape as the window draws it (plain numpy and floats: it crosses threads)."""

    run_id: int  # the run whose weights these are (a new run drops the frame)
    epoch: int  # epochs trained when it was computed
    asked: Pair | None  # the pair asked for (None: the default)
    pair: Pair | None  # the weights of the two axes: the one asked for, else the default pair
    landscape: object | None  # engine.training.landscape.Landscape (a, b, data_loss, penalty, current); None: see note
    epochs: np.ndarray  # the epochs of the pair's path
    path_a: np.ndarray  # the first weight's value after each of those epochs
    path_b: np.ndarray
    note: str = ""  # why the pair shown is not the one asked for ("" when it is)
    seconds: float = 0.0  # the engine's time for it
    kernels: tuple = ()  # every Dense kernel as the landscape was made (the max-norm region needs the rest)


class KernelHistory:
    """Every Dense kernel after each epoch of one run, one row of all kernel weights per epoch.

    Held within HISTORY_BYTES: when full, every other row goes and from then on only every other epoch is kept,
    so a long run keeps its whole path at a coarser step.
    """

    def __init__(self, budget_bytes: int = HISTORY_BYTES) -> None:
        self.budget_bytes = budget_bytes
        self.clear()

    def clear(self, run_id: int = -1) -> None:
        self.run_id = run_id
        self.stride = 1  # epochs between two rows kept
        self._count = 0
        self._epochs = np.zeros(0, np.int64)
        self._rows = np.zeros((0, 0), np.float32)
        self._offsets: list[int] = []
        self._shapes: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return self._count

    def add(self, epoch: int, kernels: list[np.ndarray], run_id: int) -> None:
        """The kernels after ``epoch`` of run ``run_id`` (another run than the last: the history starts again)."""
        if run_id != self.run_id or self._shapes != [k.shape for k in kernels]:
            self.clear(run_id)
            self._start(kernels)
        if epoch % self.stride or (self._count and epoch <= self._epochs[self._count - 1]):
            return
        if self._count == len(self._rows):
            self._grow()
            if epoch % self.stride:
                return
        self._epochs[self._count] = epoch
        row = self._rows[self._count]
        for kernel, start in zip(kernels, self._offsets, strict=True):
            row[start : start + kernel.size] = kernel.ravel()
        self._count += 1

    def add_snapshot(self, snap: Snapshot, run_id: int) -> None:
        self.add(snap.epoch, [layer.kernel for layer in snap.layers], run_id)

    def path(self, weight: WeightRef) -> np.ndarray:
        """The value of ``weight`` after each epoch kept (see :attr:`epochs`)."""
        start, columns = self._offsets[weight.layer], self._shapes[weight.layer][1]
        return self._rows[: self._count, start + weight.row * columns + weight.column].copy()

    @property
    def epochs(self) -> np.ndarray:
        return self._epochs[: self._count].copy()

    def _start(self, kernels: list[np.ndarray]) -> None:
        self._shapes = [k.shape for k in kernels]
        sizes = [k.size for k in kernels]
        self._offsets = [int(s) for s in np.cumsum([0, *sizes[:-1]])]
        width = max(1, sum(sizes))
        self._capacity = max(2, self.budget_bytes // (4 * width))
        self._rows = np.zeros((min(64, self._capacity), width), np.float32)
        self._epochs = np.zeros(len(self._rows), np.int64)

    def _grow(self) -> None:
        """Room for more rows: twice as many while within the budget, else every other epoch dropped."""
        if len(self._rows) < self._capacity:
            size = min(2 * len(self._rows), self._capacity)
            self._rows = np.resize(self._rows, (size, self._rows.shape[1]))  # the first rows are kept as they were
            self._epochs = np.resize(self._epochs, size)
            return
        self.stride *= 2
        keep = self._epochs[: self._count] % self.stride == 0
        kept = int(keep.sum())
        self._rows[:kept] = self._rows[: self._count][keep]
        self._epochs[:kept] = self._epochs[: self._count][keep]
        self._count = kept


def weight_exists(weight: WeightRef, shapes: list[tuple[int, int]]) -> bool:
    if weight.layer >= len(shapes):
        return False
    rows, columns = shapes[weight.layer]
    return weight.row < rows and weight.column < columns


class LandscapeWork:
    """The ``request_landscape`` command and the kernel history that gives its paths."""

    LANDSCAPE_GRID = 41  # points per axis

    def _init_landscape(self) -> None:
        self._kernel_history = KernelHistory()
        self._landscape: LandscapeFrame | None = None
        self._default_pair: tuple[int, Pair] | None = None  # (run id, pair): the default is chosen once per run

    def request_landscape(self, pair: Pair | None) -> None:
        """The data loss over the plane of ``pair`` (None: the default pair) at the current weights, with the
        pair's path so far: published in :class:`engine.live.vocabulary.Updates` as a :class:`LandscapeFrame`."""
        self._send(Command.LANDSCAPE, pair)

    def _current_landscape(self) -> LandscapeFrame | None:
        """The newest frame, if it belongs to the current run (call holding ``_lock``)."""
        frame = self._landscape
        return frame if frame is not None and frame.run_id == self._run_id else None

    def _record_kernels(self, snap: Snapshot) -> None:
        self._kernel_history.add_snapshot(snap, self._run_id)

    def _on_landscape(self, pair: Pair | None) -> None:
        if self._trainer is None:
            return
        from engine.training import landscape as engine_landscape  # TensorFlow: on this thread only

        trainer, run_id, history = self._trainer, self._run_id, self._kernel_history
        start = time.perf_counter()
        kernels = trainer.weights_now()[0][::2]  # kernels and biases alternate
        if history.run_id != run_id or not len(history):
            history.add(trainer.epoch, kernels, run_id)  # where the path starts (epoch 0: the seed's weights)
        asked, note = pair, ""
        if pair is not None and not all(weight_exists(w, [k.shape for k in kernels]) for w in pair):
            note = f"The weights {LandscapeChoice(pair).text} are not in this network: the default pair is shown"
            pair = None
        try:
            pair = pair or self._run_default_pair(engine_landscape, kernels, run_id)
            path = np.stack([history.path(pair[0]), history.path(pair[1])], axis=1)
            landscape = engine_landscape.compute_landscape(trainer, pair, grid=self.LANDSCAPE_GRID, around=path)
        except SpecError as exc:  # a network too small for a pair: said in the view, the run goes on
            frame = LandscapeFrame(run_id, trainer.epoch, asked, pair, None, np.zeros(0), np.zeros(0), np.zeros(0),
                                   f"No loss landscape: {exc}")
        else:
            frame = LandscapeFrame(run_id, trainer.epoch, asked, pair, landscape, history.epochs, path[:, 0],
                                   path[:, 1], note, time.perf_counter() - start, tuple(kernels))
        with self._lock:
            self._landscape = frame

    def _run_default_pair(self, engine_landscape, kernels: list[np.ndarray], run_id: int) -> Pair:
        if self._default_pair is None or self._default_pair[0] != run_id:
            self._default_pair = (run_id, tuple(engine_landscape.default_pair(kernels)))
        return self._default_pair[1]
