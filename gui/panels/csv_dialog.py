"""The CSV preview dialog: the first rows, each column's type, the target and task, and every problem
before training.

The file is read and inspected by ``engine.data.csv_inspect`` on a worker thread (pandas is imported there,
lazily), and the report comes back to the GUI thread through a queued Qt signal; a busy bar and
"Reading 12.3 MB…" show meanwhile, and the window stays responsive. Cancel closes the dialog at
once: a read already under way finishes in the background and its result is dropped. A new target,
task or the "drop rows with missing values" box re-inspects the rows already read (also off the GUI
thread). OK is enabled only when nothing blocks training.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.data import csv_inspect
from engine.data.csv_inspect import CsvReport
from gui.plotting import palette
from gui.widgets import hint_label, signals_blocked

PREVIEW_ROWS = 20
TASKS = (("auto", None), ("classification", "classification"), ("regression", "regression"))

# One shared pool: a cancelled dialog's read may still be running; it must not hold up the next one.
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="reglab-csv")


@dataclass
class CsvChoice:
    """What the user accepted: the experiment's ``data`` fields for this file."""

    path: str
    target: str
    task: str | None  # None = auto
    drop_missing: bool
    columns: list[str]


class _Relay(QObject):
    """Lives in the GUI thread; emitted from a worker, so the connected slot runs queued in the GUI thread."""

    done = Signal(int, object, str)  # job number, CsvReport or Exception, worker thread name


def _size_text(path: str) -> str:
    try:
        size = os.path.getsize(path)
    except OSError:
        return ""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(size / 1024, 0.1):.1f} KB" if size else "0 bytes"


