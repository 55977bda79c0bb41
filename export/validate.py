"""Verification: an exported file, run by the runtime's Classifier, against the float model."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from export import saturation
from export.errors import ValidationError
from export.source import FloatReference, accuracy
from runtime.models.classifier import (
    KERNEL_PATHS,
    Classifier,
    ClassifierOptions,
    tflite_interpreter_class,
)
from runtime.models.formats import Format
from runtime.models.tflite_graph import operators

TFLM = "tflm"  # the kernel path of TensorFlow Lite Micro's interpreter (export/tflm.py)
FLOAT_KINDS = "f"
# ONNX compute nodes that must run on int8 QDQ inputs in a full-integer model.
ONNX_KERNELS = {"Conv", "MatMul", "Gemm"}


@dataclass
class Verdict:
    """What an artifact scores on all 10,000 test images through one kernel path, vs float."""

    kernels: str  # runtime.models.classifier.KERNEL_PATHS
    accuracy: float  # percent
    delta: float  # points vs the float model
    agreement: float  # percent of images with the float model's top-1 class
    max_prob_diff: float  # largest absolute probability difference, any image, any class
    images: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Verification:
    """Every verdict an artifact passed, and what TFLM measured when its row asks for TFLM."""

    verdicts: list[Verdict]
    tflm: dict[str, Any] = field(default_factory=dict)


def measure(path: Path, reference: FloatReference, kernels: str = KERNEL_PATHS[0]) -> Verdict:
    probs = Classifier(path, ClassifierOptions(kernels=kernels)).predict(reference.test_images)
    return verdict_of(kernels, probs, reference)


def verdict_of(kernels: str, probs: np.ndarray, reference: FloatReference) -> Verdict:
    """A kernel path's probabilities on the test images, judged against the float model's."""
    acc = accuracy(probs, reference.test_labels)
    return Verdict(
        kernels=kernels,
        accuracy=acc,
        delta=acc - reference.accuracy,
        agreement=float(100.0 * np.mean(probs.argmax(axis=1) == reference.predictions)),
        max_prob_diff=float(np.abs(probs - reference.probs).max()),
        images=len(probs),
    )


def integer_problems(path: Path) -> list[str]:
    """Why a model is not full-integer (empty when it is)."""
    if path.suffix == ".onnx":
        return _onnx_integer_problems(path)
    interpreter = tflite_interpreter_class()(model_path=str(path))
    problems = []
    for kind, details in (("input", interpreter.get_input_details()),
                          ("output", interpreter.get_output_details())):
        dtypes = {np.dtype(d["dtype"]).name for d in details}
        if dtypes != {"int8"}:
            problems.append(f"{kind} tensor type {sorted(dtypes)}, expected int8")
    floats = [t["name"] for t in interpreter.get_tensor_details()
              if np.dtype(t["dtype"]).kind in FLOAT_KINDS]
    if floats:
        problems.append(f"{len(floats)} float tensors (e.g. {floats[0]}): not integer kernels")
    return problems


def _onnx_integer_problems(path: Path) -> list[str]:
    """QDQ: every Conv/MatMul/Gemm input comes from a DequantizeLinear of int8 data."""
    import onnx

    graph = onnx.load(str(path)).graph
    producers = {out: node for node in graph.node for out in node.output}
    int8_inits = {i.name for i in graph.initializer if i.data_type == onnx.TensorProto.INT8}
    quantized = {node.output[0] for node in graph.node if node.op_type == "QuantizeLinear"}
    problems = []
    for node in graph.node:
        if node.op_type not in ONNX_KERNELS:
            continue
        for name in node.input[:2]:
            dq = producers.get(name)
            source = dq.input[0] if dq is not None and dq.op_type == "DequantizeLinear" else None
            if source not in int8_inits and source not in quantized:
                problems.append(f"{node.op_type} {node.name}: input {name} is not int8 QDQ")
    if not any(n.op_type in ONNX_KERNELS for n in graph.node):
        problems.append("no Conv/MatMul/Gemm nodes found")
    return problems


def check(fmt: Format, verdict: Verdict) -> None:
    """Raise ValidationError when the artifact breaks its contract row on one kernel path."""
    if not fmt.accepts(verdict.delta, verdict.agreement, verdict.accuracy):
        raise ValidationError(
            f"{fmt.filename} breaks its contract ({fmt.budget()}) on the {verdict.kernels} "
            f"kernels: accuracy {verdict.accuracy:.2f}% ({verdict.delta:+.2f} pts), agreement "
            f"{verdict.agreement:.2f}%; not written"
        )


def check_integer(fmt: Format, path: Path) -> None:
    """Raise ValidationError when a full-integer row's model is not, or can saturate."""
    if fmt.full_integer:
        problems = integer_problems(path)
        if problems:
            raise ValidationError(
                f"{fmt.filename} is not full-integer: {'; '.join(problems)}; not written"
            )


def check_size(fmt: Format, path: Path) -> None:
    """Raise ValidationError when the file is over its row's size budget."""
    size = path.stat().st_size
    if fmt.max_bytes is not None and size > fmt.max_bytes:
        raise ValidationError(f"{fmt.filename} is {size:,} bytes, over its budget of "
                              f"{fmt.max_bytes:,} ({fmt.max_bytes // 1024} KiB); not written")


def verify_tflm(fmt: Format, path: Path, reference: FloatReference) -> tuple[Verdict, dict]:
    """All test images through TensorFlow Lite Micro's interpreter, and the arena it needs."""
    from export import tflm

    data = path.read_bytes()
    ops = operators(data)
    if tflm.unsupported(ops):
        raise ValidationError(f"{fmt.filename} uses {', '.join(tflm.unsupported(ops))}, not in "
                              "the microcontroller op set of export/tflm.py; not written")
    try:
        run = tflm.predict(data, reference.test_images)
        arena = tflm.arena_bytes(data)
    except tflm.TflmError as e:
        raise ValidationError(f"{fmt.filename}: {e}; not written") from e
    verdict = verdict_of(TFLM, run.probs, reference)
    check(fmt, verdict)
    return verdict, {
        "interpreter": f"tflite-micro {tflm.version()} (reference kernels)",
        "arena_bytes": arena,  # TFLM's recording allocator's total, run in exactly that, x86_64
        "arena_size": tflm.arena_with_margin(arena),  # what the C header reserves
        "ops": ops,
        "resolver": [tflm.RESOLVER_METHODS[op] for op in ops],
        "us_per_image": round(1e6 * run.seconds / len(run.probs), 1),  # from Python, this CPU
    }


def verify(fmt: Format, path: Path, reference: FloatReference) -> Verification:
    """Enforce a written (temporary) artifact's contract row on every kernel path a device may
    take (and under TFLM when its row says so); ONNX int8 must also be saturation-free from its
    weights, whatever this CPU does."""
    check_size(fmt, path)
    check_integer(fmt, path)
    if fmt.full_integer and fmt.backend == "onnx":
        saturation.check(path)
    verdicts = [measure(path, reference, kernels) for kernels in KERNEL_PATHS]
    for verdict in verdicts:
        check(fmt, verdict)
    if not fmt.tflm:
        return Verification(verdicts)
    verdict, measured = verify_tflm(fmt, path, reference)
    return Verification([*verdicts, verdict], measured)
