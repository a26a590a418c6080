"""The File menu: new / open / save experiment files, recent files, exports, TensorBoard logging.

Files are the engine's experiment JSON (``engine.spec.load_experiment`` reads it, ``engine.spec.experiment_file.
save_experiment`` writes it atomically). The session model (gui/session.py) holds the file's path and whether the
experiment has unsaved changes (its document's undo stack is not clean); the window's title shows both, and a
save marks the experiment clean. Replacing or closing an experiment with unsaved changes asks
Save / Discard / Cancel first.

Every dialog goes through a small method (:meth:`FileActions.error_dialog`, :meth:`ask_unsaved`,
:meth:`choose_open_path`, :meth:`choose_save_path`, :meth:`choose_folder`) that tests replace. When Qt runs on a
platform nobody can see (``offscreen``, ``minimal``) a modal dialog would wait forever, so there the defaults do
not block: errors go to the status bar and unsaved changes are discarded (``interactive`` is False).

Exports: a Keras script (``engine.export.keras_script.keras_script``), the trained model (the worker saves it on its
thread), the metrics as CSV (a compare study's variants as one long file with a ``variant`` column), a PNG of the
window and a Markdown summary on the clipboard.
"""

from __future__ import annotations

import csv
import importlib
import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QUrl
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from engine.spec import NewerFormatError, SpecError, load_experiment
from engine.spec.experiment_file import SUFFIX, save_experiment
from gui.session import TrainingSession, default_experiment
from gui.window_menus import make_action

MAX_RECENT = 8
RECENT_KEY = "recent_files"
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "minimalegl"})  # no one can see a dialog there
JSON_FILTER = "RegLab experiments (*.json);;All files (*)"
SUMMARY_FIELDS = (  # (label, row key or None for the metric names filled in per task)
    ("epoch", "epoch"), ("loss", "loss"), ("data_loss", "data_loss"), ("penalty", "penalty"),
    ("val_loss", "val_loss"), ("generalization gap (val_loss − train_eval_loss)", "generalization_gap"),
)


def local_json_paths(urls: list[QUrl]) -> list[Path]:
    """The local .json files among dropped URLs."""
    return [Path(u.toLocalFile()) for u in urls if u.isLocalFile() and u.toLocalFile().lower().endswith(SUFFIX)]


