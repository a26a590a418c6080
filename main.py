"""RegLab's entry point: `python main.py` (or `reglab`) opens the window (`python main.py my.json` opens it on that
file; a bad file opens the default experiment and says why); `python main.py run|validate|cv|sweep|export ...` is
the headless command line (engine/cli.py, no Qt); `python main.py --self-test` checks an installation
(gui/self_test.py); `--help` and `--version` answer without loading Qt or TensorFlow."""

from __future__ import annotations

import time

STARTED_AT = time.perf_counter()  # before any other import: the self-test's window_shown_s counts from here

import multiprocessing  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

EXIT_BAD_ARGUMENTS = 2
DESKTOP_ENTRY_OPTIONS = ("--install-desktop-entry", "--uninstall-desktop-entry")
OWN_OPTIONS = ("-h", "--help", "--version", "--self-test", *DESKTOP_ENTRY_OPTIONS)
USAGE = """\
usage: reglab [FILE.json]                open the window (on an experiment file, if one is given)
       reglab COMMAND EXP.json [...]     a headless command: no window, no display needed
       reglab --self-test [--screenshot PATH] [--epochs N]
       reglab --version | --help | --install-desktop-entry | --uninstall-desktop-entry

commands:
{commands}

options:
  -h, --help   print this text
  --version    print RegLab's version
  --self-test  check this installation: open the window (off screen without a display), train the default
               experiment, save a screenshot of the window and print one JSON line
  --install-desktop-entry    put RegLab in this user's application menu, opening .json experiment files
                             (~/.local/share/applications/reglab.desktop and an icon; XDG_DATA_HOME is respected)
  --uninstall-desktop-entry  remove that entry and icon

`reglab COMMAND --help` lists a command's options, `reglab --self-test --help` the self-test's.
The window also takes Qt's own options, e.g. `reglab -platform offscreen`."""


def give_missing_streams_a_sink() -> None:
    """A windowed build (PyInstaller, no console) starts with sys.stdout/stderr = None; a print or a library's
    warning would then raise. Anything written goes nowhere instead."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (open for the program's life)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    first = argv[0] if argv else None
    if first in ("-h", "--help"):
        print(usage())
        return 0
    if first == "--version":
        return print_version()
    if first == "--self-test":
        if not {"-h", "--help"} & set(argv):  # the engine first, as for the window: its experiment follows
            from gui.engine_start import start_engine_early

            start_engine_early()
        from gui.self_test import main as self_test_main

        return self_test_main(argv[1:], STARTED_AT)
    if first in DESKTOP_ENTRY_OPTIONS:
        return desktop_entry_main(first, argv[1:])
    if argv:
        from engine.cli import COMMANDS  # light: argparse and the spec; Qt and TensorFlow stay unloaded

        if first in COMMANDS:
            from engine.cli import main as cli_main

            return cli_main(argv)
        problem = window_arguments_problem(argv, list(COMMANDS))
        if problem:
            print(f"reglab: {problem}", file=sys.stderr)
            return EXIT_BAD_ARGUMENTS
    from gui.engine_start import start_for_window

    start_for_window(argv)  # the engine process first: its TensorFlow import overlaps Qt's loading and the window's
    from gui.app import main as gui_main

    return gui_main(argv)


def desktop_entry_main(option: str, rest: list[str]) -> int:
    if rest:
        print(f"reglab: {option} takes no arguments, not {' '.join(rest)}", file=sys.stderr)
        return EXIT_BAD_ARGUMENTS
    from gui.desktop_entry import main as entry_main  # plain Python, no Qt

    return entry_main(option)


def usage() -> str:
    from engine.cli import COMMANDS

    width = max(map(len, COMMANDS))
    return USAGE.format(commands="\n".join(f"  {name:<{width}}  {text}" for name, text in COMMANDS.items()))


def opens_in_window(arg: str) -> bool:
    """An experiment file for the window: a name ending in .json (any case; a missing one gets the window's
    error dialog), or any existing file."""
    return arg.lower().endswith(".json") or Path(arg).is_file()


def window_arguments_problem(argv: list[str], commands: list[str]) -> str | None:
    """Why ``argv`` cannot open the window (it takes Qt's own options and one experiment file), or None."""
    from gui.qt_options import QT_OPTIONS_WITH_VALUE, qt_option  # plain Python, no Qt

    files = []
    args = iter(argv)
    for arg in args:
        if arg in OWN_OPTIONS:
            return f"{arg} must be the first argument (see --help)"
        if arg.startswith("-"):
            name = qt_option(arg)
            if name is None:
                return f"unknown option {arg!r} (see --help)"
            if name in QT_OPTIONS_WITH_VALUE and "=" not in arg and next(args, None) is None:
                return f"Qt's option {arg} needs a value"
        elif opens_in_window(arg):
            files.append(arg)
        else:
            return (f"{arg!r} is not a command; use one of {', '.join(commands)}, or an experiment .json file "
                    "(see --help)")
    if len(files) > 1:
        return f"the window opens one experiment file, not {len(files)}: {', '.join(files)}"
    return None


def reglab_version() -> str | None:
    """RegLab's version, which lives in pyproject.toml: from the installed package's metadata (pip's, or the copy a
    PyInstaller build bundles), else from pyproject.toml beside this file (a source tree never pip-installed)."""
    from importlib import metadata

    try:
        return metadata.version("reglab")
    except metadata.PackageNotFoundError:
        return pyproject_version(Path(__file__).with_name("pyproject.toml"))


def pyproject_version(path: Path) -> str | None:
    import tomllib

    try:
        with path.open("rb") as f:
            return str(tomllib.load(f)["project"]["version"])
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        return None


def print_version() -> int:
    version = reglab_version()
    if version is None:
        print("reglab: version unknown: RegLab is not installed and there is no pyproject.toml beside main.py",
              file=sys.stderr)
        return 1
    print(f"RegLab {version}")
    return 0


if __name__ == "__main__":
    # A study's worker process of the packaged app starts as this program: freeze_support() runs the worker and
    # exits there, before any of RegLab's own arguments are read (a no-op when not frozen).
    multiprocessing.freeze_support()
    give_missing_streams_a_sink()
    sys.exit(main())
