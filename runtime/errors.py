"""User-facing errors: bad input is one clear line on stderr and a non-zero exit, no traceback."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
# fd 2 belongs to the whole process: one thread at a time silences it, or two overlapping
# silences would restore each other's /dev/null and stderr would stay silent
_silencing = threading.RLock()


class UserError(Exception):
    """Bad input the user can fix (missing file, corrupt model, no camera...)."""


def _prog_name() -> str:
    """'runtime.image' under `python -m runtime.image`, else the script name."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if spec is not None:
        return spec.name.removesuffix(".__main__")
    return sys.argv[0].rsplit("/", 1)[-1] or "mnist-edge"


def cli(main: Callable[..., int | None]) -> Callable[..., int]:
    """Wrap a CLI entry point: UserError and OSError become one line on stderr and exit code 2."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs) -> int:
        prog = _prog_name()
        try:
            return main(*args, **kwargs) or 0
        except UserError as e:
            print(f"{prog}: error: {e}", file=sys.stderr)
        except ModuleNotFoundError as e:  # a lazy import (TensorFlow, an interpreter) not installed
            from runtime.deps import message  # here: runtime.deps imports this module

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


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """File descriptor 2 sent to /dev/null for a while: native libraries (LiteRT's 'Created
    TensorFlow Lite XNNPACK delegate', TensorFlow's start-up, the TFLite converter) print there,
    and our CLIs promise stderr holds only real errors. Python-level exceptions still propagate.
    Thread-safe: other threads wanting it wait; meanwhile their own stderr lines are lost too."""
    with _silencing:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
