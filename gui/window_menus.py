"""The window's menus and its training toolbar: actions made in one way, and the training settings the toolbar
edits (through the document, as every editor does).

:func:`make_action` is how every menu action is made (gui/main_window.py, gui/file_actions.py,
gui/studies/study_actions.py): added to the window too, so its shortcut works while the menus are hidden (presentation
mode). :func:`fill_menus` puts the window's actions into its menu bar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QComboBox, QDoubleSpinBox, QLabel, QMainWindow, QSpinBox, QToolBar

from engine.spec import (
    MAX_BATCH_SIZE,
    MAX_EPOCHS,
    MAX_LABEL_SMOOTHING,
    MAX_LEARNING_RATE,
    MAX_WEIGHT_DECAY,
    OPTIMIZERS,
    EarlyStopping,
    SpecError,
    load_experiment,
)
from gui.about_dialog import add_help_menu
from gui.document import ExperimentDocument
from gui.edits import is_regression_data
from gui.panels.lesson_panel import lesson_files
from gui.session import PRESETS, TrainingSession

WEIGHT_DECAY_TIP = (
    "Decoupled weight decay (Keras 3.15's optimizer weight_decay; Adam with it is Keras' AdamW): at every step, "
    "before the optimizer's gradient update, each kernel shrinks, w ← w − learning_rate·weight_decay·w. Biases are "
    "not decayed. It adds no term to the loss. Changes apply live, at the next epoch")
LABEL_SMOOTHING_TIP = (
    "Label smoothing ε (Keras 3.15's cross-entropy label_smoothing): the training loss compares the predictions "
    "with targets moved toward uniform, y·(1−ε) + ε/2 (binary cross-entropy) or y·(1−ε) + ε/K for K classes "
    "(categorical cross-entropy). The validation loss and the train loss (dropout off) stay the plain "
    "cross-entropy against the true labels. Changes apply live, at the next epoch")
LABEL_SMOOTHING_REGRESSION_TIP = ("Label smoothing needs classification data: this data is regression (mean squared "
                                  "error has no class labels to smooth)")

# network.dropout_style → (menu text, tooltip)
DROPOUT_STYLES = {
    "inverted": ("Inverted dropout (Keras Dropout)",
                 "Keras' Dropout: while training each unit is zeroed with probability p and survivors are scaled by "
                 "1/(1−p); at test time nothing changes. Switching the style restarts the run"),
    "classic": ("Classic dropout (scale at test time)",
                "Textbook dropout: while training each unit is zeroed with probability p and survivors are not "
                "scaled; at test time outputs × (1−p). Switching the style restarts the run"),
    "gaussian": ("Gaussian dropout (Keras GaussianDropout)",
                 "Keras' GaussianDropout: while training every unit is multiplied by a factor drawn from "
                 "N(1, p/(1−p)) (no unit is zeroed); at test time nothing changes. Switching the style restarts the "
                 "run"),
}

SPEEDS = {"max": None, "60 epochs/s": 60.0, "20 epochs/s": 20.0, "5 epochs/s": 5.0, "1 epoch/s": 1.0}


def make_action(window: QObject, text: str, slot: Callable, shortcut=None, tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(tip or text)
    action.triggered.connect(slot)
    window.addAction(action)  # shortcuts work even when menus are hidden (presentation mode)
    return action


def mirror_action(window: QObject, box: QAbstractButton, text: str, shortcut: str) -> QAction:
    """A checkable menu action (with a key) that stays in step with a view's check box."""
    action = QAction(text, window)
    action.setShortcut(QKeySequence(shortcut))
    action.setCheckable(True)
    action.setChecked(box.isChecked())
    action.toggled.connect(box.setChecked)
    box.toggled.connect(action.setChecked)
    window.addAction(action)
    return action


