"""The File menu driven like a user: save, open, new, recent files, drag and drop, unsaved changes, bad files,
exports (metrics CSV, screenshot, summary, Keras script, trained model) and TensorBoard logging.

Dialogs never block: the tests replace FileActions' dialog methods (or QMessageBox.exec) and read what was asked.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest
from fakes import DEFAULT, history
from pictures import distinct_colours
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.spec import Experiment, load_experiment
from engine.spec.experiment_file import save_experiment
from engine.studies.study import Curve, StudyProgress
from gui.file_actions import MAX_RECENT, summary_markdown
from gui.run_state import State
from gui.session import default_experiment


class Dialogs:
    """Stands in for FileActions' dialogs: records what was shown, answers what the test says."""

    def __init__(self, files):
        self.errors: list[tuple[str, str]] = []
        self.asked = 0
        self.answer = "discard"
        self.open_path: str | None = None
        self.save_path: str | None = None
        self.folder: str | None = None
        files.error_dialog = lambda title, text: self.errors.append((title, text))
        files.ask_unsaved = self._ask
        files.choose_open_path = lambda: self.open_path
        files.choose_save_path = lambda title, suggested, file_filter: self.save_path
        files.choose_folder = lambda title: self.folder

    def _ask(self) -> str:
        self.asked += 1
        return self.answer


@pytest.fixture
def dialogs(window):
    d = Dialogs(window.files)
    yield d
    d.answer = "discard"  # the fixture's close at the end must not be cancelled


def edit_units(window, units: int = 5) -> None:
    window.document.select_layer(0)
    window.inspector.units.setValue(units)
    assert window.document.exp.network.hidden[0].units == units


def train(qtbot, window, epochs: int = 4) -> None:
    window.play_action.trigger()
    qtbot.waitUntil(lambda: len(window.session.rows) >= epochs, timeout=60000)
    window.toggle_play()
    qtbot.waitUntil(lambda: window.session.state is State.PAUSED, timeout=10000)
    rows = len(window.session.rows)
    qtbot.wait(100)
    qtbot.waitUntil(lambda: window.session.status.epoch == len(window.session.rows), timeout=10000)
    assert len(window.session.rows) >= rows


def write_experiment(path: Path, **changes) -> Path:
    d = json.loads(json.dumps(DEFAULT))
    d.update(changes)
    path.write_text(json.dumps(d), encoding="utf-8")
    return path


# ---------------------------------------------------------------- save, open, new, title


def test_save_as_open_and_new_with_the_title_marker(qtbot, window, dialogs, tmp_path):
    files = window.files
    assert window.windowTitle() == f"RegLab — {window.document.exp.name}"
    edit_units(window, 5)
    assert window.windowTitle().endswith(" *")

    dialogs.save_path = str(tmp_path / "mine")  # no suffix: .json is added
    window.files.save_action.trigger()  # untitled: Save asks where
    saved = tmp_path / "mine.json"
    assert saved.is_file() and window.session.path == saved.resolve()
    assert window.windowTitle() == "RegLab — mine.json"
    assert window.document.undo_stack.isClean()
    text = saved.read_text(encoding="utf-8")
    assert text == json.dumps(window.document.exp.to_dict(), indent=2, ensure_ascii=False) + "\n"
    assert load_experiment(saved).to_dict() == window.document.exp.to_dict()

    edit_units(window, 7)
    assert window.windowTitle() == "RegLab — mine.json *"
    dialogs.save_path = None
    files.save_action.trigger()  # has a file: no dialog
    assert load_experiment(saved).network.hidden[0].units == 7 and window.windowTitle() == "RegLab — mine.json"

    dialogs.save_path = str(tmp_path / "copy.json")
    files.save_as_action.trigger()
    assert window.session.path == (tmp_path / "copy.json").resolve() and window.windowTitle() == "RegLab — copy.json"

    files.new_action.trigger()
    assert dialogs.asked == 0  # nothing unsaved: no question
    assert window.session.path is None and window.document.exp.to_dict() == default_experiment().to_dict()
    assert window.windowTitle() == f"RegLab — {default_experiment().name}"

    dialogs.open_path = str(saved)
    files.open_action.trigger()
    assert window.document.exp.to_dict() == load_experiment(saved).to_dict()
    assert window.windowTitle() == "RegLab — mine.json" and dialogs.errors == []
    assert files.recent_files()[:2] == [saved.resolve(), (tmp_path / "copy.json").resolve()]
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)


