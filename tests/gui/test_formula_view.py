"""The objective panel: one term per active regularizer with its λ, Keras' conventions, and live values."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.spec import Regularizer
from gui import edits
from gui.document import ExperimentDocument
from gui.live.formula_view import ACTIVITY_NOTE, FormulaView, format_value
from tests.gui import fakes
from tests.gui.layout_requests import LayoutRequests
from tests.gui.pictures import show_in_host

SHOTS = Path("/tmp/reglab_shots")


@pytest.fixture
def doc() -> ExperimentDocument:
    return ExperimentDocument(fakes.experiment())


@pytest.fixture
def view(qtbot, doc) -> FormulaView:
    widget = FormulaView(doc)
    show_in_host(qtbot, widget, 900, 260)
    return widget


def set_reg(doc, layer: int, which: str, reg: Regularizer | None) -> None:
    doc.edit("test", lambda e: edits.set_regularizer(e, layer, which, reg))


def test_each_active_term_with_its_lambda(view):
    text = view.text()
    first = text.splitlines()[0]
    assert first == "J(w) = data loss (binary cross-entropy) + 0.001·ΣW₁² + 0.001·Σ|W₂|"
    assert "Layer 1 kernel (L2)" in text and "Layer 2 kernel (L1)" in text
    assert "no ½" in text and "½λ‖w‖²" in text
    assert ("Dropout 0.5 on layer 2 (adds no term to J). Inverted dropout (as Keras): while training, each unit is "
            "kept with probability 1−0.5 and survivors are scaled by 1/(1−0.5) = ×2; at test time nothing "
            "changes.") in text


def test_elastic_net_bias_and_activity_terms(doc, view):
    set_reg(doc, 0, "kernel", Regularizer(l1=0.001, l2=0.01))
    set_reg(doc, 0, "bias", Regularizer(l2=0.1))
    set_reg(doc, 1, "kernel", None)
    set_reg(doc, 1, "activity", Regularizer(l1=0.0001))
    first = view.text().splitlines()[0]
    assert first == ("J(w) = data loss (binary cross-entropy) + 0.001·Σ|W₁| + 0.01·ΣW₁² + 0.1·Σb₁² "
                     "+ 0.0001·Σ|a₂| / batch")
    assert f"{ACTIVITY_NOTE} (batch = 32 examples here)" in view.text()


def test_no_half_note_only_with_l2_and_no_regularizer_message(doc, view):
    set_reg(doc, 0, "kernel", None)
    assert "no ½" not in view.text()
    set_reg(doc, 1, "kernel", None)
    assert view.text().splitlines()[0] == "J(w) = data loss (binary cross-entropy) (no regularizer: nothing is added)"
    doc.edit("test", lambda e: edits.set_field(e, 1, "dropout", 0.0))
    assert "Dropout" not in view.text() and "expected activation" not in view.text()
    doc.undo_stack.undo()
    assert "Dropout 0.5 on layer 2" in view.text()


def test_several_dropouts_in_one_line(doc, view):
    doc.edit("test", lambda e: edits.set_field(e, -1, "dropout", 0.2))
    assert ("Dropout 0.2 on the input, 0.5 on layer 2 (adds no term to J). Inverted dropout (as Keras): while "
            "training, each unit is kept with probability 1−p and survivors are scaled by 1/(1−p); at test time "
            "nothing changes.") in view.text()


def test_the_dropout_style_is_explained(doc, view):
    same = "Either way the expected activation is the same in training and at test time"
    text = view.text()
    assert "Inverted dropout (as Keras)" in text and "Classic dropout" not in text and same in text
    doc.edit("Classic dropout", lambda e: setattr(e.network, "dropout_style", "classic"))
    text = view.text()
    assert ("Dropout 0.5 on layer 2 (adds no term to J). Classic dropout (textbook): while training, each unit is "
            "kept with probability 1−0.5 and kept units are not scaled; at test time every output is multiplied by "
            "(1−0.5) = ×0.5.") in text
    assert "Inverted dropout" not in text and same in text
    doc.edit("test", lambda e: edits.set_field(e, 0, "dropout", 0.2))
    assert ("kept units are not scaled; at test time every output is multiplied by (1−p).") in view.text()
    doc.edit("test", lambda e: (edits.set_field(e, 0, "dropout", 0.0), edits.set_field(e, 1, "dropout", 0.0)))
    text = view.text()
    assert "dropout" not in text.lower() and same not in text  # no dropout, no style to explain
    doc.edit("Inverted dropout", lambda e: setattr(e.network, "dropout_style", "inverted"))
    assert "dropout" not in view.text().lower()


@pytest.mark.parametrize(
    ("data", "loss"),
    [
        ({"kind": "toy", "name": "plane"}, "mean squared error"),
        ({"kind": "sklearn", "name": "iris"}, "categorical cross-entropy"),
        ({"kind": "sklearn", "name": "breast_cancer"}, "binary cross-entropy"),
        ({"kind": "sklearn", "name": "diabetes"}, "mean squared error"),
    ],
)
def test_data_loss_follows_the_data(doc, view, data, loss):
    def change(e):
        e.data.kind, e.data.name = data["kind"], data["name"]

    assert doc.edit("data", change)
    assert view.text().startswith(f"J(w) = data loss ({loss})")


def test_snapshot_values_next_to_the_terms(doc, view):
    assert "no run yet" in view.text()
    snap = fakes.snapshot(doc.exp, epoch=7)
    snap.layers[0].kernel_penalty = 0.012345678
    snap.layers[1].kernel_penalty = 3.3e-6
    view.show_snapshot(snap)
    rows = view.text().splitlines()
    assert "epoch 7" in rows
    assert rows[2].startswith("Data loss\t") and rows[2].endswith("\t" + format_value(snap.data_loss))
    assert rows[3] == "Layer 1 kernel (L2)\t0.001·ΣW₁²\t0.01235"
    assert rows[4] == "Layer 2 kernel (L1)\t0.001·Σ|W₂|\t3.300e-06"
    assert rows[5].startswith("J (total)\t") and rows[5].endswith("\t" + format_value(snap.loss))


def test_only_changed_numbers_are_rewritten(doc, view, monkeypatch):
    snap = fakes.snapshot(doc.exp, epoch=3)
    view.show_snapshot(snap)
    writes: list[str] = []
    for row in view._rows:
        monkeypatch.setattr(row.value, "setText", writes.append)
    header_before = view.header.text()

    view.show_snapshot(snap)  # same values: nothing to write
    assert writes == []
    snap2 = fakes.snapshot(doc.exp, epoch=3)
    snap2.layers[0].kernel_penalty = 0.5  # one term changed
    view.show_snapshot(snap2)
    assert writes == ["0.5000"]
    assert view.header.text() == header_before


def test_new_values_repaint_the_numbers_without_laying_out_the_panel(qtbot, doc, view):
    requests = []
    for epoch in range(10, 40):  # values of one width, as in a run: after the first, only the labels repaint
        if epoch == 11:
            requests = [LayoutRequests(widget) for widget in (view, view.host)]
        snap = fakes.snapshot(doc.exp, epoch=epoch)
        snap.loss, snap.data_loss = 0.5 + epoch / 1000, 0.4 + epoch / 1000
        snap.layers[0].kernel_penalty = 0.01 + epoch / 10000
        view.show_snapshot(snap)
        qtbot.wait(1)
    assert view.text().splitlines()[2].endswith("0.4390")
    assert [r.count for r in requests] == [0, 0]
    values = [row.value for row in view._rows if row.value.isVisible()]
    assert len({label.geometry().right() for label in (view.epoch_label, *values)}) == 1  # a column, lined up
    assert len({label.width() for label in values}) > 1  # (each as wide as its own number)


def test_multiclass_snapshot_names_categorical_loss(doc, view):
    doc.edit("data", lambda e: (setattr(e.data, "kind", "sklearn"), setattr(e.data, "name", "wine")))
    view.show_snapshot(fakes.snapshot(doc.exp, n_outputs=3))
    assert view.text().startswith("J(w) = data loss (categorical cross-entropy)")


def test_live_edit_keeps_values_structural_edit_clears_them(doc, view):
    view.show_snapshot(fakes.snapshot(doc.exp, epoch=2))
    set_reg(doc, 0, "kernel", Regularizer(l2=0.05))  # live: the λ changes in the text, the run goes on
    assert "0.05·ΣW₁²" in view.text() and "epoch 2" in view.text()
    doc.edit("units", lambda e: edits.set_field(e, 0, "units", 20))  # structural: the run restarts
    text = view.text()
    assert "no run yet" in text and "epoch 2" not in text
    assert all(line.endswith("—") for line in text.splitlines()[2:6])


def test_stale_snapshot_of_another_network_shows_dashes_for_terms(doc, view):
    other = fakes.experiment()
    edits.add_layer(other, after=1)
    view.show_snapshot(fakes.snapshot(other, epoch=4))  # three hidden layers; the spec has two
    rows = view.text().splitlines()
    assert rows[3].endswith("\t—") and rows[4].endswith("\t—")
    assert not rows[2].endswith("—")


def test_zoom_scales_the_font(view):
    size = view.font().pointSizeF()
    view.set_zoom(2.0)
    assert view.header.font().pointSizeF() == pytest.approx(2 * size)


def is_blank(image) -> bool:
    colours = {image.pixel(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)}
    return len(colours) < 3


def test_screenshot(qtbot, doc, view, tmp_path):
    set_reg(doc, 0, "kernel", Regularizer(l1=0.001, l2=0.01))
    set_reg(doc, 1, "activity", Regularizer(l2=1e-4))
    doc.edit("test", lambda e: edits.set_field(e, -1, "dropout", 0.1))
    snap = fakes.snapshot(doc.exp, epoch=42)
    snap.layers[1].activity_penalty = 0.000123
    view.show_snapshot(snap)
    qtbot.wait(20)  # let the layout settle (wrapped notes, wider numbers)
    pixmap = view.grab()
    assert not pixmap.isNull() and not is_blank(pixmap.toImage())
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder in (SHOTS, tmp_path):
        assert pixmap.save(str(folder / "formula_view.png"))


def test_the_keras_that_the_texts_name_is_the_one_installed():
    """The objective panel and the README state Keras 3.15's semantics by name (an activity penalty divided by the
    batch size, which changed between Keras 3 releases); test_trainer checks them against stock Keras."""
    from importlib.metadata import version

    assert version("keras").startswith("3.15.")
    assert "Keras 3.15" in ACTIVITY_NOTE
