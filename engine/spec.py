"""The experiment spec: what the user built, as dataclasses that round-trip to JSON.

Every other part of RegLab reads or edits an :class:`Experiment`. ``from_dict``
validates everything and raises :class:`SpecError` with the field path and the
allowed values (``network.hidden[1].dropout: 1.2 is out of range [0, 0.95]``).
"""

from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

FORMAT_VERSION = 1

TOY_CLASSIFICATION = ("circle", "xor", "gaussian", "spiral", "moons", "tabular")  # tabular: 10 features
TOY_REGRESSION = ("plane", "ripple")
TOY_SETS = TOY_CLASSIFICATION + TOY_REGRESSION
SKLEARN_SETS = ("iris", "wine", "breast_cancer", "digits", "diabetes")
DATA_KINDS = ("toy", "sklearn", "csv")
TASKS = ("classification", "regression")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "gelu", "linear")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
DROPOUT_STYLES = ("inverted", "classic")
LESSON_STUDY_KINDS = ("sweep", "cv", "compare")  # compare: its own variants, else engine.study.classic_variants

MAX_DROPOUT = 0.95
MAX_LAMBDA = 1000.0
MAX_HIDDEN_LAYERS = 8
MAX_UNITS = 512
MIN_FOLDS, MAX_FOLDS = 2, 20  # as engine.crossval
MAX_SWEEP_SEEDS = 20  # as engine.sweep.run_sweep
MAX_SWEEP_VALUES = 50  # in a lesson's sweep
MAX_COMPARE_VARIANTS = 4  # engine.study compares at most this many runs side by side
MAX_VARIANT_LABEL = 80  # a legend entry and a table cell


class SpecError(ValueError):
    """An experiment that cannot be used; the message names the field and what is allowed."""


# --------------------------------------------------------------------------- dataclasses


@dataclass
class Regularizer:
    """Keras' L1L2: penalty = l1·Σ|x| + l2·Σx² (no ½). Only l1 → L1, only l2 → L2, both → elastic net."""

    l1: float = 0.0
    l2: float = 0.0

    @property
    def kind(self) -> str:
        if self.l1 and self.l2:
            return "L1+L2"
        if self.l1:
            return "L1"
        if self.l2:
            return "L2"
        return "none"


@dataclass
class HiddenLayer:
    units: int = 16
    activation: str = "relu"
    dropout: float = 0.0
    kernel_regularizer: Regularizer | None = None
    bias_regularizer: Regularizer | None = None
    activity_regularizer: Regularizer | None = None


@dataclass
class Network:
    input_dropout: float = 0.0
    hidden: list[HiddenLayer] = field(default_factory=lambda: [HiddenLayer()])
    #: "inverted" (Keras: survivors × 1/(1−p) while training) or "classic" (no scaling while training,
    #: outputs × (1−p) at evaluation, the textbook form); written to the file only when "classic"
    dropout_style: str = "inverted"


@dataclass
class Data:
    kind: str = "toy"
    name: str = "spiral"
    samples: int = 400
    noise: float = 0.15
    validation: float = 0.3
    #: the fraction of rows held out as test rows, carved before the training/validation split and used only to
    #: score a sweep's chosen value; written to the file only when above 0
    test: float = 0.0
    seed: int = 0
    path: str = ""
    target: str = ""
    task: str | None = None
    drop_missing: bool = False  # CSV only: drop rows with a missing value; written to the file only when set


@dataclass
class EarlyStopping:
    """Keras' EarlyStopping on val_loss: stop after ``patience`` epochs without a new minimum."""

    patience: int = 20
    restore_best_weights: bool = True


@dataclass
class Training:
    optimizer: str = "adam"
    learning_rate: float = 0.01
    batch_size: int = 32
    epochs: int = 300
    seed: int = 0
    early_stopping: EarlyStopping | None = None  # optional: written to the file only when set


@dataclass
class Lesson:
    """A classroom lesson carried by an experiment file: what it shows, and what to watch while it trains.

    ``study`` is the study the lesson is about, if any, as saved in the file:
    ``{"kind": "sweep", "param": "network.hidden[*].dropout", "values": "0,0.2,0.5", "seeds": 1}`` (``param``
    and ``values`` as ``engine.sweep`` reads them), ``{"kind": "cv", "folds": 5}`` or ``{"kind": "compare"}``,
    optionally with its own ``"variants": [{"label": "L2 λ=0.001", "set": {"network.hidden[*].kernel_regularizer.l2":
    0.001}}, …]`` (1 to 4; else ``engine.study.classic_variants``). The lesson does not change training in any way.
    """

    title: str
    text: str  # the short explanation shown in the app (1–4 sentences)
    look_at: str  # what to watch while it trains
    study: dict | None = None  # optional: written to the file only when set


