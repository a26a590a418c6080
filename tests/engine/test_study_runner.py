"""Studies on several worker processes (engine/studies/runner.py, process_pool.py): the same files and the same
output as one after another, a stop that leaves the pool idle, and nothing left behind — no process, no file."""

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine import cli
from engine.spec import Experiment, SpecError
from engine.studies.choose_runner import make_runner
from engine.studies.process_pool import ProcessRunner
from engine.studies.runner import InOrder, WorkerLost, default_jobs
from engine.studies.study import classic_variants, run_compare
from engine.studies.sweep import run_sweep
from tests.processes import alive, children

REPO = Path(__file__).resolve().parents[2]
SMALL = {
    "reglab": 1, "name": "small",
    "data": {"kind": "toy", "name": "moons", "samples": 120, "noise": 0.2, "validation": 0.25, "test": 0.2,
             "seed": 1},
    "network": {"hidden": [{"units": 8, "activation": "tanh", "dropout": 0.2,
                            "kernel_regularizer": {"l1": 0.0, "l2": 0.001}}]},
    "training": {"optimizer": "adam", "learning_rate": 0.02, "batch_size": 16, "epochs": 6, "seed": 3},
}
STUDIES = {  # command-line arguments after the experiment file, and the files each writes
    "sweep": (["--param", "network.hidden[*].dropout", "--values", "0,0.3,0.6", "--seeds", "2"],
              ["sweep.csv", "test_score.csv"]),
    "grid": (["--param", "training.learning_rate", "--values", "0.01,0.05", "--param",
              "network.hidden[*].dropout", "--values", "0,0.5"], ["sweep.csv", "test_score.csv"]),
    "cv": (["--folds", "3"], ["folds.csv", "oos_predictions.csv"]),
    "path": (["--param", "network.hidden[*].kernel_regularizer.l1", "--values", "0,0.01", "--folds", "2"],
             ["path.csv", "path_summary.csv"]),
}


def ended(pids: set[int], wait_s: float = 10.0) -> bool:
    """Every process of ``pids`` has ended (waiting at most ``wait_s`` for the last of them to go)."""
    deadline = time.monotonic() + wait_s
    while any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture(scope="module")
