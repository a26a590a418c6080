"""The classroom lessons (resources/presets/lessons/): every file loads, and every lesson's claim holds.

Each claim is checked over 3 training seeds (the lesson's seed + 0, 1, 2), training headless exactly what
the lesson file says; the comparison runs are the same experiment with one thing changed (λ swapped from
L1 to L2, dropout set to 0…). Runs that two tests share (lesson 1 is lesson 6 without dropout, lesson 3
is lesson 4's pure-L1 end) are trained once.

Every number a lesson states is checked as a reader takes it: "about 6" is a value that rounds to 6
(5.5 ≤ x < 6.5), "about 1 %" one that rounds to 1 %, "about 70 %" one that rounds to the nearest ten per
cent, "0.05 or less" is ≤ 0.05, "less than half" < 0.5, "between epochs 10 and 30" is 10 ≤ epoch ≤ 30.
Each test names the lesson's words beside the check. When a claim fails on a seed, the lesson changes.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from engine.data import load_table
from engine.spec import Experiment, load_experiment, parse_values, set_path
from engine.studies.crossval import cross_validate
from engine.studies.sweep import FinalTestScore, best_value, run_sweep
from engine.training.snapshot import NEAR_ZERO
from engine.training.trainer import Trainer

LESSONS = Path(__file__).resolve().parents[2] / "resources" / "presets" / "lessons"
SEEDS = (0, 1, 2)
ALL_LAYERS = "network.hidden[*]"


def lesson(stem: str) -> Experiment:
    return load_experiment(LESSONS / f"{stem}.json")


def with_field(exp: Experiment, path: str, value: float) -> Experiment:
    """``exp`` with the field at ``path`` (field paths such as ``network.hidden[*].dropout``) set to ``value``."""
    return set_path(exp, path, value)


_trained: dict[str, Trainer] = {}


@pytest.fixture(autouse=True, scope="module")
def _forget_the_runs_afterwards():
    yield
    _trained.clear()  # ~40 trained models: let the rest of the suite have the memory back


def train(exp: Experiment, seed: int) -> Trainer:
    """Train ``exp`` with training seed (its seed + ``seed``) to the end; the same run is trained once."""
    run = exp.copy()
    run.training.seed = exp.training.seed + seed
    run.name, run.lesson = "", None  # neither changes training: the same network, data and seed share a run
    key = run.to_json()
    if key not in _trained:
        trainer = Trainer(run, grid_every=0)
        trainer.run()
        _trained[key] = trainer
    return _trained[key]


def last(trainer: Trainer) -> dict:
    """The last epoch's metrics, rounded to 6 decimals: a float32 accuracy of 49/50 reads 0.97999996."""
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in trainer.history[-1].items()}


def gap(trainer: Trainer) -> float:
    """Final validation loss − final training loss (dropout off)."""
    return last(trainer)["val_loss"] - last(trainer)["train_eval_loss"]


def hidden_kernels(trainer: Trainer) -> list[np.ndarray]:
    """The kernels of the hidden layers (the regularized ones), as trained."""
    return [layer.kernel.numpy() for layer in trainer.net.dense[:-1]]


def near_zero(trainer: Trainer) -> float:
    """The share of hidden-layer weights with |w| below the weight panel's near-zero threshold."""
    w = np.concatenate([k.ravel() for k in hidden_kernels(trainer)])
    return float(np.mean(np.abs(w) < NEAR_ZERO))


def sum_of_squares(trainer: Trainer) -> float:
    """Σw² over the hidden kernels: what L2 penalizes (× λ)."""
    return float(sum(np.sum(k.astype(np.float64) ** 2) for k in hidden_kernels(trainer)))


def mean_activation(trainer: Trainer) -> float:
    """The mean output of the hidden ReLU units over the training set (dropout off), computed in numpy."""
    a = trainer.data.x_train.astype(np.float64)
    means = []
    for layer in trainer.net.dense[:-1]:
        kernel, bias = (v.astype(np.float64) for v in layer.get_weights())
        a = np.maximum(a @ kernel + bias, 0.0)
        means.append(a.mean())
    return float(np.mean(means))


def layer_near_zero(trainer: Trainer, layer: int) -> float:
    """The share of one layer's kernel weights with |w| < 0.001: the weights panel's "% near 0" for that layer."""
    return float(np.mean(np.abs(hidden_kernels(trainer)[layer]) < NEAR_ZERO))


