"""The Keras names RegLab builds with, by task and by optimizer, defined once.

The model builder looks them up in Keras; the exporter writes them into a script (and so does not import
TensorFlow): both read this table, so the exported script compiles the same head, loss and optimizer.
"""

from __future__ import annotations

from typing import NamedTuple


class Head(NamedTuple):
    """The output layer and loss of a task."""

    activation: str  # of the output Dense
    loss: str  # the Keras loss name, as ``model.compile(loss=...)`` takes it
    loss_class: str  # the class of that loss in keras.losses; keras.metrics has one of the same name and value


HEADS = {
    "binary": Head("sigmoid", "binary_crossentropy", "BinaryCrossentropy"),
    "multiclass": Head("softmax", "categorical_crossentropy", "CategoricalCrossentropy"),
    "regression": Head("linear", "mean_squared_error", "MeanSquaredError"),
}

#: spec name (training.optimizer) → class in keras.optimizers
OPTIMIZER_CLASSES = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}

#: what Keras' optimizer.exclude_from_weight_decay(var_names=[...]) matches (a substring of the variable's name):
#: Dense names its bias "bias", BatchNormalization its scale and shift "gamma" and "beta"
NO_DECAY_NAMES = ("bias", "gamma", "beta")
