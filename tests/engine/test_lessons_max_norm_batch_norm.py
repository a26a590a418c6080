"""Lessons 13 (max-norm with dropout) and 16 (batch norm): every number their text states holds on 3 seeds.

As in test_lessons.py, each claim is checked over the training seeds (the lesson's seed + 0, 1, 2), training
headless exactly what the lesson file says, and the comparison run is the same experiment with the one thing the
lesson's own compare variant changes. Each run is trained once (12 runs of 200 epochs) and shared between tests.
Numbers are read as a reader takes them: "above 10" is > 10, "0.96 or less" is ≤ 0.96.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_lessons import LESSONS, SEEDS, gap, last, show, val_losses

from engine.spec import Experiment, load_experiment
from engine.studies.study import lesson_variants
from engine.training.trainer import Trainer

# Keras' MaxNorm scales a unit to c / (1e-7 + ‖w‖) of itself: its norm lands at c to float32 precision.
FLOAT32_SLACK = 1e-5

_trained: dict[str, Trainer] = {}


@pytest.fixture(autouse=True, scope="module")
def _forget_the_runs_afterwards():
    yield
    _trained.clear()


def lesson(stem: str) -> Experiment:
    return load_experiment(LESSONS / f"{stem}.json")


def variants(stem: str) -> dict[str, Experiment]:
    """The lesson's own compare variants, by label: what the comparison button trains."""
    exp = lesson(stem)
    return dict(lesson_variants(exp, exp.lesson.study["variants"]))


def train(exp: Experiment, seed: int) -> Trainer:
    """Train ``exp`` with training seed (its seed + ``seed``) to the end; the same run is trained once."""
    run = exp.copy()
    run.training.seed = exp.training.seed + seed
    run.name, run.lesson = "", None  # neither changes training
    key = run.to_json()
    if key not in _trained:
        trainer = Trainer(run, grid_every=0)
        trainer.run()
        _trained[key] = trainer
    return _trained[key]


def hidden_unit_norms(trainer: Trainer) -> np.ndarray:
    """Every hidden unit's incoming ‖w‖ over the whole run: the metrics' per-layer largest unit norm, each epoch."""
    return np.array([[row[f"hidden_{i + 1}_max_unit_norm"] for i in range(len(trainer.net.dense) - 1)]
                     for row in trainer.history])


def at_epoch(trainer: Trainer, epoch: int) -> dict:
    return trainer.history[epoch - 1]


# --------------------------------------------------------------------------- 13: max-norm with dropout


def test_13_the_comparison_trains_the_uncapped_network_and_the_same_one_capped_at_3():
    exp = lesson("13_max_norm_with_dropout")
    assert [label for label in variants("13_max_norm_with_dropout")] == ["no max-norm", "max-norm 3"]
    uncapped, capped = variants("13_max_norm_with_dropout").values()
    assert uncapped == exp and all(h.max_norm is None for h in exp.network.hidden)  # "with no cap on its weights"
    assert [h.max_norm for h in capped.network.hidden] == [3.0, 3.0]  # "Set Max-norm to 3 on both hidden layers"
    capped.network.hidden[0].max_norm = capped.network.hidden[1].max_norm = None
    assert capped == exp  # nothing else changes


def test_13_the_network_is_the_one_the_lesson_describes():
    exp = lesson("13_max_norm_with_dropout")
    # "a 128-128 ReLU network with dropout 0.5 trains with Adam at a learning rate of 0.1, a hundred times ... 0.001"
    assert [(h.units, h.activation, h.dropout) for h in exp.network.hidden] == [(128, "relu", 0.5)] * 2
    assert exp.training.optimizer == "adam" and exp.training.learning_rate == pytest.approx(100 * 0.001)
    assert exp.training.weight_decay == 0 and all(h.kernel_regularizer is None for h in exp.network.hidden)


def test_13_keras_max_norm_scales_a_unit_back_to_c_after_every_step():
    """"after every step, a unit whose ‖w‖ is above c is scaled back to c": the stock constraint, checked by hand."""
    from engine.training.keras_setup import keras

    c, w = 3.0, np.array([[3.0, 0.3], [4.0, 0.4]], np.float32)  # unit norms 5 (above c) and 0.5 (below)
    capped = keras.constraints.MaxNorm(c, axis=0)(w).numpy()
    np.testing.assert_allclose(np.linalg.norm(capped, axis=0), [c, 0.5], rtol=1e-6)
    np.testing.assert_allclose(capped[:, 0], w[:, 0] * c / 5, rtol=1e-6)  # scaled, direction kept


