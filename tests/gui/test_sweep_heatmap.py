"""A two-field sweep on the study panel: the heat map takes the validation curve's place, fills in as cells finish,
outlines the best pair, and a one-field sweep afterwards gets its curve back; the Sweep dialog's second field."""

from __future__ import annotations

import numpy as np
import pytest
from test_study_view import metrics_rows, save_shot, sweep_progress

from engine.spec import Experiment, SpecError
from engine.studies.study import Curve, StudyProgress
from gui.studies.study_actions import SweepDialog
from gui.studies.study_view import StudyView
from gui.studies.sweep_heatmap import evenly_log_spaced

LR = [1e-3, 1e-2, 1e-1]
WD = [0.0, 1e-3, 1e-2, 1e-1]


def loss(lr: float, wd: float, seed: int) -> float:
    """A made-up final validation loss per cell and seed, lowest at lr 0.01, wd 0.001."""
    return round(0.3 + abs(np.log10(lr) + 2) * 0.2 + (0.05 if wd != 1e-3 else 0.0) + 0.01 * seed, 6)


def grid_progress(cells: int | None = None, seeds: int = 2, done: bool = True) -> StudyProgress:
    progress = StudyProgress("sweep", "Sweep of training.learning_rate × training.weight_decay", "accuracy",
                             result={"param": "training.learning_rate", "values": LR,
                                     "param2": "training.weight_decay", "values2": WD, "log_x": True,
                                     "log_y": False})
    plan = [(a, b, s) for a in LR for b in WD for s in range(seeds)]
    for i, (a, b, s) in enumerate(plan[: None if cells is None else cells * seeds]):
        progress.curves.append(Curve(f"{a:g}, {b:g} (seed {s})", metrics_rows(20, 0.5, seed=i), done=True))
        progress.table.append({"value_1": a, "value_2": b, "seed": s, "final_train": 0.9, "final_val": 0.8,
                               "best_val": 0.85, "best_epoch": 10, "final_val_loss": loss(a, b, s),
                               "metric": "accuracy"})
    if done:
        progress.result["best"] = (1e-2, 1e-3)
        progress.done = True
    return progress


@pytest.fixture
def view(qtbot):
    widget = StudyView()
    qtbot.addWidget(widget)
    widget.resize(1100, 800)
    return widget


def test_the_heat_map_shows_each_cells_mean_and_outlines_the_best_pair(view, tmp_path):
    view.show_progress(grid_progress())
    save_shot(view, tmp_path, "study_sweep_heatmap")
    page, heat = view.sweep, view.sweep.heatmap
    assert page.two_fields and heat.layout.scene() is not None and page.score_plot.scene() is None
    assert heat.image.image.shape == (len(WD), len(LR))  # a row per weight decay, a column per learning rate
    for i, wd in enumerate(WD):
        for j, lr in enumerate(LR):
            expected = np.mean([loss(lr, wd, s) for s in (0, 1)])
            assert heat.means[i, j] == pytest.approx(expected)
            assert heat.labels[i * len(LR) + j].toPlainText() == f"{expected:.3g}"
    assert heat.colour_bar.levels() == pytest.approx((heat.means.min(), heat.means.max()))
    xs, ys = heat.best_mark.getData()
    assert (xs[0], ys[0]) == (1.5, 1.5)  # lr 0.01 is column 1, wd 0.001 row 1
    assert "best pair, 0.01 and 0.001" in heat.plot.titleLabel.text
    assert "mean final validation loss" in heat.colour_bar.axis.labelText
    ticks = heat.plot.getAxis("bottom")._tickLevels[0]
    assert [label for _, label in ticks] == ["0.001", "0.01", "0.1"]
    assert heat.plot.getAxis("bottom").labelText == "training.learning_rate  (log scale)"
    assert heat.plot.getAxis("left").labelText == "training.weight_decay  (one cell per value, not to scale)"
    green = [i for i, c in enumerate(page.runs[: page.shown]) if c.zValue() == 1]
    labels = [view._progress.curves[i].label for i in green]
    assert labels == ["0.01, 0.001 (seed 0)", "0.01, 0.001 (seed 1)"]


def test_cells_fill_in_as_their_runs_finish(view):
    view.show_progress(grid_progress(cells=5, done=False))
    heat = view.sweep.heatmap
    assert np.isfinite(heat.means).sum() == 5  # lr 0.001 × 4 decays, then lr 0.01 with decay 0
    assert np.isfinite(heat.means[:, 0]).all() and np.isfinite(heat.means[0, 1])
    assert heat.labels[len(LR) + 1].toPlainText() == ""  # lr 0.01, wd 0.001: not run yet
    xs, ys = heat.best_mark.getData()
    assert (xs[0], ys[0]) == (1.5, 0.5)  # the lowest mean so far: lr 0.01, wd 0
    assert "best so far" in heat.plot.titleLabel.text
    view.show_progress(grid_progress())  # another study object: the page starts afresh
    assert np.isfinite(heat.means).all()


def test_a_one_field_sweep_after_a_two_field_one_gets_its_curve_back(view):
    view.show_progress(grid_progress())
    view.show_progress(sweep_progress())
    page = view.sweep
    assert not page.two_fields
    assert page.score_plot.scene() is not None and page.heatmap.layout.scene() is None
    assert page.score_legend.scene() is not None
    assert page.best == 1e-3


def test_log_axis_only_for_evenly_log_spaced_values():
    assert evenly_log_spaced([1e-5, 1e-4, 1e-3])
    assert not evenly_log_spaced([1e-5, 1e-3, 1e-2])  # one cell per value would not be a log scale
    assert not evenly_log_spaced([0, 0.1, 1])
    assert not evenly_log_spaced([1, 2, 4])  # within a decade: a plain axis


SPEC = {"reglab": 1, "data": {"kind": "toy", "name": "moons", "samples": 60},
        "network": {"hidden": [{"units": 4}]}, "training": {"epochs": 3}}


def test_the_sweep_dialog_takes_an_optional_second_field(qtbot):
    dialog = SweepDialog(Experiment.from_dict(SPEC))
    qtbot.addWidget(dialog)
    assert dialog.parameters().keys() == {"path", "values", "seeds"}  # no second field by default
    dialog.param.setCurrentText("training.learning_rate")
    dialog.param2.setCurrentText("training.weight_decay")
    assert dialog.values2.text() == "1e-5:1:7"
    dialog.values2.setText("0,0.01")
    params = dialog.parameters()
    assert params["path2"] == "training.weight_decay" and params["values2"] == [0.0, 0.01]
    dialog.param2.setCurrentText("training.learning_rate")
    with pytest.raises(SpecError, match="two different fields"):
        dialog.parameters()
    dialog.param2.setCurrentText("training.wd")
    dialog.accept()
    assert "training.wd" in dialog.error.text() and dialog.result() == 0
