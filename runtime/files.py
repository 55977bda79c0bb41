"""Never a half-written file: write to a temporary name beside the target, then rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_beside(path: str | Path, suffix: str | None = None) -> Path:
    """A new empty hidden file in `path`'s folder (same filesystem, so the rename is atomic).

    `suffix` defaults to `path`'s own: some writers (OpenCV, the model runtimes) pick the format
    from it.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix or path.suffix or ".tmp",
                               dir=path.parent)
    os.close(fd)
    return Path(tmp)


def publish(tmp: str | Path, path: str | Path) -> None:
    """Give `tmp` the permissions of a normal new file (mkstemp makes it private), rename it."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write bytes or UTF-8 text to `path` through a temporary file."""
    tmp = temp_beside(path)
    try:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
        publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