@pytest.mark.parametrize("seed", SEEDS)
def test_13_max_norm_3_keeps_the_weights_and_the_validation_loss_down(seed):
    uncapped, capped = (train(exp, seed) for exp in variants("13_max_norm_with_dropout").values())
    norms, capped_norms = hidden_unit_norms(uncapped), hidden_unit_norms(capped)
    numbers = show(largest_norm=norms[-1].max(), val_loss=last(uncapped)["val_loss"],
                   val_acc=last(uncapped)["val_accuracy"], capped_largest=capped_norms.max(),
                   capped_val_loss=last(capped)["val_loss"], capped_val_acc=last(capped)["val_accuracy"])
    assert len(uncapped.history) == len(capped.history) == 200, numbers  # neither diverges nor stops early
    assert norms[-1].max() > 10, numbers  # "the largest ‖w‖ of a hidden unit ends above 10"
    assert last(uncapped)["val_loss"] > 10, numbers  # "and the validation loss above 10"
    assert last(uncapped)["val_accuracy"] > 0.8, numbers  # "although the validation accuracy ends above 0.8"
    assert capped_norms.max() <= 3 + FLOAT32_SLACK, numbers  # "every unit's ‖w‖ stays at 3 or less in every epoch"
    for layer in capped.net.dense[:-1]:  # the metric is the weights themselves, as trained
        assert np.linalg.norm(layer.kernel.numpy().astype(np.float64), axis=0).max() <= 3 + FLOAT32_SLACK
    assert last(capped)["val_loss"] < 2.5, numbers  # "the validation loss ends below 2.5"
    assert last(capped)["val_loss"] < last(uncapped)["val_loss"] / 5, numbers  # "under a fifth of the uncapped's"
    assert last(capped)["val_accuracy"] > 0.8, numbers  # "with the validation accuracy still above 0.8"


# --------------------------------------------------------------------------- 16: batch norm


def test_16_is_lesson_1_with_batch_norm_and_its_comparison_takes_it_away():
    exp, lesson_1 = lesson("16_batch_norm"), lesson("01_overfitting")
    assert all(h.batch_norm for h in exp.network.hidden)  # "batch norm in both hidden layers"
    with_bn, without = variants("16_batch_norm").values()
    assert list(variants("16_batch_norm")) == ["batch norm", "no batch norm"]
    assert with_bn == exp
    for e in (exp, lesson_1, without):
        e.name, e.lesson = "", None
    assert without == lesson_1  # "lesson 1's over-fitting network with batch norm ..., nothing else changed"


def test_16_keras_momentum_for_the_running_averages_is_0_99():
    """"the running averages (Keras' momentum 0.99)": the batch-norm layers the lesson trains."""
    trainer = Trainer(lesson("16_batch_norm"), grid_every=0)
    assert [bn.momentum for bn in trainer.net.batch_norms if bn is not None] == [0.99, 0.99]


@pytest.mark.parametrize("seed", SEEDS)
def test_16_batch_norm_starts_no_faster_and_ends_with_a_much_smaller_gap(seed):
    with_bn, without = (train(exp, seed) for exp in variants("16_batch_norm").values())
    bn10, plain10 = at_epoch(with_bn, 10), at_epoch(without, 10)
    numbers = show(eval10=bn10["train_eval_loss"], batches10=bn10["loss"], plain_eval10=plain10["train_eval_loss"],
                   plain_batches10=plain10["loss"], gap=gap(with_bn), plain_gap=gap(without),
                   val=last(with_bn)["val_loss"], plain_val=last(without)["val_loss"],
                   train_acc=last(with_bn)["train_eval_accuracy"], plain_train_acc=last(without)["train_eval_accuracy"])
    assert len(val_losses(with_bn)) == len(val_losses(without)) == 200, numbers
    assert bn10["train_eval_loss"] > 0.4, numbers  # "at epoch 10 the training loss ... is still above 0.4"
    assert plain10["train_eval_loss"] < 0.15, numbers  # "where lesson 1's is below 0.15"
    assert bn10["loss"] < 0.3, numbers  # "the loss of the batches as they trained ... is already below 0.3"
    assert bn10["loss"] > plain10["loss"], numbers  # "no faster start", by the batches' own loss too
    assert gap(with_bn) < 0.1, numbers  # "By epoch 200 the gap ... is below 0.1"
    assert gap(without) > 0.7, numbers  # "where lesson 1's is above 0.7"
    assert last(with_bn)["val_loss"] < 0.35, numbers  # "the validation loss ends below 0.35"
    assert last(without)["val_loss"] > 0.75, numbers  # "where lesson 1's is above 0.75"
    assert last(with_bn)["train_eval_accuracy"] <= 0.96, numbers  # "a training accuracy of 0.96 or less"
    assert last(without)["train_eval_accuracy"] >= 0.98, numbers  # "where lesson 1's is 0.98 or more"
