"""The weight histograms' bins: ±R on the 1-2-5 ladder following the weights, and the heat map's fixed asinh bins."""

import numpy as np
import pytest
from builders import experiment

from engine.training.snapshot import (
    ASINH_BINS,
    ASINH_EDGES,
    HISTOGRAM_BINS,
    SHRINK_AFTER,
    WeightBins,
    counts_between,
    ladder,
    ladder_index,
)
from engine.training.trainer import Trainer


def l1_like(rng, size=15_000, near_zero_share=0.95):
    """Weights as L1 leaves them: most within 1e-3 of 0, a few large."""
    w = rng.laplace(0, 0.05, size)
    pile = rng.random(size) < near_zero_share
    w[pile] = rng.uniform(-1e-3, 1e-3, pile.sum())
    return w.astype(np.float32)


def test_the_ladder_is_1_2_5():
    assert [ladder(k) for k in range(-4, 4)] == [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
    cases = {0.13: 0.2, 0.2: 0.2, 0.2000001: 0.5, 0.1: 0.1, 3.0: 5.0, 7.0: 10.0, 1e-5: 0.001, 0.0: 0.001}
    assert {value: ladder(ladder_index(value)) for value in cases} == cases


def test_counts_are_numpys_histogram_with_the_outer_bins_holding_what_lies_beyond():
    rng = np.random.default_rng(0)
    w = np.concatenate([rng.normal(0, 0.3, 500), [-0.5, 0.5, 0.0, -3.0, 7.0]]).astype(np.float32)
    edges = np.linspace(-0.5, 0.5, 42)
    expected = np.histogram(np.clip(w, -0.5, 0.5), edges)[0]
    np.testing.assert_array_equal(counts_between(np.sort(w), edges), expected)
    one = counts_between(np.sort(np.array([-3.0, 0.0, 7.0])), edges)
    assert (one[0], one[20], one[-1]) == (1, 1, 1) and one.sum() == 3


def test_under_l1_the_bins_hold_the_tails_as_well_as_the_pile_at_zero():
    w = l1_like(np.random.default_rng(1))
    counts, edges, asinh_counts = WeightBins(w).histograms(w)
    assert edges[-1] == ladder(ladder_index(np.abs(w).max())) and len(edges) == HISTOGRAM_BINS + 1
    assert (counts > 0).sum() >= 10
    assert counts.max() == counts[HISTOGRAM_BINS // 2] < 0.99 * w.size  # the pile at 0 is tallest, not everything
    assert (asinh_counts > 0).sum() >= 20  # the pile itself spread over the asinh bins within ±0.001
    assert counts.sum() == asinh_counts.sum() == w.size


def test_the_bins_grow_at_once_and_shrink_after_the_weights_fit_a_smaller_step_for_a_while():
    bins = WeightBins(np.array([0.15]))
    assert bins.reach == 0.2
    assert bins.follow(0.3)[-1] == 0.5  # grows at once
    for _ in range(SHRINK_AFTER - 1):
        assert bins.follow(0.15)[-1] == 0.5  # fits in 0.2, not yet for long enough
    assert bins.follow(0.3)[-1] == 0.5  # no longer fits: the count starts again
    for epoch in range(SHRINK_AFTER):
        largest = 0.15 if epoch != 5 else 0.19
        assert bins.follow(largest)[-1] == (0.5 if epoch < SHRINK_AFTER - 1 else 0.2)
    for _ in range(SHRINK_AFTER):
        bins.follow(0.003)
    assert bins.reach == 0.005  # straight to the step holding the largest weight of those epochs
    for _ in range(5 * SHRINK_AFTER):
        bins.follow(0.0)
    assert bins.reach == 0.001  # never narrower than the band called "near 0"


def test_the_bins_follow_a_shrinking_spread_without_jitter():
    w0 = np.random.default_rng(2).normal(0, 0.5, 2000)
    bins = WeightBins(w0)
    reaches, largest = [], []
    for epoch in range(300):
        w = w0 * 0.98 ** epoch  # L2-like decay: ×0.13 over 100 epochs
        counts, edges, _ = bins.histograms(w)
        reaches.append(edges[-1])
        largest.append(np.abs(w).max())
        assert counts.sum() == w.size
    reaches, largest = np.array(reaches), np.array(largest)
    assert (largest <= reaches).all()  # every weight inside, at every epoch
    assert reaches[-1] < 0.01 * reaches[0]  # followed the weights down
    changes = np.flatnonzero(np.diff(reaches))
    assert len(changes) == len(set(reaches)) - 1 and (np.diff(reaches)[changes] < 0).all()  # each step once, down
    assert np.diff(changes).min() >= SHRINK_AFTER
    lag = 2 * SHRINK_AFTER  # never wider than the step that held the weights this many epochs before
    assert all(reaches[t] <= ladder(ladder_index(largest[t - lag])) for t in range(lag, 300))


def test_weights_hovering_at_a_step_do_not_make_the_bins_jitter():
    bins = WeightBins(np.array([0.19]))
    reaches = {float(bins.follow(largest)[-1]) for largest in [0.19, 0.21] * 100}
    assert reaches == {0.2, 0.5} and bins.reach == 0.5


def bin_of(weight: float) -> int:
    """The heat-map bin holding ``weight``."""
    return int(np.searchsorted(ASINH_EDGES, weight, side="right")) - 1


def test_the_heat_maps_bins_are_fixed_symmetric_and_resolve_both_0_001_and_1():
    assert len(ASINH_EDGES) == ASINH_BINS + 1 and ASINH_BINS % 2 == 1
    np.testing.assert_allclose(ASINH_EDGES, -ASINH_EDGES[::-1], atol=1e-15)
    assert (np.diff(ASINH_EDGES) > 0).all() and ASINH_EDGES[-1] == pytest.approx(10.0)
    assert bin_of(0.0) == ASINH_BINS // 2
    assert bin_of(1e-3) - bin_of(0.0) >= 2 and bin_of(1.0) - bin_of(1e-3) >= 20
    per_decade = bin_of(1.0) - bin_of(0.1)
    assert 6 <= per_decade <= 8  # ≈ 7 bins a decade beyond 0.01
    assert bin_of(0.5) != bin_of(1.0) and bin_of(-0.001) != bin_of(0.001)


def test_the_trainers_bins_grow_with_its_weights_and_start_again_on_reset(xor_data):
    trainer = Trainer(experiment([{"units": 8}]), xor_data)
    start = trainer.step().layers[0].histogram_edges[-1]
    kernel = trainer.net.dense[0].kernel
    kernel.assign(kernel.numpy() * 40)
    snap = trainer.step()
    layer = snap.layers[0]
    assert layer.histogram_edges[-1] == ladder(ladder_index(np.abs(layer.kernel).max())) > start
    np.testing.assert_array_equal(layer.histogram, np.histogram(layer.kernel, layer.histogram_edges)[0])
    trainer.reset()  # the initial weights again, and the bins of a new run (not the wide ones kept 20 epochs)
    assert trainer.step().layers[0].histogram_edges[-1] == start