def layer_norm(trainer: Trainer, layer: int) -> float:
    """‖w‖ of one hidden layer's kernel: the weights panel's L2 readout for that layer."""
    return float(np.linalg.norm(hidden_kernels(trainer)[layer].astype(np.float64)))


def hidden_outputs(trainer: Trainer) -> list[np.ndarray]:
    """Each hidden ReLU layer's outputs over the training rows (dropout off), computed in numpy."""
    a, outputs = trainer.data.x_train.astype(np.float64), []
    for layer in trainer.net.dense[:-1]:
        kernel, bias = (v.astype(np.float64) for v in layer.get_weights())
        a = np.maximum(a @ kernel + bias, 0.0)
        outputs.append(a)
    return outputs


def rounds_to(value: float, stated: float, step: float) -> bool:
    """True when ``value`` rounds to ``stated`` on a grid of ``step`` ("about 6" with step 1: 5.5 ≤ value < 6.5)."""
    return stated - step / 2 <= value < stated + step / 2


def most_a_straight_line_gets_right(x: np.ndarray, y: np.ndarray) -> int:
    """An upper bound on how many points (x, 2-D; y, 0/1) any straight line classifies correctly.

    A best line can be moved until it passes through two of the points without changing what it gets right, so
    trying the line through every pair, both ways round, and counting the two points on it as right bounds it.
    """
    best = 0
    for i in range(len(y)):
        for j in range(i + 1, len(y)):
            direction = x[j] - x[i]
            side = (x - x[i]) @ np.array([-direction[1], direction[0]])
            off_line = np.ones(len(y), bool)
            off_line[[i, j]] = False
            for sign in (1, -1):
                best = max(best, int(np.sum(((sign * side > 0) == (y == 1)) & off_line)) + 2)
    return best


def val_losses(trainer: Trainer) -> np.ndarray:
    return np.array([r["val_loss"] for r in trainer.history])


def live_change(exp: Experiment, seed: int, path: str, value: float, before: int, after: int) -> Trainer:
    """Train ``before`` epochs, change the field at ``path`` live (as the window does), train ``after`` more."""
    run = exp.copy()
    run.training.seed = exp.training.seed + seed
    trainer = Trainer(run, grid_every=0)
    trainer.run(before)
    assert trainer.apply_live(with_field(run, path, value))  # live: same weights, no reset
    trainer.run(after)
    return trainer


def show(**numbers: float) -> str:
    return ", ".join(f"{k}={v:.4g}" for k, v in numbers.items())


# --------------------------------------------------------------------------- the files


def lesson_files() -> list[Path]:
    return sorted(LESSONS.glob("*.json"))


def test_there_are_at_least_ten_lessons_numbered_in_teaching_order():
    files = lesson_files()
    assert len(files) >= 10
    numbers = [int(re.match(r"^(\d{2})_[a-z0-9_]+\.json$", f.name).group(1)) for f in files]
    assert numbers == list(range(1, len(files) + 1))


@pytest.mark.parametrize("path", lesson_files(), ids=lambda p: p.stem)
def test_every_lesson_file_loads_with_a_lesson_and_round_trips(path):
    exp = load_experiment(path)
    lesson_ = exp.lesson
    assert lesson_ is not None
    assert lesson_.title.strip() and lesson_.text.strip() and lesson_.look_at.strip()
    sentences = len(re.findall(r"[.!?](?:\s|$)", lesson_.text))
    assert 1 <= sentences <= 4, lesson_.text
    # The panel shows look_at after "<b>Look at:</b>", as rich text: no markup of its own.
    assert not set("<>&") & set(lesson_.title + lesson_.text + lesson_.look_at)
    assert exp.to_dict() == json.loads(path.read_text(encoding="utf-8"))
    assert Experiment.from_dict(exp.to_dict()) == exp
    # Fast enough to watch in class, whatever the laptop: small data, modest epochs.
    small = exp.data.samples <= 500 if exp.data.kind == "toy" else len(load_table(exp.data, exp.base_dir).y) <= 1000
    assert exp.data.kind in ("toy", "csv") and small and exp.training.epochs <= 400


