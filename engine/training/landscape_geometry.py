"""The shapes drawn over a loss landscape: the penalty's level set through the pair's current point and the region a
max-norm constraint allows. Plain numpy from the spec and the kernels (no TensorFlow), for the window's dock
(gui/live/landscape_view.py) and the `landscape` command's PNG (engine/studies/landscape_plot.py).

With the other weights fixed, the kernel penalty's part that depends on the pair (a, b) is
r_a(a) + r_b(b), r(w) = l1·|w| + l2·w² with each weight's layer's λ (Keras' L1L2, no ½). Its level set through the
current point is L1's diamond |a| + |b| = const, L2's circle a² + b² = const, or elastic net's rounded diamond
(ESL Fig. 3.11); along each ray its radius solves a quadratic, so it is drawn exactly. When one weight has no
penalty the set is not closed: two straight lines (a = ±a₀ under L2 on a alone), going on for ever.

Max-norm c bounds each unit's incoming weight vector ‖W[:, j]‖ ≤ c. Two weights of the same unit (column) share
that bound: with the column's other weights as they are, a² + b² ≤ c² − (their Σw²), a disc. A weight of another
unit, or of another layer, is bounded on its own, a² ≤ c² − (the rest of its column's Σw²): a rectangle when both
weights are bounded, a band between two lines when only one is.

Shapes come as (K, 2) rows (a, b); a row of NaN separates the pieces of an open shape, and nothing is drawn
farther than ``far`` from 0 (a Qt pen draws a very long dashed line solid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.spec import Experiment, Regularizer, WeightRef

POINTS = 721  # points of a drawn curve: θ = k·π/360 puts points on the axes, where the diamond has its corners
FAR = 1e6  # farther than any landscape's grid reaches


@dataclass(frozen=True)
class PairPenalty:
    """λ of each weight's kernel penalty: ``l1[0]``, ``l2[0]`` for the first weight, ``l1[1]``, ``l2[1]`` for the
    second."""

    l1: tuple[float, float]
    l2: tuple[float, float]

    def __call__(self, a, b):
        """r_a(a) + r_b(b), elementwise over arrays."""
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        return self.l1[0] * np.abs(a) + self.l2[0] * a * a + self.l1[1] * np.abs(b) + self.l2[1] * b * b

    @property
    def kinds(self) -> tuple[str, str]:
        """Each weight's penalty: "L1", "L2", "L1+L2" (elastic net) or "none"."""
        return tuple(Regularizer(l1, l2).kind for l1, l2 in zip(self.l1, self.l2, strict=True))

    @property
    def name(self) -> str:
        """The kind both weights' layers share ("L1", "L2", "L1+L2", "none"), else "mixed"."""
        first, second = self.kinds
        return first if first == second else "mixed"

    @property
    def same(self) -> bool:
        """Both weights carry the same λ (the level set is symmetric in a and b)."""
        return self.l1[0] == self.l1[1] and self.l2[0] == self.l2[1]


def kernel_regularizer(exp: Experiment, layer: int) -> Regularizer | None:
    """The kernel penalty of Dense layer ``layer`` (hidden layers, then the output layer)."""
    hidden = exp.network.hidden
    return hidden[layer].kernel_regularizer if layer < len(hidden) else exp.network.output.kernel_regularizer


def pair_penalty(exp: Experiment, refs: tuple[WeightRef, WeightRef]) -> PairPenalty:
    regs = [kernel_regularizer(exp, r.layer) or Regularizer() for r in refs]
    return PairPenalty((regs[0].l1, regs[1].l1), (regs[0].l2, regs[1].l2))


def level_set(penalty: PairPenalty, current: tuple[float, float], far: float = FAR,
              points: int = POINTS) -> np.ndarray | None:
    """The curve r_a(a) + r_b(b) = its value at ``current``, as (points, 2) rows (a, b), NaN where it is farther
    than ``far`` from 0 (a weight without a penalty: the set is then two lines); None when neither weight has a
    penalty or the current point is where the penalty is 0."""
    level = float(penalty(*current))
    if level <= 0:
        return None
    c, s = _ray_directions(points)
    # along the ray t·(cos θ, sin θ): quadratic·t² + linear·t = level, solved without cancellation
    quadratic = penalty.l2[0] * c * c + penalty.l2[1] * s * s
    linear = penalty.l1[0] * np.abs(c) + penalty.l1[1] * np.abs(s)
    with np.errstate(divide="ignore", invalid="ignore"):
        radius = 2 * level / (linear + np.sqrt(linear * linear + 4 * quadratic * level))
    radius[~(np.isfinite(radius) & (radius <= far))] = np.nan  # the unpenalized weight's axis: no end
    return np.column_stack([radius * c, radius * s])


