"""Classifier: backends, int8 quantization, batching, metadata, bad model files."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.benchmark import latency_us, throughput
from runtime.measure.dataset import to_model_input
from runtime.models.classifier import Classifier, ClassifierOptions, ModelError, _in_batches_of

SAMPLE = 512


def test_int8_model_reads_mnist_test_digits(classifier, mnist_test):
    x = to_model_input(mnist_test.images[:SAMPLE])
    probs = classifier.predict(x)
    assert probs.shape == (SAMPLE, 10) and probs.dtype == np.float32
    assert classifier.backend == "tflite" and classifier.full_integer
    assert np.allclose(probs.sum(axis=1), 1.0, atol=0.02)
    assert (probs.argmax(axis=1) == mnist_test.labels[:SAMPLE]).mean() >= 0.97


def test_batches_and_chunks_agree_with_single_images(int8_model, mnist_test):
    small = Classifier(int8_model, ClassifierOptions(batch_size=7))
    x = to_model_input(mnist_test.images[:40])
    batched = small.predict(x[..., 0])  # (N, 28, 28) is accepted too
    single = np.concatenate([small.predict(x[i : i + 1]) for i in range(len(x))])
    np.testing.assert_allclose(batched, single, atol=1e-6)
    assert small.predict(x[:0]).shape == (0, 10)


def test_metadata_is_a_dict(classifier):
    assert isinstance(classifier.metadata, dict)


def test_wrong_shape_is_rejected(classifier):
    with pytest.raises(ValueError):
        classifier.predict(np.zeros((2, 32, 32), np.float32))


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("garbage.tflite", b"\x00\x01not a model at all" * 50, "not a valid TFLite model"),
        ("garbage.onnx", b"this is no protobuf", "not a valid ONNX model"),
        ("model.h5", b"whatever", "unsupported model type"),
    ],
)
def test_bad_model_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ModelError, match=message):
        Classifier(path)


def test_missing_model(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        Classifier(tmp_path / "absent.tflite")


def test_onnx_float_model_agrees_with_int8(onnx_model, classifier, mnist_test):
    onnx = Classifier(onnx_model, ClassifierOptions(threads=2))
    assert onnx.backend == "onnx" and not onnx.full_integer
    x = to_model_input(mnist_test.images[:SAMPLE])
    agree = (onnx.predict(x).argmax(axis=1) == classifier.predict(x).argmax(axis=1)).mean()
    assert agree >= 0.98


def test_fixed_batch_models_are_padded():
    calls = []

    def run(x):
        calls.append(len(x))
        return np.repeat(x.reshape(len(x), -1).sum(axis=1, keepdims=True), 10, axis=1)

    x = np.arange(7, dtype=np.float32).reshape(7, 1, 1, 1) * np.ones((7, 28, 28, 1), np.float32)
    out = _in_batches_of(3, run, x)
    assert calls == [3, 3, 3] and out.shape == (7, 10)
    np.testing.assert_allclose(out[:, 0], np.arange(7) * 784)


def test_latency_and_throughput_helpers(classifier):
    median, p99 = latency_us(classifier, runs=5)
    assert 0 < median <= p99
    assert throughput(classifier, runs=2, batch=8) > 0


@pytest.mark.parametrize("name", ["mnist_cnn_float32.tflite", "mnist_cnn_int8.tflite",
                                  "mnist_cnn_float32.onnx", "mnist_cnn_int8.onnx"])
def test_both_kernel_paths_read_the_same_digits(name, mnist_test):
    """The reference path (no XNNPACK / no graph optimizations) is a real, different session."""
    from runtime.models.classifier import KERNEL_PATHS
    from runtime.models.formats import MODELS_DIR

    path = MODELS_DIR / name
    assert path.is_file(), f"{path} is missing: run the export"
    x = to_model_input(mnist_test.images[:SAMPLE])
    probs = {k: Classifier(path, ClassifierOptions(kernels=k)).predict(x)
             for k in KERNEL_PATHS}
    optimized, reference = probs["optimized"], probs["reference"]
    assert (optimized.argmax(1) == reference.argmax(1)).mean() >= 0.99
    assert (reference.argmax(1) == mnist_test.labels[:SAMPLE]).mean() >= 0.97


def test_reference_path_is_what_it_says(int8_model, onnx_model):
    import onnxruntime as ort

    onnx_ref = Classifier(onnx_model, ClassifierOptions(kernels="reference"))
    level = onnx_ref._run.session.get_session_options().graph_optimization_level
    assert level == ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    default = Classifier(onnx_model)._run.session.get_session_options().graph_optimization_level
    assert default == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert "reference" in repr(Classifier(int8_model, ClassifierOptions(kernels="reference")))


def test_unknown_kernel_path(int8_model):
    with pytest.raises(ModelError, match="kernels must be one of"):
        Classifier(int8_model, ClassifierOptions(kernels="fast"))
