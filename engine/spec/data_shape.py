"""The shape of a toy data set, known from its name without making it: what the window draws before the data
arrives from the engine (the network's inputs and outputs), so that the data's arrival redraws nothing."""

from __future__ import annotations

from engine.spec.limits import TOY_SETS
from engine.spec.parts import Data

#: toy sets with other than two features (engine/data/bundled.py makes them)
TOY_FEATURES = {"tabular": 10}


def known_shape(data: Data) -> tuple[int, int, list[str]] | None:
    """(features, outputs, feature names) of a toy set — one output: a binary class or a regression target — or
    None when only loading the data tells (scikit-learn's sets, CSV files)."""
    if data.kind != "toy" or data.name not in TOY_SETS:
        return None
    features = TOY_FEATURES.get(data.name, 2)
    return features, 1, [f"x{i + 1}" for i in range(features)]
