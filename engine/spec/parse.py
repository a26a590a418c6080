"""Parsing an experiment file's parts: every value checked, every error naming its field and what is allowed."""

from __future__ import annotations

from engine.spec.errors import NewerFormatError, SpecError
from engine.spec.lesson_study import parse_study
from engine.spec.limits import (
    ACTIVATIONS,
    DATA_KINDS,
    DROPOUT_STYLES,
    FORMAT_VERSION,
    MAX_BATCH_SIZE,
    MAX_DROPOUT,
    MAX_EPOCHS,
    MAX_HIDDEN_LAYERS,
    MAX_LABEL_SMOOTHING,
    MAX_LAMBDA,
    MAX_LEARNING_RATE,
    MAX_MAX_NORM,
    MAX_NOISE,
    MAX_PATIENCE,
    MAX_SAMPLES,
    MAX_SEED,
    MAX_TEST,
    MAX_UNITS,
    MAX_VALIDATION,
    MAX_WEIGHT_DECAY,
    MIN_SAMPLES,
    MIN_VALIDATION,
    OPTIMIZERS,
    OUTPUT_REGULARIZER_KINDS,
    SKLEARN_REGRESSION,
    SKLEARN_SETS,
    TASKS,
    TOY_REGRESSION,
    TOY_SETS,
)
from engine.spec.parts import (
    Data,
    EarlyStopping,
    HiddenLayer,
    Lesson,
    Network,
    OutputLayer,
    Regularizer,
    Training,
)
from engine.spec.reader import Fields, describe, fmt, int_text


def check_format_version(f: Fields) -> None:
    """The file's ``"reglab"`` format version is one this RegLab reads; a newer one raises NewerFormatError."""
    if not f.has("reglab"):
        raise SpecError('reglab: missing; an experiment file starts with "reglab": 1 (the format version)')
    version = f.raw("reglab", None)
    if isinstance(version, bool) or not isinstance(version, int):
        raise SpecError(f"reglab: expected the format version 1, got {describe(version)}")
    if version > FORMAT_VERSION:
        raise NewerFormatError(
            f"reglab: format version {int_text(version)} is newer than this RegLab reads ({FORMAT_VERSION}); "
            "update RegLab"
        )
    if version < 1:
        raise SpecError(f"reglab: {int_text(version)} is not a format version (this RegLab reads 1)")


def parse_regularizer(d: object, path: str) -> Regularizer | None:
    if d is None:
        return None
    f = Fields(d, path)
    r = Regularizer(
        l1=f.number("l1", 0.0, 0.0, MAX_LAMBDA),
        l2=f.number("l2", 0.0, 0.0, MAX_LAMBDA),
    )
    f.done()
    return r


def parse_layer(d: object, path: str) -> HiddenLayer:
    f = Fields(d, path)
    layer = HiddenLayer(
        units=f.integer("units", 16, 1, MAX_UNITS),
        activation=f.string("activation", "relu", ACTIVATIONS),
        dropout=f.number("dropout", 0.0, 0.0, MAX_DROPOUT),
        kernel_regularizer=parse_regularizer(f.raw("kernel_regularizer", None), f"{path}.kernel_regularizer"),
        bias_regularizer=parse_regularizer(f.raw("bias_regularizer", None), f"{path}.bias_regularizer"),
        activity_regularizer=parse_regularizer(f.raw("activity_regularizer", None), f"{path}.activity_regularizer"),
        max_norm=None if f.raw("max_norm", None) is None else f.number("max_norm", 0, 0, MAX_MAX_NORM, lo_open=True),
        noise=f.number("noise", 0.0, 0.0, MAX_NOISE),
        batch_norm=f.boolean("batch_norm", False),
    )
    f.done()
    return layer


def parse_output(d: object) -> OutputLayer:
    f = Fields(d, "network.output")
    out = OutputLayer(**{f"{kind}_regularizer": parse_regularizer(f.raw(f"{kind}_regularizer", None),
                                                                   f"network.output.{kind}_regularizer")
                         for kind in OUTPUT_REGULARIZER_KINDS})
    f.done()
    return out


