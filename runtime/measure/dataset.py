"""MNIST from the four canonical IDX files, gzipped or raw, verified by SHA-256 (numpy only).

Lookup order: the `data_dir` argument (--data-dir), then $MNIST_DIR, then a per-user cache. Files
found nowhere are downloaded into the cache from the first mirror that answers with the right bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.errors import UserError
from runtime.files import write_atomic, written

ENV_VAR = "MNIST_DIR"
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
DOWNLOAD_TIMEOUT = 30  # seconds per request

# SHA-256 of the decompressed files (DESIGN.md).
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60_000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10_000),
}
IMAGE_MAGIC, LABEL_MAGIC = 0x00000803, 0x00000801
ROWS = COLS = 28


class DatasetError(UserError):
    """A missing, truncated, corrupt or unexpected MNIST file."""


@dataclass(frozen=True)
class Split:
    images: np.ndarray  # uint8 (N, 28, 28), white digit on black
    labels: np.ndarray  # uint8 (N,)
    sha256: dict[str, str]  # file name -> SHA-256 of its decompressed content


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mnist-edge" / "mnist"


def search_dirs(data_dir: str | Path | None = None) -> list[Path]:
    """Where files are looked for, in order."""
    dirs = [Path(data_dir)] if data_dir else []
    if os.environ.get(ENV_VAR):
        dirs.append(Path(os.environ[ENV_VAR]))
    dirs.append(cache_dir())
    return dirs


def _find(name: str, dirs: list[Path]) -> Path | None:
    for d in dirs:
        for candidate in (d / name, d / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _decompress(raw: bytes, source: str) -> bytes:
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError) as e:
        raise DatasetError(f"{source} is not a valid gzip file ({e}); delete it and retry") from e


def _parse(name: str, data: bytes, expected: int, source: str) -> np.ndarray:
    """Validate an IDX file's header against what MNIST must be and return its array."""
    images = "images" in name
    magic, dims = (IMAGE_MAGIC, 3) if images else (LABEL_MAGIC, 1)
    header = 4 + 4 * dims
    if len(data) < header:
        raise DatasetError(f"{source} is truncated: {len(data)} bytes, not even an IDX header")
    fields = np.frombuffer(data[:header], dtype=">u4")
    if fields[0] != magic:
        raise DatasetError(f"{source} has magic number {fields[0]:#010x}, expected {magic:#010x}")
    shape = tuple(int(v) for v in fields[1:])
    want = (expected, ROWS, COLS) if images else (expected,)
    if shape != want:
        raise DatasetError(f"{source} has dimensions {shape}, expected {want}")
    size = int(np.prod(shape))
    if len(data) != header + size:
        raise DatasetError(
            f"{source} is truncated or padded: {len(data) - header} bytes of data, expected {size}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def _verify(name: str, data: bytes, source: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256[name]:
        raise DatasetError(
            f"{source} has SHA-256 {digest[:16]}..., expected {SHA256[name][:16]}...: "
            "the file is corrupt or not the canonical MNIST; delete it and retry"
        )
    return digest


def _download(name: str, mirrors: tuple[str, ...], dest_dir: Path) -> tuple[Path | None, list[str]]:
    """Fetch `name`.gz from the first mirror whose content verifies; returns (path, failures)."""
    failures = []
    for mirror in mirrors:
        url = f"{mirror.rstrip('/')}/{name}.gz"
        try:
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
                raw = response.read()
            _verify(name, _decompress(raw, url), url)
        except (urllib.error.URLError, OSError, DatasetError) as e:
            failures.append(f"{url}: {getattr(e, 'reason', e)}")
            continue
        dest_dir.mkdir(parents=True, exist_ok=True)
        final = dest_dir / f"{name}.gz"
        # stderr: a one-time note, whatever the command prints on stdout
        print(f"{written(final, write_atomic(final, raw))} (from {url})", file=sys.stderr)
        return final, failures
    return None, failures


def locate(name: str, data_dir: str | Path | None = None,
           mirrors: tuple[str, ...] = MIRRORS) -> Path:
    """The path of one MNIST file, downloading it into the cache when it is nowhere to be found."""
    dirs = search_dirs(data_dir)
    found = _find(name, dirs)
    if found:
        return found
    path, failures = _download(name, mirrors, cache_dir())
    if path:
        return path
    looked = ", ".join(str(d) for d in dirs)
    tried = "; ".join(failures) or "no mirrors configured"
    raise DatasetError(
        f"MNIST file {name}[.gz] not found (looked in {looked}) and the download failed ({tried}). "
        f"Put the four MNIST files in a folder and pass --data-dir or set {ENV_VAR}"
    )


def _read(name: str, expected: int, data_dir, mirrors) -> tuple[np.ndarray, str]:
    path = locate(name, data_dir, mirrors)
    data = _decompress(path.read_bytes(), str(path))
    array = _parse(name, data, expected, str(path))
    return array, _verify(name, data, str(path))


def load(split: str, data_dir: str | Path | None = None,
         mirrors: tuple[str, ...] = MIRRORS) -> Split:
    """The 'train' (60,000) or 'test' (10,000) split, validated and checksummed."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, not {split!r}")
    images_name, labels_name, count = SPLITS[split]
    images, images_sha = _read(images_name, count, data_dir, mirrors)
    labels, labels_sha = _read(labels_name, count, data_dir, mirrors)
    return Split(images, labels, {images_name: images_sha, labels_name: labels_sha})


def to_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1], the models' input convention."""
    return (images.astype(np.float32) / 255.0)[..., None]