def test_lesson_titles_are_unique():
    titles = [load_experiment(f).lesson.title for f in lesson_files()]
    assert len(set(titles)) == len(titles)


def test_the_sweep_and_cv_lessons_carry_their_study():
    assert lesson("09_dropout_sweep").lesson.study == {
        "kind": "sweep", "param": "network.hidden[*].dropout", "values": "0,0.1,0.2,0.3,0.4,0.5,0.7,0.9", "seeds": 1}
    assert lesson("10_cross_validation").lesson.study == {"kind": "cv", "folds": 5}
    assert lesson("03_l1_sparse_weights").lesson.study == {"kind": "compare"}  # the set built around L1, one click
    assert lesson("06_dropout_narrows_the_gap").lesson.study == {"kind": "compare"}
    assert lesson("12_adam_l2_is_not_weight_decay").lesson.study["kind"] == "compare"  # its own three variants
    with_study = ("03_", "06_", "09_", "10_", "12_", "13_", "14_", "15_", "16_", "18_", "20_")
    others = [f for f in lesson_files() if not f.stem.startswith(with_study)]
    assert all(load_experiment(f).lesson.study is None for f in others)


def test_the_lesson_block_does_not_change_training():
    taught = lesson("01_overfitting")
    plain = taught.copy()
    plain.lesson = None
    histories = []
    for exp in (taught, plain):
        trainer = Trainer(exp, grid_every=0)
        trainer.run(5)
        histories.append(trainer.history)
    assert histories[0] == histories[1]


# --------------------------------------------------------------------------- the claims, over 3 seeds


@pytest.mark.parametrize("seed", SEEDS)
def test_01_overfitting_validation_loss_bottoms_out_early_and_a_gap_opens(seed):
    exp = lesson("01_overfitting")
    assert all(h.kernel_regularizer is None and h.dropout == 0 for h in exp.network.hidden)
    assert [h.units for h in exp.network.hidden] == [128, 128]
    trainer = train(exp, seed)
    data, val = trainer.data, val_losses(trainer)
    best = int(np.argmin(val)) + 1
    right = round(last(trainer)["train_eval_accuracy"] * len(data.y_train))
    line = most_a_straight_line_gets_right(data.x_train.astype(np.float64), data.y_train.ravel())
    numbers = show(best_epoch=best, min_val=val.min(), final_val=val[-1], final_train=last(trainer)["train_eval_loss"],
                   train_acc=last(trainer)["train_eval_accuracy"], val_acc=last(trainer)["val_accuracy"],
                   right=right, straight_line_at_most=line)
    assert len(data.y_train) == 50, numbers  # "only 50 training points"
    assert last(trainer)["train_eval_accuracy"] >= 0.98, numbers  # "98 % or more of its training points right"
    assert rounds_to(last(trainer)["val_accuracy"], 0.9, 0.1), numbers  # "only about 90 % of the validation points"
    assert 10 <= best <= 30, numbers  # "lowest ... between epochs 10 and 30"
    assert rounds_to(val.min(), 0.16, 0.01), numbers  # "(about 0.16)"
    assert rounds_to(val[-1] / val.min(), 5, 1), numbers  # "climbs to about five times that by epoch 200"
    assert len(val) == exp.training.epochs == 200, numbers
    assert last(trainer)["train_eval_loss"] <= 0.05, numbers  # "the training loss keeps falling, to 0.05 or less"
    assert line < right, numbers  # "the boundary bends to take in training points ..., which no straight line could"


def test_02_with_plain_sgd_l2_is_exactly_weight_decay():
    """"each step first multiplies every weight by 1 − 2·lr·λ (here 0.9994)": one SGD step with L2(λ) takes every
    kernel to the plain step's result less 2·lr·λ·w, to float precision (one batch = the whole training set)."""
    exp = lesson("02_l2_shrinks_weights")
    lr, lam = exp.training.learning_rate, exp.network.hidden[0].kernel_regularizer.l2
    assert exp.training.optimizer == "sgd" and 1 - 2 * lr * lam == pytest.approx(0.9994)
    one_step = exp.copy()
    one_step.training.batch_size = 8192
    without = with_field(one_step, f"{ALL_LAYERS}.kernel_regularizer.l2", 0.0)
    with_l2, plain = Trainer(one_step, grid_every=0), Trainer(without, grid_every=0)
    start = hidden_kernels(with_l2)
    assert all(np.array_equal(a, b) for a, b in zip(start, hidden_kernels(plain), strict=True))  # the same start
    with_l2.step()
    plain.step()
    for w0, w_l2, w_plain in zip(start, hidden_kernels(with_l2), hidden_kernels(plain), strict=True):
        decayed = w_plain.astype(np.float64) - 2 * lr * lam * w0.astype(np.float64)
        np.testing.assert_allclose(w_l2, decayed, rtol=0, atol=1e-7)  # float32 weights of |w| < 1
        assert np.abs(w_l2 - w_plain).max() > 100 * 1e-7  # the decay itself is far above float precision