@dataclass
class Experiment:
    name: str = "Untitled experiment"
    data: Data = field(default_factory=Data)
    network: Network = field(default_factory=Network)
    training: Training = field(default_factory=Training)
    #: folder that a relative ``data.path`` is resolved against (not saved)
    base_dir: str = field(default="", compare=False, repr=False)
    lesson: Lesson | None = None  # optional: written to the file only when set

    # ---- conversions -----------------------------------------------------------------
    @classmethod
    def from_dict(cls, d: object, base_dir: str | Path = "") -> Experiment:
        return _parse_experiment(d, str(base_dir))

    def to_dict(self) -> dict:
        return {
            "reglab": FORMAT_VERSION,
            "name": self.name,
            **_lesson_to_dict(self.lesson),
            "data": _data_to_dict(self.data),
            "network": {
                "input_dropout": self.network.input_dropout,
                "hidden": [_layer_to_dict(h) for h in self.network.hidden],
                **({"dropout_style": "classic"} if self.network.dropout_style == "classic" else {}),
            },
            "training": {
                "optimizer": self.training.optimizer,
                "learning_rate": self.training.learning_rate,
                "batch_size": self.training.batch_size,
                "epochs": self.training.epochs,
                "seed": self.training.seed,
                **_early_stopping_to_dict(self.training.early_stopping),
            },
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def copy(self) -> Experiment:
        return copy.deepcopy(self)

    def resolved_data_path(self) -> Path:
        p = Path(self.data.path)
        return p if p.is_absolute() or not self.base_dir else Path(self.base_dir) / p


def live_fields_differ_only(old: Experiment, new: Experiment) -> bool:
    """True when ``new`` differs from ``old`` only in what can change live (rates, λ, learning rate)."""
    a, b = old.copy(), new.copy()
    for e in (a, b):
        e.name = ""
        e.lesson = None  # text for the class: nothing the model sees
        e.training.learning_rate = 0.0
        e.training.epochs = 0
        e.network.input_dropout = 0.0
        for h in e.network.hidden:
            h.dropout = 0.0
            h.kernel_regularizer = h.bias_regularizer = h.activity_regularizer = None
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
        d = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except (ValueError, RecursionError) as exc:  # an integer over 4300 digits, or nesting deeper than the stack
        raise SpecError(f"{path}: not valid JSON ({exc})") from None
    return Experiment.from_dict(d, base_dir=path.resolve().parent)


def experiment_from_json(text: str, base_dir: str | Path = "") -> Experiment:
    try:
        d = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except (ValueError, RecursionError) as exc:  # an integer over 4300 digits, or nesting deeper than the stack
        raise SpecError(f"not valid JSON ({exc})") from None
    return Experiment.from_dict(d, base_dir=base_dir)


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
    }


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


# --------------------------------------------------------------------------- validation


