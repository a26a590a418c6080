"""The two weights of the loss landscape, picked with combo boxes: for each axis the unit the weight comes from (an
input or a hidden unit: that sets its Dense layer) and the unit it goes to; a button goes back to the default pair
(the two largest weights of the first layer, chosen when the run starts)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QPushButton, QSizePolicy, QWidget

from engine.spec import WeightRef
from gui.live.edge_picking import TIP
from gui.live.landscape_names import unit_name
from gui.widgets import hint_label

DEFAULT_TIP = "The default pair: the two largest weights of the first layer when the run starts"
CLICK_HINT = "Or click two edges in the network view: the first is a, the second b."
AXIS_TIPS = ("The weight on the horizontal axis (a): from a unit, to a unit of the next layer",
             "The weight on the vertical axis (b): from a unit, to a unit of the next layer")


class LandscapePicker(QWidget):
    """Three combo boxes per axis; ``pair_chosen`` carries two different WeightRefs, or None for the default."""

    pair_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shapes: list[tuple[int, int]] = []
        self._names: tuple[int, list[str] | None] = (0, None)  # hidden layers, feature names
        self._sources: list[tuple[int, int]] = []  # (layer, row) of each item of a "from" box
        self._pair: tuple[WeightRef, WeightRef] | None = None  # what the boxes show
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(2)
        self.boxes: list[tuple[QComboBox, QComboBox]] = []  # per axis: (from, to)
        for axis, (name, tip) in enumerate(zip(("a:", "b:"), AXIS_TIPS, strict=True)):
            label = QLabel(name)
            label.setToolTip(tip)
            grid.addWidget(label, axis, 0)
            boxes = (QComboBox(), QComboBox())
            for column, box in enumerate(boxes):
                box.setToolTip(tip)
                box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
                box.activated.connect(lambda _index, axis=axis: self._picked(axis))
                grid.addWidget(box, axis, 1 + 2 * column)
            grid.addWidget(QLabel("→"), axis, 2)
            self.boxes.append(boxes)
        self.default_button = QPushButton("Default")
        self.default_button.setToolTip(DEFAULT_TIP)
        self.default_button.clicked.connect(lambda: self.pair_chosen.emit(None))
        grid.addWidget(self.default_button, 0, 4, 2, 1)
        self.click_hint = hint_label(CLICK_HINT)  # picking by clicking edges: gui/live/edge_picking.py
        self.click_hint.setToolTip(TIP)
        grid.addWidget(self.click_hint, 2, 0, 1, 5)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.setEnabled(False)

    @property
    def pair(self) -> tuple[WeightRef, WeightRef] | None:
        return self._pair

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """The kernels' (rows, columns) the boxes offer, hidden layers then the output layer."""
        return self._shapes

    def set_shape(self, shapes: list[tuple[int, int]], feature_names: list[str] | None) -> None:
        """The network's kernels (rows, columns), hidden layers then the output layer; its inputs' names."""
        self._shapes, self._names = list(shapes), (len(shapes) - 1, feature_names)
        self._sources = [(layer, row) for layer, (rows, _) in enumerate(shapes) for row in range(rows)]
        hidden = len(shapes) - 1
        texts = [unit_name(layer, row, hidden, feature_names) for layer, row in self._sources]
        for from_box, to_box in self.boxes:
            from_box.clear()
            from_box.addItems(texts)
            to_box.clear()
        self._pair = None
        self.setEnabled(bool(shapes))

    def show_pair(self, pair: tuple[WeightRef, WeightRef] | None) -> None:
        """Show ``pair`` in the boxes (nothing is emitted); a pair outside the network shows nothing."""
        if pair is None or not all(self._exists(w) for w in pair):
            return
        self._pair = tuple(pair)
        for boxes, weight in zip(self.boxes, pair, strict=True):
            self._fill(boxes, weight)

    def _exists(self, weight: WeightRef) -> bool:
        if weight.layer >= len(self._shapes):
            return False
        rows, columns = self._shapes[weight.layer]
        return weight.row < rows and weight.column < columns

    def _fill(self, boxes: tuple[QComboBox, QComboBox], weight: WeightRef) -> None:
        from_box, to_box = boxes
        from_box.setCurrentIndex(self._sources.index((weight.layer, weight.row)))
        hidden = self._names[0]
        columns = self._shapes[weight.layer][1]
        texts = [unit_name(weight.layer + 1, k, hidden) for k in range(columns)]
        if [to_box.itemText(k) for k in range(to_box.count())] != texts:
            to_box.clear()
            to_box.addItems(texts)
        to_box.setCurrentIndex(weight.column)

    def _picked(self, axis: int) -> None:
        """A box was chosen: the weight it makes (another layer keeps the column where it exists)."""
        if self._pair is None:
            return
        from_box, to_box = self.boxes[axis]
        layer, row = self._sources[from_box.currentIndex()]
        column = min(max(to_box.currentIndex(), 0), self._shapes[layer][1] - 1)
        weight = WeightRef(layer, row, column)
        pair = (weight, self._pair[1]) if axis == 0 else (self._pair[0], weight)
        if pair[0] == pair[1] or pair == self._pair:  # one weight twice is no plane: the boxes go back
            self.show_pair(self._pair)
            return
        self.show_pair(pair)
        self.pair_chosen.emit(pair)
