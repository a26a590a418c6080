"""Two-field sweeps (`sweep --param A --values … --param B --values …`): every cell trained as a run of its own,
files read back and recomputed, the best pair named, the chosen pair alone scored on the test rows; bad input is
one line and exit 2."""

import csv
import json

import numpy as np
import pytest

from engine import cli
from engine.data import load_dataset
from engine.spec import Experiment, SpecError, set_path
from engine.studies.sweep_grid import axis_scale, cell_edges, grid_means, log_scale, run_sweep_grid
from engine.training.trainer import Trainer

SPEC = {
    "reglab": 1, "name": "small",
    "data": {"kind": "toy", "name": "moons", "samples": 60, "noise": 0.2, "validation": 0.25, "seed": 3},
    "network": {"hidden": [{"units": 6, "activation": "tanh", "dropout": 0.1}]},
    "training": {"optimizer": "adam", "learning_rate": 0.02, "batch_size": 16, "epochs": 4, "seed": 1},
}
TESTED = {**SPEC, "data": {**SPEC["data"], "samples": 80, "test": 0.25}}
LR, WD = "training.learning_rate", "training.weight_decay"


def write(tmp_path, spec):
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def trained(spec: dict, cell: dict, seed: int) -> Trainer:
    """The run of one cell, trained on its own: the experiment with both fields set, the given training seed."""
    exp = Experiment.from_dict(spec)
    for path, value in cell.items():
        exp = set_path(exp, path, value)
    exp.training.seed = seed
    trainer = Trainer(exp, grid_every=0)
    trainer.run()
    return trainer


def test_every_cell_is_a_run_of_its_own_and_the_best_pair_comes_last(tmp_path, capsys):
    out = tmp_path / "sweep"
    args = ["sweep", str(write(tmp_path, SPEC)), "--param", LR, "--values", "0.001,0.05", "--param",
            "network.hidden[0].dropout", "--values", "0,0.5", "--seeds", "2", "--out", str(out)]
    assert cli.main(args) == 0
    rows = read_csv(out / "sweep.csv")
    assert list(rows[0]) == ["value_1", "value_2", "seed", "final_train_accuracy", "final_val_accuracy",
                             "best_val_accuracy", "best_epoch", "final_val_loss"]
    assert [(r["value_1"], r["value_2"], r["seed"]) for r in rows] == [
        (a, b, s) for a in ("0.001", "0.05") for b in ("0", "0.5") for s in ("1", "2")]
    alone = trained(SPEC, {LR: 0.05, "network.hidden[0].dropout": 0.5}, seed=2)
    assert float(rows[7]["final_val_loss"]) == pytest.approx(alone.history[-1]["val_loss"], rel=1e-5)
    means = {}
    for r in rows:
        means.setdefault((float(r["value_1"]), float(r["value_2"])), []).append(float(r["final_val_loss"]))
    best = min(means, key=lambda k: np.mean(means[k]))
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == (f"Best: {LR} = {best[0]:g}, network.hidden[0].dropout = {best[1]:g} "
                         f"(mean final val loss {np.mean(means[best]):.3g})")
    assert lines[0].startswith(f"{LR} = 0.001, network.hidden[0].dropout = 0 (seed 1): final train ")
    png = (out / "heatmap.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert not (out / "validation_curve.png").exists() and not (out / "test_score.csv").exists()


def test_only_the_chosen_pair_is_scored_on_the_test_rows(tmp_path, capsys):
    out = tmp_path / "sweep"
    args = ["sweep", str(write(tmp_path, TESTED)), "--param", LR, "--values", "0.001,0.05", "--param", WD,
            "--values", "0,0.1", "--out", str(out)]
    assert cli.main(args) == 0
    (score,) = read_csv(out / "test_score.csv")
    assert list(score) == ["value_1", "value_2", "seeds", "test_rows", "test_accuracy", "test_loss"]
    pair = {LR: float(score["value_1"]), WD: float(score["value_2"])}
    trainer = trained(TESTED, pair, seed=1)
    ds = load_dataset(Experiment.from_dict(TESTED))
    p = trainer.predict(ds.x_test)[:, 0]
    accuracy = np.mean((p > 0.5) == (ds.y_test[:, 0] == 1))
    assert float(score["test_accuracy"]) == pytest.approx(accuracy, abs=1e-9) and score["test_rows"] == "20"
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-2].startswith(f"Best: {LR} = {score['value_1']}, {WD} = {score['value_2']} (")
    assert lines[-1] == (f"Test score of the chosen pair ({LR} = {score['value_1']}, {WD} = {score['value_2']}) on "
                         f"20 untouched rows: accuracy {accuracy:.3g}, loss {float(score['test_loss']):.3g}")