class _Fields:
    """Reads one JSON object, checking types and ranges and naming the path in errors."""

    def __init__(self, d: object, path: str):
        if not isinstance(d, dict):
            where = path or "the experiment"
            raise SpecError(f"{where}: expected an object {{...}}, got {_describe(d)}")
        self.d = d
        self.path = path
        self.used: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.d

    def raw(self, key: str, default: object) -> object:
        self.used.add(key)
        return self.d.get(key, default)

    def number(self, key: str, default: float, lo: float, hi: float, *, lo_open: bool = False) -> float:
        v = self.raw(key, default)
        name = self._name(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise SpecError(f"{name}: expected a number, got {_describe(v)}")
        try:
            v = float(v)
        except OverflowError:  # an int beyond float range (JSON allows 1 followed by 400 zeros)
            v = math.inf if v > 0 else -math.inf
        if not math.isfinite(v):
            raise SpecError(f"{name}: {v} is not a finite number")
        if v < lo or v > hi or (lo_open and v == lo):
            bracket = "(" if lo_open else "["
            raise SpecError(f"{name}: {_fmt(v)} is out of range {bracket}{_fmt(lo)}, {_fmt(hi)}]")
        return v

    def integer(self, key: str, default: int, lo: int, hi: int) -> int:
        v = self.raw(key, default)
        name = self._name(key)
        if isinstance(v, bool) or not isinstance(v, int):
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            else:
                raise SpecError(f"{name}: expected a whole number, got {_describe(v)}")
        if v < lo or v > hi:
            raise SpecError(f"{name}: {_int_text(v)} is out of range [{lo}, {hi}]")
        return v

    def boolean(self, key: str, default: bool) -> bool:
        v = self.raw(key, default)
        if not isinstance(v, bool):
            raise SpecError(f"{self._name(key)}: expected true or false, got {_describe(v)}")
        return v

    def string(self, key: str, default: str, choices: tuple[str, ...] | None = None, max_len: int = 500) -> str:
        v = self.raw(key, default)
        name = self._name(key)
        if not isinstance(v, str):
            raise SpecError(f"{name}: expected a string, got {_describe(v)}")
        if choices is not None and v not in choices:
            raise SpecError(f"{name}: {v!r} is not one of {', '.join(choices)}")
        if len(v) > max_len:
            raise SpecError(f"{name}: longer than {max_len} characters")
        return v

    def done(self) -> None:
        extra = [k for k in self.d if k not in self.used]
        if extra:
            k = str(extra[0])
            k = k if k.isprintable() else repr(k)  # a key with a newline must not break the one-line message
            allowed = ", ".join(sorted(self.used))
            raise SpecError(f"{self._name(k)}: unknown field (allowed here: {allowed})")


def _describe(v: object) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f"the text {v[:40]!r}"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, int):
        return _int_text(v)
    return repr(v)


def _int_text(v: int) -> str:
    """str(v), or the size of a whole number too long for str() (over 4300 digits: only from Python, not JSON)."""
    try:
        return str(v)
    except ValueError:
        return f"a {'negative ' if v < 0 else ''}whole number with about {int(math.log10(abs(v))) + 1} digits"


def _fmt(x: float) -> str:
    s = f"{x:g}"
    return s if float(s) == x else repr(x)  # :g keeps 6 digits; 0.9500001 must not print as 0.95


def _parse_regularizer(d: object, path: str) -> Regularizer | None:
    if d is None:
        return None
    f = _Fields(d, path)
    r = Regularizer(
        l1=f.number("l1", 0.0, 0.0, MAX_LAMBDA),
        l2=f.number("l2", 0.0, 0.0, MAX_LAMBDA),
    )
    f.done()
    return r


def _parse_layer(d: object, path: str) -> HiddenLayer:
    f = _Fields(d, path)
    layer = HiddenLayer(
        units=f.integer("units", 16, 1, MAX_UNITS),
        activation=f.string("activation", "relu", ACTIVATIONS),
        dropout=f.number("dropout", 0.0, 0.0, MAX_DROPOUT),
        kernel_regularizer=_parse_regularizer(f.raw("kernel_regularizer", None), f"{path}.kernel_regularizer"),
        bias_regularizer=_parse_regularizer(f.raw("bias_regularizer", None), f"{path}.bias_regularizer"),
        activity_regularizer=_parse_regularizer(f.raw("activity_regularizer", None), f"{path}.activity_regularizer"),
    )
    f.done()
    return layer


def _parse_network(d: object) -> Network:
    f = _Fields(d, "network")
    input_dropout = f.number("input_dropout", 0.0, 0.0, MAX_DROPOUT)
    hidden_raw = f.raw("hidden", [])
    if not isinstance(hidden_raw, list):
        raise SpecError(f"network.hidden: expected a list of layers, got {_describe(hidden_raw)}")
    if len(hidden_raw) > MAX_HIDDEN_LAYERS:
        raise SpecError(f"network.hidden: {len(hidden_raw)} layers is out of range [0, {MAX_HIDDEN_LAYERS}]")
    hidden = [_parse_layer(h, f"network.hidden[{i}]") for i, h in enumerate(hidden_raw)]
    style = f.string("dropout_style", "inverted", DROPOUT_STYLES)
    f.done()
    return Network(input_dropout=input_dropout, hidden=hidden, dropout_style=style)


