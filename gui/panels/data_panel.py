"""The data panel: which data set to learn from (toy, scikit-learn or a CSV file) and a 2-D preview.

Every change is an undoable, structural ``document.edit`` (the run restarts on new data). "Open CSV…"
picks a file and shows it in the preview dialog (``gui.panels.csv_dialog.CsvDialog``: rows, column types,
target, task and problems, read off the GUI thread); the data changes when the dialog is accepted.
The panel's parts: a page of controls per source (gui/panels/data_pages.py), the preview
(gui/panels/data_preview.py) and the reading of a CSV file's header (gui/panels/csv_header.py): a CSV experiment
opened from a file is checked here only as far as its header line. Problems are shown in a red line in the panel
and sent to ``document.error``; they never raise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QSpinBox, QVBoxLayout, QWidget

from engine.spec import MAX_SEED, MAX_TEST, MAX_VALIDATION, MIN_VALIDATION, Data, Experiment
from gui.document import ExperimentDocument
from gui.panels.csv_dialog import CsvDialog
from gui.panels.csv_header import CsvHeaderError, read_csv_header
from gui.panels.data_pages import CsvPage, SklearnPage, ToyPage, flush_form
from gui.panels.data_preview import DataPreview, preview_caption
from gui.plotting import palette
from gui.widgets import align_form_labels, hint_label, signals_blocked, zoomed_font

if TYPE_CHECKING:
    from engine.data import Dataset

SOURCES = (("Toy", "toy"), ("scikit-learn", "sklearn"), ("CSV file", "csv"))


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
        toy, sklearn, csv = ToyPage(), SklearnPage(), CsvPage()
        self.pages = {"toy": toy, "sklearn": sklearn, "csv": csv}
        # the pages' controls by name: the panel turns their changes into edits
        self.toy_set, self.toy_about, self.noise, self.samples = toy.toy_set, toy.toy_about, toy.noise, toy.samples
        self.sklearn_set, self.sklearn_about = sklearn.sklearn_set, sklearn.sklearn_about
        self.open_button, self.file_label = csv.open_button, csv.file_label
        self.target, self.task, self.drop_missing = csv.target, csv.task, csv.drop_missing

        self.validation = QSpinBox()
        self.validation.setRange(round(MIN_VALIDATION * 100), round(MAX_VALIDATION * 100))
        self.validation.setSuffix(" %")
        self.validation.setKeyboardTracking(False)
        self.validation.setToolTip("Share of the rows held out to measure over-fitting (never trained on)")
        self.test = QSpinBox()
        self.test.setRange(0, round(MAX_TEST * 100))
        self.test.setSuffix(" %")
        self.test.setKeyboardTracking(False)
        self.test.setToolTip("Share of the rows held out as untouched test rows: never trained, validated or chosen "
                             "on; a sweep scores its chosen value on them once (0 = none)")
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip("Seed of the data and of the training/validation split")
        common = QWidget()
        common_form = flush_form(common)
        common_form.addRow("Validation", self.validation)
        common_form.addRow("Test", self.test)
        common_form.addRow("Seed", self.seed)

        self.error_label = hint_label(colour=palette.VERMILLION)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.hide()

        self.plot = DataPreview()
        self.preview_label = hint_label("Preview appears when the data is loaded")

        source_form = flush_form()
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

    # ---------------------------------------------------------------- public
    def set_zoom(self, factor: float) -> None:
        self.setFont(zoomed_font(self._base_font, factor))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and hasattr(self, "_forms"):
            align_form_labels(*self._forms)

    def set_dataset(self, ds: Dataset) -> None:
        """Scatter 2-D data (training points filled, validation points hollow, coloured by class); say what is shown."""
        for _ in self.dataset_steps(ds):
            pass

    def dataset_steps(self, ds: Dataset) -> Iterator[None]:
        """:meth:`set_dataset` in two steps, for two ticks of the render timer (gui/render_loop.py): the points,
        then the frame around them and the caption."""
        drawn = self.plot.draw(ds)
        yield
        self._show_plot(drawn)
        if drawn:
            self.plot.fit()
        self.preview_label.setText(preview_caption(ds))
        yield

    def preview_counts(self) -> tuple[int, int]:
        """How many training and validation points the scatter shows."""
        return self.plot.counts()

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

        with signals_blocked(self.source, self.validation, self.test, self.seed):
            self.source.setCurrentIndex(self.source.findData(kind))
            self._show_page(kind)
            self.pages["toy"].show_data(self._toy)
            self.pages["sklearn"].show_name(self._sklearn_name)
            self.pages["csv"].show_file(self._csv_path, self._columns, data if data.kind == "csv" else None)
            self.validation.setValue(round(data.validation * 100))
            self.test.setValue(round(data.test * 100))
            self.seed.setValue(data.seed)

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

