"""The one training error a study may meet and go on from, importable without TensorFlow (a study's parent process
may be a window that never loads it)."""


class TrainingDiverged(RuntimeError):
    """The loss or the weights became NaN/inf; the last finite weights were restored."""
