"""TensorBoard logs of a run: ``python main.py run EXP.json --tensorboard DIR`` or the window's worker.

:class:`TensorBoardLog` writes, per epoch (step = epoch), a scalar for every column of
:meth:`engine.training.snapshot.Snapshot.metrics_row` (``loss``, ``data_loss``, ``penalty``, ``val_loss``, the metrics,
each layer's penalty and largest unit norm ``hidden_1_max_unit_norm`` …), the max-norm c of each constrained layer
(``hidden_1_max_norm``, to read beside its largest unit norm; c can change live), and histograms of each Dense layer's
kernel, bias and unit norms ‖W[:, j]‖ (``hidden_1/kernel``, ``hidden_1/bias``, ``hidden_1/unit_norms`` …).
View them with ``tensorboard --logdir DIR``.

The summaries are the ones ``tf.summary.scalar`` and ``tf.summary.histogram`` write (same plugins, 30 histogram
buckets), built with TensorBoard's numpy versions of them and written in one ``tf.summary`` call per epoch:
about 1 ms an epoch, where the eager ``tf.summary`` ops took 60 ms (ten times a small network's epoch).
"""

from __future__ import annotations

import time
from pathlib import Path

from tensorboard.compat.proto import summary_pb2
from tensorboard.plugins.histogram.summary_v2 import histogram_pb
from tensorboard.plugins.scalar.summary_v2 import scalar_pb

from engine.training.keras_setup import tf
from engine.training.snapshot import Snapshot


class TensorBoardLog:
    """One TensorBoard run: an event file in ``logdir`` (created if needed).

    Events are buffered and flushed every ``flush_every`` epochs or ``flush_seconds`` seconds, whichever
    comes first, and on :meth:`close`; so TensorBoard follows a long run without a disk write per epoch.
    """

    def __init__(self, logdir: str | Path, flush_every: int = 20, flush_seconds: float = 2.0):
        self.logdir = Path(logdir)
        self.logdir.mkdir(parents=True, exist_ok=True)  # OSError for a path that cannot be a folder
        self.flush_every = max(1, int(flush_every))
        self.flush_seconds = float(flush_seconds)
        self._writer = tf.summary.create_file_writer(str(self.logdir), max_queue=1000,
                                                     flush_millis=int(self.flush_seconds * 1000))
        self._unflushed = 0
        self._last_flush = time.monotonic()
        self.closed = False

    def write(self, snapshot: Snapshot) -> None:
        """The epoch's metrics and max-norm values as scalars, each layer's weights and unit norms as histograms, at
        step = epoch."""
        if self.closed:
            raise ValueError("TensorBoardLog.write after close()")
        summary = summary_pb2.Summary()
        for name, value in snapshot.metrics_row().items():
            if name != "epoch":
                summary.value.extend(scalar_pb(name, float(value)).value)
        for layer in snapshot.layers:
            if layer.max_norm is not None:
                summary.value.extend(scalar_pb(f"{layer.name}_max_norm", float(layer.max_norm)).value)
            summary.value.extend(histogram_pb(f"{layer.name}/kernel", layer.kernel).value)
            summary.value.extend(histogram_pb(f"{layer.name}/bias", layer.bias).value)
            if layer.unit_norms is not None:
                summary.value.extend(histogram_pb(f"{layer.name}/unit_norms", layer.unit_norms).value)
        with self._writer.as_default():
            tf.summary.experimental.write_raw_pb(summary.SerializeToString(), step=int(snapshot.epoch))
        self._unflushed += 1
        now = time.monotonic()
        if self._unflushed >= self.flush_every or now - self._last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        if not self.closed:
            self._writer.flush()
        self._unflushed = 0
        self._last_flush = time.monotonic()

    def close(self) -> None:
        """Flush and close the event file (safe to call twice)."""
        if not self.closed:
            self._writer.flush()
            self._writer.close()
            self.closed = True

    def __enter__(self) -> TensorBoardLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def next_run_dir(base: str | Path) -> Path:
    """``base/run-<n>`` with n one more than the highest existing run-<n> (run-1 in a new folder)."""
    base = Path(base)
    numbers = [int(p.name[4:]) for p in base.glob("run-*") if p.name[4:].isdigit()] if base.is_dir() else []
    return base / f"run-{max(numbers, default=0) + 1}"