def test_new_and_open_ask_about_unsaved_changes(qtbot, window, dialogs, tmp_path):
    files = window.files
    other = write_experiment(tmp_path / "other.json", name="Other")
    edit_units(window, 5)
    before = window.document.exp.to_dict()

    dialogs.answer = "cancel"
    files.new_action.trigger()
    dialogs.open_path = str(other)
    files.open_action.trigger()
    assert not files.open_path(other)  # a recent file or a drop asks too
    assert dialogs.asked == 3 and window.document.exp.to_dict() == before
    assert window.windowTitle().endswith("*")

    dialogs.answer = "save"
    dialogs.save_path = str(tmp_path / "kept.json")
    files.open_action.trigger()  # Save first (untitled: Save As), then open
    assert load_experiment(tmp_path / "kept.json").to_dict() == before
    assert window.document.exp.name == "Other" and window.session.path == other.resolve()

    edit_units(window, 3)
    dialogs.answer = "discard"
    files.new_action.trigger()
    assert window.document.exp.to_dict() == default_experiment().to_dict()
    assert load_experiment(other).network.hidden[0].units == 8  # discarded, not written
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)


def test_presets_open_untitled_so_save_asks_where(qtbot, window, dialogs, tmp_path):
    preset = sorted((Path(__file__).resolve().parents[2] / "resources" / "presets").glob("*.json"))[0]
    preset_text = preset.read_text(encoding="utf-8")
    assert window.open_experiment(preset)
    assert window.session.path is None
    dialogs.save_path = str(tmp_path / "from_preset.json")
    window.files.save_action.trigger()
    assert load_experiment(tmp_path / "from_preset.json").to_dict() == load_experiment(preset).to_dict()
    assert preset.read_text(encoding="utf-8") == preset_text  # the preset is untouched
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)


# ---------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{ this is not json", ["broken.json", "not valid JSON", "line 1"]),
        ("\x00\x01binary", ["broken.json", "not valid JSON"]),
        (json.dumps({**DEFAULT, "reglab": 2}), ["broken.json", "newer RegLab", "reglab: format version 2"]),
        (json.dumps({**DEFAULT, "training": {**DEFAULT["training"], "batch_size": 0}}),
         ["broken.json", "training.batch_size", "0"]),
        (json.dumps({**DEFAULT, "colour": "red"}), ["broken.json", "colour"]),
    ],
    ids=["corrupt", "binary", "newer", "invalid", "unknown field"],
)
def test_a_bad_file_shows_why_and_keeps_the_experiment(qtbot, window, dialogs, tmp_path, content, expected):
    files = window.files
    good = tmp_path / "good.json"
    save_experiment(window.document.exp, good)
    files.open_path(good)
    edit_units(window, 6)  # unsaved, and kept: the bad file replaces nothing
    before = window.document.exp.to_dict()
    broken = tmp_path / "broken.json"
    broken.write_text(content, encoding="utf-8")
    dialogs.answer = "discard"
    dialogs.open_path = str(broken)
    files.open_action.trigger()
    assert len(dialogs.errors) == 1
    title, text = dialogs.errors[0]
    assert title == "Could not open the experiment"
    for part in expected:
        assert part in text, text
    assert window.document.exp.to_dict() == before
    assert window.session.path == good.resolve() and window.windowTitle() == "RegLab — good.json *"
    assert broken.resolve() not in files.recent_files()


