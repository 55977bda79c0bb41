"""Runtime test fixtures: the shipped models (a clear failure when they are absent)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
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
def onnx_model() -> Path:
    return shipped("mnist_cnn_float32.onnx")


@pytest.fixture(scope="session")
def classifier(int8_model):
    from runtime.models.classifier import Classifier

    return Classifier(int8_model)


def _run_module(module: str, *args: str, env: dict | None = None, timeout: float = 300):
    """`python -m module args` from the repository root, output captured as text."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture(scope="session")
def run_module():
    return _run_module


def _one_line_error(result) -> str:
    """Assert a CLI failed cleanly: non-zero exit, exactly one stderr line, no traceback."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0, result.stdout
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.fixture(scope="session")
def one_line_error():
    return _one_line_error


def _sibling(name: str):
    """tests/runtime/<name>.py (tests cannot import siblings under --import-mode=importlib)."""
    spec = importlib.util.spec_from_file_location(f"runtime_test_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def pages():
    """tests/runtime/pages.py: MNIST digits photographed on paper."""
    return _sibling("pages")


@pytest.fixture(scope="session")
def mqtt_kit():
    """tests/runtime/broker.py: mosquitto, certificates, a subscriber, a camera we control."""
    return _sibling("broker")


@pytest.fixture
def make_broker(mqtt_kit, tmp_path):
    """make_broker(users=..., tls=...) makes a mosquitto (start it yourself); all killed afterwards,
    even when the test fails."""
    made = []

    def make(**options):
        made.append(mqtt_kit.Broker(tmp_path / f"broker{len(made)}", **options))
        return made[-1]

    yield make
    for each in made:
        each.kill()


@pytest.fixture
def start_reader(mqtt_kit):
    """start_reader(*args, env=...) starts runtime.webcam in the background; killed afterwards if it
    still runs (a camera never ends by itself)."""
    started = []

    def start(*args, env=None):
        started.append(mqtt_kit.Reader(ROOT, *args, env=env))
        return started[-1]

    yield start
    for each in started:
        if each.process.poll() is None:
            each.process.kill()
            each.process.wait(timeout=10)


@pytest.fixture(scope="session")
def bombs():
    """tests/runtime/bombs.py: images whose pixel count is far beyond their bytes."""
    return _sibling("bombs")


@pytest.fixture(scope="session")
def png_bomb(bombs) -> bytes:
    """A 16000x16000 PNG of about 250 KiB (made once: compressing 256 MB takes seconds)."""
    return bombs.png_bomb()
