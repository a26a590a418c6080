"""Right-click any view ▸ "Save picture as PNG…" or "… as SVG…", for slides.

PNG is the view as it looks on screen (device pixels, so sharp on a high-DPI screen); SVG is the same drawing as
vectors (Qt's SVG generator paints the widget), which stays sharp at any size on a slide.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAction, QPainter, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QWidget


def save_png(widget: QWidget, path: str | Path) -> bool:
    return widget.grab().save(str(path), "PNG")


def save_svg(widget: QWidget, path: str | Path, title: str = "RegLab") -> bool:
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(widget.width(), widget.height()))
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle(title)
    painter = QPainter()
    if not painter.begin(generator):
        return False
    try:
        flags = QWidget.RenderFlag.DrawChildren | QWidget.RenderFlag.DrawWindowBackground
        widget.render(painter, QPoint(0, 0), QRegion(widget.rect()), flags)
    finally:
        painter.end()
    return Path(path).exists() and Path(path).stat().st_size > 0


def add_picture_export(widget: QWidget, name: str, report: Callable[[str], None],
                       choose_path: Callable[[QWidget, str, str], str] | None = None) -> list[QAction]:
    """Give ``widget`` a right-click menu that saves it as PNG or SVG; ``report`` gets a one-line result."""

    def ask(suffix: str) -> str:
        if choose_path is not None:
            return choose_path(widget, name, suffix)
        path, _ = QFileDialog.getSaveFileName(widget, f"Save the {name} picture", f"{name}.{suffix}",
                                              f"{suffix.upper()} picture (*.{suffix})")
        return path

    def export(suffix: str, save) -> None:
        path = ask(suffix)
        if not path:
            return
        if not path.lower().endswith(f".{suffix}"):
            path += f".{suffix}"
        try:
            ok = save(widget, path)
        except OSError as exc:
            ok, why = False, str(exc)
        else:
            why = "the file could not be written (folder missing or read-only?)"
        report(f"Saved the {name} picture to {path}" if ok else f"Could not save {path}: {why}")

    png = QAction("Save picture as PNG…", widget)
    png.triggered.connect(lambda: export("png", save_png))
    svg = QAction("Save picture as SVG…", widget)
    svg.triggered.connect(lambda: export("svg", save_svg))
    widget.addAction(png)
    widget.addAction(svg)
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return [png, svg]
