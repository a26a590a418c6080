"""The study panel: compare, cross-validation and sweep pages drawn from hand-made StudyProgress objects.

No TensorFlow: rows are plain dicts shaped like Snapshot.metrics_row, snapshots come from fakes.snapshot with
their kernels replaced (an L1-like spike at zero, an L2-like narrow bell, a wide unregularized spread).
"""

from __future__ import annotations

import dataclasses
import math
import shutil
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from fakes import experiment, snapshot
from pictures import distinct_colours
from PySide6.QtWidgets import QApplication

from engine.studies.study import Curve, StudyProgress, run_summary
from engine.training.snapshot import NEAR_ZERO, weight_histogram
from gui.studies.compare_page import ShareAxis, hidden_weights
from gui.studies.study_view import HINT, StudyView
from gui.studies.sweep_page import sweep_means

SCRATCH = Path("/tmp/scratch")

VARIANTS = {"none": 0.0, "L1 λ=0.001": 0.5, "L2 λ=0.001": 0.6, "L2 λ=0.001 + dropout 0.3": 0.9}


def metrics_rows(epochs: int, strength: float, metric: str = "accuracy", seed: int = 0, start: int = 1) -> list[dict]:
    """Rows like Snapshot.metrics_row: more regularization (``strength`` 0 … 1) → a higher training loss and a
    validation loss that stops turning up after epoch 40 (the gap closes)."""
    rng = np.random.default_rng(seed)
    rows = []
    for e in range(start, start + epochs):
        decay = 0.5 * math.exp(-e / 25)
        train = 0.08 + 0.25 * strength + decay + 0.005 * rng.normal()
        val = 0.25 + 0.08 * strength + decay + (1 - strength) * 0.003 * max(0, e - 40) + 0.01 * rng.normal()
        penalty = 0.05 * strength
        row = {"epoch": e, "loss": train + penalty + 0.02, "data_loss": train + 0.02, "penalty": penalty,
               "train_eval_loss": train, "val_loss": val, "generalization_gap": val - train, "learning_rate": 0.01}
        if metric == "accuracy":
            row.update(accuracy=1 - train / 1.4, val_accuracy=1 - val / 1.4, train_eval_accuracy=1 - train / 1.5)
        else:
            row.update(rmse=math.sqrt(train + 0.03), val_rmse=math.sqrt(val), train_eval_rmse=math.sqrt(train))
        rows.append(row)
    return rows


def weights_snapshot(kind: str, epoch: int):
    """fakes.snapshot with every kernel drawn from a shape: "l1" (most exactly 0), "l2" (narrow), else wide."""
    snap = snapshot(experiment(), epoch)
    rng = np.random.default_rng(epoch)
    layers = []
    for layer in snap.layers:
        shape = layer.kernel.shape
        if kind == "l1":
            kernel = rng.laplace(scale=0.3, size=shape) * (rng.random(shape) < 0.4)
        elif kind == "l2":
            kernel = rng.normal(scale=0.25, size=shape)
        else:
            kernel = rng.normal(scale=0.9, size=shape)
        kernel = kernel.astype(np.float32)
        layers.append(dataclasses.replace(layer, kernel=kernel, histogram=weight_histogram(kernel,
                                                                                          layer.histogram_edges)))
    return dataclasses.replace(snap, layers=layers)


def compare_progress(epochs: int = 60, done: bool = False) -> StudyProgress:
    progress = StudyProgress("compare", "Compare: " + " · ".join(VARIANTS), "accuracy")
    for i, (label, strength) in enumerate(VARIANTS.items()):
        kind = "l1" if "L1" in label else "l2" if "L2" in label else "none"
        curve = Curve(label, metrics_rows(epochs, strength, seed=i), weights_snapshot(kind, epochs), done)
        progress.curves.append(curve)
        if done:
            progress.table.append(run_summary(label, curve.rows, "accuracy"))
    progress.message = f"Compared {len(VARIANTS)} variants" if done else f"epoch {epochs} of 200"
    progress.done = done
    return progress


