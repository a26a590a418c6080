"""The loss landscape in the lab window: a dock on the right, hidden until View ▸ Loss landscape shows it.

While the dock is visible the session asks the worker for landscapes of the chosen pair (gui/session.py's
``want_landscape``); hidden, nothing is computed. The pair picked in the view is written to the experiment
(``"landscape": {"weights": "L:i:j,L:k:l"}``, an undoable edit that leaves the run as it is); the Default button
removes it (the worker then picks the two largest weights of the first layer, once per run). Clicking two edges in
the network view, while the dock shows, picks a pair the same way (gui/live/edge_picking.py). Opening an experiment
that names a pair (a lesson about it) shows the dock.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow

from engine.spec import LandscapeChoice
from gui.document import ExperimentDocument
from gui.live.landscape_view import LandscapeView
from gui.plotting.picture_export import add_picture_export
from gui.session import TrainingSession
from gui.window_layout import add_dock

SHORTCUT = "Ctrl+Shift+A"
WIDTH = 380  # px: the dock's width when it first shows (a square plot beside the live views on 1366 × 768)


class LandscapeDock(QObject):
    """The dock, its View-menu action (``action``) and the wiring between the view, the document and the session."""

    def __init__(self, window: QMainWindow, document: ExperimentDocument, session: TrainingSession) -> None:
        super().__init__(window)
        self.window, self.document, self.session = window, document, session
        self.view = LandscapeView(document)
        self.dock = add_dock(window, "Loss landscape", "landscape", self.view, Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock.hide()
        self._sized = False
        self.action = self.dock.toggleViewAction()
        self.action.setShortcut(SHORTCUT)
        self.action.setToolTip("The data loss over the plane of two weights, the penalty's level set and the "
                               f"pair's path, live ({SHORTCUT})")
        window.addAction(self.action)  # the key works while the menus are hidden (presentation mode)
        add_picture_export(self.view, "loss landscape", self._report)
        self.dock.visibilityChanged.connect(self._ask)
        document.spec_changed.connect(self._on_spec_changed)
        session.landscape_changed.connect(self.view.show_landscape)
        session.run_changed.connect(lambda _run_id: self.view.clear())
        session.dataset_changed.connect(self.view.set_dataset)
        session.experiment_changed.connect(self._on_experiment_changed)
        self.view.picker.pair_chosen.connect(self.choose)
        # Clicking two edges in the network view picks the pair too (gui/live/edge_picking.py), while the dock shows.
        self.edges = window.network_view.edge_picking
        self.edges.pair_chosen.connect(self.choose)
        self.edges.message.connect(self._report)
        session.landscape_changed.connect(lambda _frame: self._mark_edges())

    @property
    def shown(self) -> bool:
        return self.dock.isVisible()

    def choose(self, pair) -> None:
        """Keep ``pair`` (two WeightRefs; None: the default pair) in the experiment, as an undoable edit."""
        choice = None if pair is None else LandscapeChoice(tuple(pair))
        if choice != self.document.exp.landscape:
            self.document.edit("Choose the landscape's weights", lambda e: setattr(e, "landscape", choice))

    def _on_experiment_changed(self, exp) -> None:
        """An opened experiment (a file, a preset, a lesson) that names a pair is about it: the dock shows."""
        if exp.landscape is not None:
            self.dock.show()
            self.dock.raise_()

    def _on_spec_changed(self, _kind: str) -> None:
        self.view.refresh_shape()
        self._ask()

    def _mark_edges(self) -> None:
        """The network view marks the experiment's pair, or without one the default pair drawn."""
        drawn = self.view.drawn.pair if self.view.drawn is not None else None
        self.edges.show_pair(self.view.chosen_pair or drawn)

    def _ask(self, *_args) -> None:
        visible = self.dock.isVisible()
        if visible and not self._sized:  # the first time it shows: a width for a square plot, not the hint's
            self._sized = True
            self.window.resizeDocks([self.dock], [WIDTH], Qt.Orientation.Horizontal)
        self.session.want_landscape(visible, self.view.chosen_pair)
        self.edges.set_active(visible)
        self._mark_edges()

    def _report(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 10000)
