"""What a TFLite model computes, read from its flatbuffer (no interpreter, no TensorFlow): its
operators, the weights of its convolutions and dense layers, and their multiply-accumulates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

# Operator -> how many multiply-accumulates per output element: the filter's size without its
# output-channel axis (conv: kh*kw*cin; depthwise: kh*kw; dense: in).
MATRIX_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")
INT8 = 9  # schema.TensorType.INT8


@dataclass(frozen=True)
class Summary:
    operators: list[str]  # builtin names, in order of first use
    weights: int  # elements of the matrix ops' filters and biases (BatchNormalization folded in)
    macs: int  # multiply-accumulates per image
    int8_weights: int  # filter elements stored as int8 constants
    zero_weights: int  # ...of which are exactly zero (a pruned layer)


def _schema():
    from ai_edge_litert import schema_py_generated

    return schema_py_generated


def _ops(data: bytes) -> Iterator[tuple[str, object, object]]:
    """(builtin name, operator, subgraph) for every operator of the main subgraph."""
    schema = _schema()
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    model = schema.Model.GetRootAs(data, 0)
    graph = model.Subgraphs(0)
    for i in range(graph.OperatorsLength()):
        op = graph.Operators(i)
        code = model.OperatorCodes(op.OpcodeIndex())
        yield names.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "CUSTOM"), op, graph


def operators(data: bytes) -> list[str]:
    """The builtin operators of a TFLite model, in order of first use."""
    return list(dict.fromkeys(name for name, _, _ in _ops(data)))


def _shape(graph, index: int) -> list[int]:
    return [int(d) for d in graph.Tensors(index).ShapeAsNumpy()] if index >= 0 else []


def summarize(data: bytes) -> Summary:
    """Operators, weights, MACs per image and int8 zeros of a TFLite model."""
    model = _schema().Model.GetRootAs(data, 0)
    weights = macs = int8_weights = zeros = 0
    for name, op, graph in _ops(data):
        if name not in MATRIX_OPS:
            continue
        inputs = [int(i) for i in op.InputsAsNumpy()]
        filt = _shape(graph, inputs[1])
        out = _shape(graph, int(op.OutputsAsNumpy()[0]))
        weights += int(np.prod(filt)) + (int(np.prod(_shape(graph, inputs[2])))
                                         if len(inputs) > 2 and inputs[2] >= 0 else 0)
        per_output = int(np.prod(filt[1:])) if name != "DEPTHWISE_CONV_2D" else \
            int(np.prod(filt[1:-1]))
        macs += int(np.prod(out[1:])) * per_output
        tensor = graph.Tensors(inputs[1])
        if tensor.Type() == INT8:
            raw = model.Buffers(tensor.Buffer()).DataAsNumpy()
            if isinstance(raw, np.ndarray) and raw.size:
                int8_weights += int(raw.size)
                zeros += int(np.count_nonzero(raw == 0))
    return Summary(operators(data), weights, macs, int8_weights, zeros)
