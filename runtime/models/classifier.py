"""One interface over TFLite (LiteRT) and ONNX models: float images in [0, 1] in, probabilities out.

TensorFlow is never imported here unless neither LiteRT nor tflite-runtime is installed: the runtime
must run on a Raspberry Pi without it (DESIGN.md), so the interpreters are looked up by name.
"""

from __future__ import annotations

import importlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from runtime.errors import UserError, native_stderr_silenced
from runtime.models import metadata as model_metadata

IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
MAX_INTERPRETERS = 8  # TFLite interpreters kept, one per recent batch size
BACKENDS = {".tflite": "tflite", ".onnx": "onnx"}
# Tried in order; tensorflow.lite only as a last resort (heavy, and absent on a Pi).
TFLITE_MODULES = ("ai_edge_litert.interpreter", "tflite_runtime.interpreter", "tensorflow.lite")
# Two kernel paths a device may take, and both must meet the accuracy contract (DESIGN.md):
# "optimized" is each runtime's default (onnxruntime with all graph optimizations, i.e. fused
# integer kernels; LiteRT with its default XNNPACK delegate). "reference" is onnxruntime with graph
# optimizations off (QDQ computed node by node) and LiteRT's built-in kernels without the default
# delegate (OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES), what a build without XNNPACK runs.
OPTIMIZED, REFERENCE = "optimized", "reference"
KERNEL_PATHS = (OPTIMIZED, REFERENCE)


@dataclass
class ClassifierOptions:
    threads: int = 1
    batch_size: int = 256  # predict() runs in chunks of this size
    kernels: str = OPTIMIZED  # one of KERNEL_PATHS


class ModelError(UserError):
    """A missing, corrupt or unsupported model file."""


def _tflite_module():
    """The first TFLite interpreter module that imports, in TFLITE_MODULES order."""
    for name in TFLITE_MODULES:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ModelError(
        "no TFLite interpreter installed: pip install ai-edge-litert (or tflite-runtime)"
    )


def tflite_interpreter_class() -> type:
    """The first TFLite interpreter class that imports, in TFLITE_MODULES order."""
    return _tflite_module().Interpreter


def tflite_interpreter_args(kernels: str) -> dict[str, Any]:
    """Interpreter keyword arguments selecting a kernel path (none for the default one)."""
    if kernels == OPTIMIZED:
        return {}
    resolver = getattr(_tflite_module(), "OpResolverType", None)
    if resolver is None:  # tflite-runtime before 2.5
        raise ModelError("this TFLite interpreter cannot select its kernels (no OpResolverType): "
                         "pip install ai-edge-litert")
    return {"experimental_op_resolver_type": resolver.BUILTIN_WITHOUT_DEFAULT_DELEGATES}


def quantize(x: np.ndarray, scale: float, zero_point: int, dtype: np.dtype) -> np.ndarray:
    """Floats to an integer type with a scale and zero point, rounded and saturated."""
    info = np.iinfo(dtype)
    q = np.rint(x / scale) + zero_point
    return np.clip(q, info.min, info.max).astype(dtype)


Runner = Callable[[np.ndarray], np.ndarray]


def _in_batches_of(batch: int, run: Runner, x: np.ndarray) -> np.ndarray:
    """run(x) for a model with a fixed batch: slices of `batch`, the last one zero-padded."""
    if len(x) == batch:
        return run(x)
    out = []
    for i in range(0, len(x), batch):
        part = x[i : i + batch]
        pad = np.zeros((batch - len(part), *x.shape[1:]), x.dtype)
        out.append(run(np.concatenate([part, pad]))[: len(part)])
    return np.concatenate(out)


