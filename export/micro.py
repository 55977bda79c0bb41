"""python -m export.micro: the microcontroller rows of the format table, verified (TFLM too)."""

from __future__ import annotations

import sys

from export.cli import main as export_main
from runtime.command import cli

COMMAND = "micro"


@cli
def main(argv: list[str] | None = None) -> int:
    return export_main(COMMAND, argv)


if __name__ == "__main__":
    sys.exit(main())
