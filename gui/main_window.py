"""The lab window: puts the views together, wires user actions to the document and the session model, and redraws
from the latest snapshot on a timer.

Where things live: the network drawing is gui/live/network_view.py, the curves gui/live/loss_view.py, the weight
histograms gui/live/weights_view.py, the decision boundary gui/live/boundary_view.py, the side panels
gui/panels/layer_inspector.py, gui/panels/data_panel.py, gui/live/formula_view.py and gui/panels/lesson_panel.py;
studies (compare, cross-validation, sweeps, the path) are started by gui/studies/study_actions.py and drawn by
gui/studies/study_view.py, on a tab of their own in place of the live views (the live run waits while a study trains);
the File menu is gui/file_actions.py, the other menus and the training toolbar gui/window_menus.py. The live run and
the experiment's file are the session model's (gui/session.py), which owns the training worker
(gui/training_worker.py, the engine's own process behind it): the window subscribes to its signals, and its render
timer (gui/render_loop.py) draws the session's frames (gui/live/live_view.py).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
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
from PySide6.QtWidgets import QApplication, QMainWindow, QSizePolicy, QTabWidget, QToolBar, QVBoxLayout, QWidget

from engine.spec import Experiment
from engine.spec.data_shape import known_shape
from gui.document import ExperimentDocument
from gui.file_actions import FileActions
from gui.live.boundary_view import BoundaryView
from gui.live.formula_view import FormulaView
from gui.live.landscape_dock import LandscapeDock
from gui.live.live_view import Frame, live_view_groups
from gui.live.loss_view import LossView
from gui.live.network_view import NetworkView
from gui.live.weights_view import WeightsView
from gui.panels.data_panel import DataPanel
from gui.panels.layer_inspector import LayerInspector
from gui.panels.lesson_panel import LessonPanel
from gui.plotting.picture_export import add_picture_export
from gui.render_loop import RenderLoop
from gui.run_state import STUCK, State
from gui.session import MC_PASSES, TrainingSession, default_experiment
from gui.studies.study_actions import StudyActions
from gui.studies.study_view import StudyView
from gui.widgets import SteadyLabel
from gui.window_layout import (
    FORMULA_MOST,
    FORMULA_SHARE,
    LESSON_SHARE,
    WINDOW_SIZE,
    add_dock,
    fitted,
    live_grid,
    presentation_zoom,
    scrolled,
)
from gui.window_menus import TrainingControls, fill_menus, make_action, mirror_action

ICON = Path(__file__).resolve().parents[1] / "resources" / "icons" / "reglab.png"  # drawn by tools/make_icon.py
STUDY_TABS = {None: "Study", "compare": "Study: compare", "cv": "Study: cross-validation", "sweep": "Study: sweep",
              "path": "Study: regularization path"}
CLOSE_WAIT_MS = 500  # closing waits this long for the worker (it stops between epochs: milliseconds)


class MainWindow(QMainWindow):
    def __init__(self, exp: Experiment | None = None, settings: QSettings | None = None, path: Path | None = None):
        """The window on ``exp`` (by default the default experiment), opened from the file ``path`` if given."""
        super().__init__()
        self.settings = settings or QSettings("RegLab", "RegLab")
        self.document = ExperimentDocument(exp or default_experiment(), self)
        self.session = TrainingSession(self.document, parent=self)
        self.zoom = 1.0
        self._presentation: tuple | None = None  # what presentation mode changed, to put back
        self._objective_lent = 0  # the objective dock's height while the study's tab hides it, else 0 (_lend_objective)

        self.setWindowIcon(QIcon(str(ICON)))
        self.setAcceptDrops(True)  # a dropped .json file opens (gui/file_actions.py)
        self._build_views()
        self.render_loop = RenderLoop(self, self._take_news, self._frame, *live_view_groups(
            self.network_view, self.loss_view, self.weights_view, self.boundary_view, self.formula_view,
            self.study_view))
        self.timer = self.render_loop.timer
        self._build_actions()
        self._build_toolbar()
        fill_menus(self)
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
        self.lesson_panel.run_study.connect(self.studies.run_lesson_study)
        self.studies.started.connect(self._on_study_started)
        self.lesson_panel.show_experiment(self.document.exp)
        self._subscribe(self.session)
        self.session.set_path(path)
        self._on_experiment_changed(self.document.exp)

        self.timer.start()
        self.session.load()  # queued: the worker starts once the window has been painted

    def _subscribe(self, session: TrainingSession) -> None:
        session.run_changed.connect(lambda _run_id: self.render_loop.clear())
        session.state_changed.connect(self._refresh_play_action)
        session.diverged_changed.connect(self._mark_divergence)
        session.dataset_changed.connect(self._on_dataset)
        session.uncertainty_changed.connect(self._show_uncertainty)
        session.experiment_changed.connect(self._on_experiment_changed)
        for signal in (session.file_changed, session.dirty_changed):
            signal.connect(self._refresh_title)
        session.worker.failed.connect(self.show_message)

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
            self.session.start()

    # ---------------------------------------------------------------- building
    def _build_views(self) -> None:
        doc = self.document
        self.network_view = NetworkView(doc)
        if (shape := known_shape(doc.exp.data)) is not None:  # drawn now, not when the engine's data arrives
            self.network_view.set_shape(*shape)
        self.boundary_view = BoundaryView(document=doc)
        self.loss_view = LossView()
        self.weights_view = WeightsView()
        self.inspector = LayerInspector(doc)
        self.data_panel = DataPanel(doc)
        self.formula_view = FormulaView(doc)
        self.study_view = StudyView()
        self.lesson_panel = LessonPanel()

        self.splitter = live_grid(self.network_view, self.loss_view, self.boundary_view, self.weights_view)
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
        self.side_dock = add_dock(self, "Data and layer", "side", scrolled(panel), Qt.DockWidgetArea.LeftDockWidgetArea)
        self.formula_dock = add_dock(self, "Objective", "formula", scrolled(self.formula_view),
                                       Qt.DockWidgetArea.BottomDockWidgetArea)
        self.lesson_dock = add_dock(self, "Lesson", "lesson", self.lesson_panel, Qt.DockWidgetArea.RightDockWidgetArea)
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

    def _build_actions(self) -> None:
        def action(*args) -> QAction:
            return make_action(self, *args)

        self.play_action = action("Play", self.toggle_play, Qt.Key.Key_Space, "Play / pause training (Space)")
        self.step_action = action("Step", self.step, "S", "Train exactly one epoch (S)")
        self.reset_action = action("Reset", self.reset, "R", "Re-initialize the weights from the seed (R)")
        self.undo_action = self.document.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.document.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo])
        self.zoom_in_action = action("Zoom in (projector)", lambda: self.set_zoom(self.zoom * 1.25), "Ctrl++")
        self.zoom_out_action = action("Zoom out", lambda: self.set_zoom(self.zoom / 1.25), "Ctrl+Shift+-")
        self.zoom_reset_action = action("Actual size", lambda: self.set_zoom(1.0), "Ctrl+0")
        self.quit_action = action("Quit", self.close, QKeySequence.StandardKey.Quit)
        self.presentation_action = action("Presentation mode", self.toggle_presentation, "F11",
                                          "Big type, editing panels hidden, the lesson beside the views (F11)")
        self.presentation_action.setCheckable(True)
        self.leave_presentation_action = action("Leave presentation mode",
                                                lambda: self._presentation and self.toggle_presentation(),
                                                Qt.Key.Key_Escape)
        self.leave_presentation_action.setEnabled(False)  # Esc belongs to the other widgets outside the mode
        self.uncertainty_action = action(
            "Dropout uncertainty map (Monte-Carlo)", self._toggle_uncertainty, "Ctrl+U",
            f"Decision view: std of {MC_PASSES} predictions with dropout on (Ctrl+U)")
        self.uncertainty_action.setCheckable(True)
        self.controls = TrainingControls(self, self.document, self.session)
        self.studies = StudyActions(self, self.document, self.session, self.show_message, self.settings)
        self.landscape = LandscapeDock(self, self.document, self.session)  # View ▸ Loss landscape: a dock
        self.show_study_action = action("Show the study (in place of the live run)",
                                        lambda checked: self.show_study(checked), "Ctrl+Tab",
                                        "The study's tab, or back to the live run's (Ctrl+Tab)")
        self.show_study_action.setCheckable(True)
        self.log_y_action = mirror_action(self, self.loss_view.log_y_box, "Log-scale losses", "Ctrl+Shift+Y")
        self.fit_action = mirror_action(self, self.weights_view.fit_box, "Gaussian / Laplace curves for comparison",
                                        "Ctrl+Shift+G")
        self.files = FileActions(self.session, self, self.settings, self.show_message)

    def _build_toolbar(self) -> None:
        self.toolbar = bar = QToolBar("Training")
        bar.setObjectName("training_toolbar")
        self.addToolBar(bar)
        for action in (self.play_action, self.step_action, self.reset_action):
            bar.addAction(action)
        bar.addSeparator()
        self.controls.fill_toolbar(bar)

    # ---------------------------------------------------------------- actions
    def toggle_play(self) -> None:
        if self.session.toggle_play() is State.TRAINING:
            self.show_study(False)  # what plays is the live run: show it

    def step(self) -> None:
        self.session.step()
        self.show_study(False)

    def reset(self) -> None:
        self.session.reset()
        self.show_study(False)
        self.show_message("Reset: the weights start again from the seed")

    def open_experiment(self, path: Path) -> bool:
        """Open a preset or a lesson: a copy, untitled (Save asks where); asks first about unsaved changes."""
        return self.files.open_path(path, template=True)

    def _on_experiment_changed(self, exp: Experiment) -> None:
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
                       self.data_panel, self.formula_view, self.study_view, self.lesson_panel, self.landscape.view):
            widget.set_zoom(self.zoom)
        if remember:
            self.settings.setValue("zoom", self.zoom)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    # ---------------------------------------------------------------- reacting
    def _toggle_uncertainty(self, checked: bool) -> None:
        if not checked:
            self.boundary_view.show_uncertainty(None, None)
        self.session.want_uncertainty(checked)

    def _on_study_started(self, kind: str) -> None:
        self.pages.setTabText(self.pages.indexOf(self.study_view), STUDY_TABS.get(kind, STUDY_TABS[None]))
        self.show_study(True)

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
        """The session restarts or updates the run (gui/session.py); the window says so."""
        self._refresh_title()
        self.lesson_panel.show_experiment(self.document.exp)
        if kind != "live":
            was_training = self.session.state is State.TRAINING
            self.show_message("The network or data changed: training starts again from scratch"
                              + (" (press Play)" if was_training else ""))

    def _on_dataset(self, dataset) -> None:
        """The run's data set: the views that show it redraw on render ticks of their own, a step a tick."""
        loop = self.render_loop
        loop.add_chore("network", lambda: self.network_view.set_shape(
            dataset.n_features, dataset.n_outputs, dataset.feature_names))
        loop.add_chore("boundary", self.boundary_view.dataset_steps(dataset))
        loop.add_chore("data panel", self.data_panel.dataset_steps(dataset))

    def _show_uncertainty(self, mean_std) -> None:
        self.render_loop.drawn_outside_frames()  # a new run clears it
        self.boundary_view.show_uncertainty(*mean_std, passes=MC_PASSES)

    def _mark_divergence(self, epoch: int) -> None:
        if epoch:
            self.loss_view.add_marker(epoch, "diverged")

    def _take_news(self) -> None:
        """Each render tick first takes what the engine published (a new run clears the views)."""
        self.session.poll()
        self._refresh_status()

    def _frame(self) -> Frame:
        session = self.session
        study_shown = self.pages.currentWidget() is self.study_view
        return Frame(session.snapshot, session.rows, session.status,
                     early_stopping=self.document.exp.training.early_stopping is not None,
                     study=session.study if study_shown else None, study_shown=study_shown)

    def _refresh_status(self) -> None:
        s = self.session.status
        text = f"{s.state} · epoch {s.epoch}"
        if s.state is State.TRAINING:
            text += f" · {s.epochs_per_second:.0f} epochs/s"
        if text != self.status_label.text():
            state_changed = text.split(" · ")[0] != self.status_label.text().split(" · ")[0]
            self.status_label.setText(text)
            if state_changed:
                self.status_label.fit_text()
        if s.message and s.state in STUCK and self.statusBar().currentMessage() != s.message:
            self.statusBar().showMessage(s.message)

    def _refresh_play_action(self, *_args) -> None:
        text = "Pause" if self.session.state is State.TRAINING else "Play"
        if self.play_action.text() != text:
            self.play_action.setText(text)

    def _refresh_title(self, *_args) -> None:
        mark = " *" if self.session.dirty else ""
        self.setWindowTitle(f"RegLab — {self.session.display_name}{mark}")

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
        self.session.stop(timeout_ms=CLOSE_WAIT_MS)
        super().closeEvent(event)