def _ray_directions(points: int) -> tuple[np.ndarray, np.ndarray]:
    theta = np.linspace(0.0, 2 * math.pi, points)
    c, s = np.cos(theta), np.sin(theta)
    c[np.abs(c) < 1e-12], s[np.abs(s) < 1e-12] = 0.0, 0.0  # exact corners: cos(π/2) is 6e-17, not 0
    return c, s


@dataclass(frozen=True)
class MaxNormRegion:
    """What max-norm allows the pair, the other weights as they are.

    "disc": a² + b² ≤ c[0]² − rest[0] (both weights into one unit; ``c`` and ``rest`` repeat for the second);
    "rectangle": a² ≤ c[0]² − rest[0] and b² ≤ c[1]² − rest[1]; "band": one of those, the other weight's entries
    None. ``rest`` is the Σw² of the unit's other incoming weights; ``boundary`` the shape's edge as (K, 2) rows.
    """

    kind: str
    boundary: np.ndarray
    c: tuple[float | None, float | None]
    rest: tuple[float | None, float | None]

    @property
    def room(self) -> tuple[float | None, float | None]:
        """c² − rest for each weight (0 when the rest already has the whole length)."""
        return tuple(None if c is None else _room(c, r) for c, r in zip(self.c, self.rest, strict=True))


def max_norm(exp: Experiment, weight: WeightRef) -> float | None:
    """The max-norm c of ``weight``'s layer (None: none; the output layer has none)."""
    hidden = exp.network.hidden
    return hidden[weight.layer].max_norm if weight.layer < len(hidden) else None


def max_norm_region(exp: Experiment, refs: tuple[WeightRef, WeightRef], kernels: list[np.ndarray],
                    far: float = FAR, points: int = POINTS) -> MaxNormRegion | None:
    """The region the layers' max-norm allows the pair, the other weights as in ``kernels`` (Dense kernels:
    hidden layers, then the output layer); lines of a band reach ``far`` from 0. None without max-norm on either
    weight."""
    c = tuple(max_norm(exp, ref) for ref in refs)
    if c == (None, None):
        return None
    first, second = refs
    if first.layer == second.layer and first.column == second.column:
        rest = _column_rest(kernels, first, second)
        radius = math.sqrt(_room(c[0], rest))
        cos, sin = _ray_directions(points)
        return MaxNormRegion("disc", np.column_stack([radius * cos, radius * sin]), c, (rest, rest))
    rest = tuple(None if cap is None else _column_rest(kernels, ref) for cap, ref in zip(c, refs, strict=True))
    ra, rb = (None if cap is None else math.sqrt(_room(cap, r)) for cap, r in zip(c, rest, strict=True))
    return MaxNormRegion("rectangle" if None not in c else "band", _box(ra, rb, far), c, rest)


def _room(c: float, rest: float) -> float:
    return max(c * c - rest, 0.0)


def _column_rest(kernels: list[np.ndarray], *weights: WeightRef) -> float:
    """Σw² of the column of ``weights[0]`` without the weights named."""
    column = np.asarray(kernels[weights[0].layer], np.float64)[:, weights[0].column]
    others = np.ones(len(column), bool)
    others[[w.row for w in weights]] = False
    return float(np.square(column[others]).sum())


def _box(ra: float | None, rb: float | None, far: float) -> np.ndarray:
    """The rectangle |a| ≤ ra, |b| ≤ rb; with one half-width None, the two lines bounding the other weight."""
    if ra is not None and rb is not None:
        return np.array([[-ra, -rb], [ra, -rb], [ra, rb], [-ra, rb], [-ra, -rb]])
    gap = [np.nan, np.nan]
    if rb is None:  # a alone is bounded: the vertical lines a = ±ra
        return np.array([[-ra, -far], [-ra, far], gap, [ra, -far], [ra, far]])
    return np.array([[-far, -rb], [far, -rb], gap, [-far, rb], [far, rb]])
