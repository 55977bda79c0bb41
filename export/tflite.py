"""python -m export.tflite: the tflite variants of the format table, verified, with REPORT.md."""

from __future__ import annotations

import sys

from export.cli import main as export_main
from runtime.command import cli

BACKEND = "tflite"


@cli
def main(argv: list[str] | None = None) -> int:
    return export_main(BACKEND, argv)


if __name__ == "__main__":
    sys.exit(main())
