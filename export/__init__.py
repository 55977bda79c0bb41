"""Float Keras model -> verified TFLite and ONNX variants."""

from runtime.deps import check_command_line

check_command_line()  # `python -m export.<backend>` without its packages: one line, not a traceback
