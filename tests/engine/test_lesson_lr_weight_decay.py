"""Lesson 20 (learning rate × weight decay): every number it states holds on 3 training seeds, and a lesson's
sweep may name a second field.

As in test_lessons.py: each claim is checked over 3 training seeds (the lesson's seed + 0, 1, 2), training the
lesson file with the grid's learning rate and weight decay set, and each number is checked as a reader takes it
("above 0.4" is > 0.4, "within 5 %" is a ratio in [0.95, 1.05], "about three times" rounds to 3). Only the three
cells the lesson names are trained (9 runs). When a claim fails on a seed, the lesson changes.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_lessons import hidden_kernels, last, layer_norm, lesson, show, train

from engine.spec import Experiment, SpecError, parse_values, set_path
from engine.studies.sweep_grid import grid_cells
from engine.training.trainer import Trainer

GRID = "20_learning_rate_and_weight_decay"
SEEDS = (0, 1, 2)
LR, WD = "training.learning_rate", "training.weight_decay"


def cell(lr: float, wd: float, seed: int):
    """The lesson's network trained at one cell of its grid (the run the grid trains for that pair)."""
    ((pair, exp),) = grid_cells(lesson(GRID), (LR, WD), ([lr], [wd]))
    assert pair == (lr, wd)
    return train(exp, seed)


def test_the_lesson_sweeps_the_learning_rate_across_and_the_weight_decay_up():
    exp = lesson(GRID)
    assert exp.lesson.study == {"kind": "sweep", "param": LR, "values": "0.001,0.01,0.1", "seeds": 1,
                                "param2": WD, "values2": "0.1,1,10"}
    assert parse_values(exp.lesson.study["values"]) == [0.001, 0.01, 0.1]  # "learning rate 0.001, 0.01, 0.1"
    assert parse_values(exp.lesson.study["values2"]) == [0.1, 1, 10]  # "weight decay 0.1, 1, 10"
    # "trained with Adam at lr = 0.01 and weight decay 1", no other regularization
    assert exp.training.optimizer == "adam" and exp.training.learning_rate == 0.01 and exp.training.weight_decay == 1
    assert all(h.kernel_regularizer is None and h.dropout == 0 and h.max_norm is None for h in exp.network.hidden)
    # "lesson 12's network (two hidden layers of 128 units) on the same moons"
    twelve = lesson("12_adam_l2_is_not_weight_decay")
    assert exp.data == twelve.data and [h.units for h in exp.network.hidden] == [128, 128]
    assert exp.training.batch_size == twelve.training.batch_size and exp.training.epochs == twelve.training.epochs


def test_keras_weight_decay_shrinks_each_kernel_by_lr_times_wd_times_w():
    """"shrinks every kernel by lr·wd·w at each step": one step of the lesson's run leaves every kernel at the
    same step without decay less lr·wd·w (to float precision; one batch = the whole training set)."""
    one_step = lesson(GRID)
    one_step.training.batch_size = 8192
    lr, wd = one_step.training.learning_rate, one_step.training.weight_decay
    decayed, plain = Trainer(one_step, grid_every=0), Trainer(set_path(one_step, WD, 0.0), grid_every=0)
    start = hidden_kernels(decayed)
    assert all(np.array_equal(a, b) for a, b in zip(start, hidden_kernels(plain), strict=True))  # the same start
    decayed.step()
    plain.step()
    for w0, w_decay, w_plain in zip(start, hidden_kernels(decayed), hidden_kernels(plain), strict=True):
        expected = w_plain.astype(np.float64) - lr * wd * w0.astype(np.float64)
        np.testing.assert_allclose(w_decay, expected, rtol=0, atol=1e-6)  # float32 weights of |w| < 1
        assert np.abs(w_decay - w_plain).max() > 100 * 1e-6  # the decay itself is far above float precision


