"""TensorFlow Lite Micro as a verification target: the `tflite-micro` package's interpreter runs
a model with TFLM's reference kernels, the arithmetic a microcontroller without an optimized
kernel library computes, one image at a time as a device does.

Also what a firmware needs to know: the smallest tensor arena the model allocates and runs in,
and the operators to register with tflite::MicroMutableOpResolver.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from runtime.errors import native_stderr_silenced
from runtime.models.classifier import quantize

# Builtin operator -> the MicroMutableOpResolver method that registers it (TFLM's names); a model
# with any other operator is not one we ship for microcontrollers.
RESOLVER_METHODS = {
    "CONV_2D": "AddConv2D",
    "DEPTHWISE_CONV_2D": "AddDepthwiseConv2D",
    "MAX_POOL_2D": "AddMaxPool2D",
    "AVERAGE_POOL_2D": "AddAveragePool2D",
    "MEAN": "AddMean",
    "RESHAPE": "AddReshape",
    "FULLY_CONNECTED": "AddFullyConnected",
    "SOFTMAX": "AddSoftmax",
    "QUANTIZE": "AddQuantize",
    "DEQUANTIZE": "AddDequantize",
    "ADD": "AddAdd",
    "MUL": "AddMul",
    "RELU": "AddRelu",
    "PAD": "AddPad",
}
# What a firmware should reserve: the measured arena plus a margin, rounded up to a KiB. The
# measurement is TFLM's reference kernels on x86_64; optimized kernels (CMSIS-NN, ESP-NN) may ask
# for scratch buffers, and a 32-bit target's structures are smaller (the two partly cancel).
ARENA_MARGIN = 0.25
ARENA_ROUND = 1024


class TflmError(RuntimeError):
    """TFLM's interpreter refused the model (an unsupported op, no arena big enough)."""


def _runtime():
    from tflite_micro.python.tflite_micro import runtime

    return runtime


def interpreter(data: bytes, arena_size: int | None = None):
    """A TFLM interpreter for a model, its native error lines kept off stderr."""
    try:
        with native_stderr_silenced():
            return _runtime().Interpreter.from_bytes(data, arena_size=arena_size)
    except (RuntimeError, ValueError) as e:
        raise TflmError(f"TFLM cannot load the model ({str(e).splitlines()[0]})") from e


@dataclass(frozen=True)
class Run:
    probs: np.ndarray  # (N, 10) float32, dequantized
    seconds: float  # TFLM's interpreter on this machine's CPU, one image at a time


def _io(it) -> tuple[dict, dict]:
    return it.get_input_details(0), it.get_output_details(0)


def _params(details: dict) -> tuple[float, int]:
    q = details["quantization_parameters"]
    return float(q["scales"][0]), int(q["zero_points"][0])


def predict(data: bytes, images: np.ndarray) -> Run:
    """Float images (N, 28, 28, 1) in [0, 1] through TFLM, one invoke per image."""
    it = interpreter(data)
    inp, out = _io(it)
    in_dtype, out_dtype = np.dtype(inp["dtype"]), np.dtype(out["dtype"])
    if in_dtype != np.int8 or out_dtype != np.int8:
        raise TflmError(f"input {in_dtype} / output {out_dtype}: a microcontroller model takes "
                        "and gives int8")
    in_scale, in_zero = _params(inp)
    out_scale, out_zero = _params(out)
    q = quantize(np.asarray(images, np.float32), in_scale, in_zero, np.int8)
    shape = tuple(int(d) for d in inp["shape"])
    probs = np.empty((len(q), int(out["shape"][-1])), np.float32)
    start = time.perf_counter()
    for i, image in enumerate(q):
        it.set_input(image.reshape(shape), 0)
        it.invoke()
        probs[i] = it.get_output(0).reshape(-1)
    seconds = time.perf_counter() - start
    return Run((probs - out_zero) * np.float32(out_scale), seconds)


def _runs_in(data: bytes, arena: int) -> bool:
    try:
        it = interpreter(data, arena)
        inp, _ = _io(it)
        it.set_input(np.zeros(tuple(int(d) for d in inp["shape"]), np.int8), 0)
        with native_stderr_silenced():
            it.invoke()
    except (TflmError, RuntimeError):
        return False
    return True


def _recorded_total(it) -> int:
    """The arena total TFLM's RecordingMicroAllocator reports (it prints it on stderr)."""
    with tempfile.TemporaryFile() as sink:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(sink.fileno(), 2)
            it.print_allocations()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        sink.seek(0)
        text = sink.read().decode("utf-8", "replace")
    found = re.search(r"Arena allocation total (\d+) bytes", text)
    if found is None:
        raise TflmError("TFLM reported no arena allocation")
    return int(found.group(1))


def arena_bytes(data: bytes) -> int:
    """The tensor arena, in bytes, TFLM allocates for the model (x86_64): what its recording
    allocator reports after one inference in a generous arena, checked by running the model in an
    arena of exactly that size. (Searching down by trial crashes the interpreter: some sizes just
    too small for a large model end in a segmentation fault rather than an error.)"""
    it = interpreter(data)
    inp, _ = _io(it)
    it.set_input(np.zeros(tuple(int(d) for d in inp["shape"]), inp["dtype"]), 0)
    with native_stderr_silenced():
        it.invoke()
    total = _recorded_total(it)
    if not _runs_in(data, total):
        raise TflmError(f"the model does not run in the {total:,} bytes TFLM reported")
    return total


def arena_with_margin(measured: int) -> int:
    """The arena to reserve on a device: the measurement plus ARENA_MARGIN, in whole KiB."""
    return -(-int(measured * (1 + ARENA_MARGIN)) // ARENA_ROUND) * ARENA_ROUND


def unsupported(ops: list[str]) -> list[str]:
    """The operators no MicroMutableOpResolver method of ours registers."""
    return [op for op in ops if op not in RESOLVER_METHODS]


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("tflite-micro")
    except metadata.PackageNotFoundError:
        return "unknown"
