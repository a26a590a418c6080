"""The experiment being edited: one spec, changed only through undoable commands.

Every widget that edits the network, the data or the training settings calls
:meth:`ExperimentDocument.edit` with a function that changes a copy of the spec. The document
validates the result (the engine's own validation), pushes a :class:`SpecEdit` onto the
``QUndoStack`` and emits ``spec_changed`` with what kind of change it was:

* ``"live"`` — only dropout rates, λ (the output layer's too), the learning rate, weight decay, label smoothing, or
  a max-norm c or noise σ that stays on: training continues with the same weights;
* ``"structural"`` — anything else (units, layers, activation, data, batch size, switching max-norm or noise on or
  off, batch norm, the dropout style…): the run resets.

Views read ``document.exp`` (never mutate it) and redraw on ``spec_changed``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from engine.spec import Experiment, SpecError, live_fields_differ_only
from gui.edits import drop_label_smoothing_for_regression

INPUT_LAYER = -1  # the selected "layer" is the input (for input dropout and input noise)
OUTPUT_LAYER = -2  # the selected "layer" is the output layer (for its kernel and bias regularizers)


def change_kind(old: Experiment, new: Experiment) -> str:
    return "live" if live_fields_differ_only(old, new) else "structural"


class SpecEdit(QUndoCommand):
    """Replace the whole spec (small: a few hundred bytes); edits with the same merge key merge,
    so dragging a slider is one undo step."""

    _ids: dict[str, int] = {}

    def __init__(self, document: ExperimentDocument, before: Experiment, after: Experiment, text: str,
                 merge_key: str | None = None):
        super().__init__(text)
        self.document = document
        self.before, self.after = before, after
        self.merge_key = merge_key

    def id(self) -> int:
        if self.merge_key is None:
            return -1
        return SpecEdit._ids.setdefault(self.merge_key, len(SpecEdit._ids) + 1)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SpecEdit) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.document._set(self.after, self.before)

    def undo(self) -> None:
        self.document._set(self.before, self.after)


class ExperimentDocument(QObject):
    spec_changed = Signal(str)  # "live" | "structural"
    selection_changed = Signal(int)  # index of the selected hidden layer, or INPUT_LAYER, or OUTPUT_LAYER
    error = Signal(str)  # an edit that was refused, with the reason (for the status bar)

    def __init__(self, exp: Experiment, parent: QObject | None = None):
        super().__init__(parent)
        self._exp = exp.copy()
        self.undo_stack = QUndoStack(self)
        self._selected = 0 if exp.network.hidden else INPUT_LAYER

    # ---------------------------------------------------------------- reading
    @property
    def exp(self) -> Experiment:
        """The current spec. Treat it as read-only: change it with :meth:`edit`."""
        return self._exp

    @property
    def selected_layer(self) -> int:
        return self._selected

    def select_layer(self, index: int) -> None:
        if index != OUTPUT_LAYER:
            index = max(INPUT_LAYER, min(index, len(self._exp.network.hidden) - 1))
        if index != self._selected:
            self._selected = index
            self.selection_changed.emit(index)

    # ---------------------------------------------------------------- editing
    def edit(self, text: str, change: Callable[[Experiment], None], merge_key: str | None = None) -> bool:
        """Apply ``change`` to a copy of the spec; if the result is valid and different, make it an undo step.

        Returns False (and emits ``error``) when the edit would make the spec invalid.
        """
        new = self._exp.copy()
        change(new)
        drop_label_smoothing_for_regression(new)
        try:
            new = Experiment.from_dict(new.to_dict(), base_dir=self._exp.base_dir)
        except SpecError as exc:
            self.error.emit(f"Not changed: {exc}")
            return False
        if new == self._exp:
            return True
        self.undo_stack.push(SpecEdit(self, self._exp.copy(), new, text, merge_key))
        return True

    def replace(self, exp: Experiment) -> None:
        """Start over with another experiment (a preset or an opened file): forgets the undo history."""
        self.undo_stack.clear()
        self._exp = exp.copy()
        self._clamp_selection()
        self.spec_changed.emit("structural")

    def _set(self, exp: Experiment, previous: Experiment) -> None:
        self._exp = exp.copy()
        self._clamp_selection()
        self.spec_changed.emit(change_kind(previous, exp))

    def _clamp_selection(self) -> None:
        last = len(self._exp.network.hidden) - 1
        if self._selected > last:
            self._selected = last if last >= 0 else INPUT_LAYER
            self.selection_changed.emit(self._selected)
