"""Metadata embedded in the artifacts, readable without TensorFlow.

TFLite: a named entry of the flatbuffer's `metadata` list pointing at a buffer of UTF-8 JSON.
ONNX: a `metadata_props` entry. Both use the same key and the same JSON object. A model for
microcontrollers keeps its flatbuffer lean (it is flashed as it is) and carries the same object in a
sidecar file, `<model file>.json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

METADATA_KEY = "mnist_edge"
# The float model's class for each test image, in file order, as one string of digits (10 KB):
# agreement and a subset's float accuracy on a device that has no float model.
PREDICTIONS_KEY = "float_predictions"
TFLITE_IDENTIFIER = b"TFL3"
SIDECAR_SUFFIX = ".json"
MAX_SIDECAR_BYTES = 1 << 20  # ours hold about 11 KB; a larger file is not one of them

INPUT_CONVENTION = (
    "NHWC float32 (N, 28, 28, 1) in [0, 1], white digit on black, fitted into 20x20 keeping its "
    "aspect ratio and centred by centre of mass in 28x28; int8 models quantize with their own "
    "scale and zero point"
)


def encode_classes(classes) -> str:
    """Classes 0-9, one digit each, as a string."""
    return "".join(str(int(c)) for c in classes)


def float_predictions(metadata: dict[str, Any]):
    """The float model's classes (numpy int64 array) from an artifact's metadata, or None."""
    import numpy as np

    text = metadata.get(PREDICTIONS_KEY)
    if not isinstance(text, str) or not text.isdigit() or not text.isascii():
        return None
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.int64) - ord("0")


def _schema():
    """The TFLite flatbuffer schema shipped with ai-edge-litert (None when it is absent)."""
    try:
        from ai_edge_litert import schema_py_generated
    except ImportError:
        return None
    return schema_py_generated


def read_tflite(data: bytes) -> dict[str, Any]:
    """The JSON metadata embedded in a TFLite model, or {} when it has none."""
    schema = _schema()
    if schema is None or data[4:8] != TFLITE_IDENTIFIER:
        return {}
    model = schema.Model.GetRootAs(data, 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() == METADATA_KEY.encode():
            raw = model.Buffers(entry.Buffer()).DataAsNumpy()
            return json.loads(bytes(raw).decode("utf-8"))
    return {}


def embed_tflite(data: bytes, metadata: dict[str, Any]) -> bytes:
    """A copy of a TFLite model with `metadata` embedded (replacing an earlier entry)."""
    import flatbuffers
    import numpy as np

    schema = _schema()
    if schema is None:
        raise RuntimeError("embedding TFLite metadata needs ai-edge-litert")
    model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    model.metadata = [m for m in (model.metadata or []) if m.name != METADATA_KEY.encode()]
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(json.dumps(metadata, sort_keys=True).encode(), dtype=np.uint8)
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = METADATA_KEY
    entry.buffer = len(model.buffers) - 1
    model.metadata.append(entry)
    builder = flatbuffers.Builder(len(data) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=TFLITE_IDENTIFIER)
    return bytes(builder.Output())


def read_onnx_session(session) -> dict[str, Any]:
    """The JSON metadata of an onnxruntime InferenceSession's model, or {}."""
    raw = session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
    return json.loads(raw) if raw else {}


def sidecar(path: str | Path) -> Path:
    """The sidecar metadata file of a model file: `<model file>.json`."""
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_sidecar(path: str | Path) -> dict[str, Any]:
    """The JSON object of a model file's sidecar, or {} when there is none."""
    side = sidecar(path)
    if not side.is_file() or side.stat().st_size > MAX_SIDECAR_BYTES:
        return {}
    found = json.loads(side.read_text(encoding="utf-8"))
    return found if isinstance(found, dict) else {}


def read(path: str | Path) -> dict[str, Any]:
    """The metadata of an artifact file (embedded, else its sidecar), or {} when it has none."""
    path = Path(path)
    if path.suffix == ".onnx":
        import onnxruntime as ort

        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return read_onnx_session(session)
    return read_tflite(path.read_bytes()) or read_sidecar(path)
