"""The experiment: what the user built, read from and written to its JSON form."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

from engine.spec.errors import SpecError
from engine.spec.fields import set_field
from engine.spec.limits import FORMAT_VERSION, OUTPUT_REGULARIZER_KINDS
from engine.spec.parse import (
    check_format_version,
    check_task_fields,
    parse_data,
    parse_lesson,
    parse_network,
    parse_training,
)
from engine.spec.parts import (
    Data,
    EarlyStopping,
    HiddenLayer,
    LandscapeChoice,
    Lesson,
    Network,
    OutputLayer,
    Regularizer,
    Training,
)
from engine.spec.reader import Fields
from engine.spec.weight_refs import parse_landscape


@dataclass
class Experiment:
    name: str = "Untitled experiment"
    data: Data = field(default_factory=Data)
    network: Network = field(default_factory=Network)
    training: Training = field(default_factory=Training)
    #: folder that a relative ``data.path`` is resolved against (not saved)
    base_dir: str = field(default="", compare=False, repr=False)
    lesson: Lesson | None = None  # optional: written to the file only when set
    landscape: LandscapeChoice | None = None  # the loss landscape's two weights; written only when set

    # ---- conversions -----------------------------------------------------------------
    @classmethod
    def from_dict(cls, d: object, base_dir: str | Path = "") -> Experiment:
        """Read and validate an experiment's JSON object; a problem raises SpecError naming the field."""
        f = Fields(d, "")
        check_format_version(f)
        exp = cls(
            name=f.string("name", "Untitled experiment", max_len=200),
            lesson=None if (lesson := f.raw("lesson", None)) is None else parse_lesson(lesson),
            data=parse_data(f.raw("data", {})),
            network=parse_network(f.raw("network", {})),
            training=parse_training(f.raw("training", {})),
            landscape=None if (pair := f.raw("landscape", None)) is None else parse_landscape(pair),
            base_dir=str(base_dir),
        )
        f.done()
        check_task_fields(exp.data, exp.training)
        return exp

    def to_dict(self) -> dict:
        return {
            "reglab": FORMAT_VERSION,
            "name": self.name,
            **_lesson_to_dict(self.lesson),
            "data": _data_to_dict(self.data),
            "network": {
                "input_dropout": self.network.input_dropout,
                "hidden": [_layer_to_dict(h) for h in self.network.hidden],
                **({"dropout_style": self.network.dropout_style} if self.network.dropout_style != "inverted" else {}),
                **({"input_noise": self.network.input_noise} if self.network.input_noise else {}),
                **_output_to_dict(self.network.output),
            },
            "training": {
                "optimizer": self.training.optimizer,
                "learning_rate": self.training.learning_rate,
                "batch_size": self.training.batch_size,
                "epochs": self.training.epochs,
                "seed": self.training.seed,
                **_early_stopping_to_dict(self.training.early_stopping),
                **({"weight_decay": self.training.weight_decay} if self.training.weight_decay else {}),
                **({"label_smoothing": self.training.label_smoothing} if self.training.label_smoothing else {}),
            },
            **({"landscape": {"weights": self.landscape.text}} if self.landscape is not None else {}),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def copy(self) -> Experiment:
        return copy.deepcopy(self)

    def resolved_data_path(self) -> Path:
        p = Path(self.data.path)
        return p if p.is_absolute() or not self.base_dir else Path(self.base_dir) / p


def set_path(exp: Experiment, path: str, value: float) -> Experiment:
    """A copy of ``exp`` with the field at ``path`` (see :mod:`engine.spec.fields`) set to ``value``, validated
    like a file: a path the experiment does not have raises SpecError with field "param", a value the field does
    not allow one that names the field."""
    new = exp.copy()
    set_field(new, path, value)
    return Experiment.from_dict(new.to_dict(), base_dir=exp.base_dir)


def live_fields_differ_only(old: Experiment, new: Experiment) -> bool:
    """True when ``new`` differs from ``old`` only in what can change live: dropout rates, λ, learning rate, weight
    decay, label smoothing, and the value of an output-layer penalty, a max-norm c or a noise σ that stays on
    (switching one of those on or off adds or removes a layer, a penalty or a constraint: a new model)."""
    a, b = old.copy(), new.copy()
    for e in (a, b):
        e.name = ""
        e.lesson = None  # text for the class: nothing the model sees
        e.landscape = None  # which weights a view draws: nothing the model sees
        e.training.learning_rate = 0.0
        e.training.epochs = 0
        e.training.weight_decay = 0.0
        e.training.label_smoothing = 0.0
        e.network.input_dropout = 0.0
        e.network.input_noise = float(e.network.input_noise > 0)
        e.network.output = OutputLayer(*(None if r is None else Regularizer() for r in (
            e.network.output.kernel_regularizer, e.network.output.bias_regularizer)))
        for h in e.network.hidden:
            h.dropout = 0.0
            h.kernel_regularizer = h.bias_regularizer = h.activity_regularizer = None
            h.max_norm = None if h.max_norm is None else 1.0
            h.noise = float(h.noise > 0)
    return a == b


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file; every problem becomes a SpecError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows editors) is skipped
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot be read ({exc})") from None
    try:
        d = _json_value(text)
    except SpecError as exc:
        raise SpecError(f"{path}: {exc}") from None
    return Experiment.from_dict(d, base_dir=path.resolve().parent)


