"""A plain Keras twin of a trainer's network, trained by Keras' own steps over the trainer's batches.

The twin is ``trainer.stock_model()`` (stock layers, regularizers, constraints and optimizer, the trainer's
weights) whose noise and dropout layers continue the trainer's random streams, so both draw the same numbers.
"""

import numpy as np

from engine.spec import Experiment
from engine.training.keras_setup import keras, tf


def family_experiment(hidden, network=None, **training) -> Experiment:
    """An experiment on the xor toy data with these hidden layers, extra ``network`` fields and training fields,
    validated like a file."""
    spec = {"reglab": 1, "name": "family", "data": {"kind": "toy", "name": "xor", "samples": 300},
            "network": {"hidden": hidden, **(network or {})},
            "training": {"learning_rate": 0.01, "batch_size": 32, "epochs": 20, **training}}
    return Experiment.from_dict(spec)


def stock_twin(trainer) -> keras.Model:
    stock = trainer.stock_model()
    names = {layer.name for layer in stock.layers}
    for layer in [*trainer.net.dropout, *trainer.net.noise]:
        if layer is not None and layer.name in names:
            stock.get_layer(layer.name).seed_generator.state.assign(layer.seed_generator.state)
    return stock


def epoch_order(trainer, epoch: int) -> np.ndarray:
    """The order RegLab's epoch ``epoch`` (0 first) visits the training rows in."""
    n = len(trainer.data.x_train)
    seed = tf.constant([trainer.exp.training.seed, epoch], tf.int64)
    return tf.argsort(tf.random.stateless_uniform([n], seed=seed)).numpy()


def keras_epoch(trainer, stock, loss_fn, epoch=0, after_step=None) -> float:
    """One epoch of Keras steps (``stock.optimizer``, which applies weight decay and constraints as Keras does) over
    RegLab's batches of epoch ``epoch``, the last one short; ``after_step(stock)`` runs after each step. Returns the
    epoch's loss (data loss + penalties), the mean over the examples."""
    data = trainer.data
    order = epoch_order(trainer, epoch)
    x, y = data.x_train[order], data.y_train[order]
    batch = trainer.exp.training.batch_size
    total = 0.0
    for start in range(0, len(x), batch):
        xb, yb = x[start: start + batch], y[start: start + batch]
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, stock(xb, training=True))
            if stock.losses:
                loss = loss + tf.add_n(stock.losses)
        stock.optimizer.apply_gradients(zip(tape.gradient(loss, stock.trainable_variables),
                                            stock.trainable_variables, strict=True))
        total += float(loss) * len(xb)
        if after_step is not None:
            after_step(stock)
    return total / len(x)


def assert_same_weights(trainer, stock, rtol=1e-5, atol=1e-6) -> None:
    """Every weight, trainable or not (batch norm's moving statistics too), equal to float tolerance."""
    mine = [v for v in trainer.model.weights if not _is_recording(v)]
    assert len(mine) == len(stock.weights)
    for a, b in zip(mine, stock.weights, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=atol, err_msg=b.path)


def _is_recording(variable) -> bool:
    """The variables of RegLab's own layers that hold a live value or a record, not a weight of the network."""
    return variable.path.split("/")[0].startswith(("input_dropout", "dropout_", "input_noise", "noise_"))


def column_norms(kernel) -> np.ndarray:
    return np.linalg.norm(np.asarray(kernel, np.float64), axis=0)
