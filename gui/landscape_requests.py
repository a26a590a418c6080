"""When the session asks the worker for a loss landscape (gui/session.py's ``want_landscape``): for new weights
only, and while training at most every LANDSCAPE_INTERVAL_S — longer when a landscape takes the worker more than
WORKER_SHARE of that time (≈ 40 ms each on the default preset, engine/training/landscape.py) — so that training
keeps its pace and the window its epoch rate."""

from __future__ import annotations

import time

from engine.live.landscape_work import LandscapeFrame, Pair
from gui.run_state import NO_MODEL, State

LANDSCAPE_INTERVAL_S = 0.3  # the shortest time between two requests while training
LONGEST_INTERVAL_S = 1.0
WORKER_SHARE = 0.1  # of the worker's time, at most, spent on landscapes while training


class LandscapeRequests:
    """What the session asked for (the pair, whether a landscape is wanted at all), what it last asked and showed."""

    def __init__(self) -> None:
        self.wanted = False
        self.pair: Pair | None = None  # None: the default pair (the worker chooses it once per run)
        self.forget()

    def want(self, wanted: bool, pair: Pair | None = None) -> None:
        self.wanted, self.pair = wanted, pair
        self.forget()

    def forget(self) -> None:
        """Ask again at the next chance (a new run, another pair), and announce the next frame."""
        self._asked = (-1, 0.0)  # (epoch, time) of the last request
        self.interval = LANDSCAPE_INTERVAL_S
        self._shown: LandscapeFrame | None = None

    def due(self, state: State, epoch: int) -> bool:
        """True (and remembered as asked) when the worker should compute a landscape now."""
        if not self.wanted or state in NO_MODEL or state is State.STUDY:
            return False
        asked_epoch, asked_at = self._asked
        now = time.monotonic()
        if epoch == asked_epoch or (state is State.TRAINING and now - asked_at < self.interval):
            return False
        self._asked = (epoch, now)
        return True

    def new_frame(self, frame: LandscapeFrame | None) -> LandscapeFrame | None:
        """``frame`` if it is wanted (of the pair asked for now) and not announced yet, else None."""
        if not self.wanted or frame is None or frame is self._shown or frame.asked != self.pair:
            return None
        self._shown = frame
        self.interval = min(max(LANDSCAPE_INTERVAL_S, frame.seconds / WORKER_SHARE), LONGEST_INTERVAL_S)
        return frame
