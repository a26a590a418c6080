"""TensorBoard logs: every metrics column as a scalar per epoch, kernel, bias and unit-norm histograms per layer."""

import csv
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from engine import cli
from engine.export.tensorboard import TensorBoardLog, next_run_dir
from engine.training.keras_setup import tf

SMALL = {
    "reglab": 1, "name": "small",
    "data": {"kind": "toy", "name": "moons", "samples": 120, "noise": 0.2, "validation": 0.25, "seed": 1},
    "network": {"hidden": [
        {"units": 6, "activation": "tanh", "dropout": 0.2, "kernel_regularizer": {"l1": 0.0, "l2": 0.01}},
        {"units": 4, "activation": "relu"}]},
    "training": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 16, "epochs": 50, "seed": 0},
}


def read_events(logdir: Path) -> tuple[dict, dict]:
    """({tag: {step: value}} for scalars, {tag: {step: (buckets, 3) array}} for histograms) of every event file."""
    scalars, histograms = defaultdict(dict), defaultdict(dict)
    files = sorted(logdir.glob("events.out.tfevents.*"))
    assert files, f"no event file in {logdir}"
    for path in files:
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                plugin = value.metadata.plugin_data.plugin_name
                array = tf.make_ndarray(value.tensor)
                if plugin == "scalars":
                    scalars[value.tag][event.step] = float(array)
                elif plugin == "histograms":
                    histograms[value.tag][event.step] = array
    return dict(scalars), dict(histograms)


def test_run_with_tensorboard_logs_every_metric_and_layer(tmp_path):
    exp_file = tmp_path / "small.json"
    exp_file.write_text(json.dumps(SMALL), encoding="utf-8")
    out, board = tmp_path / "out", tmp_path / "tb"
    assert cli.main(["run", str(exp_file), "--epochs", "3", "--out", str(out), "--quiet",
                     "--tensorboard", str(board)]) == 0
    with (out / "metrics.csv").open() as f:
        rows = list(csv.DictReader(f))
    scalars, histograms = read_events(board)

    columns = [c for c in rows[0] if c != "epoch"]
    assert {"loss", "data_loss", "penalty", "train_eval_loss", "val_loss", "accuracy", "val_accuracy",
            "hidden_1_penalty"} <= set(columns)
    assert sorted(scalars) == sorted(columns)
    for row in rows:
        epoch = int(row["epoch"])
        for column in columns:  # metrics.csv keeps 6 significant digits
            assert scalars[column][epoch] == pytest.approx(float(row[column]), rel=1e-5, abs=1e-9), column
    assert sorted(histograms) == sorted(f"{layer}/{kind}" for layer in ("hidden_1", "hidden_2", "output")
                                        for kind in ("kernel", "bias", "unit_norms"))
    for tag, by_step in histograms.items():
        assert sorted(by_step) == [1, 2, 3], tag
        counts = by_step[3][:, 2].sum()
        assert counts == {"hidden_1/kernel": 2 * 6, "hidden_1/bias": 6, "hidden_2/kernel": 6 * 4, "hidden_2/bias": 4,
                          "output/kernel": 4, "output/bias": 1, "hidden_1/unit_norms": 6, "hidden_2/unit_norms": 4,
                          "output/unit_norms": 1}[tag]


def test_log_flushes_on_close_and_run_folders_count_up(tmp_path, xor_data):
    from engine.spec import Experiment
    from engine.training.trainer import Trainer

    assert next_run_dir(tmp_path / "new") == tmp_path / "new" / "run-1"
    (tmp_path / "run-1").mkdir()
    (tmp_path / "run-7").mkdir()
    (tmp_path / "run-x").mkdir()
    assert next_run_dir(tmp_path) == tmp_path / "run-8"

    trainer = Trainer(Experiment.from_dict(SMALL), xor_data, grid_every=0)
    logdir = tmp_path / "run-8"
    with TensorBoardLog(logdir, flush_every=1000, flush_seconds=1000) as log:
        snaps = [trainer.step() for _ in range(2)]
        for snap in snaps:
            log.write(snap)
    assert log.closed
    scalars, histograms = read_events(logdir)
    assert scalars["val_loss"] == {1: pytest.approx(snaps[0].val_loss), 2: pytest.approx(snaps[1].val_loss)}
    kernel = histograms["hidden_1/kernel"][2]
    assert kernel[:, 2].sum() == snaps[1].layers[0].kernel.size
    assert kernel[0, 0] == pytest.approx(float(np.min(snaps[1].layers[0].kernel)), abs=1e-6)
    log.close()  # twice is fine
    with pytest.raises(ValueError):
        log.write(snaps[0])


def test_a_tensorboard_folder_that_cannot_be_made_is_exit_2(tmp_path, capsys):
    exp_file = tmp_path / "small.json"
    exp_file.write_text(json.dumps(SMALL), encoding="utf-8")
    (tmp_path / "file").write_text("not a folder")
    code = cli.main(["run", str(exp_file), "--epochs", "1", "--out", str(tmp_path / "o"), "--quiet",
                     "--tensorboard", str(tmp_path / "file" / "tb")])
    assert code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
