"""The engine in its own process (engine/live/engine_process.py, engine_link.py): the window's process never loads
TensorFlow, its numbers are the command line's, a killed engine is reported and replaced, and closing the window —
during a run, a study or a save — leaves no process and no half-written file."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from engine.live.engine_link import EngineProcess
from engine.live.vocabulary import Command, State
from engine.spec import Experiment
from tests.processes import alive, descendants

REPO = Path(__file__).resolve().parents[2]
SMALL = {
    "reglab": 1, "name": "small",
    "data": {"kind": "toy", "name": "moons", "samples": 120, "noise": 0.2, "validation": 0.25, "seed": 1},
    "network": {"input_dropout": 0.1, "hidden": [
        {"units": 8, "activation": "tanh", "dropout": 0.3, "kernel_regularizer": {"l1": 0.001, "l2": 0.002}}]},
    "training": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 16, "epochs": 3000, "seed": 2},
}




def wait_for(condition, timeout: float = 120.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.02)


@pytest.fixture
def process_mode(monkeypatch):
    monkeypatch.setenv("REGLAB_ENGINE", "process")


def window_in_process_mode(qtbot, tmp_path, spec=SMALL):
    from gui.main_window import MainWindow

    window = MainWindow(Experiment.from_dict(spec),
                        settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    assert isinstance(window.session.worker.engine, EngineProcess)
    return window


WINDOW_SCRIPT = r"""
import json, sys
from PySide6.QtCore import QTimer, QSettings
from gui.app import application, start_engine_early
from engine.spec import load_experiment
from gui.main_window import MainWindow

def main():
    exp = load_experiment(sys.argv[1])
    start_engine_early(exp)
    app, collector = application([])
    window = MainWindow(exp, settings=QSettings(sys.argv[2], QSettings.Format.IniFormat))
    window.show()
    window.toggle_play()
    def check():
        if window.session.status.state.value == "finished":
            rows = window.session.rows
            window.close()
            print(json.dumps({"rows": rows, "modules": sorted(m for m in sys.modules
                              if m.split(".")[0] in ("tensorflow", "keras", "tf_keras"))}))
            app.quit()
    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(20)
    app.exec()

if __name__ == "__main__":
    main()
