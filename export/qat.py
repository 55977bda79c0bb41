"""Quantization-aware fine-tune (tfmot) of a tf_keras copy of the float model, then int8 TFLite.

tfmot works only with legacy Keras 2 (tf_keras). The copy is built from the same layer list
(train.model.build_model) and takes the trained weights layer by layer; the Keras 3 float model
is never touched. Importing tfmot sets TF_USE_LEGACY_KERAS=1 process-wide; it is restored so the
rest of the run (and any subprocess) keeps Keras 3.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import asdict

import numpy as np

from export.context import Context
from export.convert_tflite import full_integer
from train.model import build_model
from train.recipes import RECIPES

# A short fine-tune: enough for the weights to settle around the int8 grid, without drifting
# away from the float model (the contract measures agreement with it).
QAT_IMAGES = 15_000  # training images, a fixed random subset
QAT_EPOCHS = 1
QAT_BATCH = 64
QAT_LEARNING_RATE = 1e-5
QAT_SEED = 1
AUGMENT_CHUNK = 1000
AUGMENTATION = RECIPES["article"].augmentation  # the training pipeline's, with the article's ranges
SETTINGS = {
    "qat_images": QAT_IMAGES, "qat_epochs": QAT_EPOCHS, "qat_batch": QAT_BATCH,
    "qat_learning_rate": QAT_LEARNING_RATE, "qat_seed": QAT_SEED,
    "qat_targets": "float model probabilities", "batch_norm": "frozen",
    "qat_augmentation": asdict(AUGMENTATION),
}


@contextlib.contextmanager
def _legacy_keras_env():
    before = os.environ.get("TF_USE_LEGACY_KERAS")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TF_USE_LEGACY_KERAS", None)
        else:
            os.environ["TF_USE_LEGACY_KERAS"] = before


def tf_keras_copy(model):
    """The float model rebuilt with tf_keras from the same layer list, with its weights."""
    import tf_keras

    copy = build_model(tf_keras)
    for layer in model.layers:
        copy.get_layer(layer.name).set_weights(layer.get_weights())
    return copy


@contextlib.contextmanager
def _ranges_from_this_batch():
    """Make tfmot's activation ranges take one batch's min/max instead of a 0.999 EMA.

    The ranges start at [-6, 6] and a short fine-tune barely moves them (0.999 ** 234 steps
    still weighs the start at 79%); seeding them from a calibration batch fixes that.
    """
    from tensorflow_model_optimization.python.core.quantization.keras import quant_ops, quantizers

    original = quantizers.MovingAverageQuantizer.__call__

    def call(self, inputs, training, weights, **kwargs):
        return quant_ops.MovingAvgQuantize(
            inputs, weights["min_var"], weights["max_var"], ema_decay=0.0, is_training=training,
            num_bits=self.num_bits, per_channel=self.per_axis, symmetric=self.symmetric,
            narrow_range=self.narrow_range)

    quantizers.MovingAverageQuantizer.__call__ = call
    try:
        yield
    finally:
        quantizers.MovingAverageQuantizer.__call__ = original


def seed_ranges(model, images: np.ndarray) -> None:
    """One training-mode pass sets every range; BatchNormalization statistics are put back."""
    kept = [(v, v.numpy()) for v in model.non_trainable_variables if "moving_" in v.name]
    with _ranges_from_this_batch():
        model(images, training=True)
    for variable, value in kept:
        variable.assign(value)


def augmented_subset(ctx: Context) -> np.ndarray:
    """A fixed random subset of training images, each randomly transformed once."""
    import tensorflow as tf

    from runtime import dataset
    from train.augment import augment_batch

    train = ctx.training
    index = np.random.default_rng(QAT_SEED).choice(len(train.images), QAT_IMAGES, replace=False)
    x = dataset.to_model_input(train.images[np.sort(index)])
    chunks = [augment_batch(tf.constant(x[i : i + AUGMENT_CHUNK]), AUGMENTATION,
                            tf.constant([QAT_SEED, i], tf.int64)).numpy()
              for i in range(0, len(x), AUGMENT_CHUNK)]
    return np.concatenate(chunks)


def fine_tune(ctx: Context):
    """The tfmot quantization-aware model, fine-tuned to reproduce the float model.

    The targets are the float model's probabilities on the augmented images (distillation), not
    the labels: the contract measures agreement with the float model, and label targets let an
    under-trained model drift away from it.
    """
    with _legacy_keras_env():
        import tensorflow_model_optimization as tfmot
        import tf_keras

    x = augmented_subset(ctx)
    targets = ctx.reference.model.predict(x, batch_size=AUGMENT_CHUNK, verbose=0)
    copy = tf_keras_copy(ctx.reference.model)
    for layer in copy.layers:
        # Frozen BatchNormalization keeps the float model's statistics (and runs in inference
        # mode): re-estimating them on augmented images moves the model away from the float one.
        if isinstance(layer, tf_keras.layers.BatchNormalization):
            layer.trainable = False
    model = tfmot.quantization.keras.quantize_model(copy)
    seed_ranges(model, ctx.calibration_images)
    tf_keras.utils.set_random_seed(QAT_SEED)
    model.compile(optimizer=tf_keras.optimizers.Adam(QAT_LEARNING_RATE),
                  loss=tf_keras.losses.KLDivergence())
    model.fit(x, targets, batch_size=QAT_BATCH, epochs=QAT_EPOCHS, verbose=0)
    return model


def convert(ctx: Context) -> bytes:
    """Fine-tune with QAT, then convert to full-integer int8 TFLite."""
    import tensorflow as tf

    model = fine_tune(ctx)
    run = tf.function(lambda x: model(x, training=False))
    concrete = run.get_concrete_function(tf.TensorSpec([None, 28, 28, 1], tf.float32, "input"))
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], model)
    return full_integer(converter, ctx.calibration_images)
