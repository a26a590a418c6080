"""Feature use in the network view: each input neuron's area and each feature's bar follow Σ|w| of the feature's
outgoing weights (the row sums of |first kernel|), the caption says so, and the tabular CSV reads at laptop sizes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from gui.live.feature_use import (
    BARS_SHARE,
    BARS_TITLES,
    CAPTION_FORMS,
    SMALLEST_SHARE,
    feature_use,
    input_diameters,
    value_text,
)
from gui.live.network_view import MAX_DRAWN
from tests.gui import fakes
from tests.gui.test_network_view import make_view

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

SHOTS = Path("/tmp/reglab_shots")
TABULAR = ["signal_1", "noise_1", "noise_2", "signal_2", "noise_3", "signal_3", "noise_4", "noise_5", "signal_4",
           "noise_6"]  # resources/samples/tabular_with_noise.csv's columns


def with_first_kernel(snap, kernel: np.ndarray):
    """``snap`` with its first layer's kernel replaced by ``kernel``."""
    first = dataclasses.replace(snap.layers[0], kernel=kernel.astype(np.float32))
    return dataclasses.replace(snap, layers=[first, *snap.layers[1:]])


def tabular_kernel(units: int) -> np.ndarray:
    """A kernel as L1 leaves it on the tabular set: signal rows with weight, noise rows almost 0, signs mixed."""
    rng = np.random.default_rng(7)
    kernel = rng.normal(0, 0.002, size=(len(TABULAR), units))
    for row, name in enumerate(TABULAR):
        if name.startswith("signal"):
            kernel[row, :3] = [0.9 - 0.1 * row, -0.4, 0.25]
    kernel[4, 5] = -0.1  # noise_3 keeps a little
    return kernel


def tabular_view(qtbot, size=(560, 330)):
    doc, view = make_view(qtbot, n_features=len(TABULAR), names=TABULAR, size=size)
    units = doc.exp.network.hidden[0].units
    snap = with_first_kernel(fakes.snapshot(doc.exp, n_features=len(TABULAR)), tabular_kernel(units))
    view.show_snapshot(snap)
    qtbot.waitUntil(lambda: view.feature_use.use() is not None)
    return view, snap


def by_hand(kernel: np.ndarray) -> np.ndarray:
    """Σ_j |W[i, j]| for each row i, one weight at a time."""
    rows = []
    for row in kernel.astype(np.float64):
        total = 0.0
        for w in row:
            total += w if w >= 0 else -w
        rows.append(total)
    return np.array(rows)


def input_sizes(view) -> np.ndarray:
    n_inputs = len(view.neuron_positions()[0])
    return np.asarray(view._neurons.data["size"][:n_inputs], float)


# --------------------------------------------------------------------------- the numbers


def test_feature_use_is_the_row_sum_of_the_absolute_kernel():
    kernel = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0], [-0.25, 0.25, -0.125]])
    np.testing.assert_allclose(feature_use(kernel), [3.5, 0.0, 0.625])
    np.testing.assert_allclose(feature_use(kernel), by_hand(kernel))
    assert np.isinf(feature_use(np.array([[np.inf, 1.0], [np.nan, 2.0]]))).tolist() == [True, False]
    assert feature_use(np.array([[np.nan, 2.0]])).tolist() == [2.0]  # a NaN weight counts 0, as the edges draw it


def test_an_input_s_area_is_proportional_to_its_use_down_to_a_dot():
    use = np.array([4.0, 1.0, 0.16, 0.0])
    d = input_diameters(use, 20.0)
    np.testing.assert_allclose((d / 20.0) ** 2, [1.0, 0.25, SMALLEST_SHARE, SMALLEST_SHARE])  # area share
    assert SMALLEST_SHARE == 0.04  # lesson 19: "below 4 % of the largest, a dot"
    np.testing.assert_allclose(input_diameters(np.zeros(3), 20.0), 20.0)  # nothing used yet: all full size
    assert value_text(0.015349) == "0.0153" and value_text(1.5812) == "1.58" and value_text(12.34) == "12.3"


def test_the_view_draws_the_hand_computed_row_sums(qtbot):
    view, snap = tabular_view(qtbot)
    expected = by_hand(snap.layers[0].kernel)
    np.testing.assert_allclose(view.feature_use.use(), expected, rtol=1e-6)
    # the inputs' areas, relative to the full neuron, are the use relative to the largest (at least the dot's)
    full = view._size
    drawn = len(view.neuron_positions()[0])
    assert drawn == len(TABULAR)  # at this size every input is drawn
    areas = (input_sizes(view) / full) ** 2
    np.testing.assert_allclose(areas, np.maximum(expected / expected.max(), SMALLEST_SHARE), rtol=1e-5)
    # the other neurons keep the full size
    np.testing.assert_allclose(view._neurons.data["size"][drawn:], full)
    # one bar per feature, as long as its use relative to the largest, and its number beside it
    lengths = view.feature_use.bar_lengths()
    np.testing.assert_allclose(lengths / lengths.max(), expected / expected.max(), rtol=1e-5)
    assert view.feature_use.texts() == [(name, value_text(u)) for name, u in zip(TABULAR, expected, strict=True)]


