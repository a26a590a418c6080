"""The render timer: each tick takes what the engine published and draws one group of live views, or one chore.

Painting every view in one tick would take longer than a frame, so the views take turns (gui/live/live_view.py):
each tick redraws one group, and every view shows the newest snapshot RENDER_HZ / len(groups) times a second.

Work that arrives outside the views' turns — a new data set re-scatters the decision-boundary plot and the data
panel's preview, and may redraw the network for a new shape — is a *chore*: a function, or a generator whose every
step ends with a ``yield``, and each call or step takes a tick of its own in place of that tick's views, so no tick
does (and paints) more than one piece of it. Done all at once, the data set's arrival made the slowest frames while
the engine starts. A newer chore of the same name replaces a waiting one: only the latest data set is drawn. Chores
run before the views draw again, so a view never draws a snapshot of data it has not been given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QTimer

from engine.training.snapshot import Snapshot
from gui.live.live_view import Frame, LiveView, SnapshotTurn

RENDER_HZ = 60  # render timer ticks per second


class RenderLoop(QObject):
    def __init__(self, parent: QObject, poll: Callable[[], None], frame: Callable[[], Frame],
                 groups: list[tuple[LiveView, ...]], snapshot_turns: list[SnapshotTurn]) -> None:
        """``poll`` takes the engine's news (a new run calls :meth:`clear`); ``frame`` is what the views draw."""
        super().__init__(parent)
        self._poll, self._frame = poll, frame
        self.groups, self.snapshot_turns = groups, snapshot_turns
        self.tick = 0  # the group of live views drawn last
        self.chores: dict[str, Iterator[None]] = {}  # the steps left, by name, in the order the chores came
        self._blank = True  # no view has been handed a snapshot or a row since the last clear
        self.timer = QTimer(self)
        self.timer.setInterval(1000 // RENDER_HZ)
        self.timer.timeout.connect(self.render)

    def add_chore(self, name: str, chore: Callable[[], object] | Iterator[None]) -> None:
        """Run ``chore`` (a function, or a generator's steps) on ticks of its own before the views draw again; it
        replaces a waiting chore of that name."""
        self.chores[name] = chore if isinstance(chore, Iterator) else _one_step(chore)

    def drawn_outside_frames(self) -> None:
        """A view drew something of the run that no frame brought (the uncertainty map): a new run clears it."""
        self._blank = False

    def render(self) -> None:
        """Timer slot: take the engine's news, then run the oldest chore or draw the next group of views."""
        self._poll()
        while self.chores:
            name = next(iter(self.chores))
            try:
                next(self.chores[name])
                return
            except StopIteration:  # its last step ran on an earlier tick
                del self.chores[name]
        frame = self._frame()
        if frame.snapshot is not None or frame.rows:
            self._blank = False
        self.tick = (self.tick + 1) % len(self.groups)
        for view in self.groups[self.tick]:
            view.show_frame(frame)

    def clear(self) -> None:
        """A new run: every view forgets the last one's pictures (views that never drew have nothing to forget)."""
        if self._blank:
            return
        self._blank = True
        for group in self.groups:
            for view in group:
                view.clear()

    @property
    def turns(self) -> list[str]:
        """What each tick draws, in turn (for benchmarks): e.g. "WeightsView 1/3"."""
        return [" + ".join(str(view) for view in group) for group in self.groups]

    @property
    def shown_snapshot(self) -> Snapshot | None:
        """The newest snapshot every view that draws snapshots has drawn (None until all have)."""
        shown = [turn.drawn for turn in self.snapshot_turns]
        return shown[0] if all(s is shown[0] for s in shown) else None


def _one_step(chore: Callable[[], object]) -> Iterator[None]:
    chore()
    yield