def format_number(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    return f"{value:.6g}" if math.isfinite(value) else str(value)


def summary_markdown(name: str, rows: list[dict]) -> str:
    """The current run's final numbers as a Markdown table (empty run: a one-line note)."""
    if not rows:
        return f"**{name}**: no epochs trained yet\n"
    last = rows[-1]
    metric = "accuracy" if "accuracy" in last else "rmse" if "rmse" in last else None
    lines = [f"**{name}** — after epoch {last['epoch']}", "", "| quantity | value |", "| --- | --- |"]
    for label, key in SUMMARY_FIELDS:
        if key in last:
            lines.append(f"| {label} | {format_number(last[key])} |")
    if metric:
        for label, key in ((f"train {metric} (dropout off)", f"train_eval_{metric}"),
                           (f"val {metric}", f"val_{metric}")):
            if key in last:
                lines.append(f"| {label} | {format_number(last[key])} |")
    finite = [r for r in rows if isinstance(r.get("val_loss"), (int, float)) and math.isfinite(r["val_loss"])]
    if finite:
        best = min(finite, key=lambda r: r["val_loss"])
        lines.append(f"| best epoch (lowest val_loss) | {best['epoch']} (val_loss {format_number(best['val_loss'])}) |")
    return "\n".join(lines) + "\n"


def _columns(rows: list[dict], first: tuple[str, ...] = ()) -> list[str]:
    columns = list(first)
    for row in rows:
        columns += [key for key in row if key not in columns]
    return columns


def _plain(value):
    """Numbers as Python numbers (numpy scalars print with their type otherwise)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def write_rows_csv(path: Path, rows: list[dict], first: tuple[str, ...] = ()) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=_columns(rows, first), restval="")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _plain(value) for key, value in row.items()})


def compare_path(path: Path) -> Path:
    """Where the compare study's rows go beside a metrics file: ``metrics.csv`` → ``metrics_compare.csv``."""
    return path.with_name(f"{path.stem}_compare{path.suffix or '.csv'}")


class FileActions(QObject):
    """The File menu's actions and their dialogs, for one session in one window (``window``: the dialogs' parent,
    the screenshot's subject, and where the actions' shortcuts live; ``settings``: where the recent files are kept;
    ``show_message``: the window's status bar)."""

    def __init__(self, session: TrainingSession, window: QWidget, settings: QSettings,
                 show_message: Callable[[str], None]) -> None:
        super().__init__(window)
        self.session = session
        self.window = window
        self.settings = settings
        self.show_message = show_message
        self.document = session.document
        platform = QGuiApplication.platformName() if QGuiApplication.instance() else ""
        self.interactive = platform not in HEADLESS_PLATFORMS
        self.last_dialog: tuple[str, str] | None = None  # (title, text) of the last error shown

        def a(*args):
            return make_action(window, *args)

        self.new_action = a("&New", self.new, QKeySequence.StandardKey.New, "A new experiment (the default one)")
        self.open_action = a("&Open…", self.open, QKeySequence.StandardKey.Open, "Open an experiment file")
        self.save_action = a("&Save", self.save, QKeySequence.StandardKey.Save, "Save the experiment (Ctrl+S)")
        self.save_as_action = a("Save &As…", self.save_as, "Ctrl+Shift+S", "Save the experiment in a new file")
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.export_script_action = a("Export &Keras script…", self.export_keras_script, None,
                                      "A plain Keras Python script that builds and trains this experiment")
        self.save_model_action = a("Save trained &model (.keras)…", self.save_model, None,
                                   "The current weights as a .keras file that plain Keras loads")
        self.export_metrics_action = a("Export &metrics CSV…", self.export_metrics, None,
                                       "One row per epoch of the current run (and the compare study's variants)")
        self.screenshot_action = a("Export screens&hot…", self.export_screenshot, None, "A PNG of the whole window")
        self.copy_summary_action = a("&Copy summary", self.copy_summary, "Ctrl+Shift+C",
                                     "The run's final numbers as a Markdown table on the clipboard (Ctrl+Shift+C)")
        self.tensorboard_action = a("Log to &TensorBoard…", self.toggle_tensorboard, None,
                                    "Write the run's scalars and histograms for TensorBoard to a folder")
        self.tensorboard_action.setCheckable(True)
        session.worker.saved.connect(lambda path: self.show_message(f"Trained model saved to {path}"))
        self._fill_recent_menu()

    def fill_menu(self, menu: QMenu) -> None:
        for action in (self.new_action, self.open_action):
            menu.addAction(action)
        menu.addMenu(self.recent_menu)
        menu.addSeparator()
        for action in (self.save_action, self.save_as_action):
            menu.addAction(action)
        menu.addSeparator()
        for action in (self.export_script_action, self.save_model_action, self.export_metrics_action,
                       self.screenshot_action, self.copy_summary_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.tensorboard_action)

    # ---------------------------------------------------------------- dialogs (tests replace these)
    def error_dialog(self, title: str, text: str) -> None:
        self.last_dialog = (title, text)
        if not self.interactive:
            self.show_message(f"{title}: {text}")
            return
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.exec()

    def ask_unsaved(self) -> str:
        """"save", "discard" or "cancel" for the unsaved changes."""
        if not self.interactive:
            return "discard"
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                          f"Save the changes to {self.display_name()}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.window)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = int(box.exec())
        if answer == int(QMessageBox.StandardButton.Save.value):
            return "save"
        return "discard" if answer == int(QMessageBox.StandardButton.Discard.value) else "cancel"

    def choose_open_path(self) -> str | None:
        name, _ = QFileDialog.getOpenFileName(self.window, "Open experiment", self._start_folder(), JSON_FILTER)
        return name or None

    def choose_save_path(self, title: str, suggested: str, file_filter: str) -> str | None:
        name, _ = QFileDialog.getSaveFileName(self.window, title, str(Path(self._start_folder()) / suggested),
                                              file_filter)
        return name or None

    def choose_folder(self, title: str) -> str | None:
        name = QFileDialog.getExistingDirectory(self.window, title, self._start_folder())
        return name or None

    def _start_folder(self) -> str:
        path = self.session.path
        return str(path.parent) if path else str(Path.home())

    # ---------------------------------------------------------------- the document's file
    def display_name(self) -> str:
        return self.session.display_name

    def maybe_save(self) -> bool:
        """Before the experiment is replaced or the window closes: True to go on, False to stay."""
        if not self.session.dirty:
            return True
        answer = self.ask_unsaved()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new(self) -> bool:
        if not self.maybe_save():
            return False
        self.session.open(default_experiment(), None)
        self.show_message("New experiment")
        return True

    def open(self) -> bool:
        if not self.maybe_save():
            return False
        name = self.choose_open_path()
        return self.open_path(Path(name), ask=False) if name else False

    def open_path(self, path: str | Path, ask: bool = True, template: bool = False) -> bool:
        """Open an experiment file; on a bad file show why and keep the current experiment.

        ``template`` (presets, lessons): the experiment opens untitled, so Save asks where to put the copy.
        """
        path = Path(path)
        if ask and not self.maybe_save():
            return False
        try:
            exp = load_experiment(path)
        except SpecError as exc:
            self.error_dialog("Could not open the experiment", open_error_text(path, exc))
            return False
        self.session.open(exp, None if template else path)
        if not template:
            self.add_recent(path)
        self.show_message(f"Opened {path.name}")
        return True

    def save(self) -> bool:
        if self.session.path is None:
            return self.save_as()
        return self._save_to(self.session.path)

    def save_as(self) -> bool:
        path = self.session.path
        suggested = path.name if path else safe_file_name(self.document.exp.name) + SUFFIX
        name = self.choose_save_path("Save experiment as", suggested, JSON_FILTER)
        if not name:
            return False
        path = Path(name)
        if not path.suffix:
            path = path.with_suffix(SUFFIX)
        return self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        try:
            save_experiment(self.document.exp, path)
        except SpecError as exc:
            self.error_dialog("Could not save the experiment", str(exc))
            return False
        self.session.mark_saved(path)
        self.add_recent(path)
        self.show_message(f"Saved {path.name}")
        return True

    # ---------------------------------------------------------------- recent files
    def recent_files(self) -> list[Path]:
        """The remembered files that still exist, newest first (at most MAX_RECENT)."""
        value = self.settings.value(RECENT_KEY, [])
        if isinstance(value, str):  # QSettings gives a lone string for a one-item list (INI format)
            value = [value]
        paths = [Path(v) for v in (value or []) if isinstance(v, str) and v]
        existing = [p for p in paths if p.is_file()][:MAX_RECENT]
        if len(existing) != len(paths):
            self._store_recent(existing)
        return existing

    def add_recent(self, path: str | Path) -> None:
        path = Path(path).resolve()
        paths = [path] + [p for p in self.recent_files() if p != path]
        self._store_recent(paths[:MAX_RECENT])
        self._fill_recent_menu()

    def _store_recent(self, paths: list[Path]) -> None:
        self.settings.setValue(RECENT_KEY, [str(p) for p in paths])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent_files()
        for number, path in enumerate(paths, start=1):
            action = self.recent_menu.addAction(f"&{number} {path.name}", lambda p=path: self.open_path(p))
            action.setToolTip(str(path))
        self.recent_menu.setEnabled(bool(paths))

    # ---------------------------------------------------------------- drag and drop
    def can_drop(self, urls: list[QUrl]) -> bool:
        return bool(local_json_paths(urls))

    def drop(self, urls: list[QUrl]) -> bool:
        paths = local_json_paths(urls)
        return self.open_path(paths[0]) if paths else False

    # ---------------------------------------------------------------- exports
    def _stem(self) -> str:
        path = self.session.path
        return path.stem if path else safe_file_name(self.document.exp.name)

    def export_keras_script(self) -> bool:
        name = self.choose_save_path("Export Keras script", self._stem() + ".py", "Python scripts (*.py)")
        if not name:
            return False
        try:
            module = importlib.import_module("engine.export.keras_script")
            text = module.keras_script(self.document.exp)
        except ImportError:
            self.error_dialog("Could not export", "The Keras exporter is not available in this RegLab")
            return False
        except (SpecError, ValueError) as exc:
            self.error_dialog("Could not export", str(exc))
            return False
        return self._write_text(Path(name), text, "Keras script")

    def _write_text(self, path: Path, text: str, what: str) -> bool:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.error_dialog(f"Could not save the {what}", f"{path}: {exc.strerror or exc}")
            return False
        self.show_message(f"{what} saved to {path}")
        return True

    def save_model(self) -> bool:
        name = self.choose_save_path("Save trained model", self._stem() + ".keras", "Keras models (*.keras)")
        if not name:
            return False
        path = Path(name)
        if path.suffix != ".keras":
            path = path.with_name(path.name + ".keras")  # Keras refuses other suffixes
        self.session.save_model(str(path))  # the worker saves between epochs and reports with `saved` or `failed`
        self.show_message(f"Saving the trained model to {path}…")
        return True

    def export_metrics(self) -> bool:
        rows = list(self.session.rows)
        if not rows:
            self.error_dialog("Nothing to export", "No epochs trained yet: press Play first")
            return False
        name = self.choose_save_path("Export metrics", self._stem() + "_metrics.csv", "CSV files (*.csv)")
        if not name:
            return False
        path = Path(name)
        written = [path]
        try:
            write_rows_csv(path, rows)
            study = self.session.study
            if study is not None and study.kind == "compare" and any(c.rows for c in study.curves):
                long_rows = [{"variant": curve.label, **row} for curve in list(study.curves)
                             for row in list(curve.rows)]
                written.append(compare_path(path))
                write_rows_csv(written[-1], long_rows, first=("variant",))
        except OSError as exc:
            self.error_dialog("Could not export the metrics", f"{exc.filename or path}: {exc.strerror or exc}")
            return False
        self.show_message("Metrics saved to " + " and ".join(p.name for p in written))
        return True

    def export_screenshot(self) -> bool:
        name = self.choose_save_path("Export screenshot", self._stem() + ".png", "PNG images (*.png)")
        if not name:
            return False
        path = Path(name)
        if path.suffix.lower() != ".png":
            path = path.with_name(path.name + ".png")
        if not self.window.grab().save(str(path), "PNG"):
            self.error_dialog("Could not save the screenshot", f"{path}: cannot be written")
            return False
        self.show_message(f"Screenshot saved to {path}")
        return True

    def copy_summary(self) -> str:
        text = summary_markdown(self.document.exp.name, list(self.session.rows))
        QGuiApplication.clipboard().setText(text)
        self.show_message("Summary copied to the clipboard (Markdown)")
        return text

    def toggle_tensorboard(self, checked: bool) -> None:
        if not checked:
            self.session.set_tensorboard(None)
            self.show_message("TensorBoard logging off")
            return
        folder = self.choose_folder("Log to TensorBoard: choose a folder")
        if not folder:
            self.tensorboard_action.setChecked(False)
            return
        self.session.set_tensorboard(folder)
        self.show_message(f"Logging to TensorBoard in {folder} (tensorboard --logdir {folder})")


def open_error_text(path: Path, exc: SpecError) -> str:
    """What went wrong opening ``path``, for the dialog: a newer file says so plainly."""
    reason = str(exc)
    if isinstance(exc, NewerFormatError):
        return (f"{path.name} was saved by a newer RegLab (its format is newer than this RegLab reads). "
                f"Update RegLab to open it.\n\n{reason}")
    return f"{path.name}: {reason}" if not reason.startswith(str(path)) else reason


def safe_file_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_ ." else "_" for c in name).strip(" .")
    return cleaned or "experiment"
