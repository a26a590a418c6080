"""The whole window driven like a user: edit the network, train, pause, step, change λ live, undo, close."""

from __future__ import annotations

import time

import numpy as np
import pytest
from fakes import DEFAULT
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage

from engine.spec import Experiment
from gui.main_window import MainWindow
from gui.run_state import State


def wait_epochs(qtbot, window, n: int, timeout: int = 60000) -> None:
    qtbot.waitUntil(lambda: window.session.status.epoch >= n and len(window.session.rows) >= n, timeout=timeout)


def settle(qtbot, window) -> None:
    """Wait until every view has drawn everything published (views take turns on the render timer)."""
    def drawn():
        latest = window.session.worker.take_updates(len(window.session.rows), window.session.run_id).snapshot
        curve = window.loss_view.curve_data("loss")[0]
        shown = window.render_loop.shown_snapshot
        return latest is not None and shown is latest and len(curve) == len(window.session.rows)

    qtbot.waitUntil(drawn, timeout=10000)


def pause(qtbot, window) -> None:
    window.toggle_play()
    qtbot.waitUntil(lambda: window.session.state is State.PAUSED, timeout=10000)
    settle(qtbot, window)


def non_blank(image: QImage) -> bool:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    colours = np.unique(pixels[:, : image.width() * 4].reshape(-1, 4)[:, :3], axis=0)
    return len(colours) > 20


def test_a_user_builds_trains_pauses_and_steps(qtbot, window, tmp_path):
    icon = window.windowIcon().pixmap(64, 64).toImage()  # RegLab's own icon, not Qt's blank default
    assert not icon.isNull() and icon.pixelColor(32, 32).alpha() == 255
    doc = window.document
    # add a layer after the first, make it 5 units, switch its dropout on, give it an L1 kernel penalty
    doc.select_layer(0)
    window.network_view.actions()[0].trigger()  # Add layer
    assert len(doc.exp.network.hidden) == 3
    doc.select_layer(1)
    window.inspector.units.setValue(5)
    if not window.inspector.dropout_on.isChecked():
        window.inspector.dropout_on.click()
    kernel = window.inspector.groups["kernel"]
    kernel.kind.setCurrentText("L1")
    kernel.lam1.field.clear()
    qtbot.keyClicks(kernel.lam1.field, "0.003")
    qtbot.keyClick(kernel.lam1.field, Qt.Key.Key_Return)
    layer = doc.exp.network.hidden[1]
    assert layer.units == 5 and layer.dropout > 0 and layer.kernel_regularizer.l1 == pytest.approx(0.003)
    worker = window.session.worker
    qtbot.waitUntil(lambda: window.session.state is State.READY and worker.take_updates(0, -1).run_id > 1,
                    timeout=60000)

    window.play_action.trigger()
    wait_epochs(qtbot, window, 3)
    qtbot.waitUntil(lambda: window.weights_view.layer_count() == 4 and window.weights_view.histogram_heights(0).sum()
                    and window.boundary_view.image_array() is not None, timeout=10000)
    weights = window.weights_view
    first_hists = [weights.histogram_heights(i).copy() for i in range(weights.layer_count())]
    first_image = np.array(window.boundary_view.image_array(), copy=True)
    # 20 more than drawn then, however busy the GUI
    wait_epochs(qtbot, window, max(25, window.session.status.epoch + 20))
    pause(qtbot, window)

    epochs = window.session.status.epoch
    x, y = window.loss_view.curve_data("val_loss")
    assert len(x) == len(window.session.rows) == epochs
    assert [r["epoch"] for r in window.session.rows] == list(range(1, epochs + 1))
    # (A small layer's few weights can stay in their bins for 20 epochs; the network as a whole does not.)
    assert any(not np.array_equal(weights.histogram_heights(i), first) for i, first in enumerate(first_hists))
    assert len(weights.history_image(0)) > 1  # the heat map recorded the epochs drawn since
    assert not np.array_equal(window.boundary_view.image_array(), first_image)
    snap = window.render_loop.shown_snapshot
    assert snap.epoch == epochs
    # The view crosses out the dropped units among those it draws (a short view draws fewer than a layer has).
    drawn = [len(column) for column in window.network_view.neuron_positions()]
    masks = [snap.input_dropped, *(layer.dropped for layer in snap.layers[:-1])]
    dropped = sum(int(np.asarray(m, bool)[:n].sum()) for m, n in zip(masks, drawn, strict=False) if m is not None)
    assert window.network_view.dropped_drawn_count() == dropped
    assert snap.layers[1].kernel.shape == (8, 5)

    time.sleep(0.3)
    qtbot.wait(100)
    assert window.session.status.epoch == epochs  # the counter stops while paused
    window.step_action.trigger()
    qtbot.waitUntil(lambda: window.session.status.epoch == epochs + 1, timeout=10000)
    qtbot.wait(300)
    settle(qtbot, window)
    assert window.session.status.epoch == epochs + 1 and len(window.session.rows) == epochs + 1  # exactly one epoch

    for name, widget in (("window", window), ("network", window.network_view), ("loss", window.loss_view),
                         ("weights", window.weights_view), ("boundary", window.boundary_view),
                         ("formula", window.formula_view), ("inspector", window.inspector)):
        image = widget.grab().toImage()
        image.save(str(tmp_path / f"{name}.png"))
        assert non_blank(image), name


