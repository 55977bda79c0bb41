"""runtime.evaluate: --limit, both kernel paths, agreement from the float classes in metadata."""

from __future__ import annotations

import json

import numpy as np
import pytest

from runtime.errors import UserError
from runtime.evaluate import TEST_IMAGES, float_reference
from runtime.models import metadata
from runtime.models.classifier import KERNEL_PATHS

LIMIT = 300


def test_float_reference_on_the_first_n_images():
    labels = np.array([1, 2, 3, 4])
    meta = {metadata.PREDICTIONS_KEY: metadata.encode_classes([1, 2, 0, 4, 9, 9])}
    ref = float_reference(meta, labels, None)
    assert ref.accuracy == 75.0
    np.testing.assert_array_equal(ref.predictions, [1, 2, 0, 4])


def test_without_float_classes_only_the_whole_test_set_is_judged():
    whole = np.zeros(TEST_IMAGES, np.uint8)
    assert float_reference({"float_reference_accuracy": 99.5}, whole, None).predictions is None
    assert float_reference({}, whole, 98.0).accuracy == 98.0
    with pytest.raises(UserError, match="--limit needs"):
        float_reference({"float_reference_accuracy": 99.5}, whole[:10], None)
    with pytest.raises(UserError, match="--reference"):
        float_reference({}, whole, None)


def test_malformed_classes_are_ignored():
    assert metadata.float_predictions({metadata.PREDICTIONS_KEY: "12x4"}) is None
    assert metadata.float_predictions({}) is None


@pytest.mark.parametrize("name", ["mnist_cnn_int8.tflite", "mnist_cnn_int8.onnx"])
def test_limit_on_both_kernel_paths(run_module, name, mnist_test):
    from runtime.models.formats import MODELS_DIR

    path = MODELS_DIR / name
    assert path.is_file(), f"{path} is missing: run the export"
    classes = metadata.float_predictions(metadata.read(path))
    assert classes is not None, f"{name} carries no float classes: re-export it"
    result = run_module("runtime.evaluate", "--model", str(path), "--limit", str(LIMIT), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["kernels"] for r in lines] == list(KERNEL_PATHS)
    float_acc = 100.0 * np.mean(classes[:LIMIT] == mnist_test.labels[:LIMIT])
    for r in lines:
        assert r["images"] == LIMIT and r["pass"] is True
        assert r["float_accuracy"] == pytest.approx(float_acc)
        assert 99.0 <= r["agreement"] <= 100.0
        assert "int8 features" in r["cpu"]
    text = run_module("runtime.evaluate", "--model", str(path), "--limit", "50",
                      "--kernels", "reference")
    assert text.returncode == 0, text.stderr
    assert "(the first 50)" in text.stdout and "kernels          reference" in text.stdout
    assert "optimized" not in text.stdout and "int8 features" in text.stdout


def test_bad_limit(run_module, int8_model):
    result = run_module("runtime.evaluate", "--model", str(int8_model), "--limit", "0")
    assert result.returncode == 2 and "--limit" in result.stderr