def _parse_data(d: object) -> Data:
    f = _Fields(d, "data")
    kind = f.string("kind", "toy", DATA_KINDS)
    data = Data(kind=kind)
    if kind == "toy":
        data.name = f.string("name", "spiral", TOY_SETS)
        data.samples = f.integer("samples", 400, 20, 10000)
        data.noise = f.number("noise", 0.15, 0.0, 1.0)
    elif kind == "sklearn":
        data.name = f.string("name", "iris", SKLEARN_SETS)
    else:
        data.name = ""
        data.path = f.string("path", "", max_len=4096)
        if not data.path:
            raise SpecError("data.path: a CSV experiment needs the path of its CSV file")
        data.target = f.string("target", "")
        if not data.target:
            raise SpecError("data.target: name the CSV column to predict")
        task = f.raw("task", None)
        if task is not None:
            task = f.string("task", "", TASKS)
        data.task = task
        data.drop_missing = f.boolean("drop_missing", False)
    data.validation = f.number("validation", 0.3, 0.05, 0.9)
    data.test = f.number("test", 0.0, 0.0, 0.5)  # at most half of the rows held out as test rows
    if data.validation + data.test >= 1:
        raise SpecError(f"data.test: {_fmt(data.test)} with data.validation {_fmt(data.validation)} leaves no "
                        "training rows (validation + test must stay below 1)")
    data.seed = f.integer("seed", 0, 0, 2**31 - 1)
    f.done()
    return data


def _parse_training(d: object) -> Training:
    f = _Fields(d, "training")
    t = Training(
        optimizer=f.string("optimizer", "adam", OPTIMIZERS),
        learning_rate=f.number("learning_rate", 0.01, 0.0, 10.0, lo_open=True),
        batch_size=f.integer("batch_size", 32, 1, 8192),
        epochs=f.integer("epochs", 300, 1, 1_000_000),
        seed=f.integer("seed", 0, 0, 2**31 - 1),
    )
    stopping = f.raw("early_stopping", None)
    if stopping is not None:
        e = _Fields(stopping, "training.early_stopping")
        t.early_stopping = EarlyStopping(patience=e.integer("patience", 20, 1, 100_000),
                                         restore_best_weights=e.boolean("restore_best_weights", True))
        e.done()
    f.done()
    return t


#: a field path as engine.sweep.set_path reads it: ``network.hidden[*].dropout``, ``training.learning_rate``
_FIELD_PATH = re.compile(r"[a-z_0-9]+(\[(\d+|\*)\])?(\.[a-z_0-9]+(\[(\d+|\*)\])?)*")


def _required_text(f: _Fields, key: str, max_len: int) -> str:
    if not f.has(key):
        raise SpecError(f"{f._name(key)}: missing; a lesson needs a title, a text and what to look at (look_at)")
    v = f.string(key, "", max_len=max_len)
    if not v.strip():
        raise SpecError(f"{f._name(key)}: must not be empty")
    return v


def _parse_study(d: object) -> dict:
    f = _Fields(d, "lesson.study")
    if not f.has("kind"):
        raise SpecError(f"lesson.study.kind: missing; one of {', '.join(LESSON_STUDY_KINDS)}")
    kind = f.string("kind", "", LESSON_STUDY_KINDS)
    if kind == "cv":
        study: dict = {"kind": kind, "folds": f.integer("folds", 5, MIN_FOLDS, MAX_FOLDS)}
    elif kind == "compare":
        study = {"kind": kind}
        variants = f.raw("variants", None)  # none: engine.study.classic_variants picks them
        if variants is not None:
            study["variants"] = _parse_variants(variants)
    else:
        for key in ("param", "values"):
            if not f.has(key):
                raise SpecError(f"lesson.study.{key}: missing; a sweep names the field (param) and its values")
        param = f.string("param", "")
        if not _FIELD_PATH.fullmatch(param):
            raise SpecError(f"lesson.study.param: {param!r} is not a field path like network.hidden[*].dropout")
        values = f.string("values", "")
        _check_sweep_values(values)
        study = {"kind": kind, "param": param, "values": values, "seeds": f.integer("seeds", 1, 1, MAX_SWEEP_SEEDS)}
    f.done()
    return study


def _parse_variants(d: object) -> list[dict]:
    """A lesson's compare variants: 1 to 4 of {"label": text, "set": {field path: number}}, labels all different."""
    if not isinstance(d, list) or not 1 <= len(d) <= MAX_COMPARE_VARIANTS:
        got = f"{len(d)} variants" if isinstance(d, list) else _describe(d)
        raise SpecError(f"lesson.study.variants: expected a list of 1 to {MAX_COMPARE_VARIANTS} variants, got {got}")
    variants: list[dict] = []
    for i, item in enumerate(d):
        path = f"lesson.study.variants[{i}]"
        f = _Fields(item, path)
        if not f.has("label") or not f.has("set"):
            raise SpecError(f'{path}: a variant needs a "label" and a "set" of field paths and numbers')
        label = f.string("label", "", max_len=MAX_VARIANT_LABEL)
        if not label.strip():
            raise SpecError(f"{path}.label: must not be empty")
        same = next((j for j, v in enumerate(variants) if v["label"] == label), None)
        if same is not None:
            raise SpecError(f"{path}.label: {label!r} is the label of variants[{same}] too; each needs its own")
        variants.append({"label": label, "set": _parse_variant_set(f.raw("set", None), f"{path}.set")})
        f.done()
    return variants


