"""The dialog a sweep and a path share: a field path (presets or typed), its values, seeds, rows of the study's own,
and a line for what is wrong, checked (``parameters``) before the dialog accepts."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from engine.spec import Experiment, SpecError
from gui.run_state import setting_error


class FieldDialog(QDialog):
    """Field, values, ``extra_rows`` (label, widget), seeds each and ``hint``; subclasses write ``parameters``."""

    def __init__(self, exp: Experiment, title: str, presets: dict[str, str], extra_rows: list[tuple[str, QWidget]],
                 hint: str, max_seeds: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.exp = exp
        self.param = QComboBox()
        self.param.setEditable(True)
        self.param.addItems(list(presets))
        self.values = QLineEdit(presets[self.param.currentText()])
        self.param.currentTextChanged.connect(lambda text: text in presets and self.values.setText(presets[text]))
        self.seeds = QSpinBox()
        self.seeds.setRange(1, max_seeds)
        self.error = QLabel()
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Field", self.param)
        form.addRow("Values", self.values)
        for label, widget in extra_rows:
            form.addRow(label, widget)
        form.addRow("Seeds each", self.seeds)
        form.addRow(QLabel(hint))
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def parameters(self) -> dict:
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.parameters()
        except SpecError as exc:
            self.error.setText(setting_error(exc, self.param.currentText().strip()))
            return
        super().accept()
