"""The metadata dict embedded in every artifact (DESIGN.md), built from measured numbers."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from export.source import FloatReference
from export.validate import Verdict
from runtime.measure.cpu import describe as describe_cpu
from runtime.models.formats import LABELS, Format
from runtime.models.metadata import INPUT_CONVENTION, PREDICTIONS_KEY, encode_classes
from runtime.models.provenance import command_line, package_versions

PACKAGES = ("tensorflow", "keras", "tf-keras", "tensorflow-model-optimization", "tf2onnx",
            "onnx", "onnxruntime", "ai-edge-litert", "tflite-micro", "numpy")


def build(fmt: Format, reference: FloatReference, verdicts: list[Verdict],
          settings: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Top-level numbers: the default (optimized) path; every path under kernel_paths (and
    `extra`: what TFLM measured, the int8 input and output, for microcontroller models)."""
    verdict = verdicts[0]
    return {
        "format": fmt.key,
        "variant": fmt.variant,
        "description": fmt.description,
        "full_integer": fmt.full_integer,
        "labels": LABELS,
        "input": INPUT_CONVENTION,
        "source_model": reference.path.name,
        "source_model_sha256": reference.sha256,
        "float_reference_accuracy": round(reference.accuracy, 4),
        "accuracy": round(verdict.accuracy, 4),
        "delta_points": round(verdict.delta, 4),
        "agreement": round(verdict.agreement, 4),
        "max_prob_diff": float(f"{verdict.max_prob_diff:.6g}"),
        "test_images": verdict.images,
        "kernel_paths": {v.kernels: _rounded(v) for v in verdicts},
        "measured_on_cpu": describe_cpu(),
        PREDICTIONS_KEY: encode_classes(reference.predictions),
        "test_set_sha256": reference.dataset_sha256,
        "contract": fmt.budget(),
        "settings": settings,
        "command": command_line(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": package_versions(PACKAGES),
        **(extra or {}),
    }


def _rounded(verdict: Verdict) -> dict[str, Any]:
    return {"accuracy": round(verdict.accuracy, 4), "delta_points": round(verdict.delta, 4),
            "agreement": round(verdict.agreement, 4),
            "max_prob_diff": float(f"{verdict.max_prob_diff:.6g}")}
