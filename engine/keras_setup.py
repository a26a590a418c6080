"""Import TensorFlow and Keras quietly, with the TensorFlow backend. Import this, not tensorflow, in engine/."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no C++ info banners on every start
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

__all__ = ["keras", "tf"]
