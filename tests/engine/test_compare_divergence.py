"""A compared variant that diverges ends alone: the others train to their end, and its row says so."""

import math

from engine.spec import Experiment
from engine.studies.study import run_compare


def variant(learning_rate: float) -> Experiment:
    return Experiment.from_dict({
        "reglab": 1,
        "data": {"kind": "toy", "name": "plane", "samples": 60, "noise": 0.1, "seed": 0},
        "network": {"hidden": [{"units": 8, "activation": "linear"}]},
        "training": {"optimizer": "sgd", "learning_rate": learning_rate, "batch_size": 60, "epochs": 12, "seed": 0},
    })


def test_a_diverging_variant_does_not_end_the_comparison():
    progress = run_compare([("lr 0.05", variant(0.05)), ("lr 10", variant(10.0))])
    steady, wild = progress.curves
    assert progress.done and steady.done and wild.done
    assert len(steady.rows) == 12  # trained to its limit
    assert len(wild.rows) < 12 and all(math.isfinite(r["loss"]) for r in wild.rows)  # up to its last finite epoch
    assert [row["variant"] for row in progress.table] == ["lr 0.05", "lr 10"]
    assert "diverged_epoch" not in progress.table[0]
    assert progress.table[1]["diverged_epoch"] == len(wild.rows) + 1 and progress.table[1]["epochs"] == len(wild.rows)
    assert progress.message == (f"Compared 2 variants; lr 10 diverged in epoch {len(wild.rows) + 1} (its last finite "
                                "epoch is shown)")
