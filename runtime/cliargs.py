"""argparse `type=` checks shared by the CLIs: an out-of-range value is a usage error that says
what is wanted, before any model is loaded or file written."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

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
    """A token that travels unchanged in a URL and a cookie."""
    if not re.fullmatch(r"[A-Za-z0-9._~-]+", text):
        raise argparse.ArgumentTypeError("a token is letters, digits and . _ ~ - only, e.g. "
                                         "from python3 -c 'import secrets; "
                                         "print(secrets.token_urlsafe(16))'")
    return text


def host_name(text: str) -> str:
    """A name the live view may be reached by (a reverse proxy's, a DNS alias)."""
    if not re.fullmatch(r"[A-Za-z0-9._:\[\]-]+", text):
        raise argparse.ArgumentTypeError(f"wants a host name such as pi.example.lan, not {text!r}")
    return text


def add_access_options(p: argparse.ArgumentParser) -> None:
    """The live view's --token and --allow-host (runtime.webcam --serve, runtime.serve)."""
    p.add_argument("--token", type=token, metavar="T", help="the live view's token "
                   "(default: a random one when HOST is not loopback)")
    p.add_argument("--allow-host", type=host_name, action="append", default=[], metavar="NAME",
                   help="also answer requests made to this name (a reverse proxy's, a DNS "
                   "alias); the addresses listened on and this machine's names always are; "
                   "repeatable")


def stable_fraction(text: str) -> tuple[int, int]:
    """K/N, shown once K of the last N frames agree (a majority)."""
    agree, _, window = text.partition("/")
    if agree.isdigit() and window.isdigit() and 0 < int(window) < 2 * int(agree) <= 2 * int(window):
        return int(agree), int(window)
    raise argparse.ArgumentTypeError(f"{text!r}: give K/N, a reading is shown once K of the last "
                                     "N frames agree, with K more than half of N and at most N "
                                     "(e.g. 3/5; 1/1 shows every frame)")
