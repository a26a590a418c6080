"""main.py, the entry point: --help, --version and mistyped commands answer without a display and without loading
Qt or TensorFlow; a command goes to the command line, an experiment file or nothing to the window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import types
from importlib import metadata
from pathlib import Path

import pytest

import main as entry
from engine.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("PySide6", "tensorflow", "keras", "pyqtgraph")
COMMAND_LIST = "run, validate, cv, sweep, path, landscape, export"

# Runs main.py as `python main.py ARGS` does, then writes the top-level modules that got imported to a file.
RUN_AND_LIST_MODULES = """
import atexit, json, runpy, sys
modules_file = sys.argv[1]
atexit.register(lambda: open(modules_file, "w").write(json.dumps(sorted({m.split(".")[0] for m in sys.modules}))))
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_headless(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """`python main.py ARGS` with no display at all; also the top-level modules it imported."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    modules_file = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", RUN_AND_LIST_MODULES, str(modules_file), str(ROOT / "main.py"),
                           *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    return proc, json.loads(modules_file.read_text(encoding="utf-8"))


def pyproject_version_by_hand() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@pytest.mark.parametrize("option", ["--help", "-h"])
def test_help_names_the_window_the_options_and_every_command(tmp_path, option):
    proc, modules = run_headless(tmp_path, option)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("usage: reglab [FILE.json] ")
    for command, description in COMMANDS.items():
        assert any(line.split() == [command, *description.split()] for line in lines), command
    for option_name in ("-h, --help", "--version", "--self-test"):
        assert any(line.startswith(f"  {option_name} ") for line in lines), option_name
    assert [name for name in HEAVY if name in modules] == []
    assert "engine" in modules  # the check itself sees imports: the command list came from engine.cli


def test_help_lists_exactly_the_parsers_commands():
    choices = next(a.choices for a in build_parser()._actions if a.dest == "command")
    assert list(choices) == list(COMMANDS) == COMMAND_LIST.split(", ")


def test_a_commands_help_is_argparses(tmp_path):
    proc, modules = run_headless(tmp_path, "sweep", "--help")
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: reglab sweep ") and "--param PARAM" in proc.stdout
    assert [name for name in HEAVY if name in modules] == []


def test_version_is_pyprojects(tmp_path):
    proc, modules = run_headless(tmp_path, "--version")
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == f"RegLab {pyproject_version_by_hand()}\n"
    assert [name for name in HEAVY if name in modules] == []


def test_version_without_package_metadata_reads_pyproject(monkeypatch):
    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    assert entry.reglab_version() == pyproject_version_by_hand()


def test_pyproject_version(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[project]\nname = "reglab"\nversion = "2.3.4"\n', encoding="utf-8")
    no_version = tmp_path / "no_version.toml"
    no_version.write_text('[project]\nname = "reglab"\n', encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text("[project\n", encoding="utf-8")
    assert entry.pyproject_version(good) == "2.3.4"
    assert [entry.pyproject_version(p) for p in (no_version, broken, tmp_path / "missing.toml")] == [None] * 3


def test_an_unknown_command_is_one_line_and_exit_2(tmp_path):
    proc, modules = run_headless(tmp_path, "pth", "x")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (f"reglab: 'pth' is not a command; use one of {COMMAND_LIST}, or an experiment .json "
                           "file (see --help)\n")
    assert [name for name in HEAVY if name in modules] == []


def test_an_unknown_option_is_one_line_and_exit_2(tmp_path):
    proc, modules = run_headless(tmp_path, "--bogus")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "reglab: unknown option '--bogus' (see --help)\n"
    assert [name for name in HEAVY if name in modules] == []


def test_a_window_without_a_display_still_says_so(tmp_path):
    """The rules above do not stand in the window's way: an experiment file reaches it (and its display check)."""
    proc, modules = run_headless(tmp_path, "lab.json")
    assert proc.returncode == 2 and proc.stderr.startswith("RegLab needs a display: none found (DISPLAY is not set)")
    assert "PySide6" in modules


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        ([], None),
        (["lab.json"], None),
        (["LAB.JSON"], None),  # need not exist: the window says it cannot open it
        (["-platform", "offscreen", "lab.json"], None),
        (["-style=fusion", "-reverse", "lab.json"], None),
        (["-platform", "offscreen"], None),
        (["pth", "x"], f"'pth' is not a command; use one of {COMMAND_LIST}, or an experiment .json file (see --help)"),
        (["lab.json", "runn"], f"'runn' is not a command; use one of {COMMAND_LIST}, or an experiment .json file "
                               "(see --help)"),
        (["--bogus"], "unknown option '--bogus' (see --help)"),
        (["--platform", "offscreen"], "unknown option '--platform' (see --help)"),  # Qt documents -platform
        (["-platform"], "Qt's option -platform needs a value"),
        (["lab.json", "--version"], "--version must be the first argument (see --help)"),
        (["a.json", "b.json"], "the window opens one experiment file, not 2: a.json, b.json"),
    ],
)
def test_window_arguments_problem(argv, problem):
    assert entry.window_arguments_problem(argv, COMMAND_LIST.split(", ")) == problem


def test_an_existing_file_opens_in_the_window_whatever_its_name(tmp_path):
    saved = tmp_path / "lab.experiment"
    saved.write_text("{}", encoding="utf-8")
    assert entry.window_arguments_problem([str(saved)], list(COMMANDS)) is None
    assert entry.window_arguments_problem([str(tmp_path / "other.experiment")], list(COMMANDS)).startswith(
        f"'{tmp_path / 'other.experiment'}' is not a command")


@pytest.fixture
def window_main(monkeypatch):
    """gui.app replaced by a stand-in that records what the window was given (and loads no Qt)."""
    given = []
    fake = types.ModuleType("gui.app")
    fake.main = lambda argv: given.append(argv) or 0
    monkeypatch.setitem(sys.modules, "gui.app", fake)
    return given


def test_a_json_file_or_nothing_opens_the_window(window_main, capsys):
    assert entry.main(["lab.json"]) == 0
    assert entry.main([]) == 0
    assert entry.main(["-platform", "offscreen", "Lab.Json"]) == 0
    assert window_main == [["lab.json"], [], ["-platform", "offscreen", "Lab.Json"]]


def test_a_mistyped_command_does_not_open_the_window(window_main, capsys):
    assert entry.main(["pth", "lab.json"]) == 2
    assert window_main == []
    assert capsys.readouterr().err.startswith("reglab: 'pth' is not a command")
