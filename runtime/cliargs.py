"""argparse `type=` checks shared by the CLIs: an out-of-range value is a usage error that says
what is wanted, before any model is loaded or file written."""

from __future__ import annotations

import argparse
from pathlib import Path


def _number(text: str, kind: type, wanted: str) -> int | float:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"wants {wanted}, not {text!r}") from None


def positive_int(text: str) -> int:
    """A count: 1, 2, 3..."""
    value = _number(text, int, "a whole number of at least 1")
    if value < 1:
        raise argparse.ArgumentTypeError(f"wants a whole number of at least 1, not {text}")
    return value


def probability(text: str) -> float:
    """A confidence threshold in (0, 1]."""
    wanted = "a probability above 0 and at most 1, such as 0.5"
    value = _number(text, float, wanted)
    if not 0 < value <= 1:  # also refuses nan
        raise argparse.ArgumentTypeError(f"wants {wanted}, not {text}")
    return value


def percentage(text: str) -> float:
    """An accuracy in percent, (0, 100]."""
    wanted = "a percentage above 0 and at most 100, such as 99.61"
    value = _number(text, float, wanted)
    if not 0 < value <= 100:
        raise argparse.ArgumentTypeError(f"wants {wanted}, not {text}")
    return value


def output_dir(text: str) -> Path:
    """A folder to write into: created if missing, refused when a file already has its name."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"wants a folder (created if missing), but {text} is an existing file")
    return path
