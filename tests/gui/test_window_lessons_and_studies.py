"""The window's teaching tools driven like a teacher: lessons, presentation mode, studies, early stopping,
the Monte-Carlo dropout map and the dropout style."""

from __future__ import annotations

import numpy as np
import pytest
from pictures import distinct_colours

from engine.studies.study import classic_variants, regularization_label, run_summary
from gui.panels.lesson_panel import lesson_files
from gui.run_state import State
from gui.window_layout import LESSON_SHARE, presentation_zoom


def menu_actions(window, title: str) -> list:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == title)
    return [a for a in menu.actions() if not a.isSeparator()]


def formula_text(window) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in window.formula_view.findChildren(QLabel))


def study_done(window):
    progress = window.session.worker.take_study()
    return progress is not None and progress.done and window.study_view._progress is progress


def test_lessons_menu_opens_a_lesson_and_shows_its_text(qtbot, window):
    actions = menu_actions(window, "Lessons")
    assert len(actions) >= 10 and len(actions) == len(lesson_files())
    actions[0].trigger()
    lesson = window.document.exp.lesson
    assert lesson is not None and lesson.title in actions[0].text()
    assert window.lesson_dock.isVisible()
    assert window.lesson_panel.title.text() == lesson.title and window.lesson_panel.text.text() == lesson.text
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)

    studied = next(path for _, path in lesson_files() if '"study"' in path.read_text())  # sweep or cv lesson
    window.open_experiment(studied)
    assert window.lesson_panel.study_button.isVisibleTo(window.lesson_panel)


def test_presentation_zoom_is_big_on_big_screens_and_moderate_on_small_projectors():
    assert presentation_zoom(1920, 1080) == presentation_zoom(1600, 1000) == 1.6
    assert presentation_zoom(1024, 768) == pytest.approx(1.0, abs=0.05)
    assert presentation_zoom(3840, 2160) == 1.6  # 4K: the window's fonts scale with the screen's DPI already


def test_presentation_mode_without_a_lesson_gives_the_views_the_room_and_they_fit(qtbot, window):
    window.resize(1600, 1000)
    window.presentation_action.trigger()
    assert not window.lesson_dock.isVisible()  # no "No lesson" panel on the projector
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: window.session.status.epoch >= 3 and window.weights_view.layer_count() == 3, timeout=60000)
    window.play_action.trigger()
    qtbot.wait(300)
    for view in (window.loss_view, window.weights_view):  # nothing laid out past the view's right edge
        layout_width = view.graphics.ci.geometry().width()
        assert layout_width <= view.graphics.viewport().width() + 1, type(view).__name__
    assert window.loss_view.loss_legend.columnCount < 3  # the big type needs fewer legend columns
    window.leave_presentation_action.trigger()


def test_presentation_mode_hides_the_editors_and_comes_back(qtbot, window, tmp_path):
    window.open_experiment(lesson_files()[0][1])
    zoom = window.zoom
    assert window.side_dock.isVisible()
    window.presentation_action.trigger()  # F11
    screen = window.screen().availableGeometry()
    assert window.presentation_action.isChecked() and window.zoom >= presentation_zoom(screen.width(), screen.height())
    assert not window.side_dock.isVisible() and not window.formula_dock.isVisible()
    assert window.lesson_dock.isVisible()
    # its share of the screen, whenever the full-screen size arrives (not a share of the window's size before)
    qtbot.waitUntil(lambda: window.size() == window.screen().geometry().size(), timeout=2000)
    assert window.lesson_dock.width() == pytest.approx(LESSON_SHARE * window.screen().geometry().width(), abs=12)
    assert window.lesson_panel.title.font().pointSizeF() > 1.3 * window.font().pointSizeF()
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)
    window.play_action.trigger()  # the one key (Space)
    qtbot.waitUntil(lambda: window.session.status.epoch >= 3, timeout=60000)
    window.grab().save(str(tmp_path / "presentation.png"))
    assert distinct_colours(window) > 20
    window.leave_presentation_action.trigger()  # Esc
    assert not window.presentation_action.isChecked() and window.zoom == zoom
    assert window.side_dock.isVisible() and not window.leave_presentation_action.isEnabled()


