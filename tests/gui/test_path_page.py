"""The regularization path in the window: its page drawn from hand-made progress (no TensorFlow), its dialog, and
lesson 18's button running the path study on the worker."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QDialog

from engine.studies.path import MAX_DRAWN_WEIGHTS, weight_names
from engine.studies.study import Curve, StudyProgress
from engine.training.snapshot import NEAR_ZERO
from gui.run_state import State
from gui.studies.path_dialog import NO_FOLDS, PathDialog
from gui.studies.path_page import weight_segments
from gui.studies.study_view import StudyView

LESSON = Path(__file__).resolve().parents[2] / "resources" / "presets" / "lessons" / \
    "18_the_path_from_everything_to_nothing.json"
VALUES = [0.1, 1e-3, 1e-2]  # in the order a user may give them; the page draws them ascending


def kernels(value: float, shape=((3, 4), (4, 1))) -> list[np.ndarray]:
    """Weights that shrink as λ grows; with λ = 0.1 the first layer's first row is 0."""
    out = []
    for i, s in enumerate(shape):
        k = (np.arange(np.prod(s)).reshape(s) + 1.0 + i) * 0.01 / value ** 0.5
        if i == 0 and value >= 0.1:
            k[0] = 0.0
        out.append(k)
    return out


def path_progress(values=VALUES, runs: int = 1, shape=((3, 4), (4, 1))) -> StudyProgress:
    progress = StudyProgress("path", "Regularization path of network.hidden[0].kernel_regularizer.l1", "accuracy",
                             result={"param": "network.hidden[0].kernel_regularizer.l1", "values": list(values),
                                     "log_x": True, "folds": 0, "seeds": runs, "lines": []})
    for value in values:
        add_value(progress, value, runs, shape)
    return progress


def add_value(progress: StudyProgress, value: float, runs: int, shape=((3, 4), (4, 1))) -> None:
    ks = kernels(value, shape)
    progress.curves.append(Curve(f"{value:g} (seed 0)", [{"epoch": 1, "val_loss": 0.5}], done=True))
    progress.result.setdefault("names", weight_names(ks))
    progress.result["lines"].append((value, np.concatenate([k.ravel() for k in ks])))
    progress.table.append({"value": value, "runs": runs, "near_zero_fraction": 0.0, "l1": 1.0, "l2": 1.0,
                           "train_accuracy": 0.9 - value, "train_accuracy_std": 0.01 * runs,
                           "val_accuracy": 0.8 - value, "val_accuracy_std": 0.02 * runs,
                           "train_loss": 0.3, "train_loss_std": 0.0, "val_loss": 0.4, "val_loss_std": 0.0})


@pytest.fixture
def view(qtbot):
    widget = StudyView()
    qtbot.addWidget(widget)
    widget.resize(1000, 800)
    widget.show()
    return widget


def data(item) -> tuple[np.ndarray, np.ndarray]:
    x, y = item.getData()
    return (np.zeros(0), np.zeros(0)) if x is None else (np.asarray(x), np.asarray(y))


def test_each_layer_draws_a_line_per_weight_over_the_values_ascending_on_a_log_axis(view):
    view.show_progress(path_progress())
    page = view.path
    assert view.stack.currentWidget() is page and view.kind == "path"
    assert page.log_x and page.weight_plot.ctrl.logXCheck.isChecked()
    hidden = page.layer_lines[0]
    x, y = hidden.xData, hidden.yData  # the data as given (getData answers in log10 on a log axis)
    assert len(x) == 12 * 3  # 3 × 4 kernel: 12 lines of 3 points
    np.testing.assert_allclose(x[:3], [1e-3, 1e-2, 0.1])
    np.testing.assert_allclose(y[:3], [kernels(v)[0][0, 0] for v in (1e-3, 1e-2, 0.1)])
    np.testing.assert_allclose(y[3:6], [kernels(v)[0][0, 1] for v in (1e-3, 1e-2, 0.1)])
    np.testing.assert_allclose(page.layer_lines[1].yData[:3], [kernels(v)[1][0, 0] for v in (1e-3, 1e-2, 0.1)])
    assert [label.text for _, label in page.weight_legend.items] == ["hidden 1", "output layer"]


