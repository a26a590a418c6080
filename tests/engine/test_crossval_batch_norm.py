"""A cross-validation fold that ends at its epoch limit after its best epoch puts back that epoch's weights, as
Keras' fit does with restore_best_weights, and batch norm's moving statistics with them."""

import numpy as np

from engine.spec import Experiment
from engine.studies.crossval import train_fold
from engine.training.trainer import Trainer


def test_the_best_epochs_batch_norm_statistics_come_back_with_its_weights():
    exp = Experiment.from_dict({
        "reglab": 1,
        "data": {"kind": "toy", "name": "moons", "samples": 120, "noise": 0.3, "seed": 3},
        "network": {"hidden": [{"units": 12, "activation": "relu", "batch_norm": True}]},
        "training": {"optimizer": "adam", "learning_rate": 0.05, "batch_size": 16, "epochs": 40, "seed": 1,
                     "early_stopping": {"patience": 1000, "restore_best_weights": True}},
    })
    trainer = Trainer(exp, grid_every=0)
    bn = trainer.net.batch_norms[0]
    at_best = {}

    def remember(row):
        if trainer.best_epoch == row["epoch"]:
            at_best.update(epoch=row["epoch"], kernel=trainer.net.dense[0].kernel.numpy(),
                           mean=bn.moving_mean.numpy(), variance=bn.moving_variance.numpy())

    ended_with = train_fold(trainer, remember, None)
    assert trainer.epoch == 40 and not trainer.stopped_early  # the limit, not the patience, ended it
    assert ended_with == at_best["epoch"] < 40
    last_mean = trainer._last_finite[1][2]  # the last epoch's moving mean (γ, β, mean, variance)
    assert not np.allclose(last_mean, at_best["mean"])
    np.testing.assert_array_equal(trainer.net.dense[0].kernel.numpy(), at_best["kernel"])
    np.testing.assert_array_equal(bn.moving_mean.numpy(), at_best["mean"])
    np.testing.assert_array_equal(bn.moving_variance.numpy(), at_best["variance"])
