"""TensorFlow's start-up lines (absl, oneDNN, CUDA) and the converters' C++ internals are not the
user's business: hidden unless --verbose.

TensorFlow 2.21 writes its start-up lines from C++ before absl logging is initialised, so
TF_CPP_MIN_LOG_LEVEL alone does not stop them: the import itself runs with file descriptor 2
pointed at /dev/null. Python exceptions still propagate (an ImportError keeps its message).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator

from runtime.errors import native_stderr_silenced

# Said by the TFLite converter on every full-integer conversion; nothing the user can act on.
CONVERTER_WARNINGS = ("Statistics for quantized inputs were expected",)

_verbose = False


def import_tensorflow(verbose: bool = False) -> None:
    """Import TensorFlow and Keras now, quietly unless `verbose`; call before anything else does."""
    global _verbose
    _verbose = verbose
    if verbose:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # the C++ log lines after start-up
    with native_stderr_silenced():
        import keras  # noqa: F401
        import tensorflow  # noqa: F401


@contextlib.contextmanager
def converter_output() -> Iterator[None]:
    """Around a model conversion: its C++ output on stderr and its pointless warnings hidden."""
    if _verbose:
        yield
        return
    with native_stderr_silenced(), warnings.catch_warnings():
        for text in CONVERTER_WARNINGS:
            warnings.filterwarnings("ignore", message=text, category=UserWarning)
        yield