def cv_progress(folds: int = 5, finished: int = 5, epochs: int = 80, metric: str = "accuracy") -> StudyProgress:
    progress = StudyProgress("cv", f"{folds}-fold cross-validation", metric)
    for k in range(1, finished + 1):
        progress.curves.append(Curve(f"fold {k}", metrics_rows(epochs, 0.3 + 0.05 * k, metric, seed=k),
                                     done=k <= finished))
        scores = {"rmse": 0.30 + 0.02 * k}
        if metric == "accuracy":
            scores.update(accuracy=0.92 - 0.015 * k, log_loss=0.25 + 0.01 * k)
        progress.table.append({"fold": k, "train_size": 160, "test_size": 40, **scores})
    progress.done = finished == folds
    if progress.done:
        progress.result = {"final": {"rmse": 0.355, **({"accuracy": 0.871, "log_loss": 0.29}
                                                       if metric == "accuracy" else {})}}
        progress.message = "Final, out of sample score (RMSE): 0.355"
    else:
        progress.message = f"fold {finished + 1} of {folds}, epoch 1 of {epochs}"
    return progress


SWEEP_VALUES = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1]


def sweep_row(value: float, seed: int) -> dict:
    """λ sweep: the training accuracy falls as λ grows (underfitting on the high side), validation peaks at 1e-3."""
    position = math.log10(value) + 3  # -2 … 2
    final_train = 0.98 - 0.04 * max(0.0, position + 2) ** 1.6 - 0.003 * seed
    final_val = 0.86 - 0.02 * position ** 2 + 0.004 * seed
    return {"value": value, "seed": seed, "final_train": final_train, "final_val": final_val,
            "best_val": final_val + 0.01, "best_epoch": 50, "final_val_loss": 0.3 + 0.02 * position ** 2,
            "metric": "accuracy"}


def sweep_progress(runs: int | None = None, seeds: int = 2, done: bool = True, epochs: int = 60) -> StudyProgress:
    plan = [(v, s) for v in SWEEP_VALUES for s in range(seeds)]
    runs = len(plan) if runs is None else runs
    progress = StudyProgress("sweep", "Sweep of network.hidden.*.kernel_regularizer.l2", "accuracy",
                             result={"param": "network.hidden.*.kernel_regularizer.l2", "values": SWEEP_VALUES,
                                     "log_x": True})
    for i, (value, seed) in enumerate(plan[:runs]):
        finished = i < runs - 1 or done
        strength = (math.log10(value) + 5) / 4
        progress.curves.append(Curve(f"{value:g} (seed {seed})", metrics_rows(epochs, strength, seed=i),
                                     done=finished))
        if finished:
            progress.table.append(sweep_row(value, seed))
    if done:
        progress.result["best"] = 1e-3
        progress.done = True
        progress.message = "Best network.hidden.*.kernel_regularizer.l2: 0.001 (lowest mean final validation loss)"
    else:
        progress.message = "network.hidden.*.kernel_regularizer.l2 = …, epoch 60 of 200"
    return progress


@pytest.fixture
def view(qtbot):
    widget = StudyView()
    qtbot.addWidget(widget)
    widget.resize(1100, 800)
    return widget


def data(item: pg.PlotDataItem) -> tuple[np.ndarray, np.ndarray]:
    """The data set on ``item`` (before any log mapping)."""
    x, y = item.xData, item.yData
    return (np.array([]), np.array([])) if x is None else (np.asarray(x), np.asarray(y))


