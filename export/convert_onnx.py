"""Keras model -> ONNX bytes: float32 through tf2onnx, int8 QDQ through onnxruntime quantization."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from export import saturation
from export.context import Context

OPSET = 17  # recent, and supported by tf2onnx 1.17 (up to 18) and every current onnxruntime
INPUT_NAME = "input"
CALIBRATION_BATCH = 100
# Saturation-free by construction on every CPU (export/saturation.py): chosen by measurement,
# see scripts/compare_onnx_int8.py and README ("ONNX int8 on every CPU").
ACTIVATIONS, WEIGHTS, REDUCE_RANGE = "uint8", "int8", True
SETTINGS = {"activation_type": ACTIVATIONS, "weight_type": WEIGHTS,
            "reduce_range": REDUCE_RANGE, "per_channel": True, "quant_format": "QDQ"}


def float32(ctx: Context) -> bytes:
    """tf2onnx from a tf.function (from_keras fails on Keras 3): NHWC, dynamic batch, checked."""
    import onnx
    import tensorflow as tf
    import tf2onnx

    model = ctx.reference.model
    run = tf.function(lambda x: model(x, training=False))
    spec = (tf.TensorSpec([None, 28, 28, 1], tf.float32, name=INPUT_NAME),)
    proto, _ = tf2onnx.convert.from_function(run, input_signature=spec, opset=OPSET)
    onnx.checker.check_model(proto, full_check=True)
    return proto.SerializeToString()


class _Reader:
    """Calibration batches for onnxruntime (a CalibrationDataReader by duck typing)."""

    def __init__(self, images: np.ndarray):
        self.batches = iter(np.array_split(images, max(1, len(images) // CALIBRATION_BATCH)))

    def get_next(self) -> dict[str, np.ndarray] | None:
        batch = next(self.batches, None)
        return None if batch is None else {INPUT_NAME: np.ascontiguousarray(batch)}


def quantize(float_onnx: bytes, calibration: np.ndarray, activations: str = ACTIVATIONS,
             weights: str = WEIGHTS, reduce_range: bool = REDUCE_RANGE) -> bytes:
    """Static QDQ quantization of a float ONNX model, per-channel weights; types "int8"/"uint8"."""
    import onnx
    from onnxruntime.quantization import QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    types = {"int8": QuantType.QInt8, "uint8": QuantType.QUInt8}
    with tempfile.TemporaryDirectory(prefix="mnist-edge-onnx-") as tmp:
        src, pre, dst = (Path(tmp) / f"{name}.onnx" for name in ("float32", "pre", "int8"))
        src.write_bytes(float_onnx)
        # tf2onnx leaves BatchNormalization as Mul/Add after each Conv; quantized as they are,
        # they cost a dequantize/requantize pair each. Folding them first makes int8 1.7x faster.
        quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
        quantize_static(str(pre), str(dst), _Reader(calibration),
                        quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=types[activations], weight_type=types[weights],
                        reduce_range=reduce_range)
        proto = onnx.load(str(dst))
    if weights == "int8" and reduce_range:
        _hold_to_seven_bits(proto)
    onnx.checker.check_model(proto)
    return proto.SerializeToString()


def _hold_to_seven_bits(proto) -> None:
    """reduce_range quantizes s8 weights symmetrically to [-64, 64]: +64 is an 8th bit. Each
    channel's largest positive weight, when it landed on +64, becomes 63 (one step of 64), so the
    weights are 7-bit as export/saturation.py asks, with scales and int32 biases unchanged."""
    from onnx import numpy_helper

    low, high = saturation.S8_WEIGHT_RANGE
    for _, init in saturation.weight_initializers(proto.graph):
        w = numpy_helper.to_array(init)
        if w.dtype == np.int8 and (w.min() < low or w.max() > high):
            init.CopyFrom(numpy_helper.from_array(np.clip(w, low, high).astype(np.int8), init.name))


def int8(ctx: Context) -> bytes:
    """Static int8 QDQ, per-channel weights, calibrated on training images (SETTINGS)."""
    return quantize(float32(ctx), ctx.calibration_images)


def embed(data: bytes, key: str, value: str) -> bytes:
    """A copy of an ONNX model with one metadata_props entry set."""
    import onnx

    proto = onnx.load_from_string(data)
    kept = [p for p in proto.metadata_props if p.key != key]
    del proto.metadata_props[:]
    proto.metadata_props.extend(kept)
    proto.metadata_props.add(key=key, value=value)
    return proto.SerializeToString()


CONVERTERS: dict[str, Callable[[Context], bytes]] = {
    "onnx:float32": float32,
    "onnx:int8": int8,
}