def experiment_from_json(text: str, base_dir: str | Path = "") -> Experiment:
    return Experiment.from_dict(_json_value(text), base_dir=base_dir)


def _json_value(text: str) -> object:
    """The JSON value ``text`` holds; SpecError "not valid JSON (…)" saying where, when it holds none."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except (ValueError, RecursionError) as exc:  # an integer over 4300 digits, or nesting deeper than the stack
        raise SpecError(f"not valid JSON ({exc})") from None


# --------------------------------------------------------------------------- to dict


def _reg_to_dict(r: Regularizer | None) -> dict | None:
    return None if r is None else {"l1": r.l1, "l2": r.l2}


def _early_stopping_to_dict(e: EarlyStopping | None) -> dict:
    if e is None:
        return {}
    return {"early_stopping": {"patience": e.patience, "restore_best_weights": e.restore_best_weights}}


def _lesson_to_dict(lesson: Lesson | None) -> dict:
    if lesson is None:
        return {}
    out: dict = {"title": lesson.title, "text": lesson.text, "look_at": lesson.look_at}
    if lesson.study is not None:
        out["study"] = copy.deepcopy(lesson.study)
    return {"lesson": out}


def _layer_to_dict(h: HiddenLayer) -> dict:
    return {
        "units": h.units,
        "activation": h.activation,
        "dropout": h.dropout,
        "kernel_regularizer": _reg_to_dict(h.kernel_regularizer),
        "bias_regularizer": _reg_to_dict(h.bias_regularizer),
        "activity_regularizer": _reg_to_dict(h.activity_regularizer),
        **({"max_norm": h.max_norm} if h.max_norm is not None else {}),
        **({"noise": h.noise} if h.noise else {}),
        **({"batch_norm": True} if h.batch_norm else {}),
    }


def _output_to_dict(out: OutputLayer) -> dict:
    regs = {f"{kind}_regularizer": getattr(out, f"{kind}_regularizer") for kind in OUTPUT_REGULARIZER_KINDS}
    if all(r is None for r in regs.values()):
        return {}
    return {"output": {key: _reg_to_dict(r) for key, r in regs.items()}}


def _data_to_dict(d: Data) -> dict:
    out: dict = {"kind": d.kind}
    if d.kind == "toy":
        out.update(name=d.name, samples=d.samples, noise=d.noise)
    elif d.kind == "sklearn":
        out.update(name=d.name)
    else:
        out.update(path=d.path, target=d.target)
        if d.task is not None:
            out["task"] = d.task
        if d.drop_missing:
            out["drop_missing"] = True
    out["validation"] = d.validation
    if d.test:
        out["test"] = d.test
    out["seed"] = d.seed
    return out
