"""The layer inspector, driven like a user: every change is one undoable edit of exactly the right field."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from engine.spec import Experiment, Regularizer
from gui import edits
from gui.document import INPUT_LAYER, ExperimentDocument
from gui.panels.layer_inspector import DROPOUT_HINT, LayerInspector
from gui.plotting import palette
from tests.gui import fakes
from tests.gui.pictures import show_in_host

SHOTS = Path("/tmp/reglab_shots")


@pytest.fixture
def doc() -> ExperimentDocument:
    return ExperimentDocument(fakes.experiment())


@pytest.fixture
def inspector(qtbot, doc) -> LayerInspector:
    widget = LayerInspector(doc)
    show_in_host(qtbot, widget, 340, 640)
    return widget


def type_into(qtbot, field, text: str) -> None:
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def assert_undo_restores(doc: ExperimentDocument, before: Experiment, steps: int = 1) -> None:
    assert doc.undo_stack.count() == steps
    for _ in range(steps):
        doc.undo_stack.undo()
    assert doc.exp == before
    assert doc.exp.to_dict() == before.to_dict()


def has_vermillion_frame(field) -> bool:
    image = field.grab().toImage()
    return image.pixelColor(1, image.height() // 2).getRgb()[:3] == palette.VERMILLION


def kinds(recorded: list[str]):
    return lambda kind: recorded.append(kind)


# --------------------------------------------------------------------------- λ


def test_typed_lambda_is_applied_live_and_undoable(qtbot, doc, inspector):
    before = doc.exp.copy()
    changes: list[str] = []
    doc.spec_changed.connect(kinds(changes))
    kernel = inspector.groups["kernel"]
    assert kernel.current_kind() == "L2" and kernel.lam1.field.text() == "0.001"

    type_into(qtbot, kernel.lam1.field, "0.01")

    assert doc.exp.network.hidden[0].kernel_regularizer == Regularizer(l2=0.01)
    expected = before.copy()
    expected.network.hidden[0].kernel_regularizer = Regularizer(l2=0.01)
    assert doc.exp == expected  # nothing else changed
    assert changes == ["live"]
    assert kernel.lam1.slider.value() == 400  # 1e-6 · 10^(400/100) = 0.01
    assert_undo_restores(doc, before)
    assert kernel.lam1.field.text() == "0.001"  # the undo shows in the control


@pytest.mark.parametrize("text", ["abc", "0", "-0.1", "20", "1e-7", "nan", ""])
def test_invalid_lambda_is_marked_and_not_applied(qtbot, doc, inspector, text):
    before = doc.exp.copy()
    lam = inspector.groups["kernel"].lam1

    type_into(qtbot, lam.field, text)

    assert doc.exp == before
    assert doc.undo_stack.count() == 0
    assert lam.is_invalid()
    assert has_vermillion_frame(lam.field)
    assert "1e-06" in lam.field.toolTip() and "10" in lam.field.toolTip()

    type_into(qtbot, lam.field, "0.005")  # a valid value clears the mark and applies
    assert not lam.is_invalid() and not has_vermillion_frame(lam.field)
    assert doc.exp.network.hidden[0].kernel_regularizer == Regularizer(l2=0.005)


def test_dragging_lambda_slider_is_one_undo_step(doc, inspector):
    before = doc.exp.copy()
    lam = inspector.groups["kernel"].lam1
    lam.slider.setSliderDown(True)
    for pos in range(300, 400, 10):  # ten values, 1e-3 … 7.94e-3
        lam.slider.setValue(pos)
    lam.slider.setSliderDown(False)

    assert doc.exp.network.hidden[0].kernel_regularizer == Regularizer(l2=0.00794)
    assert lam.field.text() == "0.00794"
    assert_undo_restores(doc, before)


def test_two_drags_are_two_undo_steps(doc, inspector):
    rate = inspector.dropout_rate.slider
    for drag in ([10, 20, 30], [40, 50]):
        rate.setSliderDown(True)
        for value in drag:
            rate.setValue(value)
        rate.setSliderDown(False)
    assert doc.exp.network.hidden[0].dropout == 0.5
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert doc.exp.network.hidden[0].dropout == 0.3


# --------------------------------------------------------------------------- regularizer kind


def test_changing_kind_keeps_lambda(qtbot, doc, inspector):
    kernel = inspector.groups["kernel"]
    type_into(qtbot, kernel.lam1.field, "0.02")

    kernel.kind.setCurrentText("L1")
    assert doc.exp.network.hidden[0].kernel_regularizer == Regularizer(l1=0.02)

    kernel.kind.setCurrentText("L1+L2")
    assert doc.exp.network.hidden[0].kernel_regularizer == Regularizer(l1=0.02, l2=0.02)
    assert kernel.lam2.isVisibleTo(inspector) and kernel.lam1_label.text() == "λ₁ (L1)"
    type_into(qtbot, kernel.lam2.field, "0.5")
    assert doc.exp.network.hidden[0].kernel_regularizer == Regularizer(l1=0.02, l2=0.5)

    kernel.kind.setCurrentText("None")
    assert doc.exp.network.hidden[0].kernel_regularizer is None
    assert not kernel.lam1.isEnabled() and not kernel.lam2.isVisibleTo(inspector)

    kernel.kind.setCurrentText("L2")  # back on: the λ₂ you had
    assert doc.exp.network.hidden[0].kernel_regularizer == Regularizer(l2=0.5)
    assert doc.undo_stack.count() == 6
    for _ in range(6):
        doc.undo_stack.undo()
    assert doc.exp == fakes.experiment()


def test_new_regularizer_starts_at_default_lambda(doc, inspector):
    before = doc.exp.copy()
    bias = inspector.groups["bias"]
    assert bias.current_kind() == "none"
    bias.kind.setCurrentText("L1")
    assert doc.exp.network.hidden[0].bias_regularizer == Regularizer(l1=0.001)
    inspector.groups["activity"].kind.setCurrentText("L2")
    assert doc.exp.network.hidden[0].activity_regularizer == Regularizer(l2=0.001)
    assert_undo_restores(doc, before, steps=2)


# --------------------------------------------------------------------------- dropout, units, activation


def test_dropout_checkbox_restores_last_rate(qtbot, doc, inspector):
    before = doc.exp.copy()
    box = inspector.dropout_on
    assert not box.isChecked()

    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert doc.exp.network.hidden[0].dropout == 0.2  # the default rate
    assert inspector.dropout_rate.label.text() == "0.20"

    inspector.dropout_rate.slider.setValue(35)
    assert doc.exp.network.hidden[0].dropout == 0.35
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert doc.exp.network.hidden[0].dropout == 0.0 and not box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert doc.exp.network.hidden[0].dropout == 0.35 and box.isChecked()
    assert_undo_restores(doc, before, steps=4)


def test_dropout_hint_is_shown(inspector):
    plain = inspector.dropout_hint.text().replace("\u2060", "")  # word joiners keep "1/(1−p)" on one line
    assert plain == DROPOUT_HINT == "Dropout zeroes units while training only; Keras scales survivors by 1/(1−p)."
    assert "1/(1−p)" in DROPOUT_HINT and "training only" in DROPOUT_HINT


def test_units_and_activation_are_structural_rate_is_live(doc, inspector):
    before = doc.exp.copy()
    changes: list[str] = []
    doc.spec_changed.connect(kinds(changes))

    inspector.units.setValue(12)
    inspector.activation.setCurrentText("tanh")
    inspector.dropout_rate.slider.setValue(10)

    layer = doc.exp.network.hidden[0]
    assert (layer.units, layer.activation, layer.dropout) == (12, "tanh", 0.1)
    assert changes == ["structural", "structural", "live"]
    assert_undo_restores(doc, before, steps=3)


def test_units_clicks_merge(doc, inspector):
    for _ in range(5):
        inspector.units.stepUp()
    assert doc.exp.network.hidden[0].units == 13
    assert doc.undo_stack.count() == 1


# --------------------------------------------------------------------------- following the document


def test_selecting_another_layer_shows_it_without_edits(doc, inspector):
    before = doc.exp.copy()
    doc.select_layer(1)

    assert "Hidden layer 2" in inspector.title.text()
    assert inspector.units.value() == 6
    assert inspector.activation.currentText() == "tanh"
    assert inspector.dropout_on.isChecked() and inspector.dropout_rate.label.text() == "0.50"
    kernel = inspector.groups["kernel"]
    assert kernel.current_kind() == "L1" and kernel.lam1.value() == 0.001
    assert inspector.groups["bias"].current_kind() == "none"
    assert doc.undo_stack.count() == 0 and doc.exp == before

    inspector.units.setValue(7)  # edits now go to the selected layer
    assert [h.units for h in doc.exp.network.hidden] == [8, 7]


def test_edits_from_elsewhere_and_undo_update_the_controls(doc, inspector):
    doc.edit("Kernel", lambda e: edits.set_regularizer(e, 0, "kernel", Regularizer(l1=0.003, l2=0.04)))
    kernel = inspector.groups["kernel"]
    assert kernel.current_kind() == "L1+L2"
    assert (kernel.lam1.field.text(), kernel.lam2.field.text()) == ("0.003", "0.04")
    doc.undo_stack.undo()
    assert kernel.current_kind() == "L2" and not kernel.lam2.isVisibleTo(inspector)
    assert doc.undo_stack.count() == 1  # showing the values made no edit of its own


def test_input_selection_shows_only_input_dropout(qtbot, doc, inspector):
    doc.select_layer(INPUT_LAYER)

    assert "Input" in inspector.title.text()
    assert inspector.dropout_on.text() == "Input dropout"
    assert inspector.dropout_on.isVisibleTo(inspector) and inspector.dropout_rate.isVisibleTo(inspector)
    assert not inspector.units.isVisibleTo(inspector)
    assert not inspector.activation.isVisibleTo(inspector)
    assert not any(group.isVisibleTo(inspector) for group in inspector.groups.values())

    before = doc.exp.copy()
    qtbot.mouseClick(inspector.dropout_on, Qt.MouseButton.LeftButton)
    assert doc.exp.network.input_dropout == 0.2
    assert doc.exp.network.hidden == before.network.hidden
    assert_undo_restores(doc, before)

    doc.select_layer(0)
    assert inspector.units.isVisibleTo(inspector) and inspector.dropout_on.text() == "Dropout"


def test_zoom_scales_the_font(inspector):
    size = inspector.font().pointSizeF()
    inspector.set_zoom(1.5)
    assert inspector.font().pointSizeF() == pytest.approx(1.5 * size)
    assert inspector.units.font().pointSizeF() == pytest.approx(1.5 * size)
    inspector.set_zoom(1.0)
    assert inspector.font().pointSizeF() == pytest.approx(size)


# --------------------------------------------------------------------------- picture


def is_blank(image) -> bool:
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    return len(colours) < 3


def test_screenshot(qtbot, doc, inspector, tmp_path):
    doc.edit("Elastic net", lambda e: edits.set_regularizer(e, 0, "kernel", Regularizer(l1=0.001, l2=0.01)))
    doc.edit("Activity", lambda e: edits.set_regularizer(e, 0, "activity", Regularizer(l1=1e-5)))
    doc.edit("Dropout", lambda e: edits.set_field(e, 0, "dropout", 0.25))
    size = inspector.sizeHint().expandedTo(inspector.size())
    inspector.parentWidget().resize(size)
    inspector.resize(size)
    pixmap = inspector.grab()
    assert not pixmap.isNull() and not is_blank(pixmap.toImage())
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder in (SHOTS, tmp_path):
        assert pixmap.save(str(folder / "layer_inspector.png"))
    doc.select_layer(INPUT_LAYER)
    qtbot.wait(20)  # let the layout drop the hidden rows
    pixmap = inspector.grab()
    assert not is_blank(pixmap.toImage())
    assert pixmap.save(str(SHOTS / "layer_inspector_input.png"))
