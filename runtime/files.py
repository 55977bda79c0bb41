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


def publish(tmp: str | Path, path: str | Path) -> bool:
    """Give `tmp` the permissions of a normal new file (mkstemp makes it private), rename it.

    Returns whether it replaced an existing file (for `written`).
    """
    replaced = os.path.lexists(path)
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)
    return replaced


def written(path: str | Path, replaced: bool) -> str:
    """The line a CLI prints once per file it wrote."""
    return f"wrote {path}" + (" (replaced the previous file)" if replaced else "")


def write_atomic(path: str | Path, data: bytes | str) -> bool:
    """Write bytes or UTF-8 text to `path` through a temporary file; True if it replaced one."""
    tmp = temp_beside(path)
    try:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
        return publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