@pytest.mark.parametrize("seed", SEEDS)
def test_02_l2_shrinks_the_weights_without_zeroing_them(seed):
    exp = lesson("02_l2_shrinks_weights")
    lam = exp.network.hidden[0].kernel_regularizer.l2
    assert lam > 0 and all(h.kernel_regularizer.l1 == 0 and h.kernel_regularizer.l2 == lam for h in exp.network.hidden)
    l2 = train(exp, seed)
    plain = train(with_field(exp, f"{ALL_LAYERS}.kernel_regularizer.l2", 0.0), seed)
    numbers = show(norm2=layer_norm(l2, 1), plain2=layer_norm(plain, 1), near2=layer_near_zero(l2, 1),
                   plain_near2=layer_near_zero(plain, 1), norm1=layer_norm(l2, 0), plain1=layer_norm(plain, 0))
    assert rounds_to(layer_norm(l2, 1), 6, 1), numbers  # "‖w‖ of hidden 2 ends near 6"
    assert rounds_to(layer_norm(plain, 1), 12, 1), numbers  # "without L2 reaches about 12"
    assert rounds_to(layer_near_zero(l2, 1), 0.01, 0.01), numbers  # "its share near 0 stays about 1 %"
    assert layer_norm(l2, 0) < layer_norm(plain, 0), numbers  # every layer is pulled in ("the histogram narrows")
    # "The penalty band ... is λ·Σw²" (no ½), of weights that hardly move within an epoch by now.
    assert last(l2)["penalty"] == pytest.approx(lam * sum_of_squares(l2), rel=0.02), numbers


@pytest.mark.parametrize("seed", SEEDS)
def test_03_l1_puts_many_weights_near_zero_where_l2_at_the_same_lambda_does_not(seed):
    exp = lesson("03_l1_sparse_weights")
    lam, lr = exp.network.hidden[0].kernel_regularizer.l1, exp.training.learning_rate
    assert lam > 0 and all(h.kernel_regularizer.l2 == 0 and h.kernel_regularizer.l1 == lam for h in exp.network.hidden)
    assert exp.training.optimizer == "sgd" and lr * lam == pytest.approx(0.0001)  # "lr·λ = 0.0001"
    l1 = train(exp, seed)
    swapped = with_field(with_field(exp, f"{ALL_LAYERS}.kernel_regularizer.l1", 0.0),
                         f"{ALL_LAYERS}.kernel_regularizer.l2", lam)
    l2 = train(swapped, seed)
    w = np.concatenate([k.ravel() for k in hidden_kernels(l1)])
    pulled = np.abs(w[np.abs(w) < NEAR_ZERO])
    numbers = show(near2=layer_near_zero(l1, 1), near1=layer_near_zero(l1, 0), l2_near2=layer_near_zero(l2, 1),
                   within_lr_lam=float(np.mean(pulled < lr * lam)), exact_zeros=int(np.sum(w == 0)))
    assert [k.shape for k in hidden_kernels(l1)] == [(2, 128), (128, 128)]
    assert rounds_to(layer_near_zero(l1, 1), 0.7, 0.1), numbers  # "about 70 % of hidden 2's weights end near 0"
    assert rounds_to(layer_near_zero(l1, 0), 0.2, 0.1), numbers  # "and about 20 % of hidden 1's"
    assert rounds_to(layer_near_zero(l2, 1), 0.01, 0.01), numbers  # "L2 at the same λ ... leaves about 1 %"
    assert np.mean(pulled < lr * lam) > 0.5, numbers  # "most of them staying within lr·λ = 0.0001 of it"
    assert np.sum(w == 0) == 0, numbers  # "none lands on exactly 0"


