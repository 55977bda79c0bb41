"""The saturation-free rule of ONNX int8 (export/saturation.py), decided from weights and types."""

from __future__ import annotations

import numpy as np
import pytest

from export import saturation
from export.errors import ValidationError
from runtime.models.formats import MODELS_DIR

CALIBRATION = 100  # images: enough for a working model, the rule does not depend on accuracy


def tiny_qdq_conv(path, weights: np.ndarray) -> None:
    """input -> Q/DQ -> Conv(DQ(weights)) -> output: the shape of every QDQ Conv of the export."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    zero = np.zeros((), dtype=weights.dtype)
    inits = [
        numpy_helper.from_array(weights, "w_q"),
        numpy_helper.from_array(np.float32(0.01), "w_scale"),
        numpy_helper.from_array(zero, "w_zero"),
        numpy_helper.from_array(np.float32(1 / 255), "x_scale"),
        numpy_helper.from_array(np.uint8(0), "x_zero"),
    ]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zero"], ["x_q"]),
        helper.make_node("DequantizeLinear", ["x_q", "x_scale", "x_zero"], ["x_dq"]),
        helper.make_node("DequantizeLinear", ["w_q", "w_scale", "w_zero"], ["w"]),
        helper.make_node("Conv", ["x_dq", "w"], ["y"], name="conv"),
    ]
    graph = helper.make_graph(
        nodes, "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 5, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


@pytest.mark.parametrize("low, high, dtype, safe", [
    (-64, 63, np.int8, True),  # 7 bits
    (-64, 64, np.int8, False),  # onnxruntime's reduce_range: +64 is an 8th bit
    (-64, 65, np.int8, False),
    (-65, 10, np.int8, False),
    (-127, 127, np.int8, False),  # full 8-bit range: VPMADDUBSW pairs saturate on AVX2
    (0, 255, np.uint8, True),  # U8U8 kernels widen to int16 first
])
def test_rule_at_its_boundary(tmp_path, low, high, dtype, safe):
    path = tmp_path / "tiny.onnx"
    weights = np.zeros((2, 1, 3, 3), dtype)
    weights[0, 0, 0, 0], weights[1, 0, 2, 2] = low, high
    tiny_qdq_conv(path, weights)
    assert saturation.largest_weight(path) == max(abs(low), abs(high))
    assert (saturation.problems(path) == []) == safe
    if not safe:
        with pytest.raises(saturation.SaturationError, match="conv"):
            saturation.check(path)


def test_a_model_without_quantized_weights_is_not_called_safe():
    assert saturation.problems(MODELS_DIR / "mnist_cnn_float32.onnx")


@pytest.fixture(scope="module")
def full_range_model(tmp_path_factory, mnist_train):
    """The shipped float32 ONNX quantized the old way: s8 activations, full-range s8 weights."""
    from export.convert_onnx import quantize
    from export.source import calibration_images

    calib = calibration_images(mnist_train.images, count=CALIBRATION)
    data = quantize((MODELS_DIR / "mnist_cnn_float32.onnx").read_bytes(), calib,
                    activations="int8", weights="int8", reduce_range=False)
    path = tmp_path_factory.mktemp("full") / "full_range.onnx"
    path.write_bytes(data)
    return path, data


def test_full_range_model_is_refused(full_range_model):
    path, _ = full_range_model
    assert saturation.largest_weight(path) == 127
    with pytest.raises(saturation.SaturationError, match="can saturate"):
        saturation.check(path)


def test_export_refuses_it_and_writes_nothing(full_range_model, tmp_path, monkeypatch):
    """Through the export pipeline: a dedicated validation error, no artifact, no temp file."""
    from export import pipeline
    from export.context import Context
    from runtime.models.formats import format_of

    _, data = full_range_model
    fmt = format_of("mnist_cnn_int8.onnx")
    monkeypatch.setitem(pipeline.CONVERTERS, fmt.key, lambda ctx: data)
    # The check comes before any measurement: no float reference is needed to refuse it.
    with pytest.raises(saturation.SaturationError) as refused:
        pipeline.export_one(fmt, Context(reference=None), tmp_path)
    assert isinstance(refused.value, ValidationError)  # the CLI's one line and exit code 2
    assert list(tmp_path.iterdir()) == []


def test_default_quantization_is_saturation_free(full_range_model, mnist_train, tmp_path):
    """The export's own settings (convert_onnx.SETTINGS) meet the rule by construction."""
    from export.convert_onnx import quantize
    from export.source import calibration_images

    calib = calibration_images(mnist_train.images, count=CALIBRATION)
    path = tmp_path / "default.onnx"
    path.write_bytes(quantize((MODELS_DIR / "mnist_cnn_float32.onnx").read_bytes(), calib))
    assert saturation.problems(path) == []
    assert saturation.largest_weight(path) <= saturation.S8_WEIGHT_LIMIT
