"""data.test: rows held out as test rows before the training/validation split, and never used to train or choose."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from engine.data import hold_out_test_rows, load_dataset, load_table, split_rows, without_test_rows
from engine.spec import Experiment, SpecError
from engine.studies.crossval import cross_validate


def experiment(test: float = 0.0, validation: float = 0.3, seed: int = 0, data: dict | None = None,
               **training) -> Experiment:
    data = data or {"kind": "toy", "name": "moons", "samples": 100, "noise": 0.3}
    spec = {"reglab": 1, "data": {**data, "validation": validation, "test": test, "seed": seed},
            "network": {"hidden": [{"units": 6, "activation": "tanh"}]},
            "training": {"learning_rate": 0.02, "batch_size": 16, "epochs": 3, "seed": 1, **training}}
    return Experiment.from_dict(spec)


def old_split(exp: Experiment) -> tuple[np.ndarray, np.ndarray]:
    """The training/validation split of a data set without test rows, by its rule (engine.data before data.test)."""
    table = load_table(exp.data, exp.base_dir)
    n = len(table.y)
    n_val = min(max(math.ceil(exp.data.validation * n), 1), n - 1)
    stratify = None
    if table.task != "regression":
        counts = np.bincount(table.y)
        if counts.min() >= 2 and n_val >= len(counts) and n - n_val >= len(counts):
            stratify = table.y
    return split_rows(n, n_val, exp.data.seed, stratify)


# ---------------------------------------------------------------------------- the split


@pytest.mark.parametrize("data", [
    {"kind": "toy", "name": "moons", "samples": 101, "noise": 0.3},
    {"kind": "toy", "name": "plane", "samples": 50, "noise": 0.3},
    {"kind": "sklearn", "name": "iris"},
    {"kind": "sklearn", "name": "diabetes"},
])
@pytest.mark.parametrize("validation", [0.05, 0.3, 0.9])
def test_without_test_rows_the_split_is_the_one_of_before(data, validation):
    exp = experiment(0.0, validation, seed=5, data=data)
    ds = load_dataset(exp)
    train, val = old_split(exp)
    np.testing.assert_array_equal(ds.train_index, train)
    np.testing.assert_array_equal(ds.val_index, val)
    table = load_table(exp.data)
    if not table.scale_features:  # toy sets: the arrays are the rows themselves
        np.testing.assert_array_equal(ds.x_train, table.x[train].astype(np.float32))
    assert ds.x_test.shape == (0, ds.n_features) and ds.y_test.shape == (0, ds.n_outputs)
    assert len(ds.test_index) == 0


def test_test_rows_are_carved_first_disjoint_and_deterministic():
    exp = experiment(test=0.2, validation=0.3)
    ds = load_dataset(exp)
    assert (len(ds.test_index), len(ds.val_index), len(ds.train_index)) == (20, 30, 50)  # fractions of all 100
    every = np.concatenate([ds.train_index, ds.val_index, ds.test_index])
    np.testing.assert_array_equal(np.sort(every), np.arange(100))  # each row in exactly one part
    again = load_dataset(exp)
    for name in ("train_index", "val_index", "test_index", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(again, name), getattr(ds, name))
    other = load_dataset(experiment(test=0.2, validation=0.3, seed=1))
    assert set(other.test_index) != set(ds.test_index)
    table = load_table(exp.data)
    assert int(table.y[ds.test_index].sum()) == 10  # stratified: the balanced moons keep 10 of each class
    np.testing.assert_array_equal(ds.x_test, table.x[ds.test_index].astype(np.float32))
    np.testing.assert_array_equal(ds.y_test[:, 0], table.y[ds.test_index])


def test_test_rows_are_scaled_with_the_training_rows_statistics_only():
    ds = load_dataset(experiment(test=0.25, data={"kind": "sklearn", "name": "diabetes"}))
    table = load_table(experiment(data={"kind": "sklearn", "name": "diabetes"}).data)
    raw_train = table.x[ds.train_index]
    np.testing.assert_allclose(ds.feature_mean, raw_train.mean(axis=0))
    np.testing.assert_allclose(ds.x_test, (table.x[ds.test_index] - raw_train.mean(axis=0)) / raw_train.std(axis=0),
                               rtol=1e-5, atol=1e-6)
    y_train = table.y[ds.train_index]
    np.testing.assert_allclose(ds.y_test[:, 0], (table.y[ds.test_index] - y_train.mean()) / y_train.std(), rtol=1e-5)


def test_the_test_rows_do_not_depend_on_the_validation_fraction():
    a = load_dataset(experiment(test=0.3, validation=0.1))
    b = load_dataset(experiment(test=0.3, validation=0.6))
    np.testing.assert_array_equal(a.test_index, b.test_index)
    assert (len(b.val_index), len(b.train_index)) == (60, 10)


def test_permuting_the_test_rows_targets_leaves_training_unchanged(tmp_path):
    """A regression CSV (the split does not look at the targets): shuffle the targets of the test rows only."""
    from engine.training.trainer import Trainer

    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, size=(60, 2))
    y = x[:, 0] - 2 * x[:, 1] + rng.normal(0, 0.1, 60)

    def write(targets, name):
        lines = ["a,b,y"] + [f"{p:.6f},{q:.6f},{t:.6f}" for (p, q), t in zip(x, targets, strict=True)]
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return experiment(test=0.25, data={"kind": "csv", "path": str(tmp_path / name), "target": "y"})

    first = write(y, "a.csv")
    test_rows = load_dataset(first).test_index
    shuffled = y.copy()
    shuffled[test_rows] = rng.permutation(y[test_rows]) + 5.0  # and moved far away
    second = write(shuffled, "b.csv")
    histories = []
    for exp in (first, second):
        ds = load_dataset(exp)
        np.testing.assert_array_equal(ds.test_index, test_rows)
        trainer = Trainer(exp, ds, grid_every=0)
        trainer.run()
        histories.append(trainer.history)
    assert load_dataset(first).y_test.tolist() != load_dataset(second).y_test.tolist()
    assert histories[0] == histories[1]


# ---------------------------------------------------------------------------- cross-validation


def test_cross_validation_folds_cover_exactly_the_other_rows():
    exp = experiment(test=0.2, epochs=1)
    rest, test = hold_out_test_rows(load_table(exp.data), exp.data)
    cv = cross_validate(exp, folds=4)
    assert sum(f.test_size for f in cv.folds) == 80 == len(rest)
    np.testing.assert_array_equal(cv.table.x, load_table(exp.data).x[rest])
    assert not np.isnan(cv.predictions).any()


def test_without_test_rows_keeps_a_csvs_rows_in_order(tmp_path):
    lines = ["a,b,y"] + [f"{i},{i % 3},{i % 2}" for i in range(30)]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    exp = experiment(test=0.3, data={"kind": "csv", "path": str(tmp_path / "d.csv"), "target": "y"})
    table = load_table(exp.data)
    rest, test = hold_out_test_rows(table, exp.data)
    assert len(test) == 9
    kept = without_test_rows(table, exp.data)
    assert kept.frame["a"].tolist() == rest.tolist() and kept.y.tolist() == [i % 2 for i in rest]


# ---------------------------------------------------------------------------- the spec field


def test_test_is_written_only_when_set_and_round_trips():
    assert "test" not in experiment(0.0).to_dict()["data"]
    exp = experiment(0.2)
    d = exp.to_dict()["data"]
    assert d["test"] == 0.2 and list(d)[-3:] == ["validation", "test", "seed"]
    assert Experiment.from_dict(json.loads(exp.to_json())) == exp


@pytest.mark.parametrize(("test", "validation", "message"), [
    (0.7, 0.3, "data.test: 0.7 is out of range [0, 0.5]"),
    (-0.1, 0.3, "data.test: -0.1 is out of range [0, 0.5]"),
    ("half", 0.3, "data.test: expected a number, got the text 'half'"),
    (0.4, 0.6, "data.test: 0.4 with data.validation 0.6 leaves no training rows "
               "(validation + test must stay below 1)"),
])
def test_bad_test_fractions_are_one_line_naming_the_field(test, validation, message):
    with pytest.raises(SpecError) as info:
        Experiment.from_dict({"reglab": 1, "data": {"kind": "sklearn", "name": "iris", "validation": validation,
                                                    "test": test}})
    assert str(info.value) == message