def test_the_caption_says_what_the_sizes_are_once_there_are_weights(qtbot):
    doc, view = make_view(qtbot, n_features=len(TABULAR), names=TABULAR, size=(560, 330))
    caption = view.feature_use.caption
    assert caption.isVisible() and caption.text() == ""  # no sizes yet: the line is kept, blank (nothing moves)
    assert np.isscalar(view._neurons.opts["size"]) or len(set(view._neurons.data["size"])) == 1
    view.show_snapshot(fakes.snapshot(doc.exp, n_features=len(TABULAR)))
    assert caption.text() == CAPTION_FORMS[0] == "input area ∝ Σ|w| of its outgoing weights"
    assert "4 %" in caption.toolTip() and "Σ|w|" in caption.toolTip()
    assert view.feature_use._title.toPlainText() == BARS_TITLES[0] == "Σ|w| per input"
    view.clear_snapshot()  # a reset: back to full-size inputs and no caption
    assert caption.text() == "" and view.feature_use.use() is None
    assert len(view.feature_use.bar_lengths()) == 0


def test_two_features_have_no_bars_and_keep_their_names_beside_the_inputs(qtbot):
    doc, view = make_view(qtbot, n_features=2, names=["x1", "x2"], size=(560, 330))
    assert not view.feature_use.bars_shown()
    assert [label.toPlainText() for label in view._names] == ["x1", "x2"]
    kernel = np.array([[0.5] * 8, [-0.125] * 8])
    view.show_snapshot(with_first_kernel(fakes.snapshot(doc.exp), kernel))
    assert view.feature_use.caption.text() == CAPTION_FORMS[0]
    sizes = input_sizes(view)
    assert (sizes[1] / sizes[0]) ** 2 == pytest.approx(0.25)  # Σ|w| 1 against 4: a quarter of the area


def test_with_bars_each_sits_level_with_its_input(qtbot):
    view, _ = tabular_view(qtbot)
    assert view.feature_use.bars_shown() and view._names == []  # the bars name the features
    inputs = view.neuron_positions()[0]
    rows = [view.feature_use.bars_box.mapViewToScene(QPointF(0, y)).y() for y in view.feature_use.bar_rows()]
    np.testing.assert_allclose(rows, inputs[:, 1], atol=0.5)


def test_every_feature_gets_a_bar_when_the_network_draws_only_some(qtbot):
    n = 64  # the digits set: the network draws at most 32 inputs
    names = [f"pixel_{i // 8}_{i % 8}" for i in range(n)]
    doc, view = make_view(qtbot, n_features=n, names=names, size=(900, 520))
    snap = fakes.snapshot(doc.exp, n_features=n)
    view.show_snapshot(snap)
    assert len(view.neuron_positions()[0]) <= MAX_DRAWN
    np.testing.assert_allclose(view.feature_use.use(), by_hand(snap.layers[0].kernel), rtol=1e-6)
    assert len(view.feature_use.bar_lengths()) == n
    shown = [name for name, _ in view.feature_use.texts() if name]
    assert "pixel_0_0" in shown and 1 < len(shown) < n  # every few rows named: 64 names do not fit 500 px


def test_a_snapshot_of_another_data_set_is_not_drawn(qtbot):
    doc, view = make_view(qtbot, n_features=len(TABULAR), names=TABULAR, size=(560, 330))
    view.show_snapshot(fakes.snapshot(doc.exp, n_features=3))  # the data changed; the old run's last snapshot
    assert view.feature_use.use() is None and view.feature_use.caption.text() == ""


def test_a_diverged_kernel_still_draws(qtbot):
    doc, view = make_view(qtbot, n_features=len(TABULAR), names=TABULAR, size=(560, 330))
    kernel = tabular_kernel(doc.exp.network.hidden[0].units)
    kernel[0, 0], kernel[1, 1] = np.inf, np.nan
    view.show_snapshot(with_first_kernel(fakes.snapshot(doc.exp, n_features=len(TABULAR)), kernel))
    assert np.all(np.isfinite(input_sizes(view))) and np.all(np.isfinite(view.feature_use.bar_lengths()))
    assert view.feature_use.texts()[0][1] == "inf"


# --------------------------------------------------------------------------- at laptop sizes


def glyphs(item):
    """A text item's box without its document margins: where its letters are."""
    margin = item.textItem.document().documentMargin()
    return item.sceneBoundingRect().adjusted(margin, margin, -margin, -margin)