def _parse_variant_set(d: object, path: str) -> dict:
    """{field path: number}: paths as engine.sweep.set_path reads them; applied (and range-checked) by engine.study."""
    if not isinstance(d, dict):
        raise SpecError(f"{path}: expected an object of field paths and numbers, got {_describe(d)}")
    out = {}
    for key, value in d.items():
        if not isinstance(key, str) or not _FIELD_PATH.fullmatch(key):
            raise SpecError(f"{path}: {str(key)[:80]!r} is not a field path like network.hidden[*].dropout")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(f'{path}["{key}"]: expected a number, got {_describe(value)}')
        try:
            number = float(value)
        except OverflowError:  # an int beyond float range (JSON allows 1 followed by 400 zeros)
            raise SpecError(f'{path}["{key}"]: a whole number beyond the range of numbers (±1.8e308)') from None
        if not math.isfinite(number):
            raise SpecError(f'{path}["{key}"]: {number} is not a finite number')
        out[key] = number
    return out


def _check_sweep_values(text: str) -> None:
    """``text`` as engine.sweep.parse_values reads it, with at most MAX_SWEEP_VALUES values."""
    parts = text.split(":")
    count = 0
    if len(parts) == 3:
        try:
            count = int(parts[2])
        except ValueError:
            pass  # not a count: parse_values says what is wrong
    if count <= MAX_SWEEP_VALUES:  # a log range is built in memory: check its count before building it
        if len(parts) == 3 and not _finite_ends(parts):  # parse_values refuses these too, in its own words
            raise SpecError(f"lesson.study.values: {text!r} gives values that are not finite numbers; "
                            "use finite numbers like 0,0.2,0.5 or 1e-5:1:7")
        from engine.sweep import parse_values  # here: engine.sweep imports this module

        try:
            count = len(parse_values(text))  # only finite values come back
        except SpecError as exc:
            raise SpecError(f"lesson.study.values: {str(exc).removeprefix('--values: ')}") from None
    if count > MAX_SWEEP_VALUES:
        raise SpecError(f"lesson.study.values: more than {MAX_SWEEP_VALUES} values; a lesson's sweep needs a few")


def _finite_ends(parts: list[str]) -> bool:
    """False when the start or stop of a log range start:stop:count is inf or nan."""
    for part in parts[:2]:
        try:
            if not math.isfinite(float(part)):
                return False
        except ValueError:
            pass  # not a number: parse_values says what is wrong
    return True


def _parse_lesson(d: object) -> Lesson:
    f = _Fields(d, "lesson")
    lesson = Lesson(
        title=_required_text(f, "title", 200),
        text=_required_text(f, "text", 2000),
        look_at=_required_text(f, "look_at", 1000),
    )
    study = f.raw("study", None)
    if study is not None:
        lesson.study = _parse_study(study)
    f.done()
    return lesson


def _parse_experiment(d: object, base_dir: str) -> Experiment:
    f = _Fields(d, "")
    if not f.has("reglab"):
        raise SpecError('reglab: missing; an experiment file starts with "reglab": 1 (the format version)')
    version = f.raw("reglab", None)
    if isinstance(version, bool) or not isinstance(version, int):
        raise SpecError(f"reglab: expected the format version 1, got {_describe(version)}")
    if version > FORMAT_VERSION:
        raise SpecError(
            f"reglab: format version {_int_text(version)} is newer than this RegLab reads ({FORMAT_VERSION}); "
            "update RegLab"
        )
    if version < 1:
        raise SpecError(f"reglab: {_int_text(version)} is not a format version (this RegLab reads 1)")
    exp = Experiment(
        name=f.string("name", "Untitled experiment", max_len=200),
        lesson=None if (lesson := f.raw("lesson", None)) is None else _parse_lesson(lesson),
        data=_parse_data(f.raw("data", {})),
        network=_parse_network(f.raw("network", {})),
        training=_parse_training(f.raw("training", {})),
        base_dir=base_dir,
    )
    f.done()
    return exp
