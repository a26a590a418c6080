"""The lab window: puts the views together, wires user actions to the document and the worker,
and redraws from the latest snapshot on a timer.

Where things live: the network drawing is gui/network_view.py, the curves gui/loss_view.py, the
weight histograms gui/weights_view.py, the decision boundary gui/boundary_view.py, the side panels
gui/layer_inspector.py, gui/data_panel.py, gui/formula_view.py and gui/lesson_panel.py; studies (compare,
cross-validation, sweeps) are started by gui/study_actions.py and drawn by gui/study_view.py, on a tab of their own
in place of the live views (the live run waits while a study trains); the File menu
(experiment files, recent files, exports) is gui/file_actions.py; training runs in gui/training_worker.py.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QRect, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QScreen,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFrame,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from engine.spec import OPTIMIZERS, EarlyStopping, Experiment, SpecError, load_experiment
from gui.boundary_view import BoundaryView
from gui.data_panel import DataPanel
from gui.document import ExperimentDocument
from gui.file_actions import FileActions
from gui.formula_view import FormulaView
from gui.layer_inspector import LayerInspector
from gui.lesson_panel import LessonPanel, lesson_files
from gui.loss_view import LossPart, LossView
from gui.network_view import NetworkView
from gui.picture_export import add_picture_export
from gui.study_actions import StudyActions
from gui.study_view import StudyView
from gui.training_worker import Status, TrainingWorker
from gui.weights_view import WeightsPart, WeightsView
from gui.widgets import SteadyLabel

PRESETS = Path(__file__).resolve().parents[1] / "resources" / "presets"
ICON = Path(__file__).resolve().parents[1] / "resources" / "icons" / "reglab.png"  # drawn by tools/make_icon.py
DEFAULT_PRESET = PRESETS / "default.json"
RENDER_HZ = 60  # render timer ticks per second; each tick redraws one group of views (see render)
WEIGHT_PARTS = 3  # the weights view's columns are drawn over this many ticks (see _view_groups)
PRESENTATION_ZOOM = 1.6  # at least this zoom in presentation mode on a screen of 1600 × 1000 or more (see below)
WINDOW_SIZE = QSize(1440, 900)  # the window's size at the first start, at the most (a smaller screen: its size)
FORMULA_MOST = 300  # px: the objective dock's height at the start, at the most
FORMULA_SHARE = 0.28  # … and at the most this share of the window's height: on 1440 × 900 the default objective
#                        shows whole, on a 1366 × 768 laptop the live views keep 220 px of height each
LESSON_SHARE = 0.28  # of the window's width for the lesson text in presentation mode
STUDY_TABS = {None: "Study", "compare": "Study: compare", "cv": "Study: cross-validation", "sweep": "Study: sweep"}
MC_PASSES = 30  # stochastic forward passes of the Monte-Carlo dropout map
MC_INTERVAL_S = 0.5  # while training, the map is recomputed at most this often
CLOSE_WAIT_MS = 500  # closing waits this long for the worker (it stops between epochs: milliseconds)
SPEEDS = {"max": None, "60 epochs/s": 60.0, "20 epochs/s": 20.0, "5 epochs/s": 5.0, "1 epoch/s": 1.0}


def default_experiment() -> Experiment:
    try:
        return load_experiment(DEFAULT_PRESET)
    except SpecError:
        return Experiment()


def presentation_zoom(width: int, height: int) -> float:
    """The zoom presentation mode asks for on a ``width`` × ``height`` screen: PRESENTATION_ZOOM from 1600 × 1000 up,
    less on smaller screens (a 1024 × 768 projector: ≈ 1), where bigger type would squeeze the plots to nothing and
    the screen's own pixels are already large on the wall."""
    return round(PRESENTATION_ZOOM * min(1.0, width / 1600, height / 1000), 2)


