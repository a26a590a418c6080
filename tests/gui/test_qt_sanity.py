"""Guards against a broken Qt binding: PySide6 6.12.0 loses a reference to True on every signal emitted from
Python, and the process aborts (bool_dealloc) once the count reaches zero — within seconds of live training."""

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    sig_value = Signal(object)


def test_emitting_signals_does_not_leak_references():
    emitter = Emitter()
    received = []
    emitter.sig_value.connect(received.append)
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.sig_value.emit(emitter)
    assert len(received) == 200
    assert sys.getrefcount(True) - before > -5, "this PySide6 leaks references on emit: pin another version"


def test_calling_qt_methods_does_not_leak_none():
    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(200):
        obj.setObjectName("x")
    assert sys.getrefcount(None) - before > -5, "this PySide6 loses references to None: pin another version"
