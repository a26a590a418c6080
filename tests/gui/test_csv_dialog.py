"""The CSV preview dialog: rows and types, target and task, problems before training, OK only when the file can
be used, and a big file read off the GUI thread while the window keeps working."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from gui.panels.csv_dialog import PREVIEW_ROWS, CsvDialog

REPO = Path(__file__).resolve().parents[2]
WINE = REPO / "resources" / "samples" / "wine.csv"


def open_dialog(qtbot, path, **kwargs) -> CsvDialog:
    """Show the dialog (no blocking exec()) and wait for its first report."""
    dialog = CsvDialog(str(path), **kwargs)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.report_ready, timeout=20000):
        dialog.show()
    return dialog


def change(qtbot, dialog: CsvDialog, action) -> None:
    """Do ``action`` (a new target, task or drop-missing choice) and wait for the re-inspection."""
    with qtbot.waitSignal(dialog.report_ready, timeout=10000):
        action()


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_wine_preview_rows_types_and_ok(qtbot):
    dialog = open_dialog(qtbot, WINE)
    assert dialog.table.rowCount() == PREVIEW_ROWS and dialog.table.columnCount() == 14
    assert dialog.preview_cell(0, 0) == "14.23" and dialog.preview_cell(0, 13) == "class_0"
    assert dialog.header_text(0) == "alcohol\nnumber"
    assert dialog.header_text(4) == "magnesium\ninteger"
    assert dialog.header_text(13) == "cultivar\ntext"
    assert dialog.target.currentText() == "cultivar" and dialog.task.currentText() == "auto (classification)"
    assert "178 rows × 14 columns" in dialog.status_label.text()
    assert dialog.summary_label.text() == "178 rows · 13 inputs · classification, 3 classes"
    assert dialog.problem_texts() == ["No problems found"]
    assert dialog.ok_button.isEnabled() and not dialog.progress.isVisibleTo(dialog)
    assert dialog.worker_thread_name != threading.main_thread().name

    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        dialog.ok_button.click()
    choice = dialog.choice()
    assert (choice.path, choice.target, choice.task, choice.drop_missing) == (str(WINE), "cultivar", None, False)


def test_choosing_target_and_task_updates_the_report(qtbot, tmp_path):
    lines = [f"{i},{i * 0.5},{'yes' if i % 2 else 'no'},same" for i in range(30)]
    dialog = open_dialog(qtbot, write(tmp_path, "n,x,answer,const\n" + "\n".join(lines) + "\n"))
    assert dialog.target.currentText() == "const"
    assert any("has only one class (same)" in t and t.startswith("Error: ") for t in dialog.problem_texts())
    assert not dialog.ok_button.isEnabled()

    change(qtbot, dialog, lambda: dialog.target.setCurrentText("answer"))
    assert dialog.report.target == "answer" and dialog.ok_button.isEnabled()
    assert dialog.task.currentText() == "auto (classification)"
    assert dialog.problem_texts() == [
        "Warning: text column 'const': one-hot encoded into 1 input columns (one per value)"]

    change(qtbot, dialog, lambda: dialog.task.setCurrentIndex(dialog.task.findData("regression")))
    assert any("regression needs numbers" in t for t in dialog.problem_texts())
    assert not dialog.ok_button.isEnabled()

    change(qtbot, dialog, lambda: dialog.target.setCurrentText("x"))
    assert dialog.ok_button.isEnabled() and dialog.task.currentText() == "regression"
    assert dialog.summary_label.text().endswith("regression")
    assert (dialog.choice().target, dialog.choice().task) == ("x", "regression")


def test_missing_values_block_until_rows_are_dropped(qtbot, tmp_path):
    lines = [f"{i},{i % 2}" for i in range(30)]
    lines[2] = ",1"
    lines[9] = ",0"
    dialog = open_dialog(qtbot, write(tmp_path, "age,y\n" + "\n".join(lines) + "\n"))
    assert dialog.problem_texts() == [
        "Error: column 'age': 2 empty values (row 4, 11); fill them in or choose \"drop rows with missing values\""]
    assert dialog.header_text(0) == "age\ninteger · 2 missing"
    assert dialog.preview_cell(2, 0) == ""
    assert not dialog.ok_button.isEnabled()

    change(qtbot, dialog, lambda: dialog.drop_missing.setChecked(True))
    assert dialog.ok_button.isEnabled()
    assert "Warning: 2 of 30 rows have missing values and are dropped; 28 rows are used" in dialog.problem_texts()
    assert dialog.choice().drop_missing is True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(np.random.default_rng(1).integers(0, 256, 2048, dtype=np.uint8)) + b"\x00", "binary file"),
        (b"", "the file is empty"),
        (b"a,b,y\n", "no data rows"),
        (b"a,y\n1,0\n2,1\n", "only 2 data rows; RegLab needs at least 10"),
    ],
    ids=["random-bytes", "empty", "header-only", "too-few-rows"],
)
def test_unusable_files_are_listed_and_block_ok(qtbot, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    dialog = open_dialog(qtbot, path)
    texts = dialog.problem_texts()
    assert any(message in t and t.startswith("Error: ") for t in texts), texts
    assert not dialog.ok_button.isEnabled()


def test_too_many_categories_names_the_column(qtbot, tmp_path):
    lines = [f"person{i},{i},{i % 2}" for i in range(40)]
    dialog = open_dialog(qtbot, write(tmp_path, "who,n,y\n" + "\n".join(lines) + "\n"))
    assert "Error: text column 'who' has 40 different values, at most 20 allowed; remove the column or group " \
           "its values" in dialog.problem_texts()
    assert not dialog.ok_button.isEnabled()


def test_a_target_the_file_lacks_falls_back_to_the_last_column(qtbot):
    dialog = open_dialog(qtbot, WINE, target="price", task="classification", drop_missing=True)
    assert dialog.target.currentText() == "cultivar" and dialog.ok_button.isEnabled()
    assert dialog.chosen_task() == "classification" and dialog.drop_missing.isChecked()


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    """100 000 rows × 50 columns (≈32 MB), written with numpy."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100_000, 50)).round(3)
    x[:, -1] = rng.integers(0, 2, size=100_000)
    header = ",".join([f"x{i}" for i in range(49)] + ["label"])
    np.savetxt(path, x, fmt="%.3f", delimiter=",", header=header, comments="")
    return path