@pytest.mark.parametrize("seed", SEEDS)
def test_04_elastic_net_is_between_pure_l2_and_pure_l1(seed):
    exp = lesson("04_elastic_net")
    l1, l2 = exp.network.hidden[0].kernel_regularizer.l1, exp.network.hidden[0].kernel_regularizer.l2
    assert (l1, l2) == (0.0005, 0.0005)  # "two halves of 0.0005" of lesson 3's λ
    assert all((h.kernel_regularizer.l1, h.kernel_regularizer.l2) == (l1, l2) for h in exp.network.hidden)
    total = l1 + l2  # the pure penalties get the whole λ, the elastic net splits it
    pure_l1 = with_field(with_field(exp, f"{ALL_LAYERS}.kernel_regularizer.l1", total),
                         f"{ALL_LAYERS}.kernel_regularizer.l2", 0.0)
    pure_l2 = with_field(with_field(exp, f"{ALL_LAYERS}.kernel_regularizer.l1", 0.0),
                         f"{ALL_LAYERS}.kernel_regularizer.l2", total)
    lesson3 = lesson("03_l1_sparse_weights")
    lesson3.name, lesson3.lesson = pure_l1.name, pure_l1.lesson
    assert lesson3 == pure_l1  # "the λ = 0.001 of lesson 3": pure L1 here is lesson 3 itself
    elastic, only_l1, only_l2 = train(exp, seed), train(pure_l1, seed), train(pure_l2, seed)
    numbers = show(near2=layer_near_zero(elastic, 1), near1=layer_near_zero(elastic, 0),
                   l2_near2=layer_near_zero(only_l2, 1), l1_near2=layer_near_zero(only_l1, 1),
                   norm2=layer_norm(elastic, 1), l1_norm2=layer_norm(only_l1, 1), l2_norm2=layer_norm(only_l2, 1))
    assert 1 / 3 < layer_near_zero(elastic, 1) <= 0.4, numbers  # "a little over a third"
    assert rounds_to(layer_near_zero(only_l2, 1), 0.01, 0.01), numbers  # "pure L2 at λ = 0.001 (about 1 %)"
    assert rounds_to(layer_near_zero(only_l1, 1), 0.7, 0.1), numbers  # "pure L1 at λ = 0.001 (about 70 %)"
    assert rounds_to(layer_near_zero(elastic, 0), 0.1, 0.1), numbers  # "hidden 1's about a tenth"
    assert rounds_to(layer_norm(elastic, 1), 5.5, 0.5), numbers  # "Its ‖w‖ ends about 5.5"
    assert rounds_to(layer_norm(only_l1, 1), 3, 1), numbers  # "pure L1's 3"
    assert rounds_to(layer_norm(only_l2, 1), 9.5, 0.5), numbers  # "pure L2's 9.5"


@pytest.mark.parametrize("seed", SEEDS)
def test_05_activity_regularization_means_fewer_and_smaller_activations(seed):
    exp = lesson("05_activity_regularization")
    assert [h.units for h in exp.network.hidden] == [50, 25]
    for h in exp.network.hidden:  # as in the tutorial: L1 1e-4 on the outputs, nothing on the weights
        assert (h.activity_regularizer.l1, h.activity_regularizer.l2) == (1e-4, 0.0)
        assert h.kernel_regularizer is None and h.bias_regularizer is None
    act = train(exp, seed)
    plain = train(with_field(exp, f"{ALL_LAYERS}.activity_regularizer.l1", 0.0), seed)
    out, out_plain = hidden_outputs(act)[1], hidden_outputs(plain)[1]  # Dense 25's outputs on the training rows
    numbers = show(zeros=np.mean(out == 0), zeros_plain=np.mean(out_plain == 0), mean=out.mean(),
                   mean_plain=out_plain.mean(), best=int(np.argmin(val_losses(act))) + 1,
                   best_plain=int(np.argmin(val_losses(plain))) + 1,
                   ratio=last(act)["val_loss"] / last(plain)["val_loss"])
    assert len(act.data.y_train) == 350, numbers  # "these 350 training rows"
    assert last(act)["penalty"] > 0 and last(plain)["penalty"] == 0, numbers  # "it is all activity penalty"
    assert np.mean(out == 0) > 2 / 3, numbers  # "over two thirds of Dense 25's outputs are 0"
    assert rounds_to(np.mean(out_plain == 0), 0.5, 0.1), numbers  # "against about half without the penalty"
    assert out.mean() < 0.5 * out_plain.mean(), numbers  # "their mean is less than half as large"
    for run in (act, plain):  # "both networks over-fit ... (it is lowest within the first 5 epochs)"
        assert int(np.argmin(val_losses(run))) + 1 <= 5, numbers
    # "with the penalty it ends about 30 % lower than without"
    assert rounds_to(1 - last(act)["val_loss"] / last(plain)["val_loss"], 0.3, 0.1), numbers