@pytest.mark.parametrize("seed", SEEDS)
def test_at_the_same_lr_times_wd_the_cells_differ_and_at_the_same_wd_they_agree(seed):
    slow, fast, diagonal = cell(0.001, 10, seed), cell(0.01, 10, seed), cell(0.01, 1, seed)
    numbers = show(val_001_10=last(slow)["val_loss"], val_01_10=last(fast)["val_loss"],
                   val_01_1=last(diagonal)["val_loss"], norm2_001_10=layer_norm(slow, 1),
                   norm2_01_10=layer_norm(fast, 1), norm2_01_1=layer_norm(diagonal, 1))
    # "At weight decay 10 the cells lr = 0.001 and lr = 0.01 both end with a validation loss above 0.4"
    assert last(slow)["val_loss"] > 0.4 and last(fast)["val_loss"] > 0.4, numbers
    # "while lr = 0.01 with weight decay 1, the same lr·wd as lr = 0.001 with weight decay 10, ends below 0.35"
    assert 0.01 * 1 == pytest.approx(0.001 * 10)
    assert last(diagonal)["val_loss"] < 0.35, numbers
    # "hidden 2's ‖w‖ at weight decay 10 ends within 5 % of the same at lr = 0.001 and at lr = 0.01"
    assert abs(layer_norm(fast, 1) / layer_norm(slow, 1) - 1) <= 0.05, numbers
    # "at lr = 0.01 and weight decay 1 (this file) it ends about three times its value at lr = 0.001 and weight
    # decay 10, the cell with the same lr·wd"
    assert round(layer_norm(diagonal, 1) / layer_norm(slow, 1)) == 3, numbers


def test_the_lesson_file_is_the_diagonal_cell():
    """"at lr = 0.01 and weight decay 1 (this file)": the file's own run is the grid's cell (0.01, 1)."""
    ((_, exp),) = grid_cells(lesson(GRID), (LR, WD), ([0.01], [1.0]))
    assert exp.training == lesson(GRID).training and exp.network == lesson(GRID).network


# --------------------------------------------------------------------------- a lesson's two-field sweep


def with_study(study: dict) -> dict:
    d = lesson(GRID).to_dict()
    d["lesson"]["study"] = study
    return d


SWEEP = {"kind": "sweep", "param": LR, "values": "0.001,0.01"}


def test_a_lesson_sweep_may_name_a_second_field_and_keeps_it():
    exp = Experiment.from_dict(with_study({**SWEEP, "param2": WD, "values2": "1e-3:1:4"}))
    assert exp.lesson.study == {**SWEEP, "seeds": 1, "param2": WD, "values2": "1e-3:1:4"}
    assert Experiment.from_dict(exp.to_dict()) == exp
    assert "param2" not in Experiment.from_dict(with_study(SWEEP)).lesson.study  # one field: as before


@pytest.mark.parametrize(("extra", "message"), [
    ({"param2": WD}, "lesson.study.values2: missing; a two-field sweep names its second field (param2) and its "
                     "values (values2)"),
    ({"values2": "1,2"}, "lesson.study.param2: missing; a two-field sweep names its second field (param2) and its "
                         "values (values2)"),
    ({"param2": "weight decay", "values2": "1,2"},
     "lesson.study.param2: 'weight decay' is not a field path like training.weight_decay"),
    ({"param2": LR, "values2": "1,2"},
     "lesson.study.param2: 'training.learning_rate' is the first field too; a two-field sweep needs two"),
    ({"param2": WD, "values2": "1,x"}, "lesson.study.values2: "),
    ({"param2": WD, "values2": "1e-3:inf:4"}, "lesson.study.values2: '1e-3:inf:4' gives values that are not finite"),
    ({"param2": WD, "values2": "1e-3:1:1000000000"}, "lesson.study.values2: more than "),
])
def test_a_bad_second_field_is_one_line_naming_it(extra, message):
    with pytest.raises(SpecError) as caught:
        Experiment.from_dict(with_study({**SWEEP, **extra}))
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_a_path_study_takes_no_second_field():
    path = {"kind": "path", "param": LR, "values": "0.001,0.01", "param2": WD, "values2": "1,2"}
    with pytest.raises(SpecError, match="param2"):
        Experiment.from_dict(with_study(path))
