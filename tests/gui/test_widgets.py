"""SteadyLabel: a changing number repaints the label alone, without laying out its window again."""

from __future__ import annotations

import pytest
from layout_requests import LayoutRequests
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QWidget

from gui.widgets import SteadyLabel, zoomed_font


def shown_in_a_row(qtbot, label: QLabel) -> tuple[QWidget, LayoutRequests]:
    parent = QWidget()
    qtbot.addWidget(parent)
    row = QHBoxLayout(parent)
    row.addWidget(label)
    row.addStretch(1)
    parent.show()
    QApplication.processEvents()
    return parent, LayoutRequests(parent)


def count_epochs(label: QLabel) -> None:
    for epoch in range(10, 100):  # two digits each: the same width in any font with tabular digits
        label.setText(f"training · epoch {epoch}")
        QApplication.processEvents()


@pytest.mark.parametrize("steady", [False, True])
def test_a_new_number_lays_out_the_window_only_for_a_plain_label(qtbot, steady):
    label = SteadyLabel("training · epoch 10") if steady else QLabel("training · epoch 10")
    _, requests = shown_in_a_row(qtbot, label)
    count_epochs(label)
    assert (requests.count == 0) if steady else (requests.count >= 80)


def test_the_label_grows_with_its_text_and_shrinks_when_fitted(qtbot):
    label = SteadyLabel("paused · epoch 9")
    _, requests = shown_in_a_row(qtbot, label)
    short = label.width()
    label.setText("training · epoch 10 · 250 epochs/s")
    QApplication.processEvents()
    wide = label.width()
    assert wide > short and wide >= label.sizeHint().width() and requests.count >= 1
    label.setText("paused · epoch 10")
    QApplication.processEvents()
    assert label.width() == wide  # a shorter text keeps the room: nothing moves
    label.fit_text()
    QApplication.processEvents()
    assert label.width() == label.sizeHint().width() < wide


def test_a_bigger_font_refits_the_label(qtbot):
    label = SteadyLabel("epoch 123")
    parent, _ = shown_in_a_row(qtbot, label)
    before = label.size()
    label.setFont(zoomed_font(label.font(), 2.0))
    QApplication.processEvents()
    assert label.width() > before.width() and label.height() > before.height()
    assert label.size() == label.sizeHint() and label.parent() is parent
