"""The spec's errors: one line that says which field is wrong and what is allowed."""

from __future__ import annotations


class SpecError(ValueError):
    """An experiment, or a study setting, that cannot be used.

    An error in the experiment names its field in the message: ``network.hidden[1].dropout: 1.2 is out of range
    [0, 0.95]``. An error in a study setting carries the setting's name as ``field`` (``"param"``, ``"values"``,
    ``"seeds"`` or ``"folds"``: the keys of a lesson's study and the command line's flags) and a message that says
    only what is wrong (``1 is out of range [2, 20]``); whoever read the setting puts where it came from in front
    (``lesson.study.folds: …``, ``--folds: …``). A ``"param"`` message leaves out the path itself too.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field

    def __reduce__(self):  # field goes along when the error is pickled to another process
        return type(self), (str(self), self.field)


class NewerFormatError(SpecError):
    """A file from a newer RegLab: its format version (``"reglab"``) is above the one this RegLab reads."""
