"""The headless command line: ``python main.py run | validate | cv | sweep | export EXP.json``.

Bad input (missing file, bad JSON, invalid spec, bad CSV) prints one line on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from engine.out_folder import default_out
from engine.spec import (
    MAX_EPOCHS,
    OUTPUT_REGULARIZER_KINDS,
    REGULARIZER_KINDS,
    Experiment,
    SpecError,
    load_experiment,
)
from engine.studies.commands import add_runner_flags, cv_command, path_command, sweep_command
from engine.studies.runner import WorkerLost

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 1
EXIT_INTERRUPTED = 130  # as a shell reports a program ended by Ctrl+C

# The subcommands and their one-line descriptions, in the order `reglab --help` lists them (main.py reads them too).
COMMANDS = {
    "run": "train an experiment and write metrics.csv, experiment.json and model.keras",
    "validate": "check an experiment file (and its data) without training",
    "cv": "K-fold cross-validation: out-of-sample scores, one fresh model per fold",
    "sweep": "train for several values of one field (a validation curve) or pairs of two (a heat map)",
    "path": "the regularization path: every kernel weight against λ (or another field), one training per value",
    "landscape": "train and draw the loss landscape of two weights, with the penalty's level sets and their path",
    "export": "write the experiment as a standalone script (--keras)",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit 2, like every other bad input
        self.exit(EXIT_BAD_INPUT, f"reglab: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reglab", description="RegLab headless commands; with no command RegLab opens its window.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help=COMMANDS["run"])
    run.add_argument("experiment", help="experiment JSON file")
    run.add_argument("--epochs", type=int, help="train this many epochs instead of the file's training.epochs")
    run.add_argument("--out", help="output folder (default: runs/<experiment file name>)")
    run.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    run.add_argument("--tensorboard", metavar="DIR",
                     help="also write TensorBoard logs (every metric, weight histograms) to DIR")
    validate = sub.add_parser("validate", help=COMMANDS["validate"])
    validate.add_argument("experiment", help="experiment JSON file")
    cv = sub.add_parser("cv", help=COMMANDS["cv"])
    cv.add_argument("experiment", help="experiment JSON file")
    cv.add_argument("--folds", type=int, default=5, help="number of folds K (default 5)")
    cv.add_argument("--out", help="output folder for folds.csv and oos_predictions.csv (default: runs/<name>-cv)")
    add_runner_flags(cv)
    sweep = sub.add_parser("sweep", help=COMMANDS["sweep"])
    sweep.add_argument("experiment", help="experiment JSON file")
    sweep.add_argument("--param", required=True, action="append",
                       help="field path, e.g. network.hidden[*].dropout, network.hidden[0].kernel_regularizer.l2, "
                            "network.hidden[*].max_norm, network.input_noise or training.weight_decay; "
                            "twice (each with its --values) for a two-field sweep")
    sweep.add_argument("--values", required=True, action="append",
                       help="0,0.2,0.5 or a log range start:stop:count (1e-5:1:7)")
    sweep.add_argument("--seeds", type=int, default=1, help="training seeds per value (default 1)")
    sweep.add_argument("--out", help="folder for sweep.csv and validation_curve.png (two fields: heatmap.png) "
                                     "(default: runs/<name>-sweep)")
    add_runner_flags(sweep)
    path = sub.add_parser("path", help=COMMANDS["path"])
    path.add_argument("experiment", help="experiment JSON file")
    path.add_argument("--param", required=True, help="field path, e.g. network.hidden[*].kernel_regularizer.l1")
    path.add_argument("--values", required=True, help="0,0.001,0.01 or a log range start:stop:count (1e-5:1:7)")
    path.add_argument("--folds", type=int, default=0, help="K-fold per value and seed (default: no folds)")
    path.add_argument("--seeds", type=int, default=1, help="training seeds per value (default 1)")
    path.add_argument("--out", help="folder for path.csv, path_summary.csv and regularization_path.png "
                                    "(default: runs/<name>-path)")
    add_runner_flags(path)
    landscape = sub.add_parser("landscape", help=COMMANDS["landscape"])
    landscape.add_argument("experiment", help="experiment JSON file")
    landscape.add_argument("--weights", help="the two weights L:i:j,L:k:l (L the Dense layer from 0, i the kernel's "
                                             "row, j its column; default: the file's landscape.weights, else the "
                                             "two largest |w| of the first layer once trained)")
    landscape.add_argument("--grid", type=int, default=41, help="grid points per axis (default 41)")
    landscape.add_argument("--epochs", type=int, help="train this many epochs instead of the file's training.epochs")
    landscape.add_argument("--out", required=True,
                           help="folder for landscape.csv, trajectory.csv, landscape.png and model.keras")
    export = sub.add_parser("export", help=COMMANDS["export"])
    export.add_argument("experiment", help="experiment JSON file")
    export.add_argument("--keras", action="store_true", help="a plain Keras/TensorFlow training script")
    export.add_argument("-o", "--output", help="write the script to this file (default: print it)")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        if args.command == "cv":
            return cv_command(args)
        if args.command == "sweep":
            return sweep_command(args)
        if args.command == "path":
            return path_command(args)
        if args.command == "export":
            return _export(args)
        if args.command == "landscape":
            from engine.studies.landscape_run import landscape_command

            return landscape_command(args.experiment, args.out, args.weights, args.grid, args.epochs)
        return _run(args)
    except SpecError as exc:  # includes DataError
        print(f"reglab: {_with_flag(exc, args)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"reglab: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except WorkerLost as exc:
        print(f"reglab: {exc}; nothing was written", file=sys.stderr)
        return EXIT_DIVERGED
    except KeyboardInterrupt:  # `run` keeps what it trained; a study writes nothing unfinished
        print(f"reglab: {args.command} stopped by Ctrl+C; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED


def _with_flag(exc: SpecError, args) -> str:
    """The error's message; one about a setting given on the command line (``exc.field``) starts with its flag."""
    if exc.field == "param":
        return f"--param: {args.param!r}: {exc}"
    return f"--{exc.field}: {exc}" if exc.field else str(exc)


