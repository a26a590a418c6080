"""What the loss-landscape view draws besides the loss itself, from the spec alone (numpy, no Qt): the penalty's
level set through the current point, the max-norm bound, and the names of the two weights.

The penalty of one kernel weight w under Keras' L1L2 is l1·|w| + l2·w² (engine/spec/parts.py's Regularizer, no ½).
With every other weight fixed, the level set of the network's penalty through the pair's current values (a₀, b₀)
is the curve

    l1ₐ·|a| + l2ₐ·a² + l1_b·|b| + l2_b·b² = P₀,   P₀ the same sum at (a₀, b₀),

centred at 0: the L1 diamond |a| + |b| = r, the L2 circle a² + b² = r², elastic net's rounded diamond between them
(ESL Fig. 3.11). Along each direction (cos θ, sin θ) its radius solves a quadratic, so it is drawn exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.spec import Experiment, WeightRef

ANGLES = 721  # points of a level set; θ = k·π/180 / 2 includes the diamond's corners on the axes exactly
NO_END = np.nan  # separates the pieces of a NaN-connected curve


@dataclass(frozen=True)
class Coefficients:
    """l1 and l2 of the kernel regularizer on one weight's layer (0, 0: none)."""

    l1: float = 0.0
    l2: float = 0.0

    def penalty(self, w: float | np.ndarray) -> float | np.ndarray:
        return self.l1 * np.abs(w) + self.l2 * np.square(w)

    @property
    def kind(self) -> str:
        return {(True, True): "elastic net", (True, False): "L1", (False, True): "L2"}.get(
            (self.l1 > 0, self.l2 > 0), "none")


def coefficients(exp: Experiment, weight: WeightRef) -> Coefficients:
    """The kernel regularizer's l1 and l2 on ``weight``'s layer (hidden layers, then the output layer)."""
    hidden = exp.network.hidden
    layer = hidden[weight.layer] if weight.layer < len(hidden) else exp.network.output
    reg = layer.kernel_regularizer
    return Coefficients(reg.l1, reg.l2) if reg is not None else Coefficients()


def level_set(ca: Coefficients, cb: Coefficients, current: tuple[float, float],
              far: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) of the closed curve ca(a) + cb(b) = ca(a₀) + cb(b₀) through ``current``, cut (NaN) where it is
    farther than ``far`` from 0 (a weight without a penalty: that part of the set is two straight lines, going
    on for ever); empty when no penalty applies or the current point is the origin."""
    level = float(ca.penalty(current[0]) + cb.penalty(current[1]))
    if level <= 0.0:
        return np.zeros(0), np.zeros(0)
    theta = np.linspace(0.0, 2.0 * np.pi, ANGLES)
    c, s = np.cos(theta), np.sin(theta)
    c[np.abs(c) < 1e-12], s[np.abs(s) < 1e-12] = 0.0, 0.0  # exact corners: cos(π/2) is 6e-17, not 0
    quadratic = ca.l2 * c * c + cb.l2 * s * s  # the radius r solves quadratic·r² + linear·r = level
    linear = ca.l1 * np.abs(c) + cb.l1 * np.abs(s)
    with np.errstate(divide="ignore", invalid="ignore"):
        radius = np.where(quadratic > 0, 2 * level / (linear + np.sqrt(linear * linear + 4 * quadratic * level)),
                          level / linear)
    radius[~(np.isfinite(radius) & (radius <= far))] = NO_END
    return radius * c, radius * s


def max_norm_bound(exp: Experiment, pair: tuple[WeightRef, WeightRef],
                   far: float = 1e6) -> tuple[np.ndarray, np.ndarray, str]:
    """(a, b, words) of what max-norm allows the pair (NaN-separated pieces, lines reaching ``far`` from 0; empty
    without max-norm): the words finish "max-norm keeps the pair …".

    Max-norm keeps each unit's incoming weights within length c: two weights into the same unit stay inside the
    disc a² + b² ≤ c² (the unit's other weights take some of it), any one weight within ±c.
    """
    first, second = pair
    ca, cb = (_max_norm(exp, w) for w in pair)
    if ca is None and cb is None:
        return np.zeros(0), np.zeros(0), ""
    if first.layer == second.layer and first.column == second.column:
        theta = np.linspace(0.0, 2.0 * np.pi, ANGLES)
        return (ca * np.cos(theta), ca * np.sin(theta),
                f"inside the circle of radius {ca:g} (a unit's incoming weights have length ≤ {ca:g})")
    xs, ys = [], []  # a bound on one weight alone is a pair of lines across the plane
    for c, vertical in ((ca, True), (cb, False)):
        if c is not None:
            for side in (-c, c):
                ends = np.array([side, side, NO_END]), np.array([-far, far, NO_END])
                xs.append(ends[0] if vertical else ends[1])
                ys.append(ends[1] if vertical else ends[0])
    bounds = " and ".join(f"|{name}| ≤ {c:g}" for name, c in (("a", ca), ("b", cb)) if c is not None)
    return (np.concatenate(xs), np.concatenate(ys),
            f"within {bounds} (a unit's incoming weights have length ≤ c, so no single weight exceeds c)")


def _max_norm(exp: Experiment, weight: WeightRef) -> float | None:
    hidden = exp.network.hidden
    return hidden[weight.layer].max_norm if weight.layer < len(hidden) else None


def unit_name(layer: int, index: int, hidden_layers: int, feature_names: list[str] | None = None) -> str:
    """Unit ``index`` (from 0) of the units layer ``layer`` (0 = the inputs, then hidden layers, then the outputs)
    as the view names it: "in 1", "in 3 (age)" (a named feature), "h2 unit 5", "out 2"."""
    if layer == 0:
        named = feature_names is not None and index < len(feature_names) and feature_names[index] != f"x{index + 1}"
        return f"in {index + 1}" + (f" ({feature_names[index]})" if named else "")
    if layer <= hidden_layers:
        return f"h{layer} unit {index + 1}"
    return f"out {index + 1}"


def weight_name(weight: WeightRef, hidden_layers: int, feature_names: list[str] | None = None,
                outputs: int = 1) -> str:
    """ "w[in 1 → h1 unit 3]": the unit the weight comes from and the unit it goes to."""
    source = unit_name(weight.layer, weight.row, hidden_layers, feature_names)
    target = "out" if weight.layer == hidden_layers and outputs == 1 else unit_name(weight.layer + 1, weight.column,
                                                                                      hidden_layers)
    return f"w[{source} → {target}]"
