"""The data panel: which data set to learn from (toy, scikit-learn or a CSV file) and a 2-D preview.

Every change is an undoable, structural ``document.edit`` (the run restarts on new data). "Open CSV…"
picks a file and shows it in the preview dialog (``gui.csv_dialog.CsvDialog``: rows, column types,
target, task and problems, read off the GUI thread); the data changes when the dialog is accepted.
A CSV experiment opened from a file is checked here only as far as its header line, read with the
``csv`` module. Problems are shown in a red line in the panel and sent to ``document.error``; they
never raise.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.spec import SKLEARN_SETS, TOY_SETS, Data, Experiment
from gui import palette
from gui.csv_dialog import CsvDialog
from gui.document import ExperimentDocument
from gui.plot_style import shared_styles
from gui.widgets import align_form_labels, hint_label, signals_blocked, zoomed_font

if TYPE_CHECKING:
    from engine.data import Dataset

SOURCES = (("Toy", "toy"), ("scikit-learn", "sklearn"), ("CSV file", "csv"))
TASKS = (("auto", None), ("classification", "classification"), ("regression", "regression"))
HEADER_BYTES = 65536

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


class CsvHeaderError(ValueError):
    """A file whose header line cannot be used; the message names the file and what to do."""


def read_csv_header(path: str | Path) -> list[str]:
    """The column names of a CSV file, as pandas will name them; reads at most the first 64 KB."""
    path = Path(path)
    name = path.name or str(path)
    if path.is_dir():
        raise CsvHeaderError(f"{name}: is a folder, not a CSV file")
    try:
        with open(path, "rb") as f:
            head = f.read(HEADER_BYTES)
    except OSError as exc:
        raise CsvHeaderError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in head:
        raise CsvHeaderError(f"{name}: looks like a binary file, not a CSV; export the data as CSV (comma-separated)")
    if not head.strip():
        raise CsvHeaderError(f"{name}: the file is empty; it needs a header row of column names and data rows")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:  # a spreadsheet's "CSV" in a Windows code page, as the engine also accepts
        text = head.decode("latin-1")
    if len(head) == HEADER_BYTES and not any(c in text for c in "\r\n"):
        raise CsvHeaderError(f"{name}: the first line is longer than 64 KB; is this really a CSV file?")
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        raise CsvHeaderError(f"{name}: not a readable CSV file ({exc})") from None
    if len(header) < 2:
        raise CsvHeaderError(
            f"{name}: the header has {len(header)} column; a CSV needs feature columns and a target column, "
            "separated by commas"
        )
    return _pandas_names(header)


def _pandas_names(header: list[str]) -> list[str]:
    """Name columns as ``pandas.read_csv`` does: "Unnamed: i" for a blank, "a.1" for a repeated "a" (skipping
    names the header already uses; named columns are numbered before unnamed ones)."""
    names = [raw if raw != "" else f"Unnamed: {i}" for i, raw in enumerate(header)]
    unnamed = [i for i, raw in enumerate(header) if raw == ""]
    counts: dict[str, int] = {}
    for i in [i for i in range(len(names)) if header[i] != ""] + unnamed:
        col = old = names[i]
        count = counts.get(col, 0)
        while count > 0:
            counts[old] = count + 1
            col = f"{old}.{count}"
            count = count + 1 if col in names else counts.get(col, 0)
        names[i] = col
        counts[col] = count + 1
    return names


def _form(parent: QWidget | None = None) -> QFormLayout:
    form = QFormLayout(parent)
    form.setContentsMargins(0, 0, 0, 0)
    return form


class DataPanel(QWidget):
    """Source, data set, noise, samples, validation share and seed, plus a preview of 2-D data."""

    def __init__(self, document: ExperimentDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self._base_font = QFont(self.font())
        self._toy = Data()  # the toy settings to return to from another source
        self._sklearn_name = "iris"
        self._csv_path = ""  # the file whose header fills the target combo
        self._columns: list[str] = []
        self._pending_csv: Data | None = None  # "CSV file" chosen but no file opened yet: the data then
        self.file_dialog: QFileDialog | None = None
        self.csv_dialog_factory = CsvDialog  # replaceable (tests): called as CsvDialog(path, parent, target=…)
        self.csv_dialog: CsvDialog | None = None  # the latest preview dialog

        self.title = QLabel("<b><big>Data</big></b>")
        self.source = QComboBox()
        for text, kind in SOURCES:
            self.source.addItem(text, kind)
        # one page per source; only the page of the source shown is visible (hidden pages take no room)
        self.pages = {"toy": self._build_toy_page(), "sklearn": self._build_sklearn_page(),
                      "csv": self._build_csv_page()}

        self.validation = QSpinBox()
        self.validation.setRange(5, 90)
        self.validation.setSuffix(" %")
        self.validation.setKeyboardTracking(False)
        self.validation.setToolTip("Share of the rows held out to measure over-fitting (never trained on)")
        self.test = QSpinBox()
        self.test.setRange(0, 50)
        self.test.setSuffix(" %")
        self.test.setKeyboardTracking(False)
        self.test.setToolTip("Share of the rows held out as untouched test rows: never trained, validated or chosen "
                             "on; a sweep scores its chosen value on them once (0 = none)")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip("Seed of the data and of the training/validation split")
        common = QWidget()
        common_form = _form(common)
        common_form.addRow("Validation", self.validation)
        common_form.addRow("Test", self.test)
        common_form.addRow("Seed", self.seed)

        self.error_label = hint_label(colour=palette.VERMILLION)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.hide()

        self._build_preview()

        source_form = _form()
        source_form.addRow("Source", self.source)
        self._forms = [source_form, common_form, *(page.layout() for page in self.pages.values())]
        align_form_labels(*self._forms)
        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(source_form)
        for page in self.pages.values():
            layout.addWidget(page)
        layout.addWidget(common)
        layout.addWidget(self.error_label)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.preview_label)
        layout.addStretch(1)  # takes the spare height while there is no plot (see _show_plot)

        self._show_plot(False)
        self.source.currentIndexChanged.connect(self._source_chosen)
        self.toy_set.currentTextChanged.connect(lambda name: self._edit("Toy data set", name=name))
        self.noise.valueChanged.connect(lambda v: self._edit("Noise", "data:noise", noise=round(v, 2)))
        self.samples.valueChanged.connect(lambda v: self._edit("Samples", "data:samples", samples=v))
        self.sklearn_set.currentIndexChanged.connect(
            lambda _: self._edit("scikit-learn data set", name=self.sklearn_set.currentData()))
        self.open_button.clicked.connect(self.choose_csv)
        self.target.currentTextChanged.connect(lambda name: self._edit("Target column", target=name))
        self.task.currentIndexChanged.connect(lambda _: self._edit("Task", task=self.task.currentData()))
        self.drop_missing.toggled.connect(lambda on: self._edit("Drop rows with missing values", drop_missing=on))
        self.validation.valueChanged.connect(
            lambda v: self._edit("Validation share", "data:validation", validation=v / 100))
        self.test.valueChanged.connect(lambda v: self._edit("Test share", "data:test", test=v / 100))
        self.seed.valueChanged.connect(lambda v: self._edit("Data seed", "data:seed", seed=v))
        document.spec_changed.connect(self.refresh)
        self.refresh()

    # ---------------------------------------------------------------- building
    def _build_toy_page(self) -> QWidget:
        page = QWidget()
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
        self.samples.setRange(20, 10000)
        self.samples.setSingleStep(50)
        self.samples.setKeyboardTracking(False)
        form = _form(page)
        form.addRow("Set", self.toy_set)
        form.addRow(self.toy_about)
        form.addRow("Noise", self.noise)
        form.addRow("Samples", self.samples)
        return page

    def _build_sklearn_page(self) -> QWidget:
        page = QWidget()
        self.sklearn_set = QComboBox()
        for name in SKLEARN_SETS:
            self.sklearn_set.addItem(name.replace("_", " "), name)
        self.sklearn_about = hint_label()
        form = _form(page)
        form.addRow("Set", self.sklearn_set)
        form.addRow(self.sklearn_about)
        return page

    def _build_csv_page(self) -> QWidget:
        page = QWidget()
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
        form = _form(page)
        form.addRow(row)
        form.addRow("Target", self.target)
        form.addRow("Task", self.task)
        form.addRow(self.drop_missing)
        return page

    def _build_preview(self) -> None:
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMinimumHeight(160)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setAspectLocked(True)
        for axis in ("left", "bottom"):
            self.plot.hideAxis(axis)
        self.plot.setToolTip("Filled: training points · hollow: validation points")
        self.train_points = pg.ScatterPlotItem(size=6, pxMode=True)
        self.val_points = pg.ScatterPlotItem(size=7, pxMode=True)
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.val_points)
        self.preview_label = hint_label()
        self.preview_label.setText("Preview appears when the data is loaded")

    # ---------------------------------------------------------------- public
    def set_zoom(self, factor: float) -> None:
        self.setFont(zoomed_font(self._base_font, factor))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "_forms"):
            align_form_labels(*self._forms)

    def set_dataset(self, ds: Dataset) -> None:
        """Scatter 2-D data: training points filled, validation points hollow, coloured by class."""
        if ds.x_train.shape[1] != 2:
            self.train_points.clear()
            self.val_points.clear()
            self._show_plot(False)
            self.preview_label.setText(f"{ds.x_train.shape[1]} features — no 2-D preview")
            return
        y_all = np.concatenate([ds.y_train, ds.y_val])
        colours = _point_colours(y_all, ds.task)
        train_colours, val_colours = colours[: len(ds.y_train)], colours[len(ds.y_train):]
        self.train_points.setData(
            x=ds.x_train[:, 0], y=ds.x_train[:, 1],
            brush=shared_styles(lambda c: pg.mkBrush(*c, 220), train_colours),
            pen=pg.mkPen(*palette.INK, 90, width=0.5))
        self.val_points.setData(
            x=ds.x_val[:, 0], y=ds.x_val[:, 1],
            brush=pg.mkBrush(None), pen=shared_styles(lambda c: pg.mkPen(*c, width=1.5), val_colours))
        self._show_plot(True)
        self.plot.autoRange(padding=0.05)
        test = f" · {len(ds.x_test)} test rows, not drawn" if len(ds.x_test) else ""
        self.preview_label.setText(
            f"{len(ds.x_train)} training points (filled) · {len(ds.x_val)} validation points (hollow){test}")

    def preview_counts(self) -> tuple[int, int]:
        """How many training and validation points the scatter shows."""
        return len(self.train_points.data), len(self.val_points.data)

    def error_text(self) -> str:
        return self.error_label.text() if self.error_label.isVisibleTo(self) else ""

    def choose_csv(self) -> None:
        """Show a (non-native, window-modal) file dialog; the chosen file goes to :meth:`preview_csv`."""
        if self.file_dialog is None:
            self.file_dialog = QFileDialog(self, "Open CSV data", "", "CSV files (*.csv *.txt);;All files (*)")
            self.file_dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
            self.file_dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            self.file_dialog.fileSelected.connect(self.preview_csv)
        exp = self.document.exp
        if exp.data.kind == "csv":  # start where the current file is
            self.file_dialog.setDirectory(str(exp.resolved_data_path().parent))
        self.file_dialog.open()

    def preview_csv(self, path: str) -> CsvDialog:
        """Show ``path`` in the (window-modal, non-blocking) preview dialog; accepting it makes the file the
        experiment's data with the chosen target, task and missing-value handling (one undo step)."""
        current = self.document.exp.data
        csv = current.kind == "csv"
        if self.csv_dialog is not None:
            self.csv_dialog.deleteLater()
        dialog = self.csv_dialog = self.csv_dialog_factory(
            str(path), self, target=current.target if csv else None, task=current.task if csv else None,
            drop_missing=current.drop_missing if csv else False)
        dialog.accepted.connect(lambda: self._csv_accepted(dialog))
        dialog.open()
        return dialog

    def _csv_accepted(self, dialog: CsvDialog) -> None:
        choice = dialog.choice()
        if not choice.columns or not choice.target:
            return
        self._csv_path, self._columns = choice.path, list(choice.columns)
        self._pending_csv = None
        self._show_error("")
        self._replace_data("Open CSV data", Data(kind="csv", name="", path=choice.path, target=choice.target,
                                                 task=choice.task, drop_missing=choice.drop_missing))

    def open_csv(self, path: str) -> bool:
        """Read ``path``'s header; if it is usable, make the file the experiment's data (one undo step)."""
        try:
            columns = read_csv_header(path)
        except CsvHeaderError as exc:
            self._show_error(str(exc), emit=True)
            return False
        self._csv_path, self._columns = str(path), columns
        self._pending_csv = None
        self._show_error("")
        self._apply_csv("Open CSV data")
        return True

    def refresh(self, *_args) -> None:
        """Set every control from the spec (no edits are emitted)."""
        data = self.document.exp.data
        if self._pending_csv is not None and data != self._pending_csv:
            self._pending_csv = None  # the data changed some other way (undo, another file): follow the spec
        kind = "csv" if self._pending_csv is not None else data.kind
        if data.kind == "toy":
            self._toy = dataclasses.replace(data)
        elif data.kind == "sklearn":
            self._sklearn_name = data.name
        elif data.kind == "csv" and data.path != self._csv_path:
            self._load_header_quietly(self.document.exp)

        controls = (self.source, self.toy_set, self.noise, self.samples, self.sklearn_set, self.target, self.task,
                    self.drop_missing, self.validation, self.test, self.seed)
        with signals_blocked(*controls):
            self.source.setCurrentIndex(self.source.findData(kind))
            self._show_page(kind)
            self.toy_set.setCurrentText(self._toy.name)
            self.noise.setValue(self._toy.noise)
            self.samples.setValue(self._toy.samples)
            self.sklearn_set.setCurrentIndex(self.sklearn_set.findData(self._sklearn_name))
            self._fill_csv_controls(data if data.kind == "csv" else None)
            self.validation.setValue(round(data.validation * 100))
            self.test.setValue(round(data.test * 100))
            self.seed.setValue(data.seed)
        self.toy_about.setText(TOY_DESCRIPTIONS.get(self._toy.name, ""))
        self.sklearn_about.setText(SKLEARN_DESCRIPTIONS.get(self._sklearn_name, ""))

    # ---------------------------------------------------------------- internals
    def _show_page(self, kind: str) -> None:
        for page_kind, page in self.pages.items():
            page.setVisible(page_kind == kind)

    def shown_source(self) -> str:
        """The source whose controls are shown: "toy", "sklearn" or "csv"."""
        return next(kind for kind, page in self.pages.items() if not page.isHidden())

    def _show_plot(self, visible: bool) -> None:
        self.plot.setVisible(visible)
        self._layout.setStretch(self._layout.count() - 1, 0 if visible else 1)

    def _fill_csv_controls(self, data: Data | None) -> None:
        has_file = bool(self._columns)
        self.file_label.setText(Path(self._csv_path).name if self._csv_path else "no file chosen")
        self.file_label.setToolTip(self._csv_path)
        columns = list(self._columns)
        target = data.target if data is not None else ""
        if target and target not in columns:
            columns.append(target)  # named in the spec but not in the file: the engine will say so
        if [self.target.itemText(i) for i in range(self.target.count())] != columns:
            self.target.clear()
            self.target.addItems(columns)
        self.target.setCurrentText(target)
        self.task.setCurrentIndex(self.task.findData(data.task if data is not None else None))
        self.drop_missing.setChecked(data.drop_missing if data is not None else False)
        self.target.setEnabled(has_file)
        self.task.setEnabled(has_file)
        self.drop_missing.setEnabled(has_file)

    def _load_header_quietly(self, exp: Experiment) -> None:
        """Fill the target combo for a CSV experiment opened from a file (errors shown, not emitted)."""
        self._csv_path = exp.data.path
        try:
            self._columns = read_csv_header(exp.resolved_data_path())
            self._show_error("")
        except CsvHeaderError as exc:
            self._columns = []
            self._show_error(str(exc))

    def _show_error(self, message: str, emit: bool = False) -> None:
        self.error_label.setText(message)
        self.error_label.setToolTip(message)
        self.error_label.setVisible(bool(message))
        if message and emit:
            self.document.error.emit(message)

    def _source_chosen(self) -> None:
        kind = self.source.currentData()
        self._show_error("")
        current = self.document.exp.data
        if kind == current.kind:
            self._pending_csv = None
            self.refresh()
        elif kind == "toy":
            t = self._toy
            self._replace_data("Toy data", Data(kind="toy", name=t.name, samples=t.samples, noise=t.noise))
        elif kind == "sklearn":
            self._replace_data("scikit-learn data", Data(kind="sklearn", name=self._sklearn_name))
        elif self._columns:
            self._apply_csv("CSV data")
        else:
            self._pending_csv = current  # show the CSV page; the spec changes once a file is opened
            self.refresh()

    def _apply_csv(self, text: str) -> None:
        current = self.document.exp.data
        target = current.target if current.kind == "csv" and current.target in self._columns else self._columns[-1]
        task = current.task if current.kind == "csv" else None
        drop = current.drop_missing if current.kind == "csv" else False
        self._replace_data(text, Data(kind="csv", name="", path=self._csv_path, target=target, task=task,
                                      drop_missing=drop))

    def _replace_data(self, text: str, data: Data) -> None:
        def change(exp: Experiment) -> None:
            data.validation, data.test, data.seed = exp.data.validation, exp.data.test, exp.data.seed
            exp.data = data

        self.document.edit(text, change)
        self.refresh()  # also when nothing changed or the edit was refused

    def _edit(self, text: str, merge_key: str | None = None, **fields) -> None:
        if any(v == "" for v in fields.values()):  # a combo being cleared
            return

        def change(exp: Experiment) -> None:
            for name, value in fields.items():
                setattr(exp.data, name, value)

        if not self.document.edit(text, change, merge_key):
            self.refresh()


def _point_colours(y: np.ndarray, task: str) -> list[tuple[int, int, int]]:
    """Class colours from the palette (binary: y > 0.5; multiclass: the one-hot's argmax); regression: orange
    (lowest target) to blue (highest), straight, so no point fades into the white background."""
    if task == "regression":
        v = y[:, 0].astype(np.float64)
        t = (v - v.min()) / (float(v.max() - v.min()) or 1.0)
        rgb = np.array(palette.ORANGE, float) + t[:, None] * (np.array(palette.BLUE, float) - palette.ORANGE)
        return [tuple(int(c) for c in row) for row in rgb.round()]
    labels = np.argmax(y, axis=1) if y.shape[1] > 1 else (y[:, 0] > 0.5).astype(int)
    return [palette.class_colour(int(k)) for k in labels]