@pytest.mark.parametrize("seed", SEEDS)
def test_06_dropout_narrows_the_gap(seed):
    exp = lesson("06_dropout_narrows_the_gap")
    assert all(h.dropout == 0.5 for h in exp.network.hidden)
    dropout = train(exp, seed)
    without = train(with_field(exp, f"{ALL_LAYERS}.dropout", 0.0), seed)
    val, val_without = val_losses(dropout), val_losses(without)
    numbers = show(gap_dropout=gap(dropout), gap_without=gap(without), min_val=val.min(), final_val=val[-1],
                   final_without=val_without[-1])
    # Lesson 6 is lesson 1 with dropout: the comparison run is the over-fitting lesson itself.
    assert train(lesson("01_overfitting"), seed) is without
    assert gap(dropout) < 0.5 * gap(without), numbers  # "less than half of lesson 1's"
    assert rounds_to(val.min(), 0.16, 0.01), numbers  # "after its low of about 0.16"
    assert val[-1] > val.min() and val[-1] <= 0.4, numbers  # "still rises ... but only to 0.4 or less by epoch 200"
    assert val_without[-1] > 0.75, numbers  # "where lesson 1's climbs above 0.75"


def test_06_the_network_view_s_mask_is_new_every_epoch():
    """"the crossed-out units are one example's mask, new every epoch": the snapshot's mask (the first example of the
    epoch's last batch) changes from one epoch to the next."""
    trainer = Trainer(lesson("06_dropout_narrows_the_gap"), grid_every=0)
    masks = [trainer.step().layers[0].dropped.copy() for _ in range(10)]
    assert all(m.shape == (128,) for m in masks)
    assert all(not np.array_equal(a, b) for a, b in zip(masks, masks[1:], strict=False))


@pytest.mark.parametrize("seed", SEEDS)
def test_07_too_much_lambda_underfits(seed):
    exp = lesson("07_too_much_lambda")
    lam = exp.network.hidden[0].kernel_regularizer.l2
    assert lam == 0.01 and [h.units for h in exp.network.hidden] == [64, 64]  # "λ = 0.01", "this 64-64 network"
    too_much = train(exp, seed)
    moderate = train(with_field(exp, f"{ALL_LAYERS}.kernel_regularizer.l2", 0.0001), seed)
    rescued = live_change(exp, seed, f"{ALL_LAYERS}.kernel_regularizer.l2", 0.0001, 100, 100)
    numbers = show(train_acc=last(too_much)["train_eval_accuracy"], moderate=last(moderate)["train_eval_accuracy"],
                   loss=last(too_much)["train_eval_loss"], near2=layer_near_zero(too_much, 1),
                   lowered_at_100=last(rescued)["train_eval_accuracy"])
    assert rounds_to(last(too_much)["train_eval_accuracy"], 0.6, 0.1), numbers  # "it stays near 0.6"
    assert last(moderate)["train_eval_accuracy"] >= 0.97, numbers  # "λ = 0.0001 reaches 0.97 or more"
    assert last(rescued)["train_eval_accuracy"] < 0.7, numbers  # "100 epochs later it is still below 0.7"
    assert 0.65 < last(too_much)["train_eval_loss"] < math.log(2), numbers  # "above 0.65, close to the 0.69 ..."
    assert layer_near_zero(too_much, 1) > 0.9, numbers  # "over 90 % of hidden 2's weights are squeezed near 0"


