"""Classifier: backends, int8 quantization, batching, metadata, bad model files."""

from __future__ import annotations

import numpy as np
import pytest

from runtime.classifier import Classifier, ClassifierOptions, ModelError
from runtime.dataset import to_model_input

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
