"""Test-wide settings: Qt draws offscreen (no display needed), TensorFlow stays quiet, and a window's engine runs on
a thread of the test's own process (REGLAB_ENGINE=thread: an engine process per test window would cost each a
TensorFlow import). The engine process itself is tested where a test asks for it (tests/gui/test_engine_process.py,
the self-test)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("REGLAB_ENGINE", "thread")
