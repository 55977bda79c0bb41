"""Saturation-free ONNX int8, decided from the model's weights and types, not from this CPU.

onnxruntime's x86 int8 GEMM (MLAS) without VNNI (AVX2, AVX-512 BW) multiplies u8 activations by s8
weights with VPMADDUBSW, which adds two u8*s8 products into a saturating int16. s8 activations are
shifted to u8 first, so either way an activation reaches 255: a pair stays exact only when
255 * (|w1| + |w2|) <= 32767, which holds for every pair when all |w| <= 64 (2 * 255 * 64 = 32640).
The rule asks for 7-bit weights, [-64, 63], one inside that bound. onnxruntime's reduce_range gives
[-64, 64], so export/convert_onnx.py holds its weights to 7 bits. VNNI (VPDPBUSD) adds into
int32 and never saturates, so a full-range model passes on the exporting VNNI machine and fails on
an AVX2 one. u8 weights take MLAS's U8U8 kernels, which widen both operands to int16 (VPMADDWD into
int32): safe by construction. ARM NEON widens as well (and its SDOT/UDOT add into int32).
Elementwise QDQ ops (Mul, Add) compute in int32/float and are not concerned.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from export.errors import SaturationError

MATRIX_OPS = {"Conv", "MatMul", "Gemm"}  # the ops that run on MLAS's int8 GEMM
S8_WEIGHT_RANGE = (-64, 63)  # 7-bit s8 weights against 8-bit activations (see above)
S8_WEIGHT_LIMIT = max(-S8_WEIGHT_RANGE[0], S8_WEIGHT_RANGE[1])  # the largest |w| allowed
INT16_MAX = 32767
ACTIVATION_MAX = 255  # an 8-bit activation as the u8 operand of VPMADDUBSW
assert 2 * ACTIVATION_MAX * S8_WEIGHT_LIMIT <= INT16_MAX


def _load(model):
    import onnx

    return model if isinstance(model, onnx.ModelProto) else onnx.load(str(model))


def weight_initializers(graph) -> list[tuple[str, object]]:
    """(node name, quantized weight TensorProto) of every Conv/MatMul/Gemm weight of a QDQ graph."""
    inits = {i.name: i for i in graph.initializer}
    producers = {out: node for node in graph.node for out in node.output}
    found = []
    for node in graph.node:
        if node.op_type not in MATRIX_OPS or len(node.input) < 2:
            continue
        dq = producers.get(node.input[1])
        if dq is not None and dq.op_type == "DequantizeLinear" and dq.input[0] in inits:
            found.append((node.name or node.op_type, inits[dq.input[0]]))
    return found


def matrix_weights(model) -> list[tuple[str, np.ndarray]]:
    """(node name, quantized weight) of every Conv/MatMul/Gemm weight from a QDQ initializer."""
    from onnx import numpy_helper

    return [(name, numpy_helper.to_array(init))
            for name, init in weight_initializers(_load(model).graph)]


def largest_weight(model) -> int:
    """The largest |quantized weight| over all matrix-op weights (0 when there are none)."""
    weights = matrix_weights(model)
    return max((int(np.abs(w.astype(np.int32)).max()) for _, w in weights if w.size), default=0)


def problems(model) -> list[str]:
    """Why the model may saturate on a non-VNNI x86 CPU (empty when it cannot)."""
    found = []
    weights = matrix_weights(model)
    if not weights:
        return ["no quantized Conv/MatMul/Gemm weights found"]
    for name, w in weights:
        if w.dtype == np.uint8:
            continue  # U8U8 kernels widen to int16 before multiplying
        if w.dtype != np.int8:
            found.append(f"{name}: weight type {w.dtype}, expected int8 or uint8")
            continue
        low, high = int(w.min()), int(w.max())
        if low < S8_WEIGHT_RANGE[0] or high > S8_WEIGHT_RANGE[1]:
            found.append(f"{name}: s8 weights span [{low}, {high}], beyond the 7 bits of "
                         f"[{S8_WEIGHT_RANGE[0]}, {S8_WEIGHT_RANGE[1]}]")
    return found


def check(path: Path) -> None:
    """Raise SaturationError unless every matrix-op weight of the model file is saturation-free."""
    found = problems(path)
    if found:
        raise SaturationError(
            f"{path.name} can saturate int16 sums on AVX2 CPUs without VNNI: {'; '.join(found[:3])}"
            f"{f' (+{len(found) - 3} more)' if len(found) > 3 else ''}; not written")
