"""The names the loss-landscape view gives units and weights (its axis labels, the picker's boxes, the caption).
The shapes drawn over the landscape are engine/training/landscape_geometry.py's, shared with the PNG."""

from __future__ import annotations

from engine.spec import WeightRef


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
