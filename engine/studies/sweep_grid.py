"""Two-field sweeps: train one experiment for every pair of values of two fields, and a few seeds each — a grid.

The classic grid is the learning rate × the weight decay (Loshchilov & Hutter, 2019, drew it for Adam with L2
and for AdamW); λ × the dropout rate is another. Each cell is trained as a one-field sweep trains a value
(:mod:`engine.studies.sweep`, whose loop this reuses), and the chosen pair is again the one with the lowest mean
final validation loss; with test rows, only that pair's final models are scored on them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from engine.spec import Experiment, SpecError, set_path
from engine.studies.sweep import FinalTestScore, _sweep_row, best_value, check_seeds, run_cells

Pair = tuple[float, float]


@dataclass
class GridRow:
    """One run of a two-field sweep: its cell (value_1, value_2), its seed and the one-field sweep's numbers."""

    value_1: float
    value_2: float
    seed: int
    final_train: float  # the metric (accuracy or rmse) on the training set, dropout off, at the last epoch
    final_val: float
    best_val: float  # best validation metric over the epochs
    best_epoch: int
    final_val_loss: float
    metric: str = "accuracy"  # or "rmse"

    @property
    def value(self) -> Pair:
        """The cell, as :func:`engine.studies.sweep.best_value` groups the runs."""
        return (self.value_1, self.value_2)


def run_sweep_grid(exp: Experiment, paths: tuple[str, str], values: tuple[list[float], list[float]],
                   seeds: int = 1, on_row: Callable[[GridRow], None] | None = None,
                   on_epoch: Callable[[Pair, int, object], None] | None = None,
                   should_stop: Callable[[], bool] | None = None,
                   on_test_score: Callable[[FinalTestScore], None] | None = None, runner=None) -> list[GridRow]:
    """Train ``exp`` for every value_1 × value_2 × seed: the first field's values outside, the seeds inside.

    The callbacks are :func:`engine.studies.sweep.run_sweep`'s, with the pair (value_1, value_2) where it passes
    a value; the test score's ``fields`` are ``paths``."""
    check_seeds(seeds)
    cells = grid_cells(exp, paths, values)  # every pair is checked before anything trains

    def scored(score: FinalTestScore) -> None:
        on_test_score(replace(score, fields=tuple(paths)))

    return run_cells(exp, cells, seeds, grid_row, on_row, on_epoch, should_stop,
                     scored if on_test_score is not None else None, runner)


def grid_cells(exp: Experiment, paths: tuple[str, str], values: tuple[list[float], list[float]]) -> list:
    """[((value_1, value_2), the experiment with both fields set), …], the first field's values outside."""
    if not values[0] or not values[1]:
        raise SpecError("a two-field sweep needs values for both fields", field="values")
    if paths[0] == paths[1]:
        raise SpecError(f"{paths[0]!r} is both fields; a two-field sweep needs two different fields")
    firsts = [_with_value(exp, paths[0], a) for a in values[0]]
    return [((a, b), _with_value(first, paths[1], b)) for a, first in zip(values[0], firsts, strict=True)
            for b in values[1]]


def _with_value(exp: Experiment, path: str, value: float) -> Experiment:
    try:
        return set_path(exp, path, value)
    except SpecError as exc:
        if exc.field == "param":  # which of the two paths it is: the message leaves the path out
            raise SpecError(f"{path!r}: {exc}") from None
        raise


def grid_row(pair: Pair, seed: int, trainer) -> GridRow:
    row = _sweep_row(0.0, seed, trainer)
    return GridRow(pair[0], pair[1], seed, row.final_train, row.final_val, row.best_val, row.best_epoch,
                   row.final_val_loss, row.metric)


def log_scale(values: Iterable[float]) -> bool:
    """A λ-like field: every value > 0 and the values spanning more than a decade (drawn on a log axis)."""
    values = list(values)
    return len(values) > 1 and min(values) > 0 and max(values) / min(values) > 10


