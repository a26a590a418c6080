"""The parts of an experiment: its data, its network and how it trains, and the lesson it may carry."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    #: Keras' MaxNorm(c, axis=0) on the kernel: after every step each unit's incoming weight vector is scaled back to
    #: norm ≤ c. None: no constraint. Written only when set
    max_norm: float | None = None
    #: σ of Keras' GaussianNoise on this layer's output (after the activation, before dropout), training only.
    #: Written only when above 0
    noise: float = 0.0
    #: Keras' BatchNormalization between the Dense layer and its activation. Written only when true
    batch_norm: bool = False


@dataclass
class OutputLayer:
    """The output layer's penalties (its units and activation follow from the data)."""

    kernel_regularizer: Regularizer | None = None
    bias_regularizer: Regularizer | None = None


@dataclass
class Network:
    input_dropout: float = 0.0
    hidden: list[HiddenLayer] = field(default_factory=lambda: [HiddenLayer()])
    #: "inverted" (Keras' Dropout: survivors × 1/(1−p) while training), "classic" (no scaling while training,
    #: outputs × (1−p) at evaluation, the textbook form) or "gaussian" (Keras' GaussianDropout: every unit × a
    #: factor drawn from N(1, p/(1−p)) while training); written to the file only when not "inverted"
    dropout_style: str = "inverted"
    #: σ of Keras' GaussianNoise on the inputs as the network sees them (CSV and scikit-learn sets standardized, toy
    #: sets in the plot's units), training only: the 2-D analogue of data augmentation.
    #: Written only when above 0
    input_noise: float = 0.0
    output: OutputLayer = field(default_factory=OutputLayer)  # written only when it has a regularizer


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
    #: decoupled weight decay (Keras' optimizer ``weight_decay``: AdamW, SGDW): before each gradient step every
    #: kernel shrinks by learning_rate·weight_decay·w; biases do not. Not a loss term. Written only when above 0
    weight_decay: float = 0.0
    #: classification only: the training loss compares with targets moved toward uniform, y·(1−s) + s/K (binary:
    #: y·(1−s) + s/2), as Keras' cross-entropy ``label_smoothing``. Written only when above 0
    label_smoothing: float = 0.0


@dataclass(frozen=True)
class WeightRef:
    """One kernel weight: Dense layer ``layer`` (0 = the first hidden layer, …, the last = the output layer), kernel
    row ``row`` (the input unit), column ``column`` (the unit). Its text form is ``"L:i:j"``."""

    layer: int
    row: int
    column: int

    @property
    def text(self) -> str:
        return f"{self.layer}:{self.row}:{self.column}"


@dataclass
class LandscapeChoice:
    """The two weights the loss landscape is drawn over (written as ``"landscape": {"weights": "0:0:1,0:1:3"}``).
    Nothing the model sees: choosing them changes no training."""

    weights: tuple[WeightRef, WeightRef]

    @property
    def text(self) -> str:
        return ",".join(ref.text for ref in self.weights)


@dataclass
class Lesson:
    """A classroom lesson carried by an experiment file: what it shows, and what to watch while it trains.

    ``study`` is the study the lesson is about, if any, as saved in the file:
    ``{"kind": "sweep", "param": "network.hidden[*].dropout", "values": "0,0.2,0.5", "seeds": 1}`` (``param``
    and ``values`` as :mod:`engine.spec.fields` reads them), ``{"kind": "cv", "folds": 5}`` or
    ``{"kind": "compare"}``, optionally with its own ``"variants": [{"label": "L2 λ=0.001", "set":
    {"network.hidden[*].kernel_regularizer.l2": 0.001}}, …]`` (1 to 4; else ``engine.studies.study.classic_variants``).
    The lesson does not change training in any way.
    """

    title: str
    text: str  # the short explanation shown in the app (1–4 sentences)
    look_at: str  # what to watch while it trains
    study: dict | None = None  # optional: written to the file only when set