class CsvDialog(QDialog):
    """Preview ``path`` and choose target, task and missing-value handling; ``choice()`` after accept."""

    report_ready = Signal(object)  # the CsvReport now shown

    def __init__(self, path: str | Path, parent: QWidget | None = None, target: str | None = None,
                 task: str | None = None, drop_missing: bool = False):
        super().__init__(parent)
        self.path = str(path)
        self.report: CsvReport | None = None
        self.worker_thread_name = ""  # the thread that produced the latest report (for tests)
        self._frame = None  # the rows as read, re-inspected on a new target or task
        self._wanted_target = target
        self._job = 0
        self._busy = False
        self._future = None  # the latest job on the worker pool
        self._relay = _Relay(self)  # deleted with the dialog, in the GUI thread
        self._relay.done.connect(self._job_done)

        self.setWindowTitle(f"Open CSV — {Path(self.path).name}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(760, 560)

        self.file_label = QLabel(self.path)
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        self.file_label.setWordWrap(True)
        self.status_label = hint_label()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(12)

        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setToolTip(f"The first {PREVIEW_ROWS} rows; each column's type and missing values in its header. "
                              "Rows are numbered as in a spreadsheet (the header is row 1), as in the problems")

        self.target = QComboBox()
        self.target.setToolTip("The column to predict; every other column is a feature")
        self.task = QComboBox()
        for text, value in TASKS:
            self.task.addItem(text, value)
        self.task.setCurrentIndex(self.task.findData(task))
        self.task.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.task.setToolTip("auto: text, or whole numbers with at most 10 values → classification; "
                             "otherwise regression")
        self.drop_missing = QCheckBox("Drop rows with missing values")
        self.drop_missing.setChecked(bool(drop_missing))
        self.drop_missing.setToolTip("Rows with an empty (or infinite) value are left out of training")
        self.summary_label = QLabel()
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)

        self.problem_list = QListWidget()
        self.problem_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.problem_list.setWordWrap(True)
        self.problem_list.setMaximumHeight(140)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        choose = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.target, 1)
        row.addWidget(QLabel("Task"))
        row.addWidget(self.task)
        row.addWidget(self.drop_missing)
        choose.addRow("Target", row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addLayout(choose)
        layout.addWidget(self.summary_label)
        layout.addWidget(QLabel("Problems"))
        layout.addWidget(self.problem_list)
        layout.addWidget(self.buttons)

        self.target.currentTextChanged.connect(lambda _: self._reinspect())
        self.task.currentIndexChanged.connect(lambda _: self._reinspect())
        self.drop_missing.toggled.connect(lambda _: self._reinspect())
        self._set_choosing_enabled(False)
        self._start(f"Reading {Path(self.path).name} ({_size_text(self.path)})…")

    # ---------------------------------------------------------------- public
    def is_busy(self) -> bool:
        """True while the file is being read or inspected on the worker thread."""
        return self._busy

    def chosen_task(self) -> str | None:
        return self.task.currentData()

    def problems(self) -> list[tuple[str, str]]:
        return list(self.report.problems) if self.report is not None else []

    def choice(self) -> CsvChoice:
        """The accepted target, task and missing-value handling (only meaningful once a report is shown)."""
        columns = self.report.column_names if self.report is not None else []
        return CsvChoice(self.path, self.target.currentText(), self.chosen_task(), self.drop_missing.isChecked(),
                         columns)

    def done(self, result: int) -> None:  # accept or reject: later reports are dropped
        self._job += 1
        self._busy = False
        super().done(result)

    # ---------------------------------------------------------------- worker
    def _start(self, status: str) -> None:
        self._job += 1
        job, relay = self._job, self._relay
        path, frame = self.path, self._frame
        target = self.target.currentText() if frame is not None else self._wanted_target
        task, drop = self.chosen_task(), self.drop_missing.isChecked()

        def work() -> None:
            try:
                if frame is None:
                    result = csv_inspect.inspect_csv(path, target, task, PREVIEW_ROWS, drop)
                    if target is not None and target not in result.column_names:  # e.g. a file with other columns
                        result = csv_inspect.inspect_frame(result.frame, path, None, task, PREVIEW_ROWS, drop) \
                            if result.frame is not None else result
                else:
                    result = csv_inspect.inspect_frame(frame, path, target, task, PREVIEW_ROWS, drop)
            except Exception as exc:  # noqa: BLE001 — shown in the dialog, never raised into the pool
                result = exc
            try:
                relay.done.emit(job, result, threading.current_thread().name)
            except RuntimeError:  # the dialog (and its relay) was deleted meanwhile: nobody is waiting
                pass

        self._busy = True
        self.status_label.setText(status)
        self.progress.show()
        self.ok_button.setEnabled(False)
        self._future = _POOL.submit(work)

    def _job_done(self, job: int, result: object, thread_name: str) -> None:
        if job != self._job:  # cancelled, or a newer choice is being inspected
            return
        self._busy = False
        self.worker_thread_name = thread_name
        self.progress.hide()
        if isinstance(result, Exception):
            result = CsvReport(path=self.path, problems=[("error", f"cannot inspect the file: {result}")])
        self.report = report = result
        self._frame = report.frame
        self.status_label.setText(self._status_text(report))
        self._fill_table(report)
        with signals_blocked(self.target):
            if [self.target.itemText(i) for i in range(self.target.count())] != report.column_names:
                self.target.clear()
                self.target.addItems(report.column_names)
            if report.target in report.column_names:
                self.target.setCurrentText(report.target)
        auto = f"auto ({report.detected_task})" if report.detected_task else "auto"
        self.task.setItemText(0, auto)
        self._set_choosing_enabled(bool(report.columns))
        self._fill_problems(report)
        self.summary_label.setText(self._summary_text(report))
        self.ok_button.setEnabled(report.ok and bool(report.columns))
        self.report_ready.emit(report)

    def _reinspect(self) -> None:
        if self._frame is None:
            return
        self._start("Checking…")

    # ---------------------------------------------------------------- showing
    def _set_choosing_enabled(self, enabled: bool) -> None:
        for widget in (self.target, self.task, self.drop_missing):
            widget.setEnabled(enabled)

    def _status_text(self, report: CsvReport) -> str:
        if not report.columns:
            return "The file cannot be used:"
        shown = min(len(report.preview), report.n_rows)
        return f"{report.n_rows} rows × {report.n_columns} columns; the first {shown} rows:"

    @staticmethod
    def _summary_text(report: CsvReport) -> str:
        if not report.columns or report.task is None:
            return ""
        what = report.task
        if report.task == "classification" and report.classes:
            what += f", {len(report.classes)} classes"
        rows = f"{report.rows_used} rows used" if report.drop_missing else f"{report.n_rows} rows"
        return f"{rows} · {report.n_inputs} inputs · {what}"

    def _fill_table(self, report: CsvReport) -> None:
        self.table.clear()
        self.table.setColumnCount(len(report.columns))
        self.table.setRowCount(len(report.preview))
        for j, column in enumerate(report.columns):
            text = f"{column.name}\n{column.kind}" + (f" · {column.missing} missing" if column.missing else "")
            item = QTableWidgetItem(text)
            item.setToolTip(f"{column.name}: {column.kind}, {column.distinct} different values, "
                            f"{column.missing} missing")
            self.table.setHorizontalHeaderItem(j, item)
        self.table.setVerticalHeaderLabels([str(i + 2) for i in range(len(report.preview))])
        for i, row in enumerate(report.preview):
            for j, value in enumerate(row):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def _fill_problems(self, report: CsvReport) -> None:
        self.problem_list.clear()
        for severity, message in report.problems:
            item = QListWidgetItem(f"{'Error' if severity == 'error' else 'Warning'}: {message}")
            item.setToolTip(message)
            if severity == "error":
                item.setForeground(QColor(*palette.VERMILLION))
            self.problem_list.addItem(item)
        if not report.problems:
            self.problem_list.addItem(QListWidgetItem("No problems found"))

    # ---------------------------------------------------------------- for tests
    def preview_cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def header_text(self, column: int) -> str:
        item = self.table.horizontalHeaderItem(column)
        return item.text() if item is not None else ""

    def problem_texts(self) -> list[str]:
        return [self.problem_list.item(i).text() for i in range(self.problem_list.count())]
