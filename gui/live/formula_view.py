"""The objective written out: J(w) = data loss + one term per active regularizer, with live values.

The terms follow Keras' own definitions (what the engine computes): L1 is λ·Σ|w|, L2 is λ·Σw² with
no ½, an activity penalty is divided by the batch size. Dropout adds no term; a note says where it acts
and how the experiment's dropout style (inverted, as Keras, or classic, as textbooks) scales the outputs.
Weight decay adds no term either (a note gives its update rule); label smoothing changes the data loss's targets.
``show_snapshot`` writes the latest epoch's values beside the terms and touches only the numbers that changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from engine.spec import TOY_REGRESSION, Experiment
from engine.training.snapshot import Snapshot
from gui.document import ExperimentDocument
from gui.plotting import palette
from gui.widgets import HINT_COLOUR, SteadyLabel, hint_label, set_text_colour, zoomed_font

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
NO_VALUE = "—"
L2_NOTE = "Keras' L2 is λΣw² — no ½ (some textbooks write ½λ‖w‖²)."
# Keras releases differ here (keras-team/keras#22021), so the note names the one pyproject.toml pins and the
# engine's tests compare against.
ACTIVITY_NOTE = "Keras 3.15, the version RegLab trains with, divides them by the batch size"
TARGETS = (("kernel", "W", "weights"), ("bias", "b", "biases"), ("activity", "a", "outputs"))

MSE = "mean squared error"
BINARY_CE = "binary cross-entropy"
CATEGORICAL_CE = "categorical cross-entropy"


def _rgb(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def _coloured(text: str, colour: tuple[int, int, int], bold: bool = False) -> str:
    weight = "font-weight:600;" if bold else ""
    return f'<span style="color:{_rgb(colour)};{weight}">{escape(text)}</span>'


def _lam(value: float) -> str:
    return f"{value:g}"


def format_value(value: float) -> str:
    """Four significant digits, zeros kept so a column lines up: 0.01000, 1.235e-05, 0.6931."""
    return f"{value:#.4g}"


def class_count(snap: Snapshot | None) -> int | None:
    """K, the number of classes the output layer has (None before a run)."""
    if snap is None or not snap.layers:
        return None
    return snap.layers[-1].kernel.shape[-1]


def smoothed_targets(loss_name: str, smoothing: float, classes: int | None) -> str:
    """Keras' smoothed target for the loss, with the experiment's ε: binary cross-entropy y·(1−ε) + 0.5·ε,
    categorical cross-entropy y·(1−ε) + ε/K (K: the one-hot target's length, the output's units)."""
    e = _lam(smoothing)
    if loss_name == BINARY_CE:
        return f"y·(1−{e}) + {e}/2"
    k = "K" if classes is None else str(classes)
    if loss_name == CATEGORICAL_CE:
        return f"y·(1−{e}) + {e}/{k}"
    return f"y·(1−{e}) + {e}/2 (binary) or y·(1−{e}) + {e}/K (K classes)"


def label_smoothing_line(exp: Experiment, loss_name: str, classes: int | None) -> str:
    """What label smoothing changes, and what it leaves alone; "" without it (or for regression)."""
    smoothing = exp.training.label_smoothing
    if not smoothing or loss_name == MSE:
        return ""
    return (f"Label smoothing {_lam(smoothing)}: the data loss (and so J) is measured against smoothed targets "
            f"{smoothed_targets(loss_name, smoothing, classes)}, Keras' label_smoothing. The validation loss and "
            "the train loss (dropout off) curves stay the plain cross-entropy against the true labels.")


def weight_decay_line(exp: Experiment) -> str:
    """Weight decay: not a term of J, but a shrink of every kernel at each step; "" without it."""
    t = exp.training
    if not t.weight_decay:
        return ""
    lr, wd = _lam(t.learning_rate), _lam(t.weight_decay)
    factor = 1 - t.learning_rate * t.weight_decay
    line = (f"Weight decay {wd} adds no term to J: it is decoupled from the gradient. At each step, before the "
            f"optimizer's gradient update, every kernel shrinks, W ← W − lr·wd·W = W·(1 − {lr}·{wd}) = "
            f"W·{factor:.6g}; biases are not decayed.")
    if t.optimizer == "adam":
        line += " With Adam this is AdamW."
    elif t.optimizer == "sgd":
        line += (f" With SGD it takes the same steps as an L2 penalty of λ = wd/2 = {_lam(t.weight_decay / 2)} on "
                 "every kernel (Keras' L2 has no ½), without adding it to J.")
    return line


def data_loss_name(exp: Experiment, snap: Snapshot | None = None) -> str:
    """The Keras loss the engine will use: from the snapshot when there is one, else from the data spec."""
    if snap is not None and snap.layers:
        if snap.metric_name != "accuracy":
            return MSE
        return BINARY_CE if snap.layers[-1].kernel.shape[-1] == 1 else CATEGORICAL_CE
    data = exp.data
    if data.kind == "toy":
        return MSE if data.name in TOY_REGRESSION else BINARY_CE
    if data.kind == "sklearn":
        return {"diabetes": MSE, "breast_cancer": BINARY_CE}.get(data.name, CATEGORICAL_CE)
    if data.task == "regression":
        return MSE
    if data.task == "classification":
        return "cross-entropy"
    return "cross-entropy or mean squared error, by the target column"


@dataclass(frozen=True)
class Term:
    """One penalty in J: the ``which`` regularizer of hidden layer ``layer`` (0-based)."""

    layer: int
    which: str
    label: str
    formula: str  # plain text, e.g. "0.001·Σ|W₂|"
    has_l2: bool


def penalty_terms(exp: Experiment) -> list[Term]:
    terms = []
    for i, layer in enumerate(exp.network.hidden):
        sub = str(i + 1).translate(SUBSCRIPTS)
        for which, x, _ in TARGETS:
            reg = getattr(layer, f"{which}_regularizer")
            if reg is None or reg.kind == "none":
                continue
            parts = []
            if reg.l1:
                parts.append(f"{_lam(reg.l1)}·Σ|{x}{sub}|")
            if reg.l2:
                parts.append(f"{_lam(reg.l2)}·Σ{x}{sub}²")
            formula = " + ".join(parts)
            if which == "activity":
                formula = f"({formula}) / batch" if len(parts) > 1 else f"{formula} / batch"
            terms.append(Term(i, which, f"Layer {i + 1} {which} ({reg.kind})", formula, bool(reg.l2)))
    return terms


SAME_EXPECTATION = ("Either way the expected activation is the same in training and at test time "
                    "(inverted: x both times; classic: (1−p)·x both times); the next layer's weights absorb "
                    "the constant (1−p) between the two styles.")


def dropout_line(exp: Experiment) -> str:
    """Where the network drops units, and how its dropout style scales them; "" when there is no dropout."""
    rates = [("the input", exp.network.input_dropout)] if exp.network.input_dropout else []
    rates += [(f"layer {i + 1}", h.dropout) for i, h in enumerate(exp.network.hidden) if h.dropout]
    if not rates:
        return ""
    where = ", ".join(f"{_lam(p)} on {name}" for name, p in rates)
    if len(rates) == 1:
        rate = rates[0][1]
        p = _lam(rate)
        scale, keep = f"1/(1−{p}) = ×{1 / (1 - rate):.3g}", f"(1−{p}) = ×{1 - rate:.3g}"
    else:
        p, scale, keep = "p", "1/(1−p)", "(1−p)"
    head = f"Dropout {where} (adds no term to J)."
    if exp.network.dropout_style == "classic":
        how = (f"Classic dropout (textbook): while training, each unit is kept with probability 1−{p} and kept "
               f"units are not scaled; at test time every output is multiplied by {keep}.")
    else:
        how = (f"Inverted dropout (as Keras): while training, each unit is kept with probability 1−{p} and "
               f"survivors are scaled by {scale}; at test time nothing changes.")
    return f"{head} {how}"


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
        if self.notes.text():
            lines.append(_plain(self.notes.text()))
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
        key = (tuple(terms), loss_name, dropout_line(exp), exp.training.batch_size, weight_decay_line(exp),
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

        notes = [escape(line) for line in (weight_decay_line(exp), smoothing) if line]
        if any(t.has_l2 for t in self._terms):
            notes.append(escape(L2_NOTE))
        if any(t.which == "activity" for t in self._terms):
            notes.append(f"Activity terms: {ACTIVITY_NOTE} (batch = {exp.training.batch_size} examples here).")
        line = dropout_line(exp)
        if line:
            notes += [escape(line), escape(SAME_EXPECTATION)]
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


def _plain(html: str) -> str:
    doc = QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText()
