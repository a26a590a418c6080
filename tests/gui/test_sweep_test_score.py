"""The sweep page shows the chosen value's untouched test score under the validation curve, when the study has one."""

from __future__ import annotations

import pytest
from pictures import distinct_colours
from test_study_view import save_shot, sweep_progress

from gui.plotting.plot_style import LABEL_PT
from gui.studies.study_view import StudyView

SENTENCE = "Test score of the chosen value (0.001) on 50 untouched rows: accuracy 0.86, loss 0.34 (mean of 2 seeds)"


@pytest.fixture
def view(qtbot):
    widget = StudyView()
    qtbot.addWidget(widget)
    widget.resize(1100, 800)
    return widget


def with_test_score(progress):
    progress.result["test_score"] = {"value": 1e-3, "seeds": 2, "test_rows": 50, "test_metric": 0.86,
                                     "test_loss": 0.34, "metric": "accuracy", "text": SENTENCE}
    return progress


def test_the_test_score_line_sits_under_the_validation_curve(view, tmp_path):
    view.show_progress(with_test_score(sweep_progress()))
    save_shot(view, tmp_path, "study_sweep_test_score")
    page = view.sweep
    label = page.test_score
    assert label.scene() is not None and label.isVisible()
    assert SENTENCE in label.text
    top = label.sceneBoundingRect().top()
    assert page.score_plot.sceneBoundingRect().bottom() <= top + 1
    assert label.sceneBoundingRect().bottom() <= page.runs_plot.sceneBoundingRect().top() + 1
    assert distinct_colours(view) > 12


def test_no_test_score_no_line_and_a_new_study_clears_it(view):
    view.show_progress(sweep_progress())
    page = view.sweep
    assert page.test_score.scene() is None
    view.show_progress(with_test_score(sweep_progress()))
    assert page.test_score.scene() is not None
    page.reset()
    assert page.test_score.scene() is None and page.test_score_text == ""


def test_the_line_follows_the_zoom(view):
    view.show_progress(with_test_score(sweep_progress()))
    assert view.sweep.test_score.opts["size"] == f"{LABEL_PT:g}pt"
    view.set_zoom(2.0)
    assert view.sweep.test_score.opts["size"] == f"{2 * LABEL_PT:g}pt"
    assert SENTENCE in view.sweep.test_score.text
