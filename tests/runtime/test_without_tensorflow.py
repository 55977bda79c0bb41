"""The runtime runs where TensorFlow cannot be imported, and never imports it itself."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

import runtime

FORBIDDEN = ("tensorflow", "keras", "tf_keras")


def test_runtime_image_works_when_tensorflow_import_fails(tmp_path, mnist_test, pages, int8_model):
    for name in FORBIDDEN:  # fake packages shadowing any installed ones
        package = tmp_path / "fake" / name
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(f"raise ImportError('{name} is blocked here')\n")
    idx = [int(np.flatnonzero(mnist_test.labels == d)[3]) for d in (4, 2)]
    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), pages.render([mnist_test.images[i] for i in idx],
                                         np.random.default_rng(3)))
    root = Path(runtime.__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-m", "runtime.image", str(photo), "--model", str(int8_model)],
        cwd=root, env={"PYTHONPATH": str(tmp_path / "fake"), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert ": 42" in result.stdout


def test_importing_every_runtime_module_leaves_tensorflow_out(int8_model):
    modules = sorted(m.name.removeprefix("runtime.")
                     for m in pkgutil.walk_packages(runtime.__path__, prefix="runtime."))
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module('runtime.' + name)\n"
        "from runtime.models.classifier import Classifier\n"
        f"Classifier({str(int8_model)!r}).predict(__import__('numpy').zeros((1, 28, 28)))\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(bad)\n"
    )
    root = Path(runtime.__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert {"models.classifier", "reader", "reader.pipeline", "image", "webcam", "evaluate",
            "benchmark"} <= set(modules)


def test_no_import_line_for_tensorflow_in_runtime():
    for path in Path(runtime.__file__).parent.rglob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            assert not stripped.startswith(("import tensorflow", "from tensorflow",
                                            "import keras", "from keras", "import tf_keras")), path
