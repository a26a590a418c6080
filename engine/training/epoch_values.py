"""From the epoch graph's output to a :class:`Snapshot`.

The graph returns everything an epoch shows as one flat float32 vector (a single device-to-numpy copy per epoch):
:func:`layout` names its pieces and their shapes, :func:`unpack` cuts them out, :func:`make_snapshot` turns them into
the plain numbers and arrays the window draws.
"""

from __future__ import annotations

import numpy as np

from engine.training.snapshot import GRID_SIZE, NEAR_ZERO, LayerSnapshot, Snapshot

SCALARS = ("metric", "train_eval_loss", "train_eval_metric", "val_loss", "val_metric", "learning_rate")


def layout(net, grid_outputs: int | None) -> list[tuple[str, tuple]]:
    """(name, shape) of each piece of the flat vector, in the order the graph concatenates them; ``net`` is the
    :class:`~engine.training.model_builder.TrainingModel`, ``grid_outputs`` the decision grid's outputs (None: no
    grid)."""
    shapes = [("sums", (3,)), ("scalars", (len(SCALARS),)), ("layer_penalties", (len(net.regularizers), 3))]
    for i, layer in enumerate(net.dense):
        shapes += [(f"kernel_{i}", tuple(layer.kernel.shape)), (f"bias_{i}", tuple(layer.bias.shape))]
    for i, drop in enumerate(net.dropout):
        shapes += [(f"kept_{i}", tuple(drop.kept.shape)), (f"rate_{i}", ())]
    if grid_outputs is not None:
        shapes.append(("grid", (GRID_SIZE, GRID_SIZE, grid_outputs)))
    return shapes


def unpack(flat: np.ndarray, shapes: list[tuple[str, tuple]], with_grid: bool) -> dict:
    """Split the flat vector back into named arrays (the inverse of the graph's concat)."""
    out, at = {}, 0
    for name, shape in shapes:
        size = int(np.prod(shape))
        out[name] = flat[at: at + size].reshape(shape)
        at += size
    if not with_grid:
        out.pop("grid", None)
    out.update(zip(SCALARS, out.pop("scalars"), strict=True))
    return out


def unit_norms(kernel: np.ndarray) -> np.ndarray:
    """Each unit's incoming weight vector's length, ‖W[:, j]‖ (what a max-norm constraint bounds), in float64 so
    huge weights do not overflow."""
    return np.sqrt(np.square(kernel.astype(np.float64)).sum(axis=0))


def make_snapshot(v: dict, *, epoch: int, net, weight_bins: list, metric_name: str, data, grid_extent,
                  gaussian: bool, max_norms: list) -> Snapshot:
    """The snapshot of one epoch from its unpacked values. ``data`` is the Dataset (task and target scaling),
    ``gaussian`` whether dropout is Gaussian (``kept`` then holds factors, not a mask), ``max_norms`` each hidden
    layer's c (None: no constraint)."""
    loss, data_loss, penalty = (float(x) for x in v["sums"])
    layer_pen = v["layer_penalties"]
    layers = []
    n_dense = len(net.dense)
    for i in range(n_dense):
        kernel, bias = v[f"kernel_{i}"], v[f"bias_{i}"]
        hidden = i < n_dense - 1
        absw = np.abs(kernel.astype(np.float64))  # float64: huge weights must not overflow the norms
        histogram, edges, asinh_histogram = weight_bins[i].histograms(kernel)
        kept = v[f"kept_{i + 1}"] if hidden else None
        layers.append(LayerSnapshot(
            name=net.dense[i].name,
            kernel=kernel,
            bias=bias,
            histogram=histogram,
            histogram_edges=edges,
            asinh_histogram=asinh_histogram,
            l1_norm=float(absw.sum()),
            l2_norm=float(np.sqrt(np.square(absw).sum())),
            near_zero=float((absw < NEAR_ZERO).mean()) if kernel.size else 0.0,
            kernel_penalty=float(layer_pen[i, 0]),
            bias_penalty=float(layer_pen[i, 1]),
            activity_penalty=float(layer_pen[i, 2]),
            dropout_rate=float(v[f"rate_{i + 1}"]) if hidden else 0.0,
            dropped=_dropped(kept, gaussian),
            dropout_factors=kept if gaussian and hidden else None,
            unit_norms=unit_norms(kernel),
            max_norm=max_norms[i] if hidden else None,
        ))
    grid = v.get("grid")
    if grid is not None and grid.shape[-1] == 1:
        grid = grid[..., 0]
        if data.task == "regression":
            grid = grid * data.target_std + data.target_mean
    return Snapshot(
        epoch=epoch,
        loss=loss,
        data_loss=data_loss,
        penalty=penalty,
        train_eval_loss=float(v["train_eval_loss"]),
        val_loss=float(v["val_loss"]),
        metric_name=metric_name,
        metric=float(v["metric"]),
        val_metric=float(v["val_metric"]),
        train_eval_metric=float(v["train_eval_metric"]),
        learning_rate=float(v["learning_rate"]),
        layers=layers,
        input_dropout_rate=float(v["rate_0"]),
        input_dropped=_dropped(v["kept_0"], gaussian),
        input_dropout_factors=v["kept_0"] if gaussian else None,
        decision_grid=grid,
        grid_extent=grid_extent if grid is not None else None,
    )


def _dropped(kept: np.ndarray | None, gaussian: bool) -> np.ndarray | None:
    """Per unit, whether dropout switched it off for the recorded example; Gaussian dropout switches none off."""
    if kept is None:
        return None
    return np.zeros(kept.shape, bool) if gaussian else kept < 0.5
