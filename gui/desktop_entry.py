"""`RegLab --install-desktop-entry` / `--uninstall-desktop-entry`: RegLab in the desktop's application menu, for
the current user, as the freedesktop.org specifications describe (no Qt, no root).

Installing writes ``$XDG_DATA_HOME/applications/reglab.desktop`` (XDG_DATA_HOME defaults to ~/.local/share), which
starts this RegLab on an experiment file and declares that it opens JSON files, and the icon as
``$XDG_DATA_HOME/icons/hicolor/<size>x<size>/apps/reglab.png``. Uninstalling removes those two files.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

ICON = Path(__file__).resolve().parents[1] / "resources" / "icons" / "reglab.png"
ENTRY_NAME = "reglab.desktop"
ICON_NAME = "reglab"  # the entry's Icon= key: looked up in the icon theme by name
MIME_TYPES = "application/json;"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def data_home(environ=os.environ) -> Path:
    """$XDG_DATA_HOME when it is set to an absolute path (the specification ignores a relative one), else
    ~/.local/share."""
    value = environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def entry_path(home: Path) -> Path:
    return home / "applications" / ENTRY_NAME


def icon_path(home: Path, icon: Path = ICON) -> Path:
    width, height = png_size(icon)
    return home / "icons" / "hicolor" / f"{width}x{height}" / "apps" / f"{ICON_NAME}.png"


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG file's header."""
    head = path.read_bytes()[:24]
    if head[:8] != PNG_SIGNATURE:
        raise ValueError(f"{path} is not a PNG file")
    return struct.unpack(">II", head[16:24])


def launch_command() -> list[str]:
    """What starts this RegLab: the packaged app's binary, or this Python running main.py."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    return [str(Path(sys.executable).absolute()), str(Path(__file__).resolve().parents[1] / "main.py")]


def exec_argument(arg: str) -> str:
    """One argument of an Exec key: quoted, with the characters the specification reserves escaped inside the
    quotes, then the backslashes escaped again as in any string value, and % doubled."""
    quoted = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return '"' + quoted.replace("\\", "\\\\").replace("%", "%%") + '"'


def entry_text(command: list[str]) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=RegLab",
        "GenericName=Regularization lab",
        "Comment=Train small Keras networks and watch regularization and dropout at work",
        f"Exec={' '.join(exec_argument(arg) for arg in command)} %f",
        f"Icon={ICON_NAME}",
        "Terminal=false",
        "Categories=Education;Science;",
        f"MimeType={MIME_TYPES}",
        "",
    ])


def install(home: Path, command: list[str], icon: Path = ICON) -> list[Path]:
    """Write the entry and the icon under ``home``; the paths written."""
    entry, icon_file = entry_path(home), icon_path(home, icon)
    for path in (entry, icon_file):
        path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(icon, icon_file)
    partial = entry.with_name(entry.name + ".partial")
    partial.write_text(entry_text(command), encoding="utf-8")
    os.replace(partial, entry)  # a menu that rescans mid-write never sees half an entry
    refresh_menus(home)
    return [entry, icon_file]


def uninstall(home: Path, icon: Path = ICON) -> list[Path]:
    """Remove the entry and the icon from under ``home``; the paths that were there."""
    removed = [path for path in (entry_path(home), icon_path(home, icon)) if path.exists()]
    for path in removed:
        path.unlink()
    if removed:
        refresh_menus(home)
    return removed


def refresh_menus(home: Path) -> None:
    """Tell the desktop at once where a tool for it is installed; menus rescan on their own otherwise."""
    if shutil.which("update-desktop-database"):
        subprocess.run(["update-desktop-database", "-q", str(home / "applications")], check=False,
                       capture_output=True)


def main(option: str) -> int:
    home = data_home()
    try:
        if option == "--install-desktop-entry":
            written = install(home, launch_command())
            print(f"RegLab is in the application menu and opens .json experiment files: wrote {written[0]} and "
                  f"{written[1]}")
        else:
            removed = uninstall(home)
            print(f"removed {' and '.join(map(str, removed))}" if removed else
                  f"no RegLab desktop entry to remove under {home}")
    except (OSError, ValueError) as error:
        print(f"reglab: {option}: {error}", file=sys.stderr)
        return 1
    return 0
