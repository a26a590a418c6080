"""The render timer's turns: a group of views a tick, chores on ticks of their own, a new run clears what was drawn."""

from __future__ import annotations

import fakes
from PySide6.QtCore import QObject

from gui.live.live_view import Frame
from gui.render_loop import RenderLoop
from gui.run_state import Status


class View:
    def __init__(self, name: str, log: list) -> None:
        self.name, self.log = name, log

    def show_frame(self, frame: Frame) -> None:
        self.log.append(("draw", self.name))

    def clear(self) -> None:
        self.log.append(("clear", self.name))

    def __str__(self) -> str:
        return self.name


def make_loop(frames: list[Frame]):
    """A loop over two groups of views (a, then b and c) whose frames come from ``frames`` (the last one repeats)."""
    log: list = []
    views = [View(name, log) for name in "abc"]
    polls: list[int] = []
    owner = QObject()
    loop = RenderLoop(owner, lambda: polls.append(1), lambda: frames[min(len(polls), len(frames)) - 1],
                      [(views[0],), (views[1], views[2])], [])
    loop.owner = owner  # keeps the parent alive as long as the test holds the loop
    return loop, log, polls


EMPTY = Frame(None, [], Status(), early_stopping=False)
WITH_ROWS = Frame(None, [{"epoch": 1, "loss": 0.5}], Status(), early_stopping=False)


def test_each_tick_draws_one_group_in_turn():
    loop, log, polls = make_loop([EMPTY])
    for _ in range(3):
        loop.render()
    assert log == [("draw", "b"), ("draw", "c"), ("draw", "a"), ("draw", "b"), ("draw", "c")]
    assert len(polls) == 3 and loop.turns == ["a", "b + c"]


def test_chores_take_a_tick_each_before_the_views_draw_again():
    loop, log, polls = make_loop([EMPTY])
    loop.add_chore("network", lambda: log.append(("chore", "network")))
    loop.add_chore("boundary", lambda: log.append(("chore", "boundary")))
    loop.render()
    assert log == [("chore", "network")] and loop.tick == 0 and len(polls) == 1  # the news is taken all the same
    loop.render()
    assert log[-1] == ("chore", "boundary") and loop.tick == 0
    loop.render()
    assert log[2:] == [("draw", "b"), ("draw", "c")] and not loop.chores


def test_a_generator_chore_takes_a_tick_a_step():
    loop, log, _ = make_loop([EMPTY])

    def steps():
        log.append("points")
        yield
        log.append("frame")
        yield

    loop.add_chore("panel", steps())
    loop.add_chore("after", lambda: log.append("after"))
    for _ in range(3):
        loop.render()
    assert log == ["points", "frame", "after"]
    loop.render()
    assert log[3:] == [("draw", "b"), ("draw", "c")]


def test_a_newer_chore_replaces_a_waiting_one_of_its_name_in_its_place():
    loop, log, _ = make_loop([EMPTY])
    loop.add_chore("network", lambda: log.append("old network"))
    loop.add_chore("boundary", lambda: log.append("boundary"))
    loop.add_chore("network", lambda: log.append("new network"))
    loop.render()
    loop.render()
    assert log == ["new network", "boundary"]


def test_a_new_run_clears_only_views_that_were_given_something():
    loop, log, _ = make_loop([EMPTY, WITH_ROWS])
    loop.render()  # an empty frame: the views have nothing of the run
    loop.clear()
    assert not [entry for entry in log if entry[0] == "clear"]
    loop.render()  # a frame with a row
    log.clear()
    loop.clear()
    assert sorted(log) == [("clear", "a"), ("clear", "b"), ("clear", "c")]
    log.clear()
    loop.clear()  # nothing drawn since
    assert log == []
    loop.drawn_outside_frames()  # e.g. the uncertainty map
    loop.clear()
    assert len(log) == 3


def test_a_data_set_reaches_the_window_views_a_step_a_tick(qtbot, window):
    ds = fakes.dataset(n=60)
    loop, boundary, panel = window.render_loop, window.boundary_view, window.data_panel
    loop.timer.stop()  # the test turns the ticks
    window.session.dataset_changed.emit(ds)
    assert list(loop.chores) == ["network", "boundary", "data panel"]
    assert panel.preview_counts() != (42, 18)
    seen, tick = [], loop.tick
    for _ in range(6):
        loop.render()
        seen.append((len(boundary.train_points.data), len(boundary.val_points.data), panel.preview_counts(),
                     panel.preview_label.text().startswith("42 training points"), loop.tick))
    old = seen[0]  # the network's tick: the data of the window's own run still shows
    assert seen[1][:2] == (42, old[1])  # the boundary view's training points
    assert seen[2][:2] == (42, 18) and seen[2][2] == old[2]  # its validation points
    assert seen[3][2] == (42, 18) and not seen[3][3]  # the preview's points
    assert seen[4][3] and not loop.chores and seen[4][4] == tick  # the preview's frame and caption
    assert loop.tick == (tick + 1) % len(loop.groups)  # five ticks of chores, then the views' next turn