def test_live_lambda_change_shows_in_the_penalty_curve_and_structural_change_resets(qtbot, window):
    doc = window.document
    window.play_action.trigger()
    wait_epochs(qtbot, window, 5)
    pause(qtbot, window)
    run = window.session.run_id
    before = window.session.rows[-1]["hidden_1_penalty"]
    doc.select_layer(0)
    kernel = window.inspector.groups["kernel"]
    kernel.lam2.set_value(0.5)
    kernel.lam2.value_changed.emit(0.5)  # as a slider drag would
    assert doc.exp.network.hidden[0].kernel_regularizer.l2 == pytest.approx(0.5)
    window.step_action.trigger()
    rows = window.session.rows
    qtbot.waitUntil(lambda: len(rows) and rows[-1]["hidden_1_penalty"] > 20 * before, timeout=10000)
    settle(qtbot, window)
    assert window.session.run_id == run  # same run: weights kept
    _, penalty = window.loss_view.curve_data("penalty")
    assert penalty[-1] > 10 * penalty[-2]

    window.inspector.units.setValue(3)  # structural
    qtbot.waitUntil(lambda: window.session.run_id != run and window.session.state is State.READY, timeout=60000)
    assert window.session.rows == [] and "from scratch" in window.statusBar().currentMessage()
    assert len(window.loss_view.curve_data("loss")[0]) == 0


def test_undo_and_redo_restore_the_network_exactly(qtbot, window):
    doc = window.document
    original = doc.exp.to_dict()
    doc.select_layer(0)
    window.network_view.actions()[0].trigger()
    window.inspector.units.setValue(11)
    window.inspector.dropout_on.click()
    edited = doc.exp.to_dict()
    assert edited != original
    while doc.undo_stack.canUndo():
        window.undo_action.trigger()
    assert doc.exp.to_dict() == original
    while doc.undo_stack.canRedo():
        window.redo_action.trigger()
    assert doc.exp.to_dict() == edited
    assert window.windowTitle().startswith("RegLab") and window.windowTitle().endswith("*")


def test_closing_during_training_stops_the_worker_quickly(qtbot, window):
    window.play_action.trigger()
    wait_epochs(qtbot, window, 3)
    start = time.perf_counter()
    window.close()
    assert time.perf_counter() - start < 1.0
    assert not window.session.worker.is_running


def test_zoom_and_layout_are_remembered(qtbot, tmp_path):
    path = str(tmp_path / "s.ini")
    w = MainWindow(Experiment.from_dict(DEFAULT), settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.status_label.setText("ready · epoch 0")
    base = w.controls.lr_box.font().pointSizeF(), w.status_label.font().pointSizeF(), w.status_label.width()
    w.set_zoom(2.0)
    # the toolbar's controls and the status bar grow with the views (the menus too)
    assert w.controls.lr_box.font().pointSizeF() == pytest.approx(2 * base[0], rel=0.15)
    assert w.status_label.font().pointSizeF() == pytest.approx(2 * base[1], rel=0.15)
    assert w.status_label.width() > 1.5 * base[2]
    w.close()
    again = MainWindow(Experiment.from_dict(DEFAULT), settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert again.zoom == pytest.approx(2.0)
    again.close()
    assert w.session.worker.stop(timeout_ms=30000) and again.session.worker.stop(timeout_ms=30000)


def test_view_switches_are_in_the_menu_with_keys(qtbot, window):
    assert window.log_y_action.shortcut().toString() == "Ctrl+Shift+Y"
    window.log_y_action.trigger()
    assert window.loss_view.log_y_box.isChecked()
    window.loss_view.log_y_box.setChecked(False)
    assert not window.log_y_action.isChecked()
    window.fit_action.trigger()
    assert window.weights_view.fit_box.isChecked() and window.fit_action.isChecked()


def test_big_type_in_a_small_window_scrolls_the_objective_instead_of_squeezing_it(qtbot, window):
    window.resize(1100, 700)
    window.set_zoom(2.0)
    qtbot.wait(100)
    view = window.formula_view
    assert window.formula_dock.widget().widget() is view  # the dock holds a scroll area holding the panel
    assert view.height() >= view.minimumSizeHint().height()  # its rows at their full height, not run together
    assert window.formula_dock.height() < view.height()  # (the dock is shorter: it scrolls)
    rows = [row.name for row in view._rows if row.name.isVisible()]
    assert all(label.height() >= label.sizeHint().height() for label in rows)


# The objective shows whole on a 1440 × 900 screen: tests/gui/test_window_fits_the_screen.py (a screen of that size).
