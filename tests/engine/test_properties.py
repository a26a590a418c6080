"""Property-based tests (hypothesis) for everything that reads user input: the spec parser (any JSON value, any
JSON text, any file), the CSV loader and the CSV inspector (any bytes, any table). Each example must end in a
valid result or one clear one-line SpecError (DataError is one); any other exception is a bug.

Every test runs PROPERTY_SETTINGS: 500 examples, derandomized (the same examples on every run and machine, so a
failure in CI reproduces locally), no deadline; all of them together take well under a minute on two cores.
REGLAB_PROPERTY_EXAMPLES=N runs N random (not derandomized) examples per test instead, for a longer hunt.
"""

from __future__ import annotations

import copy
import json
import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_spec import CSV_DATA_WITH_TASK, CV_STUDY, EXAMPLE, LESSON, SWEEP_STUDY, VALID_SPECS, layer, with_lesson

from engine.data import Dataset, load_dataset, load_table
from engine.data.csv_inspect import CsvReport, inspect_csv, read_frame
from engine.spec import (
    ACTIVATIONS,
    OPTIMIZERS,
    SKLEARN_SETS,
    TOY_SETS,
    Data,
    Experiment,
    SpecError,
    experiment_from_json,
    load_experiment,
    parse_values,
)

#: a longer, random hunt for bugs: REGLAB_PROPERTY_EXAMPLES=20000 pytest tests/engine/test_properties.py
SOAK_EXAMPLES = int(os.environ.get("REGLAB_PROPERTY_EXAMPLES", "0"))
#: the one place the property tests are configured
PROPERTY_SETTINGS = settings(
    max_examples=SOAK_EXAMPLES or 500,
    deadline=None,
    derandomize=not SOAK_EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_clear_error(exc: SpecError) -> None:
    """A SpecError for the user: one non-empty line, no traceback, no Python internals."""
    message = str(exc)
    assert isinstance(exc, SpecError), repr(exc)
    assert message.strip(), repr(exc)
    assert len(message.splitlines()) == 1, repr(message)  # also catches \r, \x0b, \u2028 ...
    assert "Traceback" not in message and 'File "' not in message, repr(message)


@contextmanager
def file_with(content: bytes, name: str = "data.csv"):
    """A fresh temporary file per example (pytest's tmp_path is shared by all examples of a test)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        yield path


# =========================================================================== the spec parser

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([0, 1, -1, 2, 2**31, 2**63, 10**400, -(10**400)])  # beyond int64 and beyond float range
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
#: every field name the spec knows, at any level
FIELD_NAMES = sorted(
    {
        *EXAMPLE, *EXAMPLE["data"], *CSV_DATA_WITH_TASK, "drop_missing", *EXAMPLE["network"], "dropout_style",
        *layer(), "l1", "l2", *EXAMPLE["training"], "early_stopping", "patience", "restore_best_weights",
        "lesson", *LESSON, "study", *SWEEP_STUDY, *CV_STUDY,
    }
)
KEYS = st.text(max_size=12) | st.sampled_from(FIELD_NAMES)
#: any JSON value: scalars, lists and objects nested at any level, objects often with the spec's field names
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=25,
)
#: numbers near the bounds, so mutations also land just inside and just outside the ranges
EDGE_NUMBERS = st.sampled_from(
    [0, 1, -1, 0.0, -0.0, 0.05, 0.9, 0.95, 0.951, 1.0, 10, 10.0, 10.5, 16.0, 19, 20, 512, 513, 8192, 1e-9, 1e300]
)
#: strings the spec knows, so a mutation can switch a data kind, a name or a choice
KNOWN_WORDS = st.sampled_from(
    ["toy", "sklearn", "csv", "spiral", "iris", "relu", "adam", "regression", "classification", "x.csv", "classic",
     "inverted", "sweep", "cv", "compare", "network.hidden[*].dropout", "0,0.5", "1e-5:1:7", "1:2:100000000", "",
     "nan:1:3", "inf:1:5", "1:1e999:3", "1e-5:1:1e3"]
)
ANY_VALUE = JSON_VALUES | EDGE_NUMBERS | KNOWN_WORDS
DELETE = object()


def check_spec(d: object) -> None:
    """from_dict either gives an experiment that round-trips, or a one-line SpecError; nothing else."""
    try:
        exp = Experiment.from_dict(d)
    except SpecError as exc:
        assert_clear_error(exc)
        return
    study = exp.lesson.study if exp.lesson else None
    if study and study["kind"] == "sweep":  # a valid lesson's sweep gives usable values
        assert all(math.isfinite(v) for v in parse_values(study["values"]))
    out = exp.to_dict()
    again = Experiment.from_dict(out)
    assert again == exp
    assert again.to_dict() == out
    assert json.loads(exp.to_json()) == out


def check_spec_text(load) -> None:
    """``load()`` (JSON text or a file) gives an experiment or a one-line SpecError."""
    try:
        exp = load()
    except SpecError as exc:
        assert_clear_error(exc)
        return
    assert isinstance(exp, Experiment)
    assert Experiment.from_dict(exp.to_dict()) == exp


def _slots(node: object, path: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys and indices) to a value nested in node."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        out.append((*path, key))
        out.extend(_slots(child, (*path, key)))
    return out


def _dict_paths(node: object, path: tuple = ()) -> list[tuple]:
    """Every path to a dict (including the root) nested in node."""
    out = [path] if isinstance(node, dict) else []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        out.extend(_dict_paths(child, (*path, key)))
    return out


def _get(node: object, path: tuple) -> object:
    for key in path:
        node = node[key]
    return node


def _mutate(draw, d: dict, extra_keys: list[str]) -> dict:
    """One to four random edits of d at any level: replace a value by any JSON value, delete one, add a key."""
    for _ in range(draw(st.integers(1, 4))):
        slots = _slots(d)
        action = draw(st.sampled_from(["replace", "delete", "add"] if slots else ["add"]))
        if action == "add":
            target = _get(d, draw(st.sampled_from(_dict_paths(d))))
            target[draw(st.text(max_size=12) | st.sampled_from(extra_keys))] = draw(ANY_VALUE)
            continue
        *parent, key = draw(st.sampled_from(slots))
        container = _get(d, tuple(parent))
        if action == "delete":
            del container[key]
        else:
            container[key] = draw(ANY_VALUE)
    return d


@st.composite
def mutated_specs(draw) -> dict:
    """A valid spec (every data kind, lesson, early stopping) with a few nested values replaced, deleted or added."""
    d = copy.deepcopy(draw(st.sampled_from(list(VALID_SPECS.values()))))
    if draw(st.booleans()):
        d["lesson"] = {**LESSON, "study": copy.deepcopy(draw(st.sampled_from([SWEEP_STUDY, CV_STUDY])))}
    if draw(st.booleans()):
        d["training"]["early_stopping"] = {"patience": 5, "restore_best_weights": False}
    return _mutate(draw, d, ["task", "path", "target", "name", "samples", "folds", "param", "values", "seeds",
                             "kind", "drop_missing", "dropout_style"])


#: plus what only Python can pass to from_dict: a whole number too long for str() (over 4300 digits)
LOOSE_VALUES = ANY_VALUE | st.sampled_from([*TOY_SETS, *SKLEARN_SETS, *ACTIVATIONS, *OPTIMIZERS, 10**5000, -(10**5000)])
#: objects with the right field names and random values of any type: reach the checks of every field
LOOSE_OBJECTS = st.dictionaries(st.sampled_from(FIELD_NAMES), LOOSE_VALUES, max_size=8)
LOOSE_LAYERS = st.dictionaries(
    st.sampled_from(FIELD_NAMES), LOOSE_VALUES | st.dictionaries(st.sampled_from(["l1", "l2"]), LOOSE_VALUES),
    max_size=8,
)
LOOSE_SPECS = st.fixed_dictionaries(
    {"reglab": st.just(1) | JSON_SCALARS},
    optional={
        "name": LOOSE_VALUES,
        "lesson": LOOSE_OBJECTS | st.fixed_dictionaries({**{k: st.just(v) for k, v in LESSON.items()},
                                                         "study": LOOSE_OBJECTS}),
        "data": LOOSE_OBJECTS,
        "network": st.fixed_dictionaries(
            {}, optional={"input_dropout": LOOSE_VALUES, "hidden": st.lists(LOOSE_LAYERS, max_size=9) | LOOSE_VALUES,
                          "dropout_style": LOOSE_VALUES}
        ),
        "training": LOOSE_OBJECTS | st.fixed_dictionaries({}, optional={"early_stopping": LOOSE_OBJECTS}),
    },
)


@PROPERTY_SETTINGS
@given(JSON_VALUES)
def test_arbitrary_json_values_never_crash(value):
    check_spec(value)


@PROPERTY_SETTINGS
@given(LOOSE_SPECS)
def test_specs_with_known_fields_and_random_values_never_crash(d):
    check_spec(d)


@PROPERTY_SETTINGS
@given(mutated_specs())
def test_mutated_valid_specs_never_crash(d):
    check_spec(d)


#: JSON-like text: valid JSON of random values, specs with a few characters changed, and plain random text
JSON_TEXTS = st.one_of(
    JSON_VALUES.map(json.dumps),
    mutated_specs().map(json.dumps),
    st.tuples(mutated_specs().map(json.dumps), st.integers(0, 10_000), st.text(max_size=3)).map(
        lambda t: t[0][: t[1] % (len(t[0]) + 1)] + t[2] + t[0][t[1] % (len(t[0]) + 1) + 1:]
    ),
    st.text(max_size=60),
    st.sampled_from(["[" * 100_000, '{"a":' * 50_000, '{"reglab": 1' + "0" * 5000 + "}", "NaN", "-Infinity", ""]),
)


@PROPERTY_SETTINGS
@given(JSON_TEXTS)
def test_arbitrary_json_text_never_crashes(text):
    check_spec_text(lambda: experiment_from_json(text))


#: file contents: the texts above in UTF-8 (sometimes with a BOM), in other encodings, and raw bytes
SPEC_FILES = st.one_of(
    st.tuples(JSON_TEXTS, st.sampled_from(["", "\ufeff"])).map(lambda t: (t[1] + t[0]).encode("utf-8", "replace")),
    st.tuples(mutated_specs().map(json.dumps), st.sampled_from(["latin-1", "utf-16", "cp1252"])).map(
        lambda t: t[0].encode(t[1], "replace")
    ),
    st.binary(max_size=200),
)


@PROPERTY_SETTINGS
@given(SPEC_FILES)
def test_arbitrary_spec_files_never_crash(content):
    with file_with(content, "experiment.json") as path:
        check_spec_text(lambda: load_experiment(path))


@st.composite
def valid_specs(draw) -> dict:
    """Specs built from in-range values: each must round-trip exactly."""
    finite = {"allow_nan": False, "allow_infinity": False}
    reg = st.none() | st.fixed_dictionaries({"l1": st.floats(0, 1000, **finite), "l2": st.floats(0, 1000, **finite)})
    layers = st.lists(
        st.fixed_dictionaries(
            {
                "units": st.integers(1, 512),
                "activation": st.sampled_from(ACTIVATIONS),
                "dropout": st.floats(0, 0.95, **finite),
                "kernel_regularizer": reg,
                "bias_regularizer": reg,
                "activity_regularizer": reg,
            }
        ),
        max_size=8,
    )
    common = {"validation": st.floats(0.05, 0.9, **finite), "seed": st.integers(0, 2**31 - 1)}
    data = st.one_of(
        st.fixed_dictionaries(
            {
                "kind": st.just("toy"),
                "name": st.sampled_from(TOY_SETS),
                "samples": st.integers(20, 10000),
                "noise": st.floats(0, 1, **finite),
                **common,
            }
        ),
        st.fixed_dictionaries({"kind": st.just("sklearn"), "name": st.sampled_from(SKLEARN_SETS), **common}),
        st.fixed_dictionaries(
            {"kind": st.just("csv"), "path": st.text(min_size=1, max_size=50), "target": st.text(min_size=1), **common},
            optional={"task": st.sampled_from(["classification", "regression"])},
        ),
    )
    return {
        "reglab": 1,
        "name": draw(st.text(max_size=200)),
        "data": draw(data),
        "network": {"input_dropout": draw(st.floats(0, 0.95, **finite)), "hidden": draw(layers)},
        "training": {
            "optimizer": draw(st.sampled_from(OPTIMIZERS)),
            "learning_rate": draw(st.floats(0, 10, exclude_min=True, **finite)),
            "batch_size": draw(st.integers(1, 8192)),
            "epochs": draw(st.integers(1, 1_000_000)),
            "seed": draw(st.integers(0, 2**31 - 1)),
        },
    }


def assert_round_trips(d: dict) -> None:
    out = Experiment.from_dict(d).to_dict()
    assert out == d
    assert Experiment.from_dict(out).to_dict() == out
    assert json.loads(experiment_from_json(json.dumps(d)).to_json()) == d


@PROPERTY_SETTINGS
@given(valid_specs())
def test_generated_valid_specs_round_trip_exactly(d):
    assert_round_trips(d)


VALID_LESSON_TEXT = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())
VALID_STUDIES = st.none() | st.fixed_dictionaries({"kind": st.just("cv"), "folds": st.integers(2, 20)}) | (
    st.fixed_dictionaries({
        "kind": st.just("sweep"),
        "param": st.sampled_from(["network.hidden[*].dropout", "network.hidden[0].kernel_regularizer.l2",
                                  "network.input_dropout", "training.learning_rate"]),
        "values": st.sampled_from(["0,0.2,0.5", "1e-5:1:7", "0.1", " 0.3 , 0.4 "]),
        "seeds": st.integers(1, 20),
    })
)


@PROPERTY_SETTINGS
@given(VALID_LESSON_TEXT, VALID_LESSON_TEXT, VALID_LESSON_TEXT, VALID_STUDIES)
def test_generated_lessons_round_trip_exactly(title, text, look_at, study):
    lesson = {"title": title, "text": text, "look_at": look_at}
    if study is not None:
        lesson["study"] = study
    assert_round_trips(with_lesson(lesson))


@st.composite
def mutated_lessons(draw) -> dict:
    """A spec with a valid lesson in which a few nested values are replaced, deleted or added."""
    d = with_lesson({**LESSON, "study": copy.deepcopy(draw(st.sampled_from([SWEEP_STUDY, CV_STUDY])))})
    d["lesson"] = _mutate(draw, d["lesson"], ["folds", "param", "values", "seeds", "kind"])
    return d


@PROPERTY_SETTINGS
@given(mutated_lessons())
def test_mutated_lessons_never_crash(d):
    check_spec(d)


# =========================================================================== the CSV loader and the inspector

#: cell texts that are hard for a CSV reader or the encoders: numbers at float's limits, NaN, inf, huge integers,
#: booleans, unicode, quotes, separators and line breaks inside a cell
CELL_WORDS = st.sampled_from(
    ["", " ", "0", "1", "-1", "2", "3.5", "-0.0", "1e308", "-1e308", "1e309", "1e-320", "nan", "NaN", "inf", "-inf",
     "Infinity", "NA", "null", "None", "True", "false", "TRUE", "a", "b", "c", "Zürich", "日本", "x y", '"q,uoted"',
     '"multi\nline"', '""', '"', "1,5", "1;2", "10000000000000000000000", "-99999999999999999999999999999999",
     "0x10", "1_000", "\u00a0", "\ufeff", "€", "\x85", "\u2028", "\r"]
)
CELLS = CELL_WORDS | st.integers(-(10**30), 10**30).map(str) | st.floats().map(repr) | st.text(max_size=5)
HEADER_NAMES = st.sampled_from(["a", "b", "x", "y", "y", "", " ", "Unnamed: 0", "a.1", "ü", "名", '"q"', "1", "nan",
                                "True", '"line\nbreak"', "a,b"]) | st.text(max_size=4)
#: per-column value generators, so that many tables get past the reader into the type and target rules
COLUMN_KINDS = {
    "small-ints": st.integers(0, 3).map(str),
    "floats": st.floats(-1e6, 1e6).map(repr),
    "categories": st.sampled_from(["a", "b", "c", "Zürich"]),
    "constant": st.just("7"),
    "anything": CELLS,
}
COLUMN_KIND_NAMES = ["small-ints", "floats", "floats", "categories", "constant", "anything"]


@st.composite
def csv_texts(draw) -> str:
    """A table as text: random header (duplicate, blank, unicode names), 0-14 rows, ragged rows, blank lines,
    mixed-type columns, comma / semicolon / tab separators, any line ending."""
    n_columns = draw(st.integers(1, 5))
    sep = draw(st.sampled_from([",", ",", ",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    plain = ["a", "b", "c", "d", "y"][-n_columns:]  # half the tables have plain distinct names
    header = draw(st.just(plain) | st.lists(HEADER_NAMES, min_size=n_columns, max_size=n_columns))
    kinds = [draw(st.sampled_from(COLUMN_KIND_NAMES)) for _ in range(n_columns)]
    lines = [sep.join(header)] if draw(st.integers(0, 9)) else []  # sometimes no header line at all
    for _ in range(draw(st.integers(0, 14) | st.integers(10, 14))):
        if draw(st.integers(0, 9)) == 0:  # a ragged or blank line
            lines.append(sep.join(draw(st.lists(CELLS, max_size=n_columns + 2))))
        else:
            lines.append(sep.join(draw(COLUMN_KINDS[kind]) for kind in kinds))
    return newline.join(lines) + (newline if draw(st.booleans()) else "")


@st.composite
def frame_texts(draw) -> str:
    """A well-formed table written by pandas (proper quoting): reaches the encoders and the target rules."""
    n_columns = draw(st.integers(1, 4))
    n_rows = draw(st.integers(0, 25))
    columns = {}
    for i, name in enumerate(draw(st.lists(st.text(min_size=1, max_size=5), min_size=n_columns, max_size=n_columns))):
        kind = draw(st.sampled_from(["ints", "floats", "text", "mixed"]))
        if kind == "ints":
            cell = st.integers(0, 3)
        elif kind == "floats":
            cell = st.floats(-1e6, 1e6) | st.sampled_from([1e308, -1e308, math.inf, math.nan, 1e-308])
        elif kind == "text":
            cell = st.sampled_from(["a", "b", "c", ""])
        else:
            cell = st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=6) | st.none() | st.booleans()
        columns[f"{name}{i}" if name in columns else name] = draw(st.lists(cell, min_size=n_rows, max_size=n_rows))
    return pd.DataFrame(columns).to_csv(index=False)


def _encode(text: str, encoding: str, bom: bool) -> bytes:
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding, "replace")


#: file contents: tables in UTF-8 (sometimes with a BOM), Latin-1, Windows-1252 and UTF-16, and raw random bytes
CSV_FILES = st.one_of(
    st.tuples(csv_texts(), st.sampled_from(["utf-8", "utf-8", "latin-1", "cp1252", "utf-16"]), st.booleans()).map(
        lambda t: _encode(*t)
    ),
    st.tuples(frame_texts(), st.sampled_from(["utf-8", "latin-1"]), st.booleans()).map(lambda t: _encode(*t)),
    st.binary(max_size=300),
    st.text(alphabet=st.sampled_from(list("ab1.e-9,;\t\"'\n\r ü\x00")), max_size=120).map(str.encode),
    st.sampled_from([b"", b"\n", b"\xef\xbb\xbf", b"y\n", b"a,y\n", b"a,y\n1,2\n", b",\n,\n", b"\xff\xfe\x00"]),
)
TARGETS = st.sampled_from(["y", "a", "b", "x", "Unnamed: 0", "a.1", "ü", "名", "nope", " ", "0"])
TASKS = st.sampled_from([None, "classification", "regression"])


def draw_target(data, path: Path) -> str:
    """Mostly one of the columns the reader finds (so the example gets past the target check), else any name."""
    try:
        columns = [str(c) for c in read_frame(path).columns]
    except SpecError:
        columns = []
    if columns and data.draw(st.integers(0, 4), label="existing target?"):
        return data.draw(st.sampled_from(columns), label="target")
    return data.draw(TARGETS, label="target")


def check_loaded(ds: Dataset) -> None:
    assert len(ds.train_index) >= 1 and len(ds.val_index) >= 1
    for array in (ds.x_train, ds.x_val, ds.y_train, ds.y_val):
        assert array.dtype == np.float32 and np.isfinite(array).all()
    assert ds.x_train.shape[1] == ds.x_val.shape[1] == len(ds.feature_names) >= 1
    assert len(ds.x_train) == len(ds.y_train) and len(ds.x_val) == len(ds.y_val)


@PROPERTY_SETTINGS
@given(CSV_FILES, st.data())
def test_any_csv_file_loads_or_raises_a_clear_error(content, data):
    task = data.draw(TASKS, label="task")
    drop_missing = data.draw(st.booleans(), label="drop_missing")
    validation = data.draw(st.sampled_from([0.05, 0.3, 0.9]), label="validation")
    with file_with(content) as path:
        target = draw_target(data, path)
        spec = Data(kind="csv", name="", path=str(path), target=target, task=task, drop_missing=drop_missing,
                    validation=validation)
        try:
            ds = load_dataset(Experiment(data=spec))
        except SpecError as exc:
            assert_clear_error(exc)
            return
    check_loaded(ds)


def check_report(report: CsvReport) -> None:
    assert isinstance(report, CsvReport)
    for severity, message in report.problems:
        assert severity in ("error", "warning")
        assert_clear_error(SpecError(message))
    assert len(report.columns) == report.n_columns
    assert all(len(row) == report.n_columns for row in report.preview)
    assert report.rows_used <= report.n_rows


@PROPERTY_SETTINGS
@given(CSV_FILES, st.data())
def test_any_csv_file_is_inspected_without_raising(content, data):
    task = data.draw(TASKS, label="task")
    drop_missing = data.draw(st.booleans(), label="drop_missing")
    with file_with(content) as path:
        target = None if data.draw(st.integers(0, 3), label="default target?") == 0 else draw_target(data, path)
        report = inspect_csv(path, target=target, task=task, drop_missing=drop_missing)
        check_report(report)
        if report.ok:  # what the preview calls fine, the engine loads
            spec = Data(kind="csv", name="", path=str(path), target=report.target, task=task,
                        drop_missing=drop_missing)
            table = load_table(spec)
            assert len(table.y) == report.rows_used
