"""The shapes drawn over a loss landscape: the penalty's level set through the pair's current point and the region a
max-norm constraint allows. Plain numpy from the spec and the kernels (no TensorFlow), for the window and the PNG.

With the other weights fixed, the kernel penalty's part that depends on the pair (a, b) is
r_a(a) + r_b(b), r(w) = l1·|w| + l2·w² with each weight's layer's λ (Keras' L1L2, no ½). Its level set through the
current point is L1's diamond |a| + |b| = const, L2's circle a² + b² = const, or elastic net's rounded diamond.

Max-norm c bounds each unit's incoming weight vector ‖W[:, j]‖ ≤ c. Two weights of the same unit (column) share
that bound: with the column's other weights as they are, a² + b² ≤ c² − (their Σw²), a disc. Two weights of
different units of the layer are bounded each on its own, |a| ≤ √(c² − the rest of its column): a rectangle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.spec import Experiment, Regularizer, WeightRef

POINTS = 361  # points of a drawn closed curve


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
    def name(self) -> str:
        """"L1", "L2", "L1+L2" (elastic net) or "none": the kind both weights' layers share, else "mixed"."""
        kinds = {Regularizer(l1, l2).kind for l1, l2 in zip(self.l1, self.l2, strict=True)}
        return kinds.pop() if len(kinds) == 1 else "mixed"


def kernel_regularizer(exp: Experiment, layer: int) -> Regularizer | None:
    """The kernel penalty of Dense layer ``layer`` (hidden layers, then the output layer)."""
    hidden = exp.network.hidden
    return hidden[layer].kernel_regularizer if layer < len(hidden) else exp.network.output.kernel_regularizer


def pair_penalty(exp: Experiment, refs: tuple[WeightRef, WeightRef]) -> PairPenalty:
    regs = [kernel_regularizer(exp, r.layer) or Regularizer() for r in refs]
    return PairPenalty((regs[0].l1, regs[1].l1), (regs[0].l2, regs[1].l2))


def level_set(penalty: PairPenalty, current: tuple[float, float], points: int = POINTS) -> np.ndarray | None:
    """The closed curve r_a(a) + r_b(b) = its value at ``current``, as (points, 2) rows (a, b); None when a weight
    has no penalty (the level set is then not closed) or the current point is at 0."""
    level = float(penalty(*current))
    if level <= 0 or not all(l1 or l2 for l1, l2 in zip(penalty.l1, penalty.l2, strict=True)):
        return None
    theta = np.linspace(0.0, 2 * math.pi, points)
    c, s = np.cos(theta), np.sin(theta)
    # along the ray t·(cos θ, sin θ): A·t² + B·t = level
    quad = penalty.l2[0] * c * c + penalty.l2[1] * s * s
    lin = penalty.l1[0] * np.abs(c) + penalty.l1[1] * np.abs(s)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.where(quad > 0, (np.sqrt(lin * lin + 4 * quad * level) - lin) / (2 * quad), level / lin)
    return np.column_stack([root * c, root * s])


def max_norm_region(exp: Experiment, refs: tuple[WeightRef, WeightRef], kernels: list[np.ndarray],
                    points: int = POINTS) -> tuple[str, np.ndarray] | None:
    """("disc" or "rectangle", its boundary as (K, 2) rows (a, b)) the layer's max-norm c allows the pair, the other
    weights as in ``kernels``; None unless both weights are in one hidden layer that has a max-norm."""
    first, second = refs
    hidden = exp.network.hidden
    if first.layer != second.layer or first.layer >= len(hidden) or hidden[first.layer].max_norm is None:
        return None
    c = hidden[first.layer].max_norm
    kernel = np.asarray(kernels[first.layer], np.float64)
    if first.column == second.column:
        rest = float(np.square(kernel[:, first.column]).sum() - kernel[first.row, first.column] ** 2
                     - kernel[second.row, second.column] ** 2)
        radius = math.sqrt(max(c * c - rest, 0.0))
        theta = np.linspace(0.0, 2 * math.pi, points)
        return "disc", np.column_stack([radius * np.cos(theta), radius * np.sin(theta)])
    half = []
    for ref in refs:
        rest = float(np.square(kernel[:, ref.column]).sum() - kernel[ref.row, ref.column] ** 2)
        half.append(math.sqrt(max(c * c - rest, 0.0)))
    ra, rb = half
    return "rectangle", np.array([[-ra, -rb], [ra, -rb], [ra, rb], [-ra, rb], [-ra, -rb]])
