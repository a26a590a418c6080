"""Studies ▸ Regularization path…: the field, its values, K-fold and seeds, checked before the dialog accepts."""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox, QWidget

from engine.spec import MAX_FOLDS, Experiment, parse_values
from engine.studies.path import check_path
from gui.studies.field_dialog import FieldDialog

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


class PathDialog(FieldDialog):
    """Field path, values, folds and seeds for the regularization path."""

    def __init__(self, exp: Experiment, parent: QWidget | None = None) -> None:
        self.folds = QSpinBox()
        self.folds.setRange(NO_FOLDS, MAX_FOLDS)
        self.folds.setSpecialValueText("none")
        super().__init__(exp, "Regularization path", PATH_PRESETS, [("K-fold", self.folds)],
                         "Values: a list (0.001,0.01,0.1) or a log range start:stop:count (1e-5:0.1:9).\n"
                         "One training per value × seed (× fold); every kernel weight is drawn against the value.",
                         MAX_DIALOG_SEEDS, parent)

    def parameters(self) -> dict:
        """{"path", "values", "folds", "seeds"} (folds 0: no K-fold); raises SpecError naming what is wrong."""
        path = self.param.currentText().strip()
        values = parse_values(self.values.text())
        folds = 0 if self.folds.value() == NO_FOLDS else self.folds.value()
        check_path(self.exp, path, values, folds, self.seeds.value())  # the path exists and every value is allowed
        return {"path": path, "values": values, "folds": folds, "seeds": self.seeds.value()}
