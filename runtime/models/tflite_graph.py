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


def _filter_data(model, graph, index: int) -> np.ndarray | None:
    """A constant int8 filter's values (None when it is not one)."""
    tensor = graph.Tensors(index)
    if tensor.Type() != INT8:
        return None
    raw = model.Buffers(tensor.Buffer()).DataAsNumpy()
    if not isinstance(raw, np.ndarray) or not raw.size:
        return None
    return raw.view(np.int8).reshape([int(d) for d in tensor.ShapeAsNumpy()])


def int8_filters(data: bytes) -> list[tuple[str, np.ndarray]]:
    """(operator, filter) of every matrix op whose filter is a constant int8 tensor; the filter's
    first axis is its output channels."""
    model = _schema().Model.GetRootAs(data, 0)
    found = []
    for name, op, graph in _ops(data):
        if name in MATRIX_OPS:
            values = _filter_data(model, graph, int(op.InputsAsNumpy()[1]))
            if values is not None:
                found.append((name, values))
    return found


def summarize(data: bytes) -> Summary:
    """Operators, weights, MACs per image and int8 zeros of a TFLite model."""
    weights = macs = 0
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
    filters = [values for _, values in int8_filters(data)]
    return Summary(operators(data), weights, macs, sum(int(f.size) for f in filters),
                   sum(int(np.count_nonzero(f == 0)) for f in filters))