"""


def test_the_window_process_never_loads_tensorflow_and_its_numbers_are_the_command_lines(tmp_path):
    spec = {**SMALL, "training": {**SMALL["training"], "epochs": 12}}
    exp_file = tmp_path / "small.json"
    exp_file.write_text(json.dumps(spec), encoding="utf-8")
    script = tmp_path / "window.py"
    script.write_text(WINDOW_SCRIPT, encoding="utf-8")
    env = {**os.environ, "REGLAB_ENGINE": "process", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, str(script), str(exp_file), str(tmp_path / "settings.ini")],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    window = json.loads(done.stdout.strip().splitlines()[-1])
    assert window["modules"] == []  # trained 12 epochs, and not one TensorFlow or Keras module in this process
    cli = subprocess.run([sys.executable, str(REPO / "main.py"), "run", str(exp_file), "--out", str(tmp_path / "cli"),
                          "--quiet"], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert cli.returncode == 0, cli.stderr
    with (tmp_path / "cli" / "metrics.csv").open() as f:
        expected = list(csv.DictReader(f))
    assert len(window["rows"]) == len(expected) == 12
    for row, written in zip(window["rows"], expected, strict=True):
        for column in ("loss", "data_loss", "penalty", "val_loss", "accuracy", "val_accuracy"):
            assert f"{row[column]:.6g}" == written[column], column  # metrics.csv writes 6 significant digits


def test_a_killed_engine_is_reported_and_a_fresh_one_takes_over():
    engine = EngineProcess()
    engine.start()
    try:
        engine.send(Command.LOAD, Experiment.from_dict(SMALL))
        engine.send(Command.PLAY)
        wait_for(lambda: len(engine.take_updates(0, -1).new_rows) >= 5, what="five epochs")
        first_pid, before = engine.pid, engine.take_updates(0, -1)
        os.kill(first_pid, signal.SIGKILL)  # as a crash inside TensorFlow would end it
        wait_for(lambda: engine.take_updates(0, -1).status.state is State.ERROR, 30, "the crash reported")
        after = engine.take_updates(0, -1)
        assert after.status.message.startswith("The engine process ended unexpectedly (exit code -9). The experiment "
                                               "and its curves are kept: press Play or Reset")
        assert after.run_id == before.run_id and len(after.new_rows) >= len(before.new_rows)  # the curves stay
        assert [e for e in engine.take_events() if e[0] == "failed"][-1][1] == after.status.message
        engine.send(Command.PLAY)  # a fresh engine: it loads the experiment again and trains
        wait_for(lambda: engine.take_updates(0, -1).run_id > before.run_id
                 and len(engine.take_updates(0, -1).new_rows) >= 3, what="the fresh engine's epochs")
        assert engine.pid != first_pid and engine.starts == 2 and not alive(first_pid)
        second_pid = engine.pid
    finally:
        engine.stop()
    wait_for(lambda: not alive(second_pid), 5, "the engine gone")


def test_closing_during_a_run_ends_the_engine(qtbot, tmp_path, process_mode):
    window = window_in_process_mode(qtbot, tmp_path)
    worker = window.session.worker
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=120000)
    window.toggle_play()
    qtbot.waitUntil(lambda: len(window.session.rows) >= 5, timeout=60000)
    pid = worker.engine.pid
    window.close()  # waits at most CLOSE_WAIT_MS, then ends the engine by force
    assert not alive(pid) and not worker.is_running


def test_closing_during_a_parallel_study_ends_the_engine_and_its_study_processes(qtbot, tmp_path, process_mode):
    window = window_in_process_mode(qtbot, tmp_path)
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=120000)
    window.session.worker.set_study_jobs(2)
    window.studies.sweep("network.hidden[*].dropout", [0.0, 0.2, 0.4, 0.6])
    qtbot.waitUntil(lambda: (p := window.session.study) is not None and sum(len(c.rows) > 0 for c in p.curves) == 2,
                    timeout=120000)
    pid = window.session.worker.engine.pid
    family = descendants(pid)
    assert len(family) >= 2  # the study's worker processes
    window.close()
    assert not alive(pid)
    wait_for(lambda: not any(alive(p) for p in family), 10, "the study processes gone")  # they see their parent go


def test_closing_right_after_a_save_leaves_the_model_whole_or_absent(qtbot, tmp_path, process_mode):
    window = window_in_process_mode(qtbot, tmp_path)
    qtbot.waitUntil(lambda: window.session.state is State.READY, timeout=120000)
    window.session.step()
    qtbot.waitUntil(lambda: len(window.session.rows) == 1, timeout=60000)
    target = tmp_path / "model.keras"
    window.session.save_model(str(target))
    window.close()
    leftovers = [p.name for p in tmp_path.iterdir() if ".partial-" in p.name]
    assert leftovers == []
    if target.exists():  # saved before the engine ended: a complete Keras archive
        with zipfile.ZipFile(target) as archive:
            assert {"config.json", "model.weights.h5"} <= set(archive.namelist())
            assert archive.testzip() is None


ORPHAN_SCRIPT = r"""
import time
from engine.live.engine_link import EngineProcess
from engine.live.vocabulary import Command
from engine.spec import Experiment
import json, sys

if __name__ == "__main__":
    engine = EngineProcess()
    engine.start()
    engine.send(Command.LOAD, Experiment.from_dict(json.loads(sys.argv[1])))
    engine.send(Command.PLAY)
    print(engine.pid, flush=True)
    time.sleep(120)
"""


def test_an_engine_whose_window_process_is_killed_ends_by_itself(tmp_path):
    script = tmp_path / "window.py"
    script.write_text(ORPHAN_SCRIPT, encoding="utf-8")
    window = subprocess.Popen([sys.executable, str(script), json.dumps(SMALL)], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        engine_pid = int(window.stdout.readline())
        wait_for(lambda: alive(engine_pid), 10, "the engine started")
        time.sleep(1)  # training, or still importing TensorFlow: either way it must notice
    finally:
        window.kill()  # no goodbye: the engine finds its end of the pipe closed
        window.wait()
    wait_for(lambda: not alive(engine_pid), 10, "the orphaned engine gone")
