"""The one table of artifacts: file names, backends and the accuracy contract (DESIGN.md).

Export, verification, the report, evaluation and the benchmark all read this table, so adding a
format is one row here plus its converter in export/.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_CHECKOUT_MODELS = Path(__file__).resolve().parent.parent / "models"
# A checkout's models/; ./models when the package was installed without its checkout
# (pip install ".[runtime]" copies the code to site-packages); $MNIST_EDGE_MODELS wins.
MODELS_DIR = Path(os.environ.get("MNIST_EDGE_MODELS")
                  or (_CHECKOUT_MODELS if _CHECKOUT_MODELS.is_dir() else "models"))
FLOAT_MODEL_NAME = "mnist_cnn.keras"
FLOAT_MIN_ACCURACY = 99.55  # percent, on all 10,000 test images
DEFAULT_MODEL = MODELS_DIR / "mnist_cnn_int8.tflite"
# The rejector: a small second model, 10 digits and "not a digit" (a letter, a symbol, a piece
# of a digit, two digits in one crop); the runtime loads it from beside the classifier.
REJECTOR_NAME = "mnist_reject_int8.tflite"
REJECTOR_KERAS = "mnist_reject.keras"
LABELS = [str(d) for d in range(10)]


@dataclass(frozen=True)
class Format:
    """One exported artifact and its row of the accuracy contract."""

    backend: str  # "tflite" or "onnx"
    variant: str  # the --variant name on the export command line
    filename: str
    max_drop: float  # points the artifact may score below the float model
    max_gain: float | None  # points it may score above (None: unbounded)
    min_agreement: float  # percent of test images with the float model's top-1 class
    full_integer: bool  # every Conv/Dense kernel runs on int8 (TFLite int8 ops, ONNX QDQ)
    description: str
    # int8 input and output tensors: TFLite only; ONNX QDQ models keep float I/O and quantize
    # inside the graph, which is how onnxruntime's static quantization builds them.
    int8_io: bool = False

    @property
    def key(self) -> str:
        return f"{self.backend}:{self.variant}"

    def accepts(self, delta: float, agreement: float) -> bool:
        """Whether an accuracy delta (points vs float) and an agreement (%) meet this row."""
        if delta < -self.max_drop - 1e-9:
            return False
        if self.max_gain is not None and delta > self.max_gain + 1e-9:
            return False
        return agreement >= self.min_agreement - 1e-9

    def budget(self) -> str:
        """The contract row as text, for reports and error messages."""
        if self.max_gain is None:
            span = f">= -{self.max_drop:.2f} pts"
        else:
            span = f"within {self.max_drop:.2f} pts"
        return f"{span}, agreement >= {self.min_agreement:.2f}%"


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
)


def formats_for(backend: str) -> tuple[Format, ...]:
    return tuple(f for f in FORMATS if f.backend == backend)


def format_of(path: str | Path) -> Format | None:
    """The table row for an artifact file, by its file name (None if it is not a release name)."""
    name = Path(path).name
    return next((f for f in FORMATS if f.filename == name), None)
