"""Qt's own command-line options, which QApplication takes out of argv (they are neither experiment files nor
RegLab's options). Plain Python, no Qt: main.py checks the window's arguments with them before it loads Qt."""

from __future__ import annotations

# Options that take a value, as the next argument or after "=" (`-platform offscreen`, `-style=fusion`).
QT_OPTIONS_WITH_VALUE = frozenset({"-platform", "-platformpluginpath", "-platformtheme", "-plugin", "-style",
                                   "-stylesheet", "-qwindowgeometry", "-qwindowtitle", "-qwindowicon", "-display",
                                   "-geometry", "-title", "-session", "-qmljsdebugger"})
# Options that stand alone.
QT_FLAGS = frozenset({"-reverse", "-widgetcount", "-nograb", "-dograb", "-sync", "-testability"})


def qt_option(arg: str) -> str | None:
    """The Qt option ``arg`` names ("-style" for "-style" or "-style=fusion"), or None if it is not one.

    Only the one-dash spellings Qt documents: gui/app.py looks for exactly those (`-platform` to tell whether a
    window can open, the options with a value to find the experiment file)."""
    name = arg.split("=", 1)[0]
    return name if name in QT_OPTIONS_WITH_VALUE or name in QT_FLAGS else None