def test_lines_break_between_weights():
    x, y, connect = weight_segments(np.array([1.0, 2.0, 3.0]), np.array([[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]))
    assert x.tolist() == [1, 2, 3, 1, 2, 3] and y.tolist() == [1, 2, 3, 4, 5, 6]
    assert connect.tolist() == [True, True, False, True, True, False]


def test_weights_near_zero_are_dotted(view):
    view.show_progress(path_progress())
    x, y = view.path.near_zero.xData, view.path.near_zero.yData
    assert len(x) == 4  # λ = 0.1 zeroed the first layer's first row: 4 weights
    assert np.all(x == 0.1) and np.all(np.abs(y) < NEAR_ZERO)


def test_scores_are_the_means_with_a_band_only_when_a_value_has_several_runs(view):
    view.show_progress(path_progress(runs=1))
    page = view.path
    x, y = page.val_line.xData, page.val_line.yData
    np.testing.assert_allclose(x, [1e-3, 1e-2, 0.1])
    np.testing.assert_allclose(y, [0.8 - v for v in (1e-3, 1e-2, 0.1)])
    assert page.bands["val"][0].xData is None or len(page.bands["val"][0].xData) == 0
    assert page.band_label == ""

    view.show_progress(path_progress(runs=3))  # a new study: 3 runs per value
    lower, upper, _ = page.bands["val"]
    np.testing.assert_allclose(lower.yData, [0.8 - v - 0.06 for v in (1e-3, 1e-2, 0.1)])
    np.testing.assert_allclose(upper.yData, [0.8 - v + 0.06 for v in (1e-3, 1e-2, 0.1)])
    assert page.band_label == "± one standard deviation over 3 runs"


def test_values_fill_in_as_they_finish_and_nothing_new_sets_nothing(view, monkeypatch):
    progress = path_progress(values=[1e-3])
    view.show_progress(progress)
    page = view.path
    assert len(page.layer_lines[0].xData) == 12
    calls = []
    monkeypatch.setattr(page.layer_lines[0], "setData", lambda *a, **k: calls.append(a))
    view.show_progress(progress)
    assert calls == []
    add_value(progress, 0.1, 1)
    view.show_progress(progress)
    assert len(calls) == 1 and len(calls[0][0]) == 24


def test_a_huge_network_draws_every_kth_weight_and_the_title_says_so(view):
    view.show_progress(path_progress(shape=((40, 64), (64, 1))))  # 2624 weights
    page = view.path
    drawn = sum(len(item.xData) for item in page.layer_lines[:2]) // 3
    assert page.total == 2624 and drawn == page.drawn == 875 <= MAX_DRAWN_WEIGHTS
    assert "every 3rd of the 2624 kernel weights is drawn (875)" in page.weight_plot.titleLabel.text


def test_the_dialog_checks_the_field_and_values_and_reads_folds(qtbot):
    from engine.spec import load_experiment

    dialog = PathDialog(load_experiment(LESSON))
    qtbot.addWidget(dialog)
    assert dialog.parameters()["folds"] == 0 and dialog.folds.value() == NO_FOLDS and dialog.folds.text() == "none"
    dialog.folds.setValue(3)
    dialog.values.setText("1e-4:0.1:4")
    params = dialog.parameters()
    assert params["path"] == "network.hidden[*].kernel_regularizer.l1" and params["folds"] == 3
    assert params["values"] == pytest.approx([1e-4, 1e-3, 1e-2, 0.1])
    dialog.param.setEditText("network.hidden[4].kernel_regularizer.l1")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and "hidden[4]" in dialog.error.text()


def test_the_lessons_button_runs_its_path_and_the_page_draws_it(qtbot, window):
    window.open_experiment(LESSON)
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)
    window.document.edit("Short", lambda e: setattr(e.training, "epochs", 3))
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)
    assert window.lesson_panel.study_button.text() == "Run the path"
    window.lesson_panel.study_button.click()

    def drawn() -> bool:
        progress = window.session.worker.take_study()
        return (progress is not None and progress.kind == "path" and progress.done
                and window.study_view._progress is progress and window.study_view.path._table_rows == 4)

    qtbot.waitUntil(drawn, timeout=120000)
    progress = window.session.worker.take_study()
    assert [row["value"] for row in progress.table] == pytest.approx([1e-4, 1e-3, 1e-2, 0.1])
    page = window.study_view.path
    assert len(page.layer_lines[0].xData) == 160 * 4  # the first layer's 10 × 16 weights over 4 values
    assert window.pages.tabText(window.pages.indexOf(window.study_view)) == "Study: regularization path"
