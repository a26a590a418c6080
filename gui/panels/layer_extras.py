"""Max-norm, noise σ and batch norm: rows of the layer inspector's form for a hidden layer, and the input noise σ
when the input is selected.

Each change is one undoable ``document.edit``. Changing c or σ while it stays on is live, and successive changes of
one layer's c (or σ) merge into one undo step; switching either on or off, or batch norm, restarts the run and is a
step of its own (the document's ``spec_changed`` says which, from ``engine.spec.live_fields_differ_only``). A value
is shown from the spec with the control's signals blocked, so showing never edits.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QFormLayout, QLabel, QWidget

from engine.spec import MAX_MAX_NORM, MAX_NOISE, Experiment, HiddenLayer
from gui import edits
from gui.document import INPUT_LAYER, OUTPUT_LAYER, ExperimentDocument
from gui.widgets import hint_label, signals_blocked

MAX_NORM_TIP = ("After every training step, each unit's incoming weight vector is scaled back to length ≤ c "
                "(Keras MaxNorm(c, axis=0)); changing c is live, switching it on or off restarts the run")
NOISE_TIP = ("Adds Gaussian noise N(0, σ²) to this layer's outputs while training only; changing σ is live, "
             "switching it on or off restarts the run. 0: off")
INPUT_NOISE_TIP = ("Adds Gaussian noise N(0, σ²) to every input feature while training only (standardized for CSV "
                   "and scikit-learn sets; toy sets in the plot's units), before input dropout: the 2-D analogue of "
                   "data augmentation. Changing σ is live, switching it on or off restarts the run. 0: off")
BATCH_NORM_TIP = ("BatchNormalization between the Dense layer and its activation; switching it restarts the run. "
                  "While training it normalizes each unit with the batch's mean and variance, at test time with "
                  "their moving averages")
DEFAULT_MAX_NORM = 3.0  # Srivastava et al. (JMLR 2014) used c ≈ 3–4 with dropout
MIN_MAX_NORM = 0.0001  # the spin box's floor: the spec allows any c > 0


class ShortSpinBox(QDoubleSpinBox):
    """A number box that shows its value without trailing zeros ("0.1", "3", "0.025"), up to four decimals."""

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        return self.locale().toString(value, "g", 6)


def _spin_box(maximum: float, step: float, tip: str) -> ShortSpinBox:
    box = ShortSpinBox()
    box.setDecimals(4)
    box.setRange(0.0, maximum)
    box.setSingleStep(step)
    box.setKeyboardTracking(False)  # typing "0.25" is one edit, not four
    box.setToolTip(tip)
    return box


class LayerExtras(QObject):
    """The Max-norm (check box and c), Noise σ and Batch norm rows, for the layer the inspector shows."""

    def __init__(self, document: ExperimentDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self._index = INPUT_LAYER
        self._last_c: dict[int, float] = {}  # per layer: the c max-norm returns to when switched on
        self._form: QFormLayout | None = None  # the inspector's, from add_rows

        self.batch_norm = QCheckBox("Batch norm")
        self.batch_norm.setToolTip(BATCH_NORM_TIP)
        self.batch_norm_where = hint_label()  # "between Dense and relu": where it sits, for the layer's activation
        self.max_norm_on = QCheckBox("Max-norm")
        self.max_norm_on.setToolTip(MAX_NORM_TIP)
        self.max_norm = _spin_box(MAX_MAX_NORM, 0.5, MAX_NORM_TIP)
        self.max_norm.setMinimum(MIN_MAX_NORM)
        self.max_norm.setPrefix("c = ")
        self.noise_label = QLabel("Noise σ")
        self.noise = _spin_box(MAX_NOISE, 0.05, NOISE_TIP)
        self.noise.setSpecialValueText("off")  # shown at the minimum, 0

        self.batch_norm.toggled.connect(self._batch_norm_toggled)
        self.max_norm_on.toggled.connect(self._max_norm_toggled)
        self.max_norm.valueChanged.connect(self._c_changed)
        self.noise.valueChanged.connect(self._sigma_changed)

    def add_rows(self, form: QFormLayout) -> None:
        """Batch norm, Max-norm and Noise σ, as the next rows of ``form`` (the inspector's)."""
        self._form = form
        form.addRow(self.batch_norm, self.batch_norm_where)
        form.addRow(self.max_norm_on, self.max_norm)
        form.addRow(self.noise_label, self.noise)

    # ---------------------------------------------------------------- showing
    def show_layer(self, index: int, exp: Experiment) -> None:
        """Show layer ``index`` of ``exp`` (INPUT_LAYER: the input noise only; OUTPUT_LAYER: no row)."""
        self._index = index
        hidden, form = index >= 0, self._form
        form.setRowVisible(self.batch_norm, hidden)
        form.setRowVisible(self.max_norm, hidden)
        form.setRowVisible(self.noise, index != OUTPUT_LAYER)
        is_input = index == INPUT_LAYER
        self.noise_label.setText("Input noise σ" if is_input else "Noise σ")
        self.noise.setToolTip(INPUT_NOISE_TIP if is_input else NOISE_TIP)
        if index == OUTPUT_LAYER:
            return
        sigma = exp.network.input_noise if is_input else exp.network.hidden[index].noise
        with signals_blocked(self.noise):
            self.noise.setValue(sigma)
        if hidden:
            self._show_hidden(exp.network.hidden[index])

    def _show_hidden(self, layer: HiddenLayer) -> None:
        if layer.max_norm is not None:
            self._last_c[self._index] = layer.max_norm
        c = layer.max_norm if layer.max_norm is not None else self._last_c.get(self._index, DEFAULT_MAX_NORM)
        self.batch_norm_where.setText(f"between Dense and {layer.activation}")
        with signals_blocked(self.batch_norm, self.max_norm_on, self.max_norm):
            self.batch_norm.setChecked(layer.batch_norm)
            self.max_norm_on.setChecked(layer.max_norm is not None)
            self.max_norm.setValue(c)
        self.max_norm.setEnabled(layer.max_norm is not None)

    # ---------------------------------------------------------------- editing
    def _name(self) -> str:
        return "Input" if self._index == INPUT_LAYER else f"Layer {self._index + 1}"

    def _set(self, text: str, name: str, value, merge_key: str | None = None) -> None:
        index = self._index
        if not self.document.edit(f"{self._name()} {text}", lambda e: edits.set_field(e, index, name, value),
                                  merge_key):
            self.show_layer(index, self.document.exp)  # refused (the document said why): show the spec again

    def _batch_norm_toggled(self, on: bool) -> None:
        self._set(f"batch norm {'on' if on else 'off'}", "batch_norm", on)

    def _max_norm_toggled(self, on: bool) -> None:
        self._set(f"max-norm {'on' if on else 'off'}", "max_norm",
                  self._last_c.get(self._index, DEFAULT_MAX_NORM) if on else None)

    def _c_changed(self, c: float) -> None:
        self._last_c[self._index] = c
        self._set("max-norm c", "max_norm", c, merge_key=f"max_norm:{self._index}")

    def _sigma_changed(self, sigma: float) -> None:
        net = self.document.exp.network
        had = net.input_noise if self._index == INPUT_LAYER else net.hidden[self._index].noise
        # σ changes while on merge into one undo step; switching on or off (a restart) is a step of its own
        merge_key = f"noise:{self._index}" if had > 0 and sigma > 0 else None
        self._set(f"noise σ {'off' if sigma == 0 else 'on' if had == 0 else ''}".rstrip(), "noise", sigma, merge_key)
