"""python -m export.compress: the pruned and clustered rows of the format table, verified."""

from __future__ import annotations

import sys

from export.cli import main as export_main
from runtime.command import cli

COMMAND = "compress"


@cli
def main(argv: list[str] | None = None) -> int:
    return export_main(COMMAND, argv)


if __name__ == "__main__":
    sys.exit(main())