def grid_means(cells: Iterable[tuple[float, float, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values_1 ascending, values_2 ascending, means) from (value_1, value_2, final val loss) triples; ``means``
    has a row per value_2 and a column per value_1 (an image's rows and columns), NaN for a cell not yet run."""
    by_cell: dict[Pair, list[float]] = {}
    for a, b, loss in cells:
        by_cell.setdefault((float(a), float(b)), []).append(float(loss))
    firsts = np.array(sorted({a for a, _ in by_cell}), float)
    seconds = np.array(sorted({b for _, b in by_cell}), float)
    means = np.full((len(seconds), len(firsts)), np.nan)
    for (a, b), losses in by_cell.items():
        means[np.searchsorted(seconds, b), np.searchsorted(firsts, a)] = np.mean(losses)
    return firsts, seconds, means


def best_sentence(rows: list[GridRow], paths: tuple[str, str]) -> str:
    """``Best: training.learning_rate = 0.01, training.weight_decay = 0.001 (mean final val loss 0.31)``."""
    best = best_value(rows)
    loss = np.mean([r.final_val_loss for r in rows if r.value == best])
    return (f"Best: {paths[0]} = {best[0]:g}, {paths[1]} = {best[1]:g} "
            f"(mean final val loss {loss:.3g})")


def write_grid_csv(rows: list[GridRow], path: Path, metric: str) -> None:
    """The one-field sweep's columns, with value_1, value_2 in the place of value."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["value_1", "value_2", "seed", f"final_train_{metric}", f"final_val_{metric}",
                         f"best_val_{metric}", "best_epoch", "final_val_loss"])
        for r in rows:
            writer.writerow([f"{r.value_1:.6g}", f"{r.value_2:.6g}", r.seed, f"{r.final_train:.6g}",
                             f"{r.final_val:.6g}", f"{r.best_val:.6g}", r.best_epoch, f"{r.final_val_loss:.6g}"])


def cell_edges(values: np.ndarray, log: bool) -> np.ndarray:
    """The borders of the cells centred on ``values``: halfway between neighbours (in log10 on a log axis)."""
    x = np.log10(values) if log else np.asarray(values, float)
    if len(x) == 1:
        edges = np.array([x[0] - 0.5, x[0] + 0.5])
    else:
        mid = (x[1:] + x[:-1]) / 2
        edges = np.concatenate([[2 * x[0] - mid[0]], mid, [2 * x[-1] - mid[-1]]])
    return 10 ** edges if log else edges


def axis_scale(values: np.ndarray) -> str:
    """How a heat map's axis places its cells: "log" (λ-like values), "linear" (evenly spaced values, or two), or
    "index" (one equal cell per value: uneven values on a linear axis would squeeze some cells to slivers)."""
    if log_scale(values):
        return "log"
    steps = np.diff(values)
    return "linear" if len(steps) < 2 or np.allclose(steps, steps[0], rtol=1e-3) else "index"


AXIS_NOTES = {"log": "  (log scale)", "linear": "", "index": "  (one cell per value, not to scale)"}


def plot_heatmap(rows: list[GridRow], path: Path, paths: tuple[str, str]) -> None:
    """The mean final validation loss over the grid (field 1 across, field 2 up), each cell's mean written in it,
    the best cell outlined; log axes for λ-like fields."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    firsts, seconds, means = grid_means((r.value_1, r.value_2, r.final_val_loss) for r in rows)
    scales = (axis_scale(firsts), axis_scale(seconds))
    xs, ys = (np.arange(len(v), dtype=float) if s == "index" else v for v, s in zip((firsts, seconds), scales,
                                                                                     strict=True))
    x, y = cell_edges(xs, scales[0] == "log"), cell_edges(ys, scales[1] == "log")
    fig, ax = plt.subplots(figsize=(7, 5.5), dpi=120)
    mesh = ax.pcolormesh(x, y, means, cmap="viridis", shading="flat")
    fig.colorbar(mesh, ax=ax, label="mean final validation loss (lower is better)")
    centre = np.nanmean(means)
    for i, b in enumerate(ys):
        for j, a in enumerate(xs):
            ax.text(a, b, f"{means[i, j]:.3g}", ha="center", va="center", fontsize=8,
                    color="black" if means[i, j] > centre else "white")
    best = best_value(rows)
    j, i = int(np.searchsorted(firsts, best[0])), int(np.searchsorted(seconds, best[1]))
    label = f"best pair: {best[0]:g}, {best[1]:g} (lowest mean final validation loss)"
    ax.add_patch(plt.Rectangle((x[j], y[i]), x[j + 1] - x[j], y[i + 1] - y[i], fill=False, edgecolor="#D55E00",
                               linewidth=3, label=label))
    for axis, scale, at, values, name in ((ax.xaxis, scales[0], xs, firsts, paths[0]),
                                          (ax.yaxis, scales[1], ys, seconds, paths[1])):
        if scale == "log":
            (ax.set_xscale if axis is ax.xaxis else ax.set_yscale)("log")
        axis.set_ticks(at, [f"{v:g}" for v in values])
        axis.set_minor_locator(matplotlib.ticker.NullLocator())
        axis.set_label_text(name + AXIS_NOTES[scale])
    ax.set_title("Two-field sweep: mean final validation loss")
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.12), frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run_grid_study(exp: Experiment, paths: tuple[str, str], values: tuple[list[float], list[float]],
                   seeds: int = 1, report=None, should_stop=None, runner=None):
    """:func:`engine.studies.study.run_sweep_study` for two fields: a curve per run (``0.01, 0.001 (seed 2)``), a
    table row per finished run (the fields of :class:`GridRow`).

    ``result``: param, values, param2, values2, log_x and log_y (λ-like fields), and once done best (the pair);
    with test rows also test_score, as for one field."""
    from dataclasses import asdict

    from engine.studies.progress import RunCurves, StudyProgress

    progress = StudyProgress("sweep", f"Sweep of {paths[0]} × {paths[1]}",
                             result={"param": paths[0], "values": list(values[0]), "param2": paths[1],
                                     "values2": list(values[1]), "log_x": log_scale(values[0]),
                                     "log_y": log_scale(values[1])})
    runs: list[GridRow] = []
    epochs = exp.training.epochs
    curves = RunCurves(progress)

    def label(pair: Pair, seed: int) -> str:
        return f"{pair[0]:g}, {pair[1]:g} (seed {seed})"

    def on_epoch(pair: Pair, seed: int, row: dict) -> None:
        curves.add_row((pair, seed), label(pair, seed), row)
        progress.message = (f"{paths[0]} = {pair[0]:g}, {paths[1]} = {pair[1]:g}, seed {seed}, "
                            f"epoch {row['epoch']} of {epochs}")
        if report is not None:
            report(progress)

    def on_row(row: GridRow) -> None:
        runs.append(row)
        curves.finish((row.value, row.seed), label(row.value, row.seed))
        progress.table.append(asdict(row))

    def on_test_score(score: FinalTestScore) -> None:
        progress.result["test_score"] = {**asdict(score), "text": score.sentence()}

    run_sweep_grid(exp, paths, values, seeds, on_row, on_epoch, should_stop, on_test_score, runner)
    progress.result["best"] = best_value(runs)
    progress.done = True
    progress.message = best_sentence(runs, paths)
    if report is not None:
        report(progress)
    return progress