class _TFLiteRunner:
    """One LiteRT interpreter sized for one batch (padding to it when the model's is fixed)."""

    def __init__(self, data: bytes, threads: int, batch: int | None = None,
                 kernels: str = OPTIMIZED):
        with native_stderr_silenced():
            self._build(data, threads, batch, kernels)

    def _build(self, data: bytes, threads: int, batch: int | None, kernels: str) -> None:
        self.interpreter = tflite_interpreter_class()(model_content=data, num_threads=threads,
                                                      **tflite_interpreter_args(kernels))
        self.input = self.interpreter.get_input_details()[0]
        self.output = self.interpreter.get_output_details()[0]
        self.batch = int(self.input["shape"][0])
        # A model converted for one batch size (-1 marks a dynamic one), as microcontroller
        # models are: its shapes are constants, so resizing it fails when the tensors allocate.
        signature = self.input.get("shape_signature")
        self.fixed = signature is not None and len(signature) > 0 and int(signature[0]) != -1
        if batch is not None and batch != self.batch and not self.fixed:
            try:
                self.interpreter.resize_tensor_input(self.input["index"], [batch, *IMAGE_SHAPE])
                self.batch = batch
            except (RuntimeError, ValueError):  # a model exported with a fixed batch dimension
                self.fixed = True
        self.interpreter.allocate_tensors()
        self.input_dtype = np.dtype(self.input["dtype"])
        self.in_scale, self.in_zero = self.input["quantization"]
        self.out_scale, self.out_zero = self.output["quantization"]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return _in_batches_of(self.batch, self._invoke, x)

    def _invoke(self, x: np.ndarray) -> np.ndarray:
        if self.input_dtype.kind in "iu":
            x = quantize(x, self.in_scale, self.in_zero, self.input_dtype)
        self.interpreter.set_tensor(self.input["index"], x.astype(self.input_dtype, copy=False))
        self.interpreter.invoke()
        y = self.interpreter.get_tensor(self.output["index"])
        if y.dtype.kind in "iu":
            return (y.astype(np.float32) - self.out_zero) * np.float32(self.out_scale)
        return y.astype(np.float32, copy=True)


class _TFLitePool:
    """Interpreters per batch size, least recently used dropped first.

    Resizing one interpreter back and forth re-prepares its XNNPACK kernels on every call (about
    2 ms for the float model), while a camera frame holds 1 to a few digits, a new count each frame.
    """

    def __init__(self, data: bytes, threads: int, kernels: str = OPTIMIZED):
        self.data, self.threads, self.kernels = data, threads, kernels
        self.first = _TFLiteRunner(data, threads, kernels=kernels)
        self.runners: OrderedDict[int, _TFLiteRunner] = OrderedDict({self.first.batch: self.first})

    def __call__(self, x: np.ndarray) -> np.ndarray:
        n = len(x)
        if self.first.fixed:  # every size pads to the model's own batch
            return self.first(x)
        runner = self.runners.get(n)
        if runner is None:
            runner = _TFLiteRunner(self.data, self.threads, n, self.kernels)
            if runner.fixed:  # every size would pad to the same batch: keep just one
                self.runners = OrderedDict({n: runner})
                return runner(x)
            self.runners[n] = runner
            while len(self.runners) > MAX_INTERPRETERS:
                self.runners.popitem(last=False)
        self.runners.move_to_end(n)
        return runner(x)


class _OnnxRunner:
    """An onnxruntime session on the CPU."""

    def __init__(self, path: Path, threads: int, kernels: str = OPTIMIZED):
        ort = importlib.import_module("onnxruntime")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        if kernels == REFERENCE:
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        spec = self.session.get_inputs()[0]
        self.name = spec.name
        self.input_type = spec.type
        batch = spec.shape[0] if spec.shape else None
        self.fixed_batch = batch if isinstance(batch, int) and batch > 0 else None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.fixed_batch is None:
            return self._run(x)
        return _in_batches_of(self.fixed_batch, self._run, x)

    def _run(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.session.run(None, {self.name: x})[0], dtype=np.float32)


