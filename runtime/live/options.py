"""The live view's command-line options, shared by runtime.webcam --serve and runtime.serve."""

from __future__ import annotations

import argparse
import os

from runtime.cliargs import MIN_TOKEN, host_name, quality, rate, token, width
from runtime.live.slot import JPEG_QUALITY, STREAM_FPS

TOKEN_ENV = "MNIST_EDGE_TOKEN"  # the token, kept out of `ps` and the shell's history
STREAM_OPTIONS = ("stream_quality", "stream_fps", "stream_width")


def add_live_options(p: argparse.ArgumentParser, stream: bool) -> None:
    """--token and --allow-host; with `stream` (a camera or a video), the stream's settings."""
    p.add_argument("--token", type=token, metavar="T", help="the live view's token, at least "
                   f"{MIN_TOKEN} characters (default: ${TOKEN_ENV}, which `ps` does not show, "
                   "else a random one when HOST is not loopback)")
    p.add_argument("--allow-host", type=host_name, action="append", default=[], metavar="NAME",
                   help="also answer requests made to this name (a reverse proxy's, a DNS "
                   "alias); the addresses listened on and this machine's names always are; "
                   "repeatable")
    if stream:
        p.add_argument("--stream-quality", type=quality, metavar="Q", default=JPEG_QUALITY,
                       help=f"the live view's JPEG quality, 1-100 (default {JPEG_QUALITY})")
        p.add_argument("--stream-fps", type=rate, metavar="F", default=STREAM_FPS,
                       help=f"at most F pictures a second in the live view (default "
                       f"{STREAM_FPS:g})")
        p.add_argument("--stream-width", type=width, metavar="PX",
                       help="scale the live view's picture down to PX pixels wide (default: as "
                       "read)")


def check_live_options(p: argparse.ArgumentParser, args: argparse.Namespace,
                       serving: bool) -> None:
    """Without a server its options are a usage error; with one, the token may come from
    $MNIST_EDGE_TOKEN (checked like --token)."""
    if not serving:
        for name in ("token", "allow_host", *STREAM_OPTIONS):
            if hasattr(args, name) and getattr(args, name) != p.get_default(name):
                p.error(f"--{name.replace('_', '-')} goes with --serve")
        return
    value = os.environ.get(TOKEN_ENV)
    if args.token is None and value:
        try:
            args.token = token(value)
        except argparse.ArgumentTypeError as e:
            p.error(f"{TOKEN_ENV}: {e}")
