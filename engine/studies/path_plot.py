"""regularization_path.png: the path's picture, drawn with matplotlib (Agg, no display).

Above: every kernel weight of each value's first run against the value (a line per weight, a colour per layer;
log axis when every value is > 0), each point where |w| < NEAR_ZERO marked. Beneath: the final training and
validation metric against the value, the mean over the runs with a band of ± one standard deviation when a value
has several runs (seeds × folds).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.studies.path import (
    PathPoint,
    PathRun,
    drawn_note,
    drawn_weights,
    first_runs,
    flat_weights,
    log_axis,
    path_lines,
    weight_names,
)
from engine.training.snapshot import NEAR_ZERO

LAYER_COLOURS = ("#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#D55E00", "#F0E442", "#000000")
TRAIN_COLOUR, VAL_COLOUR = "#0072B2", "#009E73"


def plot_path(runs: list[PathRun], points: list[PathPoint], out: Path, param: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 8), dpi=120, sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    _draw_weights(top, first_runs(runs))
    _draw_scores(bottom, points)
    if log_axis([p.value for p in points]):
        bottom.set_xscale("log")
    bottom.set_xlabel(param + (" (log scale)" if log_axis([p.value for p in points]) else ""))
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def _draw_weights(ax, firsts: list[PathRun]) -> None:
    from matplotlib.collections import LineCollection

    values, weights = path_lines([(r.value, flat_weights(r.kernels)) for r in firsts])
    names = weight_names(firsts[0].kernels)
    drawn = drawn_weights(weights.shape[1])
    for layer in np.unique(names[:, 0]):
        columns = drawn[names[drawn, 0] == layer]
        segments = [np.column_stack([values, weights[:, j]]) for j in columns]
        label = "output layer" if layer == len(firsts[0].kernels) - 1 else f"hidden {layer + 1}"
        ax.add_collection(LineCollection(segments, colors=LAYER_COLOURS[layer % len(LAYER_COLOURS)],
                                         linewidths=0.8, alpha=0.7, label=label))
    near = np.abs(weights[:, drawn]) < NEAR_ZERO
    xs = np.broadcast_to(values[:, None], near.shape)[near]
    ax.plot(xs, weights[:, drawn][near], "o", color="black", markersize=2.5, label=f"|w| < {NEAR_ZERO:g}")
    ax.autoscale()
    ax.axhline(0, color="grey", linewidth=0.6)
    ax.set_ylabel("kernel weight")
    note = drawn_note(weights.shape[1], len(drawn))
    seeds = "the experiment's training seed" + (", fold 1" if firsts[0].fold else "")
    ax.set_title(f"Regularization path: every kernel weight at the end of training ({seeds})"
                 + (f"\n{note}" if note else ""), fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")


def _draw_scores(ax, points: list[PathPoint]) -> None:
    ordered = sorted(points, key=lambda p: p.value)
    values = np.array([p.value for p in ordered])
    metric = ordered[0].metric
    several = any(p.runs > 1 for p in ordered)
    for side, colour, text in (("train", TRAIN_COLOUR, "training (dropout off)"), ("val", VAL_COLOUR, "validation")):
        name = f"{side}_{metric}"
        mean = np.array([p.mean[name] for p in ordered])
        ax.plot(values, mean, "o-", color=colour, label=text + (" (mean)" if several else ""))
        if several:
            std = np.array([p.std[name] for p in ordered])
            ax.fill_between(values, mean - std, mean + std, color=colour, alpha=0.2,
                            label=f"± one standard deviation over {ordered[0].runs} runs")
    ax.set_ylabel("RMSE" if metric == "rmse" else metric)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
