"""Runtime test fixtures: the shipped models (a clear failure when they are absent)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
INT8_MODEL = MODELS / "mnist_cnn_int8.tflite"


def shipped(name: str) -> Path:
    path = MODELS / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: run the export (python -m export.tflite / export.onnx)")
    return path


@pytest.fixture(scope="session")
def int8_model() -> Path:
    return shipped(INT8_MODEL.name)


@pytest.fixture(scope="session")
def classifier(int8_model):
    from runtime.classifier import Classifier

    return Classifier(int8_model)


def run_module(module: str, *args: str, env: dict | None = None, timeout: float = 300):
    """`python -m module args` from the repository root, output captured as text."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout,
    )
