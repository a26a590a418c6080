"""Reference cycles are collected on the GUI thread, on a timer, never on the training thread (gui/garbage.py)."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtWidgets import QWidget

from gui import garbage
from gui.garbage import GuiThreadCollector


class Cycle:
    def __init__(self):
        self.me = self
        self.widget = QWidget()  # a Qt object in the cycle, as in a closed dialog


def make_garbage(freed_on: list[str]) -> weakref.ref:
    cycle = Cycle()
    return weakref.ref(cycle, lambda _ref: freed_on.append(threading.current_thread().name))


def allocate_a_lot(kept: list) -> None:
    """Far past gen-0's threshold of 700 new containers: Python itself would collect on this thread."""
    kept.extend([[], {}] for _ in range(50_000))


def test_the_automatic_collector_is_off_and_the_gui_thread_collects(qtbot, gui_thread_collector):
    assert gui_thread_collector.active and not gc.isenabled()
    freed_on: list[str] = []
    gc.collect()  # earlier tests' garbage out of the way
    ref = make_garbage(freed_on)
    kept: list = []
    worker = threading.Thread(target=allocate_a_lot, args=(kept,), name="training")
    worker.start()
    worker.join()
    assert ref() is not None and freed_on == []  # the other thread allocated a lot, and collected nothing
    qtbot.waitUntil(lambda: ref() is None, timeout=5000)
    assert freed_on == [threading.main_thread().name]


def test_no_collection_while_held(qtbot, gui_thread_collector):
    freed_on: list[str] = []
    kept: list = []
    with garbage.held():
        ref = make_garbage(freed_on)
        allocate_a_lot(kept)
        assert gui_thread_collector.check() is None
        qtbot.wait(1200)  # two ticks of the timer
        assert ref() is not None
    qtbot.waitUntil(lambda: ref() is None, timeout=5000)


def test_check_collects_the_oldest_generation_past_its_threshold():
    collector = GuiThreadCollector()
    collector.start()  # already started by the session's collector: nothing changes
    try:
        gc.collect()
        assert collector.check() is None  # nothing counted yet
        kept: list = []
        allocate_a_lot(kept)
        assert collector.check() == 0
        for _ in range(gc.get_threshold()[1] + 1):
            allocate_a_lot(kept)
            gc.collect(0)  # each counts once towards generation 1
        allocate_a_lot(kept)
        assert collector.check() == 1
    finally:
        collector.stop()
    assert not gc.isenabled()  # the session's collector still owns the setting


def test_stop_gives_collection_back_to_python(qtbot, gui_thread_collector):
    gui_thread_collector.stop()
    try:
        assert gc.isenabled()
    finally:
        gui_thread_collector.start()
    assert not gc.isenabled()