def describe(exp: Experiment) -> str:
    """A one-line human description of an experiment."""
    d = exp.data
    data = {"toy": f"toy {d.name} ({d.samples} samples, noise {d.noise:g})", "sklearn": f"scikit-learn {d.name}",
            "csv": f"CSV {d.path} → {d.target}"}[d.kind]
    net = exp.network
    dropout = "Gaussian dropout" if net.dropout_style == "gaussian" else "dropout"
    layers = []
    for h in net.hidden:
        text = f"{h.units} {h.activation}"
        text += " + batch norm" if h.batch_norm else ""
        text += _penalties(h, REGULARIZER_KINDS)
        text += f" + max-norm {h.max_norm:g}" if h.max_norm is not None else ""
        text += f" + noise σ {h.noise:g}" if h.noise else ""
        text += f" + {dropout} {h.dropout:g}" if h.dropout else ""
        layers.append(text)
    layers.append("output" + _penalties(net.output, OUTPUT_REGULARIZER_KINDS))
    text = " → ".join(layers)
    if net.input_dropout:
        text = f"input {dropout} {net.input_dropout:g} → " + text
    if net.input_noise:
        text = f"input noise σ {net.input_noise:g} → " + text
    if net.dropout_style == "classic" and (net.input_dropout or any(h.dropout for h in net.hidden)):
        text += " (classic dropout)"
    t = exp.training
    extras = "".join([f", weight decay {t.weight_decay:g}" if t.weight_decay else "",
                      f", label smoothing {t.label_smoothing:g}" if t.label_smoothing else ""])
    return f"{data}; {text}; {t.optimizer} lr {t.learning_rate:g}{extras}, batch {t.batch_size}, {t.epochs} epochs"


def _penalties(layer, kinds: tuple[str, ...]) -> str:
    """" + kernel L2(l2=0.001) + bias L1(l1=0.01)": the layer's penalties in use, λ as the file writes them."""
    text = ""
    for kind in kinds:
        r = getattr(layer, f"{kind}_regularizer")
        if r is not None and r.kind != "none":
            lam = ", ".join(f"{k}={v:g}" for k, v in (("l1", r.l1), ("l2", r.l2)) if v)
            text += f" + {kind} {r.kind}({lam})"
    return text


