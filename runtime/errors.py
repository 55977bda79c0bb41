"""User-facing errors: bad input is one clear line on stderr and a non-zero exit, no traceback."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
# fd 2 belongs to the whole process: one thread at a time silences it, or two overlapping
# silences would restore each other's /dev/null and stderr would stay silent
_silencing = threading.RLock()


class UserError(Exception):
    """Bad input the user can fix (missing file, corrupt model, no camera...)."""


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
