"""The study panel: several runs of one experiment side by side — compare, K-fold cross-validation, sweeps.

:meth:`StudyView.show_progress` is called on the window's render timer with the study's
:class:`engine.studies.study.StudyProgress` (the same object, growing while the study trains on the worker thread).
This module holds the panel (a heading, a hint before any study, a stack of pages); a page per kind of study
has a module of its own:

- **compare**, gui/studies/compare_page.py (:class:`ComparePage`): up to 4 variants' losses and metric, their hidden
  layers' weight histograms and a summary table.
- **cv**, gui/studies/cv_page.py (:class:`CrossValidationPage`): a bar per fold of its held-out score with their mean,
  the score of all held-out predictions together once done, and every fold's validation loss.
- **sweep**, gui/studies/sweep_page.py (:class:`SweepPage`): the final training and validation metric against the swept
  value, the best value marked, the underfitting side shaded, and the runs' validation losses.
- **path**, gui/studies/path_page.py (:class:`PathPage`): the regularization path, every kernel weight against the
  value, and the final training and validation metric beneath.

What the pages share (their base class, metrics columns, the per-run validation curves, small plot helpers) is in
gui/studies/study_plots.py.

A page is built the first time a study of its kind shows: the four pages' 17 plots cost 0.34–0.46 s on a slow VM,
which the window's start does not pay for a tab it opens on hidden.

Every call looks only at what is new (rows per curve, table rows, snapshots) and sets data on items made
when their curve first appeared; a call with nothing new sets nothing. Items are kept for the next study
of the same kind (a new study empties them).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from engine.studies.study import StudyProgress
from gui.plotting.plot_style import flush_column, scaled_font, white_background
from gui.studies.compare_page import ComparePage
from gui.studies.cv_page import CrossValidationPage
from gui.studies.path_page import PathPage
from gui.studies.study_plots import StudyPage
from gui.studies.sweep_page import SweepPage

HINT = (
    "No study yet.\n\nStudies ▸ Compare, Cross-validate (K-fold), Sweep a field or Regularization path\n"
    "trains several runs of this experiment and shows them here, side by side."
)


PAGES = {"compare": ComparePage, "cv": CrossValidationPage, "sweep": SweepPage, "path": PathPage}


class StudyView(QWidget):
    """The study panel: a heading, then a page for the kind of study shown (or a hint before any)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zoom = 1.0
        self._progress: StudyProgress | None = None
        self._page: StudyPage | None = None
        self._heading_text = ""
        white_background(self)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setContentsMargins(8, 4, 8, 4)
        self.heading.setVisible(False)
        self.hint = QLabel(HINT)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self._pages: dict[str, StudyPage] = {}  # built when first shown (page)

        self.stack = QStackedLayout()
        self.stack.addWidget(self.hint)
        layout = flush_column(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.stack, 1)
        self.set_zoom(1.0)

    # ------------------------------------------------------------------ the view API

    def show_progress(self, progress: StudyProgress | None) -> None:
        """Show ``progress`` (the same object on every call while its study runs); None shows the hint.

        Only what is new since the last call is drawn; a new study (another object) starts its page afresh.
        """
        if progress is None:
            if self._progress is not None or self._page is not None:
                self._progress, self._page = None, None
                self.stack.setCurrentWidget(self.hint)
                self.heading.setVisible(False)
            return
        page = self.page(progress.kind) if progress.kind in PAGES else None
        if progress is not self._progress:
            self._progress = progress
            if page is not None:
                page.reset()
            self._page = page
            self.stack.setCurrentWidget(page if page is not None else self.hint)
            self.heading.setVisible(True)
        text = f"<b>{html.escape(progress.title)}</b>"
        if progress.message:
            text += f"&nbsp;&nbsp;—&nbsp;&nbsp;{html.escape(progress.message)}"
        if text != self._heading_text:
            self._heading_text = text
            self.heading.setText(text)
        if page is not None:
            page.show_progress(progress)

    def page(self, kind: str) -> StudyPage:
        """The page of a kind of study ("compare", "cv", "sweep" or "path"), built the first time it is asked for."""
        if kind not in self._pages:
            page = self._pages[kind] = PAGES[kind]()
            page.set_zoom(self._zoom)
            self.stack.addWidget(page)
        return self._pages[kind]

    @property
    def compare(self) -> ComparePage:
        return self.page("compare")

    @property
    def cv(self) -> CrossValidationPage:
        return self.page("cv")

    @property
    def sweep(self) -> SweepPage:
        return self.page("sweep")

    @property
    def path(self) -> PathPage:
        return self.page("path")

    def set_zoom(self, factor: float) -> None:
        """Scale fonts and line widths (2 for a projector)."""
        self._zoom = factor
        heading = scaled_font(factor * 1.15)
        self.heading.setFont(heading)
        self.hint.setFont(scaled_font(factor * 1.2))
        for page in self._pages.values():
            page.set_zoom(factor)

    def clear(self) -> None:
        """Back to the hint."""
        self.show_progress(None)

    @property
    def kind(self) -> str | None:
        """The kind of study shown ("compare", "cv", "sweep"), or None (the hint)."""
        return self._progress.kind if self._progress is not None else None
