"""The lab window: puts the views together, wires user actions to the document and the worker,
and redraws from the latest snapshot on a timer.

Where things live: the network drawing is gui/network_view.py, the curves gui/loss_view.py, the
weight histograms gui/weights_view.py, the decision boundary gui/boundary_view.py, the side panels
gui/layer_inspector.py, gui/data_panel.py and gui/formula_view.py; training runs in
gui/training_worker.py.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from engine.spec import OPTIMIZERS, Experiment, SpecError, load_experiment
from gui.boundary_view import BoundaryView
from gui.data_panel import DataPanel
from gui.document import ExperimentDocument
from gui.formula_view import FormulaView
from gui.layer_inspector import LayerInspector
from gui.loss_view import LossView
from gui.network_view import NetworkView
from gui.training_worker import Status, TrainingWorker
from gui.weights_view import WeightsView

PRESETS = Path(__file__).resolve().parents[1] / "resources" / "presets"
DEFAULT_PRESET = PRESETS / "default.json"
RENDER_HZ = 60  # render timer ticks per second; each tick redraws one group of views (see render)
SPEEDS = {"max": None, "60 epochs/s": 60.0, "20 epochs/s": 20.0, "5 epochs/s": 5.0, "1 epoch/s": 1.0}


def default_experiment() -> Experiment:
    try:
        return load_experiment(DEFAULT_PRESET)
    except SpecError:
        return Experiment()


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

        self._build_views()
        # One view a turn; the objective's few labels get a turn of their own, a light tick between heavy ones.
        self._view_groups = [(self.network_view,), (self.loss_view,), (self.weights_view,), (self.boundary_view,),
                             (self.formula_view,)]
        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self._refresh_title()
        self.resize(1440, 900)
        self._restore_layout()

        self.document.spec_changed.connect(self._on_spec_changed)
        self.document.error.connect(self.show_message)
        self.document.undo_stack.cleanChanged.connect(self._refresh_title)
        self.worker.dataset_ready.connect(self._on_dataset)
        self.worker.failed.connect(self._on_failed)

        self.timer = QTimer(self)
        self.timer.setInterval(1000 // RENDER_HZ)
        self.timer.timeout.connect(self.render)
        self.timer.start()
        self.worker.load(self.document.exp)  # queued: the worker starts once the window has been painted

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
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
        self.setCentralWidget(self.splitter)

        panel = QWidget()
        column = QVBoxLayout(panel)
        column.addWidget(self.data_panel)
        column.addWidget(self.inspector)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(panel)
        self.side_dock = self._dock("Data and layer", "side", scroll, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.formula_dock = self._dock("Objective", "formula", self.formula_view,
                                       Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.formula_dock], [170], Qt.Orientation.Vertical)
        self.resizeDocks([self.side_dock], [300], Qt.Orientation.Horizontal)
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)

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
        self.step_action = self._action("Step", self.worker.step, "S", "Train exactly one epoch (S)")
        self.reset_action = self._action("Reset", self.reset, "R", "Re-initialize the weights from the seed (R)")
        self.undo_action = self.document.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.document.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo])
        self.zoom_in_action = self._action("Zoom in (projector)", lambda: self.set_zoom(self.zoom * 1.25), "Ctrl++")
        self.zoom_out_action = self._action("Zoom out", lambda: self.set_zoom(self.zoom / 1.25), "Ctrl+Shift+-")
        self.zoom_reset_action = self._action("Actual size", lambda: self.set_zoom(1.0), "Ctrl+0")
        self.quit_action = self._action("Quit", self.close, QKeySequence.StandardKey.Quit)

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
        bar = QToolBar("Training")
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
        file_menu.addAction(self.quit_action)
        edit_menu = menu.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        network_menu = menu.addMenu("&Network")
        for action in self.network_view.actions():
            network_menu.addAction(action)
            self.addAction(action)
        training_menu = menu.addMenu("&Training")
        for action in (self.play_action, self.step_action, self.reset_action):
            training_menu.addAction(action)
        view_menu = menu.addMenu("&View")
        for action in (self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.side_dock.toggleViewAction())
        view_menu.addAction(self.formula_dock.toggleViewAction())
        view_menu.addSeparator()
        self.log_y_action = self._mirror(self.loss_view.log_y_box, "Log-scale losses", "Ctrl+Shift+Y")
        self.fit_action = self._mirror(self.weights_view.fit_box, "Fit Gaussian / Laplace to the weights",
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

    # ---------------------------------------------------------------- actions
    def toggle_play(self) -> None:
        if self._status.state == "training":
            self.worker.pause()
            self._status.state = "paused"
        else:
            self.worker.play()
            self._status.state = "training"
        self._refresh_play_action()

    def reset(self) -> None:
        self.worker.reset()
        self.show_message("Reset: the weights start again from the seed")

    def open_experiment(self, path: Path) -> None:
        try:
            exp = load_experiment(path)
        except SpecError as exc:
            self.show_message(f"Could not open {path.name}: {exc}")
            return
        self.document.replace(exp)

    def set_zoom(self, factor: float) -> None:
        self.zoom = max(0.6, min(3.0, factor))
        font = self.font()
        font.setPointSizeF(10 * self.zoom)
        self.menuBar().setFont(font)
        for widget in (self.network_view, self.boundary_view, self.loss_view, self.weights_view, self.inspector,
                       self.data_panel, self.formula_view):
            widget.set_zoom(self.zoom)
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
    def _on_spec_changed(self, kind: str) -> None:
        self._sync_training_controls()
        self._refresh_title()
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
        redraws one group, and every view shows the newest snapshot at RENDER_HZ / len(_view_groups) (12)
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
        self._rows.extend(updates.new_rows)
        self._status = updates.status
        self._refresh_status()
        snap = updates.snapshot
        self._tick = (self._tick + 1) % len(self._view_groups)
        for view in self._view_groups[self._tick]:
            if view is self.loss_view:
                if self._shown.get(view) != len(self._rows):
                    self._shown[view] = len(self._rows)
                    view.set_history(self._rows)
            elif snap is not None and self._shown.get(view) is not snap:
                self._shown[view] = snap
                view.show_snapshot(snap)

    @property
    def _shown_snapshot(self):
        """The newest snapshot every view has drawn (None until all have)."""
        shown = [self._shown.get(view) for group in self._view_groups for view in group if view is not self.loss_view]
        return shown[0] if shown and all(s is shown[0] for s in shown) else None

    def _refresh_status(self) -> None:
        s = self._status
        text = f"{s.state} · epoch {s.epoch}"
        if s.state == "training":
            text += f" · {s.epochs_per_second:.0f} epochs/s"
        if text != self.status_label.text():
            self.status_label.setText(text)
        if s.message and s.state in ("error", "diverged") and self.statusBar().currentMessage() != s.message:
            self.statusBar().showMessage(s.message)
        self._refresh_play_action()

    def _refresh_play_action(self) -> None:
        text = "Pause" if self._status.state == "training" else "Play"
        if self.play_action.text() != text:
            self.play_action.setText(text)

    def _sync_training_controls(self) -> None:
        t = self.document.exp.training
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
        self.setWindowTitle(f"RegLab — {self.document.exp.name}{mark}")

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

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        self.worker.stop(timeout_ms=1000)
        super().closeEvent(event)
