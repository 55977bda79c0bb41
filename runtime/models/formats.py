"""The one table of artifacts: file names, backends and the accuracy contract (DESIGN.md).

Export, verification, the report, evaluation, the benchmark and `--model auto` all read this
table, so adding a format is one row here plus its converter in export/.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_CHECKOUT_MODELS = Path(__file__).resolve().parents[2] / "models"  # runtime/models/ -> ../../
# A checkout's models/; ./models when the package was installed without its checkout
# (pip install ".[runtime]" copies the code to site-packages); $MNIST_EDGE_MODELS wins.
MODELS_DIR = Path(os.environ.get("MNIST_EDGE_MODELS")
                  or (_CHECKOUT_MODELS if _CHECKOUT_MODELS.is_dir() else "models"))
FLOAT_MODEL_NAME = "mnist_cnn.keras"
FLOAT_MIN_ACCURACY = 99.55  # percent, on all 10,000 test images
DEFAULT_MODEL = MODELS_DIR / "mnist_cnn_int8.tflite"  # the library's (Recognizer.open); CLIs: auto
# The rejector: a small second model, 10 digits and "not a digit" (a letter, a symbol, a piece
# of a digit, two digits in one crop); the runtime loads it from beside the classifier.
REJECTOR_NAME = "mnist_reject_int8.tflite"
REJECTOR_KERAS = "mnist_reject.keras"
LABELS = [str(d) for d in range(10)]
MICRO_MIN_ACCURACY = 99.50  # percent, absolute: the microcontroller models' row
MICRO_MAX_BYTES = 32 * 1024  # mnist_micro_int8.tflite's flash budget (DESIGN.md)


@dataclass(frozen=True)
class Format:
    """One exported artifact and its row of the accuracy contract."""

    backend: str  # "tflite" or "onnx"
    variant: str  # the --variant name on its export command line
    filename: str
    max_drop: float  # points the artifact may score below its float model
    max_gain: float | None  # points it may score above (None: unbounded)
    min_agreement: float  # percent of test images with the float model's top-1 class (0: none)
    full_integer: bool  # every Conv/Dense kernel runs on int8 (TFLite int8 ops, ONNX QDQ)
    description: str
    # int8 input and output tensors: TFLite only; ONNX QDQ models keep float I/O and quantize
    # inside the graph, which is how onnxruntime's static quantization builds them.
    int8_io: bool = False
    exporter: str = ""  # the command that makes it, export.<exporter>; "" = export.<backend>
    source: str = FLOAT_MODEL_NAME  # the float model in models/ it is made from and judged against
    min_accuracy: float | None = None  # an absolute floor (percent), beyond the float model's
    # Also verified under TensorFlow Lite Micro's interpreter; its metadata then travels in a
    # sidecar <file>.json, so the .tflite is exactly the bytes flashed to a microcontroller.
    tflm: bool = False
    max_bytes: int | None = None  # the file's size budget
    # In models/ as released (the shipped-artifact tests hold it to its row); False: the export
    # makes it on request, but the release does not carry it yet.
    shipped: bool = True

    @property
    def key(self) -> str:
        return f"{self.backend}:{self.variant}"

    @property
    def command(self) -> str:
        """Its export command's name: tflite, onnx, compress or micro (python -m export.<it>)."""
        return self.exporter or self.backend

    def accepts(self, delta: float, agreement: float, accuracy: float) -> bool:
        """Whether an accuracy (%), its delta (points vs the float model) and an agreement (%)
        meet this row."""
        if delta < -self.max_drop - 1e-9:
            return False
        if self.max_gain is not None and delta > self.max_gain + 1e-9:
            return False
        if self.min_accuracy is not None and accuracy < self.min_accuracy - 1e-9:
            return False
        return agreement >= self.min_agreement - 1e-9

    def budget(self) -> str:
        """The contract row as text, for reports and error messages."""
        if self.max_gain is None:
            span = f">= -{self.max_drop:.2f} pts"
        else:
            span = f"within {self.max_drop:.2f} pts"
        parts = [span if self.source == FLOAT_MODEL_NAME else f"{span} of {self.source}"]
        if self.min_agreement > 0:
            parts.append(f"agreement >= {self.min_agreement:.2f}%")
        if self.min_accuracy is not None:
            parts.insert(0, f">= {self.min_accuracy:.2f}%")
        return ", ".join(parts)


def _compressed(variant: str, how: str) -> Format:
    """The article model pruned or clustered (TFMOT), fine-tuned, then full-integer int8."""
    return Format("tflite", variant, f"mnist_cnn_{variant}_int8.tflite", 0.15, None, 99.70, True,
                  f"TFLite full-integer int8 of the article model {how}", int8_io=True,
                  exporter="compress")


def _micro(name: str, budget_kib: int, shipped: bool = True) -> Format:
    """A model designed for microcontrollers, int8 in and out, verified under TFLM too."""
    return Format("tflite", name.removeprefix("mnist_"), f"{name}_int8.tflite", 0.10, 0.10, 0.0,
                  True, f"TFLite Micro int8, a CNN for microcontrollers (<= {budget_kib} KiB)",
                  int8_io=True, exporter="micro", source=f"{name}.keras",
                  min_accuracy=MICRO_MIN_ACCURACY, tflm=True, max_bytes=budget_kib * 1024,
                  shipped=shipped)


FORMATS: tuple[Format, ...] = (
    Format("tflite", "float32", "mnist_cnn_float32.tflite", 0.01, 0.01, 99.99, False,
           "TFLite float32"),
    Format("tflite", "float16", "mnist_cnn_float16.tflite", 0.02, 0.02, 99.95, False,
           "TFLite float16 weights"),
    Format("tflite", "dynamic", "mnist_cnn_dynamic.tflite", 0.10, None, 99.80, False,
           "TFLite dynamic range (int8 weights, float activations)"),
    Format("tflite", "int8", "mnist_cnn_int8.tflite", 0.10, None, 99.80, True,
           "TFLite full-integer int8, post-training calibration", int8_io=True),
    Format("tflite", "qat_int8", "mnist_cnn_qat_int8.tflite", 0.10, None, 99.80, True,
           "TFLite full-integer int8 after quantization-aware fine-tuning", int8_io=True),
    Format("onnx", "float32", "mnist_cnn_float32.onnx", 0.01, 0.01, 99.99, False,
           "ONNX float32 (tf2onnx)"),
    Format("onnx", "int8", "mnist_cnn_int8.onnx", 0.10, None, 99.80, True,
           "ONNX int8 QDQ, static per-channel"),
    _compressed("pruned50", "pruned to 50% zero weights"),
    _compressed("pruned75", "pruned to 75% zero weights"),
    _compressed("clustered16", "weight-clustered to 16 values per layer"),
    _compressed("clustered32", "weight-clustered to 32 values per layer"),
    _micro("mnist_micro", 32),
    # Not released yet: its distillation was cut short at 99.14% on validation (issue 19).
    _micro("mnist_micro_tiny", 16, shipped=False),
)
SHIPPED = tuple(f for f in FORMATS if f.shipped)


def formats_for(command: str) -> tuple[Format, ...]:
    """The rows one export command makes (tflite, onnx, compress, micro)."""
    return tuple(f for f in FORMATS if f.command == command)


def format_of(path: str | Path) -> Format | None:
    """The table row for an artifact file, by its file name (None if it is not a release name)."""
    name = Path(path).name
    return next((f for f in FORMATS if f.filename == name), None)


def format_by_key(key: object) -> Format | None:
    return next((f for f in FORMATS if f.key == key), None)
