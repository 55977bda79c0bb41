"""Training the article's CNN (TensorFlow/Keras)."""

from runtime.deps import check_command_line

check_command_line()  # `python -m train` without TensorFlow: one line, not a traceback
