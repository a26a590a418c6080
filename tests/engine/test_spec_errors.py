"""Errors as data: a study setting's error names the setting in ``field`` and only its reader adds a prefix; a file
from a newer RegLab is a NewerFormatError. And the engine's structure: the spec is a leaf, files stay short."""

import ast
import json
import pickle
from pathlib import Path

import pytest

from engine import cli
from engine.spec import (
    MAX_SWEEP_SEEDS,
    SKLEARN_SETS,
    TOY_SETS,
    Experiment,
    NewerFormatError,
    SpecError,
    experiment_from_json,
    load_experiment,
    parse_values,
    set_path,
)
from engine.studies.crossval import cross_validate
from engine.studies.sweep import run_sweep

ENGINE = Path(__file__).resolve().parents[2] / "engine"
TWO_LAYERS = {
    "reglab": 1,
    "data": {"kind": "toy", "name": "moons", "samples": 40, "seed": 3},
    "network": {"hidden": [{"units": 4}, {"units": 3}]},
    "training": {"epochs": 2},
}
NOT_VALUES = ("'a,b' is neither a list like 0,0.2,0.5 nor a log range like 1e-5:1:7 "
              "(start:stop:count, start and stop finite and > 0, count 2 to 1000)")


def caught(call, *args) -> SpecError:
    with pytest.raises(SpecError) as info:
        call(*args)
    return info.value


# ---------------------------------------------------------------------------- the engine's words


def test_a_value_list_error_is_plain_and_names_its_setting_as_data():
    error = caught(parse_values, "a,b")
    assert (str(error), error.field) == (NOT_VALUES, "values")


@pytest.mark.parametrize(("path", "message"), [
    ("network.hidden[5].dropout", "hidden[5] does not exist (2 layers)"),
    ("network.hidden[0].droput", "no field 'droput' here"),
    ("network.hidden[0].units.x", "no field 'x' here"),
    ("network.Hidden.dropout", "'Hidden' is not a field name"),
    ("network.hidden[*]", "the last part must be a number field"),
    ("training[0].epochs", "training is not a list"),
])
def test_a_path_error_is_plain_and_names_its_setting_as_data(path, message):
    error = caught(set_path, Experiment.from_dict(TWO_LAYERS), path, 0.5)
    assert (str(error), error.field) == (message, "param")


def test_a_value_the_field_does_not_allow_is_an_error_of_the_experiment():
    error = caught(set_path, Experiment.from_dict(TWO_LAYERS), "network.hidden[1].dropout", 1.2)
    assert (str(error), error.field) == ("network.hidden[1].dropout: 1.2 is out of range [0, 0.95]", None)


def test_fold_and_seed_counts_are_refused_before_any_data_loads():
    exp = Experiment.from_dict({**TWO_LAYERS, "data": {"kind": "csv", "path": "missing.csv", "target": "y"}})
    folds = caught(cross_validate, exp, 1)
    seeds = caught(run_sweep, exp, "network.hidden[0].dropout", [0.1], MAX_SWEEP_SEEDS + 1)
    assert (str(folds), folds.field) == ("1 is out of range [2, 20]", "folds")
    assert (str(seeds), seeds.field) == ("21 is out of range [1, 20]", "seeds")


def test_the_field_survives_pickling():
    error = pickle.loads(pickle.dumps(caught(parse_values, "a,b")))
    assert (type(error), str(error), error.field) == (SpecError, NOT_VALUES, "values")


# ---------------------------------------------------------------------------- each reader's prefix


def run_cli(tmp_path, capsys, *args) -> tuple[int, str]:
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(TWO_LAYERS), encoding="utf-8")
    code = cli.main([args[0], str(path), *args[1:]])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("args", "line"), [
    (("sweep", "--param", "network.hidden[0].dropout", "--values", "a,b"), f"reglab: --values: {NOT_VALUES}"),
    (("sweep", "--param", "network.hidden[5].dropout", "--values", "0.1"),
     "reglab: --param: 'network.hidden[5].dropout': hidden[5] does not exist (2 layers)"),
    (("sweep", "--param", "network.hidden[0].dropout", "--values", "2"),
     "reglab: network.hidden[0].dropout: 2 is out of range [0, 0.95]"),
    (("sweep", "--param", "network.hidden[0].dropout", "--values", "0.1", "--seeds", "0"),
     "reglab: --seeds: 0 is out of range [1, 20]"),
    (("cv", "--folds", "41"), "reglab: --folds: 41 is out of range [2, 20]"),
])
def test_the_command_line_puts_its_flag_in_front(tmp_path, capsys, args, line):
    assert run_cli(tmp_path, capsys, *args) == (2, line + "\n")


def test_a_lesson_puts_its_field_in_front():
    lesson = {"title": "t", "text": "x", "look_at": "y",
              "study": {"kind": "sweep", "param": "network.hidden[*].dropout", "values": "a,b"}}
    error = caught(experiment_from_json, json.dumps({**TWO_LAYERS, "lesson": lesson}))
    assert (str(error), error.field) == (f"lesson.study.values: {NOT_VALUES}", None)


# ---------------------------------------------------------------------------- a newer file


@pytest.mark.parametrize(("version", "newer"), [(2, True), (0, False), ("1", False)])
def test_only_a_file_from_a_newer_reglab_is_a_newer_format_error(tmp_path, version, newer):
    path = tmp_path / "exp.json"
    path.write_text(json.dumps({**TWO_LAYERS, "reglab": version}), encoding="utf-8")
    error = caught(load_experiment, path)
    assert isinstance(error, NewerFormatError) == newer
    assert str(error).startswith("reglab: format version 2 is newer than" if newer else "reglab: ")


# ---------------------------------------------------------------------------- structure


def engine_imports(path: Path) -> set[str]:
    """The engine modules a file imports, at its top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return {name for name in found if name == "engine" or name.startswith("engine.")}


def test_the_spec_imports_nothing_else_of_the_engine():
    files = sorted((ENGINE / "spec").glob("*.py"))
    assert len(files) > 1
    outside = {f"{path.name}: {name}" for path in files for name in engine_imports(path)
               if not name.startswith("engine.spec")}
    assert outside == set()


def test_engine_files_stay_under_500_lines():
    long = {str(path.relative_to(ENGINE)): n for path in ENGINE.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}


def test_every_toy_and_bundled_set_the_spec_offers_has_a_maker():
    from engine.data.bundled import SKLEARN_TARGETS, TOY_MAKERS

    assert (set(TOY_MAKERS), set(SKLEARN_TARGETS)) == (set(TOY_SETS), set(SKLEARN_SETS))
