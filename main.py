"""RegLab's entry point: `python main.py` opens the window (`python main.py my.json` opens it on that file; a bad
file opens the default experiment and says why); `python main.py run|validate|cv|sweep|export ...` is the headless
command line (engine/cli.py, no Qt)."""

from __future__ import annotations

import sys

CLI_COMMANDS = ("run", "validate", "cv", "sweep", "export")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in CLI_COMMANDS:
        from engine.cli import main as cli_main  # lazy: the window never pays for the CLI, the CLI never loads Qt

        return cli_main(argv)
    from gui.app import main as gui_main

    return gui_main(argv)


if __name__ == "__main__":
    sys.exit(main())