class SetDataSpy:
    """Counts setData on curves, setOpts on bars and setText on labels, for "nothing new, nothing drawn"."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[str] = []
        for cls, name in ((pg.PlotDataItem, "setData"), (pg.BarGraphItem, "setOpts"), (pg.InfiniteLine, "setValue"),
                          (pg.LinearRegionItem, "setRegion")):
            original = getattr(cls, name)

            def spy(item, *args, _original=original, _name=f"{cls.__name__}.{name}", **kwargs):
                self.calls.append(_name)
                return _original(item, *args, **kwargs)

            monkeypatch.setattr(cls, name, spy)


def save_shot(widget, tmp_path: Path, name: str) -> Path:
    widget.show()
    path = tmp_path / f"{name}.png"
    assert widget.grab().save(str(path))
    SCRATCH.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCRATCH / f"{name}.png")
    return path


# ---------------------------------------------------------------------------- empty state and switching


def test_no_study_shows_how_to_start_one(view):
    view.show_progress(None)
    assert view.stack.currentWidget() is view.hint
    assert "Compare" in view.hint.text() and "Sweep" in view.hint.text() and HINT == view.hint.text()
    assert view.kind is None
    assert not view.heading.isVisible()


def test_a_page_is_built_when_its_kind_first_shows_at_the_zoom_then_in_force(view):
    assert view.stack.count() == 1  # the hint only: the window starts without paying for hidden plots
    view.set_zoom(1.5)
    view.show_progress(cv_progress())
    assert view.stack.count() == 2 and view.stack.currentWidget() is view.cv and view.kind == "cv"
    application_pt = QApplication.font().pointSizeF()
    assert view.cv.zoom == 1.5 and view.cv.final.font().pointSizeF() == pytest.approx(application_pt * 1.5 * 1.1)
    assert view.page("cv") is view.cv and view.stack.count() == 2  # built once


def test_switching_kind_switches_page_and_a_new_study_starts_afresh(view):
    view.show()
    view.show_progress(compare_progress())
    assert view.stack.currentWidget() is view.compare and view.kind == "compare"
    assert "Compare: none" in view.heading.text() and "epoch 60 of 200" in view.heading.text()
    view.show_progress(cv_progress())
    assert view.stack.currentWidget() is view.cv
    view.show_progress(sweep_progress())
    assert view.stack.currentWidget() is view.sweep
    # Back to compare with a fresh, shorter comparison: the old curves are gone, not appended to.
    fresh = compare_progress(epochs=10)
    view.show_progress(fresh)
    assert view.stack.currentWidget() is view.compare
    assert [len(data(v.val_loss)[0]) for v in view.compare.variants] == [10] * 4
    two = StudyProgress("compare", "Compare: a · b", curves=[Curve("a", metrics_rows(5, 0.0)),
                                                             Curve("b", metrics_rows(5, 0.5))])
    view.show_progress(two)
    assert view.compare.shown == 2 and view.compare.table.rowCount() == 2
    assert [len(data(v.val_loss)[0]) for v in view.compare.variants[2:]] == [0, 0]  # kept, emptied
    view.show_progress(None)
    assert view.stack.currentWidget() is view.hint


# ---------------------------------------------------------------------------- compare


def test_compare_curves_equal_the_rows_of_each_variant(view):
    progress = compare_progress()
    view.show_progress(progress)
    page = view.compare
    assert page.shown == 4
    assert len({id(v.val_loss) for v in page.variants}) == 4
    for variant, curve in zip(page.variants, progress.curves, strict=True):
        epochs = [r["epoch"] for r in curve.rows]
        for item, key in ((variant.val_loss, "val_loss"), (variant.train_loss, "train_eval_loss"),
                          (variant.val_metric, "val_accuracy"), (variant.train_metric, "train_eval_accuracy")):
            x, y = data(item)
            np.testing.assert_array_equal(x, epochs)
            np.testing.assert_allclose(y, [r[key] for r in curve.rows], err_msg=f"{curve.label} {key}")
    # Variant colours differ; validation solid, training dashed.
    assert len({v.val_loss.opts["pen"].color().name() for v in page.variants}) == 4
    assert page.variants[0].train_loss.opts["pen"].style() == pg.QtCore.Qt.PenStyle.DashLine
    assert page.variants[0].val_loss.opts["pen"].style() == pg.QtCore.Qt.PenStyle.SolidLine
    assert [label.text for _, label in page.legend.items][-4:] == list(VARIANTS)


@pytest.mark.parametrize("done", [False, True])
def test_compare_table_equals_run_summary(view, done):
    progress = compare_progress(done=done)
    view.show_progress(progress)
    page = view.compare
    assert page.table.rowCount() == 4
    for row, curve in enumerate(progress.curves):
        expected = run_summary(curve.label, curve.rows, "accuracy")
        shown = page.summary_values(row)
        assert shown.keys() == expected.keys()
        for key, value in expected.items():
            assert shown[key] == pytest.approx(value), key
        assert page.table.item(row, 0).text() == curve.label
        assert page.table.item(row, 3).text() == f"{expected['final_val_accuracy']:.3f}"
        assert page.table.item(row, 6).text() == str(expected["best_epoch"])
    headers = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    assert "final\nval. acc." in headers and "best\nepoch" in headers
    # The best final validation accuracy is bold.
    finals = [run_summary(c.label, c.rows, "accuracy")["final_val_accuracy"] for c in progress.curves]
    assert [page.table.item(r, 3).font().bold() for r in range(4)] == [f == max(finals) for f in finals]


def test_compare_table_follows_a_variant_until_done_then_takes_the_study_row(view):
    progress = compare_progress(epochs=20)
    page = view.compare
    page.table_interval = 0.0  # every change at once
    view.show_progress(progress)
    assert page.summary_values(1)["epochs"] == 20
    curve = progress.curves[1]
    curve.rows.extend(metrics_rows(15, 0.5, seed=1, start=21))
    view.show_progress(progress)
    assert page.summary_values(1) == pytest.approx(run_summary(curve.label, curve.rows, "accuracy"))
    # Once done the study's table row is shown (here a made-up one, to tell it from the rows' numbers).
    curve.done = True
    progress.table.append({**run_summary(curve.label, curve.rows, "accuracy"), "best_epoch": 7})
    view.show_progress(progress)
    assert page.summary_values(1)["best_epoch"] == 7
    # While the engine sorts its table at the end another thread may see it empty for a moment: rows again.
    progress.table.clear()
    view.show_progress(progress)
    assert page.summary_values(1)["best_epoch"] == run_summary(curve.label, curve.rows, "accuracy")["best_epoch"]


def test_compare_table_shows_running_numbers_a_few_times_a_second_and_finished_ones_at_once(view):
    progress = compare_progress(epochs=20)
    page = view.compare
    page.table_interval = 3600.0
    view.show_progress(progress)
    assert page.summary_values(0)["epochs"] == 20  # the first look: at once
    progress.curves[0].rows.extend(metrics_rows(3, 0.0, start=21))
    view.show_progress(progress)
    assert page.summary_values(0)["epochs"] == 20 and page.table.item(0, 1).text() == "20"  # not yet
    progress.curves[0].done = True
    progress.table.append(run_summary("none", progress.curves[0].rows, "accuracy"))
    view.show_progress(progress)  # a variant finished: at once
    assert page.summary_values(0)["epochs"] == 23 and page.table.item(0, 1).text() == "23"
    page.table_interval = 0.0
    progress.curves[1].rows.extend(metrics_rows(2, 0.5, start=21))
    view.show_progress(progress)
    assert page.summary_values(1)["epochs"] == 22


def test_compare_histograms_share_their_bins_and_show_the_weights_shapes(view):
    progress = compare_progress()
    view.show_progress(progress)
    page = view.compare
    ranges = {tuple(np.round(v.histogram.getViewBox().viewRange()[0], 6)) for v in page.variants}
    assert len(ranges) == 1
    tops = {tuple(np.round(v.histogram.getViewBox().viewRange()[1], 6)) for v in page.variants}
    assert len(tops) == 1  # one y axis for every variant
    size = max(hidden_weights(curve.snapshot).size for curve in progress.curves)
    floor = np.log10(0.5 / size)  # half a weight's share: a bar of one weight stands above it
    (low, high), = tops
    assert low == pytest.approx(floor, abs=1e-6) and 0 < high < 0.5  # 100 % inside, with a little headroom
    edges = page._edges
    for variant, curve in zip(page.variants, progress.curves, strict=True):
        weights = hidden_weights(curve.snapshot)
        assert weights.size == sum(layer.kernel.size for layer in curve.snapshot.layers[:-1])
        counts = np.histogram(np.clip(weights, edges[0], edges[-1]), bins=edges)[0]
        np.testing.assert_allclose(variant.heights, counts / weights.size)  # shares of the weights
        assert variant.heights.sum() == pytest.approx(1.0)
        drawn = np.asarray(variant.bars.opts["height"])  # log10(share) above the floor; an empty bin none
        expected = np.where(counts > 0, np.log10(np.maximum(counts, 1) / weights.size) - floor, 0.0)
        np.testing.assert_allclose(drawn, expected)
        assert variant.bars.opts["y0"] == pytest.approx(floor)
        assert variant.near_zero == pytest.approx(np.mean(np.abs(weights) < NEAR_ZERO))
        assert f"{100 * variant.near_zero:.0f} % near 0" in variant.histogram_label.text()
    none, l1, l2, _ = page.variants
    centre = len(none.heights) // 2  # the bin on zero
    assert l1.heights[centre] > 0.5 > none.heights[centre]  # L1: a spike at zero
    assert l1.near_zero > 0.5 > l2.near_zero
    # beside L1's spike its other weights still show: its lowest bar (one weight), as a share of the spike's
    # height, is 5 times what it would be on a linear axis
    l1_drawn = np.asarray(l1.bars.opts["height"])
    linear = l1.heights[l1.heights > 0].min() / l1.heights[centre]
    assert l1_drawn[l1_drawn > 0].min() / l1_drawn[centre] > 5 * linear
    assert "log scale" in page.histogram_title.text()
    axis = l1.histogram.getAxis("left")
    assert isinstance(axis, ShareAxis)
    assert axis.tickStrings([0.0, -1.0, -3.0], 1.0, 1.0) == ["100 %", "10 %", "0.1 %"]
    assert axis.tickStrings([np.log10(0.2)], 1.0, 0.0) == [""]  # 2–9 times a decade: ticks without labels
    # A new snapshot redraws that variant's histogram.
    progress.curves[0].snapshot = weights_snapshot("l1", 61)
    view.show_progress(progress)
    assert none.heights[centre] > 0.5


def test_compare_appended_rows_grow_the_curves_and_nothing_new_draws_nothing(view, monkeypatch):
    progress = compare_progress(epochs=30)
    view.show_progress(progress)
    spy = SetDataSpy(monkeypatch)
    progress.curves[2].rows.extend(metrics_rows(5, 0.6, seed=2, start=31))
    view.show_progress(progress)
    page = view.compare
    assert [len(data(v.val_loss)[0]) for v in page.variants] == [30, 30, 35, 30]
    np.testing.assert_allclose(data(page.variants[2].val_loss)[1], [r["val_loss"] for r in progress.curves[2].rows])
    assert spy.calls.count("PlotDataItem.setData") == 4  # that variant's four curves, once each
    spy.calls.clear()
    for _ in range(3):
        view.show_progress(progress)
    assert spy.calls == []


# ---------------------------------------------------------------------------- cross-validation


def test_cv_bars_equal_the_fold_scores_with_their_mean_and_the_final_score(view):
    progress = cv_progress()
    view.show_progress(progress)
    page = view.cv
    for score in ("rmse", "accuracy"):
        expected = [row[score] for row in progress.table]
        np.testing.assert_allclose(page.bar_heights(score), expected)
        np.testing.assert_array_equal(page.bar_positions(score), [1, 2, 3, 4, 5])
        assert page.means[score].isVisible()
        assert page.means[score].value() == pytest.approx(np.mean(expected))
    assert page.score_plots["accuracy"] in page.graphics.ci.items
    assert page.final.isVisibleTo(view)
    assert "0.355" in page.final.text() and "accuracy 0.871" in page.final.text()
    for curve_item, curve in zip(page.curves, progress.curves, strict=True):
        x, y = data(curve_item)
        np.testing.assert_array_equal(x, [r["epoch"] for r in curve.rows])
        np.testing.assert_allclose(y, [r["val_loss"] for r in curve.rows])
    assert [label.text for _, label in page.legend.items] == [f"fold {k}" for k in range(1, 6)]


def test_cv_grows_fold_by_fold_and_regression_has_rmse_only(view, monkeypatch):
    progress = cv_progress(folds=5, finished=2, metric="rmse")
    view.show_progress(progress)
    page = view.cv
    assert page.score_plots["accuracy"] not in page.graphics.ci.items
    np.testing.assert_allclose(page.bar_heights("rmse"), [0.32, 0.34])
    assert not page.final.isVisibleTo(view)
    spy = SetDataSpy(monkeypatch)
    view.show_progress(progress)
    assert spy.calls == []
    # Fold 3 starts: a new curve, no new bar yet; then its epochs arrive, then it finishes.
    progress.curves.append(Curve("fold 3", metrics_rows(1, 0.4, "rmse", seed=3)))
    view.show_progress(progress)
    assert page.shown == 3 and len(page.bar_heights("rmse")) == 2
    progress.curves[2].rows.extend(metrics_rows(9, 0.4, "rmse", seed=3, start=2))
    view.show_progress(progress)
    assert len(data(page.curves[2])[0]) == 10
    progress.table.append({"fold": 3, "train_size": 160, "test_size": 40, "rmse": 0.5})
    view.show_progress(progress)
    np.testing.assert_allclose(page.bar_heights("rmse"), [0.32, 0.34, 0.5])
    assert page.means["rmse"].value() == pytest.approx(np.mean([0.32, 0.34, 0.5]))


# ---------------------------------------------------------------------------- sweep


def test_sweep_points_are_the_means_over_seeds_on_a_log_axis_with_the_best_marked(view):
    progress = sweep_progress()
    view.show_progress(progress)
    page = view.sweep
    values, train, val = sweep_means(progress.table)
    np.testing.assert_allclose(values, SWEEP_VALUES)
    for value, t, v in zip(values, train, val, strict=True):
        assert t == pytest.approx(np.mean([sweep_row(value, s)["final_train"] for s in range(2)]))
        assert v == pytest.approx(np.mean([sweep_row(value, s)["final_val"] for s in range(2)]))
    for line, means in ((page.train_line, train), (page.val_line, val)):
        x, y = data(line)
        np.testing.assert_allclose(x, SWEEP_VALUES)
        np.testing.assert_allclose(y, means)
    assert len(data(page.val_seeds)[0]) == 10  # each seed's result as a faint point
    assert page.score_plot.getAxis("bottom").logMode and page.log_x
    assert page.best == 1e-3
    assert page.best_line.isVisible() and page.best_line.value() == pytest.approx(-3.0)  # log10(1e-3)
    assert "best 0.001" in page.best_line.label.toPlainText()
    assert page.underfitting_side == "high"
    assert page.region.isVisible()
    np.testing.assert_allclose(page.region.getRegion(), (-3.0, -1.0))
    assert page.underfitting_labels["high"].isVisible() and not page.underfitting_labels["low"].isVisible()
    assert "underfitting →" in page.underfitting_labels["high"].toPlainText()
    # Done: the best value's runs are the green ones.
    greens = [i for i, c in enumerate(page.runs[: page.shown]) if c.opts["pen"].color().name() == "#009e73"]
    assert [progress.curves[i].label for i in greens] == ["0.001 (seed 0)", "0.001 (seed 1)"]


def test_sweep_while_running_highlights_the_current_run_and_updates_only_what_is_new(view, monkeypatch):
    progress = sweep_progress(runs=5, seeds=2, done=False, epochs=30)
    progress.result["log_x"] = False  # a linear axis this time
    view.show_progress(progress)
    page = view.sweep
    assert not page.score_plot.getAxis("bottom").logMode
    np.testing.assert_allclose(data(page.val_line)[0], [1e-5, 1e-4])  # 4 finished runs: 2 values × 2 seeds
    assert page.best in (1e-5, 1e-4)  # the best validation so far (no study best yet)
    current = page.runs[4]
    assert current.opts["pen"].color().name() == "#009e73" and page.runs[0].opts["pen"].color().name() != "#009e73"
    assert "0.001 (seed 0)" in page.runs_plot.titleLabel.text
    spy = SetDataSpy(monkeypatch)
    view.show_progress(progress)
    assert spy.calls == []
    progress.curves[4].rows.extend(metrics_rows(5, 0.5, seed=4, start=31))
    view.show_progress(progress)
    assert len(data(current)[0]) == 35
    assert spy.calls == ["PlotDataItem.setData"]


def test_sweep_underfitting_side_is_where_the_training_metric_gets_worse(view):
    progress = sweep_progress()
    for row in progress.table:  # e.g. a sweep of the layer width: the small values underfit
        row["final_train"] = 1.0 - row["final_train"] + 0.5
    progress.result["best"] = 1e-2
    view.show_progress(progress)
    page = view.sweep
    assert page.underfitting_side == "low"
    np.testing.assert_allclose(page.region.getRegion(), (-5.0, -2.0))
    assert page.underfitting_labels["low"].isVisible() and not page.underfitting_labels["high"].isVisible()


# ---------------------------------------------------------------------------- zoom and pictures


def test_zoom_scales_fonts_and_lines(view):
    view.show_progress(compare_progress())
    before = view.heading.font().pointSizeF()
    width = view.compare.variants[0].val_loss.opts["pen"].widthF()
    view.set_zoom(2.0)
    assert view.heading.font().pointSizeF() == pytest.approx(2 * before)
    assert view.compare.variants[0].val_loss.opts["pen"].widthF() == pytest.approx(2 * width)
    assert view.compare.table.font().pointSizeF() == pytest.approx(2 * view.compare.table.font().pointSizeF() / 2)
    view.show_progress(cv_progress())
    view.show_progress(sweep_progress())
    view.set_zoom(1.0)


@pytest.mark.parametrize(("name", "make", "zoom"), [
    ("study_empty", lambda: None, 1.0),
    ("study_compare", lambda: compare_progress(epochs=120, done=True), 1.0),
    ("study_cv", cv_progress, 1.0),
    ("study_sweep", sweep_progress, 1.0),
    ("study_compare_projector", lambda: compare_progress(epochs=120), 1.6),
    ("study_sweep_running", lambda: sweep_progress(runs=7, done=False), 1.0),
])
def test_pictures_are_not_blank(view, tmp_path, name, make, zoom):
    view.set_zoom(zoom)
    view.show_progress(make())
    save_shot(view, tmp_path, name)
    assert distinct_colours(view) > (3 if name == "study_empty" else 12)


def test_compare_table_says_which_variant_diverged_and_in_which_epoch(view):
    progress = compare_progress(done=True)
    progress.table[2]["diverged_epoch"] = 17
    view.show_progress(progress)
    page = view.compare
    labels = [page.table.item(row, 0).text() for row in range(4)]
    assert labels[2] == f"{progress.curves[2].label} — diverged in epoch 17"
    assert "last finite epoch" in page.table.item(2, 0).toolTip()
    assert labels[:2] + labels[3:] == [c.label for i, c in enumerate(progress.curves) if i != 2]


def test_the_studies_menu_saves_the_study_shown_as_csv(qtbot, tmp_path, monkeypatch):
    import csv

    from PySide6.QtWidgets import QWidget

    from gui.document import ExperimentDocument
    from gui.studies import study_actions

    class Session:  # only what saving asks of the session
        progress = None

        def study(self):
            return self.progress

        def cancel_study(self):
            pass

    parent, session, said = QWidget(), Session(), []
    qtbot.addWidget(parent)
    actions = study_actions.StudyActions(parent, ExperimentDocument(experiment()), session, said.append)
    actions.save_csv_action.trigger()
    assert said[-1].startswith("No study to save yet")
    session.progress = compare_progress(epochs=30, done=True)
    target = tmp_path / "my study.csv"
    monkeypatch.setattr(study_actions.QFileDialog, "getSaveFileName", lambda *args: (str(target), "CSV files"))
    actions.save_csv_action.trigger()
    with target.open(encoding="utf-8") as f:
        assert [row["variant"] for row in csv.DictReader(f)] == list(VARIANTS)
    with (tmp_path / "my study-curves.csv").open(encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 30 * len(VARIANTS)
    assert said[-1] == f"Saved the study's table to {target} and its curves to my study-curves.csv"
