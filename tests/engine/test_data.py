"""Tests for engine.data: toy sets, bundled sets, CSV loading, splitting and scaling."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.data import DataError, Table, load_dataset, load_table, split_table
from engine.spec import TOY_CLASSIFICATION, TOY_REGRESSION, Data, Experiment, SpecError

# --------------------------------------------------------------------------- helpers


def toy(name: str, samples: int = 400, noise: float = 0.15, seed: int = 0) -> Table:
    return load_table(Data(kind="toy", name=name, samples=samples, noise=noise, seed=seed))


def csv_experiment(path, target: str, task: str | None = None, base_dir="", validation=0.3, seed=0) -> Experiment:
    data = Data(kind="csv", name="", path=str(path), target=target, task=task, validation=validation, seed=seed)
    return Experiment(data=data, base_dir=str(base_dir))


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def good_frame(n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "height": rng.normal(170, 10, n).round(1),
            "age": rng.integers(18, 80, n),
            "city": [("Oslo", "Bergen", "Tromsø")[i % 3] for i in range(n)],
            "smoker": [i % 4 == 0 for i in range(n)],
            "outcome": [("sick", "healthy")[i % 2] for i in range(n)],
        }
    )


def csv_error(tmp_path: Path, text: str, target: str = "y", task: str | None = None) -> str:
    path = write_csv(tmp_path / "data.csv", text)
    with pytest.raises(DataError) as info:
        load_table(csv_experiment(path, target, task).data)
    message = str(info.value)
    assert "\n" not in message
    return message


def numeric_csv(n: int, y_values) -> str:
    rows = [f"{i},{i * 0.5},{y_values[i]}" for i in range(n)]
    return "a,b,y\n" + "\n".join(rows) + "\n"


# --------------------------------------------------------------------------- toy sets


TOY_2D_CLASSIFICATION = [name for name in TOY_CLASSIFICATION if name != "tabular"]


@pytest.mark.parametrize("name", TOY_2D_CLASSIFICATION)
def test_toy_classification_shape_and_balance(name):
    t = toy(name, samples=401)
    assert t.x.shape == (401, 2) and t.x.dtype == np.float64
    assert t.y.shape == (401,) and t.y.dtype == np.int64
    assert t.task == "binary" and t.n_classes == 1 and t.class_names == ["0", "1"]
    assert set(np.unique(t.y)) == {0, 1}
    assert abs(int(t.y.sum()) - 200) <= 1  # balanced
    assert np.abs(t.x).max() < 2.5
    assert t.frame is None and t.scale_features is False
    assert t.feature_names == ["x1", "x2"]


@pytest.mark.parametrize("name", TOY_CLASSIFICATION + TOY_REGRESSION)
def test_toy_deterministic_and_seeded(name):
    a, b, c = toy(name, seed=3), toy(name, seed=3), toy(name, seed=4)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize("name", TOY_CLASSIFICATION + TOY_REGRESSION)
def test_toy_noise_changes_data(name):
    clean, noisy = toy(name, noise=0.0), toy(name, noise=1.0)
    assert not np.allclose(clean.x, noisy.x) or not np.allclose(clean.y, noisy.y)


def test_tabular_is_the_tutorials_ten_feature_binary_set():
    t = toy("tabular", samples=500)
    assert t.x.shape == (500, 10) and t.task == "binary" and t.feature_names[-1] == "x10"
    assert abs(int(t.y.sum()) - 250) <= 10
    assert toy("tabular", noise=1.0).y.tolist() != toy("tabular", noise=0.0).y.tolist()  # noise flips labels


@pytest.mark.parametrize("name", TOY_2D_CLASSIFICATION)
def test_toy_noise_makes_classes_overlap(name):
    """A nearest-neighbour vote separates clean data almost perfectly, noisy data clearly worse."""
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    def accuracy(noise):
        t = toy(name, samples=600, noise=noise)
        return cross_val_score(KNeighborsClassifier(15), t.x, t.y, cv=3).mean()

    clean, noisy = accuracy(0.0), accuracy(1.0)
    assert clean > 0.97
    assert noisy < clean - 0.08


@pytest.mark.parametrize("name", TOY_REGRESSION)
def test_toy_regression(name):
    t = toy(name, samples=300, noise=0.0)
    assert t.task == "regression" and t.n_classes == 1 and t.class_names == []
    assert t.x.shape == (300, 2) and t.y.shape == (300,) and t.y.dtype == np.float64
    assert np.abs(t.x).max() <= 1.0 and np.abs(t.y).max() <= 1.0 + 1e-9
    if name == "plane":  # exactly linear without noise
        np.testing.assert_allclose(t.y, 0.5 * (t.x[:, 0] + t.x[:, 1]))
    noisy = toy(name, samples=300, noise=1.0)
    assert np.std(noisy.y - t.y) > 0.2


def test_toy_dataset_is_not_scaled():
    ds = load_dataset(Experiment(data=Data(kind="toy", name="ripple", samples=100, validation=0.25)))
    np.testing.assert_array_equal(ds.feature_mean, [0.0, 0.0])
    np.testing.assert_array_equal(ds.feature_std, [1.0, 1.0])
    assert (ds.target_mean, ds.target_std) == (0.0, 1.0)
    table = toy("ripple", samples=100)
    np.testing.assert_allclose(ds.x_train, table.x[ds.train_index].astype(np.float32))
    np.testing.assert_allclose(ds.y_val[:, 0], table.y[ds.val_index].astype(np.float32))


def test_unknown_toy_name_is_a_data_error():
    with pytest.raises(DataError, match="blob"):
        load_table(Data(kind="toy", name="blob"))


# --------------------------------------------------------------------------- scikit-learn sets


@pytest.mark.parametrize(
    "name, rows, features, task, n_outputs",
    [
        ("iris", 150, 4, "multiclass", 3),
        ("wine", 178, 13, "multiclass", 3),
        ("breast_cancer", 569, 30, "binary", 1),
        ("digits", 1797, 64, "multiclass", 10),
        ("diabetes", 442, 10, "regression", 1),
    ],
)
def test_sklearn_sets(name, rows, features, task, n_outputs):
    t = load_table(Data(kind="sklearn", name=name))
    assert t.x.shape == (rows, features) and t.y.shape == (rows,)
    assert t.task == task and t.scale_features and t.frame is None
    assert len(t.feature_names) == features
    ds = split_table(t, np.arange(0, rows, 2), np.arange(1, rows, 2))
    assert ds.n_features == features and ds.n_outputs == n_outputs
    if task == "regression":
        assert t.class_names == [] and t.y.dtype == np.float64
    else:
        assert t.y.dtype == np.int64
        assert len(t.class_names) == max(n_outputs, 2)
        assert sorted(np.unique(t.y)) == list(range(len(t.class_names)))


def test_iris_class_names_and_one_hot():
    ds = load_dataset(Experiment(data=Data(kind="sklearn", name="iris", validation=0.2, seed=1)))
    assert ds.class_names == ["setosa", "versicolor", "virginica"]
    assert ds.y_train.shape == (120, 3) and ds.y_val.shape == (30, 3)
    assert ds.y_train.dtype == np.float32
    np.testing.assert_array_equal(ds.y_train.sum(axis=1), 1.0)
    table = load_table(Data(kind="sklearn", name="iris"))
    np.testing.assert_array_equal(ds.y_train.argmax(axis=1), table.y[ds.train_index])


def test_breast_cancer_binary_targets():
    ds = load_dataset(Experiment(data=Data(kind="sklearn", name="breast_cancer")))
    assert ds.task == "binary" and ds.class_names == ["malignant", "benign"]
    assert ds.y_train.shape[1] == 1 and set(np.unique(ds.y_train)) == {0.0, 1.0}


def test_regression_target_is_standardized_with_training_statistics():
    table = load_table(Data(kind="sklearn", name="diabetes"))
    ds = load_dataset(Experiment(data=Data(kind="sklearn", name="diabetes", seed=5)))
    raw_train = table.y[ds.train_index]
    assert ds.target_mean == pytest.approx(raw_train.mean())
    assert ds.target_std == pytest.approx(raw_train.std())
    np.testing.assert_allclose(ds.y_train[:, 0], (raw_train - ds.target_mean) / ds.target_std, rtol=1e-5, atol=1e-5)
    assert ds.y_train.mean() == pytest.approx(0.0, abs=1e-5)
    raw_val = table.y[ds.val_index]
    np.testing.assert_allclose(ds.y_val[:, 0] * ds.target_std + ds.target_mean, raw_val, rtol=1e-5)


# --------------------------------------------------------------------------- splitting and scaling


def test_scaler_uses_training_rows_only():
    table = load_table(Data(kind="sklearn", name="wine"))
    ds = load_dataset(Experiment(data=Data(kind="sklearn", name="wine", validation=0.3, seed=2)))
    train = table.x[ds.train_index]
    np.testing.assert_allclose(ds.feature_mean, train.mean(axis=0))
    np.testing.assert_allclose(ds.feature_std, train.std(axis=0))
    assert not np.allclose(ds.feature_mean, table.x.mean(axis=0))
    np.testing.assert_allclose(ds.x_train.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(ds.x_train.std(axis=0), 1.0, atol=1e-4)
    assert np.abs(ds.x_val.mean(axis=0)).max() > 1e-3  # validation rows are scaled with the training statistics
    expected_val = (table.x[ds.val_index] - train.mean(axis=0)) / train.std(axis=0)
    np.testing.assert_allclose(ds.x_val, expected_val, rtol=1e-4, atol=1e-5)
    assert ds.x_train.dtype == np.float32 and ds.x_val.dtype == np.float32


def test_constant_feature_does_not_divide_by_zero():
    table = Table(
        x=np.column_stack([np.arange(20.0), np.full(20, 7.0)]),
        y=np.arange(20.0),
        task="regression",
        feature_names=["a", "b"],
        class_names=[],
        target_name="y",
        frame=None,
        scale_features=True,
    )
    ds = split_table(table, np.arange(15), np.arange(15, 20))
    assert np.isfinite(ds.x_train).all() and np.isfinite(ds.x_val).all()
    np.testing.assert_array_equal(ds.x_train[:, 1], 0.0)
    assert ds.feature_std[1] == 1.0


@pytest.mark.parametrize("validation", [0.05, 0.2, 0.3, 0.5, 0.9])
def test_split_sizes_follow_validation_fraction(validation):
    ds = load_dataset(Experiment(data=Data(kind="toy", name="moons", samples=200, validation=validation)))
    n_val = math.ceil(validation * 200)
    assert len(ds.val_index) == n_val and len(ds.train_index) == 200 - n_val
    assert ds.x_val.shape == (n_val, 2) and ds.y_val.shape == (n_val, 1)
    assert ds.train_index.dtype == np.int64 and ds.val_index.dtype == np.int64
    assert sorted(np.concatenate([ds.train_index, ds.val_index])) == list(range(200))


def test_split_is_seeded():
    def split(seed):
        return load_dataset(Experiment(data=Data(kind="toy", name="xor", samples=100, seed=seed))).val_index

    np.testing.assert_array_equal(split(1), split(1))
    assert not np.array_equal(split(1), split(2))


def test_split_is_stratified_for_classification():
    table = load_table(Data(kind="sklearn", name="iris"))
    ds = load_dataset(Experiment(data=Data(kind="sklearn", name="iris", validation=0.2, seed=7)))
    assert np.bincount(table.y[ds.val_index]).tolist() == [10, 10, 10]
    assert np.bincount(table.y[ds.train_index]).tolist() == [40, 40, 40]


def test_split_without_stratification_when_a_class_has_one_row(tmp_path):
    labels = ["a"] * 12 + ["b"] * 7 + ["c"]
    path = write_csv(tmp_path / "d.csv", "x,y\n" + "\n".join(f"{i},{v}" for i, v in enumerate(labels)) + "\n")
    ds = load_dataset(csv_experiment(path, "y", validation=0.25))
    assert len(ds.val_index) == 5 and len(ds.train_index) == 15
    assert ds.task == "multiclass" and ds.class_names == ["a", "b", "c"]


def test_split_keeps_a_row_in_each_part():
    table = toy("gaussian", samples=20)
    for validation in (0.0, 0.001, 0.999, 1.0):  # out of the spec's range, still safe
        data = Data(kind="toy", name="gaussian", samples=20, validation=validation)
        ds = load_dataset(Experiment(data=data))
        assert len(ds.train_index) >= 1 and len(ds.val_index) >= 1
        assert len(ds.train_index) + len(ds.val_index) == len(table.y)


# --------------------------------------------------------------------------- CSV files


def test_csv_round_trip(tmp_path):
    frame = good_frame()
    path = tmp_path / "patients.csv"
    frame.to_csv(path, index=False)
    table = load_table(csv_experiment(path, "outcome").data)
    assert table.task == "binary" and table.class_names == ["healthy", "sick"]  # sorted order
    assert table.target_name == "outcome" and table.scale_features
    np.testing.assert_array_equal(table.y, (frame["outcome"] == "sick").astype(int))
    assert table.feature_names == ["height", "age", "city=Bergen", "city=Oslo", "city=Tromsø", "smoker"]
    assert table.x.shape == (30, 6) and table.x.dtype == np.float64
    np.testing.assert_allclose(table.x[:, 0], frame["height"])
    np.testing.assert_array_equal(table.x[:, 2:5].sum(axis=1), 1.0)  # one-hot
    np.testing.assert_array_equal(table.x[:, 3], frame["city"] == "Oslo")
    np.testing.assert_array_equal(table.x[:, 5], frame["smoker"])
    assert table.frame is not None and list(table.frame.columns) == list(frame.columns) and len(table.frame) == 30

    ds = load_dataset(csv_experiment(path, "outcome"))
    assert ds.n_features == 6 and ds.n_outputs == 1 and ds.task == "binary"
    assert len(ds.val_index) == 9
    np.testing.assert_allclose(ds.x_train.mean(axis=0), 0.0, atol=1e-5)


def test_csv_relative_path_is_resolved_against_base_dir(tmp_path):
    (tmp_path / "data").mkdir()
    good_frame().to_csv(tmp_path / "data" / "patients.csv", index=False)
    exp = csv_experiment("data/patients.csv", "outcome", base_dir=tmp_path)
    assert len(load_table(exp.data, exp.base_dir).y) == 30
    assert len(load_dataset(exp).train_index) == 21


def test_csv_target_task_detection(tmp_path):
    ints = numeric_csv(30, [i % 3 for i in range(30)])
    path = write_csv(tmp_path / "ints.csv", ints)
    table = load_table(csv_experiment(path, "y").data)
    assert table.task == "multiclass" and table.class_names == ["0", "1", "2"]
    assert load_table(csv_experiment(path, "y", task="regression").data).task == "regression"

    many = write_csv(tmp_path / "many.csv", numeric_csv(30, list(range(30))))
    assert load_table(csv_experiment(many, "y").data).task == "regression"
    floats = write_csv(tmp_path / "floats.csv", numeric_csv(30, [i / 7 for i in range(30)]))
    table = load_table(csv_experiment(floats, "y").data)
    assert table.task == "regression" and table.y.dtype == np.float64 and table.class_names == []
    labels = write_csv(tmp_path / "labels.csv", numeric_csv(30, [(10, -2)[i % 2] for i in range(30)]))
    table = load_table(csv_experiment(labels, "y").data)
    assert table.task == "binary" and table.class_names == ["-2", "10"]  # numeric sort
    np.testing.assert_array_equal(table.y, [(1, 0)[i % 2] for i in range(30)])


def test_csv_regression_target_scaled(tmp_path):
    path = write_csv(tmp_path / "r.csv", numeric_csv(40, [100 + 3 * i for i in range(40)]))
    ds = load_dataset(csv_experiment(path, "y"))
    assert ds.task == "regression"
    assert ds.target_std > 1 and ds.target_mean > 100
    assert ds.y_train.mean() == pytest.approx(0.0, abs=1e-5)


def test_csv_missing_file(tmp_path):
    with pytest.raises(DataError, match="nowhere.csv: no such file"):
        load_table(csv_experiment(tmp_path / "nowhere.csv", "y").data)


def test_csv_data_error_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError):
        load_dataset(csv_experiment("nowhere.csv", "y", base_dir=tmp_path))


def test_csv_folder_instead_of_file(tmp_path):
    with pytest.raises(DataError, match="folder"):
        load_table(csv_experiment(tmp_path, "y").data)


def test_csv_empty_file(tmp_path):
    assert "empty" in csv_error(tmp_path, "")
    assert "empty" in csv_error(tmp_path, "\n\n  \n")


def test_csv_header_only(tmp_path):
    assert "no data rows" in csv_error(tmp_path, "a,b,y\n")


def test_csv_binary_garbage(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DataError, match="binary file, not a CSV"):
        load_table(csv_experiment(path, "y").data)


def test_csv_unparseable(tmp_path):
    message = csv_error(tmp_path, 'a,b,y\n1,2,3\n1,"unclosed,3\n' + "4,5,6\n" * 10)
    assert "not a readable CSV" in message


def test_csv_unknown_target_lists_columns(tmp_path):
    message = csv_error(tmp_path, numeric_csv(20, [0, 1] * 10), target="label")
    assert "'label'" in message and "a, b, y" in message


def test_csv_missing_values_name_column_and_rows(tmp_path):
    lines = [f"{i},{i % 2}" for i in range(20)]
    lines[2] = ",1"  # third data row = spreadsheet row 4
    lines[9] = ",0"
    message = csv_error(tmp_path, "age,y\n" + "\n".join(lines) + "\n")
    assert "'age'" in message and "2 empty" in message and "row 4, 11" in message
    assert "'y'" not in message


def test_csv_missing_target_value(tmp_path):
    lines = [f"{i},{i % 2}" for i in range(20)]
    lines[0] = "0,"
    assert "'y' (1 empty, row 2)" in csv_error(tmp_path, "a,y\n" + "\n".join(lines) + "\n")


def test_csv_infinite_value(tmp_path):
    lines = [f"{i},{i % 2}" for i in range(20)]
    lines[4] = "inf,1"
    assert "'a' (1 infinite, row 6)" in csv_error(tmp_path, "a,y\n" + "\n".join(lines) + "\n")


def test_csv_constant_target(tmp_path):
    message = csv_error(tmp_path, numeric_csv(20, [2.5] * 20))
    assert "'y'" in message and "same value" in message and "2.5" in message
    message = csv_error(tmp_path, numeric_csv(20, [2.5] * 20), task="regression")
    assert "same value" in message


def test_csv_single_class(tmp_path):
    message = csv_error(tmp_path, numeric_csv(20, ["yes"] * 20))
    assert "'y'" in message and "only one class" in message and "yes" in message


def test_csv_too_few_rows(tmp_path):
    message = csv_error(tmp_path, numeric_csv(9, [0, 1] * 5))
    assert "only 9 data rows" in message and "at least 10" in message


def test_csv_too_many_categories(tmp_path):
    rows = "\n".join(f"person{i},{i % 2}" for i in range(30))
    message = csv_error(tmp_path, "name,y\n" + rows + "\n")
    assert "'name'" in message and "30 different values" in message and "at most 20" in message


def test_csv_stray_text_in_a_number_column(tmp_path):
    rows = [f"{i}.5,{i % 2}" for i in range(30)]
    rows[6] = "oops,0"
    message = csv_error(tmp_path, "size,y\n" + "\n".join(rows) + "\n")
    assert "'size'" in message and "row 8" in message


def test_csv_no_feature_columns(tmp_path):
    message = csv_error(tmp_path, "y\n" + "\n".join(str(i % 2) for i in range(20)) + "\n")
    assert "no feature columns" in message


def test_csv_text_target_with_regression_task(tmp_path):
    message = csv_error(tmp_path, numeric_csv(20, ["a", "b"] * 10), task="regression")
    assert "text values" in message and "classification" in message


def test_csv_too_many_classes(tmp_path):
    message = csv_error(tmp_path, numeric_csv(150, [f"c{i}" for i in range(150)]), task="classification")
    assert "150 different values" in message and "regression" in message


def test_csv_values_too_large_to_scale(tmp_path):
    rows = [f"{(1e308 if i == 0 else 0)},{i % 2}" for i in range(20)]
    path = write_csv(tmp_path / "big.csv", "a,y\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match="'a'.*too large"):
        load_dataset(csv_experiment(path, "y"))


def test_csv_windows_code_page_text(tmp_path):
    path = tmp_path / "cp1252.csv"
    text = "town,y\n" + "\n".join(f"{('Zürich', 'Genève')[i % 2]},{i % 2}" for i in range(20)) + "\n"
    path.write_bytes(text.encode("cp1252"))
    table = load_table(csv_experiment(path, "y").data)
    assert table.feature_names == ["town=Genève", "town=Zürich"]


# The property-based tests (hypothesis) of the CSV loader are in test_properties.py.


def test_split_rows_is_seeded_sized_and_stratified():
    from engine.data import split_rows

    labels = np.array([0] * 70 + [1] * 20 + [2] * 10)
    train, val = split_rows(100, 30, seed=4, labels=labels)
    assert len(val) == 30 and len(train) == 70 and set(train) | set(val) == set(range(100))
    assert sorted(np.bincount(labels[val])) == [3, 6, 21]  # each class keeps its share
    again, _ = split_rows(100, 30, seed=4, labels=labels)
    other, _ = split_rows(100, 30, seed=5, labels=labels)
    np.testing.assert_array_equal(train, again)
    assert not np.array_equal(train, other)
    plain_train, plain_val = split_rows(10, 3, seed=0)
    assert len(plain_val) == 3 and len(set(plain_train) | set(plain_val)) == 10


def test_a_spiral_experiment_loads_without_scikit_learn():
    import subprocess
    import sys

    code = ("import sys; from engine.spec import Experiment; from engine.data import load_dataset; "
            "load_dataset(Experiment()); print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_csv_drop_missing_drops_rows_before_checking(tmp_path):
    lines = [f"{i},{i % 2}" for i in range(14)]
    lines[1] = ",1"
    lines[6] = "inf,0"
    path = write_csv(tmp_path / "data.csv", "a,y\n" + "\n".join(lines) + "\n")
    assert "set data.drop_missing to true" in csv_error(tmp_path, "a,y\n" + "\n".join(lines) + "\n")
    data = csv_experiment(path, "y").data
    data.drop_missing = True
    table = load_table(data)
    assert len(table.y) == 12 and np.isfinite(table.x).all()
    lines[2] = lines[3] = lines[4] = ",0"
    write_csv(path, "a,y\n" + "\n".join(lines) + "\n")
    with pytest.raises(DataError, match="only 9 data rows left after dropping the rows with missing values"):
        load_table(data)


def test_a_toy_set_s_shape_is_known_before_it_is_made():
    """The window draws the network's inputs from engine.spec.data_shape before the engine's data arrives; it must be
    the shape the data then has (else the arrival redraws the network, or worse, draws it wrong)."""
    from engine.data import load_table
    from engine.spec import TOY_SETS, Data
    from engine.spec.data_shape import known_shape

    for name in TOY_SETS:
        table = load_table(Data(kind="toy", name=name, samples=40))
        outputs = 1 if table.task in ("binary", "regression") else len(table.class_names)
        assert known_shape(Data(kind="toy", name=name)) == (table.x.shape[1], outputs, table.feature_names), name
    assert known_shape(Data(kind="sklearn", name="iris")) is None  # only loading tells