def test_a_missing_file_and_a_failed_save_show_a_dialog(qtbot, window, dialogs, tmp_path):
    assert not window.files.open_path(tmp_path / "gone.json")
    assert "no such file" in dialogs.errors[-1][1]
    edit_units(window, 4)
    dialogs.save_path = str(tmp_path / "no" / "such" / "folder.json")
    assert not window.files.save()
    assert dialogs.errors[-1][0] == "Could not save the experiment" and "does not exist" in dialogs.errors[-1][1]
    assert window.windowTitle().endswith("*")  # still unsaved


def test_the_real_message_boxes_say_what_happened(qtbot, window, tmp_path, monkeypatch):
    """With the QMessageBox dialogs themselves (exec replaced so that nothing blocks)."""
    shown = []

    def fake_exec(box):
        shown.append((box.windowTitle(), box.text(), box.standardButtons()))
        return int(QMessageBox.StandardButton.Cancel if "Save the changes" in box.text()
                   else QMessageBox.StandardButton.Ok)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    files = window.files
    files.interactive = True
    newer = write_experiment(tmp_path / "future.json", reglab=2)
    assert not files.open_path(newer)
    title, text, _ = shown[-1]
    assert title == "Could not open the experiment" and "newer RegLab" in text and "future.json" in text

    edit_units(window, 5)
    assert not window.close()  # Cancel
    assert window.isVisible()
    _, text, buttons = shown[-1]
    assert "Save the changes" in text
    assert buttons == (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                       | QMessageBox.StandardButton.Cancel)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or
                        int(QMessageBox.StandardButton.Discard.value))
    assert window.close()  # Discard
    assert not window.isVisible() and "Save the changes" in shown[-1]


# ---------------------------------------------------------------- closing


def test_closing_with_unsaved_changes_asks(qtbot, window, dialogs, tmp_path):
    edit_units(window, 5)
    dialogs.answer = "cancel"
    assert not window.close()
    assert window.isVisible() and window.timer.isActive() and dialogs.asked == 1
    dialogs.answer = "save"
    dialogs.save_path = None  # Save As cancelled: the window stays
    assert not window.close()
    assert window.isVisible()
    dialogs.save_path = str(tmp_path / "on_close.json")
    assert window.close()
    assert not window.isVisible()
    assert load_experiment(tmp_path / "on_close.json").network.hidden[0].units == 5


def test_discard_closes_and_a_clean_window_does_not_ask(qtbot, window, dialogs):
    edit_units(window, 5)
    dialogs.answer = "discard"
    assert window.close()
    assert not window.isVisible() and dialogs.asked == 1
    assert window.session.worker.stop(timeout_ms=30000)


def test_a_clean_window_closes_without_asking(qtbot, window, dialogs):
    assert window.close() and dialogs.asked == 0


# ---------------------------------------------------------------- recent files, drag and drop


def test_recent_files_keep_eight_newest_first_and_drop_missing_ones(qtbot, window, dialogs, tmp_path):
    files = window.files
    paths = [write_experiment(tmp_path / f"e{i}.json", name=f"E{i}") for i in range(10)]
    for path in paths:
        assert files.open_path(path)
    recent = files.recent_files()
    assert recent == [p.resolve() for p in reversed(paths)][:MAX_RECENT]
    paths[9].unlink()
    paths[7].unlink()
    assert files.recent_files() == [paths[i].resolve() for i in (8, 6, 5, 4, 3, 2)]
    files.recent_menu.aboutToShow.emit()
    actions = files.recent_menu.actions()
    assert [a.text() for a in actions] == [f"&{n} e{i}.json" for n, i in enumerate((8, 6, 5, 4, 3, 2), start=1)]
    actions[2].trigger()
    assert window.document.exp.name == "E5" and window.session.path == paths[5].resolve()
    assert files.recent_files()[0] == paths[5].resolve()
    # remembered in the settings, for the next window
    value = window.settings.value("recent_files")
    assert [Path(v) for v in ([value] if isinstance(value, str) else value)] == files.recent_files()
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)


