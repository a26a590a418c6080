"""Right-click ▸ Save picture: every view saves itself as a PNG and an SVG that read back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from gui.plotting.picture_export import add_picture_export


def test_every_view_saves_png_and_svg(qtbot, window, tmp_path):
    window.play_action.trigger()
    qtbot.waitUntil(lambda: window.session.status.epoch >= 3, timeout=60000)
    window.play_action.trigger()
    qtbot.waitUntil(lambda: len(window.loss_view.curve_data("loss")[0]) >= 3, timeout=10000)  # drawn in its turn
    views = [window.network_view, window.loss_view, window.weights_view, window.boundary_view, window.study_view]
    for view in views:
        assert view.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
        texts = [a.text() for a in QWidget.actions(view)]  # the network view has its own actions() for its menu
        assert "Save picture as PNG…" in texts and "Save picture as SVG…" in texts

    messages = []
    view = window.loss_view
    png, svg = add_picture_export(view, "losses", messages.append,
                                  choose_path=lambda w, name, suffix: str(tmp_path / f"{name}-out"))
    png.trigger()
    image = QImage(str(tmp_path / "losses-out.png"))
    assert image.width() == view.grab().width() and image.height() > 100
    assert len({image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}) > 5
    svg.trigger()
    text = (tmp_path / "losses-out.svg").read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and ("<path" in text or "<polyline" in text)
    assert messages == [f"Saved the losses picture to {tmp_path / 'losses-out.png'}",
                        f"Saved the losses picture to {tmp_path / 'losses-out.svg'}"]

    png_bad, _ = add_picture_export(view, "losses", messages.append,
                                    choose_path=lambda *a: str(tmp_path / "missing-folder" / "x.png"))
    png_bad.trigger()
    assert messages[-1].startswith("Could not save") and "folder" in messages[-1]
