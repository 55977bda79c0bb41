"""models/REPORT.md is shared by the export (accuracy table) and the benchmark (speed table).

Each writer owns one section between HTML comment markers and rewrites only that section,
atomically, so neither run erases the other's numbers.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TITLE = "# Release artifacts: accuracy and speed\n"


def _markers(section: str) -> tuple[str, str]:
    return f"<!-- {section}:start -->", f"<!-- {section}:end -->"


def write_atomic(path: str | Path, text: str) -> None:
    """Write text to a temporary file beside `path`, then rename it over `path`."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is for everyone to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_section(path: str | Path, section: str, body: str) -> None:
    """Replace (or append) one marked section of a Markdown report."""
    path = Path(path)
    start, end = _markers(section)
    block = f"{start}\n{body.rstrip()}\n{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else TITLE
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        text = f"{head}{block}{tail}"
    else:
        text = f"{text.rstrip()}\n\n{block}"
    write_atomic(path, text)