class TrainingControls(QObject):
    """The toolbar's speed and training settings, the dropout style choice and the Early stopping switch: each edits
    the document (speed: the session), and all follow the document's spec."""

    def __init__(self, window: QMainWindow, document: ExperimentDocument, session: TrainingSession) -> None:
        super().__init__(window)
        self.document = document
        self.speed_box = QComboBox()
        self.speed_box.addItems(list(SPEEDS))
        self.speed_box.setToolTip("Speed: as fast as possible, or capped for a classroom")
        self.speed_box.currentTextChanged.connect(lambda text: session.set_speed(SPEEDS[text]))
        self.optimizer_box = QComboBox()
        self.optimizer_box.addItems(list(OPTIMIZERS))
        self.optimizer_box.textActivated.connect(
            lambda text: document.edit("Optimizer", lambda e: setattr(e.training, "optimizer", text)))
        self.lr_box = QDoubleSpinBox()
        self.lr_box.setDecimals(5)
        self.lr_box.setRange(0.00001, MAX_LEARNING_RATE)
        self.lr_box.setSingleStep(0.001)
        self.lr_box.editingFinished.connect(
            lambda: self._edit_training("learning_rate", self.lr_box.value(), merge_key="learning_rate"))
        self.batch_box = QSpinBox()
        self.batch_box.setRange(1, MAX_BATCH_SIZE)
        self.batch_box.editingFinished.connect(lambda: self._edit_training("batch_size", self.batch_box.value()))
        self.epochs_box = QSpinBox()
        self.epochs_box.setRange(1, MAX_EPOCHS)
        self.epochs_box.setSingleStep(100)
        self.epochs_box.editingFinished.connect(lambda: self._edit_training("epochs", self.epochs_box.value()))
        self.weight_decay_box = QDoubleSpinBox()
        self.weight_decay_box.setDecimals(4)
        self.weight_decay_box.setRange(0.0, MAX_WEIGHT_DECAY)
        self.weight_decay_box.setSingleStep(0.001)
        self.weight_decay_box.setToolTip(WEIGHT_DECAY_TIP)
        self.weight_decay_box.editingFinished.connect(lambda: self._edit_training(
            "weight_decay", self.weight_decay_box.value(), merge_key="weight_decay"))
        self.label_smoothing_box = QDoubleSpinBox()
        self.label_smoothing_box.setDecimals(3)
        self.label_smoothing_box.setRange(0.0, MAX_LABEL_SMOOTHING)
        self.label_smoothing_box.setSingleStep(0.05)
        self.label_smoothing_box.editingFinished.connect(lambda: self._edit_training(
            "label_smoothing", self.label_smoothing_box.value(), merge_key="label_smoothing"))
        self.dropout_style_actions = self._dropout_style_actions(window)
        self.classic_dropout_action = self.dropout_style_actions["classic"]
        self.early_stopping_action = make_action(
            window, "Early stopping (patience 20, restore best weights)", self._toggle_early_stopping, "Ctrl+E",
            "Stop when the validation loss has not improved for 20 epochs and go back to the best epoch")
        self.early_stopping_action.setCheckable(True)
        self.sync()
        document.spec_changed.connect(self.sync)

    def fill_toolbar(self, bar: QToolBar) -> None:
        for label, widget in (("Speed", self.speed_box), ("Optimizer", self.optimizer_box),
                              ("Learning rate", self.lr_box), ("Batch", self.batch_box),
                              ("Epochs", self.epochs_box), ("Weight decay", self.weight_decay_box),
                              ("Label smoothing", self.label_smoothing_box)):
            bar.addWidget(QLabel(f" {label} "))
            bar.addWidget(widget)

    def _dropout_style_actions(self, window: QMainWindow) -> dict[str, QAction]:
        """The three dropout styles, one checked at a time (an exclusive group: the Network menu's radio items)."""
        group = QActionGroup(self)
        actions = {}
        for style, (text, tip) in DROPOUT_STYLES.items():
            action = make_action(window, text, lambda _checked, s=style: self._choose_dropout_style(s), None, tip)
            action.setCheckable(True)
            group.addAction(action)
            actions[style] = action
        return actions

    def sync(self, *_args) -> None:
        """Every control shows the spec's value (without editing it back)."""
        t = self.document.exp.training
        self.early_stopping_action.setChecked(t.early_stopping is not None)
        self.dropout_style_actions[self.document.exp.network.dropout_style].setChecked(True)
        for widget, value in ((self.lr_box, t.learning_rate), (self.batch_box, t.batch_size),
                              (self.epochs_box, t.epochs), (self.weight_decay_box, t.weight_decay),
                              (self.label_smoothing_box, t.label_smoothing)):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        self.optimizer_box.blockSignals(True)
        self.optimizer_box.setCurrentText(t.optimizer)
        self.optimizer_box.blockSignals(False)
        regression = is_regression_data(self.document.exp.data)
        self.label_smoothing_box.setEnabled(not regression)
        self.label_smoothing_box.setToolTip(LABEL_SMOOTHING_REGRESSION_TIP if regression else LABEL_SMOOTHING_TIP)

    def _edit_training(self, name: str, value, merge_key: str | None = None) -> None:
        if getattr(self.document.exp.training, name) != value:
            self.document.edit(f"Change {name.replace('_', ' ')}",
                               lambda e: setattr(e.training, name, value), merge_key)

    def _choose_dropout_style(self, style: str) -> None:
        if self.document.exp.network.dropout_style != style:
            self.document.edit(f"{style.capitalize()} dropout", lambda e: setattr(e.network, "dropout_style", style))

    def _toggle_early_stopping(self, checked: bool) -> None:
        if (self.document.exp.training.early_stopping is not None) != checked:
            self.document.edit("Early stopping " + ("on" if checked else "off"), lambda e: setattr(
                e.training, "early_stopping", EarlyStopping() if checked else None))


