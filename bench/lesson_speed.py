"""How long each classroom lesson takes to train headless, and its study (goal: under a minute each).

Trains every lesson in resources/presets/lessons/ to its epoch limit with the engine alone (snapshots and the
decision grid every epoch, as the window gets them) and runs its study (comparison, sweep, path or
cross-validation) if it has one, as the lesson's button does. The window trains at 70-90 % of the engine's speed
(bench/gui_speed.py), so a lesson that takes 10 s here takes 11-15 s in class.

Run: `make bench` or `.venv/bin/python bench/lesson_speed.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 60.0


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from engine.spec import load_experiment, parse_values
    from engine.studies.study import (
        classic_variants,
        lesson_variants,
        run_compare,
        run_cv_study,
        run_path_study,
        run_sweep_study,
    )
    from engine.training.trainer import Trainer

    Trainer(load_experiment(ROOT / "resources" / "presets" / "default.json")).step()  # TensorFlow warm
    worst = 0.0
    print(f"{'lesson':<44} {'epochs':>6} {'train s':>8} {'epochs/s':>9} {'study s':>8}")
    for path in sorted((ROOT / "resources" / "presets" / "lessons").glob("*.json")):
        exp = load_experiment(path)
        start = time.perf_counter()
        trainer = Trainer(exp)
        trainer.run()
        train_s = time.perf_counter() - start
        study_s = 0.0
        study = exp.lesson.study if exp.lesson else None
        if study:
            start = time.perf_counter()
            if study["kind"] == "compare":  # the lesson's own variants, else the classic set (as its button does)
                run_compare(lesson_variants(exp, study["variants"]) if "variants" in study else classic_variants(exp))
            elif study["kind"] == "cv":
                run_cv_study(exp, study["folds"])
            elif study["kind"] == "path":
                run_path_study(exp, study["param"], parse_values(study["values"]), study.get("folds", 0),
                               study["seeds"])
            else:  # a sweep, of one field or two
                second = ({"path2": study["param2"], "values2": parse_values(study["values2"])}
                          if "param2" in study else {})
                run_sweep_study(exp, study["param"], parse_values(study["values"]), study["seeds"], **second)
            study_s = time.perf_counter() - start
        worst = max(worst, train_s, study_s)
        print(f"{path.stem:<44} {trainer.epoch:>6} {train_s:>8.1f} {trainer.epoch / train_s:>9.0f} "
              f"{study_s if study else float('nan'):>8.1f}")
    verdict = "met" if worst <= GOAL_SECONDS else "NOT met"
    print(f"slowest lesson or study: {worst:.1f} s (goal <= {GOAL_SECONDS:.0f} s: {verdict})")


if __name__ == "__main__":
    main()
