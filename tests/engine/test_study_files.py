"""A study saved as CSV from the window's progress: its table and every run's curves, read back."""

import csv
import math

from engine.spec import Experiment
from engine.studies.study import run_compare
from engine.studies.study_files import write_study_csv


def variant(learning_rate: float) -> Experiment:
    return Experiment.from_dict({
        "reglab": 1,
        "data": {"kind": "toy", "name": "plane", "samples": 60, "noise": 0.1, "seed": 0},
        "network": {"hidden": [{"units": 8, "activation": "linear"}]},
        "training": {"optimizer": "sgd", "learning_rate": learning_rate, "batch_size": 60, "epochs": 6, "seed": 0},
    })


def read(path):
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_table_and_the_curves_read_back_as_the_study_holds_them(tmp_path):
    progress = run_compare([("lr 0.05", variant(0.05)), ("lr 10", variant(10.0))])  # the second diverges
    table, curves = write_study_csv(progress, tmp_path / "compare.csv")
    assert curves == tmp_path / "compare-curves.csv"
    rows = read(table)
    assert [r["variant"] for r in rows] == ["lr 0.05", "lr 10"]
    assert rows[0]["diverged_epoch"] == "" and int(rows[1]["diverged_epoch"]) == progress.table[1]["diverged_epoch"]
    for row, expected in zip(rows, progress.table, strict=True):
        for key in ("final_val_rmse", "final_gap"):
            value = float(row[key])
            assert math.isclose(value, expected[key], rel_tol=1e-12) or math.isnan(value) and math.isnan(expected[key])
    lines = read(curves)
    assert len(lines) == sum(len(c.rows) for c in progress.curves)
    first = progress.curves[0].rows[-1]
    last_of_first = [r for r in lines if r["run"] == "lr 0.05"][-1]
    assert int(last_of_first["epoch"]) == first["epoch"] == 6
    assert float(last_of_first["val_loss"]) == first["val_loss"]
