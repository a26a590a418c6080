"""Where the presets live and the experiment a new window opens on — light (no Qt), so that the engine can be
started on it before the window is built (gui/app.py)."""

from __future__ import annotations

from pathlib import Path

from engine.spec import Experiment, SpecError, load_experiment

PRESETS = Path(__file__).resolve().parents[1] / "resources" / "presets"
DEFAULT_PRESET = PRESETS / "default.json"


def default_experiment() -> Experiment:
    """The experiment a new session starts with (resources/presets/default.json, or the spec's defaults)."""
    try:
        return load_experiment(DEFAULT_PRESET)
    except SpecError:
        return Experiment()
