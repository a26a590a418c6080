"""The objective panel and issue #16's mechanisms: the output layer's penalties are terms of J beside the hidden
layers'; max-norm, Gaussian noise, Gaussian dropout and batch norm are written as the rules the run applies, with the
spec's numbers and Keras 3.15's constants, under a heading that says none of them is a loss term; each appears only
while in use."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.spec import Regularizer
from gui.document import ExperimentDocument
from gui.live import formula_rules
from gui.live.formula_rules import RULES_HEADING, SAME_EXPECTATION
from gui.live.formula_view import FormulaView
from tests.gui import fakes
from tests.gui.pictures import show_in_host

SHOTS = Path("/tmp/shots")
DOCK_WIDTH_1366 = 1348  # the Objective dock's viewport in the window on a 1366 × 768 screen (measured)
HEADER = "J(w) = data loss (binary cross-entropy) + 0.001·ΣW₁² + 0.001·Σ|W₂|"  # fakes.DEFAULT's objective


@pytest.fixture
def doc() -> ExperimentDocument:
    return ExperimentDocument(fakes.experiment())


@pytest.fixture
def view(qtbot, doc) -> FormulaView:
    widget = FormulaView(doc)
    show_in_host(qtbot, widget, 1000, 500)
    return widget


def edit(doc, change) -> None:
    assert doc.edit("test", change)


def set_output(doc, which: str, reg: Regularizer | None) -> None:
    edit(doc, lambda e: setattr(e.network.output, f"{which}_regularizer", reg))


def set_hidden(doc, layer: int, **fields) -> None:
    def change(e):
        for name, value in fields.items():
            setattr(e.network.hidden[layer], name, value)
    edit(doc, change)


def lines(view) -> list[str]:
    return view.text().splitlines()


# ---------------------------------------------------------------- the output layer's penalties: terms of J

def test_output_layer_penalties_are_terms_of_j_with_their_live_values(doc, view):
    set_output(doc, "kernel", Regularizer(l2=0.001))
    set_output(doc, "bias", Regularizer(l1=0.01))
    assert lines(view)[0] == f"{HEADER} + 0.001·ΣW₃² + 0.01·Σ|b₃|"  # W₃, b₃: the layer after hidden 2
    snap = fakes.snapshot(doc.exp, epoch=5)
    snap.layers[2].kernel_penalty, snap.layers[2].bias_penalty = 0.0042, 0.00071
    view.show_snapshot(snap)
    rows = lines(view)
    assert rows[5:7] == ["Output kernel (L2)\t0.001·ΣW₃²\t0.004200", "Output bias (L1)\t0.01·Σ|b₃|\t0.0007100"]
    assert rows[7].startswith("J (total)\t")
    set_output(doc, "kernel", Regularizer(l1=0.002, l2=0.003))  # a live λ change: the values stay
    assert "Output kernel (L1+L2)\t0.002·Σ|W₃| + 0.003·ΣW₃²\t0.004200" in lines(view)


def test_output_terms_disappear_when_switched_off(doc, view):
    set_output(doc, "kernel", Regularizer(l2=0.001))
    set_output(doc, "kernel", None)
    text = view.text()
    assert lines(view)[0] == HEADER and "Output" not in text and "W₃" not in text


# ---------------------------------------------------------------- the rules: not terms of J

MAX_NORM = ("Max-norm, after every step: W[:, j] ← W[:, j]·min(‖W[:, j]‖, c)/(ε + ‖W[:, j]‖) for each unit j of "
            "layer 1 (c = 3), ε = 10⁻⁷: a unit whose incoming weights are longer than c is scaled back to length c "
            "(to within ε).")


def test_max_norm_is_a_rule_with_its_c_not_a_term(doc, view):
    set_hidden(doc, 0, max_norm=3.0)
    text = view.text()
    assert lines(view)[0] == HEADER  # J unchanged
    assert f"• {MAX_NORM}" in lines(view)
    assert RULES_HEADING in text and "none of these adds anything to J" in RULES_HEADING
    set_hidden(doc, 0, max_norm=4.5)  # live: c follows
    assert "for each unit j of layer 1 (c = 4.5), ε = 10⁻⁷" in view.text()
    set_hidden(doc, 1, max_norm=2.0)
    assert "for each unit j of layer 1 (c = 4.5) and of layer 2 (c = 2), ε" in view.text()
    set_hidden(doc, 0, max_norm=None)
    set_hidden(doc, 1, max_norm=None)
    assert "Max-norm" not in view.text() and "ε" not in view.text()


def test_gaussian_noise_on_the_inputs_and_a_layer(doc, view):
    edit(doc, lambda e: setattr(e.network, "input_noise", 0.1))
    set_hidden(doc, 1, noise=0.3)  # layer 2 has dropout 0.5 after its noise
    assert ("• Gaussian noise, training only: h ← h + N(0, σ²) on the inputs (σ = 0.1); on layer 2's "
            "output after its activation (σ = 0.3, before its dropout), drawn anew for every example at every step; "
            "nothing is added at evaluation.") in lines(view)
    assert lines(view)[0] == HEADER
    edit(doc, lambda e: setattr(e.network, "input_dropout", 0.2))
    assert "on the inputs (σ = 0.1, before input dropout); on layer 2's" in view.text()
    set_hidden(doc, 1, noise=0.0)
    assert "on the inputs (σ = 0.1, before input dropout), drawn anew" in view.text()
    edit(doc, lambda e: setattr(e.network, "input_noise", 0.0))
    assert "noise" not in view.text().lower() and "N(0, σ²)" not in view.text()


def test_gaussian_dropout_multiplies_by_a_factor_of_mean_one(doc, view):
    edit(doc, lambda e: setattr(e.network, "dropout_style", "gaussian"))
    text = view.text()
    assert ("• Gaussian dropout 0.5 on layer 2 (adds no term to J). Training only: h ← h · ξ, ξ ~ N(1, p/(1−p) = "
            "0.5/0.5 = 1), a new ξ for every unit of every example; no unit is switched off, and at test time "
            "nothing changes. As E[ξ] = 1, the expected activation is the same in training and at test time."
            ) in lines(view)
    assert "Inverted" not in text and "kept with probability" not in text and SAME_EXPECTATION not in text
    set_hidden(doc, 1, dropout=0.2)
    assert "ξ ~ N(1, p/(1−p) = 0.2/0.8 = 0.25)" in view.text()
    edit(doc, lambda e: setattr(e.network, "input_dropout", 0.1))  # two rates: the variance in p
    assert ("Gaussian dropout 0.1 on the input, 0.2 on layer 2 (adds no term to J). Training only: h ← h · ξ, "
            "ξ ~ N(1, p/(1−p)), a new ξ") in view.text()
    edit(doc, lambda e: setattr(e.network, "dropout_style", "inverted"))
    assert "Gaussian" not in view.text() and "Inverted dropout (as Keras)" in view.text()


BATCH_NORM = ("Batch norm on layer 1, between the Dense output z and the activation, per unit: h ← γ·(z − μ_B)/"
              "√(σ_B² + 0.001) + β while training (μ_B, σ_B² of the batch), moving averages (momentum 0.99) at "
              "evaluation: after every training step μ ← 0.99·μ + 0.01·μ_B, and σ² likewise. γ and β are learned.")


def test_batch_norm_with_keras_epsilon_and_momentum(doc, view):
    set_hidden(doc, 0, batch_norm=True)
    assert f"• {BATCH_NORM}" in lines(view) and lines(view)[0] == HEADER
    set_hidden(doc, 1, batch_norm=True)
    assert "Batch norm on layers 1 and 2, between" in view.text()
    edit(doc, lambda e: setattr(e.training, "weight_decay", 0.004))  # γ, β are spared, as the optimizer is told
    assert "W·0.99996; biases (and batch norm's γ and β) are not decayed. With Adam" in view.text()
    set_hidden(doc, 1, activity_regularizer=Regularizer(l1=1e-4))  # the Dense output, before batch norm
    assert "γ and β are learned. The activity term's a₂ is this z, before batch norm." in view.text()
    set_hidden(doc, 0, batch_norm=False)
    set_hidden(doc, 1, batch_norm=False)
    text = view.text()
    assert "Batch norm" not in text and "γ" not in text and "W·0.99996; biases are not decayed." in text


def test_no_rule_in_use_no_heading(doc, view):
    assert RULES_HEADING in view.text()  # DEFAULT drops out on layer 2
    set_hidden(doc, 1, dropout=0.0)
    assert "Rules" not in view.text() and not view.rules.isVisibleTo(view)
    set_hidden(doc, 0, max_norm=3.0)
    assert view.rules.isVisibleTo(view) and lines(view)[-3:-1] == [RULES_HEADING, f"• {MAX_NORM}"]


def test_the_rules_state_the_installed_keras_constants():
    """The texts' ε of MaxNorm, and batch norm's ε and momentum, are those of the Keras RegLab builds with."""
    import inspect

    from engine.training.keras_setup import keras

    assert keras.config.epsilon() == 1e-7 and formula_rules.MAX_NORM_EPSILON == "10⁻⁷"
    defaults = inspect.signature(keras.layers.BatchNormalization).parameters
    assert defaults["epsilon"].default == formula_rules.BN_EPSILON
    assert defaults["momentum"].default == formula_rules.BN_MOMENTUM
    from engine.training.model_builder import build_stock_model

    exp = fakes.experiment()
    exp.network.hidden[0].batch_norm = True
    bn = build_stock_model(exp, 2, 1, "binary").get_layer("batch_norm_1")  # what a saved model holds
    assert (bn.epsilon, bn.momentum) == (formula_rules.BN_EPSILON, formula_rules.BN_MOMENTUM)


# ---------------------------------------------------------------- every mechanism at once

def every_mechanism(doc) -> None:
    def change(e):
        first, second = e.network.hidden
        first.max_norm, first.noise, first.batch_norm = 3.0, 0.2, True
        second.max_norm = 4.0
        e.network.input_noise, e.network.input_dropout, e.network.dropout_style = 0.1, 0.1, "gaussian"
        e.network.output.kernel_regularizer = Regularizer(l2=0.001)
        e.network.output.bias_regularizer = Regularizer(l1=0.01)
        e.training.weight_decay, e.training.label_smoothing = 0.004, 0.1
    edit(doc, change)


def test_every_mechanism_at_the_dock_width_of_a_1366_screen(qtbot, doc):
    every_mechanism(doc)
    view = FormulaView(doc)
    host = show_in_host(qtbot, view, DOCK_WIDTH_1366, 600)
    snap = fakes.snapshot(doc.exp, epoch=100)
    snap.layers[2].kernel_penalty, snap.layers[2].bias_penalty = 2.884e-4, 4.622e-5
    view.show_snapshot(snap)
    height = view.needed_height(DOCK_WIDTH_1366)
    host.resize(DOCK_WIDTH_1366, height)
    view.resize(DOCK_WIDTH_1366, height)
    qtbot.wait(20)  # the wrapped rules settle
    assert view.minimumSizeHint().width() <= DOCK_WIDTH_1366  # no horizontal scrolling in the dock
    bullets = [line for line in lines(view) if line.startswith("• ")]
    assert [b.split(" ")[1] for b in bullets] == ["Weight", "Max-norm,", "Gaussian", "Gaussian", "Batch"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert view.grab().save(str(SHOTS / "objective_every_mechanism.png"))
