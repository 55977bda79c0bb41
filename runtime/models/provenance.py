"""Where a result came from: package versions and the command line, for cards and metadata."""

from __future__ import annotations

import platform
import shlex
import sys
from importlib import metadata as importlib_metadata


def package_versions(names: tuple[str, ...]) -> dict[str, str]:
    """Python's version and each installed package's (absent packages are left out)."""
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            continue
    return found


def command_line() -> str:
    """The running command as typed: `python -m module args...` or `python script args...`."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    head = ["python", "-m", spec.name.removesuffix(".__main__")] if spec is not None else [
        "python", sys.argv[0]]
    return shlex.join(head + sys.argv[1:])
