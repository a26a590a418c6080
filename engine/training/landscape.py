"""The loss landscape of two weights: the data loss and the penalty over a square grid of their values.

Every other weight stays at its current value; the data loss is taken on the training rows in evaluation mode
(dropout and noise off, batch normalization with its moving statistics), as the epoch's ``train_eval_loss`` is.
The penalty is the network's whole penalty (every kernel, bias and activity penalty, the activity ones on the
training rows) with the two weights set.

All grid points are evaluated in one graph call. Changing the weight in row i, column j of a layer's kernel by Δ
changes only column j of that layer's pre-activations, by Δ·x_i, so the layer's output is computed once and only
its changed columns per grid point; the next layer's pre-activations are its base values plus those columns'
changes times their kernel rows (a rank-1 or rank-2 update), and from there on every column differs, per grid
point. The graph is traced once per trainer and per layers of the pair (the rows and columns are its inputs).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from engine.spec import SpecError, WeightRef, check_weight_refs, parse_weight_refs
from engine.training.keras_setup import keras, tf
from engine.training.snapshot import ladder, ladder_index

__all__ = ["Landscape", "WeightRef", "compute_landscape", "default_pair", "grid_reach", "pair_values",
           "parse_weight_refs", "trajectory_point"]

DEFAULT_GRID = 41  # odd, so 0 is a grid point
MIN_GRID, MAX_GRID = 3, 201
MARGIN = 1.2  # the grid reaches at least this many times the largest |value| it must show
#: floats of one (grid points × rows × units) tensor per graph call: ≈ 64 MB; more grid points are split in calls
CHUNK_FLOATS = 16_000_000


@dataclass
class Landscape:
    refs: tuple[WeightRef, WeightRef]
    a: np.ndarray  # (N,) grid values of the first weight (x axis)
    b: np.ndarray  # (N,) grid values of the second (y axis)
    data_loss: np.ndarray  # (N, N); rows follow b, columns follow a
    penalty: np.ndarray  # (N, N): the whole penalty with the two weights set
    current: tuple[float, float]  # the pair's values now

    @property
    def reach(self) -> float:
        """R: the grid spans ±R on both axes."""
        return float(self.a[-1])


def default_pair(kernels: list[np.ndarray]) -> tuple[WeightRef, WeightRef]:
    """The two largest |w| of the first layer's kernel, the largest first (ties: the first in row order)."""
    first = np.abs(np.asarray(kernels[0], np.float64))
    if first.size < 2:
        raise SpecError("the first layer has fewer than two weights; name two weights L:i:j", field="weights")
    order = np.argsort(-first, axis=None, kind="stable")[:2]
    return tuple(WeightRef(0, *(int(k) for k in np.unravel_index(i, first.shape))) for i in order)


def pair_values(kernels: list[np.ndarray], refs: tuple[WeightRef, WeightRef]) -> tuple[float, float]:
    """The two weights' values in these kernels (hidden layers, then the output layer)."""
    return tuple(float(kernels[r.layer][r.row, r.column]) for r in refs)


def trajectory_point(snap, refs: tuple[WeightRef, WeightRef]) -> tuple[float, float]:
    """The pair's values at the end of a snapshot's epoch."""
    return pair_values([layer.kernel for layer in snap.layers], refs)


def grid_reach(values: np.ndarray) -> float:
    """R of the ±R grid: the 1-2-5 step at least MARGIN × the largest |value| (so the axes change rarely)."""
    largest = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return ladder(ladder_index(MARGIN * largest))


