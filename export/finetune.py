"""What quantization-aware training, pruning and clustering share: a tf_keras copy of the float
model, fine-tuned with tensorflow-model-optimization towards the float model's own predictions,
then converted to full-integer int8 TFLite.

tfmot works only with legacy Keras 2 (tf_keras). The copy is built from the same layer list
(train.model) and takes the trained weights layer by layer; the Keras 3 float model is never
touched. Importing tfmot sets TF_USE_LEGACY_KERAS=1 process-wide; it is restored so the rest of the
run (and any subprocess) keeps Keras 3.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import numpy as np

from export.context import Context
from export.convert_tflite import full_integer
from train.model import build
from train.recipes import Augmentation

AUGMENT_CHUNK = 1000


@contextlib.contextmanager
def legacy_keras_env() -> Iterator[None]:
    """Around the import of tfmot: TF_USE_LEGACY_KERAS as it was before, afterwards."""
    before = os.environ.get("TF_USE_LEGACY_KERAS")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TF_USE_LEGACY_KERAS", None)
        else:
            os.environ["TF_USE_LEGACY_KERAS"] = before


def tfmot():
    """tensorflow_model_optimization and tf_keras, imported without changing the environment."""
    with legacy_keras_env():
        import tensorflow_model_optimization
        import tf_keras
    return tensorflow_model_optimization, tf_keras


def tf_keras_copy(model, frozen_batch_norm: bool = False):
    """The float model rebuilt with tf_keras from the same layer list, with its weights.

    frozen_batch_norm: BatchNormalization keeps the float model's statistics (and runs in
    inference mode) while fine-tuning; re-estimating them on augmented images moves the model
    away from the float one."""
    import tf_keras

    copy = build(model.name, tf_keras)
    for layer in model.layers:
        copy.get_layer(layer.name).set_weights(layer.get_weights())
        if frozen_batch_norm and isinstance(copy.get_layer(layer.name),
                                            tf_keras.layers.BatchNormalization):
            copy.get_layer(layer.name).trainable = False
    return copy


def augmented(images: np.ndarray, augmentation: Augmentation, seed: int) -> np.ndarray:
    """Float model inputs (N, 28, 28, 1), each randomly transformed once (seeded)."""
    import tensorflow as tf

    from train.augment import augment_batch

    chunks = [augment_batch(tf.constant(images[i : i + AUGMENT_CHUNK]), augmentation,
                            tf.constant([seed, i], tf.int64)).numpy()
              for i in range(0, len(images), AUGMENT_CHUNK)]
    return np.concatenate(chunks)


def training_subset(ctx: Context, count: int, seed: int) -> np.ndarray:
    """A fixed random subset of training images (never test images), as model inputs."""
    from runtime.measure import dataset

    train = ctx.training
    index = np.random.default_rng(seed).choice(len(train.images), count, replace=False)
    return dataset.to_model_input(train.images[np.sort(index)])


def float_targets(ctx: Context, x: np.ndarray) -> np.ndarray:
    """The float model's probabilities: the fine-tune's targets (distillation), not the labels:
    the contract measures agreement with the float model, and label targets let a short
    fine-tune drift away from it."""
    return ctx.reference.model.predict(x, batch_size=AUGMENT_CHUNK, verbose=0)


def to_int8(model, ctx: Context) -> bytes:
    """A fine-tuned tf_keras model to full-integer int8 TFLite, calibrated like the others."""
    import tensorflow as tf

    run = tf.function(lambda x: model(x, training=False))
    concrete = run.get_concrete_function(tf.TensorSpec([None, 28, 28, 1], tf.float32, "input"))
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], model)
    return full_integer(converter, ctx.calibration_images)
