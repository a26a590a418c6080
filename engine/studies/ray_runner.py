"""Studies on a Ray cluster (``--backend ray``): each job of a study is a Ray task on one CPU.

Without an address, Ray starts a cluster of this machine's cores for the study, which ends when the runner closes;
with one (``HOST:PORT`` of a head started with ``ray start --head``, or ``auto``: the cluster this machine has
joined), the study runs on that cluster, and this process must run on one of its machines (Ray's driver talks to
the raylet of its own machine). A task unpickles its job, which names a study's job function
(engine/studies/runner.py): the workers import RegLab as installed on their machine (``pip install -e '.[cluster]'``
on every one); Ray also puts this process's current directory, and its script's directory when that is on its
``sys.path``, on theirs. The experiment travels with the job, so a CSV file it reads must be at the same path on every
machine. Importing the trainer sets TensorFlow's thread pools as engine/training/keras_setup.py says (one thread),
in each worker as in this process.

Ray reports nothing of a task until it ends, so a study's per-epoch notes (``on_epoch``) are not delivered over Ray:
only each run's result is. Stopping ends the tasks by force (Ray kills their workers), since a task cannot see this
process's stop request; the workers that replace them import TensorFlow again.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
from collections.abc import Sequence

from engine.spec import SpecError
from engine.studies.runner import InOrder, Job, OnEpoch, OnResult, ShouldStop, WorkerLost

NO_RAY = "--backend ray needs Ray: pip install -e '.[cluster]'"
#: how long a head's port may take to accept a connection: Ray itself retries a wrong address for minutes
CONNECT_TIMEOUT_S = 5.0
POLL_S = 0.1  # how often should_stop is asked while the tasks train
CANCEL_WAIT_S = 10.0  # how long Ray may take to report the cancelled tasks ended
#: a task whose worker or machine is lost is trained once more (its numbers depend only on its arguments); a
#: second loss ends the study
MAX_RETRIES = 1
_ADDRESS = re.compile(r"^(?P<host>[^\s:]+):(?P<port>\d{1,5})$")


def import_ray():
    """The ray module, or the one-line SpecError that says how to install it."""
    try:
        import ray
    except ImportError:
        raise SpecError(NO_RAY) from None
    return ray


def train(job: Job):
    """A job, in a Ray worker: nothing reports its epochs, and only cancelling the task stops it."""
    return job.fn(*job.args, on_epoch=None, should_stop=None)


def check_address(address: str) -> None:
    """``address`` is ``auto`` (the cluster this machine belongs to) or HOST:PORT with something listening there."""
    if address == "auto":
        return
    match = _ADDRESS.match(address)
    if match is None or not 0 < int(match["port"]) < 65536:
        raise SpecError(f"{address!r} is not HOST:PORT (a Ray head's address, such as 10.0.0.5:6379) or auto",
                        field="address")
    try:
        socket.create_connection((match["host"], int(match["port"])), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise SpecError(f"no Ray head answers at {address} ({exc.strerror or exc})", field="address") from None


def connect(ray, address: str | None) -> None:
    """``ray.init``: a cluster of this machine's cores, or the cluster at ``address``."""
    if address is not None:
        check_address(address)
    try:
        # "local": a new cluster, even where RAY_ADDRESS is set or `ray start` ran (Ray would join that one, and
        # wait for minutes if it has ended). WARNING: Ray's INFO lines are not the study's business.
        ray.init(address="local" if address is None else address, logging_level=logging.WARNING,
                 include_dashboard=False)
    except (ConnectionError, RuntimeError) as exc:
        if address is None:
            raise
        raise SpecError(f"cannot join the Ray cluster at {address} from this machine: {why_not_joined(exc)}",
                        field="address") from None


def why_not_joined(exc: BaseException) -> str:
    """One line on why ``ray.init(address=…)`` failed, saying what to do for the two causes a user can fix."""
    chain = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    texts = [f"{type(e).__name__}: {e}" for e in chain]  # Ray puts the GCS client's error in its message, as text
    if any("AuthenticationError" in t or "InvalidAuthToken" in t for t in texts):
        # Ray turns its token on by itself only for a cluster it finds (--address auto), never for an address.
        return "it asks for Ray's token (set RAY_AUTH_MODE=token, with the head's ~/.ray/auth_token on this machine)"
    if any("No node info found" in t for t in texts):  # no raylet of this cluster on this machine
        return "the study must run on one of the cluster's machines (ray start --address=HEAD:PORT joins one)"
    lines = [line.strip() for line in str(chain[-1]).splitlines() if line.strip()]
    return lines[-1] if lines else type(chain[-1]).__name__


class RayRunner:
    """A study's jobs as Ray tasks (engine/studies/runner.py); ``workers`` is the cluster's CPU count."""

    def __init__(self, address: str | None = None):
        self._ray = import_ray()
        self.address = address
        # A process already connected (a test's cluster, or a script's) keeps its cluster, and keeps it open.
        self.started = not self._ray.is_initialized()
        if self.started:
            connect(self._ray, address)
        self.workers = max(1, int(self._ray.cluster_resources().get("CPU", 0)))
        self._train = self._ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(train)

    def close(self) -> None:
        """Leave the cluster; a cluster this runner started ends with it."""
        if self.started and self._ray.is_initialized():
            self._ray.shutdown()
        self.started = False

    def run(self, jobs: Sequence[Job], on_result: OnResult, on_epoch: OnEpoch | None = None,
            should_stop: ShouldStop | None = None) -> None:
        """Train every job at once as far as the cluster's CPUs go; ``on_result`` in the jobs' order.
        ``on_epoch`` is not called (see the module's docstring)."""
        ordered = InOrder(on_result)
        refs = [self._train.remote(job) for job in jobs]
        index = {ref: i for i, ref in enumerate(refs)}
        pending = list(refs)
        try:
            while pending:
                if should_stop is not None and should_stop():
                    raise InterruptedError("study stopped")
                done, pending = self._ray.wait(pending, num_returns=1, timeout=POLL_S)
                for ref in done:
                    ordered.add(index[ref], self._result(ref))
        except BaseException:  # a stop, a job's error, a lost worker, Ctrl+C: nothing of the study goes on
            self._cancel(pending)
            raise

    def _result(self, ref):
        """A finished task's result; its job's own exception as itself, a lost worker as WorkerLost."""
        exceptions = self._ray.exceptions
        try:
            return self._ray.get(ref)
        except exceptions.RayTaskError as exc:
            # The job's exception (a SpecError keeps its field); Ray's error, chained, holds the remote traceback.
            raise exc.cause from exc
        except exceptions.RayError as exc:
            lines = str(exc).strip().splitlines()
            raise WorkerLost(f"a Ray worker was lost while it trained a job ({type(exc).__name__}: "
                             f"{lines[0] if lines else 'no detail'}); the study stopped") from None

    def _cancel(self, refs: list) -> None:
        """End the tasks by force, and wait (a while) until Ray reports them ended: no task of the study goes on
        training after it ends. (The raylet frees their CPUs a moment later.)"""
        for ref in refs:
            with contextlib.suppress(Exception):
                self._ray.cancel(ref, force=True)
        if refs:
            with contextlib.suppress(Exception):
                self._ray.wait(refs, num_returns=len(refs), timeout=CANCEL_WAIT_S)