def compute_landscape(trainer, refs: tuple[WeightRef, WeightRef], grid: int = DEFAULT_GRID,
                      around: np.ndarray | None = None) -> Landscape:
    """The landscape over a grid×grid square covering 0, the pair's current values and ``around`` (a (T, 2)
    trajectory so far), symmetric about 0. A weight the network does not have raises SpecError."""
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)) or not MIN_GRID <= grid <= MAX_GRID:
        raise SpecError(f"{grid!r} is out of range [{MIN_GRID}, {MAX_GRID}] (grid points per axis)", field="grid")
    if refs[0] == refs[1]:
        raise SpecError(f"{refs[0].text} is named twice; choose two different weights", field="weights")
    kernels = [layer.kernel.numpy() for layer in trainer.net.dense]
    check_weight_refs(refs, [k.shape for k in kernels], where="weights")
    current = pair_values(kernels, refs)
    shown = np.concatenate([np.reshape(current, (1, 2)), np.zeros((1, 2)),
                            np.reshape(around, (-1, 2)) if around is not None else np.zeros((0, 2))])
    axis = np.linspace(-1.0, 1.0, grid) * grid_reach(shown)
    axis[grid // 2] = 0.0 if grid % 2 else axis[grid // 2]  # exactly 0, not 1e-17
    aa, bb = np.meshgrid(axis, axis)  # rows follow b, columns follow a
    data_loss, penalty = _graph_for(trainer, refs).evaluate(np.stack([aa.ravel(), bb.ravel()], axis=1), refs)
    return Landscape(refs, axis.copy(), axis.copy(), data_loss.reshape(grid, grid), penalty.reshape(grid, grid),
                     current)


# --------------------------------------------------------------------------- the graph

_GRAPHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # trainer → {structure: _LandscapeGraph}


def _graph_for(trainer, refs) -> _LandscapeGraph:
    first, second = refs
    same_column = first.layer == second.layer and first.column == second.column
    key = (first.layer, second.layer, same_column)
    graphs = _GRAPHS.setdefault(trainer, {})
    if key not in graphs:  # holds the trainer's model and data, never the trainer (the cache's key)
        graphs[key] = _LandscapeGraph(trainer.net, trainer.exp, trainer.data, trainer.loss_fn, key)
    return graphs[key]


@dataclass
class _Change:
    """How a layer's values differ from their base values (rows × units) at each grid point: ``vals`` holds the
    columns ``cols`` per grid point (G, rows, k), or every column (G, rows, units) when ``cols`` is None."""

    cols: tf.Tensor | None
    vals: tf.Tensor

    def full(self, base):
        """Every column per grid point (G, rows, units)."""
        if self.cols is None:
            return self.vals
        units = base.shape[-1]
        diff = self.vals - tf.gather(base, self.cols, axis=1)[None]
        return base[None] + tf.tensordot(diff, tf.one_hot(self.cols, units), axes=1)

    def apply(self, fn):
        """An elementwise function of (values, their columns) applied to the changed values."""
        return _Change(self.cols, fn(self.vals, self.cols))


class _LandscapeGraph:
    """The data loss and the penalty for many values of one pair, in one tf.function (see the module's text)."""

    def __init__(self, net, exp, data, loss_fn, key):
        self.net, self.loss_fn = net, loss_fn
        self.layers_of_pair = key[:2]
        self.same_column = key[2]
        self.classic = exp.network.dropout_style == "classic"
        self.activations = [keras.activations.get(h.activation) for h in exp.network.hidden]
        self.x = tf.constant(data.x_train, tf.float32)
        self.y = tf.constant(data.y_train, tf.float32)
        self.widest = max(int(layer.kernel.shape[1]) for layer in net.dense)
        self._fn = tf.function(self._losses, autograph=False, input_signature=[
            tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([4], tf.int32)])

    def evaluate(self, pairs: np.ndarray, refs) -> tuple[np.ndarray, np.ndarray]:
        """(data loss, penalty) at each row of ``pairs`` (G, 2), in as few calls as memory allows (one for the
        default preset's 41 × 41)."""
        index = tf.constant([refs[0].row, refs[0].column, refs[1].row, refs[1].column], tf.int32)
        chunk = max(1, CHUNK_FLOATS // (int(self.x.shape[0]) * self.widest))
        parts = [self._fn(tf.constant(pairs[at: at + chunk], tf.float32), index)
                 for at in range(0, len(pairs), chunk)]
        return tuple(np.concatenate([p[k].numpy() for p in parts]).astype(np.float64) for k in range(2))

    # ---- one call
    def _losses(self, pairs, index):
        perts = self._perturbations(pairs, index)
        x, change = self._input(), None
        activity = []
        dense = self.net.dense
        for i, layer in enumerate(dense[:-1]):
            z, z_change = self._dense(layer, x, change, perts.get(i, []))
            x, change, layer_activity = self._hidden_post(i, z, z_change, tf.shape(pairs)[0])
            activity.append(layer_activity)
        z, z_change = self._dense(dense[-1], x, change, perts.get(len(dense) - 1, []))
        pred = dense[-1].activation(z_change.full(z))
        target = tf.broadcast_to(self.y[None], tf.shape(pred))
        data_loss = tf.reduce_mean(self.loss_fn.call(target, pred), axis=1)
        return data_loss, self._weight_penalty(pairs, index) + sum(activity, tf.zeros_like(data_loss))

    def _perturbations(self, pairs, index):
        """Per layer: (row, column, Δ per grid point) of each weight of the pair in it."""
        perts: dict[int, list] = {}
        for p, layer in enumerate(self.layers_of_pair):
            row, column = index[2 * p], index[2 * p + 1]
            delta = pairs[:, p] - self.net.dense[layer].kernel[row, column]
            perts.setdefault(layer, []).append((row, column, delta))
        return perts

    def _input(self):
        """The inputs as the first Dense layer sees them at evaluation (noise off; classic dropout scales)."""
        drop = self.net.dropout[0]
        return self.x * (1.0 - drop.rate) if self.classic else self.x

    def _dense(self, layer, x, change, perts):
        """A Dense layer's pre-activations: base (rows, units) and their change per grid point."""
        z = tf.matmul(x, layer.kernel) + layer.bias
        if change is None and not perts:
            return z, None
        if change is None:  # only the pair's columns change: base value + Δ·x_row
            cols = tf.stack([perts[0][1]] if self.same_column else [c for _, c, _ in perts])
            vals = tf.gather(z, cols, axis=1)[None]
            for k, (row, _, delta) in enumerate(perts):
                at = tf.one_hot(0 if self.same_column else k, len(perts) - self.same_column)
                vals += (delta[:, None] * x[None, :, row])[..., None] * at
            return z, _Change(cols, vals)
        if change.cols is not None and not perts:  # a rank-k update of the base
            diff = change.vals - tf.gather(x, change.cols, axis=1)[None]
            return z, _Change(None, z[None] + tf.tensordot(diff, tf.gather(layer.kernel, change.cols), axes=1))
        x_full = change.full(x)
        vals = tf.tensordot(x_full, layer.kernel, axes=1) + layer.bias
        for row, column, delta in perts:
            vals += (delta[:, None] * tf.gather(x_full, row, axis=2))[..., None] * tf.one_hot(column, z.shape[-1])
        return z, _Change(None, vals)

    def _hidden_post(self, i, z, change, points):
        """Hidden layer i after its Dense: (output base, its change, the activity penalty per grid point)."""
        dense, bn = self.net.dense[i], self.net.batch_norms[i]
        drop = self.net.dropout[i + 1]

        def seen(values, cols):  # what the activity penalty sees: the Dense layer's own output
            return dense.activation(values)

        def output(values, cols):
            if bn is not None:
                params = [bn.moving_mean, bn.moving_variance, bn.beta, bn.gamma]
                if cols is not None:
                    params = [tf.gather(p, cols) for p in params]
                values = self.activations[i](tf.nn.batch_normalization(values, *params, bn.epsilon))
            return values * (1.0 - drop.rate) if self.classic else values

        h = seen(z, None)
        h_change = None if change is None else change.apply(seen)
        activity = self._activity(self.net.regularizers[i]["activity"], h, h_change, points)
        out = output(h, None)
        return out, None if h_change is None else h_change.apply(output), activity

    def _activity(self, reg, h, change, points):
        """The activity penalty on the training rows (divided by their number, as Keras 3.15), per grid point."""
        rows = tf.cast(tf.shape(h)[0], tf.float32)

        def per_point():
            total = _elementwise(reg, h)
            if change is None:
                return tf.fill([points], tf.reduce_sum(total) / rows)
            if change.cols is None:
                return tf.reduce_sum(_elementwise(reg, change.vals), axis=[1, 2]) / rows
            base = tf.reduce_sum(total) - tf.reduce_sum(tf.gather(total, change.cols, axis=1))
            return (base + tf.reduce_sum(_elementwise(reg, change.vals), axis=[1, 2])) / rows

        return tf.cond(tf.logical_and(reg.l1 == 0, reg.l2 == 0), lambda: tf.zeros([points]), per_point)

    def _weight_penalty(self, pairs, index):
        """Every kernel and bias penalty with the pair set: each kernel's penalty without the pair's weights
        (set to 0, where L1 and L2 are 0), plus the pair's own terms."""
        total = tf.zeros([])
        pair_at = {}
        for p, layer in enumerate(self.layers_of_pair):
            pair_at.setdefault(layer, []).append(tf.stack([index[2 * p], index[2 * p + 1]]))
        for i, (layer, regs) in enumerate(zip(self.net.dense, self.net.regularizers, strict=True)):
            kernel = layer.kernel
            if i in pair_at:
                at = tf.stack(pair_at[i])
                kernel = tf.tensor_scatter_nd_update(kernel, at, tf.zeros([len(pair_at[i])]))
            total += _penalty(regs["kernel"], kernel) + _penalty(regs["bias"], layer.bias)
        own = [_elementwise(self.net.regularizers[layer]["kernel"], pairs[:, p])
               for p, layer in enumerate(self.layers_of_pair)]
        return total + own[0] + own[1]


def _penalty(reg, x):
    return tf.zeros([]) if reg is None else reg(x)


def _elementwise(reg, x):
    """l1·|x| + l2·x² per element (0 without a regularizer): Keras' L1L2 before its sum."""
    if reg is None:
        return tf.zeros_like(x)
    return reg.l1 * tf.abs(x) + reg.l2 * tf.square(x)
