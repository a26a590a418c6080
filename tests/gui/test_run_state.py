"""The worker's vocabulary: how a refused study setting is told to the user."""

from engine.spec import SpecError
from gui.run_state import setting_error


def test_a_refused_setting_is_named_as_the_window_names_it():
    assert setting_error(SpecError("1 is out of range [2, 20]", field="folds")) == "folds: 1 is out of range [2, 20]"
    assert (setting_error(SpecError("no field 'nothing' here", field="param"), "network.nothing")
            == "field 'network.nothing': no field 'nothing' here")
    assert setting_error(SpecError("'x' is not a number", field="values"), "a.b") == "values: 'x' is not a number"
    # An error in the experiment itself names its field in the message already.
    plain = SpecError("network.hidden[0].dropout: 1.2 is out of range [0, 0.95]")
    assert setting_error(plain, "network.hidden[0].dropout") == str(plain)
