"""The objective written out: J(w) = data loss + one term per active regularizer, with live values.

The terms follow Keras' own definitions (what the engine computes, gui/live/formula_terms.py): L1 is λ·Σ|w|, L2 is
λ·Σw² with no ½, an activity penalty is divided by the batch size; the output layer's kernel and bias penalties sit
in the sum beside the hidden layers'. What regularizes without being a term of J is listed under it as the rules the
run applies (gui/live/formula_rules.py): weight decay and max-norm on the weights after each step, dropout, Gaussian
noise and batch norm on the activations. Label smoothing changes the data loss's targets. Only mechanisms in use are
written. ``show_snapshot`` writes the latest epoch's values beside the terms and touches only the numbers that changed.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from engine.spec import Experiment
from engine.training.snapshot import Snapshot
from gui.document import ExperimentDocument
from gui.live.formula_rules import RULE_NAMES, RULES_HEADING, training_rules
from gui.live.formula_terms import (
    ACTIVITY_NOTE,
    L2_NOTE,
    Term,
    class_count,
    data_loss_name,
    format_value,
    label_smoothing_line,
    penalty_terms,
    smoothed_targets,
)
from gui.plotting import palette
from gui.widgets import HINT_COLOUR, SteadyLabel, hint_label, set_text_colour, zoomed_font

__all__ = ["ACTIVITY_NOTE", "FormulaView", "format_value"]

NO_VALUE = "—"


def _rgb(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def _coloured(text: str, colour: tuple[int, int, int], bold: bool = False) -> str:
    weight = "font-weight:600;" if bold else ""
    return f'<span style="color:{_rgb(colour)};{weight}">{escape(text)}</span>'


RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class _Row:
    """Three labels in the grid: what the term is, its formula, its current value."""

    def __init__(self, grid: QGridLayout, row: int):
        self.name, self.formula, self.value = QLabel(), QLabel(), SteadyLabel(NO_VALUE)  # value: every epoch
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        self.value.setTextFormat(Qt.TextFormat.PlainText)
        self.value.setAlignment(RIGHT)
        for label in (self.name, self.formula, self.value):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(self.name, row, 0)
        grid.addWidget(self.formula, row, 1)
        grid.addWidget(self.value, row, 2, alignment=RIGHT)  # its own size (SteadyLabel): right edges line up

    def set_visible(self, visible: bool) -> None:
        for label in (self.name, self.formula, self.value):
            label.setVisible(visible)


class FormulaView(QWidget):
    """The objective being minimised for the current network, and its value at the latest epoch."""

    #: the terms or notes changed, and with them the height the view needs (the window sizes its dock to it)
    terms_changed = Signal()

    def __init__(self, document: ExperimentDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self._base_font = QFont(self.font())
        self._snapshot: Snapshot | None = None
        self._terms: list[Term] = []
        self._loss_name = ""
        self._classes: int | None = None  # K of the snapshot the terms were written for (smoothed targets' ε/K)
        self._values: tuple[str, ...] = ()
        self._shown_key: tuple | None = None

        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.epoch_label = SteadyLabel()
        set_text_colour(self.epoch_label, HINT_COLOUR)
        self.epoch_label.setAlignment(RIGHT)
        self.rules = hint_label(colour=(68, 68, 68))
        self.rules.setTextFormat(Qt.TextFormat.RichText)
        self.notes = hint_label(colour=(68, 68, 68))
        self.notes.setTextFormat(Qt.TextFormat.RichText)

        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(18)
        self._grid.setVerticalSpacing(2)
        self._grid.setColumnStretch(3, 1)  # values stay beside their terms, however wide the dock
        self._grid.addWidget(self.epoch_label, 0, 2, alignment=RIGHT)  # the values' column: right edges line up
        self._rows: list[_Row] = []

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(self._grid)
        layout.addWidget(self.rules)
        layout.addWidget(self.notes)
        layout.addStretch(1)

        document.spec_changed.connect(self._spec_changed)
        self.rebuild()

    # ---------------------------------------------------------------- public
    def set_zoom(self, factor: float) -> None:
        self.setFont(zoomed_font(self._base_font, factor))

    def show_snapshot(self, snap: Snapshot) -> None:
        """Write ``snap``'s values beside the terms (only labels whose number changed are touched)."""
        self._snapshot = snap
        if (data_loss_name(self.document.exp, snap), class_count(snap)) != (self._loss_name, self._classes):
            self.rebuild()
        else:
            self._show_values()

    def needed_height(self, width: int) -> int:
        """The height that shows every row and note whole at ``width`` (the wrapped header and notes grow taller
        as the view narrows)."""
        layout = self.layout()
        if layout.hasHeightForWidth():
            return layout.totalHeightForWidth(width)
        return layout.totalSizeHint().height()

    def clear_snapshot(self) -> None:
        self._snapshot = None
        self._show_values()

    def text(self) -> str:
        """The plain text shown: the equation, one line per row (name, formula, value), then the notes."""
        lines = [_plain(self.header.text())]
        if self.epoch_label.text():
            lines.append(self.epoch_label.text())
        for row in self._rows:
            if row.name.isVisibleTo(self):
                lines.append("\t".join((_plain(row.name.text()), _plain(row.formula.text()), row.value.text())))
        for label in (self.rules, self.notes):
            if label.text():
                lines.append(_plain(label.text()))
        return "\n".join(lines)

    # ---------------------------------------------------------------- building
    def _spec_changed(self, kind: str) -> None:
        if kind == "structural":
            self._snapshot = None  # the run restarts: old values no longer belong to this network
        self.rebuild()

    def rebuild(self) -> None:
        """Write the terms of the current spec (skipped when nothing shown would change)."""
        exp = self.document.exp
        terms = penalty_terms(exp)
        loss_name = data_loss_name(exp, self._snapshot)
        key = (tuple(terms), loss_name, tuple(training_rules(exp)), exp.training.batch_size,
               label_smoothing_line(exp, loss_name, class_count(self._snapshot)))
        self._classes = class_count(self._snapshot)
        if key != self._shown_key:
            self._shown_key = key
            self._terms, self._loss_name = terms, loss_name
            self._write_terms(exp)
            self._values = ()
        self._show_values()

    def _write_terms(self, exp: Experiment) -> None:
        data_colour, penalty_colour = palette.CURVE["data_loss"], palette.CURVE["penalty"]
        smoothing = label_smoothing_line(exp, self._loss_name, class_count(self._snapshot))
        loss = f"{self._loss_name}, smoothed targets" if smoothing else self._loss_name
        equation = [_coloured(f"data loss ({loss})", data_colour)]
        equation += [_coloured(t.formula, penalty_colour) for t in self._terms]
        tail = "" if self._terms else " <i>(no regularizer: nothing is added)</i>"
        self.header.setText(f"<big><b>J(w)</b> = {' + '.join(equation)}{tail}</big>")

        targets = smoothed_targets(self._loss_name, exp.training.label_smoothing, class_count(self._snapshot))
        against = f" against {targets}" if smoothing else ""
        rows = [("Data loss", _coloured(f"{self._loss_name}{against}, mean over the batch", data_colour))]
        rows += [(t.label, _coloured(t.formula, penalty_colour)) for t in self._terms]
        rows.append(("<b>J (total)</b>", "data loss + penalties, mean over the epoch's batches"))
        while len(self._rows) < len(rows):
            self._rows.append(_Row(self._grid, len(self._rows) + 1))
        bold = QFont()
        bold.setBold(True)  # only the weight: the size still follows the panel's font (zoom)
        for i, (row, (name, formula)) in enumerate(zip(self._rows, rows, strict=False)):
            row.name.setText(name)
            row.formula.setText(formula)
            row.value.setText(NO_VALUE)
            row.value.fit_text()
            row.value.setFont(bold if i == len(rows) - 1 else QFont())
            row.set_visible(True)
        for row in self._rows[len(rows):]:
            row.set_visible(False)

        rules = training_rules(exp)
        self.rules.setText(f"<b>{escape(RULES_HEADING)}</b>" + "".join(_bullet(r) for r in rules) if rules else "")
        self.rules.setVisible(bool(rules))
        notes = [escape(smoothing)] if smoothing else []
        if any(t.has_l2 for t in self._terms):
            notes.append(escape(L2_NOTE))
        if any(t.which == "activity" for t in self._terms):
            notes.append(f"Activity terms: {ACTIVITY_NOTE} (batch = {exp.training.batch_size} examples here).")
        self.notes.setText("<br>".join(notes))
        self.notes.setVisible(bool(notes))
        self.terms_changed.emit()

    def _current_values(self) -> tuple[str, ...]:
        snap, n = self._snapshot, len(self._terms) + 2
        if snap is None:
            return (NO_VALUE,) * n
        matches = len(snap.layers) == len(self.document.exp.network.hidden) + 1
        values = [format_value(snap.data_loss)]
        for t in self._terms:
            values.append(format_value(getattr(snap.layers[t.layer], f"{t.which}_penalty")) if matches else NO_VALUE)
        values.append(format_value(snap.loss))
        return tuple(values)

    def _show_values(self) -> None:
        values = self._current_values()
        epoch = f"epoch {self._snapshot.epoch}" if self._snapshot is not None else "no run yet"
        if self.epoch_label.text() != epoch:
            self.epoch_label.setText(epoch)
        if values == self._values:
            return
        for i, (row, value) in enumerate(zip(self._rows, values, strict=False)):
            if i >= len(self._values) or self._values[i] != value:
                row.value.setText(value)
        self._values = values


def _bullet(rule: str) -> str:
    """One rule as an indented paragraph with a bullet, its mechanism's name in bold."""
    name = next((n for n in RULE_NAMES if rule.startswith(n)), "")
    text = f"<b>{escape(name)}</b>{escape(rule[len(name):])}"
    return f'<p style="margin-top:2px; margin-bottom:0px; margin-left:1em">• {text}</p>'


def _plain(html: str) -> str:
    doc = QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText()
