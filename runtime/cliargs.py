"""argparse `type=` checks shared by the CLIs: an out-of-range value is a usage error that says
what is wanted, before any model is loaded or file written."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

MIN_TOKEN = 16  # characters: 16 random URL-safe ones are 96 bits
THRESHOLD_HELP = ("confidence below which a digit is not shown; half of it is enough among sure "
                  "digits of its height in a row (default %(default)s)")


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


def token(text: str) -> str:
    """A token that travels unchanged in a URL and a cookie, long enough not to be guessed."""
    if len(text) < MIN_TOKEN or not re.fullmatch(r"[A-Za-z0-9._~-]+", text):
        raise argparse.ArgumentTypeError(f"a token is at least {MIN_TOKEN} letters, digits and "
                                         ". _ ~ - only, e.g. from python3 -c 'import secrets; "
                                         "print(secrets.token_urlsafe(16))'")
    return text


def rate(text: str) -> float:
    """Frames per second in (0, 60]."""
    wanted = "a number of frames per second above 0 and at most 60, such as 10"
    value = _number(text, float, wanted)
    if not 0 < value <= 60:
        raise argparse.ArgumentTypeError(f"wants {wanted}, not {text}")
    return value


def quality(text: str) -> int:
    """A JPEG quality, 1 to 100."""
    value = _number(text, int, "a JPEG quality from 1 to 100")
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"wants a JPEG quality from 1 to 100, not {text}")
    return value


def width(text: str) -> int:
    """A picture width in pixels, at least 16."""
    value = _number(text, int, "a width in pixels of at least 16")
    if value < 16:
        raise argparse.ArgumentTypeError(f"wants a width in pixels of at least 16, not {text}")
    return value


def host_name(text: str) -> str:
    """A name the live view may be reached by (a reverse proxy's, a DNS alias)."""
    if not re.fullmatch(r"[A-Za-z0-9._:\[\]-]+", text):
        raise argparse.ArgumentTypeError(f"wants a host name such as pi.example.lan, not {text!r}")
    return text


def stable_fraction(text: str) -> tuple[int, int]:
    """K/N, shown once K of the last N frames agree (a majority)."""
    agree, _, window = text.partition("/")
    if agree.isdigit() and window.isdigit() and 0 < int(window) < 2 * int(agree) <= 2 * int(window):
        return int(agree), int(window)
    raise argparse.ArgumentTypeError(f"{text!r}: give K/N, a reading is shown once K of the last "
                                     "N frames agree, with K more than half of N and at most N "
                                     "(e.g. 3/5; 1/1 shows every frame)")