def small_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exp") / "small.json"
    path.write_text(json.dumps(SMALL), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def outputs(small_file, tmp_path_factory):
    """Every study's files and printed lines with --jobs 1 and with --jobs 2."""
    base = tmp_path_factory.mktemp("studies")
    found = {}
    for name, (flags, _files) in STUDIES.items():
        command = "sweep" if name == "grid" else name
        for jobs in (1, 2):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli.main([command, str(small_file), *flags, "--jobs", str(jobs), "--out",
                                 str(base / f"{name}-{jobs}")])
            found[name, jobs] = subprocess.CompletedProcess([], code, out.getvalue(), err.getvalue())
    return base, found


@pytest.mark.parametrize("study", list(STUDIES))
def test_two_jobs_write_the_same_files_and_lines_as_one(outputs, study):
    base, found = outputs
    one, two = found[study, 1], found[study, 2]
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    # Every result line, in the same order (only the output folder's name differs).
    assert two.stdout.replace(f"{study}-2", f"{study}-1") == one.stdout
    for name in STUDIES[study][1]:
        text = (base / f"{study}-1" / name).read_text()
        assert len(text.splitlines()) > 1
        assert (base / f"{study}-2" / name).read_text() == text, name
    assert not list((base / f"{study}-2").glob(".writing-*"))  # the hidden folder is gone once complete


def test_compare_at_once_gives_each_variant_the_numbers_of_the_one_at_a_time_compare():
    exp = Experiment.from_dict(SMALL)
    variants = classic_variants(exp)
    serial = run_compare(variants)
    runner = ProcessRunner(2)
    try:
        parallel = run_compare(variants, runner=runner)
    finally:
        runner.close()
    assert [c.label for c in parallel.curves] == [c.label for c in serial.curves]
    for a, b in zip(serial.curves, parallel.curves, strict=True):
        assert b.rows == a.rows and b.done
    assert parallel.table == serial.table
    assert parallel.curves[-1].snapshot is not None  # the weight histograms have their snapshot


def test_a_stopped_study_leaves_the_pool_idle_and_a_closed_pool_leaves_no_process():
    exp = Experiment.from_dict({**SMALL, "training": {**SMALL["training"], "epochs": 400}})
    runner = ProcessRunner(2)
    notes = []
    try:
        with pytest.raises(InterruptedError):
            run_sweep(exp, "network.hidden[*].dropout", [0.0, 0.2, 0.4, 0.6], on_epoch=lambda *a: notes.append(a),
                      should_stop=lambda: len(notes) >= 10, runner=runner)
        pids = [p.pid for p in runner.processes]
        assert len(pids) == 2 and all(alive(pid) for pid in pids)  # warm, for the next study
        # ... which runs on the same processes and gives the serial numbers.
        short = Experiment.from_dict(SMALL)
        assert run_sweep(short, "network.hidden[*].dropout", [0.0, 0.5], runner=runner) == \
            run_sweep(short, "network.hidden[*].dropout", [0.0, 0.5])
        assert [p.pid for p in runner.processes] == pids
    finally:
        runner.close()
    time.sleep(0.2)
    assert not any(alive(pid) for pid in pids)
    assert children(os.getpid()) & set(pids) == set()


def test_a_job_error_comes_back_as_itself_with_its_field():
    # A linear network on a regression plane: SGD with learning rate 10 overflows within epochs.
    exp = Experiment.from_dict({"reglab": 1, "data": {"kind": "toy", "name": "plane", "samples": 60, "seed": 0},
                                "network": {"hidden": [{"units": 8, "activation": "linear"}]},
                                "training": {"optimizer": "sgd", "learning_rate": 0.01, "batch_size": 60,
                                             "epochs": 12, "seed": 0}})
    runner = ProcessRunner(2)
    try:
        from engine.studies.path import run_path

        with pytest.raises(SpecError, match=r"^training.learning_rate = 10: training diverged in epoch \d+; leave") \
                as caught:
            run_path(exp, "training.learning_rate", [0.01, 10], runner=runner)
    finally:
        runner.close()
    assert caught.value.field == "values"


def test_a_killed_worker_ends_the_study_with_one_line_and_no_process_left():
    exp = Experiment.from_dict({**SMALL, "training": {**SMALL["training"], "epochs": 400}})
    runner = ProcessRunner(2)
    runner.wait_ready()
    pids = [p.pid for p in runner.processes]

    def kill_one(*_args):
        if alive(pids[0]):
            os.kill(pids[0], signal.SIGKILL)

    with pytest.raises(WorkerLost, match=r"ended unexpectedly \(exit code -9"):
        run_sweep(exp, "network.hidden[*].dropout", [0.0, 0.5], on_epoch=kill_one, runner=runner)
    assert runner.processes == []  # closed: the next study starts a fresh pool
    time.sleep(0.2)
    assert not any(alive(pid) for pid in pids)


def test_ctrl_c_on_the_command_line_stops_the_workers_and_writes_nothing(small_file, tmp_path):
    out = tmp_path / "out"
    spec = {**SMALL, "training": {**SMALL["training"], "epochs": 300}}
    exp_file = tmp_path / "long.json"
    exp_file.write_text(json.dumps(spec), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(REPO / "main.py"), "sweep", str(exp_file), "--param",
                             "network.hidden[*].dropout", "--values", "0,0.1,0.2,0.3,0.4,0.5", "--jobs", "2",
                             "--out", str(out)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,
                            # as from a terminal: a suite started in a shell's background inherits SIGINT ignored
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = proc.stdout.readline()  # the first finished run: the workers are busy with the next ones
        assert first.startswith("network.hidden[*].dropout = 0 (seed 3)"), proc.stderr.read()
        workers = children(proc.pid)
        assert len(workers) >= 2
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl+C: the whole foreground group
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == cli.EXIT_INTERRUPTED
    assert err.strip().splitlines()[-1] == "reglab: sweep stopped by Ctrl+C; nothing was written"
    assert "Traceback" not in err
    assert ended(workers)  # the workers, and multiprocessing's resource tracker, which ends once they have
    assert not out.exists() or list(out.iterdir()) == []


def test_bad_runner_settings_are_one_line_with_their_flag(small_file, capsys):
    assert cli.main(["cv", str(small_file), "--jobs", "0"]) == cli.EXIT_BAD_INPUT
    assert capsys.readouterr().err.strip() == "reglab: --jobs: 0 is out of range [1, 64]"
    assert cli.main(["cv", str(small_file), "--address", "host:6379"]) == cli.EXIT_BAD_INPUT
    assert capsys.readouterr().err.strip() == "reglab: --address: an address is for --backend ray (a Ray cluster)"


def test_results_are_handed_on_in_the_jobs_order_whatever_order_they_finish_in():
    seen = []
    ordered = InOrder(lambda i, r: seen.append((i, r)))
    for i in (2, 0, 3, 1, 4):
        ordered.add(i, f"r{i}")
    assert seen == [(0, "r0"), (1, "r1"), (2, "r2"), (3, "r3"), (4, "r4")]


def test_the_window_leaves_one_core_to_itself(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert (default_jobs(), default_jobs(window_open=True)) == (8, 7)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert default_jobs(window_open=True) == 1
    assert make_runner(1).workers == 1
