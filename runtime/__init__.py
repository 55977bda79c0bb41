"""mnist-edge's light runtime: numpy, OpenCV and LiteRT/onnxruntime, never TensorFlow."""

from runtime.deps import check_command_line

__version__ = "0.1.0"

check_command_line()  # `python -m runtime.<cli>` without its packages: one line, not a traceback
