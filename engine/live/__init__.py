"""The live run: the engine the window trains with (live_engine.py), the process it runs in (engine_process.py) and
the window's end of that process (engine_link.py)."""