def parse_network(d: object) -> Network:
    f = Fields(d, "network")
    input_dropout = f.number("input_dropout", 0.0, 0.0, MAX_DROPOUT)
    hidden_raw = f.raw("hidden", [])
    if not isinstance(hidden_raw, list):
        raise SpecError(f"network.hidden: expected a list of layers, got {describe(hidden_raw)}")
    if len(hidden_raw) > MAX_HIDDEN_LAYERS:
        raise SpecError(f"network.hidden: {len(hidden_raw)} layers is out of range [0, {MAX_HIDDEN_LAYERS}]")
    hidden = [parse_layer(h, f"network.hidden[{i}]") for i, h in enumerate(hidden_raw)]
    style = f.string("dropout_style", "inverted", DROPOUT_STYLES)
    input_noise = f.number("input_noise", 0.0, 0.0, MAX_NOISE)
    output = parse_output(f.raw("output", {}))
    f.done()
    return Network(input_dropout=input_dropout, hidden=hidden, dropout_style=style, input_noise=input_noise,
                   output=output)


def parse_data(d: object) -> Data:
    f = Fields(d, "data")
    kind = f.string("kind", "toy", DATA_KINDS)
    data = Data(kind=kind)
    if kind == "toy":
        data.name = f.string("name", "spiral", TOY_SETS)
        data.samples = f.integer("samples", 400, MIN_SAMPLES, MAX_SAMPLES)
        data.noise = f.number("noise", 0.15, 0.0, 1.0)
    elif kind == "sklearn":
        data.name = f.string("name", "iris", SKLEARN_SETS)
    else:
        _parse_csv_fields(f, data)
    data.validation = f.number("validation", 0.3, MIN_VALIDATION, MAX_VALIDATION)
    data.test = f.number("test", 0.0, 0.0, MAX_TEST)
    if data.validation + data.test >= 1:
        raise SpecError(f"data.test: {fmt(data.test)} with data.validation {fmt(data.validation)} leaves no "
                        "training rows (validation + test must stay below 1)")
    data.seed = f.integer("seed", 0, 0, MAX_SEED)
    f.done()
    return data


def _parse_csv_fields(f: Fields, data: Data) -> None:
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


def parse_training(d: object) -> Training:
    f = Fields(d, "training")
    t = Training(
        optimizer=f.string("optimizer", "adam", OPTIMIZERS),
        learning_rate=f.number("learning_rate", 0.01, 0.0, MAX_LEARNING_RATE, lo_open=True),
        batch_size=f.integer("batch_size", 32, 1, MAX_BATCH_SIZE),
        epochs=f.integer("epochs", 300, 1, MAX_EPOCHS),
        seed=f.integer("seed", 0, 0, MAX_SEED),
        weight_decay=f.number("weight_decay", 0.0, 0.0, MAX_WEIGHT_DECAY),
        label_smoothing=f.number("label_smoothing", 0.0, 0.0, MAX_LABEL_SMOOTHING),
    )
    stopping = f.raw("early_stopping", None)
    if stopping is not None:
        e = Fields(stopping, "training.early_stopping")
        t.early_stopping = EarlyStopping(patience=e.integer("patience", 20, 1, MAX_PATIENCE),
                                         restore_best_weights=e.boolean("restore_best_weights", True))
        e.done()
    f.done()
    return t


def spec_is_regression(data: Data) -> bool:
    """True when the spec alone tells the task is regression (a regression toy set, diabetes, a CSV's task set to
    regression); a CSV without a task is decided when its data loads."""
    return ((data.kind == "toy" and data.name in TOY_REGRESSION)
            or (data.kind == "sklearn" and data.name in SKLEARN_REGRESSION)
            or (data.kind == "csv" and data.task == "regression"))


def label_smoothing_error(label_smoothing: float) -> SpecError:
    """The one error for label smoothing on a regression task, raised by the spec or, for a CSV, at load time."""
    return SpecError(f"training.label_smoothing: {fmt(label_smoothing)} needs a classification task; this data is "
                     "regression (set it to 0)")


def check_task_fields(data: Data, training: Training) -> None:
    """Fields that need a classification task are refused when the spec tells the task is regression."""
    if training.label_smoothing and spec_is_regression(data):
        raise label_smoothing_error(training.label_smoothing)


def parse_lesson(d: object) -> Lesson:
    f = Fields(d, "lesson")
    lesson = Lesson(
        title=_required_text(f, "title", 200),
        text=_required_text(f, "text", 2000),
        look_at=_required_text(f, "look_at", 1000),
    )
    study = f.raw("study", None)
    if study is not None:
        lesson.study = parse_study(study)
    f.done()
    return lesson


def _required_text(f: Fields, key: str, max_len: int) -> str:
    if not f.has(key):
        raise SpecError(f"{f.name(key)}: missing; a lesson needs a title, a text and what to look at (look_at)")
    v = f.string(key, "", max_len=max_len)
    if not v.strip():
        raise SpecError(f"{f.name(key)}: must not be empty")
    return v
