"""RegLab's entry point: `python main.py` opens the window (`python main.py my.json` opens it on that file; a bad
file opens the default experiment and says why); `python main.py run|validate|cv|sweep|export ...` is the headless
command line (engine/cli.py, no Qt); `python main.py --self-test` checks an installation (gui/self_test.py)."""

from __future__ import annotations

import time

STARTED_AT = time.perf_counter()  # before any other import: the self-test's window_shown_s counts from here

import os  # noqa: E402
import sys  # noqa: E402

CLI_COMMANDS = ("run", "validate", "cv", "sweep", "export")


def give_missing_streams_a_sink() -> None:
    """A windowed build (PyInstaller, no console) starts with sys.stdout/stderr = None; a print or a library's
    warning would then raise. Anything written goes nowhere instead."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (open for the program's life)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in CLI_COMMANDS:
        from engine.cli import main as cli_main  # lazy: the window never pays for the CLI, the CLI never loads Qt

        return cli_main(argv)
    if argv and argv[0] == "--self-test":
        from gui.self_test import main as self_test_main

        return self_test_main(argv[1:], STARTED_AT)
    from gui.app import main as gui_main

    return gui_main(argv)


if __name__ == "__main__":
    give_missing_streams_a_sink()
    sys.exit(main())
