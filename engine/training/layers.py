"""The small Keras pieces RegLab trains with: stock Keras semantics, with the settings in variables.

* :class:`LiveRegularizer` is Keras' ``L1L2`` (penalty = l1·Σ|x| + l2·Σx², no ½) with its two λ in
  variables, so the window can change them while training without rebuilding or retracing.
* :class:`RecordingDropout` is inverted dropout exactly like ``keras.layers.Dropout`` (survivors
  scaled by 1/(1−p) while training, identity at evaluation) whose rate is a variable and which
  keeps the mask it really applied, so the network drawing shows the units that were dropped.
  With style "classic" it is the textbook form instead: no scaling while training, outputs × (1−p)
  at evaluation; with style "gaussian" it is ``keras.layers.GaussianDropout``: every unit times a
  factor drawn from N(1, p/(1−p)), and the factors are what it keeps. All keep the expected
  activation the same in training and evaluation.
* :class:`LiveMaxNorm` is ``keras.constraints.MaxNorm(c, axis=0)`` with c in a variable.
* :class:`LiveNoise` is ``keras.layers.GaussianNoise`` with σ in a variable.

Saved models never contain these: :mod:`engine.training.model_builder` writes stock ``Dropout``,
``GaussianDropout``, ``GaussianNoise``, ``MaxNorm`` and ``L1``/``L2``/``L1L2`` with the current values.
"""

from __future__ import annotations

from engine.training.keras_setup import keras

ops = keras.ops


class LiveRegularizer(keras.regularizers.Regularizer):
    """Keras' L1L2 with λ held in variables (changeable between epochs, no retracing)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = keras.Variable(float(l1), trainable=False, dtype="float32", name="l1")
        self.l2 = keras.Variable(float(l2), trainable=False, dtype="float32", name="l2")

    def __call__(self, x):
        l1 = ops.cast(self.l1, x.dtype)
        l2 = ops.cast(self.l2, x.dtype)
        return l1 * ops.sum(ops.absolute(x)) + l2 * ops.sum(ops.square(x))

    def set(self, l1: float, l2: float) -> None:
        self.l1.assign(float(l1))
        self.l2.assign(float(l2))

    def values(self) -> tuple[float, float]:
        return float(self.l1.numpy()), float(self.l2.numpy())

    def get_config(self) -> dict:
        l1, l2 = self.values()
        return {"l1": l1, "l2": l2}


class LiveMaxNorm(keras.constraints.Constraint):
    """Keras' MaxNorm(c, axis=0) with c in a variable: each unit's incoming weight vector (a kernel column) is scaled
    to norm min(n, c), times n/(ε + n) as Keras writes it (ε = 1e-7, so even a short column shrinks by ~1e-7 of
    itself). Keras' optimizer applies a variable's constraint after every update."""

    def __init__(self, max_value: float):
        self.max_value = keras.Variable(float(max_value), trainable=False, dtype="float32", name="max_norm")

    def __call__(self, w):
        norms = ops.sqrt(ops.sum(ops.square(w), axis=0, keepdims=True))
        desired = ops.clip(norms, 0, ops.cast(self.max_value, norms.dtype))
        return w * (desired / (keras.config.epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": float(self.max_value.numpy()), "axis": 0}


class LiveNoise(keras.layers.Layer):
    """Keras' GaussianNoise(σ) with σ in a variable: x + N(0, σ²) while training, x at evaluation."""

    def __init__(self, stddev: float = 0.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.initial_stddev = float(stddev)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def build(self, input_shape):
        self.stddev = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(self.initial_stddev), trainable=False, name="stddev"
        )

    def call(self, inputs, training=False):
        if not training:
            return inputs
        stddev = ops.cast(self.stddev, inputs.dtype)
        return inputs + keras.random.normal(ops.shape(inputs), mean=0.0, stddev=stddev, dtype=inputs.dtype,
                                            seed=self.seed_generator)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.initial_stddev, "seed": self.seed}


class RecordingDropout(keras.layers.Layer):
    """Inverted dropout (as Keras) with a variable rate, recording the applied mask.

    ``kept`` holds, per unit, 1.0 if the unit survived and 0.0 if it was dropped, for the first
    example of the last training batch: the very mask that multiplied the layer's output. With
    style "gaussian" it holds that example's factors instead (no unit is switched off).
    """

    def __init__(self, rate: float = 0.0, seed: int | None = None, style: str = "inverted", **kwargs):
        super().__init__(**kwargs)
        self.style = style
        self.classic = style == "classic"  # textbook dropout: no scaling while training, × (1 − p) at evaluation
        self.gaussian = style == "gaussian"
        self.initial_rate = float(rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def build(self, input_shape):
        units = int(input_shape[-1])
        self.rate = self.add_weight(
            shape=(), initializer=keras.initializers.Constant(self.initial_rate), trainable=False, name="rate"
        )
        self.kept = self.add_weight(shape=(units,), initializer="ones", trainable=False, name="kept")

    def call(self, inputs, training=False):
        rate = ops.cast(self.rate, inputs.dtype)
        if not training:
            return inputs * (1.0 - rate) if self.classic else inputs
        if self.gaussian:  # as GaussianDropout; at rate 0 the factor is exactly 1
            factor = keras.random.normal(ops.shape(inputs), mean=1.0, stddev=ops.sqrt(rate / (1.0 - rate)),
                                         dtype=inputs.dtype, seed=self.seed_generator)
            self.kept.assign(ops.cast(factor[0], self.kept.dtype))
            return inputs * factor
        noise = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator, dtype=inputs.dtype)
        keep = ops.cast(noise >= rate, inputs.dtype)
        self.kept.assign(ops.cast(keep[0], self.kept.dtype))
        return inputs * keep if self.classic else inputs * keep / (1.0 - rate)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.initial_rate, "seed": self.seed, "style": self.style}
