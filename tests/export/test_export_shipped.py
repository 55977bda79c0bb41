"""Accuracy regression on the SHIPPED artifacts in models/, on all 10,000 test images.

Every artifact is measured on both kernel paths a device may take (the runtimes' default and the
reference one), and the ONNX int8 must be saturation-free from its weights: int8 arithmetic differs
between CPUs (AVX2 saturates where VNNI does not), and these tests must pass or fail for the
artifact's sake, whatever CPU runs them.
"""

from __future__ import annotations

import pytest

from runtime.models.classifier import KERNEL_PATHS
from runtime.models.formats import MODELS_DIR, SHIPPED, Format

pytestmark = pytest.mark.slow
MAX_INT8_SIZE_RATIO = 0.30  # the int8 TFLite file vs the float32 one


def _shipped(name: str):
    path = MODELS_DIR / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: the release needs `python -m train --out models/` (and "
                    "--recipe micro, micro_tiny), then `python -m export.tflite`, `export.onnx`, "
                    "`export.compress` and `export.micro`")
    return path


@pytest.fixture(scope="module")
def references():
    """Each row's float model and its test-set reference, loaded once per module."""
    from export.source import float_reference

    found = {}

    def of(fmt: Format):
        if fmt.source not in found:
            found[fmt.source] = float_reference(_shipped(fmt.source))
        return found[fmt.source]

    return of


@pytest.mark.parametrize("kernels", KERNEL_PATHS)
@pytest.mark.parametrize("fmt", SHIPPED, ids=lambda f: f.key)
def test_artifact_meets_its_contract_row(fmt: Format, kernels: str, references):
    from export.validate import measure

    verdict = measure(_shipped(fmt.filename), references(fmt), kernels)
    assert verdict.images == 10_000 and verdict.kernels == kernels
    assert fmt.accepts(verdict.delta, verdict.agreement, verdict.accuracy), (
        f"{fmt.filename}: {verdict.accuracy:.2f}%, {verdict.delta:+.3f} pts, agreement "
        f"{verdict.agreement:.2f}% breaks {fmt.budget()}")


@pytest.mark.parametrize("fmt", [f for f in SHIPPED if f.max_bytes], ids=lambda f: f.key)
def test_artifact_fits_its_size_budget(fmt: Format):
    assert _shipped(fmt.filename).stat().st_size <= fmt.max_bytes


@pytest.mark.parametrize("fmt", [f for f in SHIPPED if f.full_integer], ids=lambda f: f.key)
def test_int8_artifacts_are_full_integer(fmt: Format):
    from export.validate import integer_problems

    assert integer_problems(_shipped(fmt.filename)) == []


def test_int8_tflite_is_small():
    int8 = _shipped("mnist_cnn_int8.tflite").stat().st_size
    float32 = _shipped("mnist_cnn_float32.tflite").stat().st_size
    assert int8 <= MAX_INT8_SIZE_RATIO * float32, f"int8 is {int8 / float32:.0%} of float32"


@pytest.mark.parametrize("fmt", SHIPPED, ids=lambda f: f.key)
def test_artifact_metadata_names_its_source(fmt: Format, references):
    from runtime.models import metadata

    meta = metadata.read(_shipped(fmt.filename))
    assert meta["format"] == fmt.key and meta["source_model"] == fmt.source
    assert meta["source_model_sha256"] == references(fmt).sha256, "exported from another model"


def test_shipped_onnx_int8_cannot_saturate():
    """From the weights and types alone: every s8 weight in 7 bits, [-64, 63] (or u8 weights)."""
    from export import saturation

    path = _shipped("mnist_cnn_int8.onnx")
    assert saturation.matrix_weights(path), "no quantized Conv/MatMul/Gemm weights found"
    assert saturation.problems(path) == []
    saturation.check(path)


@pytest.mark.parametrize("fmt", SHIPPED, ids=lambda f: f.key)
def test_artifact_carries_the_float_classes(fmt: Format, references):
    """The float model's class per test image, for agreement on a device (runtime.evaluate)."""
    import numpy as np

    from runtime.models import metadata

    meta = metadata.read(_shipped(fmt.filename))
    classes = metadata.float_predictions(meta)
    assert classes is not None and len(classes) == 10_000
    np.testing.assert_array_equal(classes, references(fmt).predictions)
    assert set(meta["kernel_paths"]) == {*KERNEL_PATHS, *(["tflm"] if fmt.tflm else [])}