def _add(menu, actions) -> None:
    """Actions into ``menu`` in order, None for a separator."""
    for action in actions:
        if action is None:
            menu.addSeparator()
        else:
            menu.addAction(action)


def fill_menus(w) -> None:
    """The menu bar of the lab window ``w`` (gui/main_window.py), from the actions it has made."""
    menu = w.menuBar()
    file_menu = menu.addMenu("&File")
    w.files.fill_menu(file_menu)
    _add(file_menu, (None, w.quit_action))
    _add(menu.addMenu("&Edit"), (w.undo_action, w.redo_action))
    network_menu = menu.addMenu("&Network")
    for action in w.network_view.actions():
        w.addAction(action)
    _add(network_menu, (*w.network_view.actions(), None))
    _add(network_menu.addMenu("Dropout style"), w.controls.dropout_style_actions.values())
    _add(menu.addMenu("&Training"), (w.play_action, w.step_action, w.reset_action, None,
                                     w.controls.early_stopping_action))
    _add(menu.addMenu("&Studies"), (*w.studies.actions(), None, w.show_study_action))
    docks = [dock.toggleViewAction() for dock in (w.side_dock, w.formula_dock, w.lesson_dock)]
    _add(menu.addMenu("&View"), (w.zoom_in_action, w.zoom_out_action, w.zoom_reset_action, None,
                                 w.presentation_action, None, *docks, None, w.uncertainty_action,
                                 w.landscape.action, w.log_y_action, w.fit_action))
    presets_menu = menu.addMenu("&Presets")
    for path in sorted(PRESETS.glob("*.json")):
        try:
            name = load_experiment(path).name
        except SpecError:
            continue
        presets_menu.addAction(name, lambda p=path: w.open_experiment(p))
    lessons_menu = menu.addMenu("&Lessons")
    for number, (title, path) in enumerate(lesson_files(), start=1):
        lessons_menu.addAction(f"{number}. {title}", lambda p=path: w.open_experiment(p))
    add_help_menu(menu, w)
