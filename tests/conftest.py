"""Test-wide settings: Qt draws offscreen (no display needed), TensorFlow stays quiet."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