def fitted(frame: QRect, area: QRect) -> QRect:
    """``frame`` moved, and shrunk where it is bigger, so that all of it lies inside ``area`` (a screen's available
    geometry): a window saved on a bigger screen, or placed partly off this one, shows whole."""
    width, height = min(frame.width(), area.width()), min(frame.height(), area.height())
    x = max(area.left(), min(frame.left(), area.left() + area.width() - width))
    y = max(area.top(), min(frame.top(), area.top() + area.height() - height))
    return QRect(x, y, width, height)


def scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a scroll area: a dock shorter than its panel (big type, a small screen) scrolls it instead of
    squeezing its rows into each other."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


class MainWindow(QMainWindow):
    def __init__(self, exp: Experiment | None = None, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings or QSettings("RegLab", "RegLab")
        self.document = ExperimentDocument(exp or default_experiment(), self)
        self.worker = TrainingWorker()  # no Qt parent: it outlives the window until its thread has ended
        self.zoom = 1.0
        self._rows: list[dict] = []
        self._run_id = -1
        self._shown: dict = {}  # view → what it shows (the snapshot, or for the loss view the row count)
        self._tick = 0
        self._status = Status()
        self._presentation: tuple | None = None  # what presentation mode changed, to put back
        self._mc_asked = (-1, 0.0)  # (epoch, time) of the last Monte-Carlo request
        self._mc_shown = None
        self._objective_lent = 0  # the objective dock's height while the study's tab hides it, else 0 (_lend_objective)

        self.setWindowIcon(QIcon(str(ICON)))
        self.setAcceptDrops(True)  # a dropped .json file opens (gui/file_actions.py)
        self._build_views()
        # One view a turn, and the two heaviest views in parts: the loss view's two plots, and the weights view's
        # columns (histogram, heat map and their axes, per layer) over WEIGHT_PARTS turns. Drawn whole, either made
        # the longest frames. The objective's few labels share the last weights turn.
        weights = [WeightsPart(self.weights_view, part, WEIGHT_PARTS) for part in range(WEIGHT_PARTS)]
        losses = [LossPart(self.loss_view, plot) for plot in (0, 1)]
        self._view_groups = [(self.network_view,), (weights[0],), (losses[0],), (weights[1],),
                             (self.boundary_view,), (losses[1],), (weights[2], self.formula_view, self.study_view)]
        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self._refresh_title()
        self.resize(WINDOW_SIZE)
        self.fit_to_screen()
        self._size_formula_dock()
        self._restore_layout()
        self.formula_view.terms_changed.connect(self._objective_changed)
        self.fit_to_screen()
        self._fitted_once = False  # the frame (title bar, borders) is known once shown: fitted again then

        self.document.spec_changed.connect(self._on_spec_changed)
        self.document.error.connect(self.show_message)
        self.document.undo_stack.cleanChanged.connect(self._refresh_title)
        self.lesson_panel.run_study.connect(self.studies.run_lesson_study)
        self.studies.started.connect(self._on_study_started)
        self.lesson_panel.show_experiment(self.document.exp)
        self.worker.dataset_ready.connect(self._on_dataset)
        self.worker.failed.connect(self._on_failed)

        self.timer = QTimer(self)
        self.timer.setInterval(1000 // RENDER_HZ)
        self.timer.timeout.connect(self.render)
        self.timer.start()
        self.worker.load(self.document.exp)  # queued: the worker starts once the window has been painted

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self._fitted_once:
            self._fitted_once = True
            QTimer.singleShot(0, self.fit_to_screen)  # after the window manager has framed the window
        # Importing TensorFlow holds Python's lock for long stretches (loading its libraries); started before the
        # first paint it would delay the window by half a second. A zero timer fires after the pending paint.
        QTimer.singleShot(0, self._start_worker)

    def _start_worker(self) -> None:
        if self.timer.isActive():  # not closed in the meantime
            self.worker.start()

    # ---------------------------------------------------------------- building
    def _build_views(self) -> None:
        doc = self.document
        self.network_view = NetworkView(doc)
        self.boundary_view = BoundaryView()
        self.loss_view = LossView()
        self.weights_view = WeightsView()
        self.inspector = LayerInspector(doc)
        self.data_panel = DataPanel(doc)
        self.formula_view = FormulaView(doc)
        self.study_view = StudyView()
        self.lesson_panel = LessonPanel()

        # Four views in a 2 × 2 grid: what the network is (top) and what it does (bottom).
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.network_view)
        top.addWidget(self.loss_view)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.boundary_view)
        bottom.addWidget(self.weights_view)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setSizes([450, 450])
        top.setSizes([560, 560])
        bottom.setSizes([560, 560])
        for splitter in (self.splitter, top, bottom):
            splitter.setChildrenCollapsible(False)  # a dragged divider stops at a view's readable minimum
        # A study takes the live views' place on a tab of its own (the live run waits while it trains), so it never
        # squeezes them; the "Live run" tab goes back.
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        self.pages.addTab(self.splitter, "Live run")
        self.pages.addTab(self.study_view, STUDY_TABS[None])
        self.pages.currentChanged.connect(self._on_page_changed)
        self._size_pages_by_the_shown_one()
        self.setCentralWidget(self.pages)

        panel = QWidget()
        column = QVBoxLayout(panel)
        column.addWidget(self.data_panel)
        column.addWidget(self.inspector)
        column.addStretch(1)
        self.side_dock = self._dock("Data and layer", "side", scrolled(panel), Qt.DockWidgetArea.LeftDockWidgetArea)
        self.formula_dock = self._dock("Objective", "formula", scrolled(self.formula_view),
                                       Qt.DockWidgetArea.BottomDockWidgetArea)
        self.lesson_dock = self._dock("Lesson", "lesson", self.lesson_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.lesson_dock.hide()
        self.resizeDocks([self.side_dock], [300], Qt.Orientation.Horizontal)
        self.status_label = SteadyLabel()  # a new epoch count repaints the label, not the whole window
        self.statusBar().addPermanentWidget(self.status_label)
        for view, name in ((self.network_view, "network"), (self.loss_view, "losses"), (self.weights_view, "weights"),
                           (self.boundary_view, "decision boundary"), (self.study_view, "study")):
            add_picture_export(view, name, self.show_message)  # right-click: PNG or SVG for slides

    def _size_formula_dock(self) -> None:
        """Tall enough for the objective shown and its notes, but not more than a share of the window's height
        (a longer objective, bigger type or a small screen scrolls it). At the start, and again whenever the
        objective's terms change (a lesson with one penalty needs half the height of the default's notes on
        dropout): the live views get the rest."""
        most = min(FORMULA_MOST, int(self.height() * FORMULA_SHARE))
        dock, scroll = self.formula_dock, self.formula_dock.widget()
        if self.isVisible():  # the dock's width is known: the wrapped lines' height at it
            chrome = dock.height() - scroll.viewport().height()  # title bar and frames
            wanted = self.formula_view.needed_height(scroll.viewport().width()) + chrome
        else:
            wanted = dock.sizeHint().height()
        height = min(most, wanted)
        if self._objective_lent:  # hidden while the study's tab shows: it comes back at this height
            self._objective_lent = height
        elif dock.isVisible() or not self.isVisible():
            self.resizeDocks([dock], [height], Qt.Orientation.Vertical)

    def _objective_changed(self) -> None:
        """New terms: the dock sized to them once the new labels are laid out (the event loop's next pass)."""
        QTimer.singleShot(0, self, self._size_formula_dock)

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # QSettings restores docks by object name
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when menus are hidden (presentation mode)
        return action

    def _build_actions(self) -> None:
        self.play_action = self._action("Play", self.toggle_play, Qt.Key.Key_Space, "Play / pause training (Space)")
        self.step_action = self._action("Step", self.step, "S", "Train exactly one epoch (S)")
        self.reset_action = self._action("Reset", self.reset, "R", "Re-initialize the weights from the seed (R)")
        self.undo_action = self.document.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.document.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo])
        self.zoom_in_action = self._action("Zoom in (projector)", lambda: self.set_zoom(self.zoom * 1.25), "Ctrl++")
        self.zoom_out_action = self._action("Zoom out", lambda: self.set_zoom(self.zoom / 1.25), "Ctrl+Shift+-")
        self.zoom_reset_action = self._action("Actual size", lambda: self.set_zoom(1.0), "Ctrl+0")
        self.quit_action = self._action("Quit", self.close, QKeySequence.StandardKey.Quit)
        self.presentation_action = self._action("Presentation mode", self.toggle_presentation, "F11",
                                                "Big type, editing panels hidden, the lesson beside the views (F11)")
        self.presentation_action.setCheckable(True)
        self.leave_presentation_action = self._action("Leave presentation mode",
                                                      lambda: self._presentation and self.toggle_presentation(),
                                                      Qt.Key.Key_Escape)
        self.leave_presentation_action.setEnabled(False)  # Esc belongs to the other widgets outside the mode
        self.uncertainty_action = self._action(
            "Dropout uncertainty map (Monte-Carlo)", self._toggle_uncertainty, "Ctrl+U",
            f"Decision view: std of {MC_PASSES} predictions with dropout on (Ctrl+U)")
        self.uncertainty_action.setCheckable(True)
        self.classic_dropout_action = self._action(
            "Classic dropout (scale at test time)", self._toggle_classic_dropout, None,
            "Textbook dropout: no scaling while training, outputs × (1−p) at test time. Off: Keras' inverted "
            "dropout, survivors × 1/(1−p) while training")
        self.classic_dropout_action.setCheckable(True)
        self.early_stopping_action = self._action(
            "Early stopping (patience 20, restore best weights)", self._toggle_early_stopping, "Ctrl+E",
            "Stop when the validation loss has not improved for 20 epochs and go back to the best epoch")
        self.early_stopping_action.setCheckable(True)
        self.studies = StudyActions(self, self.document, self.worker, self.show_message)
        self.show_study_action = self._action("Show the study (in place of the live run)",
                                              lambda checked: self.show_study(checked), "Ctrl+Tab",
                                              "The study's tab, or back to the live run's (Ctrl+Tab)")
        self.show_study_action.setCheckable(True)
        self.files = FileActions(self)

    def _mirror(self, box, text: str, shortcut: str) -> QAction:
        """A checkable menu action (with a key) that stays in step with a view's check box."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(True)
        action.setChecked(box.isChecked())
        action.toggled.connect(box.setChecked)
        box.toggled.connect(action.setChecked)
        self.addAction(action)
        return action

    def _build_toolbar(self) -> None:
        self.toolbar = bar = QToolBar("Training")
        bar.setObjectName("training_toolbar")
        self.addToolBar(bar)
        for action in (self.play_action, self.step_action, self.reset_action):
            bar.addAction(action)
        bar.addSeparator()
        self.speed_box = QComboBox()
        self.speed_box.addItems(list(SPEEDS))
        self.speed_box.setToolTip("Speed: as fast as possible, or capped for a classroom")
        self.speed_box.currentTextChanged.connect(lambda text: self.worker.set_speed(SPEEDS[text]))
        self.optimizer_box = QComboBox()
        self.optimizer_box.addItems(list(OPTIMIZERS))
        self.optimizer_box.textActivated.connect(
            lambda text: self.document.edit("Optimizer", lambda e: setattr(e.training, "optimizer", text)))
        self.lr_box = QDoubleSpinBox()
        self.lr_box.setDecimals(5)
        self.lr_box.setRange(0.00001, 10.0)
        self.lr_box.setSingleStep(0.001)
        self.lr_box.editingFinished.connect(self._edit_learning_rate)
        self.batch_box = QSpinBox()
        self.batch_box.setRange(1, 8192)
        self.batch_box.editingFinished.connect(lambda: self._edit_training("batch_size", self.batch_box.value()))
        self.epochs_box = QSpinBox()
        self.epochs_box.setRange(1, 1_000_000)
        self.epochs_box.setSingleStep(100)
        self.epochs_box.editingFinished.connect(lambda: self._edit_training("epochs", self.epochs_box.value()))
        for label, widget in (("Speed", self.speed_box), ("Optimizer", self.optimizer_box),
                              ("Learning rate", self.lr_box), ("Batch", self.batch_box),
                              ("Epochs", self.epochs_box)):
            bar.addWidget(QLabel(f" {label} "))
            bar.addWidget(widget)
        self._sync_training_controls()

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.files.fill_menu(file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menu.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        network_menu = menu.addMenu("&Network")
        for action in self.network_view.actions():
            network_menu.addAction(action)
            self.addAction(action)
        network_menu.addSeparator()
        network_menu.addAction(self.classic_dropout_action)
        training_menu = menu.addMenu("&Training")
        for action in (self.play_action, self.step_action, self.reset_action):
            training_menu.addAction(action)
        training_menu.addSeparator()
        training_menu.addAction(self.early_stopping_action)
        studies_menu = menu.addMenu("&Studies")
        for action in self.studies.actions():
            if action is None:
                studies_menu.addSeparator()
            else:
                studies_menu.addAction(action)
        studies_menu.addSeparator()
        studies_menu.addAction(self.show_study_action)
        view_menu = menu.addMenu("&View")
        for action in (self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.presentation_action)
        view_menu.addSeparator()
        for dock in (self.side_dock, self.formula_dock, self.lesson_dock):
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        view_menu.addAction(self.uncertainty_action)
        self.log_y_action = self._mirror(self.loss_view.log_y_box, "Log-scale losses", "Ctrl+Shift+Y")
        self.fit_action = self._mirror(self.weights_view.fit_box, "Gaussian / Laplace curves for comparison",
                                       "Ctrl+Shift+G")
        view_menu.addAction(self.log_y_action)
        view_menu.addAction(self.fit_action)
        presets_menu = menu.addMenu("&Presets")
        for path in sorted(PRESETS.glob("*.json")):
            try:
                name = load_experiment(path).name
            except SpecError:
                continue
            presets_menu.addAction(name, lambda p=path: self.open_experiment(p))
        lessons_menu = menu.addMenu("&Lessons")
        for number, (title, path) in enumerate(lesson_files(), start=1):
            lessons_menu.addAction(f"{number}. {title}", lambda p=path: self.open_experiment(p))

    # ---------------------------------------------------------------- actions
    def toggle_play(self) -> None:
        if self._status.state == "training":
            self.worker.pause()
            self._status.state = "paused"
        else:
            self.worker.play()
            self._status.state = "training"
            self.show_study(False)  # what plays is the live run: show it
        self._refresh_play_action()

    def step(self) -> None:
        self.worker.step()
        self.show_study(False)

    def reset(self) -> None:
        self.worker.reset()
        self.show_study(False)
        self.show_message("Reset: the weights start again from the seed")

    def open_experiment(self, path: Path) -> bool:
        """Open a preset or a lesson: a copy, untitled (Save asks where); asks first about unsaved changes."""
        return self.files.open_path(path, template=True)

    def _on_experiment_opened(self, exp: Experiment) -> None:
        if exp.lesson is not None:
            self.lesson_dock.show()
            self.lesson_dock.raise_()

    def toggle_presentation(self) -> None:
        """F11: full screen, big type, the editing panels hidden and the lesson beside the views; F11 or Esc back."""
        if self._presentation is None:
            self._return_objective()  # the layout to come back to has it
            self._presentation = (self.zoom, self.isFullScreen(), self.saveState(), self.saveGeometry())
            for dock in (self.side_dock, self.formula_dock):
                dock.hide()
            # The lesson beside the views; without one ("No lesson") its room goes to the views.
            self.lesson_dock.setVisible(self.document.exp.lesson is not None)
            screen = (self.screen() or QApplication.primaryScreen()).availableGeometry()
            self.set_zoom(max(self.zoom, presentation_zoom(screen.width(), screen.height())), remember=False)
            self.showFullScreen()
            # A share of the screen's width, not of the window's: the full-screen size arrives later (a window
            # manager's round trip), and the docks keep their width when it does.
            self.resizeDocks([self.lesson_dock], [int(screen.width() * LESSON_SHARE)], Qt.Orientation.Horizontal)
            self.show_message("Presentation mode: Space plays and pauses, F11 or Esc leaves")
        else:
            zoom, full_screen, state, _ = self._presentation
            self._presentation = None
            if not full_screen:
                self.showNormal()
            self.set_zoom(zoom, remember=False)
            self.restoreState(state)
            self._lend_objective(self.pages.currentWidget() is self.study_view)
        self.presentation_action.setChecked(self._presentation is not None)
        self.leave_presentation_action.setEnabled(self._presentation is not None)

    def show_study(self, shown: bool = True) -> None:
        """The study's tab (``shown``) or the live run's."""
        self.pages.setCurrentWidget(self.study_view if shown else self.splitter)
        self.show_study_action.setChecked(shown)

    def fit_to_screen(self, screen: QScreen | None = None) -> None:
        """Move the window, and shrink it where needed, so that its whole frame lies inside the available area of
        ``screen`` (by default the screen under the window's centre): the title bar, the toolbar and the status bar
        all reachable on a 1366 × 768 laptop, whatever size was saved on a bigger screen."""
        if self.isFullScreen() or self.isMaximized():  # the window manager fits those
            return
        frame = self.frameGeometry()
        screen = screen or QGuiApplication.screenAt(frame.center()) or self.screen() or QApplication.primaryScreen()
        inside = fitted(frame, screen.availableGeometry())
        if inside != frame:
            border = frame.size() - self.size()  # the window manager's frame: title bar and borders
            self.resize(inside.size() - border)
            self.move(inside.topLeft())  # a window's position is its frame's

    def set_zoom(self, factor: float, remember: bool = True) -> None:
        self.zoom = max(0.6, min(3.0, factor))
        font = self.font()
        font.setPointSizeF(10 * self.zoom)
        for bar in (self.menuBar(), self.toolbar, self.statusBar(), self.pages.tabBar()):  # readable from the back
            bar.setFont(font)
        for widget in (self.network_view, self.boundary_view, self.loss_view, self.weights_view, self.inspector,
                       self.data_panel, self.formula_view, self.study_view, self.lesson_panel):
            widget.set_zoom(self.zoom)
        if remember:
            self.settings.setValue("zoom", self.zoom)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    def _edit_learning_rate(self) -> None:
        self._edit_training("learning_rate", self.lr_box.value(), merge_key="learning_rate")

    def _edit_training(self, name: str, value, merge_key: str | None = None) -> None:
        if getattr(self.document.exp.training, name) != value:
            self.document.edit(f"Change {name.replace('_', ' ')}",
                               lambda e: setattr(e.training, name, value), merge_key)

    # ---------------------------------------------------------------- reacting
    def _toggle_classic_dropout(self, checked: bool) -> None:
        style = "classic" if checked else "inverted"
        if self.document.exp.network.dropout_style != style:
            self.document.edit(f"{style.capitalize()} dropout", lambda e: setattr(e.network, "dropout_style", style))

    def _toggle_early_stopping(self, checked: bool) -> None:
        if (self.document.exp.training.early_stopping is not None) != checked:
            self.document.edit("Early stopping " + ("on" if checked else "off"), lambda e: setattr(
                e.training, "early_stopping", EarlyStopping() if checked else None))

    def _toggle_uncertainty(self, checked: bool) -> None:
        self._mc_asked = (-1, 0.0)
        self._mc_shown = None
        if not checked:
            self.boundary_view.show_uncertainty(None, None)
        self._ask_uncertainty()

    def _ask_uncertainty(self) -> None:
        """While the map is on: a new one for new weights (at most every MC_INTERVAL_S while training)."""
        if not self.uncertainty_action.isChecked() or self._status.state in ("loading", "starting", "error"):
            return
        epoch, asked_at = self._mc_asked
        now = time.monotonic()
        if self._status.epoch != epoch and (self._status.state != "training" or now - asked_at > MC_INTERVAL_S):
            self._mc_asked = (self._status.epoch, now)
            self.worker.request_uncertainty(MC_PASSES)

    def _on_study_started(self, kind: str) -> None:
        self.pages.setTabText(self.pages.indexOf(self.study_view), STUDY_TABS.get(kind, STUDY_TABS[None]))
        self.show_study(True)
        self._status.state = "study"
        self._refresh_play_action()

    def _on_page_changed(self, index: int) -> None:
        study = self.pages.widget(index) is self.study_view
        self.show_study_action.setChecked(study)
        self._size_pages_by_the_shown_one()
        self._lend_objective(study)

    def _size_pages_by_the_shown_one(self) -> None:
        """A tab widget's least size is its biggest page's: the hidden page's is ignored, so that a study's least
        height does not push the objective dock or the window's least size around while the live views show."""
        for page in (self.splitter, self.study_view):
            shown = page is self.pages.currentWidget()
            policy = QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)

    def _lend_objective(self, study: bool) -> None:
        """The objective dock (about the live run) gives its height to the study while the study's tab shows, and
        comes back with the live run's tab: on a 1366 × 768 laptop the study then has room for its curves, its
        histograms and its table, as when the two shared the bottom of the window."""
        if study and self.formula_dock.isVisible() and self._presentation is None:
            self._objective_lent = self.formula_dock.height()
            self.formula_dock.hide()
        elif not study:
            self._return_objective()

    def _return_objective(self) -> None:
        """The objective dock back at the height it lent (the live views then get back theirs exactly)."""
        if self._objective_lent:
            height, self._objective_lent = self._objective_lent, 0
            self.formula_dock.show()
            self.resizeDocks([self.formula_dock], [height], Qt.Orientation.Vertical)

    def _on_spec_changed(self, kind: str) -> None:
        self._sync_training_controls()
        self._refresh_title()
        self.lesson_panel.show_experiment(self.document.exp)
        if kind == "live":
            self.worker.apply_live(self.document.exp)
        else:
            was_training = self._status.state == "training"
            self.worker.load(self.document.exp)
            self.show_message("The network or data changed: training starts again from scratch"
                              + (" (press Play)" if was_training else ""))

    def _on_dataset(self, dataset) -> None:
        self.network_view.set_shape(dataset.n_features, dataset.n_outputs, dataset.feature_names)
        self.boundary_view.set_dataset(dataset)
        self.data_panel.set_dataset(dataset)

    def _on_failed(self, message: str) -> None:
        self.show_message(message)
        if "diverged" in message and self._status.epoch:
            self.loss_view.add_marker(self._status.epoch, "diverged")

    def render(self) -> None:
        """Timer slot: draw what the worker published since the last frame (latest snapshot wins).

        Painting every view in one tick would take longer than a frame, so the views take turns: each tick
        redraws one group, and every view shows the newest snapshot at RENDER_HZ / len(_view_groups) (8.6)
        frames per second.
        """
        updates = self.worker.take_updates(len(self._rows), self._run_id)
        if updates.run_id != self._run_id:
            self._run_id = updates.run_id
            self._rows = []
            self._shown = {}
            for view in (self.loss_view, self.weights_view, self.boundary_view):
                view.clear()
            self.loss_view.clear_markers()
            self.network_view.clear_snapshot()
            self._mc_asked, self._mc_shown = (-1, 0.0), None
        self._rows.extend(updates.new_rows)
        self._status = updates.status
        self._refresh_status()
        self._ask_uncertainty()
        if self.uncertainty_action.isChecked() and updates.uncertainty is not self._mc_shown:
            self._mc_shown = updates.uncertainty
            if updates.uncertainty is not None:
                self.boundary_view.show_uncertainty(*updates.uncertainty, passes=MC_PASSES)
        snap = updates.snapshot
        self._tick = (self._tick + 1) % len(self._view_groups)
        for view in self._view_groups[self._tick]:
            if isinstance(view, LossPart):
                if self._shown.get(view) != len(self._rows):
                    self._shown[view] = len(self._rows)
                    view.set_history(self._rows)
                    stopping = self.document.exp.training.early_stopping is not None
                    view.set_best_epoch(self._status.best_epoch if stopping else None,
                                        stopped=stopping and self._status.state == "finished")
            elif view is self.study_view:
                if self.pages.currentWidget() is self.study_view:
                    view.show_progress(self.worker.take_study())
            elif snap is not None and self._shown.get(view) is not snap:
                self._shown[view] = snap
                view.show_snapshot(snap)

    @property
    def render_turns(self) -> list[str]:
        """What each tick of the render timer draws, in turn (for benchmarks): e.g. "WeightsView 1/3"."""
        return [" + ".join(str(view) if isinstance(view, WeightsPart | LossPart) else type(view).__name__
                           for view in group) for group in self._view_groups]

    @property
    def _shown_snapshot(self):
        """The newest snapshot every view has drawn (None until all have)."""
        shown = [self._shown.get(view) for group in self._view_groups for view in group
                 if not isinstance(view, LossPart) and view is not self.study_view]
        return shown[0] if shown and all(s is shown[0] for s in shown) else None

    def _refresh_status(self) -> None:
        s = self._status
        text = f"{s.state} · epoch {s.epoch}"
        if s.state == "training":
            text += f" · {s.epochs_per_second:.0f} epochs/s"
        if text != self.status_label.text():
            state_changed = text.split(" · ")[0] != self.status_label.text().split(" · ")[0]
            self.status_label.setText(text)
            if state_changed:
                self.status_label.fit_text()
        if s.message and s.state in ("error", "diverged") and self.statusBar().currentMessage() != s.message:
            self.statusBar().showMessage(s.message)
        self._refresh_play_action()

    def _refresh_play_action(self) -> None:
        text = "Pause" if self._status.state == "training" else "Play"
        if self.play_action.text() != text:
            self.play_action.setText(text)

    def _sync_training_controls(self) -> None:
        t = self.document.exp.training
        self.early_stopping_action.setChecked(t.early_stopping is not None)
        self.classic_dropout_action.setChecked(self.document.exp.network.dropout_style == "classic")
        for widget, value in ((self.lr_box, t.learning_rate), (self.batch_box, t.batch_size),
                              (self.epochs_box, t.epochs)):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        self.optimizer_box.blockSignals(True)
        self.optimizer_box.setCurrentText(t.optimizer)
        self.optimizer_box.blockSignals(False)

    def _refresh_title(self, *_args) -> None:
        mark = "" if self.document.undo_stack.isClean() else " *"
        files = getattr(self, "files", None)
        name = self.document.exp.name if files is None or files.path is None else files.path.name
        self.setWindowTitle(f"RegLab — {name}{mark}")

    # ---------------------------------------------------------------- layout and closing
    def _restore_layout(self) -> None:
        geometry = self.settings.value("geometry")
        state = self.settings.value("window_state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        zoom = float(self.settings.value("zoom", 1.0))
        if zoom != 1.0:
            self.set_zoom(zoom)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if event.mimeData().hasUrls() and self.files.can_drop(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 (Qt's name)
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        if event.mimeData().hasUrls() and self.files.can_drop(event.mimeData().urls()):
            event.acceptProposedAction()
            urls = event.mimeData().urls()
            QTimer.singleShot(0, lambda: self.files.drop(urls))  # not inside the drag: a dialog may ask first
        else:
            event.ignore()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.timer.isActive() and not self.files.maybe_save():  # Cancel: the window stays open
            event.ignore()
            return
        self.timer.stop()
        # The layout to remember is the everyday one, not presentation mode's full screen without the editors.
        if self._presentation is not None:
            _, _, state, geometry = self._presentation
        else:
            self._return_objective()
            state, geometry = self.saveState(), self.saveGeometry()
        self.settings.setValue("geometry", geometry)
        self.settings.setValue("window_state", state)
        self.settings.sync()
        # Training and studies stop between epochs, well within the wait. A model build or a data set being read
        # cannot be interrupted; the worker then ends later (or gui/app.py ends the process without it).
        self.worker.stop(timeout_ms=CLOSE_WAIT_MS)
        super().closeEvent(event)
