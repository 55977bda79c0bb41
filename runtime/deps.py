"""A missing package is one line and exit 2, not a traceback: which package, which install command.

Standard library only: it must run before numpy, OpenCV or TensorFlow can be imported. Each CLI's
package calls `check_command_line()` from its __init__, so `python -m runtime.image` checks what
runtime.image needs before its own imports run; the `mnist-edge` dispatcher calls `require()`;
`runtime.errors.cli` turns a later (lazy) import failure into the same line.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
from pathlib import Path

from runtime.errors import EXIT_USER_ERROR  # standard library only, like this module

DISTRIBUTION = "mnist-edge"
RUNTIME, TRAIN, MQTT = "runtime", "train", "mqtt"  # the pyproject extras
# import name -> (pip package, the extra that installs it)
PACKAGES: dict[str, tuple[str, str]] = {
    "numpy": ("numpy", RUNTIME),
    "cv2": ("opencv-python-headless", RUNTIME),
    "ai_edge_litert": ("ai-edge-litert", RUNTIME),
    "onnxruntime": ("onnxruntime", RUNTIME),
    "paho": ("paho-mqtt", MQTT),  # runtime.webcam --mqtt
    "tensorflow": ("tensorflow", TRAIN),
    "keras": ("tensorflow", TRAIN),  # Keras 3 comes with TensorFlow 2.21
    "tf_keras": ("tf-keras", TRAIN),
    "tensorflow_model_optimization": ("tensorflow-model-optimization", TRAIN),
    "tf2onnx": ("tf2onnx", TRAIN),
    "onnx": ("onnx", TRAIN),
    "matplotlib": ("matplotlib", TRAIN),
    "tflite_micro": ("tflite-micro", TRAIN),  # x86_64 Linux wheels only
}
# Any one of these runs a model (runtime/models/classifier.py tries them in its own order).
INTERPRETERS = ("ai_edge_litert", "tflite_runtime", "onnxruntime", "tensorflow")
_RUNTIME_NEEDS = ("numpy", "cv2", INTERPRETERS)
# What each command needs before it starts; a tuple inside is "any one of".
NEEDS: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "runtime.image": _RUNTIME_NEEDS,
    "runtime.webcam": _RUNTIME_NEEDS,
    "runtime.serve": _RUNTIME_NEEDS,
    "runtime.evaluate": _RUNTIME_NEEDS,
    "runtime.benchmark": _RUNTIME_NEEDS,
    "train": ("numpy", "tensorflow", "matplotlib"),
    "export.tflite": ("numpy", "tensorflow", INTERPRETERS),
    "export.onnx": ("numpy", "tensorflow", "tf2onnx", "onnx", "onnxruntime"),
    "export.compress": ("numpy", "tensorflow", "tf_keras", "tensorflow_model_optimization",
                        INTERPRETERS),
    "export.micro": ("numpy", "tensorflow", "tflite_micro", "ai_edge_litert"),
    "export.ladder": ("numpy", "ai_edge_litert", "tflite_micro", "matplotlib"),
}


def installed(name: str) -> bool:
    """Whether a top-level module can be found, without importing it (TensorFlow takes seconds)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a blocked or broken package
        return False


def install_command(extra: str) -> str:
    """How to get an extra: by distribution name once installed, else from the checkout."""
    try:
        importlib.metadata.version(DISTRIBUTION)
        command = f'pip install "{DISTRIBUTION}[{extra}]"'
    except importlib.metadata.PackageNotFoundError:
        command = f'pip install ".[{extra}]" (from the repository root)'
    venv = Path(".venv")
    active = Path(sys.prefix).resolve()
    if (venv / "bin" / "python").exists() and active != venv.resolve():
        return f"activate the project's venv (source .venv/bin/activate) or {command}"
    return command


def message(name: str) -> str | None:
    """The one line for a missing module, or None when it is not one of ours to install."""
    top = name.split(".", 1)[0]
    if top not in PACKAGES:
        return None
    package, extra = PACKAGES[top]
    return (f"{top} is not installed (package {package}) for {sys.executable}: "
            f"{install_command(extra)}")


def missing(module: str) -> str | None:
    """The one line for the first thing `module` needs and cannot find, else None."""
    for need in NEEDS.get(module, ()):
        if isinstance(need, str):
            if not installed(need):
                return message(need)
        elif not any(installed(n) for n in need):
            known = [n for n in need if n in PACKAGES and PACKAGES[n][1] == RUNTIME]
            extra = PACKAGES[known[0]][1]
            return (f"no model runtime installed ({' or '.join(known)}) for {sys.executable}: "
                    f"{install_command(extra)}")
    return None


def require(module: str, prog: str) -> None:
    """Exit 2 with one line on stderr when `module` cannot run here."""
    line = missing(module)
    if line is not None:
        print(f"{prog}: error: {line}", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR)


def _module_run_by_dash_m() -> str | None:
    """'runtime.image' when this process is `python [options] -m runtime.image ...`."""
    args = iter(getattr(sys, "orig_argv", [])[1:])
    for arg in args:
        if arg == "-m":
            return next(args, None)
        if arg.startswith("-m"):
            return arg[2:]
        if arg in ("-X", "-W"):  # options with a separate value
            next(args, None)
        elif not arg.startswith("-") or arg.startswith("-c"):  # a script or -c: not -m
            return None
    return None


def check_command_line() -> None:
    """Called from each CLI package's __init__: under `python -m <cli>`, check its needs first."""
    module = _module_run_by_dash_m()
    if module in NEEDS:
        require(module, module)
