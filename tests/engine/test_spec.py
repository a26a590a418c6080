"""The experiment spec: exact JSON round-trips, one-line validation errors with field paths, file loading, fuzzing."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from engine.spec import (
    SKLEARN_SETS,
    TOY_SETS,
    Experiment,
    HiddenLayer,
    Regularizer,
    SpecError,
    experiment_from_json,
    load_experiment,
)

# --------------------------------------------------------------------------- example specs and helpers

#: the example from the issue, verbatim
EXAMPLE_JSON = """
{"reglab": 1, "name": "Spiral, L2 + dropout",
 "data": {"kind": "toy", "name": "spiral", "samples": 400, "noise": 0.15, "validation": 0.3, "seed": 0},
 "network": {"input_dropout": 0.0, "hidden": [{"units": 16, "activation": "relu", "dropout": 0.2,
   "kernel_regularizer": {"l1": 0.0, "l2": 0.001}, "bias_regularizer": null, "activity_regularizer": null}]},
 "training": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "epochs": 300, "seed": 0}}
"""
EXAMPLE = json.loads(EXAMPLE_JSON)


def layer(units=16, activation="relu", dropout=0.0, kernel=None, bias=None, activity=None) -> dict:
    return {
        "units": units,
        "activation": activation,
        "dropout": dropout,
        "kernel_regularizer": kernel,
        "bias_regularizer": bias,
        "activity_regularizer": activity,
    }


def variant(**sections) -> dict:
    """The issue example with whole top-level sections replaced (data=..., network=..., ...)."""
    d = copy.deepcopy(EXAMPLE)
    d.update(copy.deepcopy(sections))
    return d


SKLEARN_DATA = {"kind": "sklearn", "name": "wine", "validation": 0.25, "seed": 3}
CSV_DATA = {"kind": "csv", "path": "data/houses.csv", "target": "price", "validation": 0.2, "seed": 7}
CSV_DATA_WITH_TASK = {**CSV_DATA, "task": "regression"}

NO_HIDDEN = {"input_dropout": 0.1, "hidden": []}
EIGHT_HIDDEN = {
    "input_dropout": 0.2,
    "hidden": [
        layer(1, "relu"),
        layer(512, "tanh", 0.95, kernel={"l1": 0.01, "l2": 0.0}),
        layer(64, "sigmoid", 0.5, kernel={"l1": 0.001, "l2": 0.002}, bias={"l1": 0.0, "l2": 0.0}),
        layer(32, "elu", 0.0, activity={"l1": 1000.0, "l2": 0.0}),
        layer(8, "gelu", 0.1, bias={"l1": 0.0, "l2": 1e-5}),
        layer(4, "linear"),
        layer(
            3,
            "relu",
            0.3,
            kernel={"l1": 0.1, "l2": 0.1},
            bias={"l1": 0.2, "l2": 0.0},
            activity={"l1": 0.0, "l2": 0.3},
        ),
        layer(2, "tanh"),
    ],
}
TWO_HIDDEN = {"input_dropout": 0.0, "hidden": [layer(16), layer(8, "tanh", 0.5)]}

#: valid specs covering every data kind and the layer-count extremes
VALID_SPECS = {
    "issue-example": EXAMPLE,
    "sklearn": variant(data=SKLEARN_DATA),
    "csv-without-task": variant(data=CSV_DATA),
    "csv-with-task": variant(data=CSV_DATA_WITH_TASK),
    "csv-classification": variant(data={**CSV_DATA, "task": "classification"}),
    "no-hidden-layers": variant(network=NO_HIDDEN),
    "eight-hidden-layers": variant(network=EIGHT_HIDDEN),
    "everything-at-its-bounds": variant(
        name="x" * 200,
        data={"kind": "toy", "name": "ripple", "samples": 10000, "noise": 1.0, "validation": 0.9, "seed": 2**31 - 1},
        network={"input_dropout": 0.95, "hidden": [layer(512, "linear", 0.95, kernel={"l1": 1000.0, "l2": 1000.0})]},
        training={"optimizer": "rmsprop", "learning_rate": 10, "batch_size": 8192, "epochs": 1_000_000, "seed": 0},
    ),
    "everything-at-its-lower-bounds": variant(
        name="",
        data={"kind": "toy", "name": "circle", "samples": 20, "noise": 0.0, "validation": 0.05, "seed": 0},
        network={"input_dropout": 0.0, "hidden": [layer(1, "sigmoid", 0.0, kernel={"l1": 0.0, "l2": 0.0})]},
        training={"optimizer": "sgd", "learning_rate": 1e-12, "batch_size": 1, "epochs": 1, "seed": 0},
    ),
}

DELETE = object()  # a value for with_value(): remove the key instead
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def with_value(base: dict, path: str, value: object) -> dict:
    """A deep copy of base with the value at a field path like ``network.hidden[0].units`` replaced (or deleted)."""
    keys = [int(index) if index else name for name, index in _TOKEN.findall(path)]
    d = copy.deepcopy(base)
    node = d
    for key in keys[:-1]:
        node = node[key]
    if value is DELETE:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return d


def expect_error(d: object, message: str, *, exact: bool = True) -> SpecError:
    """from_dict(d) raises SpecError with this one-line message (the whole message unless exact=False)."""
    pattern = f"^{re.escape(message)}$" if exact else re.escape(message)
    with pytest.raises(SpecError, match=pattern) as info:
        Experiment.from_dict(d)
    assert "\n" not in str(info.value)
    return info.value


def assert_round_trips(d: dict) -> None:
    """to_dict(from_dict(d)) == d, and once more is still the same (idempotent)."""
    out = Experiment.from_dict(d).to_dict()
    assert out == d
    assert Experiment.from_dict(out).to_dict() == out


# --------------------------------------------------------------------------- round trips


def test_issue_example_round_trips_exactly():
    exp = Experiment.from_dict(EXAMPLE)
    assert exp.to_dict() == EXAMPLE
    # The saved file keeps the documented key order, so files look like the docs.
    out = exp.to_dict()
    assert list(out) == list(EXAMPLE)
    assert list(out["data"]) == list(EXAMPLE["data"])
    assert list(out["network"]["hidden"][0]) == list(EXAMPLE["network"]["hidden"][0])
    assert list(out["training"]) == list(EXAMPLE["training"])


def test_issue_example_parses_into_the_right_dataclasses():
    exp = Experiment.from_dict(EXAMPLE)
    assert exp.name == "Spiral, L2 + dropout"
    assert (exp.data.kind, exp.data.name, exp.data.samples, exp.data.noise) == ("toy", "spiral", 400, 0.15)
    assert (exp.data.validation, exp.data.seed) == (0.3, 0)
    assert exp.network.input_dropout == 0.0
    assert exp.network.hidden == [
        HiddenLayer(units=16, activation="relu", dropout=0.2, kernel_regularizer=Regularizer(l1=0.0, l2=0.001))
    ]
    assert exp.network.hidden[0].kernel_regularizer.kind == "L2"
    assert exp.training.optimizer == "adam"
    assert (exp.training.learning_rate, exp.training.batch_size, exp.training.epochs) == (0.01, 32, 300)


@pytest.mark.parametrize("d", VALID_SPECS.values(), ids=VALID_SPECS.keys())
def test_valid_specs_round_trip_exactly(d):
    assert_round_trips(d)


@pytest.mark.parametrize("d", VALID_SPECS.values(), ids=VALID_SPECS.keys())
def test_json_text_round_trips(d):
    text = json.dumps(d)
    exp = experiment_from_json(text)
    saved = exp.to_json()
    assert saved.endswith("\n")
    assert json.loads(saved) == d
    assert experiment_from_json(saved) == exp


def test_issue_json_text_round_trips():
    assert json.loads(experiment_from_json(EXAMPLE_JSON).to_json()) == EXAMPLE


def test_csv_task_is_omitted_when_not_given():
    exp = Experiment.from_dict(variant(data=CSV_DATA))
    assert exp.data.task is None
    assert "task" not in exp.to_dict()["data"]
    assert exp.data.name == ""
    # An explicit null means the same: the saved file drops it.
    exp = Experiment.from_dict(with_value(variant(data=CSV_DATA), "data.task", None))
    assert exp.data.task is None
    assert exp.to_dict()["data"] == CSV_DATA


def test_csv_drop_missing_is_written_only_when_set():
    exp = Experiment.from_dict(variant(data=CSV_DATA))
    assert exp.data.drop_missing is False and "drop_missing" not in exp.to_dict()["data"]
    dropping = {**CSV_DATA_WITH_TASK, "drop_missing": True}
    exp = Experiment.from_dict(variant(data=dropping))
    assert exp.data.drop_missing is True
    assert exp.to_dict()["data"] == dropping  # exact round trip
    assert Experiment.from_dict(json.loads(exp.to_json())) == exp
    explicit_false = Experiment.from_dict(variant(data={**CSV_DATA, "drop_missing": False}))
    assert explicit_false.to_dict()["data"] == CSV_DATA


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**CSV_DATA, "drop_missing": "yes"}, "data.drop_missing: expected true or false"),
        ({**CSV_DATA, "drop_missing": 1}, "data.drop_missing: expected true or false"),
        ({**SKLEARN_DATA, "drop_missing": True}, "data.drop_missing: unknown field"),
    ],
)
def test_drop_missing_errors(data, message):
    with pytest.raises(SpecError, match=message):
        Experiment.from_dict(variant(data=data))


def test_sklearn_data_saves_only_its_fields():
    assert Experiment.from_dict(variant(data=SKLEARN_DATA)).to_dict()["data"] == SKLEARN_DATA


@pytest.mark.parametrize(
    "exp",
    [
        Experiment(),
        Experiment.from_dict({"reglab": 1}),
        Experiment.from_dict(variant(network=EIGHT_HIDDEN)),
        Experiment.from_dict(variant(data=CSV_DATA_WITH_TASK)),
    ],
    ids=["dataclass-defaults", "file-defaults", "eight-layers", "csv"],
)
def test_to_dict_from_dict_is_idempotent(exp):
    once = exp.to_dict()
    twice = Experiment.from_dict(once).to_dict()
    assert twice == once
    assert Experiment.from_dict(once) == exp


def test_missing_fields_take_defaults():
    exp = Experiment.from_dict({"reglab": 1})
    assert exp.to_dict() == {
        "reglab": 1,
        "name": "Untitled experiment",
        "data": {"kind": "toy", "name": "spiral", "samples": 400, "noise": 0.15, "validation": 0.3, "seed": 0},
        "network": {"input_dropout": 0.0, "hidden": []},  # a file without layers means no hidden layers
        "training": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "epochs": 300, "seed": 0},
    }
    # A layer and a regularizer with only some fields are completed too.
    d = variant(network={"hidden": [{"units": 4, "kernel_regularizer": {"l2": 0.5}}]})
    assert Experiment.from_dict(d).to_dict()["network"] == {
        "input_dropout": 0.0,
        "hidden": [layer(4, kernel={"l1": 0.0, "l2": 0.5})],
    }
    assert Experiment.from_dict(variant(data={"kind": "sklearn"})).data.name == "iris"


def test_whole_number_floats_become_ints_and_ints_become_floats():
    d = with_value(EXAMPLE, "network.hidden[0].units", 16.0)
    d = with_value(d, "training.epochs", 3e2)
    d = with_value(d, "data.noise", 0)
    exp = Experiment.from_dict(d)
    assert exp.network.hidden[0].units == 16 and type(exp.network.hidden[0].units) is int
    assert exp.training.epochs == 300 and type(exp.training.epochs) is int
    assert exp.data.noise == 0.0 and type(exp.data.noise) is float
    assert json.loads(exp.to_json())["network"]["hidden"][0]["units"] == 16


@pytest.mark.parametrize("name", TOY_SETS)
def test_every_toy_set_is_accepted(name):
    assert_round_trips(with_value(EXAMPLE, "data.name", name))


@pytest.mark.parametrize("name", SKLEARN_SETS)
def test_every_sklearn_set_is_accepted(name):
    assert_round_trips(variant(data={**SKLEARN_DATA, "name": name}))


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "elu", "gelu", "linear"])
def test_every_activation_is_accepted(activation):
    assert_round_trips(with_value(EXAMPLE, "network.hidden[0].activation", activation))


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_every_optimizer_is_accepted(optimizer):
    assert_round_trips(with_value(EXAMPLE, "training.optimizer", optimizer))


def test_from_dict_does_not_modify_its_input():
    d = variant(network=EIGHT_HIDDEN)
    before = copy.deepcopy(d)
    Experiment.from_dict(d).to_dict()["network"]["hidden"].clear()
    assert d == before


def test_copy_is_deep_and_equal():
    exp = Experiment.from_dict(EXAMPLE, base_dir="/somewhere")
    dup = exp.copy()
    assert dup == exp and dup.base_dir == "/somewhere"
    dup.network.hidden[0].kernel_regularizer.l2 = 0.5
    dup.network.hidden.append(HiddenLayer())
    assert exp.to_dict() == EXAMPLE


def test_base_dir_is_neither_saved_nor_compared():
    a = Experiment.from_dict(EXAMPLE, base_dir="/one")
    b = Experiment.from_dict(EXAMPLE, base_dir=Path("/two"))
    assert a == b
    assert a.base_dir == "/one" and b.base_dir == "/two"
    assert "base_dir" not in a.to_dict() and "base_dir" not in a.to_json()


@pytest.mark.parametrize(
    ("l1", "l2", "kind"),
    [(0.0, 0.0, "none"), (0.01, 0.0, "L1"), (0.0, 0.001, "L2"), (0.01, 0.001, "L1+L2"), (0, 0, "none")],
)
def test_regularizer_kind(l1, l2, kind):
    assert Regularizer(l1=l1, l2=l2).kind == kind
    parsed = Experiment.from_dict(with_value(EXAMPLE, "network.hidden[0].kernel_regularizer", {"l1": l1, "l2": l2}))
    assert parsed.network.hidden[0].kernel_regularizer.kind == kind


def test_regularizer_defaults_to_none():
    assert Regularizer().kind == "none"


# --------------------------------------------------------------------------- validation: format version and top level


@pytest.mark.parametrize(
    ("d", "message"),
    [
        pytest.param(
            with_value(EXAMPLE, "reglab", DELETE),
            'reglab: missing; an experiment file starts with "reglab": 1 (the format version)',
            id="missing",
        ),
        pytest.param(
            with_value(EXAMPLE, "reglab", 2),
            "reglab: format version 2 is newer than this RegLab reads (1); update RegLab",
            id="newer",
        ),
        pytest.param(
            # A newer file may have fields this version does not know: the version is what to report.
            with_value(with_value(EXAMPLE, "reglab", 3), "augmentation", {"flip": True}),
            "reglab: format version 3 is newer than this RegLab reads (1); update RegLab",
            id="newer-with-new-fields",
        ),
        pytest.param(
            with_value(EXAMPLE, "reglab", "1"),
            "reglab: expected the format version 1, got the text '1'",
            id="text",
        ),
        pytest.param(with_value(EXAMPLE, "reglab", 1.0), "reglab: expected the format version 1, got 1.0", id="float"),
        pytest.param(with_value(EXAMPLE, "reglab", True), "reglab: expected the format version 1, got true", id="bool"),
        pytest.param(with_value(EXAMPLE, "reglab", None), "reglab: expected the format version 1, got null", id="null"),
        pytest.param(
            with_value(EXAMPLE, "reglab", 0), "reglab: 0 is not a format version (this RegLab reads 1)", id="zero"
        ),
        pytest.param(
            with_value(EXAMPLE, "reglab", -1),
            "reglab: -1 is not a format version (this RegLab reads 1)",
            id="negative",
        ),
    ],
)
def test_format_version_errors(d, message):
    expect_error(d, message)


@pytest.mark.parametrize(
    ("d", "message"),
    [
        pytest.param([EXAMPLE], "the experiment: expected an object {...}, got a list", id="list"),
        pytest.param(None, "the experiment: expected an object {...}, got null", id="null"),
        pytest.param("reglab", "the experiment: expected an object {...}, got the text 'reglab'", id="text"),
        pytest.param(1, "the experiment: expected an object {...}, got 1", id="number"),
        pytest.param(True, "the experiment: expected an object {...}, got true", id="bool"),
    ],
)
def test_top_level_must_be_an_object(d, message):
    expect_error(d, message)


# --------------------------------------------------------------------------- validation: unknown fields

LAYER_FIELDS = ("activation, activity_regularizer, batch_norm, bias_regularizer, dropout, kernel_regularizer, "
                "max_norm, noise, units")


@pytest.mark.parametrize(
    ("base", "path", "message"),
    [
        (EXAMPLE, "colour",
         "colour: unknown field (allowed here: data, landscape, lesson, name, network, reglab, training)"),
        (
            EXAMPLE,
            "data.colour",
            "data.colour: unknown field (allowed here: kind, name, noise, samples, seed, test, validation)",
        ),
        (
            variant(data=SKLEARN_DATA),
            "data.samples",
            "data.samples: unknown field (allowed here: kind, name, seed, test, validation)",
        ),
        (
            variant(data=CSV_DATA),
            "data.name",
            "data.name: unknown field (allowed here: drop_missing, kind, path, seed, target, task, test, validation)",
        ),
        (
            variant(data=SKLEARN_DATA),
            "data.task",
            "data.task: unknown field (allowed here: kind, name, seed, test, validation)",
        ),
        (EXAMPLE, "network.colour",
         "network.colour: unknown field (allowed here: dropout_style, hidden, input_dropout, input_noise, output)"),
        (
            EXAMPLE,
            "network.hidden[0].colour",
            f"network.hidden[0].colour: unknown field (allowed here: {LAYER_FIELDS})",
        ),
        (
            variant(network=TWO_HIDDEN),
            "network.hidden[1].rate",
            f"network.hidden[1].rate: unknown field (allowed here: {LAYER_FIELDS})",
        ),
        (
            EXAMPLE,
            "network.hidden[0].kernel_regularizer.l3",
            "network.hidden[0].kernel_regularizer.l3: unknown field (allowed here: l1, l2)",
        ),
        (
            with_value(EXAMPLE, "network.hidden[0].bias_regularizer", {"l1": 0.1}),
            "network.hidden[0].bias_regularizer.L1",
            "network.hidden[0].bias_regularizer.L1: unknown field (allowed here: l1, l2)",
        ),
        (
            EXAMPLE,
            "training.momentum",
            "training.momentum: unknown field (allowed here: batch_size, early_stopping, epochs, label_smoothing, "
            "learning_rate, optimizer, seed, weight_decay)",
        ),
    ],
    ids=lambda x: x if isinstance(x, str) and " " not in x else None,
)
def test_unknown_fields_are_named_with_their_path(base, path, message):
    expect_error(with_value(base, path, 1), message)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("a\nb", "'a\\nb': unknown field (allowed here: data, landscape, lesson, name, network, reglab, training)"),
        ("data.x\ry", "data.'x\\ry': unknown field (allowed here: kind, name, noise, samples, seed, test, validation)"),
        (
            "training.\u2028",
            "training.'\\u2028': unknown field (allowed here: batch_size, early_stopping, epochs, label_smoothing, "
            "learning_rate, optimizer, seed, weight_decay)",
        ),
    ],
)
def test_unknown_field_with_a_line_break_in_its_name_keeps_the_message_on_one_line(path, message):
    expect_error(with_value(EXAMPLE, path, 1), message)


# --------------------------------------------------------------------------- validation: wrong types


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        # text, bool and null where a number is needed
        ("data.noise", "0.1", "data.noise: expected a number, got the text '0.1'"),
        ("training.learning_rate", True, "training.learning_rate: expected a number, got true"),
        ("network.input_dropout", False, "network.input_dropout: expected a number, got false"),
        ("network.input_dropout", None, "network.input_dropout: expected a number, got null"),
        (
            "network.hidden[0].kernel_regularizer.l2",
            None,
            "network.hidden[0].kernel_regularizer.l2: expected a number, got null",
        ),
        ("network.hidden[0].dropout", [0.2], "network.hidden[0].dropout: expected a number, got a list"),
        ("data.validation", {"value": 0.3}, "data.validation: expected a number, got an object"),
        # text, bool and fractions where a whole number is needed
        ("network.hidden[0].units", 16.5, "network.hidden[0].units: expected a whole number, got 16.5"),
        ("network.hidden[0].units", "16", "network.hidden[0].units: expected a whole number, got the text '16'"),
        ("training.epochs", True, "training.epochs: expected a whole number, got true"),
        ("training.batch_size", False, "training.batch_size: expected a whole number, got false"),
        ("data.samples", None, "data.samples: expected a whole number, got null"),
        ("data.seed", [0], "data.seed: expected a whole number, got a list"),
        # non-text where text is needed
        ("name", 5, "name: expected a string, got 5"),
        ("data.kind", ["toy"], "data.kind: expected a string, got a list"),
        ("data.name", None, "data.name: expected a string, got null"),
        ("network.hidden[0].activation", None, "network.hidden[0].activation: expected a string, got null"),
        ("training.optimizer", {"name": "adam"}, "training.optimizer: expected a string, got an object"),
        # lists, nulls and scalars where an object is needed
        ("data", [], "data: expected an object {...}, got a list"),
        ("data", None, "data: expected an object {...}, got null"),
        ("network", None, "network: expected an object {...}, got null"),
        ("network", [layer()], "network: expected an object {...}, got a list"),
        ("training", "adam", "training: expected an object {...}, got the text 'adam'"),
        ("network.hidden[0]", None, "network.hidden[0]: expected an object {...}, got null"),
        ("network.hidden[0]", 16, "network.hidden[0]: expected an object {...}, got 16"),
        ("network.hidden[0]", [16, "relu"], "network.hidden[0]: expected an object {...}, got a list"),
        (
            "network.hidden[0].kernel_regularizer",
            0.01,
            "network.hidden[0].kernel_regularizer: expected an object {...}, got 0.01",
        ),
        (
            "network.hidden[0].activity_regularizer",
            [0.0, 0.001],
            "network.hidden[0].activity_regularizer: expected an object {...}, got a list",
        ),
        (
            "network.hidden[0].bias_regularizer",
            "l2",
            "network.hidden[0].bias_regularizer: expected an object {...}, got the text 'l2'",
        ),
        # the layer list itself
        ("network.hidden", {"units": 16}, "network.hidden: expected a list of layers, got an object"),
        ("network.hidden", None, "network.hidden: expected a list of layers, got null"),
        ("network.hidden", 2, "network.hidden: expected a list of layers, got 2"),
        # long text is cut to 40 characters in the message
        ("data.noise", "n" * 100, f"data.noise: expected a number, got the text '{'n' * 40}'"),
    ],
)
def test_wrong_types_are_named_with_their_path(path, value, message):
    expect_error(with_value(EXAMPLE, path, value), message)


# --------------------------------------------------------------------------- validation: ranges

R = "network.hidden[0].kernel_regularizer"


@pytest.mark.parametrize(
    ("base", "path", "value", "message"),
    [
        (EXAMPLE, "network.hidden[0].units", 0, "network.hidden[0].units: 0 is out of range [1, 512]"),
        (EXAMPLE, "network.hidden[0].units", 513, "network.hidden[0].units: 513 is out of range [1, 512]"),
        (EXAMPLE, "network.hidden[0].units", -4, "network.hidden[0].units: -4 is out of range [1, 512]"),
        (EXAMPLE, "data.samples", 19, "data.samples: 19 is out of range [20, 10000]"),
        (EXAMPLE, "data.samples", 10001, "data.samples: 10001 is out of range [20, 10000]"),
        (EXAMPLE, "data.noise", -0.1, "data.noise: -0.1 is out of range [0, 1]"),
        (EXAMPLE, "data.noise", 1.5, "data.noise: 1.5 is out of range [0, 1]"),
        (EXAMPLE, "data.validation", 0.01, "data.validation: 0.01 is out of range [0.05, 0.9]"),
        (EXAMPLE, "data.validation", 0.95, "data.validation: 0.95 is out of range [0.05, 0.9]"),
        (EXAMPLE, "data.validation", 0, "data.validation: 0 is out of range [0.05, 0.9]"),
        (EXAMPLE, "data.seed", -1, "data.seed: -1 is out of range [0, 2147483647]"),
        (EXAMPLE, "network.input_dropout", 0.96, "network.input_dropout: 0.96 is out of range [0, 0.95]"),
        (EXAMPLE, "network.input_dropout", -0.1, "network.input_dropout: -0.1 is out of range [0, 0.95]"),
        (EXAMPLE, "network.hidden[0].dropout", 1, "network.hidden[0].dropout: 1 is out of range [0, 0.95]"),
        (
            variant(network=TWO_HIDDEN),
            "network.hidden[1].dropout",
            1.2,
            "network.hidden[1].dropout: 1.2 is out of range [0, 0.95]",
        ),
        (
            variant(network=EIGHT_HIDDEN),
            "network.hidden[7].units",
            1000,
            "network.hidden[7].units: 1000 is out of range [1, 512]",
        ),
        (EXAMPLE, f"{R}.l1", -0.001, f"{R}.l1: -0.001 is out of range [0, 1000]"),
        (EXAMPLE, f"{R}.l2", -1, f"{R}.l2: -1 is out of range [0, 1000]"),
        (EXAMPLE, f"{R}.l2", 1001, f"{R}.l2: 1001 is out of range [0, 1000]"),
        (
            with_value(EXAMPLE, "network.hidden[0].activity_regularizer", {"l1": 0.0, "l2": 0.0}),
            "network.hidden[0].activity_regularizer.l1",
            -2.5,
            "network.hidden[0].activity_regularizer.l1: -2.5 is out of range [0, 1000]",
        ),
        (EXAMPLE, "training.learning_rate", 0, "training.learning_rate: 0 is out of range (0, 10]"),
        (EXAMPLE, "training.learning_rate", 0.0, "training.learning_rate: 0 is out of range (0, 10]"),
        (EXAMPLE, "training.learning_rate", -0.01, "training.learning_rate: -0.01 is out of range (0, 10]"),
        (EXAMPLE, "training.learning_rate", 10.5, "training.learning_rate: 10.5 is out of range (0, 10]"),
        (EXAMPLE, "training.batch_size", 0, "training.batch_size: 0 is out of range [1, 8192]"),
        (EXAMPLE, "training.batch_size", 8193, "training.batch_size: 8193 is out of range [1, 8192]"),
        (EXAMPLE, "training.epochs", 0, "training.epochs: 0 is out of range [1, 1000000]"),
        (EXAMPLE, "training.epochs", 1_000_001, "training.epochs: 1000001 is out of range [1, 1000000]"),
        (EXAMPLE, "training.seed", 2**31, "training.seed: 2147483648 is out of range [0, 2147483647]"),
        # A value just past a bound is shown with all its digits, not rounded onto the bound.
        (EXAMPLE, "network.input_dropout", 0.9500001, "network.input_dropout: 0.9500001 is out of range [0, 0.95]"),
        (EXAMPLE, "training.learning_rate", 10.0000001, "training.learning_rate: 10.0000001 is out of range (0, 10]"),
        (EXAMPLE, f"{R}.l2", 1000.0001, f"{R}.l2: 1000.0001 is out of range [0, 1000]"),
        (EXAMPLE, "training.learning_rate", 1e-300 * -1, "training.learning_rate: -1e-300 is out of range (0, 10]"),
    ],
    ids=lambda x: x if isinstance(x, str) and " " not in x else None,
)
def test_out_of_range_values_name_path_and_range(base, path, value, message):
    expect_error(with_value(base, path, value), message)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("network.hidden[0].units", 1),
        ("network.hidden[0].units", 512),
        ("data.samples", 20),
        ("data.samples", 10000),
        ("training.learning_rate", 10),
        ("training.learning_rate", 10.0),
        ("training.learning_rate", 1e-9),
        ("network.hidden[0].dropout", 0.95),
        (f"{R}.l1", 1000),
        ("data.noise", -0.0),
    ],
)
def test_values_on_the_bounds_are_allowed(path, value):
    d = with_value(EXAMPLE, path, value)
    assert Experiment.from_dict(d).to_dict() == d


def test_nine_hidden_layers_is_too_many():
    d = variant(network={"input_dropout": 0.0, "hidden": [layer()] * 9})
    expect_error(d, "network.hidden: 9 layers is out of range [0, 8]")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("data.noise", float("nan"), "data.noise: nan is not a finite number"),
        ("data.validation", float("inf"), "data.validation: inf is not a finite number"),
        ("network.input_dropout", float("-inf"), "network.input_dropout: -inf is not a finite number"),
        ("training.learning_rate", float("nan"), "training.learning_rate: nan is not a finite number"),
        (f"{R}.l2", float("inf"), f"{R}.l2: inf is not a finite number"),
        ("network.hidden[0].units", float("nan"), "network.hidden[0].units: expected a whole number, got nan"),
        ("training.epochs", float("inf"), "training.epochs: expected a whole number, got inf"),
        ("data.seed", float("-inf"), "data.seed: expected a whole number, got -inf"),
        # An integer too big for a float (JSON allows it) is an error too, not an OverflowError.
        ("data.noise", 10**400, "data.noise: inf is not a finite number"),
        (f"{R}.l1", -(10**400), f"{R}.l1: -inf is not a finite number"),
    ],
    ids=lambda x: ("-" if x < 0 else "") + "10**400" if isinstance(x, int) and abs(x) > 10**300 else None,
)
def test_nan_and_infinity_are_rejected(path, value, message):
    expect_error(with_value(EXAMPLE, path, value), message)


def test_huge_whole_numbers_are_out_of_range_on_one_line():
    err = expect_error(with_value(EXAMPLE, "network.hidden[0].units", 1e300), "is out of range [1, 512]", exact=False)
    assert str(err).startswith("network.hidden[0].units: 1000000")
    expect_error(with_value(EXAMPLE, "training.epochs", 10**400), "is out of range [1, 1000000]", exact=False)


# --------------------------------------------------------------------------- validation: choices


@pytest.mark.parametrize(
    ("base", "path", "value", "message"),
    [
        (
            EXAMPLE,
            "network.hidden[0].activation",
            "relu6",
            "network.hidden[0].activation: 'relu6' is not one of relu, tanh, sigmoid, elu, gelu, linear",
        ),
        (
            EXAMPLE,
            "network.hidden[0].activation",
            "ReLU",
            "network.hidden[0].activation: 'ReLU' is not one of relu, tanh, sigmoid, elu, gelu, linear",
        ),
        (EXAMPLE, "training.optimizer", "adamw", "training.optimizer: 'adamw' is not one of adam, sgd, rmsprop"),
        (EXAMPLE, "data.kind", "image", "data.kind: 'image' is not one of toy, sklearn, csv"),
        # The data-set lists grow, so these messages are built from the published tuples.
        (EXAMPLE, "data.name", "mnist", f"data.name: 'mnist' is not one of {', '.join(TOY_SETS)}"),
        (
            variant(data=SKLEARN_DATA),
            "data.name",
            "spiral",
            f"data.name: 'spiral' is not one of {', '.join(SKLEARN_SETS)}",
        ),
        (
            variant(data=CSV_DATA),
            "data.task",
            "clustering",
            "data.task: 'clustering' is not one of classification, regression",
        ),
        (EXAMPLE, "training.optimizer", "a\nb", "training.optimizer: 'a\\nb' is not one of adam, sgd, rmsprop"),
    ],
)
def test_unknown_choices_list_the_allowed_ones(base, path, value, message):
    expect_error(with_value(base, path, value), message)


def test_published_choice_lists_hold_the_documented_sets():
    assert {"circle", "xor", "gaussian", "spiral", "moons", "plane", "ripple"} <= set(TOY_SETS)
    assert {"iris", "wine", "breast_cancer", "digits", "diabetes"} <= set(SKLEARN_SETS)


# --------------------------------------------------------------------------- validation: csv fields and text lengths


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("data.path", DELETE, "data.path: a CSV experiment needs the path of its CSV file"),
        ("data.path", "", "data.path: a CSV experiment needs the path of its CSV file"),
        ("data.path", 3, "data.path: expected a string, got 3"),
        ("data.target", DELETE, "data.target: name the CSV column to predict"),
        ("data.target", "", "data.target: name the CSV column to predict"),
        ("data.target", None, "data.target: expected a string, got null"),
        ("data.task", 1, "data.task: expected a string, got 1"),
        ("data.target", "t" * 501, "data.target: longer than 500 characters"),
        ("data.path", "p" * 4097, "data.path: longer than 4096 characters"),
    ],
)
def test_csv_field_errors(path, value, message):
    expect_error(with_value(variant(data=CSV_DATA), path, value), message)


def test_long_text_limits():
    expect_error(with_value(EXAMPLE, "name", "n" * 201), "name: longer than 200 characters")
    assert Experiment.from_dict(with_value(EXAMPLE, "name", "n" * 200)).name == "n" * 200
    d = with_value(variant(data=CSV_DATA), "data.path", "p" * 4096)
    assert Experiment.from_dict(d).to_dict() == d


# --------------------------------------------------------------------------- load_experiment and experiment_from_json


def test_load_experiment_reads_a_valid_file(tmp_path):
    path = tmp_path / "spiral.reglab.json"
    path.write_text(EXAMPLE_JSON, encoding="utf-8")
    for arg in (path, str(path)):
        exp = load_experiment(arg)
        assert exp.to_dict() == EXAMPLE
        assert exp.base_dir == str(tmp_path.resolve())


def test_saved_file_loads_back_equal(tmp_path):
    exp = Experiment.from_dict(variant(network=EIGHT_HIDDEN))
    path = tmp_path / "eight.json"
    path.write_text(exp.to_json(), encoding="utf-8")
    assert load_experiment(path) == exp


def test_load_experiment_resolves_a_relative_csv_path_against_the_file_folder(tmp_path, monkeypatch):
    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "houses.json").write_text(json.dumps(variant(data=CSV_DATA)), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a relative file name must still give an absolute base_dir
    exp = load_experiment(Path("experiments") / "houses.json")
    assert exp.base_dir == str(folder.resolve())
    assert exp.resolved_data_path() == folder.resolve() / "data" / "houses.csv"
    assert exp.to_dict()["data"]["path"] == "data/houses.csv"  # the file keeps the relative path


def test_resolved_data_path_keeps_absolute_paths_and_works_without_base_dir(tmp_path):
    absolute = str(tmp_path / "abs.csv")
    exp = Experiment.from_dict(with_value(variant(data=CSV_DATA), "data.path", absolute), base_dir="/elsewhere")
    assert exp.resolved_data_path() == Path(absolute)
    exp = Experiment.from_dict(variant(data=CSV_DATA))
    assert exp.base_dir == ""
    assert exp.resolved_data_path() == Path("data/houses.csv")


def test_load_experiment_missing_file(tmp_path):
    path = tmp_path / "nope.json"
    with pytest.raises(SpecError, match=f"^{re.escape(f'{path}: no such file')}$"):
        load_experiment(path)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"reglab": 1,\n  "name": }', "line 2, column 11: Expecting value"),
        ('{"reglab": 1, "name": "x",}', "line 1, column 27: "),  # the wording differs between Python versions
        ("", "line 1, column 1: Expecting value"),
        ('{"reglab": 1}\n{"reglab": 1}', "line 2, column 1: Extra data"),
    ],
)
def test_load_experiment_invalid_json_gives_line_and_column(tmp_path, text, where):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=f"^{re.escape(f'{path}: not valid JSON ({where}')}.*\\)$") as info:
        load_experiment(path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "text",
    ['{"reglab": ' + "1" * 5000 + "}", "[" * 100_000 + "]" * 100_000],
    ids=["integer-over-4300-digits", "nested-100000-deep"],
)
def test_json_that_python_cannot_decode_is_a_spec_error(tmp_path, text):
    path = tmp_path / "odd.json"
    path.write_text(text, encoding="utf-8")
    for load in (lambda: load_experiment(path), lambda: experiment_from_json(text)):
        with pytest.raises(SpecError, match="not valid JSON") as info:
            load()
        assert "\n" not in str(info.value)


def test_load_experiment_unreadable_files(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"reglab": 1, "name": "caf\xe9"}')
    with pytest.raises(SpecError, match=f"^{re.escape(str(path))}: cannot be read \\(") as info:
        load_experiment(path)
    assert "\n" not in str(info.value)
    with pytest.raises(SpecError, match=f"^{re.escape(str(tmp_path))}: cannot be read \\("):
        load_experiment(tmp_path)  # a folder


def test_load_experiment_reports_validation_errors_and_top_level_lists(tmp_path):
    path = tmp_path / "e.json"
    path.write_text(json.dumps(with_value(EXAMPLE, "training.batch_size", 0)), encoding="utf-8")
    with pytest.raises(SpecError, match=re.escape("training.batch_size: 0 is out of range [1, 8192]")):
        load_experiment(path)
    path.write_text(json.dumps([EXAMPLE]), encoding="utf-8")
    with pytest.raises(SpecError, match=re.escape("the experiment: expected an object {...}, got a list")):
        load_experiment(path)


def test_experiment_from_json():
    exp = experiment_from_json(EXAMPLE_JSON, base_dir=Path("/data/dir"))
    assert exp.to_dict() == EXAMPLE
    assert exp.base_dir == str(Path("/data/dir"))
    assert experiment_from_json(EXAMPLE_JSON).base_dir == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"reglab": 1, "name": "x"', "not valid JSON (line 1, column 26: Expecting ',' delimiter)"),
        ("{'reglab': 1}", "not valid JSON (line 1, column 2: Expecting property name enclosed in double quotes)"),
        ("[1, 2]", "the experiment: expected an object {...}, got a list"),
        ('"reglab"', "the experiment: expected an object {...}, got the text 'reglab'"),
        ("null", "the experiment: expected an object {...}, got null"),
        ('{"reglab": "1"}', "reglab: expected the format version 1, got the text '1'"),
        ('{"reglab": 2}', "reglab: format version 2 is newer than this RegLab reads (1); update RegLab"),
        # Python's json reads NaN and Infinity; the spec still refuses them.
        ('{"reglab": 1, "data": {"noise": NaN}}', "data.noise: nan is not a finite number"),
        (
            '{"reglab": 1, "training": {"learning_rate": -Infinity}}',
            "training.learning_rate: -inf is not a finite number",
        ),
        ('{"reglab": 1, "data": {"noise": 1' + "0" * 400 + "}}", "data.noise: inf is not a finite number"),
    ],
)
def test_experiment_from_json_errors(text, message):
    with pytest.raises(SpecError, match=f"^{re.escape(message)}$"):
        experiment_from_json(text)


# The property-based tests (hypothesis) of the parser are in test_properties.py.


# --------------------------------------------------------------------------- early stopping (optional field)


def test_early_stopping_round_trips_and_is_omitted_when_off():
    d = copy.deepcopy(EXAMPLE)
    d["training"]["early_stopping"] = {"patience": 15, "restore_best_weights": False}
    exp = Experiment.from_dict(d)
    assert exp.training.early_stopping.patience == 15 and not exp.training.early_stopping.restore_best_weights
    assert exp.to_dict() == d
    assert "early_stopping" not in Experiment.from_dict(EXAMPLE).to_dict()["training"]


@pytest.mark.parametrize(("value", "message"), [
    ({"patience": 0}, "training.early_stopping.patience: 0 is out of range [1, 100000]"),
    ({"restore_best_weights": "yes"}, "training.early_stopping.restore_best_weights: expected true or false"),
    ({"monitor": "loss"}, "training.early_stopping.monitor: unknown field"),
    (5, "training.early_stopping: expected an object"),
])
def test_early_stopping_errors(value, message):
    d = copy.deepcopy(EXAMPLE)
    d["training"]["early_stopping"] = value
    with pytest.raises(SpecError, match=re.escape(message)):
        Experiment.from_dict(d)


# --------------------------------------------------------------------------- lesson (optional block)

LESSON = {"title": "Over-fitting", "text": "A big network learns the noise.", "look_at": "The gap."}
SWEEP_STUDY = {"kind": "sweep", "param": "network.hidden[*].dropout", "values": "0,0.1,0.2,0.3,0.5,0.7", "seeds": 1}
CV_STUDY = {"kind": "cv", "folds": 5}


def with_lesson(lesson: object) -> dict:
    d = copy.deepcopy(EXAMPLE)
    d["lesson"] = copy.deepcopy(lesson)
    return d


@pytest.mark.parametrize("lesson", [LESSON, {**LESSON, "study": SWEEP_STUDY}, {**LESSON, "study": CV_STUDY}],
                         ids=["no-study", "sweep", "cv"])
def test_lesson_round_trips_exactly(lesson):
    from engine.spec import Lesson

    d = with_lesson(lesson)
    exp = Experiment.from_dict(d)
    assert exp.lesson == Lesson(title=lesson["title"], text=lesson["text"], look_at=lesson["look_at"],
                                study=lesson.get("study"))
    assert_round_trips(d)
    assert Experiment.from_dict(exp.to_dict()) == exp
    assert experiment_from_json(exp.to_json()) == exp
    assert list(exp.to_dict()) == ["reglab", "name", "lesson", "data", "network", "training"]  # title first in a file


def test_lesson_is_omitted_when_absent_or_null():
    assert Experiment.from_dict(EXAMPLE).lesson is None
    assert "lesson" not in Experiment.from_dict(EXAMPLE).to_dict()
    exp = Experiment.from_dict(with_lesson(None))
    assert exp.lesson is None and exp.to_dict() == EXAMPLE
    assert "lesson" not in Experiment().to_dict()


def test_lesson_built_in_python_round_trips_and_a_study_is_a_copy():
    from engine.spec import Lesson

    study = dict(SWEEP_STUDY)
    exp = Experiment(lesson=Lesson("Title", "Text.", "Look.", study))
    d = exp.to_dict()
    assert d["lesson"] == {"title": "Title", "text": "Text.", "look_at": "Look.", "study": SWEEP_STUDY}
    assert Experiment.from_dict(d) == exp
    d["lesson"]["study"]["seeds"] = 3  # the dict out is not the lesson's own
    assert exp.lesson.study == SWEEP_STUDY
    assert "study" not in Experiment(lesson=Lesson("T", "x", "y")).to_dict()["lesson"]


def test_study_defaults_are_completed_and_saved():
    exp = Experiment.from_dict(with_lesson({**LESSON, "study": {"kind": "cv"}}))
    assert exp.lesson.study == {"kind": "cv", "folds": 5}
    sweep = {"kind": "sweep", "param": "training.learning_rate", "values": "1e-4:1e-1:4"}
    exp = Experiment.from_dict(with_lesson({**LESSON, "study": sweep}))
    assert exp.lesson.study == {**sweep, "seeds": 1}
    exp = Experiment.from_dict(with_lesson({**LESSON, "study": {"kind": "cv", "folds": 10.0}}))
    assert exp.lesson.study["folds"] == 10 and isinstance(exp.lesson.study["folds"], int)


def test_the_lesson_does_not_change_what_trains():
    from engine.spec import Lesson, live_fields_differ_only

    plain = Experiment.from_dict(EXAMPLE)
    taught = plain.copy()
    taught.lesson = Lesson("T", "x", "y", {"kind": "cv", "folds": 5})
    assert live_fields_differ_only(plain, taught) and live_fields_differ_only(taught, plain)
    taught.lesson = None
    assert taught == plain


@pytest.mark.parametrize(
    ("lesson", "message"),
    [
        (5, "lesson: expected an object {...}, got 5"),
        ([], "lesson: expected an object {...}, got a list"),
        ({"text": "x", "look_at": "y"},
         "lesson.title: missing; a lesson needs a title, a text and what to look at (look_at)"),
        ({"title": "t", "look_at": "y"},
         "lesson.text: missing; a lesson needs a title, a text and what to look at (look_at)"),
        ({"title": "t", "text": "x"},
         "lesson.look_at: missing; a lesson needs a title, a text and what to look at (look_at)"),
        ({**LESSON, "title": ""}, "lesson.title: must not be empty"),
        ({**LESSON, "text": " \n "}, "lesson.text: must not be empty"),
        ({**LESSON, "look_at": None}, "lesson.look_at: expected a string, got null"),
        ({**LESSON, "title": 5}, "lesson.title: expected a string, got 5"),
        ({**LESSON, "title": "x" * 201}, "lesson.title: longer than 200 characters"),
        ({**LESSON, "text": "x" * 2001}, "lesson.text: longer than 2000 characters"),
        ({**LESSON, "look_at": "x" * 1001}, "lesson.look_at: longer than 1000 characters"),
        ({**LESSON, "colour": "red"}, "lesson.colour: unknown field (allowed here: look_at, study, text, title)"),
        ({**LESSON, "study": "cv"}, "lesson.study: expected an object {...}, got the text 'cv'"),
        ({**LESSON, "study": {}}, "lesson.study.kind: missing; one of sweep, cv, compare, path"),
        ({**LESSON, "study": {"kind": "dropconnect"}},
         "lesson.study.kind: 'dropconnect' is not one of sweep, cv, compare, path"),
        ({**LESSON, "study": {"kind": "compare", "folds": 3}},
         "lesson.study.folds: unknown field (allowed here: kind, variants)"),
        ({**LESSON, "study": {"kind": 1}}, "lesson.study.kind: expected a string, got 1"),
        ({**LESSON, "study": {"kind": "cv", "folds": 1}}, "lesson.study.folds: 1 is out of range [2, 20]"),
        ({**LESSON, "study": {"kind": "cv", "folds": 21}}, "lesson.study.folds: 21 is out of range [2, 20]"),
        ({**LESSON, "study": {"kind": "cv", "folds": 2.5}}, "lesson.study.folds: expected a whole number, got 2.5"),
        ({**LESSON, "study": {"kind": "cv", "folds": "5"}},
         "lesson.study.folds: expected a whole number, got the text '5'"),
        ({**LESSON, "study": {**CV_STUDY, "param": "network.input_dropout"}},
         "lesson.study.param: unknown field (allowed here: folds, kind)"),
        ({**LESSON, "study": {"kind": "sweep", "values": "0,0.5"}},
         "lesson.study.param: missing; a sweep names the field (param) and its values"),
        ({**LESSON, "study": {"kind": "sweep", "param": "network.input_dropout"}},
         "lesson.study.values: missing; a sweep names the field (param) and its values"),
        ({**LESSON, "study": {**SWEEP_STUDY, "param": 3}}, "lesson.study.param: expected a string, got 3"),
        ({**LESSON, "study": {**SWEEP_STUDY, "param": "network hidden"}},
         "lesson.study.param: 'network hidden' is not a field path like network.hidden[*].dropout"),
        ({**LESSON, "study": {**SWEEP_STUDY, "param": ""}},
         "lesson.study.param: '' is not a field path like network.hidden[*].dropout"),
        ({**LESSON, "study": {**SWEEP_STUDY, "values": 0.5}}, "lesson.study.values: expected a string, got 0.5"),
        ({**LESSON, "study": {**SWEEP_STUDY, "values": "a,b"}},
         "lesson.study.values: 'a,b' is neither a list like 0,0.2,0.5 nor a log range like 1e-5:1:7 "
         "(start:stop:count, start and stop finite and > 0, count 2 to 1000)"),
        ({**LESSON, "study": {**SWEEP_STUDY, "values": "0:1:5"}},
         "lesson.study.values: '0:1:5' is neither a list like 0,0.2,0.5 nor a log range like 1e-5:1:7 "
         "(start:stop:count, start and stop finite and > 0, count 2 to 1000)"),
        ({**LESSON, "study": {**SWEEP_STUDY, "values": " , "}}, "lesson.study.values: ',' has no usable numbers"),
        ({**LESSON, "study": {**SWEEP_STUDY, "values": "1e-5:1:1000000000000"}},
         "lesson.study.values: more than 50 values; a lesson's sweep needs a few"),
        ({**LESSON, "study": {**SWEEP_STUDY, "values": "1e-5:1:" + "9" * 400}},
         "lesson.study.values: more than 50 values; a lesson's sweep needs a few"),
        ({**LESSON, "study": {**SWEEP_STUDY, "values": ",".join(["0.1"] * 51)}},
         "lesson.study.values: more than 50 values; a lesson's sweep needs a few"),
        ({**LESSON, "study": {**SWEEP_STUDY, "seeds": 0}}, "lesson.study.seeds: 0 is out of range [1, 20]"),
        ({**LESSON, "study": {**SWEEP_STUDY, "seeds": 21}}, "lesson.study.seeds: 21 is out of range [1, 20]"),
        ({**LESSON, "study": {**SWEEP_STUDY, "folds": 5}},
         "lesson.study.folds: unknown field (allowed here: kind, param, seeds, values)"),
    ],
)
def test_lesson_errors_name_the_field(lesson, message):
    expect_error(with_lesson(lesson), message)


def test_a_bad_lesson_in_a_file_names_the_file_and_field(tmp_path):
    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(with_lesson({**LESSON, "study": {"kind": "cv", "folds": 30}})), encoding="utf-8")
    with pytest.raises(SpecError, match=r"^lesson\.study\.folds: 30 is out of range \[2, 20\]$"):
        load_experiment(path)


# --------------------------------------------------------------------------- regressions found by test_properties.py


@pytest.mark.parametrize("values", ["nan:1:3", "inf:1:5", "1:inf:3", "1:1e999:3"])
def test_a_lesson_sweep_with_values_that_are_not_finite_is_refused(values):
    """These passed validation and would have swept NaN or inf (numpy's geomspace of inf)."""
    study = {**SWEEP_STUDY, "values": values}
    expect_error(
        with_lesson({**LESSON, "study": study}),
        f"lesson.study.values: {values!r} gives values that are not finite numbers; "
        "use finite numbers like 0,0.2,0.5 or 1e-5:1:7",
    )


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("training.epochs", 10**5000, "training.epochs: a whole number with about 5001 digits is out of range"),
        ("name", -(10**5000), "name: expected a string, got a negative whole number with about 5001 digits"),
        ("reglab", 10**5000, "reglab: format version a whole number with about 5001 digits is newer"),
    ],
    ids=["epochs", "name", "reglab"],
)
def test_whole_numbers_too_long_for_str_are_a_spec_error(path, value, message):
    """A Python int over 4300 digits (JSON text cannot hold one, from_dict can) made str() raise ValueError."""
    expect_error(with_value(EXAMPLE, path, value), message, exact=False)


def test_load_experiment_accepts_a_byte_order_mark(tmp_path):
    """Windows editors may save UTF-8 with a BOM; it was refused as 'Unexpected UTF-8 BOM'."""
    path = tmp_path / "bom.json"
    path.write_text("\ufeff" + EXAMPLE_JSON, encoding="utf-8")
    assert load_experiment(path).to_dict() == EXAMPLE
