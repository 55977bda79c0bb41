"""argparse `type=` checks shared by the CLIs: an out-of-range value is a usage error that says
what is wanted, before any model is loaded or file written."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path

MIN_TOKEN = 16  # characters: 16 random URL-safe ones are 96 bits
THRESHOLD_HELP = ("confidence below which a digit is not shown; half of it is enough among sure "
                  "digits of its height in a row (default %(default)s)")


def _number(text: str, kind: type, wanted: str) -> int | float:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"wants {wanted}, not {text!r}") from None


def _checked(text: str, kind: type, wanted: str, ok: Callable[[float], bool]) -> int | float:
    """`text` as a `kind` for which ok() holds, else the usage error saying what is wanted."""
    value = _number(text, kind, wanted)
    if not ok(value):  # nan fails every comparison, so it is refused too
        raise argparse.ArgumentTypeError(f"wants {wanted}, not {text}")
    return value


def positive_int(text: str) -> int:
    """A count: 1, 2, 3..."""
    return _checked(text, int, "a whole number of at least 1", lambda v: v >= 1)


def probability(text: str) -> float:
    """A confidence threshold in (0, 1]."""
    return _checked(text, float, "a probability above 0 and at most 1, such as 0.5",
                    lambda v: 0 < v <= 1)


def percentage(text: str) -> float:
    """An accuracy in percent, (0, 100]."""
    return _checked(text, float, "a percentage above 0 and at most 100, such as 99.61",
                    lambda v: 0 < v <= 100)


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
    return _checked(text, float, "a number of frames per second above 0 and at most 60, such as "
                    "10", lambda v: 0 < v <= 60)


def quality(text: str) -> int:
    """A JPEG quality, 1 to 100."""
    return _checked(text, int, "a JPEG quality from 1 to 100", lambda v: 1 <= v <= 100)


def width(text: str) -> int:
    """A picture width in pixels, at least 16."""
    return _checked(text, int, "a width in pixels of at least 16", lambda v: v >= 16)


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


def seconds(text: str) -> float:
    """A time to wait: 0 or more seconds."""
    wanted = "a number of seconds, 0 or more, such as 30"
    value = _number(text, float, wanted)
    if not 0 <= value < float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"wants {wanted}, not {text}")
    return value
