"""The layer inspector: units, activation, batch norm, max-norm, noise σ, dropout and the three regularizers of the
selected hidden layer; input noise and dropout for the input; the kernel and bias regularizers of the output layer.

Every change is an undoable ``document.edit``; sliders merge a whole drag into one undo step. The
controls are set from the spec on ``spec_changed`` / ``selection_changed`` with their signals blocked,
so showing a value never edits it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.spec import ACTIVATIONS, MAX_UNITS, HiddenLayer, Regularizer
from gui import edits
from gui.document import INPUT_LAYER, OUTPUT_LAYER, ExperimentDocument
from gui.panels.layer_extras import LayerExtras
from gui.widgets import (
    DEFAULT_DROPOUT,
    DEFAULT_LAMBDA,
    LogSlider,
    RateSlider,
    hint_label,
    signals_blocked,
    zoomed_font,
)

KIND_LABELS = {"none": "None", "L1": "L1", "L2": "L2", "L1+L2": "L1+L2"}
DROPOUT_HINT = "Dropout zeroes units while training only; Keras scales survivors by 1/(1−p)."
RATE_TIP = "p: the probability that a unit is zeroed while training, drawn independently for every unit and example"
GAUSSIAN_RATE_TIP = ("p: sets the spread of the factor each unit is multiplied by while training, N(1, p/(1−p)), "
                     "drawn independently for every unit and example")
# With SGD an L1 weight the data does not need crosses 0 back and forth (within about lr·λ); it is rarely exactly 0.
KIND_TIP = ("L1 pulls every value towards 0 by the same amount, so those the data does not need end near 0; "
            "L2 pulls each in proportion to its size, shrinking them all; L1+L2 (elastic net) does both")
INPUT_DROPOUT_HINT = "Input dropout zeroes input features while training only; Keras scales survivors by 1/(1−p)."
# per network.dropout_style: (hidden layer, input)
DROPOUT_HINTS = {
    "inverted": (DROPOUT_HINT, INPUT_DROPOUT_HINT),
    "classic": ("Classic dropout zeroes units while training only, unscaled; at test time outputs are multiplied by "
                "(1−p).",
                "Classic input dropout zeroes input features while training only, unscaled; at test time inputs are "
                "multiplied by (1−p)."),
    "gaussian": ("Gaussian dropout multiplies every unit by a factor drawn from N(1, p/(1−p)) while training only; "
                 "none is zeroed.",
                 "Gaussian input dropout multiplies every input feature by a factor drawn from N(1, p/(1−p)) while "
                 "training only; none is zeroed."),
}
OUTPUT_HINT = ("Its units and activation follow from the data: sigmoid for two classes, softmax for more, linear "
               "for regression. Its weights and bias can carry penalties as a hidden layer's do.")
OUTPUT_GROUPS = ("kernel", "bias")  # the output layer has no activity regularizer

# per regularizer: (group title, the symbol its penalty sums over, what the sum is divided by)
_TARGETS = {
    "kernel": ("Kernel (weights W)", "W", ""),
    "bias": ("Bias (b)", "b", ""),
    "activity": ("Activity (outputs a)", "a", " / batch size"),
}


def _keep_together(text: str) -> str:
    """``text`` with a word joiner after each "/", so "1/(1−p)" never breaks across lines."""
    return text.replace("/", "/\u2060")


def _hint(which: str, kind: str) -> str:
    _, x, suffix = _TARGETS[which]
    terms = {
        "none": "",
        "L1": f"λ·Σ|{x}|",
        "L2": f"λ·Σ{x}² (no ½)",
        "L1+L2": f"λ₁·Σ|{x}| + λ₂·Σ{x}²",
    }[kind]
    return f"adds {terms}{suffix} to the loss" if terms else "no penalty"


class RegularizerGroup(QGroupBox):
    """Kind (None / L1 / L2 / L1+L2) and λ of one regularizer; changing the kind keeps the λ you had.

    Emits ``regularizer_changed(reg, merge_key)``: ``reg`` is a Regularizer or None, ``merge_key``
    names the slider gesture (None for a change of kind).
    """

    regularizer_changed = Signal(object, object)

    def __init__(self, which: str, parent: QWidget | None = None):
        super().__init__(_TARGETS[which][0], parent)
        self.which = which
        self._layer = 0
        self._reg: Regularizer | None = None
        self._memory: dict[int, tuple[float, float]] = {}  # per layer: (l1, l2) last used, for kind changes

        self.kind = QComboBox()
        for kind in edits.REGULARIZER_KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.kind.setToolTip(KIND_TIP)
        self.lam1 = LogSlider(DEFAULT_LAMBDA)
        self.lam2 = LogSlider(DEFAULT_LAMBDA)
        self.lam1_label = QLabel("λ")
        self.lam2_label = QLabel("λ₂ (L2)")
        self.hint = hint_label()

        form = self._form = QFormLayout(self)
        form.addRow("Kind", self.kind)
        form.addRow(self.lam1_label, self.lam1)
        form.addRow(self.lam2_label, self.lam2)
        form.addRow(self.hint)

        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.lam1.value_changed.connect(lambda v: self._lambda_moved(1, v))
        self.lam2.value_changed.connect(lambda v: self._lambda_moved(2, v))

    # ---------------------------------------------------------------- showing
    def show_regularizer(self, layer: int, reg: Regularizer | None) -> None:
        """Show ``reg`` of layer ``layer`` (a hidden layer's index, or OUTPUT_LAYER) without emitting."""
        self._layer, self._reg = layer, reg
        kind = reg.kind if reg is not None else "none"
        if kind != "none":
            self._memory[layer] = self._had(reg)
        l1, l2 = self._had(reg)
        with signals_blocked(self.kind):
            self.kind.setCurrentIndex(edits.REGULARIZER_KINDS.index(kind))
        self.lam1.set_value(l2 if kind == "L2" else l1)
        self.lam2.set_value(l2)
        self.lam1.setEnabled(kind != "none")
        self.lam1_label.setEnabled(kind != "none")
        self.lam1_label.setText("λ₁ (L1)" if kind == "L1+L2" else "λ")
        self._form.setRowVisible(self.lam2, kind == "L1+L2")
        self.hint.setText(_hint(self.which, kind))

    def current_kind(self) -> str:
        return self.kind.currentData()

    # ---------------------------------------------------------------- editing
    def _had(self, reg: Regularizer | None) -> tuple[float, float]:
        """The (l1, l2) to keep when the kind changes: the λ in use, else the last used on this layer."""
        if reg is None or reg.kind == "none":
            return self._memory.get(self._layer, (DEFAULT_LAMBDA, DEFAULT_LAMBDA))
        return (reg.l1 or reg.l2, reg.l2 or reg.l1)

    def _kind_chosen(self) -> None:
        kind = self.current_kind()
        l1, l2 = self._had(self._reg)
        if kind == "none":
            self._memory[self._layer] = (l1, l2)
        self.regularizer_changed.emit(edits.make_regularizer(kind, l1, l2), None)

    def _lambda_moved(self, which_slider: int, value: float) -> None:
        kind = self.current_kind()
        l1, l2 = self._had(self._reg)
        if kind == "L1+L2":
            coef, slider = ("l1", self.lam1) if which_slider == 1 else ("l2", self.lam2)
        else:
            coef, slider = ("l2" if kind == "L2" else "l1"), self.lam1
        if coef == "l1":
            l1 = value
        else:
            l2 = value
        self.regularizer_changed.emit(edits.make_regularizer(kind, l1, l2), f"{coef}:{slider.gesture}")


class LayerInspector(QWidget):
    """Shows and edits the selected layer: a hidden layer, the input (noise and dropout) or the output layer (its
    kernel and bias regularizers)."""

    def __init__(self, document: ExperimentDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self._base_font = QFont(self.font())
        self._last_rate: dict[int, float] = {}  # per layer: the rate dropout returns to when switched on

        self.title = QLabel()
        self.units = QSpinBox()
        self.units.setRange(1, MAX_UNITS)
        self.units.setKeyboardTracking(False)  # typing "128" is one edit, not three
        self.units.setToolTip("Number of neurons in this layer (changing it restarts training)")
        self.activation = QComboBox()
        self.activation.addItems(ACTIVATIONS)
        self.activation.setToolTip("Activation function (changing it restarts training)")
        self.extras = LayerExtras(document, self)
        self.dropout_on = QCheckBox("Dropout")
        self.dropout_rate = RateSlider(0.0)
        self.dropout_rate.setToolTip(RATE_TIP)
        self.dropout_hint = hint_label()
        self.dropout_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.output_hint = hint_label(OUTPUT_HINT)
        self.form = QFormLayout()
        self.form.addRow("Units", self.units)
        self.form.addRow("Activation", self.activation)
        self.extras.add_rows(self.form)
        self.form.addRow(self.dropout_on, self.dropout_rate)

        self.groups = {which: RegularizerGroup(which) for which in _TARGETS}

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(self.dropout_hint)
        layout.addWidget(self.output_hint)
        for group in self.groups.values():
            layout.addWidget(group)
        layout.addStretch(1)

        self.units.valueChanged.connect(self._units_changed)
        self.activation.currentTextChanged.connect(self._activation_changed)
        self.dropout_on.toggled.connect(self._dropout_toggled)
        self.dropout_rate.value_changed.connect(self._rate_moved)
        for which, group in self.groups.items():
            group.regularizer_changed.connect(lambda reg, key, w=which: self._regularizer_changed(w, reg, key))
        document.spec_changed.connect(self.refresh)
        document.selection_changed.connect(self.refresh)
        self.refresh()

    # ---------------------------------------------------------------- public
    def set_zoom(self, factor: float) -> None:
        self.setFont(zoomed_font(self._base_font, factor))

    @property
    def layer(self) -> int:
        """The shown layer: a hidden layer's index, INPUT_LAYER or OUTPUT_LAYER."""
        index = self.document.selected_layer
        if index == OUTPUT_LAYER or 0 <= index < len(self.document.exp.network.hidden):
            return index
        return INPUT_LAYER

    def refresh(self, *_args) -> None:
        """Set every control from the spec (no edits are emitted)."""
        index = self.layer
        self.title.setText(f"<b><big>{self._title()}</big></b>")
        self._show_rows(index)
        self.extras.show_layer(index, self.document.exp)
        if index == OUTPUT_LAYER:
            self._show_output()
            return
        self._show_dropout(index)
        if index != INPUT_LAYER:
            self._show_hidden(index, self.document.exp.network.hidden[index])

    # ---------------------------------------------------------------- showing
    def _title(self) -> str:
        return {INPUT_LAYER: "Input", OUTPUT_LAYER: "Output layer"}.get(self.layer, f"Hidden layer {self.layer + 1}")

    def _show_rows(self, index: int) -> None:
        """Only the rows and groups that the kind of layer has."""
        hidden = index >= 0
        self.form.setRowVisible(self.units, hidden)
        self.form.setRowVisible(self.activation, hidden)
        self.form.setRowVisible(self.dropout_rate, index != OUTPUT_LAYER)
        self.dropout_hint.setVisible(index != OUTPUT_LAYER)
        self.output_hint.setVisible(index == OUTPUT_LAYER)
        for which, group in self.groups.items():
            group.setVisible(hidden or (index == OUTPUT_LAYER and which in OUTPUT_GROUPS))

    def _show_dropout(self, index: int) -> None:
        net = self.document.exp.network
        is_input = index == INPUT_LAYER
        rate = net.input_dropout if is_input else net.hidden[index].dropout
        if rate > 0:
            self._last_rate[index] = rate
        self.dropout_on.setText("Input dropout" if is_input else "Dropout")
        self.dropout_hint.setText(_keep_together(DROPOUT_HINTS[net.dropout_style][int(is_input)]))
        self.dropout_rate.setToolTip(GAUSSIAN_RATE_TIP if net.dropout_style == "gaussian" else RATE_TIP)
        with signals_blocked(self.dropout_on):
            self.dropout_on.setChecked(rate > 0)
        self.dropout_rate.set_value(rate)

    def _show_hidden(self, index: int, layer: HiddenLayer) -> None:
        with signals_blocked(self.units, self.activation):
            self.units.setValue(layer.units)
            self.activation.setCurrentText(layer.activation)
        for which, group in self.groups.items():
            group.show_regularizer(index, getattr(layer, f"{which}_regularizer"))

    def _show_output(self) -> None:
        output = self.document.exp.network.output
        for which in OUTPUT_GROUPS:
            self.groups[which].show_regularizer(OUTPUT_LAYER, getattr(output, f"{which}_regularizer"))

    # ---------------------------------------------------------------- edits
    def _name(self) -> str:
        return {INPUT_LAYER: "Input", OUTPUT_LAYER: "Output layer"}.get(self.layer, f"Layer {self.layer + 1}")

    def _set_field(self, text: str, name: str, value, merge_key: str | None = None) -> None:
        index = self.layer
        if not self.document.edit(text, lambda e: edits.set_field(e, index, name, value), merge_key):
            self.refresh()  # refused (the document said why): show the spec again

    def _units_changed(self, units: int) -> None:
        self._set_field(f"{self._name()} units", "units", units, merge_key=f"units:{self.layer}")

    def _activation_changed(self, activation: str) -> None:
        self._set_field(f"{self._name()} activation", "activation", activation)

    def _dropout_toggled(self, on: bool) -> None:
        rate = self._last_rate.get(self.layer, DEFAULT_DROPOUT) if on else 0.0
        self._set_field(f"{self._name()} dropout {'on' if on else 'off'}", "dropout", rate)

    def _rate_moved(self, rate: float) -> None:
        if rate > 0:
            self._last_rate[self.layer] = rate
        key = f"dropout:{self.layer}:{self.dropout_rate.gesture}"
        self._set_field(f"{self._name()} dropout rate", "dropout", rate, merge_key=key)

    def _regularizer_changed(self, which: str, reg: Regularizer | None, merge_key: str | None) -> None:
        index = self.layer
        if merge_key is None:
            text = f"{self._name()} {which} regularizer: {KIND_LABELS[reg.kind if reg else 'none']}"
        else:
            text = f"{self._name()} {which} λ"
            merge_key = f"{which}:{index}:{merge_key}"
        owner = None if index == OUTPUT_LAYER else index  # None: the output layer's (edits.set_regularizer)
        if not self.document.edit(text, lambda e: edits.set_regularizer(e, owner, which, reg), merge_key):
            self.refresh()
