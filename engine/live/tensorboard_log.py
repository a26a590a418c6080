"""The live engine's TensorBoard log (mixed into :class:`engine.live.live_engine.LiveEngine`).

While a log folder is set, every trained epoch is written under it, each run (a new network, data or Reset) in a
sub-folder ``run-<n>`` of its own. Writing holds the engine's file lock (``_writing``), as saving a model does, so
that ending the process never cuts a log file short.
"""

from __future__ import annotations

from engine.live.vocabulary import Command
from engine.training.snapshot import Snapshot


class TensorBoardLogging:
    """The ``set_tensorboard`` command and the log it keeps; the engine sets ``_tensorboard_dir`` and
    ``_tensorboard`` to None at its start."""

    def set_tensorboard(self, logdir: str | None) -> None:
        """Log every trained epoch for TensorBoard under ``logdir``: each run (a new network, data or Reset)
        gets its own sub-folder ``logdir/run-<n>``, so TensorBoard shows runs apart. None stops logging."""
        self._send(Command.TENSORBOARD, None if logdir is None else str(logdir))

    def _on_tensorboard(self, logdir: str | None) -> None:
        self._close_tensorboard()
        self._tensorboard_dir = logdir

    def _write_tensorboard(self, snap: Snapshot) -> None:
        if self._tensorboard_dir is None:
            return
        try:
            with self._writing() as allowed:
                if not allowed:
                    return
                if self._tensorboard is None:
                    from engine.export.tensorboard import TensorBoardLog, next_run_dir

                    self._tensorboard = TensorBoardLog(next_run_dir(self._tensorboard_dir))
                self._tensorboard.write(snap)
        except Exception as exc:  # a full disk or a bad folder must not stop training: stop logging instead
            self._close_tensorboard()
            self._tensorboard_dir = None
            reason = " ".join(str(exc).split())[:300]
            self._emit(self.failed, f"TensorBoard logging stopped: {reason}")

    def _close_tensorboard(self) -> None:
        board, self._tensorboard = self._tensorboard, None
        if board is not None:
            with self._writing() as allowed:
                if not allowed:
                    return
                try:
                    board.close()
                except Exception:  # closing what cannot be written any more: nothing left to save
                    pass

    def _flush_tensorboard(self) -> None:
        """Everything logged so far on disk (before a study: its model builds may outlast the process)."""
        if self._tensorboard is not None:
            with self._writing() as allowed:
                if allowed:
                    try:
                        self._tensorboard.flush()
                    except Exception:  # reported at the next write, which fails the same way
                        pass
