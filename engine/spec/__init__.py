"""The experiment spec: what the user built, as dataclasses that round-trip to JSON.

Every other part of RegLab reads or edits an :class:`Experiment`. ``from_dict`` validates everything and raises
:class:`SpecError` with the field path and the allowed values (``network.hidden[1].dropout: 1.2 is out of range
[0, 0.95]``). The spec is a leaf: it imports no other part of the engine.

- :mod:`~engine.spec.limits`: the choices and ranges of every field, defined once;
- :mod:`~engine.spec.parts` and :mod:`~engine.spec.experiment`: the dataclasses and their JSON form;
- :mod:`~engine.spec.reader`, :mod:`~engine.spec.parse`, :mod:`~engine.spec.lesson_study`: reading a file;
- :mod:`~engine.spec.weight_refs`: weights named ``"L:i:j"`` (the loss landscape's pair);
- :mod:`~engine.spec.fields`: field paths (``network.hidden[*].dropout``) and value lists, as studies use them;
- :mod:`~engine.spec.errors`: :class:`SpecError` and :class:`NewerFormatError`.
"""

from __future__ import annotations

from engine.spec.errors import NewerFormatError, SpecError
from engine.spec.experiment import (
    Experiment,
    experiment_from_json,
    live_fields_differ_only,
    load_experiment,
    set_path,
)
from engine.spec.fields import is_field_path, parse_values
from engine.spec.limits import (
    ACTIVATIONS,
    DATA_KINDS,
    DROPOUT_STYLES,
    FORMAT_VERSION,
    LESSON_STUDY_KINDS,
    MAX_BATCH_SIZE,
    MAX_COMPARE_VARIANTS,
    MAX_DROPOUT,
    MAX_EPOCHS,
    MAX_FOLDS,
    MAX_HIDDEN_LAYERS,
    MAX_LABEL_SMOOTHING,
    MAX_LAMBDA,
    MAX_LEARNING_RATE,
    MAX_MAX_NORM,
    MAX_NOISE,
    MAX_PATIENCE,
    MAX_RANGE_VALUES,
    MAX_SAMPLES,
    MAX_SEED,
    MAX_SWEEP_SEEDS,
    MAX_SWEEP_VALUES,
    MAX_TEST,
    MAX_UNITS,
    MAX_VALIDATION,
    MAX_VARIANT_LABEL,
    MAX_WEIGHT_DECAY,
    MIN_FOLDS,
    MIN_SAMPLES,
    MIN_VALIDATION,
    OPTIMIZERS,
    OUTPUT_REGULARIZER_KINDS,
    REGULARIZER_FIELDS,
    REGULARIZER_KINDS,
    SKLEARN_REGRESSION,
    SKLEARN_SETS,
    TASKS,
    TOY_CLASSIFICATION,
    TOY_REGRESSION,
    TOY_SETS,
)
from engine.spec.parse import label_smoothing_error
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
    WeightRef,
)
from engine.spec.weight_refs import check_weight_refs, kernel_shapes, parse_weight_refs

__all__ = [
    "ACTIVATIONS",
    "DATA_KINDS",
    "DROPOUT_STYLES",
    "Data",
    "EarlyStopping",
    "Experiment",
    "FORMAT_VERSION",
    "HiddenLayer",
    "LandscapeChoice",
    "LESSON_STUDY_KINDS",
    "Lesson",
    "MAX_BATCH_SIZE",
    "MAX_COMPARE_VARIANTS",
    "MAX_DROPOUT",
    "MAX_EPOCHS",
    "MAX_FOLDS",
    "MAX_HIDDEN_LAYERS",
    "MAX_LABEL_SMOOTHING",
    "MAX_LAMBDA",
    "MAX_LEARNING_RATE",
    "MAX_MAX_NORM",
    "MAX_NOISE",
    "MAX_PATIENCE",
    "MAX_RANGE_VALUES",
    "MAX_SAMPLES",
    "MAX_SEED",
    "MAX_SWEEP_SEEDS",
    "MAX_SWEEP_VALUES",
    "MAX_TEST",
    "MAX_UNITS",
    "MAX_VALIDATION",
    "MAX_VARIANT_LABEL",
    "MAX_WEIGHT_DECAY",
    "MIN_FOLDS",
    "MIN_SAMPLES",
    "MIN_VALIDATION",
    "Network",
    "NewerFormatError",
    "OPTIMIZERS",
    "OUTPUT_REGULARIZER_KINDS",
    "OutputLayer",
    "REGULARIZER_FIELDS",
    "REGULARIZER_KINDS",
    "Regularizer",
    "SKLEARN_REGRESSION",
    "SKLEARN_SETS",
    "SpecError",
    "TASKS",
    "TOY_CLASSIFICATION",
    "TOY_REGRESSION",
    "TOY_SETS",
    "Training",
    "WeightRef",
    "check_weight_refs",
    "experiment_from_json",
    "is_field_path",
    "kernel_shapes",
    "label_smoothing_error",
    "live_fields_differ_only",
    "load_experiment",
    "parse_values",
    "parse_weight_refs",
    "set_path",
]
