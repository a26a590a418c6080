"""Label smoothing under the decision boundary: the most confident prediction on the snapshot's grid (max of p and
1 − p, or the largest class probability) and the targets Keras' cross-entropy smooths 0 and 1 to."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from fakes import dataset, experiment, snapshot

from engine.training.snapshot import GRID_SIZE
from gui.document import ExperimentDocument
from gui.live.boundary_view import BoundaryView
from gui.live.confidence_readout import confidence_text, most_confident, smoothed_targets
from tests.gui.layout_requests import LayoutRequests
from tests.gui.pictures import show_in_host

SHOTS = Path("/tmp/shots")


@pytest.fixture
def doc() -> ExperimentDocument:
    return ExperimentDocument(experiment())


@pytest.fixture
def view(qtbot, doc) -> BoundaryView:
    widget = BoundaryView(document=doc)
    show_in_host(qtbot, widget, 600, 560)
    widget.set_dataset(dataset())
    return widget


def smooth(doc, s: float) -> None:
    assert doc.edit("Label smoothing", lambda e: setattr(e.training, "label_smoothing", s))


def binary_grid(low: float, high: float) -> np.ndarray:
    """P(class 1) of 0.5 everywhere but one point at ``low`` and one at ``high``."""
    grid = np.full((GRID_SIZE, GRID_SIZE), 0.5, np.float32)
    grid[3, 7], grid[40, 22] = low, high
    return grid


def with_grid(grid: np.ndarray, epoch: int = 1, **changes):
    n_outputs = grid.shape[-1] if grid.ndim == 3 else 1
    return replace(snapshot(experiment(), epoch, n_outputs=n_outputs), decision_grid=grid, **changes)


def test_binary_confidence_is_the_larger_of_p_and_1_minus_p(doc, view):
    smooth(doc, 0.1)
    view.show_snapshot(with_grid(binary_grid(0.07, 0.9)))  # by hand: max(0.9, 1 − 0.07) = 0.93
    assert view.confidence.text() == ("most confident prediction 0.930 · label smoothing 0.1: targets 0.05 / 0.95")
    view.show_snapshot(with_grid(binary_grid(0.2, 0.96), epoch=2))  # max(0.96, 0.8) = 0.96
    assert view.confidence.text().startswith("most confident prediction 0.960 · ")


def test_multiclass_confidence_is_the_largest_class_probability(doc, view):
    smooth(doc, 0.3)
    grid = np.full((GRID_SIZE, GRID_SIZE, 3), 1 / 3, np.float32)
    grid[10, 50] = (0.1, 0.2, 0.7)
    grid[60, 5] = (0.62, 0.3, 0.08)  # its 0.08 is no "1 − p": with several classes only the largest counts
    view.show_snapshot(with_grid(grid))
    assert view.confidence.text() == ("most confident prediction 0.700 · label smoothing 0.3: targets 0.1 / 0.8 "
                                      "(3 classes)")  # 0.3/3 and 1 − 0.3 + 0.3/3
    assert view.confidence.smoothing.toolTip().startswith(
        "Label smoothing s = 0.3 moves the training targets 0 and 1 to 0.1 and 0.8 (Keras: y·(1−s) + s/K, K = 3).")


def test_without_smoothing_only_the_confidence_then_smoothing_follows_live_edits(doc, view):
    view.show_snapshot(with_grid(binary_grid(0.01, 0.5)))
    assert view.confidence.text() == "most confident prediction 0.990"  # the baseline a student compares with
    smooth(doc, 0.2)  # no new snapshot needed: the targets are the spec's
    assert view.confidence.text() == "most confident prediction 0.990 · label smoothing 0.2: targets 0.1 / 0.9"
    smooth(doc, 0.0)
    assert view.confidence.text() == "most confident prediction 0.990"


def test_nothing_for_regression_before_a_grid_or_under_the_uncertainty_map(doc, view):
    assert view.confidence.text() == ""  # no snapshot yet
    view.show_snapshot(with_grid(binary_grid(0.1, 0.9), metric_name="rmse"))
    assert view.confidence.text() == "" and view.confidence.isHidden()
    view.show_snapshot(with_grid(binary_grid(0.1, 0.9), epoch=2))
    assert view.confidence.text() == "most confident prediction 0.900"
    view.show_uncertainty(np.full((GRID_SIZE, GRID_SIZE), 0.5), np.zeros((GRID_SIZE, GRID_SIZE)))
    assert view.confidence.text() == ""  # the map shows the passes' spread, not these predictions
    view.show_uncertainty(None, None)
    assert view.confidence.text() == "most confident prediction 0.900"
    view.clear()
    assert view.confidence.text() == ""


def test_a_new_confidence_repaints_without_laying_out_the_view(qtbot, doc, view):
    smooth(doc, 0.1)
    view.show_snapshot(with_grid(binary_grid(0.3, 0.81)))
    qtbot.wait(1)
    requests = [LayoutRequests(widget) for widget in (view, view.plot_page, view.confidence)]
    for epoch, high in enumerate((0.82, 0.85, 0.9, 0.95), start=2):
        view.show_snapshot(with_grid(binary_grid(0.3, high), epoch=epoch))
        qtbot.wait(1)
    assert view.confidence.text().startswith("most confident prediction 0.950 · ")
    assert [r.count for r in requests] == [0, 0, 0]


@pytest.mark.parametrize(("value", "text"), [(0.93, "0.930"), (0.9994, "0.999"), (0.9995, "> 0.999"),
                                             (0.99999994, "> 0.999"), (1.0, "1.000")])
def test_a_prediction_short_of_1_never_reads_1(value, text):
    assert confidence_text(value) == text


def test_most_confident_by_hand():
    assert most_confident(np.array([[0.4, 0.55], [0.2, 0.6]])) == pytest.approx(0.8)
    assert most_confident(np.array([[[0.3], [0.75]]])) == pytest.approx(0.75)  # (…, 1): one probability
    assert most_confident(np.array([[[0.2, 0.8], [0.9, 0.1]]])) == pytest.approx(0.9)


@pytest.mark.parametrize(("s", "classes"), [(0.1, 1), (0.25, 1), (0.1, 3), (0.4, 5)])
def test_the_stated_targets_are_those_keras_smooths_to(s, classes):
    """Keras' loss with label_smoothing s equals the plain loss against the stated targets 0 → low, 1 → high."""
    from engine.training.keras_setup import keras

    low, high = smoothed_targets(s, classes)
    rng = np.random.default_rng(0)
    if classes == 1:
        y, p = rng.integers(0, 2, (8, 1)).astype("float32"), rng.uniform(0.05, 0.95, (8, 1)).astype("float32")
        smoothed, plain = keras.losses.BinaryCrossentropy(label_smoothing=s), keras.losses.BinaryCrossentropy()
    else:
        y = np.eye(classes, dtype="float32")[rng.integers(0, classes, 8)]
        p = rng.dirichlet(np.ones(classes), 8).astype("float32")
        smoothed = keras.losses.CategoricalCrossentropy(label_smoothing=s)
        plain = keras.losses.CategoricalCrossentropy()
    stated = np.where(y == 1, high, low).astype("float32")
    assert float(smoothed(y, p)) == pytest.approx(float(plain(stated, p)), rel=1e-5)


def test_screenshot_with_label_smoothing(qtbot, doc, view):
    smooth(doc, 0.1)
    view.show_snapshot(snapshot(experiment(), 30))
    qtbot.wait(20)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert view.grab().save(str(SHOTS / "boundary_label_smoothing.png"))
