"""The MNIST reader: real files, checksums, damaged files, download through a loopback server."""

from __future__ import annotations

import gzip
import http.server
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from runtime.measure import dataset
from runtime.measure.dataset import SHA256, DatasetError

ALL_FILES = tuple(SHA256)
SOURCE = Path(os.environ["MNIST_DIR"])  # ../shared/data/mnist, set by conftest before any test


def _copy_shared(dest: Path, names=ALL_FILES, gz: bool = True) -> Path:
    """Copy the canonical files from MNIST_DIR, gzipped or decompressed."""
    src = SOURCE
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        raw = (src / f"{name}.gz").read_bytes()
        if gz:
            (dest / f"{name}.gz").write_bytes(raw)
        else:
            (dest / name).write_bytes(gzip.decompress(raw))
    return dest


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No $MNIST_DIR and an empty per-user cache: only what the test supplies is found."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(dataset.ENV_VAR, raising=False)


def test_real_files_load_with_canonical_checksums(mnist_train, mnist_test):
    assert mnist_train.images.shape == (60_000, 28, 28)
    assert mnist_test.images.shape == (10_000, 28, 28)
    assert mnist_train.images.dtype == np.uint8
    assert set(np.unique(mnist_test.labels)) == set(range(10))
    assert {**mnist_train.sha256, **mnist_test.sha256} == SHA256


def test_raw_and_gzipped_files_give_the_same_arrays(tmp_path, mnist_test):
    names = dataset.SPLITS["test"][:2]
    raw_dir = _copy_shared(tmp_path / "raw", names, gz=False)
    split = dataset.load("test", raw_dir, mirrors=())
    assert np.array_equal(split.images, mnist_test.images)
    assert np.array_equal(split.labels, mnist_test.labels)


def test_data_dir_comes_before_mnist_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(dataset.ENV_VAR, str(tmp_path / "elsewhere"))
    mine = _copy_shared(tmp_path / "mine", dataset.SPLITS["test"][:2], gz=False)
    assert dataset.locate("t10k-labels-idx1-ubyte", mine, mirrors=()).parent == mine


def _damaged(tmp_path: Path, name: str, damage) -> Path:
    folder = _copy_shared(tmp_path / "damaged", dataset.SPLITS["test"][:2], gz=False)
    path = folder / name
    path.write_bytes(damage(path.read_bytes()))
    return folder


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[: len(b) // 2], "truncated"),
        (lambda b: b[:6], "truncated"),
        (lambda b: b + b"\0" * 10, "truncated or padded"),
        (lambda b: b"\0\0\x08\x01" + b[4:], "magic number"),
        (lambda b: b[:-1] + bytes([b[-1] ^ 0xFF]), "SHA-256"),
    ],
    ids=["half", "header-only", "padded", "wrong-magic", "one-byte-flipped"],
)
def test_damaged_file_is_a_clear_error_naming_it(tmp_path, damage, message):
    folder = _damaged(tmp_path, "t10k-images-idx3-ubyte", damage)
    with pytest.raises(DatasetError, match=message) as info:
        dataset.load("test", folder, mirrors=())
    assert "t10k-images-idx3-ubyte" in str(info.value)


def test_truncated_gzip_is_a_clear_error(tmp_path):
    folder = _copy_shared(tmp_path / "gz", dataset.SPLITS["test"][:2])
    path = folder / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte.gz is not a valid gzip"):
        dataset.load("test", folder, mirrors=())


class _Mirror:
    """A static HTTP server on 127.0.0.1 serving one folder."""

    def __init__(self, folder: Path):
        handler = lambda *a, **k: _QuietHandler(*a, directory=str(folder), **k)  # noqa: E731
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def mirrors(tmp_path):
    """A good mirror and one serving corrupted copies (valid gzip, wrong content)."""
    names = dataset.SPLITS["test"][:2]  # the tests load the test split only
    good = _copy_shared(tmp_path / "good", names)
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in names:
        data = bytearray(gzip.decompress((good / f"{name}.gz").read_bytes()))
        data[-1] ^= 0xFF
        (bad / f"{name}.gz").write_bytes(gzip.compress(bytes(data), compresslevel=1))
    servers = [_Mirror(good), _Mirror(bad)]
    yield servers[0].url, servers[1].url
    for s in servers:
        s.close()


def test_download_skips_a_corrupt_mirror_and_caches_verified_files(isolated, mirrors, mnist_test,
                                                                   capsys):
    good, bad = mirrors
    split = dataset.load("test", mirrors=(bad, good))
    assert np.array_equal(split.labels, mnist_test.labels)
    cached = sorted(p.name for p in dataset.cache_dir().iterdir())
    assert cached == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    notes = capsys.readouterr().err.splitlines()  # each downloaded file named once, on stderr
    assert [n.split(" (from ")[0] for n in notes] == [
        f"wrote {dataset.cache_dir() / name}" for name in cached]
    # Second load reads the cache: no mirror needed.
    assert np.array_equal(dataset.load("test", mirrors=()).images, mnist_test.images)


def test_only_corrupt_mirrors_leave_nothing_in_the_cache(isolated, mirrors):
    _, bad = mirrors
    with pytest.raises(DatasetError, match="SHA-256"):
        dataset.load("test", mirrors=(bad,))
    cache = dataset.cache_dir()
    assert not cache.exists() or not any(cache.iterdir())


def test_offline_message_says_where_it_looked_and_what_to_do(isolated, tmp_path):
    closed = "http://127.0.0.1:9/"  # the discard port: nothing listens there
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetError) as info:
        dataset.load("test", empty, mirrors=(closed,))
    message = str(info.value)
    assert str(empty) in message and str(dataset.cache_dir()) in message
    assert "--data-dir" in message and dataset.ENV_VAR in message
    assert "127.0.0.1:9" in message
    assert "\n" not in message


def test_to_model_input_is_float_nhwc_in_unit_range(mnist_test):
    x = dataset.to_model_input(mnist_test.images[:5])
    assert x.shape == (5, 28, 28, 1) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() == 1.0


def test_unknown_split_is_rejected():
    with pytest.raises(ValueError):
        dataset.load("validation")