def _mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def test_dropping_a_json_file_opens_it(qtbot, window, dialogs, tmp_path):
    dropped = write_experiment(tmp_path / "dropped.json", name="Dropped")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello", encoding="utf-8")
    assert window.acceptDrops()

    mimes = [_mime(text_file), _mime(text_file, dropped), _mime(dropped)]  # kept alive: events do not own them
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mimes[0],
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mimes[1],
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()

    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mimes[2], Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: window.document.exp.name == "Dropped", timeout=5000)
    assert window.session.path == dropped.resolve() and window.windowTitle() == "RegLab — dropped.json"
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=60000)


# ---------------------------------------------------------------- exports


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def same_rows(read: list[dict], rows: list[dict], skip: tuple[str, ...] = ()) -> None:
    assert len(read) == len(rows)
    for got, row in zip(read, rows, strict=True):
        assert [k for k in got if k not in skip] == list(row)
        for key, value in row.items():
            assert float(got[key]) == pytest.approx(float(value), rel=1e-12, abs=0), key


def test_metrics_csv_screenshot_and_summary(qtbot, window, dialogs, tmp_path, monkeypatch):
    files = window.files
    dialogs.save_path = str(tmp_path / "empty.csv")
    assert not files.export_metrics()  # nothing trained yet
    assert "No epochs" in dialogs.errors[-1][1] and not (tmp_path / "empty.csv").exists()
    assert "no epochs trained yet" in files.copy_summary()

    train(qtbot, window, 4)
    rows = list(window.session.rows)
    assert [r["epoch"] for r in rows] == list(range(1, len(rows) + 1))
    dialogs.save_path = str(tmp_path / "metrics.csv")
    monkeypatch.setattr(window.session.worker, "take_study", lambda: None)
    assert files.export_metrics()
    same_rows(read_csv(tmp_path / "metrics.csv"), rows)
    assert not (tmp_path / "metrics_compare.csv").exists()

    # a compare study: one long file beside it, with a variant column first
    exp = Experiment.from_dict(DEFAULT)
    study = StudyProgress(kind="compare", title="compare", curves=[Curve("none", rows=history(exp, 3)),
                                                                   Curve("L2", rows=history(exp, 2))])
    monkeypatch.setattr(window.session.worker, "take_study", lambda: study)
    assert files.export_metrics()
    long = read_csv(tmp_path / "metrics_compare.csv")
    assert [r["variant"] for r in long] == ["none"] * 3 + ["L2"] * 2
    assert list(long[0])[0] == "variant"
    same_rows(long, history(exp, 3) + history(exp, 2), skip=("variant",))

    dialogs.save_path = str(tmp_path / "window")  # .png is added
    assert files.export_screenshot()
    image = QImage(str(tmp_path / "window.png"))
    assert not image.isNull() and image.width() == window.width() and image.height() == window.height()
    assert distinct_colours(window) > 20
    pixels = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(pixels) > 20  # not blank

    assert files.copy_summary_action.shortcut().toString() == "Ctrl+Shift+C"
    files.copy_summary_action.trigger()
    text = QGuiApplication.clipboard().text()
    assert text == summary_markdown(window.document.exp.name, window.session.rows)
    assert "| quantity | value |" in text and f"after epoch {window.session.rows[-1]['epoch']}" in text
    last = window.session.rows[-1]
    for key in ("loss", "data_loss", "penalty", "val_loss", "generalization_gap", "train_eval_accuracy",
                "val_accuracy"):
        assert f"{last[key]:.6g}" in text, key
    best = min(window.session.rows, key=lambda r: r["val_loss"])
    assert f"| best epoch (lowest val_loss) | {best['epoch']} " in text


