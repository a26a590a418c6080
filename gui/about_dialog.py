"""Help ▸ About: RegLab's version, the Keras and TensorFlow versions it trains with, the licences, and where the
lessons are.

Versions and licences come from the installed packages' metadata (importlib.metadata; the desktop app bundles that
metadata), so the window's process never imports TensorFlow or Keras to name them.
"""

from __future__ import annotations

import html
from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMenuBar, QVBoxLayout, QWidget

from gui.panels.lesson_panel import LESSONS, lesson_files

# What the dialog names → the distributions that provide it, the first one installed being used.
LIBRARIES = {
    "Keras": ("keras",),
    "TensorFlow": ("tensorflow-cpu", "tensorflow"),
    "PySide6 (Qt)": ("PySide6-Essentials", "PySide6"),
}


def first_installed(names: tuple[str, ...]) -> metadata.Distribution | None:
    for name in names:
        try:
            return metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def licence(dist: metadata.Distribution) -> str | None:
    """The licence a package's metadata states (the newer License-Expression field first), or None."""
    return dist.metadata.get("License-Expression") or dist.metadata.get("License") or None


def about_facts() -> dict[str, str]:
    """The dialog's lines, as plain text: name → value."""
    reglab = first_installed(("reglab",))
    facts = {"RegLab": reglab.version if reglab else "version unknown (not installed with pip)"}
    for name, names in LIBRARIES.items():
        dist = first_installed(names)
        facts[name] = dist.version if dist else "not installed"
    facts["RegLab's licence"] = (licence(reglab) if reglab else None) or "none stated in RegLab's package metadata"
    for name, names in LIBRARIES.items():
        dist = first_installed(names)
        facts[f"{name}'s licence"] = (licence(dist) if dist else None) or "not stated"
    facts["Lessons"] = f"{len(lesson_files())} lessons in the Lessons menu, from {LESSONS}"
    return facts


def about_html(facts: dict[str, str]) -> str:
    rows = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in facts.items())
    return f"<h3>RegLab</h3><p>A desktop lab for regularization and dropout.</p><table cellspacing='4'>{rows}</table>"


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About RegLab")
        self.facts = about_facts()
        self.label = QLabel(about_html(self.facts))
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # a path can be copied
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)


def add_help_menu(menu_bar: QMenuBar, window: QWidget) -> None:
    """The Help menu with its About item (the dialog is made when asked for, and opened without blocking)."""
    help_menu = menu_bar.addMenu("&Help")
    action = help_menu.addAction("&About RegLab")
    action.setMenuRole(action.MenuRole.AboutRole)  # macOS moves it to the application menu

    def show() -> None:
        dialog = AboutDialog(window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    action.triggered.connect(show)