def test_compare_the_classic_set_from_the_menu(qtbot, window, tmp_path):
    window.resize(1440, 900)
    window.document.edit("Short", lambda e: setattr(e.training, "epochs", 15))
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)
    live_sizes = [view.size() for view in (window.boundary_view, window.network_view)]
    window.studies.compare_classic_action.trigger()
    assert window.pages.currentWidget() is window.study_view  # in the live views' place, not beside them
    qtbot.waitUntil(lambda: study_done(window), timeout=120000)
    table = window.study_view.compare
    qtbot.waitUntil(lambda: table.table.rowCount() == 4  # the panel draws the finished study on a later tick
                    and all(table.summary_values(row).get("epochs") == 15 for row in range(4)), timeout=10000)
    progress = window.session.worker.take_study()
    assert [c.label for c in progress.curves] == [label for label, _ in classic_variants(window.document.exp)]
    for row, curve in enumerate(progress.curves):
        expected = run_summary(curve.label, curve.rows, progress.metric)
        shown = window.study_view.compare.summary_values(row)
        for key, value in shown.items():
            assert value == pytest.approx(expected[key], abs=5e-4), key
    window.study_view.grab().save(str(tmp_path / "compare.png"))
    qtbot.waitUntil(lambda: window.session.state in (State.READY, State.PAUSED), timeout=10000)
    # The live run's tab brings the live views back as they were (the study never squeezed them).
    window.show_study(False)
    qtbot.wait(50)
    assert [view.size() for view in (window.boundary_view, window.network_view)] == live_sizes


def test_user_variants_cross_validation_and_sweep(qtbot, window):
    window.document.edit("Short", lambda e: setattr(e.training, "epochs", 6))
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)
    window.studies.add_variant("as drawn")
    window.document.edit("No dropout", lambda e: [setattr(h, "dropout", 0.0) for h in e.network.hidden])
    window.studies.add_variant("no dropout")
    assert window.studies.compare_variants_action.text() == "Compare my variants (2)"
    window.studies.compare_variants_action.trigger()
    qtbot.waitUntil(lambda: study_done(window), timeout=120000)
    assert [c.label for c in window.session.worker.take_study().curves] == ["as drawn", "no dropout"]

    window.studies.cross_validate(3)
    qtbot.waitUntil(lambda: study_done(window) and window.session.worker.take_study().kind == "cv", timeout=120000)
    progress = window.session.worker.take_study()
    assert window.study_view.kind == "cv" and len(progress.table) == 3
    qtbot.waitUntil(lambda: len(window.study_view.cv.bar_heights("rmse")) == 3, timeout=10000)  # drawn in turn
    np.testing.assert_allclose(window.study_view.cv.bar_heights("rmse"), [r["rmse"] for r in progress.table],
                               rtol=1e-6)

    window.studies.sweep("network.hidden[*].dropout", [0.0, 0.5])
    qtbot.waitUntil(lambda: study_done(window) and window.session.worker.take_study().kind == "sweep", timeout=120000)
    assert window.study_view.kind == "sweep" and len(window.session.worker.take_study().table) == 2


def test_early_stopping_marker_uncertainty_map_and_classic_dropout(qtbot, window):
    window.controls.early_stopping_action.trigger()
    assert window.document.exp.training.early_stopping is not None
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: window.session.status.epoch >= 40 or window.session.state is State.FINISHED, timeout=60000)
    if window.session.state is State.TRAINING:
        window.play_action.trigger()
    qtbot.waitUntil(lambda: window.session.state in (State.PAUSED, State.FINISHED), timeout=10000)
    best = window.session.status.best_epoch
    rows = window.session.worker.take_updates(0, -1).new_rows
    assert best == 1 + int(np.argmin([r["val_loss"] for r in rows]))  # the epoch of the lowest validation loss
    qtbot.waitUntil(lambda: window.loss_view.best_epoch_shown() == best, timeout=10000)

    window.uncertainty_action.trigger()
    qtbot.waitUntil(lambda: window.boundary_view.uncertainty_shown(), timeout=30000)
    window.uncertainty_action.trigger()
    assert not window.boundary_view.uncertainty_shown()

    window.controls.classic_dropout_action.trigger()
    assert window.document.exp.network.dropout_style == "classic"
    qtbot.waitUntil(lambda: "Classic dropout (textbook)" in formula_text(window), timeout=10000)
    window.document.undo_stack.undo()
    assert window.document.exp.network.dropout_style == "inverted"
    assert not window.controls.classic_dropout_action.isChecked()


def test_a_new_variant_is_named_after_what_regularizes_it(window, monkeypatch):
    from gui.studies import study_actions

    asked = {}

    def answer(_parent, _title, _label, text=""):
        asked["text"] = text
        return "", True  # an empty name: the suggestion is taken

    monkeypatch.setattr(study_actions.QInputDialog, "getText", answer)
    window.document.edit("Max-norm", lambda e: setattr(e.network.hidden[0], "max_norm", 3.0))
    window.studies.ask_variant()
    assert asked["text"] == regularization_label(window.document.exp)
    assert "max-norm 3" in asked["text"]
    assert window.studies.compare_variants_action.text() == "Compare my variants (1)"