@pytest.mark.parametrize("extra, words", [
    (["--param", WD, "--values", "0", "--param", "network.input_dropout", "--values", "0"],
     "3 --param and 3 --values"),
    (["--param", WD], "2 --param and 1 --values"),
    (["--param", "training.wd", "--values", "0"], "--param: 'training.wd': no field 'wd'"),
    (["--param", LR, "--values", "0.1"], f"--param: '{LR}' given twice"),
    (["--param", WD, "--values", "-1"], f"{WD}: -1 is out of range"),
    (["--param", WD, "--values", "x"], "--values: 'x' is neither a list"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, extra, words):
    args = ["sweep", str(write(tmp_path, SPEC)), "--param", LR, "--values", "0.01", *extra, "--out",
            str(tmp_path / "out")]
    assert cli.main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0]
    assert not (tmp_path / "out").exists()


def test_the_study_reports_cells_and_the_best_pair():
    from engine.studies.study import run_sweep_study

    reports = []
    progress = run_sweep_study(Experiment.from_dict(SPEC), LR, [0.001, 0.05], report=reports.append,
                               path2=WD, values2=[0.0, 0.1])
    assert [c.label for c in progress.curves] == ["0.001, 0 (seed 1)", "0.001, 0.1 (seed 1)", "0.05, 0 (seed 1)",
                                                  "0.05, 0.1 (seed 1)"]
    assert [(r["value_1"], r["value_2"]) for r in progress.table] == [(0.001, 0.0), (0.001, 0.1), (0.05, 0.0),
                                                                     (0.05, 0.1)]
    losses = {(r["value_1"], r["value_2"]): r["final_val_loss"] for r in progress.table}
    assert progress.result["best"] == min(losses, key=losses.get)
    assert progress.result["param2"] == WD and progress.result["values2"] == [0.0, 0.1]
    assert progress.result["log_x"] is True and progress.result["log_y"] is False  # 0.001 to 0.05: 50×; 0 in WD
    assert progress.message.startswith(f"Best: {LR} = ")
    assert len(reports) == 4 * 4 + 1  # an epoch each, then the end


def test_the_grid_is_checked_before_anything_trains():
    exp = Experiment.from_dict(SPEC)
    with pytest.raises(SpecError, match="two different fields"):
        run_sweep_grid(exp, (LR, LR), ([0.1], [0.2]))
    with pytest.raises(SpecError, match="'training.wd'"):
        run_sweep_grid(exp, (LR, "training.wd"), ([0.1], [0.2]))
    with pytest.raises(SpecError, match="out of range"):
        run_sweep_grid(exp, (LR, WD), ([0.1], [0.0, -1.0]))


def test_grid_means_and_cell_edges_by_hand():
    firsts, seconds, means = grid_means([(1, 10, 0.5), (1, 10, 0.7), (2, 10, 0.2), (1, 20, 0.9)])
    assert firsts.tolist() == [1, 2] and seconds.tolist() == [10, 20]
    np.testing.assert_allclose(means, [[0.6, 0.2], [0.9, np.nan]])  # a row per value_2, NaN: not run
    np.testing.assert_allclose(cell_edges(np.array([1e-3, 1e-2, 1e-1]), log=True), [10**-3.5, 10**-2.5,
                                                                                     10**-1.5, 10**-0.5])
    np.testing.assert_allclose(cell_edges(np.array([0.0, 0.2, 0.6]), log=False), [-0.1, 0.1, 0.4, 0.8])
    assert log_scale([1e-4, 1e-2]) and not log_scale([0, 1e-2, 1]) and not log_scale([0.1, 0.5, 1.0])
    scales = [axis_scale(np.array(v)) for v in ([1e-4, 1e-3, 1e-1], [0, 0.2, 0.4], [0.1, 0.5], [0, 0.01, 0.1])]
    assert scales == ["log", "linear", "linear", "index"]
