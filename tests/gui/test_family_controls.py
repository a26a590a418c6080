"""The window's controls for max-norm, noise, batch norm, the output layer's regularizers and the dropout style, driven
like a user: each edits exactly its field of the spec through the document, undo brings the spec back, the controls
show whatever the document holds, and changing c or σ while on is live while switching one on or off restarts the
run."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QMainWindow

from engine.spec import MAX_MAX_NORM, MAX_NOISE, Experiment, Regularizer
from gui.document import INPUT_LAYER, OUTPUT_LAYER, ExperimentDocument
from gui.live.network_view import NetworkView
from gui.panels.layer_extras import BATCH_NORM_TIP, DEFAULT_MAX_NORM, INPUT_NOISE_TIP, MAX_NORM_TIP, NOISE_TIP
from gui.panels.layer_inspector import DROPOUT_HINT, DROPOUT_HINTS, GAUSSIAN_RATE_TIP, RATE_TIP, LayerInspector
from gui.window_menus import DROPOUT_STYLES, TrainingControls
from tests.gui import fakes
from tests.gui.pictures import show_in_host


@pytest.fixture
def doc() -> ExperimentDocument:
    return ExperimentDocument(fakes.experiment())


@pytest.fixture
def inspector(qtbot, doc) -> LayerInspector:
    widget = LayerInspector(doc)
    show_in_host(qtbot, widget, 300, 700)
    return widget


def kinds(doc: ExperimentDocument) -> list[str]:
    seen: list[str] = []
    doc.spec_changed.connect(seen.append)
    return seen


def type_into(qtbot, box, text: str) -> None:
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def with_change(exp: Experiment, change) -> Experiment:
    changed = exp.copy()
    change(changed)
    return changed


def undo_all(doc: ExperimentDocument, before: Experiment, steps: int) -> None:
    assert doc.undo_stack.count() == steps
    for _ in range(steps):
        doc.undo_stack.undo()
    assert doc.exp == before


def visible(inspector, widget) -> bool:
    return widget.isVisibleTo(inspector)


# --------------------------------------------------------------------------- a hidden layer


def test_the_rows_say_what_they_do(inspector):
    extras = inspector.extras
    assert extras.max_norm.toolTip() == extras.max_norm_on.toolTip() == MAX_NORM_TIP
    assert MAX_NORM_TIP == ("After every training step, each unit's incoming weight vector is scaled back to "
                            "length ≤ c (Keras MaxNorm(c, axis=0)); changing c is live, switching it on or off "
                            "restarts the run")
    assert extras.noise.toolTip() == NOISE_TIP
    assert NOISE_TIP.startswith("Adds Gaussian noise N(0, σ²) to this layer's outputs while training only; changing "
                                "σ is live, switching it on or off restarts the run")
    assert extras.batch_norm.toolTip() == BATCH_NORM_TIP
    assert BATCH_NORM_TIP.startswith("BatchNormalization between the Dense layer and its activation; switching it "
                                     "restarts the run")
    assert (extras.max_norm.minimum() > 0, extras.max_norm.maximum()) == (True, MAX_MAX_NORM)
    assert (extras.noise.minimum(), extras.noise.maximum()) == (0.0, MAX_NOISE)
    assert extras.noise.text() == "off" and extras.noise_label.text() == "Noise σ"
    assert not extras.max_norm_on.isChecked() and not extras.max_norm.isEnabled()
    assert extras.max_norm.text() == f"c = {DEFAULT_MAX_NORM:g}"  # the c that switching on will use


def test_batch_norm_is_one_structural_undoable_edit(qtbot, doc, inspector):
    before, seen = doc.exp.copy(), kinds(doc)
    qtbot.mouseClick(inspector.extras.batch_norm, Qt.MouseButton.LeftButton)
    assert doc.exp == with_change(before, lambda e: setattr(e.network.hidden[0], "batch_norm", True))
    assert seen == ["structural"]
    assert inspector.extras.batch_norm_where.text() == "between Dense and relu"
    undo_all(doc, before, 1)
    assert not inspector.extras.batch_norm.isChecked()


def test_max_norm_switches_structurally_and_its_c_changes_live(qtbot, doc, inspector):
    doc.select_layer(1)
    before, seen = doc.exp.copy(), kinds(doc)
    extras = inspector.extras

    qtbot.mouseClick(extras.max_norm_on, Qt.MouseButton.LeftButton)
    assert doc.exp == with_change(before, lambda e: setattr(e.network.hidden[1], "max_norm", DEFAULT_MAX_NORM))
    assert extras.max_norm.isEnabled()
    type_into(qtbot, extras.max_norm, "4")
    assert doc.exp == with_change(before, lambda e: setattr(e.network.hidden[1], "max_norm", 4.0))
    qtbot.keyClick(extras.max_norm, Qt.Key.Key_Up)  # a step of 0.5, merged with the typed value: one undo step
    assert doc.exp.network.hidden[1].max_norm == 4.5
    assert seen == ["structural", "live", "live"]

    qtbot.mouseClick(extras.max_norm_on, Qt.MouseButton.LeftButton)  # off, then on again: the c it had
    assert doc.exp.network.hidden[1].max_norm is None and not extras.max_norm.isEnabled()
    qtbot.mouseClick(extras.max_norm_on, Qt.MouseButton.LeftButton)
    assert doc.exp.network.hidden[1].max_norm == 4.5
    assert seen[3:] == ["structural", "structural"]

    undo_all(doc, before, 4)
    assert not extras.max_norm_on.isChecked() and doc.exp.network.hidden[0].max_norm is None


def test_noise_sigma_switches_structurally_and_changes_live(qtbot, doc, inspector):
    before, seen = doc.exp.copy(), kinds(doc)
    noise = inspector.extras.noise
    type_into(qtbot, noise, "0.1")
    assert doc.exp == with_change(before, lambda e: setattr(e.network.hidden[0], "noise", 0.1))
    qtbot.keyClick(noise, Qt.Key.Key_Up)
    type_into(qtbot, noise, "0.3")  # merged with the step before: one undo step
    assert doc.exp == with_change(before, lambda e: setattr(e.network.hidden[0], "noise", 0.3))
    type_into(qtbot, noise, "0")
    assert doc.exp == before and noise.text() == "off"
    assert seen == ["structural", "live", "live", "structural"]
    steps = [doc.undo_stack.text(i) for i in range(doc.undo_stack.count())]
    assert steps == ["Layer 1 noise σ on", "Layer 1 noise σ", "Layer 1 noise σ off"]

    doc.undo_stack.undo()
    assert noise.value() == 0.3 and seen[-1] == "structural"
    doc.undo_stack.undo()
    assert noise.value() == 0.1 and seen[-1] == "live"
    doc.undo_stack.undo()
    assert doc.exp == before and seen[-1] == "structural"


def test_an_undone_change_shows_in_the_controls(qtbot, doc, inspector):
    type_into(qtbot, inspector.extras.noise, "0.3")
    qtbot.mouseClick(inspector.extras.max_norm_on, Qt.MouseButton.LeftButton)
    doc.undo_stack.undo()
    assert not inspector.extras.max_norm_on.isChecked() and inspector.extras.noise.value() == 0.3
    doc.undo_stack.undo()
    assert inspector.extras.noise.text() == "off"
    doc.undo_stack.redo()
    doc.undo_stack.redo()
    assert inspector.extras.max_norm_on.isChecked() and inspector.extras.noise.value() == 0.3


# --------------------------------------------------------------------------- the input


def test_the_input_shows_input_noise_beside_input_dropout(qtbot, doc, inspector):
    doc.select_layer(INPUT_LAYER)
    extras = inspector.extras
    assert extras.noise_label.text() == "Input noise σ" and extras.noise.toolTip() == INPUT_NOISE_TIP
    assert visible(inspector, extras.noise) and visible(inspector, inspector.dropout_on)
    assert not visible(inspector, extras.max_norm) and not visible(inspector, extras.batch_norm)
    before, seen = doc.exp.copy(), kinds(doc)
    type_into(qtbot, extras.noise, "0.2")
    type_into(qtbot, extras.noise, "0.4")
    assert doc.exp == with_change(before, lambda e: setattr(e.network, "input_noise", 0.4))
    assert seen == ["structural", "live"]
    undo_all(doc, before, 2)
    assert extras.noise.text() == "off"


# --------------------------------------------------------------------------- the output layer


def test_the_output_layer_shows_its_kernel_and_bias_regularizers_only(doc, inspector):
    doc.select_layer(OUTPUT_LAYER)
    assert doc.selected_layer == OUTPUT_LAYER
    assert inspector.title.text() == "<b><big>Output layer</big></b>"
    assert visible(inspector, inspector.groups["kernel"]) and visible(inspector, inspector.groups["bias"])
    assert visible(inspector, inspector.output_hint)
    hidden_widgets = [inspector.groups["activity"], inspector.units, inspector.activation, inspector.dropout_on,
                      inspector.dropout_rate, inspector.dropout_hint, inspector.extras.noise,
                      inspector.extras.max_norm, inspector.extras.batch_norm]
    assert not any(visible(inspector, w) for w in hidden_widgets)
    assert inspector.groups["kernel"].current_kind() == "none"


def test_the_output_layer_s_regularizers_edit_network_output(qtbot, doc, inspector):
    doc.select_layer(OUTPUT_LAYER)
    before, seen = doc.exp.copy(), kinds(doc)
    kernel, bias = inspector.groups["kernel"], inspector.groups["bias"]
    kernel.kind.setCurrentText("L2")
    kernel.lam1.field.selectAll()
    qtbot.keyClicks(kernel.lam1.field, "0.02")
    qtbot.keyClick(kernel.lam1.field, Qt.Key.Key_Return)
    bias.kind.setCurrentText("L1")

    def expected(e: Experiment) -> None:
        e.network.output.kernel_regularizer = Regularizer(l2=0.02)
        e.network.output.bias_regularizer = Regularizer(l1=0.001)

    assert doc.exp == with_change(before, expected)  # the hidden layers' regularizers untouched
    assert seen == ["structural", "live", "structural"]  # switching a penalty on rebuilds; its λ is live
    undo_all(doc, before, 3)
    assert kernel.current_kind() == "none" and bias.current_kind() == "none"


def test_clicking_the_output_column_shows_the_output_layer_and_a_new_layer_goes_before_it(qtbot, doc):
    view = NetworkView(doc)
    show_in_host(qtbot, view, 900, 520)
    view.set_shape(2, 1)
    inspector = LayerInspector(doc)
    x, y = view.neuron_positions()[-1][0]
    qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view.canvas.mapFromScene(QPointF(x, y)))
    assert doc.selected_layer == OUTPUT_LAYER and "Output layer" in inspector.title.text()

    view.actions()[0].trigger()  # Add layer
    assert [h.units for h in doc.exp.network.hidden] == [8, 6, 6]  # a copy of the last hidden layer, appended
    assert doc.selected_layer == 2 and "Hidden layer 3" in inspector.title.text()


# --------------------------------------------------------------------------- a loaded experiment


def family_experiment() -> Experiment:
    exp = fakes.experiment()
    exp.network.hidden[0].max_norm = 3.5
    exp.network.hidden[0].batch_norm = True
    exp.network.hidden[1].noise = 0.25
    exp.network.input_noise = 0.4
    exp.network.output.kernel_regularizer = Regularizer(l1=0.002)
    exp.network.output.bias_regularizer = Regularizer(l1=0.0003, l2=0.004)
    exp.network.dropout_style = "gaussian"
    return Experiment.from_dict(exp.to_dict())  # as read from a file


def test_the_controls_show_an_opened_experiment(doc, inspector):
    doc.replace(family_experiment())
    extras = inspector.extras
    assert extras.max_norm_on.isChecked() and extras.max_norm.text() == "c = 3.5"
    assert extras.batch_norm.isChecked() and extras.noise.text() == "off"
    doc.select_layer(1)
    assert not extras.max_norm_on.isChecked() and not extras.batch_norm.isChecked()
    assert extras.noise.value() == 0.25
    doc.select_layer(INPUT_LAYER)
    assert extras.noise.value() == 0.4
    doc.select_layer(OUTPUT_LAYER)
    kernel, bias = inspector.groups["kernel"], inspector.groups["bias"]
    assert kernel.current_kind() == "L1" and kernel.lam1.field.text() == "0.002"
    assert bias.current_kind() == "L1+L2" and (bias.lam1.field.text(), bias.lam2.field.text()) == ("0.0003", "0.004")

    doc.replace(fakes.experiment())  # and another: the output layer stays selected, without penalties
    assert kernel.current_kind() == "none" and bias.current_kind() == "none"


# --------------------------------------------------------------------------- the dropout style


class NoSession:
    def set_speed(self, epochs_per_second) -> None:
        pass


@pytest.fixture
def controls(qtbot, doc):
    window = QMainWindow()
    qtbot.addWidget(window)
    made = TrainingControls(window, doc, NoSession())
    yield made
    window.close()


def checked_styles(controls) -> list[str]:
    return [style for style, action in controls.dropout_style_actions.items() if action.isChecked()]


def test_the_three_dropout_styles_are_exclusive_structural_and_undoable(doc, controls, inspector):
    assert list(controls.dropout_style_actions) == ["inverted", "classic", "gaussian"]
    assert [a.text() for a in controls.dropout_style_actions.values()] == [t for t, _ in DROPOUT_STYLES.values()]
    assert "N(1, p/(1−p))" in controls.dropout_style_actions["gaussian"].toolTip()
    assert checked_styles(controls) == ["inverted"]
    before, seen = doc.exp.copy(), kinds(doc)

    controls.dropout_style_actions["gaussian"].trigger()
    assert doc.exp == with_change(before, lambda e: setattr(e.network, "dropout_style", "gaussian"))
    assert checked_styles(controls) == ["gaussian"] and seen == ["structural"]
    assert inspector.dropout_hint.text().replace("\u2060", "") == DROPOUT_HINTS["gaussian"][0]
    assert inspector.dropout_rate.toolTip() == GAUSSIAN_RATE_TIP
    controls.dropout_style_actions["classic"].trigger()
    assert doc.exp.network.dropout_style == "classic" and checked_styles(controls) == ["classic"]
    controls.dropout_style_actions["classic"].trigger()  # the checked one again: no edit
    assert doc.undo_stack.count() == 2

    undo_all(doc, before, 2)
    assert checked_styles(controls) == ["inverted"]
    assert inspector.dropout_hint.text().replace("\u2060", "") == DROPOUT_HINT
    assert inspector.dropout_rate.toolTip() == RATE_TIP


def test_the_dropout_style_follows_an_opened_experiment(doc, controls, inspector):
    doc.replace(family_experiment())
    assert checked_styles(controls) == ["gaussian"]
    doc.select_layer(INPUT_LAYER)
    assert "N(1, p/(1−p))" in inspector.dropout_hint.text().replace("\u2060", "")
    assert inspector.dropout_hint.text().startswith("Gaussian input dropout")