@pytest.mark.parametrize(("size", "zoom", "numbers"), [
    ((322, 251), 1.0, True),  # the window at 1366 × 768 with a lesson open (tests/gui/screen_layout_probe.py)
    ((487, 325), 1.3, True),  # the same screen in presentation mode
    ((640, 330), 1.0, True),  # 1366 × 768 without the lesson
])
def test_the_tabular_set_reads_at_laptop_sizes(qtbot, size, zoom, numbers):
    view, snap = tabular_view(qtbot, size)
    view.set_zoom(zoom)
    qtbot.waitUntil(lambda: view.feature_use.bars_box.width() == view.feature_use.bars_box.maximumWidth())
    SHOTS.mkdir(exist_ok=True)
    view.grab().save(str(SHOTS / f"feature_use_{size[0]}x{size[1]}_z{zoom}.png"))
    texts = view.feature_use.texts()
    assert [name for name, _ in texts] == TABULAR  # every feature named, in full
    assert [value for _, value in texts] == [value_text(u) for u in by_hand(snap.layers[0].kernel)]
    readable(view)
    if len(view.neuron_positions()[0]) < len(TABULAR):  # inputs left out: the network says how many in all
        more = view._more[0]
        assert more.toPlainText() == f"… {len(TABULAR)}"
        assert view._vb.sceneBoundingRect().contains(glyphs(more))


def readable(view) -> None:
    """The bars take at most BARS_SHARE of the width, their texts are inside their panel and do not overlap, and
    the title and caption fit."""
    use = view.feature_use
    box = use.bars_box.sceneBoundingRect()
    assert box.width() <= BARS_SHARE * view.canvas.width() + 0.5
    shown = [glyphs(item) for item in [*use._name_items, *use._value_items, use._title] if item.isVisible()]
    assert all(box.contains(rect) for rect in shown), (box, shown)  # nothing cut off at the panel's edges
    assert not any(a.intersects(b) for i, a in enumerate(shown) for b in shown[i + 1:])  # nor on each other
    caption = use.caption
    assert caption.text() in CAPTION_FORMS
    assert caption.fontMetrics().horizontalAdvance(caption.text()) <= caption.width()  # the whole caption shows
    if view.mask_caption.isVisible():  # the dropout caption on the right of the same line, or under it
        mine, dropout = caption.geometry(), view.mask_caption.geometry()
        beside = mine.right() < dropout.left() and mine.top() == dropout.top()
        assert beside or mine.bottom() < dropout.top()


def test_a_projector_zoom_on_the_narrowest_view_cuts_names_to_keep_the_bars_within_their_share(qtbot):
    view, _ = tabular_view(qtbot, (322, 251))
    view.set_zoom(1.6)
    qtbot.waitUntil(lambda: view.feature_use.bars_box.width() == view.feature_use.bars_box.maximumWidth())
    view.grab().save(str(SHOTS / "feature_use_322x251_z1.6.png"))
    readable(view)
    texts = view.feature_use.texts()
    assert not any(value for _, value in texts)  # no room for the numbers: the bars alone
    rows = [i for i, (name, _) in enumerate(texts) if name]
    step = rows[1] - rows[0]
    assert rows == list(range(0, len(TABULAR), step)) and len(rows) > 2  # rows too low for every name: every k-th
    assert all(TABULAR[i].startswith(texts[i][0].rstrip("…")) for i in rows)
    assert view.feature_use._title.toPlainText() in BARS_TITLES


def test_the_gaussian_dropout_caption_keeps_the_width_and_the_caption_goes_above_it(qtbot):
    """The Gaussian dropout caption (its key of fills) is too long to share a line: the feature-use caption then
    takes a line of its own above it, rather than squeezing it into a column of short lines."""
    exp = fakes.experiment()
    exp.network.dropout_style = "gaussian"
    doc, view = make_view(qtbot, exp, n_features=len(TABULAR), names=TABULAR, size=(371, 261))
    view.show_snapshot(fakes.snapshot(doc.exp, n_features=len(TABULAR)))
    qtbot.waitUntil(lambda: view.mask_caption.geometry().top() > view.feature_use.caption.geometry().top())
    mine, dropout = view.feature_use.caption.geometry(), view.mask_caption.geometry()
    assert mine.bottom() < dropout.top() and dropout.width() >= view.width() - 2
    assert view.feature_use.caption.text() in CAPTION_FORMS
    doc.edit("Dropout style", lambda e: setattr(e.network, "dropout_style", "inverted"))
    qtbot.waitUntil(lambda: view.mask_caption.geometry().top() == view.feature_use.caption.geometry().top())
    assert view.feature_use.caption.geometry().right() < view.mask_caption.geometry().left()  # one line again
