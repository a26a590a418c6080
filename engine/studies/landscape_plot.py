"""landscape.png: the data loss over two weights, drawn with matplotlib (Agg, no display).

Filled contours of the data loss (training rows, dropout off, every other weight as trained); over them the level
set of the pair's kernel penalty through the current point (L1 diamond, L2 circle, elastic net's rounded diamond),
the region a max-norm constraint allows (a disc for two weights of one unit), and the pair's path over the epochs
from its start (epoch 0) to where it is now. The shapes are engine/training/landscape_geometry.py's, as in the
window's loss-landscape dock; the level set of a pair with one unpenalized weight is two lines.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.spec import Experiment
from engine.training.landscape import Landscape
from engine.training.landscape_geometry import level_set, max_norm_region, pair_penalty

PENALTY_COLOUR, MAX_NORM_COLOUR, PATH_COLOUR = "#D55E00", "#CC79A7", "white"
LEVELS = 20


def plot_landscape(landscape: Landscape, trajectory: np.ndarray, exp: Experiment, kernels: list[np.ndarray],
                   out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 6), dpi=120)
    filled = ax.contourf(landscape.a, landscape.b, landscape.data_loss, levels=LEVELS, cmap="viridis")
    ax.contour(landscape.a, landscape.b, landscape.data_loss, levels=LEVELS, colors="black", linewidths=0.3,
               alpha=0.5)
    fig.colorbar(filled, ax=ax, label="data loss on the training rows (dropout off)")
    far = 2 * landscape.reach  # lines leave the axes, which end at ±reach
    penalty = pair_penalty(exp, landscape.refs)
    curve = level_set(penalty, landscape.current, far)
    if curve is not None:
        ax.plot(curve[:, 0], curve[:, 1], color=PENALTY_COLOUR, linewidth=2,
                label=f"{_penalty_name(penalty.name)}: its level set through the current point")
    region = max_norm_region(exp, landscape.refs, kernels, far)
    if region is not None:
        ax.plot(region.boundary[:, 0], region.boundary[:, 1], color=MAX_NORM_COLOUR, linewidth=2, linestyle="--",
                label=f"max-norm: the {region.kind} the pair may reach")
    ax.plot(trajectory[:, 1], trajectory[:, 2], color=PATH_COLOUR, linewidth=1.2, label="path over the epochs")
    ax.plot(trajectory[0, 1], trajectory[0, 2], "o", color=PATH_COLOUR, markeredgecolor="black",
            label="start (epoch 0)")
    ax.plot(*landscape.current, "*", color=PENALTY_COLOUR, markeredgecolor="black", markersize=14, label="now")
    reach = landscape.reach
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.axhline(0, color="grey", linewidth=0.6)
    ax.axvline(0, color="grey", linewidth=0.6)
    first, second = landscape.refs
    ax.set_xlabel(f"weight {first.text} (layer:row:column)")
    ax.set_ylabel(f"weight {second.text}")
    epochs = int(trajectory[-1, 0])
    ax.set_title(f"Loss landscape of two weights after {epochs} epochs\n{exp.name}", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0, -0.1), facecolor="0.75")  # grey: the path is white
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def _penalty_name(kind: str) -> str:
    return {"L1": "L1 penalty", "L2": "L2 penalty", "L1+L2": "elastic net penalty"}.get(kind, "penalty")