class Classifier:
    """A digit classifier from a .tflite or .onnx file (`outputs` classes: 10 digits, or the
    rejector's 10 digits and "not a digit")."""

    def __init__(self, path: str | Path, options: ClassifierOptions | None = None,
                 outputs: int = NUM_CLASSES):
        self.path = Path(path)
        self.outputs = outputs
        self.options = options or ClassifierOptions()
        if self.options.threads < 1 or self.options.batch_size < 1:
            raise ModelError("threads and batch size must be at least 1")
        if self.options.kernels not in KERNEL_PATHS:
            raise ModelError(f"kernels must be one of {', '.join(KERNEL_PATHS)}, "
                             f"not {self.options.kernels!r}")
        self.backend = BACKENDS.get(self.path.suffix.lower(), "")
        if not self.backend:
            raise ModelError(f"{self.path}: unsupported model type (expected .tflite or .onnx)")
        if not self.path.is_file():
            raise ModelError(f"model file not found: {self.path} (pass --model PATH)")
        self.metadata: dict[str, Any] = {}
        self._run: Runner
        if self.backend == "tflite":
            self._load_tflite()
        else:
            self._load_onnx()

    def _load_tflite(self) -> None:
        data = self.path.read_bytes()
        try:
            pool = _TFLitePool(data, self.options.threads, self.options.kernels)
        except (ValueError, RuntimeError) as e:
            raise ModelError(f"{self.path}: not a valid TFLite model ({_first_line(e)})") from e
        self._check_shapes(pool.first.input["shape"], pool.first.output["shape"])
        self.full_integer = pool.first.input_dtype == np.int8
        self.metadata = self._guarded(lambda: model_metadata.read_tflite(data)
                                      or model_metadata.read_sidecar(self.path))
        self._run = pool

    def _load_onnx(self) -> None:
        try:
            runner = _OnnxRunner(self.path, self.options.threads, self.options.kernels)
        except ImportError as e:
            raise ModelError("onnxruntime is not installed: pip install onnxruntime") from e
        except Exception as e:  # onnxruntime raises its own exception types for bad files
            raise ModelError(f"{self.path}: not a valid ONNX model ({_first_line(e)})") from e
        session = runner.session
        self._check_shapes(session.get_inputs()[0].shape, session.get_outputs()[0].shape)
        if runner.input_type != "tensor(float)":
            raise ModelError(f"{self.path}: input type {runner.input_type}, expected float")
        self.full_integer = False  # QDQ models take float input and quantize inside the graph
        self.metadata = self._guarded(lambda: model_metadata.read_onnx_session(session))
        self._run = runner

    def _guarded(self, read: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        try:
            found = read()
        except (ValueError, UnicodeDecodeError) as e:
            raise ModelError(f"{self.path}: unreadable embedded metadata ({e})") from e
        return found if isinstance(found, dict) else {}

    def _check_shapes(self, input_shape, output_shape) -> None:
        """Reject models that do not take (N, 28, 28, 1) and give (N, outputs)."""
        dims_in = [d if isinstance(d, (int, np.integer)) else -1 for d in list(input_shape)[1:]]
        dims_out = [d if isinstance(d, (int, np.integer)) else -1 for d in list(output_shape)[1:]]
        if [int(d) for d in dims_in] != list(IMAGE_SHAPE) or [int(d) for d in dims_out] != [
            self.outputs
        ]:
            raise ModelError(
                f"{self.path}: input {list(input_shape)} / output {list(output_shape)}, "
                f"expected (N, 28, 28, 1) -> (N, {self.outputs}): not an MNIST "
                f"{'digit' if self.outputs == NUM_CLASSES else 'rejector'} model"
            )

    def predict(self, images: np.ndarray) -> np.ndarray:
        """float images in [0,1], (N,28,28,1) or (N,28,28) -> (N,outputs) float32 probabilities"""
        x = np.asarray(images, dtype=np.float32)
        if x.ndim == 3:
            x = x[..., None]
        if x.ndim != 4 or x.shape[1:] != IMAGE_SHAPE:
            raise ValueError(f"images must be (N, 28, 28[, 1]), got {np.shape(images)}")
        if len(x) == 0:
            return np.zeros((0, self.outputs), np.float32)
        step = self.options.batch_size
        if len(x) <= step:
            return self._run(np.ascontiguousarray(x))
        return np.concatenate(
            [self._run(np.ascontiguousarray(x[i : i + step])) for i in range(0, len(x), step)]
        )

    def __repr__(self) -> str:
        return (f"Classifier({str(self.path)!r}, backend={self.backend!r}, "
                f"kernels={self.options.kernels!r})")


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
