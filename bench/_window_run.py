"""Shared by the window benchmarks (not a benchmark itself): run the real window in a child process.

A benchmark script calls :func:`run_child` from its ``main()``; the child (the same script with ``--child``)
calls :func:`open_window`, trains, and prints one ``RESULT {json}`` line, which :func:`run_child` returns as a
dict. The child is offscreen unless a display is set, with its own QSettings file in a temporary folder.
"""

from __future__ import annotations

import compileall
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # engine/ and gui/ for the scripts in bench/


def run_child(script: str, *args: str, timeout: float = 600, env_extra: dict | None = None) -> dict:
    """Run ``script --child args…`` and return the dict of its RESULT line (exit on failure).

    RegLab's own modules are compiled to bytecode first, as Python does on a user's first start (and the package
    build does): start-up times are those of every later start, also where PYTHONDONTWRITEBYTECODE is set.
    """
    compile_sources()
    env = dict(os.environ, **(env_extra or {}))
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run([sys.executable, script, "--child", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode or not lines:
        sys.exit(f"{Path(script).name}: the window run failed:\n{proc.stderr[-3000:]}")
    result = json.loads(lines[-1][7:])
    result["platform"] = env.get("QT_QPA_PLATFORM") or "display " + env["DISPLAY"]
    return result


def compile_sources() -> None:
    """Write the .pyc files of main.py, engine/ and gui/ that are missing or out of date."""
    compileall.compile_file(str(ROOT / "main.py"), quiet=1)
    for package in ("engine", "gui"):
        compileall.compile_dir(str(ROOT / package), quiet=1)


def print_result(result: dict) -> None:
    print("RESULT " + json.dumps(result), flush=True)


def open_window(exp=None):
    """(app, window): QApplication, the GUI-thread garbage collector (as gui/app.py) and a MainWindow on ``exp``
    (the default experiment when None), not shown yet."""
    from PySide6.QtCore import QSettings

    from gui.engine_start import start_engine_early
    from gui.presets import default_experiment

    start_engine_early(exp if exp is not None else default_experiment())  # as main.py: before Qt's window loads
    from gui.app import application  # as the window runs: Python's cyclic GC on the GUI thread only

    app, _collector = application([])
    from gui.main_window import MainWindow  # after application(), as in gui/app.py: imported with the GC held

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    return app, MainWindow(exp, settings=settings)


def show_and_play(app, window, poll, interval_ms: int) -> None:
    """Show the window, press Play after its first paint, start ``poll`` (a QTimer) and run until app.quit()."""
    from PySide6.QtCore import QTimer

    window.show()
    QTimer.singleShot(0, lambda: (window.toggle_play(), poll.start(interval_ms)))
    app.exec()


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process (this one by default) now, in MiB (VmRSS from /proc/<pid>/status)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def engine_epochs_per_s(exp, seconds: float) -> float:
    """Trainer.step() alone (full snapshot and grid every epoch, as the worker runs it), after one traced epoch."""
    from engine.training.trainer import Trainer

    trainer = Trainer(exp)
    trainer.step()
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        trainer.step()
        n += 1
    return n / (time.perf_counter() - start)


if __name__ == "__main__":  # `make bench` runs every bench/*.py
    print("(helper of the window benchmarks: nothing to measure)")
