"""models/REPORT.md is shared by the export (accuracy table) and the benchmark (speed table).

Each writer owns one section between HTML comment markers and rewrites only that section,
atomically, so neither run erases the other's numbers.
"""

from __future__ import annotations

from pathlib import Path

from runtime.files import write_atomic

TITLE = "# Release artifacts: accuracy and speed\n"


def _markers(section: str) -> tuple[str, str]:
    return f"<!-- {section}:start -->", f"<!-- {section}:end -->"


def update_section(path: str | Path, section: str, body: str) -> None:
    """Replace (or append) one marked section of a Markdown report."""
    path = Path(path)
    start, end = _markers(section)
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else TITLE
    if start in text and end in text:  # what follows the section stays as it was
        head, rest = text.split(start, 1)
        text = f"{head}{block}{rest.split(end, 1)[1]}"
    else:
        text = f"{text.rstrip()}\n\n{block}\n"
    write_atomic(path, text)
