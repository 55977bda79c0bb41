"""Keras model -> TFLite flatbuffer bytes, one converter per --variant of the tflite rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from export.context import Context
from runtime.models.formats import formats_for


def _keras_converter(model):
    import tensorflow as tf

    return tf.lite.TFLiteConverter.from_keras_model(model)


def _converter(ctx: Context):
    return _keras_converter(ctx.reference.model)


def representative(images: np.ndarray) -> Callable[[], Iterator[list[np.ndarray]]]:
    """The calibration generator TFLite wants: one image per step, in the model's input layout."""

    def gen() -> Iterator[list[np.ndarray]]:
        for image in images:
            yield [image[None].astype(np.float32)]

    return gen


def full_integer(converter, images: np.ndarray) -> bytes:
    """Full-integer conversion: int8 kernels, int8 input and output, calibrated on `images`."""
    import tensorflow as tf

    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative(images)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def float32(ctx: Context) -> bytes:
    return _converter(ctx).convert()


def float16(ctx: Context) -> bytes:
    import tensorflow as tf

    converter = _converter(ctx)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    return converter.convert()


def dynamic(ctx: Context) -> bytes:
    """Dynamic range: int8 weights, float activations quantized on the fly."""
    import tensorflow as tf

    converter = _converter(ctx)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return converter.convert()


def int8(ctx: Context) -> bytes:
    return full_integer(_converter(ctx), ctx.calibration_images)


def micro(ctx: Context) -> bytes:
    """Full-integer int8 for TensorFlow Lite Micro: converted for a batch of one, so every shape
    is a constant (TFLM has no dynamic shapes; Flatten is then one RESHAPE, not four ops)."""
    import keras

    model = ctx.reference.model
    one = keras.Sequential([keras.Input(batch_shape=(1, *model.input_shape[1:])), *model.layers],
                           name=model.name)
    return full_integer(_keras_converter(one), ctx.calibration_images)


CONVERTERS: dict[str, Callable[[Context], bytes]] = {
    "tflite:float32": float32,
    "tflite:float16": float16,
    "tflite:dynamic": dynamic,
    "tflite:int8": int8,
    **{f.key: micro for f in formats_for("micro")},
}
