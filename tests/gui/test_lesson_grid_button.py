"""A lesson's study button with a two-field sweep: it starts the grid its study block names."""

from __future__ import annotations

from types import SimpleNamespace

from engine.spec import parse_values
from gui.studies.study_actions import StudyActions

LR, WD = "training.learning_rate", "training.weight_decay"


def pressed(study: dict) -> list[tuple]:
    """What the button asks for: the run_lesson_study of the Studies menu, with sweep() recording its call."""
    calls: list[tuple] = []
    actions = SimpleNamespace(sweep=lambda *args, **kwargs: calls.append((args, kwargs)),
                              show_message=lambda text: calls.append(("message", text)))
    StudyActions.run_lesson_study(actions, study)
    return calls


def test_a_two_field_lesson_sweep_starts_the_grid():
    study = {"kind": "sweep", "param": LR, "values": "0.001,0.01,0.1", "seeds": 2, "param2": WD,
             "values2": "1e-3:1:4"}
    assert pressed(study) == [((LR, [0.001, 0.01, 0.1], 2), {"path2": WD, "values2": parse_values("1e-3:1:4")})]


def test_a_one_field_lesson_sweep_starts_a_one_field_sweep():
    assert pressed({"kind": "sweep", "param": LR, "values": "0.001,0.01", "seeds": 1}) == [((LR, [0.001, 0.01], 1),
                                                                                           {})]
