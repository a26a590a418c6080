"""The CSV inspection behind the preview dialog: column types, preview rows, task detection and every problem
the engine would refuse, found before training; and ``data.drop_missing`` in the spec and in loading."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.data import DataError, load_dataset, load_table
from engine.data.csv_inspect import MAX_CATEGORIES, MIN_ROWS, CsvReport, inspect_csv
from engine.spec import Data, Experiment

REPO = Path(__file__).resolve().parents[2]
WINE = REPO / "resources" / "samples" / "wine.csv"


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def numeric_csv(n: int, y_values, header: str = "a,b,y") -> str:
    rows = [f"{i},{i * 0.5},{y_values[i]}" for i in range(n)]
    return header + "\n" + "\n".join(rows) + "\n"


def only_error(report: CsvReport) -> str:
    assert len(report.errors) == 1, report.problems
    message = report.errors[0]
    assert "\n" not in message
    return message


def csv_data(path, target, task=None, drop_missing=False) -> Data:
    return Data(kind="csv", name="", path=str(path), target=target, task=task, drop_missing=drop_missing)


# --------------------------------------------------------------------------- a good file


def test_wine_sample_is_a_clean_three_class_file():
    report = inspect_csv(WINE)
    assert report.ok and report.problems == []
    assert (report.n_rows, report.n_columns) == (178, 14)
    assert report.suggested_target == report.target == "cultivar"
    assert report.detected_task == report.task == "classification"
    assert report.classes == ["class_0", "class_1", "class_2"]
    assert report.n_inputs == 13
    kinds = {c.name: c.kind for c in report.columns}
    assert kinds["cultivar"] == "text" and kinds["alcohol"] == "number" and kinds["magnesium"] == "integer"
    assert all(c.missing == 0 for c in report.columns)
    assert len(report.preview) == 20 and report.preview[0][0] == "14.23" and report.preview[0][-1] == "class_0"
    assert report.preview[0][4] == "127"  # magnesium, an integer column


def test_wine_sample_is_scikit_learns_wine_set():
    from sklearn.datasets import load_wine

    frame = pd.read_csv(WINE)
    bunch = load_wine()
    np.testing.assert_array_equal(frame.iloc[:, :13].to_numpy(dtype=np.float64), bunch.data)
    assert list(frame.columns[:13]) == list(bunch.feature_names)
    assert list(frame["cultivar"]) == [str(bunch.target_names[t]) for t in bunch.target]


def test_integer_column_with_gaps_previews_whole_numbers(tmp_path):
    lines = [f"{i if i != 1 else ''},{i % 2}" for i in range(12)]
    report = inspect_csv(write(tmp_path, "n,y\n" + "\n".join(lines) + "\n"), drop_missing=True)
    assert report.columns[0].kind == "integer" and [row[0] for row in report.preview[:3]] == ["0", "", "2"]


def test_wine_sample_loads_and_trains_two_epochs():
    exp = Experiment(data=csv_data("wine.csv", "cultivar"), base_dir=str(WINE.parent))
    exp.training.epochs = 2
    ds = load_dataset(exp)
    assert ds.task == "multiclass" and ds.n_features == 13 and ds.class_names == ["class_0", "class_1", "class_2"]
    from engine.training.trainer import Trainer

    trainer = Trainer(exp, grid_every=0)
    snap = trainer.run()
    assert trainer.epoch == 2 and snap is not None and np.isfinite(snap.metrics_row()["val_loss"])


def test_preview_rows_and_types(tmp_path):
    lines = [f"{i},{i * 0.25},{'abc'[i % 3]},,{i % 2}" for i in range(30)]
    path = write(tmp_path, "n,x,letter,blank,y\n" + "\n".join(lines) + "\n")
    report = inspect_csv(path, preview_rows=5)
    assert [(c.name, c.kind) for c in report.columns] == [
        ("n", "integer"), ("x", "number"), ("letter", "text"), ("blank", "empty"), ("y", "integer")]
    assert report.preview == [[f"{i}", f"{i * 0.25}", "abc"[i % 3], "", f"{i % 2}"] for i in range(5)]
    assert report.columns[3].missing == 30 and report.columns[0].distinct == 30
    assert "column 'blank' has no values at all; delete the column" in only_error(report)


# --------------------------------------------------------------------------- task detection (as the engine)


@pytest.mark.parametrize(
    ("y_values", "task", "classes"),
    [
        (["no", "yes"] * 15, "classification", ["no", "yes"]),
        ([i % 3 for i in range(30)], "classification", ["0", "1", "2"]),
        ([i % 10 for i in range(30)], "classification", [str(i) for i in range(10)]),
        ([i % 11 for i in range(30)], "regression", []),
        ([i * 0.5 for i in range(30)], "regression", []),
    ],
)
def test_task_detection_matches_the_engine(tmp_path, y_values, task, classes):
    path = write(tmp_path, numeric_csv(30, y_values))
    report = inspect_csv(path)
    assert report.ok and report.detected_task == report.task == task and report.classes == classes
    table = load_table(csv_data(path, "y"))
    assert (table.task == "regression") == (task == "regression")


def test_choosing_target_and_task(tmp_path):
    path = write(tmp_path, numeric_csv(30, ["no", "yes"] * 15))
    report = inspect_csv(path, target="a")
    assert report.target == "a" and report.detected_task == "regression" and report.ok
    assert report.warnings == ["text column 'y': one-hot encoded into 2 input columns (one per value)"]
    report = inspect_csv(path, target="a", task="classification")
    assert report.task == "classification" and report.detected_task == "regression"
    assert "too many classes" not in " ".join(report.errors) and len(report.classes) == 30
    report = inspect_csv(path, target="y", task="regression")
    assert "regression needs numbers (set the task to classification)" in only_error(report)
    report = inspect_csv(path, target="nope")
    assert "no column named 'nope'; pick the target from: a, b, y" in only_error(report)


# --------------------------------------------------------------------------- problems


def test_missing_values_are_counted_per_column(tmp_path):
    lines = [f"{i},{i % 2}" for i in range(20)]
    lines[2] = ",1"  # spreadsheet row 4
    lines[9] = ",0"  # row 11
    lines[5] = "5,"  # row 7
    path = write(tmp_path, "age,y\n" + "\n".join(lines) + "\n")
    report = inspect_csv(path)
    assert report.errors == [
        "column 'age': 2 empty values (row 4, 11); fill them in or choose \"drop rows with missing values\"",
        "column 'y': 1 empty value (row 7); fill it in or choose \"drop rows with missing values\"",
    ]
    assert {c.name: c.missing for c in report.columns} == {"age": 2, "y": 1}
    assert report.rows_with_missing == 3
    with pytest.raises(DataError, match="set data.drop_missing to true"):
        load_table(csv_data(path, "y"))  # the engine's message suggests the option too

    dropped = inspect_csv(path, drop_missing=True)
    assert dropped.ok and dropped.rows_used == 17
    assert "3 of 20 rows have missing values and are dropped; 17 rows are used" in dropped.warnings


def test_infinite_values_count_as_missing(tmp_path):
    lines = [f"{i * 0.5},{i % 2}" for i in range(20)]
    lines[4] = "inf,1"
    report = inspect_csv(write(tmp_path, "a,y\n" + "\n".join(lines) + "\n"))
    assert "column 'a': 1 infinite value (row 6)" in only_error(report)


def test_constant_target(tmp_path):
    path = write(tmp_path, numeric_csv(20, [2.5] * 20))
    message = only_error(inspect_csv(path))
    assert "target column 'y' has the same value (2.5) in every row" in message
    assert "pick another target column" in message


def test_single_class(tmp_path):
    message = only_error(inspect_csv(write(tmp_path, numeric_csv(20, ["yes"] * 20))))
    assert "target column 'y' has only one class (yes)" in message and "pick another target column" in message


def test_too_few_rows(tmp_path):
    message = only_error(inspect_csv(write(tmp_path, numeric_csv(MIN_ROWS - 1, [0, 1] * 5))))
    assert message == "only 9 data rows; RegLab needs at least 10: add rows"


def test_too_few_rows_after_dropping(tmp_path):
    lines = [f"{i},{i % 2}" for i in range(12)]
    lines[0] = lines[1] = lines[2] = ",0"
    report = inspect_csv(write(tmp_path, "a,y\n" + "\n".join(lines) + "\n"), drop_missing=True)
    assert "only 9 data rows left after dropping the 3 with missing values" in only_error(report)


def test_text_feature_is_one_hot_encoded(tmp_path):
    lines = [f"{('red', 'green', 'blue')[i % 3]},{i},{i % 2}" for i in range(30)]
    report = inspect_csv(write(tmp_path, "colour,n,y\n" + "\n".join(lines) + "\n"))
    assert report.ok and report.n_inputs == 4
    assert report.warnings == ["text column 'colour': one-hot encoded into 3 input columns (one per value)"]


def test_too_many_categories(tmp_path):
    n = MAX_CATEGORIES + 5
    lines = [f"name{i},{i},{i % 2}" for i in range(n)]
    path = write(tmp_path, "who,n,y\n" + "\n".join(lines) + "\n")
    message = only_error(inspect_csv(path))
    assert message == f"text column 'who' has {n} different values, at most {MAX_CATEGORIES} allowed; " \
                      "remove the column or group its values"
    with pytest.raises(DataError, match=f"text column 'who' has {n} different values"):
        load_table(csv_data(path, "y"))


def test_no_feature_columns(tmp_path):
    path = write(tmp_path, "y\n" + "\n".join(str(i % 2) for i in range(20)) + "\n")
    assert "no feature columns besides the target 'y'" in only_error(inspect_csv(path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes() + b"\x00",
         "looks like a binary file, not a CSV"),
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (b"a,b,y\n", "has a header row but no data rows"),
    ],
    ids=["random-bytes", "empty", "blank-lines", "header-only"],
)
def test_unusable_files(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    report = inspect_csv(path)
    assert message in only_error(report) and not report.ok
    assert report.columns == [] and report.n_rows == 0 and report.target is None
    with pytest.raises(DataError, match=message):
        load_table(csv_data(path, "y"))


def test_missing_file(tmp_path):
    assert "no such file" in only_error(inspect_csv(tmp_path / "nope.csv"))


# --------------------------------------------------------------------------- drop_missing in the engine


def test_drop_missing_round_trip_and_loading(tmp_path):
    frame = pd.DataFrame({"a": np.arange(30.0), "colour": ["red", "blue"] * 15, "y": [0, 1] * 15})
    frame.loc[[3, 8], "a"] = np.nan
    frame.loc[12, "colour"] = None
    frame.loc[20, "a"] = np.inf
    path = tmp_path / "gaps.csv"
    frame.to_csv(path, index=False)

    exp = Experiment(data=csv_data(path, "y", drop_missing=True))
    saved = exp.to_dict()
    assert saved["data"]["drop_missing"] is True
    again = Experiment.from_dict(saved)
    assert again == exp and again.to_dict() == saved
    assert "drop_missing" not in Experiment(data=csv_data(path, "y")).to_dict()["data"]

    with pytest.raises(DataError, match="missing values in column 'a'"):
        load_table(csv_data(path, "y"))
    table = load_table(again.data)
    assert table.x.shape == (26, 3) and len(table.frame) == 26
    assert not table.frame.isna().any().any()
    np.testing.assert_array_equal(table.frame["a"], [i for i in range(30) if i not in (3, 8, 12, 20)])
    ds = load_dataset(again)
    assert len(ds.x_train) + len(ds.x_val) == 26
    assert inspect_csv(path, target="y", drop_missing=True).rows_used == 26


# --------------------------------------------------------------------------- regressions found by test_properties.py


def test_an_infinite_target_value_is_reported_without_a_numpy_warning(tmp_path):
    """inf % 1 in the task detection made numpy warn "invalid value encountered in remainder"."""
    path = write(tmp_path, numeric_csv(12, [0.5 * i for i in range(11)] + ["inf"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = inspect_csv(path)
        assert report.detected_task == "regression"
        assert "column 'y': 1 infinite value (row 13)" in only_error(report)
        with pytest.raises(DataError, match="missing values in column 'y' \\(1 infinite, row 13\\)"):
            load_table(csv_data(path, "y"))
