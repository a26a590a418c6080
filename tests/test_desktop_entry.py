"""`--install-desktop-entry` / `--uninstall-desktop-entry` (gui/desktop_entry.py): the files written, read back as a
desktop would read them."""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

import main as entry
from gui import desktop_entry
from gui.desktop_entry import ICON, data_home, entry_text, exec_argument, install, uninstall

NASTY = '/opt/my "lab" $HOME `x` 100%\\RegLab'


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def exec_arguments(value: str) -> list[str]:
    """An Exec value's arguments as the specification defines them: the string escape \\\\ undone first, then the
    arguments split at spaces, a double-quoted one taken whole with \\ escaping " ` $ and \\ inside; %% is %."""
    text = value.replace("\\\\", "\\")
    args, i = [], 0
    while i < len(text):
        if text[i] == " ":
            i += 1
        elif text[i] == '"':
            arg, i = [], i + 1
            while text[i] != '"':
                if text[i] == "\\" and text[i + 1] in '"`$\\':
                    i += 1
                arg.append(text[i])
                i += 1
            args.append("".join(arg).replace("%%", "%"))
            i += 1
        else:
            end = text.find(" ", i)
            end = len(text) if end < 0 else end
            args.append(text[i:end])
            i = end
    return args


def test_install_writes_an_entry_that_opens_json_files_with_this_command_and_the_icon(tmp_path):
    command = [NASTY, "/home/teacher/RegLab main.py"]
    written = install(tmp_path, command)
    entry_file, icon_file = written
    assert entry_file == tmp_path / "applications" / "reglab.desktop"
    assert icon_file == tmp_path / "icons" / "hicolor" / "256x256" / "apps" / "reglab.png"
    assert icon_file.read_bytes() == ICON.read_bytes()
    fields = read_entry(entry_file)
    assert fields["Type"] == "Application"
    assert fields["Name"] == "RegLab"
    assert fields["Icon"] == "reglab"
    assert "application/json" in fields["MimeType"].split(";")
    assert exec_arguments(fields["Exec"]) == [*command, "%f"]
    assert not list((tmp_path / "applications").glob("*.partial"))


def test_an_argument_is_quoted_and_escaped_as_the_specification_says():
    assert exec_argument("/a b/RegLab") == '"/a b/RegLab"'
    assert exec_argument('x"$`') == '"x\\\\"\\\\$\\\\`"'
    assert exec_argument("a\\b") == '"a\\\\\\\\b"'  # a literal backslash is four in the file
    assert exec_argument("50%") == '"50%%"'


def test_uninstall_removes_both_files_and_then_finds_nothing(tmp_path):
    written = install(tmp_path, ["/x/RegLab"])
    assert sorted(uninstall(tmp_path)) == sorted(written)
    assert not any(p.exists() for p in written)
    assert uninstall(tmp_path) == []


def test_xdg_data_home_is_respected_when_absolute(tmp_path):
    assert data_home({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path
    assert data_home({"XDG_DATA_HOME": "relative/dir"}) == Path.home() / ".local" / "share"
    assert data_home({}) == Path.home() / ".local" / "share"


def test_the_command_line_installs_this_python_and_main_py_then_uninstalls(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr(desktop_entry, "refresh_menus", lambda home: None)
    assert entry.main(["--install-desktop-entry"]) == 0
    fields = read_entry(tmp_path / "applications" / "reglab.desktop")
    main_py = Path(entry.__file__).resolve()
    assert exec_arguments(fields["Exec"]) == [str(Path(sys.executable).absolute()), str(main_py), "%f"]
    assert "opens .json experiment files" in capsys.readouterr().out
    assert entry.main(["--uninstall-desktop-entry"]) == 0
    assert not (tmp_path / "applications" / "reglab.desktop").exists()
    assert capsys.readouterr().out.startswith("removed ")


def test_extra_arguments_and_an_unwritable_home_are_one_line_errors(tmp_path, monkeypatch, capsys):
    assert entry.main(["--install-desktop-entry", "now"]) == 2
    assert capsys.readouterr().err == "reglab: --install-desktop-entry takes no arguments, not now\n"
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocked))
    assert entry.main(["--install-desktop-entry"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("reglab: --install-desktop-entry: ") and err.count("\n") == 1


def test_the_entry_text_ends_with_a_newline_and_has_one_group():
    text = entry_text(["/x"])
    assert text.endswith("\n") and text.count("[") == 1
