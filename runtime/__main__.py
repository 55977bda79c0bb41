"""python -m runtime: the mnist-edge command (runtime/cli.py) without installing it."""

import sys

from runtime.cli import main

if __name__ == "__main__":
    sys.exit(main())