@pytest.mark.parametrize("seed", SEEDS)
def test_08_too_high_a_dropout_rate_underfits(seed):
    exp = lesson("08_too_much_dropout")
    assert all(h.dropout == 0.8 for h in exp.network.hidden)
    too_high = train(exp, seed)
    moderate = train(with_field(exp, f"{ALL_LAYERS}.dropout", 0.2), seed)
    recovered = live_change(exp, seed, f"{ALL_LAYERS}.dropout", 0.2, 100, 100)
    numbers = show(train_acc=last(too_high)["train_eval_accuracy"], moderate=last(moderate)["train_eval_accuracy"],
                   lowered_at_100=last(recovered)["train_eval_accuracy"])
    assert last(too_high)["train_eval_accuracy"] < 0.7, numbers  # "below 0.7"
    assert last(moderate)["train_eval_accuracy"] >= 0.95, numbers  # "a moderate rate of 0.2 reaches 0.95 or more"
    assert last(recovered)["train_eval_accuracy"] > 0.75, numbers  # "past 0.75 within the next 100 epochs"


def test_08_about_four_in_five_units_of_the_drawn_example_are_crossed_out():
    """"about four in five units of the example drawn are crossed out": the drawn mask's share, over 50 epochs."""
    trainer = Trainer(lesson("08_too_much_dropout"), grid_every=0)
    shares = [np.mean([layer.dropped.mean() for layer in trainer.step().layers[:-1]]) for _ in range(50)]
    assert rounds_to(float(np.mean(shares)), 0.8, 0.1), shares


@pytest.mark.parametrize("seed", SEEDS)
def test_09_the_dropout_sweep_picks_a_low_rate_and_scores_it_once_on_test_rows(seed):
    exp = lesson("09_dropout_sweep")
    study = exp.lesson.study
    exp.training.seed += seed
    values = parse_values(study["values"])
    assert values[0] == 0 and values[-1] == 0.9 and {0.2, 0.4} <= set(values)  # "each rate from 0 to 0.9"
    scores: list[FinalTestScore] = []
    rows = run_sweep(exp, study["param"], values, study["seeds"], on_test_score=scores.append)
    by_value = {r.value: r for r in rows}
    best = best_value(rows)
    numbers = "; ".join(f"{r.value:g}: val_loss={r.final_val_loss:.3f} train_acc={r.final_train:.3f} "
                        f"val_acc={r.final_val:.3f}" for r in rows)
    numbers += f"; best {best:g}; test {scores}"
    assert 0.1 <= best <= 0.3, numbers  # "the chosen rate lies between 0.1 and 0.3"
    # "At rate 0 the training accuracy is above the validation accuracy (over-fitting)"
    assert by_value[0.0].final_train > by_value[0.0].final_val, numbers
    assert by_value[0.7].final_train < 0.65 and by_value[0.9].final_train < 0.65, numbers  # "falls below 0.65"
    assert abs(by_value[0.9].final_val_loss - math.log(2)) <= 0.02, numbers  # "ends close to 0.69, a coin toss's"
    # "the 50 test rows, which nothing has used, then score the chosen rate once"
    assert len(scores) == 1 and scores[0].value == best and scores[0].test_rows == 50, numbers
    assert scores[0].test_metric >= 0.95, numbers  # "an accuracy of 0.95 or more"


