"""A microcontroller model as C++ source: an aligned byte array, its length, and a header that
says what the firmware needs (arena size, operators to register, input/output quantization).

TFLM reads the flatbuffer in place, so the array must stay `const` (in flash) and be aligned for
the flatbuffer's 16-byte fields: `alignas(16)`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

BYTES_PER_LINE = 12
ALIGNMENT = 16


def symbol(filename: str) -> str:
    """The C identifier of a model file: mnist_micro_int8.tflite -> mnist_micro_int8."""
    return re.sub(r"\W", "_", Path(filename).stem)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _array(data: bytes) -> str:
    rows = (", ".join(f"0x{b:02x}" for b in data[i : i + BYTES_PER_LINE])
            for i in range(0, len(data), BYTES_PER_LINE))
    return ",\n".join(f"    {row}" for row in rows)


def source(filename: str, data: bytes) -> str:
    """The .cc file: the model bytes as an aligned const array and its length."""
    name = symbol(filename)
    return (f"// {filename} as a C array, written by `python -m export.micro`; do not edit.\n"
            f'#include "{name}.h"\n\n'
            f"alignas({ALIGNMENT}) const unsigned char g_{name}_model[] = {{\n{_array(data)}\n}};\n"
            f"const unsigned int g_{name}_model_len = {len(data)};\n")


def header(filename: str, data: bytes, meta: dict[str, Any]) -> str:
    """The .h file: the array's declaration and what a firmware needs to run it with TFLM."""
    name, camel = symbol(filename), _camel(symbol(filename))
    tflm, io = meta["tflm"], meta["io"]
    guard = f"{name.upper()}_H_"
    resolver = "\n".join(f"//   resolver.{method}();" for method in tflm["resolver"])
    paths = meta["kernel_paths"]
    return f"""\
// {filename}: {meta["description"]}.
// Written by `python -m export.micro`; do not edit. Source model {meta["source_model"]}
// (SHA-256 {meta["source_model_sha256"][:16]}...), {len(data):,} bytes.
//
// Accuracy on all 10,000 MNIST test images: {paths["tflm"]["accuracy"]:.2f}% under TensorFlow Lite
// Micro's reference kernels, {paths["optimized"]["accuracy"]:.2f}% in LiteRT; the float model
// {meta["float_reference_accuracy"]:.2f}%. Contract: {meta["contract"]}.
//
// Register exactly these operators ({len(tflm["resolver"])}):
//   static tflite::MicroMutableOpResolver<{len(tflm["resolver"])}> resolver;
{resolver}
//
// Tensor arena: {tflm["arena_bytes"]:,} bytes measured under TFLM (x86_64, reference kernels);
// k{camel}ArenaSize adds a margin for optimized kernels' scratch buffers (CMSIS-NN, ESP-NN).
//
// Input: int8 {io["input_shape"]}, a 28x28 MNIST-normalised digit (white on black, x in [0, 1]):
//   q = round(x / k{camel}InputScale) + k{camel}InputZeroPoint, clamped to [-128, 127].
// Output: int8 {io["output_shape"]}, probabilities of the digits 0-9:
//   p = (q - k{camel}OutputZeroPoint) * k{camel}OutputScale.
#ifndef {guard}
#define {guard}

extern const unsigned char g_{name}_model[];
extern const unsigned int g_{name}_model_len;

constexpr int k{camel}ArenaSize = {tflm["arena_size"]};
constexpr float k{camel}InputScale = {io["input_scale"]!r}f;
constexpr int k{camel}InputZeroPoint = {io["input_zero_point"]};
constexpr float k{camel}OutputScale = {io["output_scale"]!r}f;
constexpr int k{camel}OutputZeroPoint = {io["output_zero_point"]};

#endif  // {guard}
"""


def io_params(data: bytes) -> dict[str, Any]:
    """The model's input and output shapes and int8 quantization, from the flatbuffer."""
    from runtime.models.classifier import tflite_interpreter_class

    interpreter = tflite_interpreter_class()(model_content=data)
    found: dict[str, Any] = {}
    for kind, details in (("input", interpreter.get_input_details()[0]),
                          ("output", interpreter.get_output_details()[0])):
        scale, zero = details["quantization"]
        found[f"{kind}_shape"] = [int(d) for d in details["shape"]]
        found[f"{kind}_scale"] = float(scale)
        found[f"{kind}_zero_point"] = int(zero)
    return found


def files(final: Path, data: bytes, meta: dict[str, Any]) -> dict[Path, str]:
    """{path: text} of the .cc and .h files beside a model file."""
    stem = final.with_suffix("")
    return {stem.with_suffix(".cc"): source(final.name, data),
            stem.with_suffix(".h"): header(final.name, data, meta)}
