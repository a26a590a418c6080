"""The live run's vocabulary as the window uses it: the states, commands and published updates of the engine
(engine/live/vocabulary.py, shared with the engine process), and how the window words a study setting's error."""

from __future__ import annotations

from engine.live.live_engine import SETTING_NAMES, study_setting_error
from engine.live.vocabulary import COALESCED, NO_MODEL, STUCK, Command, State, Status, Updates

__all__ = ["COALESCED", "NO_MODEL", "STUCK", "SETTING_NAMES", "Command", "State", "Status", "Updates",
           "setting_error"]

setting_error = study_setting_error
