"""Quantization-aware fine-tune (tfmot) of a tf_keras copy of the float model, then int8 TFLite
(export/finetune.py: the copy, the targets, the conversion)."""

from __future__ import annotations

import contextlib
from dataclasses import asdict

import numpy as np

from export import finetune
from export.context import Context
from train.recipes import RECIPES

# A short fine-tune: enough for the weights to settle around the int8 grid, without drifting
# away from the float model (the contract measures agreement with it).
QAT_IMAGES = 15_000  # training images, a fixed random subset
QAT_EPOCHS = 1
QAT_BATCH = 64
QAT_LEARNING_RATE = 1e-5
QAT_SEED = 1
AUGMENTATION = RECIPES["article"].augmentation  # the training pipeline's, with the article's ranges
SETTINGS = {
    "qat_images": QAT_IMAGES, "qat_epochs": QAT_EPOCHS, "qat_batch": QAT_BATCH,
    "qat_learning_rate": QAT_LEARNING_RATE, "qat_seed": QAT_SEED,
    "qat_targets": "float model probabilities", "batch_norm": "frozen",
    "qat_augmentation": asdict(AUGMENTATION),
}


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


def fine_tune(ctx: Context):
    """The tfmot quantization-aware model, fine-tuned to reproduce the float model (its
    probabilities on augmented training images are the targets)."""
    tfmot, tf_keras = finetune.tfmot()
    x = finetune.augmented(finetune.training_subset(ctx, QAT_IMAGES, QAT_SEED), AUGMENTATION,
                           QAT_SEED)
    targets = finetune.float_targets(ctx, x)
    copy = finetune.tf_keras_copy(ctx.reference.model, frozen_batch_norm=True)
    model = tfmot.quantization.keras.quantize_model(copy)
    seed_ranges(model, ctx.calibration_images)
    tf_keras.utils.set_random_seed(QAT_SEED)
    model.compile(optimizer=tf_keras.optimizers.Adam(QAT_LEARNING_RATE),
                  loss=tf_keras.losses.KLDivergence())
    model.fit(x, targets, batch_size=QAT_BATCH, epochs=QAT_EPOCHS, verbose=0)
    return model


def convert(ctx: Context) -> bytes:
    """Fine-tune with QAT, then convert to full-integer int8 TFLite."""
    return finetune.to_int8(fine_tune(ctx), ctx)


CONVERTERS = {"tflite:qat_int8": convert}
