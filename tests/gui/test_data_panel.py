"""The data panel: each source edits the spec as expected (undoably); bad CSV files are reported, never raised."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog

from engine.data import Dataset
from engine.spec import Data, Experiment
from gui.document import ExperimentDocument
from gui.panels.csv_dialog import CsvChoice, CsvDialog
from gui.panels.csv_header import read_csv_header
from gui.panels.data_panel import DataPanel
from tests.gui import fakes
from tests.gui.pictures import show_in_host

SHOTS = Path("/tmp/reglab_shots")


@pytest.fixture
def doc() -> ExperimentDocument:
    return ExperimentDocument(fakes.experiment())


@pytest.fixture
def panel(qtbot, doc) -> DataPanel:
    widget = DataPanel(doc)
    show_in_host(qtbot, widget, 340, 560)
    return widget


@pytest.fixture
def csv_file(tmp_path) -> Path:
    path = tmp_path / "houses.csv"
    rows = "\n".join(f"{i},{i % 7},{'yes' if i % 2 else 'no'},{i * 1.5}" for i in range(30))
    path.write_text("rooms,age,garden,price\n" + rows + "\n", encoding="utf-8")
    return path


def recorder(signal) -> list:
    seen: list = []
    signal.connect(seen.append)
    return seen


def undo_all(doc: ExperimentDocument, before: Experiment, steps: int) -> None:
    assert doc.undo_stack.count() == steps
    for _ in range(steps):
        doc.undo_stack.undo()
    assert doc.exp == before and doc.exp.to_dict() == before.to_dict()


# --------------------------------------------------------------------------- toy and scikit-learn


def test_shows_the_spec(panel):
    assert panel.source.currentText() == "Toy"
    assert panel.toy_set.currentText() == "spiral"
    assert (panel.noise.value(), panel.samples.value(), panel.validation.value(), panel.seed.value()) == (
        0.15, 200, 30, 0)
    assert "spiral" in panel.toy_about.text()


def test_toy_edits_are_structural_and_undoable(doc, panel):
    before = doc.exp.copy()
    kinds = recorder(doc.spec_changed)
    panel.toy_set.setCurrentText("moons")
    panel.noise.setValue(0.4)
    panel.samples.setValue(500)
    panel.validation.setValue(25)
    panel.seed.setValue(7)

    expected = before.copy()
    expected.data = Data(kind="toy", name="moons", samples=500, noise=0.4, validation=0.25, seed=7)
    assert doc.exp == expected
    assert kinds == ["structural"] * 5
    undo_all(doc, before, 5)
    assert panel.toy_set.currentText() == "spiral" and panel.samples.value() == 200


def test_spin_clicks_merge_into_one_step(doc, panel):
    for _ in range(4):
        panel.samples.stepUp()
    assert doc.exp.data.samples == 400
    assert doc.undo_stack.count() == 1


def test_sklearn_source_and_back_to_toy(doc, panel):
    before = doc.exp.copy()
    panel.noise.setValue(0.3)
    panel.source.setCurrentText("scikit-learn")
    assert doc.exp.data == Data(kind="sklearn", name="iris", validation=0.3, seed=0, samples=400, noise=0.15)
    assert doc.exp.to_dict()["data"] == {"kind": "sklearn", "name": "iris", "validation": 0.3, "seed": 0}
    assert panel.shown_source() == "sklearn"

    panel.sklearn_set.setCurrentText("breast cancer")
    assert doc.exp.data.name == "breast_cancer"
    assert "30 features" in panel.sklearn_about.text()

    panel.source.setCurrentText("Toy")  # the toy settings come back as they were
    data = doc.exp.data
    assert (data.kind, data.name, data.noise, data.samples) == ("toy", "spiral", 0.3, 200)
    undo_all(doc, before, 4)


# --------------------------------------------------------------------------- CSV


def test_open_csv_fills_target_and_edits_spec(doc, panel, csv_file):
    before = doc.exp.copy()
    assert panel.open_csv(str(csv_file))

    assert [panel.target.itemText(i) for i in range(panel.target.count())] == ["rooms", "age", "garden", "price"]
    assert panel.source.currentText() == "CSV file"
    assert doc.exp.data.kind == "csv"
    assert doc.exp.to_dict()["data"] == {
        "kind": "csv", "path": str(csv_file), "target": "price", "validation": 0.3, "seed": 0}
    assert panel.target.currentText() == "price" and panel.task.currentText() == "auto"
    assert panel.file_label.text() == "houses.csv"

    panel.target.setCurrentText("garden")
    panel.task.setCurrentText("classification")
    assert (doc.exp.data.target, doc.exp.data.task) == ("garden", "classification")
    panel.task.setCurrentText("auto")
    assert doc.exp.data.task is None
    undo_all(doc, before, 4)
    assert panel.source.currentText() == "Toy"


def test_choosing_csv_source_waits_for_a_file(doc, panel, csv_file):
    before = doc.exp.copy()
    panel.source.setCurrentText("CSV file")
    assert panel.shown_source() == "csv" and panel.source.currentText() == "CSV file"
    assert doc.exp == before and doc.undo_stack.count() == 0
    assert not panel.target.isEnabled()

    panel.open_csv(str(csv_file))
    assert doc.exp.data.kind == "csv" and doc.undo_stack.count() == 1
    panel.source.setCurrentText("Toy")
    assert doc.exp.data.kind == "toy"
    panel.source.setCurrentText("CSV file")  # the file opened before is used again
    assert doc.exp.data.path == str(csv_file) and doc.exp.data.target == "price"


def test_csv_experiment_from_a_file_fills_the_target_combo(doc, panel, csv_file):
    exp = fakes.experiment()
    exp.data = Data(kind="csv", name="", path="houses.csv", target="age", task="regression")
    exp.base_dir = str(csv_file.parent)  # a relative path, as in a saved experiment
    doc.replace(exp)
    assert panel.source.currentText() == "CSV file"
    assert panel.target.count() == 4 and panel.target.currentText() == "age"
    assert panel.task.currentText() == "regression"
    assert panel.error_text() == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        (os.urandom(300) + b"\x00", "binary"),
        (b"just_one_column\n1\n2\n", "1 column"),
        (b'"unclosed,quote\n1,2\n', "1 column"),
    ],
)
def test_bad_csv_is_reported_without_crashing(qtbot, doc, panel, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    before = doc.exp.copy()
    with qtbot.waitSignal(doc.error, timeout=1000) as blocker:
        assert panel.open_csv(str(path)) is False
    assert message in blocker.args[0] and "bad.csv" in blocker.args[0]
    assert panel.error_label.isVisibleTo(panel) and message in panel.error_text()
    assert doc.exp == before and doc.undo_stack.count() == 0


def test_missing_file_and_folder_are_reported(qtbot, doc, panel, tmp_path, csv_file):
    errors = recorder(doc.error)
    assert not panel.open_csv(str(tmp_path / "nope.csv"))
    assert not panel.open_csv(str(tmp_path))
    assert "cannot be read" in errors[0] and "folder" in errors[1]
    assert panel.open_csv(str(csv_file))  # a good file clears the red line
    assert panel.error_text() == ""


def test_header_names_match_pandas(tmp_path):
    text = 'a,a,,b,a.1,a,"x, y",\n1,2,3,4,5,6,7,8\n'
    path = tmp_path / "names.csv"
    path.write_text("\ufeff" + text, encoding="utf-8")  # with a byte-order mark, as Excel writes
    assert read_csv_header(path) == list(pd.read_csv(io.StringIO(text)).columns)


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # the dialog is a window with a layout
def test_open_button_shows_a_non_native_dialog_then_the_preview(qtbot, doc, panel, csv_file):
    before = doc.exp.copy()
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    dialog = panel.file_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.fileSelected.emit(str(csv_file))  # as when the user picks the file
    dialog.reject()
    preview = panel.csv_dialog
    assert isinstance(preview, CsvDialog) and preview.isVisible() and preview.path == str(csv_file)
    assert doc.exp == before  # nothing changes until the preview is accepted
    qtbot.waitUntil(lambda: preview.ok_button.isEnabled(), timeout=20000)
    assert preview.target.currentText() == "price"
    preview.ok_button.click()
    assert doc.exp.to_dict()["data"] == {
        "kind": "csv", "path": str(csv_file), "target": "price", "validation": 0.3, "seed": 0}
    assert panel.target.currentText() == "price" and panel.file_label.text() == "houses.csv"
    undo_all(doc, before, 1)


def wait_for_report(qtbot, dialog: CsvDialog, action=None) -> None:
    with qtbot.waitSignal(dialog.report_ready, timeout=20000):
        if action is not None:
            action()


def test_preview_accepted_sets_target_task_and_drop_missing(qtbot, doc, panel, tmp_path):
    lines = [f"{i},{i % 7},{'yes' if i % 2 else 'no'},{i * 1.5}" for i in range(30)]
    lines[3] = "3,,yes,4.5"  # a missing age
    path = tmp_path / "gaps.csv"
    path.write_text("rooms,age,garden,price\n" + "\n".join(lines) + "\n", encoding="utf-8")
    before = doc.exp.copy()

    preview = panel.preview_csv(str(path))
    assert preview is panel.csv_dialog and preview.isVisible()
    wait_for_report(qtbot, preview)
    assert not preview.ok_button.isEnabled()  # the missing value blocks
    assert any("column 'age': 1 empty value (row 5)" in t for t in preview.problem_texts())
    wait_for_report(qtbot, preview, lambda: preview.drop_missing.setChecked(True))
    wait_for_report(qtbot, preview, lambda: preview.target.setCurrentText("garden"))
    wait_for_report(qtbot, preview, lambda: preview.task.setCurrentIndex(preview.task.findData("classification")))
    assert preview.ok_button.isEnabled()
    preview.ok_button.click()

    assert doc.exp.to_dict()["data"] == {
        "kind": "csv", "path": str(path), "target": "garden", "task": "classification", "drop_missing": True,
        "validation": 0.3, "seed": 0}
    assert panel.source.currentText() == "CSV file" and panel.target.currentText() == "garden"
    assert panel.task.currentText() == "classification" and panel.drop_missing.isChecked()
    panel.drop_missing.setChecked(False)  # also editable in the panel, undoably
    assert doc.exp.data.drop_missing is False
    undo_all(doc, before, 2)


def test_preview_cancelled_changes_nothing(qtbot, doc, panel, csv_file):
    before = doc.exp.copy()
    preview = panel.preview_csv(str(csv_file))
    wait_for_report(qtbot, preview)
    preview.reject()
    assert doc.exp == before and doc.undo_stack.count() == 0


def test_preview_starts_from_the_current_csv_choice(qtbot, doc, panel, csv_file):
    panel.open_csv(str(csv_file))
    panel.target.setCurrentText("garden")
    panel.task.setCurrentText("classification")
    preview = panel.preview_csv(str(csv_file))
    wait_for_report(qtbot, preview)
    assert preview.target.currentText() == "garden" and preview.chosen_task() == "classification"


def test_the_preview_dialog_is_replaceable(qtbot, doc, panel, csv_file):
    """Tests (and other front ends) can swap the dialog for anything with its signals and choice()."""
    class FakeDialog(QDialog):
        def __init__(self, path, parent=None, **kwargs):
            super().__init__(parent)
            self.kwargs = kwargs
            self.path = path

        def choice(self):
            return CsvChoice(self.path, "age", "regression", False, ["rooms", "age", "garden", "price"])

    panel.csv_dialog_factory = FakeDialog
    dialog = panel.preview_csv(str(csv_file))
    assert dialog.kwargs == {"target": None, "task": None, "drop_missing": False}
    dialog.accept()
    assert (doc.exp.data.kind, doc.exp.data.target, doc.exp.data.task) == ("csv", "age", "regression")
    assert [panel.target.itemText(i) for i in range(panel.target.count())] == ["rooms", "age", "garden", "price"]


def test_sample_wine_csv_previews_and_is_accepted(qtbot, doc, panel):
    wine = Path(__file__).resolve().parents[2] / "resources" / "samples" / "wine.csv"
    preview = panel.preview_csv(str(wine))
    wait_for_report(qtbot, preview)
    assert preview.table.rowCount() == 20 and preview.ok_button.isEnabled()
    preview.accept()
    assert (doc.exp.data.path, doc.exp.data.target, doc.exp.data.task) == (str(wine), "cultivar", None)


# --------------------------------------------------------------------------- preview


def multiclass(n: int = 90) -> Dataset:
    ds = fakes.dataset(n=n)
    labels = np.arange(n) % 3
    onehot = np.eye(3, dtype=np.float32)[labels]
    ds.y_train, ds.y_val = onehot[: len(ds.x_train)], onehot[len(ds.x_train):]
    ds.task = "multiclass"
    return ds


def test_scatter_shows_every_point(panel):
    panel.set_dataset(fakes.dataset(n=100))
    assert panel.preview_counts() == (70, 30)
    assert panel.plot.isVisibleTo(panel)
    assert "70 training points" in panel.preview_label.text()
    ds = multiclass(90)
    panel.set_dataset(ds)
    assert panel.preview_counts() == (len(ds.x_train), len(ds.x_val)) == (62, 28)


def test_no_preview_beyond_two_features(panel):
    panel.set_dataset(fakes.dataset(n_features=30))
    assert panel.preview_label.text() == "30 features — no 2-D preview"
    assert not panel.plot.isVisibleTo(panel)
    assert panel.preview_counts() == (0, 0)
    panel.set_dataset(fakes.dataset())
    assert panel.plot.isVisibleTo(panel)


def test_zoom_scales_the_font(panel):
    size = panel.font().pointSizeF()
    panel.set_zoom(1.5)
    assert panel.source.font().pointSizeF() == pytest.approx(1.5 * size)


def is_blank(image) -> bool:
    colours = {image.pixel(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)}
    return len(colours) < 3


def test_screenshot(qtbot, doc, panel, tmp_path, csv_file):
    panel.set_dataset(multiclass(150))
    qtbot.wait(20)
    pixmap = panel.grab()
    assert not pixmap.isNull() and not is_blank(pixmap.toImage())
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder in (SHOTS, tmp_path):
        assert pixmap.save(str(folder / "data_panel.png"))

    panel.open_csv(str(csv_file))
    panel.open_csv(str(tmp_path / "missing.csv"))  # leaves the red line showing
    panel.set_dataset(fakes.dataset(n_features=30))
    qtbot.wait(20)
    pixmap = panel.grab()
    assert not is_blank(pixmap.toImage())
    assert pixmap.save(str(SHOTS / "data_panel_csv.png"))


def test_a_new_data_set_keeps_the_split_test_rows_included(doc, panel):
    doc.edit("Test rows", lambda e: setattr(e.data, "test", 0.2))
    panel.source.setCurrentText("scikit-learn")
    assert (doc.exp.data.kind, doc.exp.data.validation, doc.exp.data.test) == ("sklearn", 0.3, 0.2)
    assert doc.exp.to_dict()["data"]["test"] == 0.2


def test_test_rows_are_set_in_the_panel_and_counted_not_drawn(doc, panel):
    from engine.data import load_dataset

    panel.test.setValue(20)
    assert doc.exp.data.test == 0.2
    ds = load_dataset(doc.exp)
    panel.set_dataset(ds)
    assert panel.preview_counts() == (len(ds.x_train), len(ds.x_val))
    assert len(ds.x_train) + len(ds.x_val) + len(ds.x_test) == doc.exp.data.samples
    assert panel.preview_label.text().endswith(f" · {len(ds.x_test)} test rows, not drawn")
    panel.validation.setValue(90)  # validation + test would leave no training rows: refused, the panel says so
    assert doc.exp.data.validation == 0.3 and panel.validation.value() == 30
