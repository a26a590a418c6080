"""Digits in the window: scikit-learn's bundled digits (1797 × 64, 10 classes), 64-32-10 with dropout.

Runs the real window (offscreen unless a display is set) at full speed with every view live for RUN_SECONDS
after the first epoch and prints its epochs/s (goal >= 50), then the engine alone on the same experiment in the
same process, and the ratio. The default preset's engine speed is measured too, to tell a busy machine from
a slow benchmark. The data has 64 features, so the decision view shows no grid (the engine makes
none) and the network view draws at most 32 neurons of a column.

Run: `make bench` or `.venv/bin/python bench/digits_speed.py [seconds]`.
"""

from __future__ import annotations

import json
import sys
import time

from _window_run import engine_epochs_per_s, open_window, print_result, run_child, show_and_play

RUN_SECONDS = 15.0
GOAL = 50.0  # epochs/s in the window
QUIET_DEFAULT_ENGINE = 306.0  # epochs/s of the engine alone on the default preset on a quiet VM (README)
LAYER = {"activation": "relu", "dropout": 0.2}
SPEC = {
    "reglab": 1, "name": "Digits 64-32-10, dropout",
    "data": {"kind": "sklearn", "name": "digits", "validation": 0.2, "seed": 0},
    "network": {"hidden": [{"units": 64, **LAYER}, {"units": 32, **LAYER}]},
    "training": {"optimizer": "adam", "learning_rate": 0.001, "batch_size": 32, "epochs": 1_000_000, "seed": 0},
}


def child(run_seconds: float) -> None:
    from PySide6.QtCore import QTimer

    from engine.spec import Experiment

    exp = Experiment.from_dict(SPEC)
    app, window = open_window(exp)
    result: dict = {}

    def check_first_epoch():
        if window.session.status.epoch and "start_epoch" not in result:
            poll.stop()
            result["start_epoch"], result["start"] = window.session.status.epoch, time.perf_counter()
            QTimer.singleShot(int(run_seconds * 1000), finish)

    def finish():
        window.render_loop.render()
        result["window_epochs_per_s"] = ((window.session.status.epoch - result["start_epoch"])
                                         / (time.perf_counter() - result["start"]))
        result["train_rows"] = len(window.boundary_view._dataset.x_train)
        window.close()
        app.quit()

    poll = QTimer()
    poll.timeout.connect(check_first_epoch)
    show_and_play(app, window, poll, 5)
    result["engine_epochs_per_s"] = engine_epochs_per_s(exp, min(run_seconds, 8.0))
    from gui.main_window import default_experiment  # how busy the machine is: the default preset, engine alone

    result["default_engine_epochs_per_s"] = engine_epochs_per_s(default_experiment(), 4.0)
    print_result(result)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else RUN_SECONDS
    r = run_child(__file__, str(seconds))
    window, engine = r["window_epochs_per_s"], r["engine_epochs_per_s"]
    verdict = "PASS" if window >= GOAL else "FAIL"
    print(f"platform: {r['platform']}; digits 1797×64 ({r['train_rows']} training rows, batch 32), 64-32-10 "
          f"with dropout 0.2, all views live, {seconds:.0f} s")
    print(f"epochs/s: window {window:.0f} (goal >= {GOAL:.0f}) {verdict}; engine alone {engine:.0f} "
          f"→ window/engine {window / engine:.0%}")
    load = QUIET_DEFAULT_ENGINE / r["default_engine_epochs_per_s"]
    print(f"machine: the default preset trains at {r['default_engine_epochs_per_s']:.0f} epochs/s here (engine alone), "
          f"{QUIET_DEFAULT_ENGINE:.0f} on a quiet VM: ×{load:.2f} would be ≈ {window * load:.0f} epochs/s quiet")
    print(json.dumps({"bench": "digits", "window_epochs_per_s": round(window, 1),
                      "engine_epochs_per_s": round(engine, 1), "ratio": round(window / engine, 3),
                      "goal": GOAL, "pass": window >= GOAL,
                      "default_engine_epochs_per_s": round(r["default_engine_epochs_per_s"], 1)}))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(float(sys.argv[2]))
    else:
        main()
