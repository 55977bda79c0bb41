"""A missing package is one line naming it and the install command, exit 2, for every CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Put first on PYTHONPATH, it makes the listed top-level packages impossible to import, as if
# they were not installed (site imports sitecustomize at start-up, before any of our code).
BLOCKER = '''
import os, sys

BLOCKED = set(os.environ["BLOCK_IMPORTS"].split(","))


class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Blocker())
'''
NO_INTERPRETER = "ai_edge_litert,tflite_runtime,onnxruntime,tensorflow"


@pytest.fixture(scope="module")
def blocker_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("blocker")
    (folder / "sitecustomize.py").write_text(BLOCKER)
    return folder


def run_without(blocker_dir: Path, blocked: str, *command: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(blocker_dir), "BLOCK_IMPORTS": blocked}
    return subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("blocked, command, prog, package, extra", [
    ("cv2", ["-m", "runtime.image", "docs/sample-number.jpg"], "runtime.image",
     "cv2 is not installed (package opencv-python-headless)", "runtime"),
    ("cv2", ["-m", "runtime.webcam", "--video", "docs/sample-video.mp4", "--headless"],
     "runtime.webcam", "cv2 is not installed (package opencv-python-headless)", "runtime"),
    ("numpy", ["-m", "runtime.evaluate"], "runtime.evaluate",
     "numpy is not installed (package numpy)", "runtime"),
    (NO_INTERPRETER, ["-m", "runtime.benchmark"], "runtime.benchmark",
     "no model runtime installed (ai_edge_litert or onnxruntime)", "runtime"),
    ("tensorflow", ["-m", "train", "--epochs", "1"], "train",
     "tensorflow is not installed (package tensorflow)", "train"),
    ("tensorflow", ["-m", "export.tflite"], "export.tflite",
     "tensorflow is not installed (package tensorflow)", "train"),
    ("tf2onnx", ["-m", "export.onnx"], "export.onnx",
     "tf2onnx is not installed (package tf2onnx)", "train"),
    ("paho", ["-m", "runtime.webcam", "--video", "docs/sample-video.mp4", "--headless",
              "--mqtt", "mqtt://127.0.0.1"], "runtime.webcam",
     "paho is not installed (package paho-mqtt)", "mqtt"),
    ("cv2", ["-m", "runtime.cli", "image", "docs/sample-number.jpg"], "mnist-edge image",
     "cv2 is not installed (package opencv-python-headless)", "runtime"),
    ("tensorflow", ["-m", "runtime.cli", "train"], "mnist-edge train",
     "tensorflow is not installed (package tensorflow)", "train"),
    ("tensorflow", ["-m", "runtime.cli", "export", "onnx", "--variant", "int8"],
     "mnist-edge export onnx", "tensorflow is not installed (package tensorflow)", "train"),
    ("tflite_micro", ["-m", "export.micro"], "export.micro",
     "tflite_micro is not installed (package tflite-micro)", "train"),
    ("tflite_micro", ["-m", "runtime.cli", "export", "micro"], "mnist-edge export micro",
     "tflite_micro is not installed (package tflite-micro)", "train"),
    ("tensorflow_model_optimization", ["-m", "export.compress"], "export.compress",
     "tensorflow_model_optimization is not installed (package tensorflow-model-optimization)",
     "train"),
    ("matplotlib", ["-m", "export.ladder"], "export.ladder",
     "matplotlib is not installed (package matplotlib)", "train"),
])
def test_missing_package_is_one_line_and_exit_2(blocker_dir, blocked, command, prog, package,
                                                 extra):
    result = run_without(blocker_dir, blocked, *command)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{prog}: error: {package} for {sys.executable}: ")
    assert lines[0].endswith(f'pip install "mnist-edge[{extra}]"') or \
        f'pip install ".[{extra}]"' in lines[0]


def test_the_blocker_really_blocks(blocker_dir):
    """Without the check the same command would end in a traceback: the test above can fail."""
    result = run_without(blocker_dir, "cv2", "-c", "import runtime.image")
    assert result.returncode == 1 and "ModuleNotFoundError: No module named 'cv2'" in result.stderr


def test_a_lazy_import_is_one_line_too(blocker_dir, tmp_path):
    """Imports inside main() (TensorFlow after the arguments) go through runtime.errors.cli."""
    code = ("import sys; from runtime.command import cli\n"
            "@cli\n"
            "def main():\n"
            "    import tf2onnx\n"
            "sys.exit(main())\n")
    result = run_without(blocker_dir, "tf2onnx", "-c", code)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "tf2onnx is not installed" in result.stderr


def test_outside_a_venv_the_line_says_to_activate_it(blocker_dir, tmp_path):
    """A checkout with .venv, run by another Python: the usual first mistake."""
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").touch()
    env = {**os.environ, "PYTHONPATH": f"{blocker_dir}{os.pathsep}{ROOT}", "BLOCK_IMPORTS": "cv2"}
    result = subprocess.run([sys.executable, "-m", "runtime.image", "x.jpg"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "activate the project's venv (source .venv/bin/activate) or pip install" in \
        result.stderr
    assert result.stderr.count("\n") == 1


def test_installed_packages_pass_the_check():
    from runtime import deps

    for module in deps.NEEDS:
        assert deps.missing(module) is None, module
