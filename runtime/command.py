"""What every command shares: its name in usage and error lines, and the wrapper that turns bad
input into one line on stderr and a non-zero exit instead of a traceback."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

from runtime.deps import message
from runtime.errors import EXIT_INTERRUPTED, EXIT_USER_ERROR, UserError

_program: str | None = None  # set by the mnist-edge dispatcher: "mnist-edge image"


def set_program(name: str) -> None:
    """Name every usage and error line of this process `name` (the dispatcher's subcommand)."""
    global _program
    _program = name


def program(default: str | None = None) -> str:
    """The name usage and error lines start with: 'mnist-edge image' when the dispatcher ran the
    command, else `default` (the module's own name), else the module run by `python -m`."""
    if _program is not None:
        return _program
    if default is not None:
        return default
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if spec is not None:
        return spec.name.removesuffix(".__main__")
    return sys.argv[0].rsplit("/", 1)[-1] or "mnist-edge"


def cli(main: Callable[..., int | None]) -> Callable[..., int]:
    """Wrap a CLI entry point: UserError and OSError become one line on stderr and exit code 2."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs) -> int:
        prog = program()
        try:
            return main(*args, **kwargs) or 0
        except UserError as e:
            print(f"{prog}: error: {e}", file=sys.stderr)
        except ModuleNotFoundError as e:  # a lazy import (TensorFlow, an interpreter) not installed
            line = message(e.name or "")
            if line is None:
                raise
            print(f"{prog}: error: {line}", file=sys.stderr)
        except OSError as e:  # unreadable input, unwritable output, full disk
            where = f": {e.filename}" if getattr(e, "filename", None) else ""
            print(f"{prog}: error: {e.strerror or e}{where}", file=sys.stderr)
        except KeyboardInterrupt:
            print(f"{prog}: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        return EXIT_USER_ERROR

    return wrapper