def _validate(args) -> int:
    from engine.data import load_dataset

    exp = load_experiment(args.experiment)
    ds = load_dataset(exp)
    print(f"ok: {exp.name!r}: {describe(exp)}; {len(ds.x_train)} training / {len(ds.x_val)} validation rows, "
          f"{ds.n_features} features, task {ds.task}")
    return 0


def _run(args) -> int:
    exp = load_experiment(args.experiment)
    if args.epochs is not None:
        if args.epochs < 1:
            raise SpecError(f"{args.epochs} is out of range [1, {MAX_EPOCHS}]", field="epochs")
        exp.training.epochs = args.epochs
    if exp.data.kind == "csv":
        exp.data.path = str(exp.resolved_data_path().resolve())
    out = default_out(args)
    from engine.data import load_dataset

    dataset = load_dataset(exp)  # bad data fails here, before TensorFlow is even imported
    out.mkdir(parents=True, exist_ok=True)

    from engine.training.trainer import Trainer, TrainingDiverged

    trainer = Trainer(exp, dataset, grid_every=0)
    progress = _Progress(exp.training.epochs, enabled=not args.quiet and sys.stderr.isatty())
    on_epoch = progress.update
    board = None
    if args.tensorboard:
        from engine.export.tensorboard import TensorBoardLog

        board = TensorBoardLog(args.tensorboard)

        def on_epoch(snap):
            progress.update(snap)
            board.write(snap)

    start = time.perf_counter()
    reason = None
    try:
        trainer.run(on_epoch=on_epoch)
    except TrainingDiverged as exc:
        reason = str(exc)
    except KeyboardInterrupt:
        reason = f"interrupted after {trainer.epoch} epochs"
    finally:
        if board is not None:
            board.close()
    progress.close()
    seconds = time.perf_counter() - start

    _write_metrics(out / "metrics.csv", trainer.history)
    (out / "experiment.json").write_text(exp.to_json(), encoding="utf-8")
    if trainer.epoch:
        trainer.save_model(out / "model.keras")
    if reason:
        print(f"reglab: {reason}; metrics so far are in {out}", file=sys.stderr)
        return EXIT_DIVERGED
    if not args.quiet:
        if trainer.stopped_early:
            print(trainer.stopped_early[:1].upper() + trainer.stopped_early[1:])
        print(_summary(exp, trainer.history[-1], trainer.epoch, seconds, out))
    return 0


def _export(args) -> int:
    if not args.keras:
        raise SpecError("export: choose a format: --keras (a plain Keras script)")
    from engine.export.keras_script import keras_script

    script = keras_script(load_experiment(args.experiment))
    if args.output:
        Path(args.output).write_text(script, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(script)
    return 0


def _write_metrics(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        if not rows:
            return
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})


def _summary(exp: Experiment, last: dict, epochs: int, seconds: float, out: Path) -> str:
    metric = "accuracy" if "accuracy" in last else "rmse"
    return (f"{exp.name}: {epochs} epochs in {seconds:.1f} s ({epochs / max(seconds, 1e-9):.0f} epochs/s); "
            f"loss {last['loss']:.4f}, val_loss {last['val_loss']:.4f}, {metric} {last[metric]:.4f}, "
            f"val_{metric} {last['val_' + metric]:.4f} → {out}")


class _Progress:
    """A one-line progress bar on a terminal (stderr); silent when not a terminal."""

    WIDTH = 30

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled
        self.start = time.perf_counter()
        self.last_draw = 0.0

    def update(self, snap) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self.last_draw < 0.1 and snap.epoch < self.total:
            return
        self.last_draw = now
        done = int(self.WIDTH * snap.epoch / self.total)
        rate = snap.epoch / max(now - self.start, 1e-9)
        bar = "█" * done + "░" * (self.WIDTH - done)
        sys.stderr.write(f"\r{bar} {snap.epoch}/{self.total}  loss {snap.loss:.4f}  val_loss {snap.val_loss:.4f}  "
                         f"{snap.metric_name} {snap.metric:.3f}  {rate:.0f} epochs/s ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()