def test_big_file_loads_off_the_gui_thread(qtbot, big_csv):
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    started = time.perf_counter()
    dialog = CsvDialog(str(big_csv))  # returns at once: the reading is on a worker thread
    assert time.perf_counter() - started < 0.5
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.is_busy() and dialog.progress.isVisibleTo(dialog) and not dialog.ok_button.isEnabled()
    assert dialog.status_label.text().startswith("Reading big.csv (") and "MB)…" in dialog.status_label.text()
    with qtbot.waitSignal(dialog.report_ready, timeout=60000):
        pass
    elapsed = time.perf_counter() - started
    timer.stop()

    assert dialog.worker_thread_name.startswith("reglab-csv")
    report = dialog.report
    assert (report.n_rows, report.n_columns) == (100_000, 50) and report.ok
    assert report.task == "classification" and dialog.ok_button.isEnabled()
    assert dialog.table.rowCount() == PREVIEW_ROWS
    # The event loop kept running while the file was read: the timer ticked all along, never stalling long.
    assert len(ticks) >= 0.3 * elapsed / 0.01, (len(ticks), elapsed)
    gaps = np.diff([started, *ticks])
    assert gaps.max() < 0.5, gaps.max()

    # A new target re-inspects the rows already read, also off the GUI thread.
    change(qtbot, dialog, lambda: dialog.target.setCurrentText("x0"))
    assert dialog.report.task == "regression" and dialog.report.n_rows == 100_000


def test_cancel_while_reading_closes_at_once_and_drops_the_result(qtbot, big_csv):
    dialog = CsvDialog(str(big_csv))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.is_busy()
    reports: list = []
    dialog.report_ready.connect(reports.append)
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert not dialog.isVisible() and not dialog.is_busy()
    qtbot.waitUntil(lambda: dialog._future.done(), timeout=60000)  # the read finishes in the background
    qtbot.wait(50)  # its queued result arrives and is dropped
    assert reports == [] and dialog.report is None
