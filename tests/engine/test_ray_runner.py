"""--backend ray: a study's numbers over Ray equal the serial ones; errors, stops and lost workers end it cleanly.

One local Ray cluster of 2 CPUs serves the module; the tests without Ray (its absence, the address checks) run
whether the cluster extra is installed or not.
"""

import logging
import os
import socket
import sys
import time

import pytest

from engine.spec import SpecError, load_experiment
from engine.studies.choose_runner import make_runner
from engine.studies.crossval import cross_validate, train_fold_job
from engine.studies.ray_runner import NO_RAY, RayRunner, check_address
from engine.studies.runner import Job, WorkerLost
from engine.studies.sweep import run_sweep

PRESET = os.path.join(os.path.dirname(__file__), "..", "..", "resources", "presets", "default.json")
CPUS = 2


def experiment(epochs: int):
    exp = load_experiment(PRESET)
    exp.training.epochs = epochs
    return exp


@pytest.fixture(scope="module")
def cluster():
    ray = pytest.importorskip("ray", reason="the cluster extra is not installed: pip install -e '.[cluster]'")
    ray.init(num_cpus=CPUS, include_dashboard=False, logging_level=logging.WARNING)
    yield ray
    ray.shutdown()


@pytest.fixture
def runner(cluster):
    runner = RayRunner(None)
    yield runner
    runner.close()


def free_cpus(ray) -> float:
    return ray.available_resources().get("CPU", 0.0)


def all_cpus_free(ray, within_s: float = 20.0) -> bool:
    """Whether every CPU is free within ``within_s`` (the raylet frees an ended task's CPU a moment later); a
    task still training would hold its CPU for minutes."""
    deadline = time.monotonic() + within_s
    while free_cpus(ray) < CPUS and time.monotonic() < deadline:
        time.sleep(0.1)
    return free_cpus(ray) == CPUS


def crash(*, on_epoch=None, should_stop=None):
    os._exit(3)  # the worker process ends as if killed


# ---------------------------------------------------------------- without Ray


def test_without_ray_the_backend_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    with pytest.raises(SpecError) as caught:
        make_runner(backend="ray")
    assert str(caught.value) == NO_RAY == "--backend ray needs Ray: pip install -e '.[cluster]'"
    assert caught.value.field is None


@pytest.mark.parametrize("address", ["10.0.0.5", "10.0.0.5:port", "head:6379:1", "head:70000", ""])
def test_an_address_that_is_not_host_port_is_refused(address):
    with pytest.raises(SpecError, match="is not HOST:PORT") as caught:
        check_address(address)
    assert caught.value.field == "address"


def test_an_address_where_nothing_listens_is_refused_at_once():
    with socket.socket() as s:  # a port that was free a moment ago, and is closed now
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SpecError, match=f"no Ray head answers at 127.0.0.1:{port}") as caught:
        check_address(f"127.0.0.1:{port}")
    assert caught.value.field == "address"


# ---------------------------------------------------------------- on a local cluster


def test_the_runner_joins_the_running_cluster_and_leaves_it_open(cluster, runner):
    assert runner.workers == CPUS
    assert not runner.started
    runner.close()
    assert cluster.is_initialized()


def test_a_sweep_over_ray_gives_the_serial_rows(runner):
    exp = experiment(5)
    values = [0.0, 0.001, 0.01, 0.1]
    serial = run_sweep(exp, "network.hidden[0].kernel_regularizer.l2", values)
    over_ray = run_sweep(exp, "network.hidden[0].kernel_regularizer.l2", values, runner=runner)
    assert [r.value for r in over_ray] == values
    assert over_ray == serial


def test_cross_validation_over_ray_gives_the_serial_folds_and_predictions(runner):
    exp = experiment(5)
    serial = cross_validate(exp, folds=3)
    over_ray = cross_validate(exp, folds=3, runner=runner)
    assert [f.fold for f in over_ray.folds] == [1, 2, 3]
    assert over_ray.folds == serial.folds
    assert (over_ray.predictions == serial.predictions).all()
    assert over_ray.final_rmse == serial.final_rmse


def test_a_jobs_spec_error_comes_back_as_itself_with_its_field(cluster, runner):
    exp = experiment(5)  # 400 rows, 30 % of them for validation: too few for 500 folds
    results = []
    with pytest.raises(SpecError, match="500 folds need at least 500 rows") as caught:
        runner.run([Job(train_fold_job, (exp, 500, 1))], lambda i, r: results.append(i))
    assert caught.value.field == "folds"
    assert type(caught.value) is SpecError  # the job's own error, not Ray's wrapper of it
    assert results == []


def test_a_stop_ends_the_study_and_every_task(cluster, runner):
    exp = experiment(100_000)  # hours of training: the stop comes while both CPUs train
    results = []

    def both_cpus_busy() -> bool:
        return free_cpus(cluster) == 0

    with pytest.raises(InterruptedError):
        run_sweep(exp, "network.hidden[0].kernel_regularizer.l2", [0.0, 0.001, 0.01, 0.1],
                  on_row=results.append, should_stop=both_cpus_busy, runner=runner)
    assert results == []
    assert all_cpus_free(cluster)  # the cancelled tasks have ended


def test_a_lost_worker_ends_the_study_with_worker_lost(cluster, runner):
    cluster.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this file
    with pytest.raises(WorkerLost, match=r"^a Ray worker was lost while it trained a job \(WorkerCrashedError"):
        runner.run([Job(crash, ())], lambda i, r: None)
    assert all_cpus_free(cluster)
