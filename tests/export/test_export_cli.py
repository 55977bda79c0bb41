"""End to end: a small trained model through both export CLIs, and bad input through them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from runtime.models.formats import formats_for

ROOT = Path(__file__).resolve().parents[2]
# A small model good enough for every contract row to pass honestly: the real architecture, one
# epoch on a third of the training images (about 98.5% on the test set).
TRAIN_IMAGES = 20_000
SEED = 7
BN_MOMENTUM = 0.9


def run_cli(module: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def small_model(tmp_path_factory, mnist_train) -> Path:
    import keras

    from runtime.measure import dataset
    from train.model import build_model

    keras.utils.set_random_seed(SEED)
    index = np.random.default_rng(SEED).choice(len(mnist_train.images), TRAIN_IMAGES, replace=False)
    model = build_model(keras)
    for layer in model.layers:
        # One short epoch leaves BatchNormalization's default 0.99-momentum statistics behind the
        # weights (about 30% test accuracy); faster statistics make the small model honest.
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = BN_MOMENTUM
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(dataset.to_model_input(mnist_train.images[index]),
              mnist_train.labels[index].astype(np.int64), batch_size=64, epochs=1, verbose=0)
    path = tmp_path_factory.mktemp("small") / "small.keras"
    model.save(path)
    return path


def assert_one_line_error(result: subprocess.CompletedProcess, module: str, words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith(f"{module}: error:"), result.stderr
    assert words in lines[-1]


@pytest.mark.slow
def test_both_clis_export_every_variant(small_model, tmp_path):
    from runtime.models import metadata
    from runtime.models.classifier import Classifier

    out = tmp_path / "out"
    for backend in ("tflite", "onnx"):
        result = run_cli(f"export.{backend}", "--model", str(small_model), "--out", str(out))
        assert result.returncode == 0, result.stderr[-3000:]
    report = (out / "REPORT.md").read_text()
    for fmt in formats_for("tflite") + formats_for("onnx"):
        path = out / fmt.filename
        meta = metadata.read(path)
        assert meta["format"] == fmt.key and meta["labels"] == [str(d) for d in range(10)]
        assert fmt.accepts(meta["delta_points"], meta["agreement"], meta["accuracy"])
        assert meta["command"].startswith(f"python -m export.{fmt.backend}")
        assert Classifier(path).full_integer == fmt.int8_io
        assert f"`{fmt.filename}`" in report
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []  # no temp files


@pytest.mark.slow
def test_partial_run_keeps_other_report_rows(small_model, tmp_path):
    out = tmp_path / "out"
    assert run_cli("export.onnx", "--model", str(small_model), "--variant", "float32",
                   "--out", str(out)).returncode == 0
    assert run_cli("export.tflite", "--model", str(small_model), "--variant", "dynamic",
                   "--out", str(out)).returncode == 0
    report = (out / "REPORT.md").read_text()
    assert "`mnist_cnn_float32.onnx`" in report and "`mnist_cnn_dynamic.tflite`" in report
    assert "`mnist_cnn_int8.tflite`" not in report


@pytest.mark.parametrize("backend", ["tflite", "onnx"])
def test_missing_model(backend, tmp_path):
    out = tmp_path / "out"
    missing = str(tmp_path / "nope.keras")
    result = run_cli(f"export.{backend}", "--model", missing, "--out", str(out))
    assert_one_line_error(result, f"export.{backend}", "not found")
    assert not out.exists()


def test_non_keras_model(tmp_path):
    fake = tmp_path / "fake.keras"
    fake.write_text("not a model")
    zipped = tmp_path / "zipped.keras"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("weights.h5", b"")
    out = tmp_path / "out"
    for model in (fake, zipped):
        result = run_cli("export.tflite", "--model", str(model), "--out", str(out))
        assert_one_line_error(result, "export.tflite", "not a Keras model")
    assert not out.exists()


def test_unwritable_out(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    model = tmp_path / "m.keras"
    with zipfile.ZipFile(model, "w") as z:
        z.writestr("config.json", "{}")
    result = run_cli("export.onnx", "--model", str(model), "--out", str(blocker / "sub"))
    assert_one_line_error(result, "export.onnx", str(blocker))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "m.keras"]


@pytest.mark.slow
def test_unreadable_representative_data(small_model, tmp_path):
    data = tmp_path / "mnist"
    data.mkdir()
    for name in os.listdir(os.environ["MNIST_DIR"]):
        if name.startswith("t10k"):
            (data / name).symlink_to(Path(os.environ["MNIST_DIR"]) / name)
    (data / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03truncated")
    (data / "train-labels-idx1-ubyte.gz").symlink_to(
        Path(os.environ["MNIST_DIR"]) / "train-labels-idx1-ubyte.gz")
    out = tmp_path / "out"
    result = run_cli("export.tflite", "--model", str(small_model), "--variant", "int8",
                     "--out", str(out), "--data-dir", str(data))
    assert_one_line_error(result, "export.tflite", "train-images-idx3-ubyte")
    assert not (out / "mnist_cnn_int8.tflite").exists()
    assert [p for p in out.iterdir() if p.suffix == ".tflite"] == []
