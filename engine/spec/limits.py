"""What an experiment may hold: the choices of each text field and the range of each number.

Each is defined here once; the parser checks against them, and the studies and the window take theirs from here.
"""

from __future__ import annotations

FORMAT_VERSION = 1  # the "reglab" number this RegLab writes, and the newest it reads

TOY_CLASSIFICATION = ("circle", "xor", "gaussian", "spiral", "moons", "tabular")  # tabular: 10 features
TOY_REGRESSION = ("plane", "ripple")
TOY_SETS = TOY_CLASSIFICATION + TOY_REGRESSION
SKLEARN_SETS = ("iris", "wine", "breast_cancer", "digits", "diabetes")
SKLEARN_REGRESSION = ("diabetes",)
DATA_KINDS = ("toy", "sklearn", "csv")
TASKS = ("classification", "regression")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "gelu", "linear")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
DROPOUT_STYLES = ("inverted", "classic", "gaussian")
# compare: its own variants, else engine.studies.study.classic_variants
LESSON_STUDY_KINDS = ("sweep", "cv", "compare", "path")
REGULARIZER_KINDS = ("kernel", "bias", "activity")  # what a hidden layer's penalties act on
REGULARIZER_FIELDS = tuple(f"{kind}_regularizer" for kind in REGULARIZER_KINDS)  # their fields in HiddenLayer
OUTPUT_REGULARIZER_KINDS = ("kernel", "bias")  # the output layer's (an activity penalty there is not offered)

MIN_SAMPLES, MAX_SAMPLES = 20, 10000  # rows of a toy data set
MIN_VALIDATION, MAX_VALIDATION = 0.05, 0.9  # fraction of the rows
MAX_TEST = 0.5  # fraction of the rows held out as test rows
MAX_SEED = 2**31 - 1  # data.seed and training.seed
MAX_DROPOUT = 0.95
MAX_LAMBDA = 1000.0
MAX_MAX_NORM = 100.0  # c of a max-norm constraint (c > 0)
MAX_NOISE = 10.0  # σ of Gaussian noise; features are standardized or toy coordinates of order 1: 10 drowns them
MAX_HIDDEN_LAYERS = 8
MAX_UNITS = 512
MAX_LEARNING_RATE = 10.0
MAX_BATCH_SIZE = 8192
MAX_EPOCHS = 1_000_000
MAX_WEIGHT_DECAY = 2 * MAX_LAMBDA  # SGD with weight decay 2λ takes the steps of an L2(λ) penalty on every kernel
MAX_LABEL_SMOOTHING = 0.5  # above 0.5 the smoothed target of the true class is no longer the largest (binary)
MAX_PATIENCE = 100_000  # early stopping's epochs without a new minimum

MIN_FOLDS, MAX_FOLDS = 2, 20  # K of K-fold cross-validation (engine.studies.crossval and a lesson's cv study)
MAX_SWEEP_SEEDS = 20  # training seeds per value of a sweep (engine.studies.sweep and a lesson's sweep study)
MAX_SWEEP_VALUES = 50  # in a lesson's sweep
MAX_RANGE_VALUES = 1000  # in a log range start:stop:count: it is built in memory, and more would train for days
MAX_COMPARE_VARIANTS = 4  # engine.studies.study compares at most this many runs side by side
MAX_VARIANT_LABEL = 80  # a legend entry and a table cell
