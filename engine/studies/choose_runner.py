"""The runner a study's settings ask for: ``--jobs N`` worker processes, or ``--backend ray [--address ADDR]``.

Apart from engine/studies/runner.py (what every runner shares), because it knows them all.
"""

from __future__ import annotations

from engine.spec import SpecError
from engine.studies.runner import SerialRunner

BACKENDS = ("processes", "ray")
MAX_JOBS = 64


def check_jobs(jobs: int) -> int:
    if not 1 <= jobs <= MAX_JOBS:
        raise SpecError(f"{jobs} is out of range [1, {MAX_JOBS}]", field="jobs")
    return jobs


def make_runner(jobs: int = 1, backend: str = "processes", address: str | None = None):
    """The runner for ``--jobs`` / ``--backend`` / ``--address``: serial for one job on processes, else a pool.
    Close it when done (``runner.close()``)."""
    if backend not in BACKENDS:
        raise SpecError(f"{backend!r} is not one of {', '.join(BACKENDS)}", field="backend")
    if backend == "ray":
        from engine.studies.ray_runner import RayRunner

        return RayRunner(address)
    if address is not None:
        raise SpecError("an address is for --backend ray (a Ray cluster)", field="address")
    if check_jobs(jobs) == 1:
        return SerialRunner()
    from engine.studies.process_pool import ProcessRunner

    return ProcessRunner(jobs)
