"""Studies ▸ Regularization path…: the field, its values, K-fold and seeds, checked before the dialog accepts."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from engine.spec import MAX_FOLDS, Experiment, SpecError, parse_values
from engine.studies.path import check_path
from gui.run_state import setting_error

#: the penalties a path is usually drawn for, with a log range from "almost none" to "every weight near 0"
PATH_PRESETS = {
    "network.hidden[*].kernel_regularizer.l1": "1e-5:0.1:9",
    "network.hidden[0].kernel_regularizer.l1": "1e-5:0.1:9",
    "network.hidden[*].kernel_regularizer.l2": "1e-5:1:11",
    "training.weight_decay": "1e-5:1:11",
    "network.output.kernel_regularizer.l1": "1e-5:0.1:9",
}
NO_FOLDS = 1  # the folds box's lowest entry, shown as "none": one run per value and seed, no K-fold
MAX_DIALOG_SEEDS = 5


class PathDialog(QDialog):
    """Field path, values, folds and seeds for the regularization path."""

    def __init__(self, exp: Experiment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Regularization path")
        self.exp = exp
        self.param = QComboBox()
        self.param.setEditable(True)
        self.param.addItems(list(PATH_PRESETS))
        self.values = QLineEdit(PATH_PRESETS[self.param.currentText()])
        self.param.currentTextChanged.connect(
            lambda text: text in PATH_PRESETS and self.values.setText(PATH_PRESETS[text]))
        self.folds = QSpinBox()
        self.folds.setRange(NO_FOLDS, MAX_FOLDS)
        self.folds.setSpecialValueText("none")
        self.seeds = QSpinBox()
        self.seeds.setRange(1, MAX_DIALOG_SEEDS)
        self.error = QLabel()
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Field", self.param)
        form.addRow("Values", self.values)
        form.addRow("K-fold", self.folds)
        form.addRow("Seeds each", self.seeds)
        form.addRow(QLabel("Values: a list (0.001,0.01,0.1) or a log range start:stop:count (1e-5:0.1:9).\n"
                           "One training per value × seed (× fold); every kernel weight is drawn against the value."))
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def parameters(self) -> dict:
        """{"path", "values", "folds", "seeds"} (folds 0: no K-fold); raises SpecError naming what is wrong."""
        path = self.param.currentText().strip()
        values = parse_values(self.values.text())
        folds = 0 if self.folds.value() == NO_FOLDS else self.folds.value()
        check_path(self.exp, path, values, folds, self.seeds.value())  # the path exists and every value is allowed
        return {"path": path, "values": values, "folds": folds, "seeds": self.seeds.value()}

    def accept(self) -> None:
        try:
            self.parameters()
        except SpecError as exc:
            self.error.setText(setting_error(exc, self.param.currentText().strip()))
            return
        super().accept()
