"""The data panel's pages, one per source: a toy set, a scikit-learn set, or a CSV file. Each page holds the controls
of its source and shows a spec's values in them; the panel turns the controls' changes into edits."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QWidget,
)

from engine.spec import MAX_SAMPLES, MIN_SAMPLES, SKLEARN_SETS, TOY_SETS, Data
from gui.widgets import hint_label, signals_blocked

TASKS = (("auto", None), ("classification", "classification"), ("regression", "regression"))

TOY_DESCRIPTIONS = {
    "circle": "a blob inside a ring · 2 features, 2 classes",
    "xor": "four quadrants; same sign = class 1 · 2 features, 2 classes",
    "gaussian": "two round blobs · 2 features, 2 classes",
    "spiral": "two interleaved spiral arms · 2 features, 2 classes",
    "moons": "two interleaving half-moons · 2 features, 2 classes",
    "tabular": "10 features (5 informative), 2 classes",
    "plane": "regression: y = (x₁ + x₂)/2 + noise",
    "ripple": "regression: y = sin(2π·radius) + noise",
}
SKLEARN_DESCRIPTIONS = {
    "iris": "150 flowers · 4 features, 3 species",
    "wine": "178 wines · 13 features, 3 cultivars",
    "breast_cancer": "569 tumours · 30 features, benign or malignant",
    "digits": "1797 images of 8×8 pixels · 64 features, 10 digits",
    "diabetes": "442 patients · 10 features, regression (disease progression)",
}


def flush_form(parent: QWidget | None = None) -> QFormLayout:
    """A form without margins, so the pages' fields line up with the panel's."""
    form = QFormLayout(parent)
    form.setContentsMargins(0, 0, 0, 0)
    return form


class ToyPage(QWidget):
    """A toy data set, its noise and its number of samples."""

    def __init__(self) -> None:
        super().__init__()
        self.toy_set = QComboBox()
        self.toy_set.addItems(TOY_SETS)
        self.toy_about = hint_label()
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 1.0)
        self.noise.setSingleStep(0.05)
        self.noise.setDecimals(2)
        self.noise.setKeyboardTracking(False)
        self.noise.setToolTip("0 = clean, 1 = heavy overlap between the classes")
        self.samples = QSpinBox()
        self.samples.setRange(MIN_SAMPLES, MAX_SAMPLES)
        self.samples.setSingleStep(50)
        self.samples.setKeyboardTracking(False)
        form = flush_form(self)
        form.addRow("Set", self.toy_set)
        form.addRow(self.toy_about)
        form.addRow("Noise", self.noise)
        form.addRow("Samples", self.samples)

    def show_data(self, toy: Data) -> None:
        """``toy``'s set, noise and samples, without emitting edits."""
        with signals_blocked(self.toy_set, self.noise, self.samples):
            self.toy_set.setCurrentText(toy.name)
            self.noise.setValue(toy.noise)
            self.samples.setValue(toy.samples)
        self.toy_about.setText(TOY_DESCRIPTIONS.get(toy.name, ""))


class SklearnPage(QWidget):
    """One of scikit-learn's bundled data sets."""

    def __init__(self) -> None:
        super().__init__()
        self.sklearn_set = QComboBox()
        for name in SKLEARN_SETS:
            self.sklearn_set.addItem(name.replace("_", " "), name)
        self.sklearn_about = hint_label()
        form = flush_form(self)
        form.addRow("Set", self.sklearn_set)
        form.addRow(self.sklearn_about)

    def show_name(self, name: str) -> None:
        """The set ``name``, without emitting an edit."""
        with signals_blocked(self.sklearn_set):
            self.sklearn_set.setCurrentIndex(self.sklearn_set.findData(name))
        self.sklearn_about.setText(SKLEARN_DESCRIPTIONS.get(name, ""))


class CsvPage(QWidget):
    """A CSV file: the button that opens one, its name, and the target column, task and missing-value handling."""

    def __init__(self) -> None:
        super().__init__()
        self.open_button = QPushButton("Open CSV…")
        self.open_button.setToolTip("A comma-separated file with a header row of column names")
        self.file_label = hint_label()
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        self.target = QComboBox()
        self.target.setToolTip("The column to predict; every other column is a feature")
        self.task = QComboBox()
        for text, task in TASKS:
            self.task.addItem(text, task)
        self.task.setToolTip("auto: whole numbers with few values or text → classification, otherwise regression")
        self.drop_missing = QCheckBox("Drop rows with missing values")
        self.drop_missing.setToolTip("Rows with an empty (or infinite) value are left out (data.drop_missing)")
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.file_label, 1)
        form = flush_form(self)
        form.addRow(row)
        form.addRow("Target", self.target)
        form.addRow("Task", self.task)
        form.addRow(self.drop_missing)

    def show_file(self, path: str, columns: list[str], data: Data | None) -> None:
        """The file ``path`` ("" for none), its ``columns`` as the targets to choose from, and the target, task and
        missing-value handling of ``data`` (None: not a CSV experiment), without emitting edits. The controls are
        enabled once the file has columns."""
        has_file = bool(columns)
        self.file_label.setText(Path(path).name if path else "no file chosen")
        self.file_label.setToolTip(path)
        columns = list(columns)
        target = data.target if data is not None else ""
        if target and target not in columns:
            columns.append(target)  # named in the spec but not in the file: the engine will say so
        with signals_blocked(self.target, self.task, self.drop_missing):
            if [self.target.itemText(i) for i in range(self.target.count())] != columns:
                self.target.clear()
                self.target.addItems(columns)
            self.target.setCurrentText(target)
            self.task.setCurrentIndex(self.task.findData(data.task if data is not None else None))
            self.drop_missing.setChecked(data.drop_missing if data is not None else False)
        self.target.setEnabled(has_file)
        self.task.setEnabled(has_file)
        self.drop_missing.setEnabled(has_file)