@pytest.mark.parametrize("seed", SEEDS)
def test_10_five_fold_cross_validation_predicts_every_point_once(seed):
    exp = lesson("10_cross_validation")
    folds = exp.lesson.study["folds"]
    exp.training.seed += seed
    cv = cross_validate(exp, folds)
    n = exp.data.samples
    rmse = np.array([f.scores["rmse"] for f in cv.folds])
    accuracy = np.array([f.scores["accuracy"] for f in cv.folds])
    numbers = show(final_accuracy=cv.final_scores()["accuracy"], accuracy_spread=accuracy.max() - accuracy.min(),
                   rmse_ratio=rmse.max() / rmse.min())
    assert len(cv.folds) == folds == 5
    assert [f.test_size for f in cv.folds] == [n // folds] * folds
    assert all(f.train_size + f.test_size == n for f in cv.folds)
    # "every point is predicted exactly once by a model that did not train on it"
    assert cv.predictions.shape == (n, 2) and not np.isnan(cv.predictions).any()
    # "The final score is computed from all the out-of-sample predictions together": the pooled RMSE is the root of
    # the folds' mean squared errors weighted by their sizes.
    sizes = np.array([f.test_size for f in cv.folds])
    assert cv.final_rmse == pytest.approx(math.sqrt(np.sum(sizes * rmse**2) / n), rel=1e-9)
    assert accuracy.max() - accuracy.min() >= 0.1, numbers  # "differs by 0.1 or more between the best and the worst"
    assert rounds_to(rmse.max() / rmse.min(), 2, 1), numbers  # "the worst fold's RMSE is about twice the best's"
    assert rounds_to(cv.final_scores()["accuracy"], 0.9, 0.1), numbers  # "an accuracy of about 0.9"


@pytest.mark.parametrize("seed", SEEDS)
def test_11_early_stopping_stops_near_the_lowest_validation_loss(seed):
    exp = lesson("11_early_stopping")
    rule = exp.training.early_stopping
    assert rule is not None and rule.restore_best_weights and rule.patience == 20  # "for 20 epochs (the patience)"
    trainer = train(exp, seed)
    val = val_losses(trainer)
    kept = trainer.batch_losses(trainer.data.x_val, trainer.data.y_val, training=False)["data_loss"]
    overfit = train(lesson("01_overfitting"), seed)  # "the over-fitting network of lesson 1": the same run, to the end
    numbers = show(stopped_at=trainer.epoch, best_epoch=trainer.best_epoch, min_val=val.min(), kept=kept,
                   lesson1_final=last(overfit)["val_loss"])
    assert trainer.stopped_early, numbers
    assert 30 <= trainer.epoch <= 50, numbers  # "after 30 to 50 epochs"
    assert trainer.best_epoch == int(np.argmin(val)) + 1 == trainer.epoch - rule.patience, numbers  # "20 epochs after"
    assert kept == pytest.approx(val.min(), rel=1e-4), numbers  # the weights kept are the best epoch's
    assert rounds_to(kept, 0.16, 0.01), numbers  # "with a validation loss of about 0.16"
    assert last(overfit)["val_loss"] > 0.75, numbers  # "where lesson 1 ends above 0.75"
    assert overfit.history[: len(val)] == trainer.history, numbers  # lesson 1's run, stopped


@pytest.mark.parametrize("seed", SEEDS)
def test_12_with_adam_l2_is_not_weight_decay(seed):
    exp = lesson("12_adam_l2_is_not_weight_decay")
    lam = exp.network.hidden[0].kernel_regularizer.l2
    assert exp.training.optimizer == "adam" and lam == 0.003  # "at λ = 0.003"
    assert all(h.kernel_regularizer.l2 == lam and h.kernel_regularizer.l1 == 0 for h in exp.network.hidden)
    l2 = train(exp, seed)
    plain = with_field(exp, f"{ALL_LAYERS}.kernel_regularizer.l2", 0.0)
    decay = train(with_field(plain, "training.weight_decay", 2 * lam), seed)  # "weight decay 0.006"
    none = train(plain, seed)
    numbers = show(norm2=layer_norm(l2, 1), near2=layer_near_zero(l2, 1), decay_norm2=layer_norm(decay, 1),
                   none_norm2=layer_norm(none, 1))
    assert layer_norm(l2, 1) < 4, numbers  # "hidden 2's ‖w‖ ends under 4"
    assert rounds_to(layer_near_zero(l2, 1), 0.5, 0.1), numbers  # "about half of its weights are near 0"
    assert layer_norm(decay, 1) > 20, numbers  # "‖w‖ ends over 20"
    # "within 2 % of the same network with no regularization at all"
    assert abs(layer_norm(decay, 1) / layer_norm(none, 1) - 1) <= 0.02, numbers


def test_12_the_comparison_trains_the_three_the_lesson_names():
    from engine.studies.study import lesson_variants

    exp = lesson("12_adam_l2_is_not_weight_decay")
    variants = dict(lesson_variants(exp, exp.lesson.study["variants"]))
    assert list(variants) == ["L2 λ=0.003", "weight decay 0.006", "none"]
    assert variants["L2 λ=0.003"].network == exp.network and variants["L2 λ=0.003"].training.weight_decay == 0
    decay = variants["weight decay 0.006"]
    assert decay.training.weight_decay == 0.006 and all(h.kernel_regularizer.l2 == 0 for h in decay.network.hidden)
    none = variants["none"]
    assert none.training.weight_decay == 0 and all(h.kernel_regularizer.l2 == 0 for h in none.network.hidden)
