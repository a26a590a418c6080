"""The Studies menu: compare variants, cross-validate and sweep the current experiment.

Each action collects its few parameters (a small dialog), checks them with the engine's own parsers, and
asks the session (gui/session.py) to run the study on its worker (engine/studies/study.py); the study panel
(gui/studies/study_view.py) draws the progress.
User-defined comparisons: change the experiment, "Add as a variant" (up to 4), then "Compare my variants".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QWidget,
)

from engine.spec import MAX_FOLDS, MIN_FOLDS, Experiment, SpecError, parse_values, set_path
from engine.studies.study import MAX_VARIANTS, classic_variants, lesson_variants, regularization_label
from engine.studies.study_files import write_study_csv
from engine.studies.sweep_grid import grid_cells
from gui.document import ExperimentDocument
from gui.run_state import State, setting_error
from gui.session import TrainingSession
from gui.studies.field_dialog import FieldDialog
from gui.studies.path_dialog import PathDialog
from gui.studies.trainings_at_once import TrainingsAtOnce
from gui.window_menus import make_action

#: fields worth sweeping, with values that show both sides of the best one
SWEEP_PRESETS = {
    "network.hidden[*].dropout": "0,0.1,0.2,0.3,0.5,0.7,0.9",
    "network.hidden[*].kernel_regularizer.l2": "1e-5:1:7",
    "network.hidden[*].kernel_regularizer.l1": "1e-5:1:7",
    "network.input_dropout": "0,0.1,0.2,0.4",
    "training.learning_rate": "1e-4:1:5",
    "training.weight_decay": "1e-5:1:7",
    "training.label_smoothing": "0,0.05,0.1,0.2,0.3",
    "network.hidden[*].max_norm": "0.5,1,2,3,4,8",
    "network.hidden[*].noise": "0,0.1,0.2,0.5,1",
    "network.input_noise": "0,0.1,0.2,0.3,0.5,1",
    "network.output.kernel_regularizer.l2": "1e-5:1:7",
}
DEFAULT_FOLDS = 5


class SweepDialog(FieldDialog):
    """Field path, values and seeds for a sweep, checked before the dialog accepts."""

    def __init__(self, exp: Experiment, parent: QWidget | None = None) -> None:
        self.param2 = QComboBox()  # optional: a second field makes the sweep a grid (a heat map)
        self.param2.setEditable(True)
        self.param2.addItems(["", *SWEEP_PRESETS])
        self.values2 = QLineEdit()
        self.param2.currentTextChanged.connect(  # a typed path keeps the values, as the first field does
            lambda text: (not text or text in SWEEP_PRESETS) and self.values2.setText(SWEEP_PRESETS.get(text, "")))
        super().__init__(exp, "Sweep a field", SWEEP_PRESETS,
                         [("Second field (optional)", self.param2), ("Its values", self.values2)],
                         "Values: a list (0,0.2,0.5) or a log range start:stop:count (1e-5:1:7).", 5, parent)

    def parameters(self) -> dict:
        """{"path", "values", "seeds"} (and "path2", "values2" with a second field); raises SpecError naming what
        is wrong."""
        path = self.param.currentText().strip()
        values = parse_values(self.values.text())
        set_path(self.exp, path, values[0])  # the path exists and the value is allowed
        chosen = {"path": path, "values": values, "seeds": self.seeds.value()}
        path2 = self.param2.currentText().strip()
        if path2:
            values2 = parse_values(self.values2.text())
            grid_cells(self.exp, (path, path2), ([values[0]], [values2[0]]))  # a second, different field
            chosen.update(path2=path2, values2=values2)
        return chosen


class StudyActions(QObject):
    started = Signal(str)  # the kind of study just asked for (the window shows the study panel)

    def __init__(self, parent: QWidget, document: ExperimentDocument, session: TrainingSession,
                 show_message: Callable[[str], None], settings: QSettings | None = None) -> None:
        """With ``settings`` (the window's), the menu has "Trainings at once", kept in them."""
        super().__init__(parent)
        self._parent = parent
        self.document = document
        self.session = session
        self.show_message = show_message
        self.variants: list[tuple[str, Experiment]] = []

        def action(text, slot, shortcut=None):
            return make_action(parent, text, slot, shortcut)

        self.compare_classic_action = action("Compare: none / this experiment / its contrasts", self.compare_classic,
                                             "Ctrl+M")
        self.add_variant_action = action("Add this experiment as a variant", self.ask_variant, "Ctrl+Shift+V")
        self.compare_variants_action = action("Compare my variants", self.compare_variants, "Ctrl+Shift+M")
        self.clear_variants_action = action("Clear my variants", self.clear_variants)
        self.cv_action = action("Cross-validate (K-fold)…", self.ask_cross_validate, "Ctrl+K")
        self.sweep_action = action("Sweep a field (validation curve)…", self.ask_sweep, "Ctrl+Shift+W")
        self.path_action = action("Regularization path…", self.ask_path)
        self.stop_action = action("Stop the study", session.cancel_study, "Ctrl+.")
        self.save_csv_action = action("Save the study as CSV…", self.ask_save_csv)
        self.trainings_at_once = None if settings is None else TrainingsAtOnce(
            parent, settings, session.worker, lambda: session.state is State.STUDY, show_message)
        self._refresh()

    def actions(self) -> list:
        at_once = [] if self.trainings_at_once is None else [None, self.trainings_at_once.menu.menuAction()]
        return [self.compare_classic_action, None, self.add_variant_action, self.compare_variants_action,
                self.clear_variants_action, None, self.cv_action, self.sweep_action, self.path_action, None,
                self.stop_action, self.save_csv_action, *at_once]

    # ------------------------------------------------------------------ compare
    def compare_classic(self) -> None:
        """No regularization, the experiment as it is and the natural contrasts of its mechanism."""
        self._start("compare", variants=classic_variants(self.document.exp))

    def compare_lesson(self, study: dict) -> None:
        """A lesson's compare study: its own variants of the current experiment, else the classic set."""
        if "variants" in study:
            self._start("compare", variants=lesson_variants(self.document.exp, study["variants"]))
        else:
            self.compare_classic()

    def ask_variant(self) -> None:
        label, ok = QInputDialog.getText(self._parent, "Add a variant", "Name of this variant:",
                                         text=regularization_label(self.document.exp))
        if ok:
            self.add_variant(label.strip() or regularization_label(self.document.exp))

    def add_variant(self, label: str) -> None:
        if len(self.variants) >= MAX_VARIANTS:
            self.show_message(f"Already {MAX_VARIANTS} variants: compare them, or clear them first")
            return
        self.variants.append((label, self.document.exp.copy()))
        self.show_message(f"Variant {len(self.variants)} of {MAX_VARIANTS} added: {label}. Change the experiment "
                          "and add another, or compare them (Ctrl+Shift+M)")
        self._refresh()

    def compare_variants(self) -> None:
        if not self.variants:
            self.show_message("No variants yet: change the experiment, then Studies ▸ Add this experiment as a variant")
            return
        self._start("compare", variants=list(self.variants))

    def clear_variants(self) -> None:
        self.variants = []
        self._refresh()

    # ------------------------------------------------------------------ cross-validation and sweeps
    def ask_cross_validate(self) -> None:
        folds, ok = QInputDialog.getInt(self._parent, "K-fold cross-validation", "Folds (K):", DEFAULT_FOLDS,
                                          MIN_FOLDS, MAX_FOLDS)
        if ok:
            self.cross_validate(folds)

    def cross_validate(self, folds: int = DEFAULT_FOLDS) -> None:
        self._start("cv", exp=self.document.exp.copy(), folds=folds)

    def ask_sweep(self) -> None:
        dialog = SweepDialog(self.document.exp, self._parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.sweep(**dialog.parameters())

    def sweep(self, path: str, values: list[float], seeds: int = 1, **second) -> None:
        """``second``: path2 and values2, for a two-field sweep."""
        self._start("sweep", exp=self.document.exp.copy(), path=path, values=values, seeds=seeds, **second)

    def ask_path(self) -> None:
        dialog = PathDialog(self.document.exp, self._parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.path(**dialog.parameters())

    def path(self, path: str, values: list[float], folds: int = 0, seeds: int = 1) -> None:
        self._start("path", exp=self.document.exp.copy(), path=path, values=values, folds=folds, seeds=seeds)

    def run_lesson_study(self, study: dict) -> None:
        """A lesson's study block: {"kind": "cv", "folds": 5}, {"kind": "sweep", "param", "values", "seeds"} (and
        "param2", "values2" for a two-field sweep) or
        {"kind": "compare"} (with its "variants", if any)."""
        try:
            if study.get("kind") == "cv":
                self.cross_validate(int(study.get("folds", DEFAULT_FOLDS)))
            elif study.get("kind") == "sweep":
                second = {"path2": study["param2"], "values2": parse_values(str(study["values2"]))} \
                    if "param2" in study else {}
                self.sweep(study["param"], parse_values(str(study["values"])), int(study.get("seeds", 1)), **second)
            elif study.get("kind") == "compare":
                self.compare_lesson(study)
            elif study.get("kind") == "path":
                self.path(study["param"], parse_values(str(study["values"])), int(study.get("folds", 0)),
                          int(study.get("seeds", 1)))
        except (SpecError, KeyError, ValueError) as exc:
            self.show_message(f"The lesson's study cannot run: {setting_error(exc, study.get('param'))}")

    # ------------------------------------------------------------------ helpers
    def ask_save_csv(self) -> None:
        progress = self.session.study()
        if progress is None:
            self.show_message("No study to save yet: run one from the Studies menu")
            return
        name, _ = QFileDialog.getSaveFileName(self._parent, "Save the study as CSV", f"{progress.kind}.csv",
                                              "CSV files (*.csv)")
        if name:
            self.save_csv(progress, name)

    def save_csv(self, progress, name: str) -> None:
        """The study's table and every run's curves, as write_study_csv writes them; a folder that cannot be
        written says so in the status bar."""
        try:
            table, curves = write_study_csv(progress, name)
        except OSError as exc:
            self.show_message(f"Cannot save {name}: {exc.strerror or exc}")
            return
        self.show_message(f"Saved the study's table to {table} and its curves to {curves.name}")

    def _start(self, kind: str, **params) -> None:
        self.session.start_study(kind, **params)
        self.started.emit(kind)
        self.show_message({"compare": "Comparing", "cv": "Cross-validating", "sweep": "Sweeping",
                           "path": "Drawing the regularization path"}[kind]
                          + "… the live run waits (Studies ▸ Stop the study, Ctrl+.)")

    def _refresh(self) -> None:
        n = len(self.variants)
        self.compare_variants_action.setText(f"Compare my variants ({n})")
        self.compare_variants_action.setEnabled(n > 0)
        self.clear_variants_action.setEnabled(n > 0)
        self.add_variant_action.setEnabled(n < MAX_VARIANTS)
