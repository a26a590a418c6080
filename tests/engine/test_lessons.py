"""The classroom lessons (resources/presets/lessons/): every file loads, and every lesson's claim holds.

Each claim is checked over 3 training seeds (the lesson's seed + 0, 1, 2), training headless exactly what
the lesson file says; the comparison runs are the same experiment with one thing changed (λ swapped from
L1 to L2, dropout set to 0…). Runs that two tests share (lesson 1 is lesson 6 without dropout, lesson 3
is lesson 4's pure-L1 end) are trained once.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from engine.crossval import cross_validate
from engine.snapshot import NEAR_ZERO
from engine.spec import Experiment, load_experiment
from engine.sweep import best_value, parse_values, run_sweep, set_path
from engine.trainer import Trainer

LESSONS = Path(__file__).resolve().parents[2] / "resources" / "presets" / "lessons"
SEEDS = (0, 1, 2)
ALL_LAYERS = "network.hidden[*]"


def lesson(stem: str) -> Experiment:
    return load_experiment(LESSONS / f"{stem}.json")


def with_field(exp: Experiment, path: str, value: float) -> Experiment:
    """``exp`` with the field at ``path`` (engine.sweep's paths: ``network.hidden[*].dropout``) set to ``value``."""
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
    return trainer.history[-1]


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
    assert exp.data.kind == "toy" and exp.data.samples <= 500 and exp.training.epochs <= 400


def test_lesson_titles_are_unique():
    titles = [load_experiment(f).lesson.title for f in lesson_files()]
    assert len(set(titles)) == len(titles)


def test_the_sweep_and_cv_lessons_carry_their_study():
    assert lesson("09_dropout_sweep").lesson.study == {
        "kind": "sweep", "param": "network.hidden[*].dropout", "values": "0,0.1,0.3,0.5,0.7,0.9", "seeds": 1}
    assert lesson("10_cross_validation").lesson.study == {"kind": "cv", "folds": 5}
    assert lesson("06_dropout_closes_the_gap").lesson.study == {"kind": "compare"}  # the classic set, one click
    others = [f for f in lesson_files() if not f.stem.startswith(("06_", "09_", "10_"))]
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
    trainer = train(exp, seed)
    val = np.array([r["val_loss"] for r in trainer.history])
    best = int(np.argmin(val)) + 1
    numbers = show(best_epoch=best, min_val=val.min(), final_val=val[-1], final_train=last(trainer)["train_eval_loss"])
    assert best <= 0.3 * exp.training.epochs, numbers  # the minimum comes well before the end
    assert val[-1] >= 3 * val.min(), numbers  # and the validation loss then climbs a long way
    assert gap(trainer) >= 0.5, numbers  # a clear gap at the end
    assert last(trainer)["train_eval_accuracy"] >= 0.97, numbers  # while the training set is almost all right


@pytest.mark.parametrize("seed", SEEDS)
def test_02_l2_shrinks_the_weights_without_zeroing_them(seed):
    exp = lesson("02_l2_shrinks_weights")
    lam = exp.network.hidden[0].kernel_regularizer.l2
    assert lam > 0 and all(h.kernel_regularizer.l1 == 0 and h.kernel_regularizer.l2 == lam for h in exp.network.hidden)
    l2 = train(exp, seed)
    plain = train(with_field(exp, f"{ALL_LAYERS}.kernel_regularizer.l2", 0.0), seed)
    norms = [np.linalg.norm(k) for k in hidden_kernels(l2)]
    plain_norms = [np.linalg.norm(k) for k in hidden_kernels(plain)]
    numbers = show(sq_l2=sum_of_squares(l2), sq_plain=sum_of_squares(plain), near_zero=near_zero(l2),
                   norm0=norms[0], plain0=plain_norms[0], norm1=norms[1], plain1=plain_norms[1])
    assert all(n <= 0.85 * p for n, p in zip(norms, plain_norms, strict=True)), numbers  # every layer shrinks
    assert sum_of_squares(l2) <= 0.5 * sum_of_squares(plain), numbers
    assert near_zero(l2) <= 0.05, numbers  # shrunk, not zeroed: no spike at 0
    # The penalty of the last epoch is λ·Σw² (no ½) of weights that hardly move within an epoch by now.
    assert last(l2)["penalty"] == pytest.approx(lam * sum_of_squares(l2), rel=0.02), numbers


@pytest.mark.parametrize("seed", SEEDS)
def test_03_l1_makes_weights_sparse_where_l2_at_the_same_lambda_does_not(seed):
    exp = lesson("03_l1_sparse_weights")
    lam = exp.network.hidden[0].kernel_regularizer.l1
    assert lam > 0 and all(h.kernel_regularizer.l2 == 0 and h.kernel_regularizer.l1 == lam for h in exp.network.hidden)
    l1 = train(exp, seed)
    swapped = with_field(with_field(exp, f"{ALL_LAYERS}.kernel_regularizer.l1", 0.0),
                         f"{ALL_LAYERS}.kernel_regularizer.l2", lam)
    l2 = train(swapped, seed)
    numbers = show(near_zero_l1=near_zero(l1), near_zero_l2=near_zero(l2))
    assert near_zero(l1) >= 3 * near_zero(l2), numbers
    assert near_zero(l1) >= 0.5, numbers  # most of the weights, not a few
    assert last(l1)["train_eval_accuracy"] >= 0.85, numbers  # and the sparse network still fits the moons


@pytest.mark.parametrize("seed", SEEDS)
def test_04_elastic_net_is_between_pure_l2_and_pure_l1(seed):
    exp = lesson("04_elastic_net")
    l1, l2 = exp.network.hidden[0].kernel_regularizer.l1, exp.network.hidden[0].kernel_regularizer.l2
    assert l1 > 0 and l2 > 0
    assert all((h.kernel_regularizer.l1, h.kernel_regularizer.l2) == (l1, l2) for h in exp.network.hidden)
    total = l1 + l2  # the pure penalties get the whole λ, the elastic net splits it
    pure_l1 = with_field(with_field(exp, f"{ALL_LAYERS}.kernel_regularizer.l1", total),
                         f"{ALL_LAYERS}.kernel_regularizer.l2", 0.0)
    pure_l2 = with_field(with_field(exp, f"{ALL_LAYERS}.kernel_regularizer.l1", 0.0),
                         f"{ALL_LAYERS}.kernel_regularizer.l2", total)
    elastic, only_l1, only_l2 = train(exp, seed), train(pure_l1, seed), train(pure_l2, seed)
    numbers = show(near_zero_l2=near_zero(only_l2), near_zero_elastic=near_zero(elastic),
                   near_zero_l1=near_zero(only_l1))
    assert near_zero(elastic) >= 3 * near_zero(only_l2), numbers  # sparse, like L1
    assert near_zero(elastic) <= 0.75 * near_zero(only_l1), numbers  # but less so than pure L1
    assert near_zero(elastic) >= 0.2, numbers


@pytest.mark.parametrize("seed", SEEDS)
def test_05_activity_regularization_lowers_the_activations(seed):
    exp = lesson("05_activity_regularization")
    assert [h.units for h in exp.network.hidden] == [50, 25]
    for h in exp.network.hidden:  # as in the tutorial: L1 1e-4 on the outputs, nothing on the weights
        assert (h.activity_regularizer.l1, h.activity_regularizer.l2) == (1e-4, 0.0)
        assert h.kernel_regularizer is None and h.bias_regularizer is None
    act = train(exp, seed)
    plain = train(with_field(exp, f"{ALL_LAYERS}.activity_regularizer.l1", 0.0), seed)
    numbers = show(mean_act=mean_activation(act), mean_plain=mean_activation(plain),
                   val_loss=last(act)["val_loss"], val_loss_plain=last(plain)["val_loss"], penalty=last(act)["penalty"])
    assert last(act)["penalty"] > 0 and last(plain)["penalty"] == 0, numbers
    assert mean_activation(act) <= 0.8 * mean_activation(plain), numbers
    assert last(act)["val_loss"] <= 0.9 * last(plain)["val_loss"], numbers


@pytest.mark.parametrize("seed", SEEDS)
def test_06_dropout_closes_the_gap(seed):
    exp = lesson("06_dropout_closes_the_gap")
    assert all(h.dropout == 0.5 for h in exp.network.hidden)
    dropout = train(exp, seed)
    without = train(with_field(exp, f"{ALL_LAYERS}.dropout", 0.0), seed)
    numbers = show(gap_dropout=gap(dropout), gap_without=gap(without))
    assert gap(dropout) <= 0.6 * gap(without), numbers
    assert last(dropout)["val_loss"] < last(without)["val_loss"], numbers
    # Lesson 6 is lesson 1 with dropout: the comparison run is the over-fitting lesson itself.
    assert train(lesson("01_overfitting"), seed) is without


@pytest.mark.parametrize("seed", SEEDS)
def test_07_too_much_lambda_underfits(seed):
    exp = lesson("07_too_much_lambda")
    lam = exp.network.hidden[0].kernel_regularizer.l2
    too_much = train(exp, seed)
    moderate = train(with_field(exp, f"{ALL_LAYERS}.kernel_regularizer.l2", lam / 100), seed)
    numbers = show(train_acc=last(too_much)["train_eval_accuracy"],
                   train_acc_moderate=last(moderate)["train_eval_accuracy"])
    assert last(too_much)["train_eval_accuracy"] <= last(moderate)["train_eval_accuracy"] - 0.2, numbers
    assert last(too_much)["train_eval_loss"] >= 3 * last(moderate)["train_eval_loss"], numbers


@pytest.mark.parametrize("seed", SEEDS)
def test_08_too_high_a_dropout_rate_underfits(seed):
    exp = lesson("08_too_much_dropout")
    assert all(h.dropout == 0.8 for h in exp.network.hidden)
    too_high = train(exp, seed)
    moderate = train(with_field(exp, f"{ALL_LAYERS}.dropout", 0.2), seed)
    numbers = show(train_acc=last(too_high)["train_eval_accuracy"],
                   train_acc_moderate=last(moderate)["train_eval_accuracy"])
    assert last(too_high)["train_eval_accuracy"] <= last(moderate)["train_eval_accuracy"] - 0.2, numbers


@pytest.mark.parametrize("seed", SEEDS)
def test_09_the_dropout_sweep_picks_a_middle_rate(seed):
    exp = lesson("09_dropout_sweep")
    study = exp.lesson.study
    exp.training.seed += seed
    values = parse_values(study["values"])
    rows = run_sweep(exp, study["param"], values, study["seeds"])
    by_value = {r.value: r for r in rows}
    best = best_value(rows)
    numbers = "; ".join(f"{r.value:g}: val_loss={r.final_val_loss:.3f} train_acc={r.final_train:.3f}" for r in rows)
    assert min(values) < best < max(values), numbers
    assert by_value[0.0].final_val_loss >= 1.2 * by_value[best].final_val_loss, numbers  # no dropout over-fits
    top = by_value[max(values)]
    assert top.final_val_loss >= 1.2 * by_value[best].final_val_loss, numbers  # the highest rate underfits:
    assert top.final_train == min(r.final_train for r in rows), numbers  # its training accuracy is the lowest


@pytest.mark.parametrize("seed", SEEDS)
def test_10_five_fold_cross_validation_predicts_every_point_once(seed):
    exp = lesson("10_cross_validation")
    folds = exp.lesson.study["folds"]
    exp.training.seed += seed
    cv = cross_validate(exp, folds)
    n = exp.data.samples
    fold_rmse = [f.scores["rmse"] for f in cv.folds]
    numbers = show(final_rmse=cv.final_rmse, accuracy=cv.final_scores()["accuracy"], fold_min=min(fold_rmse),
                   fold_max=max(fold_rmse))
    assert len(cv.folds) == folds == 5
    assert [f.test_size for f in cv.folds] == [n // folds] * folds
    assert all(f.train_size + f.test_size == n for f in cv.folds)
    assert cv.predictions.shape == (n, 2) and not np.isnan(cv.predictions).any()  # every point, once each:
    assert sum(f.test_size for f in cv.folds) == n  # the held-out folds add up to the data
    assert all(math.isfinite(v) for f in cv.folds for v in f.scores.values())
    assert math.isfinite(cv.final_rmse)
    assert min(fold_rmse) <= cv.final_rmse <= max(fold_rmse), numbers
    assert max(fold_rmse) - min(fold_rmse) >= 0.02, numbers  # the score does change from fold to fold
    assert cv.final_scores()["accuracy"] >= 0.8, numbers  # and the model does generalize


@pytest.mark.parametrize("seed", SEEDS)
def test_11_early_stopping_stops_near_the_lowest_validation_loss(seed):
    exp = lesson("11_early_stopping")
    rule = exp.training.early_stopping
    assert rule is not None and rule.restore_best_weights
    trainer = train(exp, seed)
    val = np.array([r["val_loss"] for r in trainer.history])
    numbers = show(stopped_at=trainer.epoch, best_epoch=trainer.best_epoch, min_val=val.min())
    assert trainer.stopped_early, numbers
    assert trainer.epoch <= 0.5 * exp.training.epochs, numbers
    assert trainer.best_epoch == int(np.argmin(val)) + 1 == trainer.epoch - rule.patience, numbers
    kept = trainer.batch_losses(trainer.data.x_val, trainer.data.y_val, training=False)["data_loss"]
    assert kept == pytest.approx(val.min(), rel=1e-4), numbers  # the weights kept are the best epoch's
    overfit = train(lesson("01_overfitting"), seed)  # the same network run to the end
    assert kept <= 0.5 * last(overfit)["val_loss"], numbers
