"""Import TensorFlow and Keras quietly, with the TensorFlow backend. Import this, not tensorflow, in engine/."""

import contextlib
import os

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


with _quiet_stderr():
    import keras
    import tensorflow as tf

__all__ = ["keras", "tf"]
