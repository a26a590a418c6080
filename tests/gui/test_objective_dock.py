"""The Objective dock is as tall as the objective it shows needs, up to a share of the window: a lesson with one
penalty leaves the live views the height the default's notes on dropout need, a long objective scrolls."""

from __future__ import annotations

from fakes import DEFAULT

from engine.spec import Experiment
from gui.window_layout import FORMULA_SHARE


def objective(kind: str) -> Experiment:
    """DEFAULT's network with only L1 on its kernels (4 rows, no notes), or 3 layers with every penalty (long)."""
    exp = Experiment.from_dict(DEFAULT)
    exp.training.epochs = 100_000
    if kind == "l1":
        for layer in exp.network.hidden:
            layer.dropout = 0.0
            layer.kernel_regularizer.l1, layer.kernel_regularizer.l2 = 0.001, 0.0
    else:
        spec = {"units": 8, "activation": "relu", "dropout": 0.3,
                "kernel_regularizer": {"l1": 0.001, "l2": 0.001}, "bias_regularizer": {"l1": 0.0, "l2": 0.01},
                "activity_regularizer": {"l1": 0.0001, "l2": 0.0}}
        exp = Experiment.from_dict({**DEFAULT, "network": {"input_dropout": 0.1, "hidden": [spec] * 3}})
    return exp


def room(window) -> tuple[int, int]:
    """(the height the dock's scroll area shows, the height the objective needs at its width)."""
    scroll = window.formula_dock.widget()
    return scroll.viewport().height(), window.formula_view.needed_height(scroll.viewport().width())


def test_a_shorter_objective_gives_its_spare_height_to_the_live_views(qtbot, window):
    before, views = window.formula_dock.height(), window.splitter.height()
    window.document.replace(objective("l1"))
    qtbot.waitUntil(lambda: window.formula_dock.height() < before - 30, timeout=2000)
    shown, needed = room(window)
    assert needed <= shown <= needed + 4  # whole, and no empty rows under it
    assert not window.formula_dock.widget().verticalScrollBar().isVisible()
    assert window.splitter.height() >= views + (before - window.formula_dock.height()) - 10  # the views took it
    assert "Layer 2 kernel (L1)" in window.formula_view.text()

    short = window.formula_dock.height()
    window.document.replace(Experiment.from_dict(DEFAULT))  # notes on L2 and dropout again: taller
    qtbot.waitUntil(lambda: window.formula_dock.height() > short + 30, timeout=2000)
    shown, needed = room(window)
    assert needed <= shown <= needed + 4 or window.formula_dock.height() >= FORMULA_SHARE * window.height() - 5


def test_a_long_objective_takes_at_most_its_share_and_scrolls(qtbot, window):
    window.document.replace(objective("long"))
    qtbot.wait(50)  # sized on the event loop's next pass
    shown, needed = room(window)
    assert needed > FORMULA_SHARE * window.height()  # 3 layers × 3 penalties, notes on L2, activity and dropout
    assert window.formula_dock.height() <= FORMULA_SHARE * window.height() + 5  # (and its frame's pixels)
    assert window.formula_dock.widget().verticalScrollBar().isVisible()  # the rest is a scroll away
    assert "Layer 3 activity (L1)" in window.formula_view.text()


def test_an_objective_changed_while_the_study_shows_comes_back_at_its_new_height(qtbot, window, monkeypatch):
    from test_study_view import compare_progress

    progress = compare_progress(done=True)
    monkeypatch.setattr(window.session.worker, "take_study", lambda: progress)
    window.studies.started.emit(progress.kind)
    qtbot.waitUntil(lambda: window.study_view._progress is progress, timeout=5000)
    assert not window.formula_dock.isVisible()  # lent to the study
    before = window._objective_lent
    window.document.replace(objective("l1"))
    qtbot.waitUntil(lambda: window._objective_lent < before - 30, timeout=2000)
    assert not window.formula_dock.isVisible()  # still lent
    window.show_study(False)
    qtbot.wait(50)
    shown, needed = room(window)
    assert needed <= shown <= needed + 4
