"""Python's garbage collector runs on the GUI thread only, on a timer (the recipe of pyqtgraph's GarbageCollector).

Python collects reference cycles on whichever thread happens to allocate at the time. When that is the training
thread and the cycles hold Qt objects (a closed dialog, the widgets of a closed window), their C++ halves are
destroyed off the GUI thread, where Qt may crash or deadlock: the training thread waits for a Qt lock that the GUI
thread holds while the GUI thread waits for Python's lock. So :class:`GuiThreadCollector` switches the automatic
collector off and collects on the GUI thread every half second instead, generation by generation, with Python's
own thresholds (``gc.get_threshold``).

The training thread asks for a pause with :func:`held` while it builds a model: the first build imports TensorFlow,
hundreds of thousands of long-lived objects, and collections on the way would cost 1–3 s and find nothing.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500

_holds = 0
_holds_lock = threading.Lock()


@contextmanager
def held() -> Iterator[None]:
    """No collection by the GUI-thread collector while this block runs (it may be entered from any thread)."""
    global _holds
    with _holds_lock:
        _holds += 1
    try:
        yield
    finally:
        with _holds_lock:
            _holds -= 1


def is_held() -> bool:
    return _holds > 0


class GuiThreadCollector(QObject):
    """Create and :meth:`start` on the GUI thread; :meth:`stop` gives collection back to Python."""

    def __init__(self, interval_ms: int = INTERVAL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._was_enabled: bool | None = None

    @property
    def active(self) -> bool:
        return self._was_enabled is not None

    def start(self) -> None:
        if self._was_enabled is None:
            self._was_enabled = gc.isenabled()
            gc.disable()
            self._timer.start()

    def stop(self) -> None:
        if self._was_enabled is not None:
            self._timer.stop()
            if self._was_enabled:
                gc.enable()
            self._was_enabled = None

    def check(self) -> int | None:
        """Collect the oldest generation whose count passed its threshold; the generation collected, or None."""
        if is_held():
            return None
        counts, thresholds = gc.get_count(), gc.get_threshold()
        generation = None
        for g in range(3):
            if counts[g] <= thresholds[g]:
                break
            generation = g
        if generation is not None:
            gc.collect(generation)
        return generation
