"""Import TensorFlow and Keras quietly, with the TensorFlow backend. Import this, not tensorflow, in engine/."""

import contextlib
import logging
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no C++ info banners on every start
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


@contextlib.contextmanager
def _quiet_stderr():
    """TensorFlow's C++ side prints an oneDNN banner before its logging is configured (so TF_CPP_MIN_LOG_LEVEL
    cannot silence it); hide file descriptor 2 while importing. Import errors still raise as exceptions."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all (a windowed build): nothing to hide
        yield
        return
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


@contextlib.contextmanager
def _without_optional(*names):
    """Keras imports scikit-learn (for its sklearn wrappers), matplotlib.pyplot (for image galleries) and pandas
    (so that fit() takes data frames) when they are installed: over a second of start-up for features RegLab
    never uses through Keras (its trainer hands Keras numpy arrays and tensors only). Hide those not yet imported
    while Keras loads (Keras treats them as absent), then let them import normally later: engine/data/csv_files.py reads
    CSV files with pandas."""
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # makes `import name` raise ImportError
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


with _quiet_stderr(), _without_optional("sklearn", "matplotlib", "pandas"):
    import keras
    import tensorflow as tf

__all__ = ["keras", "tf"]


class _NoRetracingWarning(logging.Filter):
    """Every Trainer has its own epoch graph, traced once; studies build many trainers, which TensorFlow would
    report as "retracing". The trace count per trainer is tested (Trainer.trace_count stays 1)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


tf.get_logger().addFilter(_NoRetracingWarning())


def _threads() -> int:
    """TensorFlow's thread pools: REGLAB_TF_THREADS (0 = TensorFlow's default, one per core), else 1.

    RegLab's networks are small: an op on a 32 × 64 batch is done before a second thread could help, and handing
    ops between pool threads costs more than it saves (digits, 64-32-10: ≈ 60 epochs/s with one thread against
    ≈ 40 with TensorFlow's default on a 2-core machine). One thread also leaves a core to the window's painting.
    """
    try:
        return max(0, int(os.environ.get("REGLAB_TF_THREADS", "1")))
    except ValueError:
        return 1


TF_THREADS = _threads()
if TF_THREADS:
    tf.config.threading.set_intra_op_parallelism_threads(TF_THREADS)
    tf.config.threading.set_inter_op_parallelism_threads(TF_THREADS)
