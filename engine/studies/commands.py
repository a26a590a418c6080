"""The study commands of the command line — ``cv``, ``sweep`` (one field or two) and ``path`` — and what they
share: ``--jobs`` / ``--backend`` / ``--address`` (engine/studies/runner.py), a progress bar on the terminal, and
files that appear only when the study is complete.

A study stopped by Ctrl+C (or one that fails) writes nothing: its files are written into a hidden folder beside the
output folder and moved in only once every one of them is written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from engine.out_folder import default_out
from engine.spec import Experiment, SpecError, load_experiment, parse_values, set_path


def add_runner_flags(parser) -> None:
    parser.add_argument("--jobs", type=int, default=1,
                        help="trainings at the same time, each in its own process (default 1; the results are the "
                             "same for any number; with --backend ray the cluster's CPUs decide)")
    parser.add_argument("--backend", choices=("processes", "ray"), default="processes",
                        help="where the trainings run: worker processes on this machine (default) or a Ray cluster "
                             "(pip install -e '.[cluster]')")
    parser.add_argument("--address", help="with --backend ray: the cluster's head, HOST:6379 (default: start a "
                                          "local cluster)")


@contextlib.contextmanager
def study_runner(args):
    """The runner the flags ask for, closed (its processes ended) whatever happens."""
    from engine.studies.choose_runner import make_runner

    runner = make_runner(args.jobs, args.backend, args.address)
    try:
        yield runner
    finally:
        runner.close()


@contextlib.contextmanager
def complete_files(out: Path):
    """A hidden folder to write the study's files in; they move into ``out`` only when the block ends without an
    error, so a stopped or failed study leaves no file that looks complete."""
    out.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=".writing-", dir=out))
    try:
        yield partial
        for f in sorted(partial.iterdir()):
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


class StudyBar:
    """``███░░░ 5/16 trainings · 2 at once · 340 epochs · 12 s`` on a terminal (stderr); silent when not one."""

    WIDTH = 24

    def __init__(self, total: int, workers: int, enabled: bool | None = None):
        self.total, self.workers = total, workers
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.done = self.epochs = 0
        self.start = time.perf_counter()
        self.last_draw = 0.0

    def epoch(self, *_args) -> None:
        self.epochs += 1
        self._draw()

    def finished(self, *_args) -> None:
        self.done += 1
        self._draw(force=True)

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (not force and now - self.last_draw < 0.1):
            return
        self.last_draw = now
        filled = int(self.WIDTH * self.done / max(self.total, 1))
        at_once = f" · {self.workers} at once" if self.workers > 1 else ""
        sys.stderr.write(f"\r{'█' * filled}{'░' * (self.WIDTH - filled)} {self.done}/{self.total} trainings"
                         f"{at_once} · {self.epochs} epochs · {now - self.start:.0f} s ")
        sys.stderr.flush()

    def line(self, text: str) -> None:
        """A result line on stdout, the bar drawn again under it."""
        if self.enabled:
            sys.stderr.write("\r\033[K")
        print(text, flush=True)
        self._draw(force=True)

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def cv_command(args) -> int:
    from engine.studies.crossval import cross_validate, write_results

    exp = load_experiment(args.experiment)
    out = default_out(args, "-cv")
    with study_runner(args) as runner:
        bar = StudyBar(args.folds, runner.workers)

        def progress(fold):
            text = ", ".join(f"{k} {v:.4f}" for k, v in fold.scores.items())
            bar.finished()
            bar.line(f"fold {fold.fold}/{args.folds}: train {fold.train_size}, test {fold.test_size}: {text}")

        try:
            cv = cross_validate(exp, args.folds, on_fold=progress, on_epoch=bar.epoch, runner=runner)
        finally:
            bar.close()
    with complete_files(out) as partial:
        write_results(cv, partial)
    final = cv.final_scores()
    others = ", ".join(f"{k} {v:.4f}" for k, v in final.items() if k != "rmse")
    print(f"wrote {out / 'folds.csv'} and {out / 'oos_predictions.csv'}" + (f"; out of sample {others}" if others
                                                                         else ""))
    print(f"Final, out of sample score (RMSE): {cv.final_rmse:.6g}")
    return 0


def sweep_command(args) -> int:
    from engine.studies.sweep import best_value, plot_validation_curve, run_sweep, write_csv

    exp = load_experiment(args.experiment)
    if len(args.param) > 2 or len(args.values) != len(args.param):
        raise SpecError(f"{len(args.param)} --param and {len(args.values)} --values: a sweep takes one or two "
                        "fields, each --param followed by its --values")
    if len(args.param) == 2:
        return _sweep_grid(args, exp)
    args.param, values = args.param[0], parse_values(args.values[0])
    set_path(exp, args.param, values[0])  # a bad path fails before any data loads
    out = default_out(args, "-sweep")
    tested = []  # the chosen value's score on the test rows, when the data has test rows (data.test)
    with study_runner(args) as runner:
        bar = StudyBar(len(values) * args.seeds, runner.workers)

        def progress(row):
            bar.finished()
            bar.line(f"{args.param} = {row.value:g} (seed {row.seed}): final train {row.final_train:.4f}, "
                     f"validation {row.final_val:.4f}, best validation {row.best_val:.4f} at epoch {row.best_epoch}")

        try:
            rows = run_sweep(exp, args.param, values, args.seeds, on_row=progress, on_test_score=tested.append,
                             on_epoch=bar.epoch, runner=runner)
        finally:
            bar.close()
    metric = rows[0].metric
    with complete_files(out) as partial:
        write_csv(rows, partial / "sweep.csv", metric)
        plot_validation_curve(rows, partial / "validation_curve.png", args.param, metric)
        for score in tested:
            score.write_csv(partial / "test_score.csv")
    print(f"wrote {out / 'sweep.csv'} and {out / 'validation_curve.png'}"
          + (f" and {out / 'test_score.csv'}" if tested else ""))
    print(f"Best {args.param}: {best_value(rows):g} (lowest mean final validation loss)")
    for score in tested:
        print(score.sentence())
    return 0


def _sweep_grid(args, exp: Experiment) -> int:
    from engine.studies.sweep_grid import best_sentence, plot_heatmap, run_sweep_grid, write_grid_csv

    paths, lists = tuple(args.param), tuple(parse_values(v) for v in args.values)
    if paths[0] == paths[1]:
        raise SpecError(f"--param: {paths[0]!r} given twice; a two-field sweep needs two different fields")
    for path, values in zip(paths, lists, strict=True):  # a bad path fails before any data loads
        try:
            set_path(exp, path, values[0])
        except SpecError as exc:
            raise SpecError(f"--param: {path!r}: {exc}" if exc.field == "param" else f"--{exc.field}: {exc}"
                            if exc.field else str(exc)) from None
    out = default_out(args, "-sweep")
    tested = []
    with study_runner(args) as runner:
        bar = StudyBar(len(lists[0]) * len(lists[1]) * args.seeds, runner.workers)

        def progress(row):
            bar.finished()
            bar.line(f"{paths[0]} = {row.value_1:g}, {paths[1]} = {row.value_2:g} (seed {row.seed}): final train "
                     f"{row.final_train:.4f}, validation {row.final_val:.4f}, best validation {row.best_val:.4f} at "
                     f"epoch {row.best_epoch}")

        try:
            rows = run_sweep_grid(exp, paths, lists, args.seeds, on_row=progress, on_test_score=tested.append,
                                  on_epoch=bar.epoch, runner=runner)
        finally:
            bar.close()
    with complete_files(out) as partial:
        write_grid_csv(rows, partial / "sweep.csv", rows[0].metric)
        plot_heatmap(rows, partial / "heatmap.png", paths)
        for score in tested:
            score.write_csv(partial / "test_score.csv")
    print(f"wrote {out / 'sweep.csv'} and {out / 'heatmap.png'}" + (f" and {out / 'test_score.csv'}" if tested else ""))
    print(best_sentence(rows, paths))
    for score in tested:
        print(score.sentence())  # names the chosen pair too
    return 0


def path_command(args) -> int:
    from engine.studies.path import check_path, run_path, summarize, write_path_csv, write_summary_csv
    from engine.studies.path_plot import plot_path

    exp = load_experiment(args.experiment)
    values = parse_values(args.values)
    check_path(exp, args.param, values, args.folds, args.seeds)  # bad settings fail before any data loads
    out = default_out(args, "-path")
    with study_runner(args) as runner:
        bar = StudyBar(len(values) * args.seeds * max(args.folds, 1), runner.workers)

        def progress(run):
            fold = f", fold {run.fold}" if run.fold else ""
            text = ", ".join(f"{k} {v:.4f}" for k, v in run.scores.items())
            bar.finished()
            bar.line(f"{args.param} = {run.value:g} (seed {run.seed}{fold}): {text}")

        try:
            runs = run_path(exp, args.param, values, args.folds, args.seeds, on_run=progress, on_epoch=bar.epoch,
                            runner=runner)
        finally:
            bar.close()
    points = summarize(runs)
    with complete_files(out) as partial:
        write_path_csv(runs, partial / "path.csv")
        write_summary_csv(points, partial / "path_summary.csv")
        plot_path(runs, points, partial / "regularization_path.png", args.param)
    print(f"wrote {out / 'path.csv'}, {out / 'path_summary.csv'} and {out / 'regularization_path.png'}")
    return 0
