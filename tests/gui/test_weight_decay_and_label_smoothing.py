"""Weight decay and label smoothing in the window: the training toolbar's two boxes (undoable, live edits of the
spec, following an opened file, label smoothing off for regression data) and what the Objective panel says of them."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMainWindow, QToolBar

from engine.spec import MAX_LABEL_SMOOTHING, MAX_WEIGHT_DECAY, Data, Experiment
from gui.document import ExperimentDocument
from gui.live.formula_view import FormulaView
from gui.window_menus import LABEL_SMOOTHING_REGRESSION_TIP, LABEL_SMOOTHING_TIP, WEIGHT_DECAY_TIP, TrainingControls
from tests.gui import fakes
from tests.gui.pictures import show_in_host


class NoSession:
    def set_speed(self, epochs_per_second) -> None:
        pass


@pytest.fixture
def doc() -> ExperimentDocument:
    return ExperimentDocument(fakes.experiment())


@pytest.fixture
def controls(qtbot, doc):
    window = QMainWindow()
    qtbot.addWidget(window)
    made = TrainingControls(window, doc, NoSession())
    made.fill_toolbar(window.addToolBar("Training"))
    yield made
    window.close()  # (the window lives as long as the test: the controls are its children)


def enter(box, value: float) -> None:
    box.setValue(value)
    box.editingFinished.emit()


def kinds(doc) -> list[str]:
    seen: list[str] = []
    doc.spec_changed.connect(seen.append)
    return seen


# ---------------------------------------------------------------- the toolbar's boxes

def test_both_boxes_are_in_the_toolbar_with_the_spec_s_ranges(controls):
    bar = controls.parent().findChild(QToolBar)
    widgets = [bar.widgetForAction(a) for a in bar.actions()]
    labels = [w.text().strip() for w in widgets if hasattr(w, "text") and not hasattr(w, "value")]
    assert labels[-2:] == ["Weight decay", "Label smoothing"]
    assert controls.weight_decay_box in widgets and controls.label_smoothing_box in widgets
    assert (controls.weight_decay_box.minimum(), controls.weight_decay_box.maximum()) == (0.0, MAX_WEIGHT_DECAY)
    assert (controls.label_smoothing_box.minimum(), controls.label_smoothing_box.maximum()) == (0.0,
                                                                                                MAX_LABEL_SMOOTHING)
    assert controls.weight_decay_box.toolTip() == WEIGHT_DECAY_TIP
    assert "w ← w − learning_rate·weight_decay·w" in WEIGHT_DECAY_TIP and "Biases are not decayed" in WEIGHT_DECAY_TIP
    assert controls.label_smoothing_box.toolTip() == LABEL_SMOOTHING_TIP
    assert "y·(1−ε) + ε/2" in LABEL_SMOOTHING_TIP and "y·(1−ε) + ε/K" in LABEL_SMOOTHING_TIP


@pytest.mark.parametrize(("box", "field", "value"), [
    ("weight_decay_box", "weight_decay", 0.004), ("label_smoothing_box", "label_smoothing", 0.1)])
def test_a_box_edits_the_spec_live_and_undo_redo_bring_it_back(controls, doc, box, field, value):
    seen = kinds(doc)
    enter(getattr(controls, box), value)
    assert getattr(doc.exp.training, field) == pytest.approx(value)
    assert seen == ["live"]  # training goes on with the same weights
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert getattr(doc.exp.training, field) == 0.0 and getattr(controls, box).value() == 0.0
    doc.undo_stack.redo()
    assert getattr(doc.exp.training, field) == pytest.approx(value)
    assert getattr(controls, box).value() == pytest.approx(value)
    assert seen == ["live", "live", "live"]


def test_entering_the_same_value_makes_no_undo_step(controls, doc):
    enter(controls.weight_decay_box, 0.0)
    assert doc.undo_stack.count() == 0


def test_the_boxes_follow_a_newly_opened_file(controls, doc):
    opened = fakes.experiment()
    opened.training.weight_decay, opened.training.label_smoothing = 0.01, 0.2
    doc.replace(Experiment.from_dict(opened.to_dict()))
    assert controls.weight_decay_box.value() == pytest.approx(0.01)
    assert controls.label_smoothing_box.value() == pytest.approx(0.2)


@pytest.mark.parametrize("data", [Data(kind="toy", name="ripple"), Data(kind="sklearn", name="diabetes"),
                                  Data(kind="csv", path="x.csv", target="y", task="regression")])
def test_label_smoothing_is_off_and_says_why_for_regression_data(controls, doc, data):
    assert controls.label_smoothing_box.isEnabled()
    doc.replace(fakes.experiment(data=data))
    assert not controls.label_smoothing_box.isEnabled()
    assert controls.label_smoothing_box.toolTip() == LABEL_SMOOTHING_REGRESSION_TIP
    assert controls.weight_decay_box.isEnabled()  # weight decay shrinks kernels whatever the task


def test_a_csv_whose_task_is_decided_by_its_column_keeps_label_smoothing(controls, doc):
    doc.replace(fakes.experiment(data=Data(kind="csv", path="x.csv", target="y")))
    assert controls.label_smoothing_box.isEnabled()


def test_switching_to_regression_data_turns_label_smoothing_off_in_the_same_undo_step(controls, doc):
    enter(controls.label_smoothing_box, 0.1)
    assert doc.edit("Toy data", lambda e: setattr(e, "data", Data(kind="toy", name="plane")))
    assert doc.exp.data.name == "plane" and doc.exp.training.label_smoothing == 0.0
    assert controls.label_smoothing_box.value() == 0.0 and not controls.label_smoothing_box.isEnabled()
    doc.undo_stack.undo()
    assert doc.exp.data.name == "spiral" and doc.exp.training.label_smoothing == pytest.approx(0.1)
    assert controls.label_smoothing_box.isEnabled()


# ---------------------------------------------------------------- the Objective panel

@pytest.fixture
def view(qtbot, doc) -> FormulaView:
    widget = FormulaView(doc)
    show_in_host(qtbot, widget, 900, 400)
    return widget


def set_training(doc, **fields) -> None:
    def change(e):
        for name, value in fields.items():
            setattr(e.training, name, value)
    assert doc.edit("test", change)


def test_without_either_the_panel_says_nothing_of_them(view):
    assert "decay" not in view.text() and "smooth" not in view.text()


def test_weight_decay_is_no_term_and_its_update_rule_is_shown(doc, view):
    header = view.text().splitlines()[0]
    set_training(doc, weight_decay=0.004)  # Adam, learning rate 0.01
    text = view.text()
    assert text.splitlines()[0] == header  # J is unchanged
    assert ("Weight decay 0.004 adds no term to J: it is decoupled from the gradient. At each step, before the "
            "optimizer's gradient update, every kernel shrinks, W ← W − lr·wd·W = W·(1 − 0.01·0.004) = "
            "W·0.99996; biases are not decayed. With Adam this is AdamW.") in text
    set_training(doc, learning_rate=0.1)  # a live change the rule follows: 1 − 0.1·0.004
    assert "W·(1 − 0.1·0.004) = W·0.9996;" in view.text()


def test_with_sgd_weight_decay_matches_an_l2_penalty_of_half_its_value(doc, view):
    set_training(doc, weight_decay=0.002, optimizer="sgd")
    text = view.text()
    assert ("With SGD it takes the same steps as an L2 penalty of λ = wd/2 = 0.001 on every kernel (Keras' L2 has "
            "no ½), without adding it to J.") in text
    assert "AdamW" not in text
    set_training(doc, optimizer="rmsprop")
    assert "AdamW" not in view.text() and "With SGD" not in view.text() and "Weight decay 0.002" in view.text()


def test_binary_label_smoothing_measures_the_data_loss_against_smoothed_targets(doc, view):
    set_training(doc, label_smoothing=0.1)
    lines = view.text().splitlines()
    assert lines[0].startswith("J(w) = data loss (binary cross-entropy, smoothed targets) + ")
    assert "Data loss\tbinary cross-entropy against y·(1−0.1) + 0.1/2, mean over the batch\t—" in lines
    assert ("Label smoothing 0.1: the data loss (and so J) is measured against smoothed targets y·(1−0.1) + 0.1/2, "
            "Keras' label_smoothing. The validation loss and the train loss (dropout off) curves stay the plain "
            "cross-entropy against the true labels.") in view.text()


def test_categorical_label_smoothing_divides_by_the_number_of_classes(doc, view):
    doc.replace(fakes.experiment(data=Data(kind="sklearn", name="iris")))
    set_training(doc, label_smoothing=0.3)
    assert "y·(1−0.3) + 0.3/K" in view.text()  # before a run: K not known yet
    view.show_snapshot(fakes.snapshot(doc.exp, n_features=4, n_outputs=3))
    assert "categorical cross-entropy against y·(1−0.3) + 0.3/3, mean over the batch" in view.text()
    assert "smoothed targets y·(1−0.3) + 0.3/3, Keras' label_smoothing" in view.text()


def test_regression_shows_no_smoothing(doc, view):
    doc.replace(fakes.experiment(data=Data(kind="toy", name="plane")))
    assert "smooth" not in view.text()