def test_summary_markdown_for_regression_rows():
    rows = [{"epoch": 1, "loss": 2.0, "data_loss": 1.5, "penalty": 0.5, "val_loss": 3.0, "generalization_gap": 1.25,
             "rmse": 1.1, "val_rmse": 1.7, "train_eval_rmse": 1.05},
            {"epoch": 2, "loss": 1.0, "data_loss": 0.75, "penalty": 0.25, "val_loss": 2.5, "generalization_gap": 1.0,
             "rmse": 0.9, "val_rmse": 1.6, "train_eval_rmse": 0.95}]
    text = summary_markdown("Ripple", rows)
    assert text.splitlines()[0] == "**Ripple** — after epoch 2"
    for line in ("| epoch | 2 |", "| loss | 1 |", "| penalty | 0.25 |", "| val_loss | 2.5 |",
                 "| train rmse (dropout off) | 0.95 |", "| val rmse | 1.6 |",
                 "| best epoch (lowest val_loss) | 2 (val_loss 2.5) |"):
        assert line in text.splitlines(), line


def test_export_keras_script(qtbot, window, dialogs, tmp_path):
    if importlib.util.find_spec("engine.export.keras_script") is None:
        pytest.skip("engine.export.keras_script is not there yet")
    from engine.export.keras_script import keras_script

    dialogs.save_path = str(tmp_path / "model.py")
    assert window.files.export_keras_script()
    text = (tmp_path / "model.py").read_text(encoding="utf-8")
    assert text == keras_script(window.document.exp) and "keras" in text
    compile(text, "model.py", "exec")  # a Python script
    assert dialogs.errors == []


def test_save_trained_model_asks_the_worker(qtbot, window, dialogs, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(window.session.worker, "save_model", calls.append, raising=False)
    dialogs.save_path = str(tmp_path / "trained")
    assert window.files.save_model()
    assert calls == [str(tmp_path / "trained.keras")]  # Keras needs the suffix
    assert "Saving the trained model" in window.statusBar().currentMessage()
    window.session.worker.saved.emit(calls[0])  # what the worker says once the file is written
    assert window.statusBar().currentMessage() == f"Trained model saved to {calls[0]}"


def test_save_trained_model_for_real(qtbot, window, dialogs, tmp_path):
    train(qtbot, window, 2)
    dialogs.save_path = str(tmp_path / "model.keras")
    with qtbot.waitSignal(window.session.worker.saved, timeout=60000) as blocker:
        assert window.files.save_model()
    assert blocker.args == [str(tmp_path / "model.keras")]
    assert (tmp_path / "model.keras").stat().st_size > 0
    qtbot.waitUntil(lambda: "Trained model saved" in window.statusBar().currentMessage(), timeout=5000)


def test_tensorboard_logging_switches_on_and_off(qtbot, window, dialogs, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(window.session.worker, "set_tensorboard", calls.append, raising=False)
    action = window.files.tensorboard_action
    assert action.isCheckable() and not action.isChecked()
    dialogs.folder = None
    action.trigger()  # the folder dialog cancelled: stays off
    assert not action.isChecked() and calls == []
    dialogs.folder = str(tmp_path / "logs")
    action.trigger()
    assert action.isChecked() and calls == [str(tmp_path / "logs")]
    assert "TensorBoard" in window.statusBar().currentMessage()
    action.trigger()
    assert not action.isChecked() and calls == [str(tmp_path / "logs"), None]


def test_the_file_menu_has_every_action_with_its_keys(window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File")
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert texts == ["New", "Open…", "Open Recent", "Save", "Save As…", "Export Keras script…",
                     "Save trained model (.keras)…", "Export metrics CSV…", "Export screenshot…", "Copy summary",
                     "Log to TensorBoard…", "Quit"]
    files = window.files
    keys = {files.new_action: "Ctrl+N", files.open_action: "Ctrl+O", files.save_action: "Ctrl+S",
            files.save_as_action: "Ctrl+Shift+S", files.copy_summary_action: "Ctrl+Shift+C"}
    for action, key in keys.items():
        assert action.shortcut().toString() == key
