"""mnist-edge's light runtime: numpy, OpenCV and LiteRT/onnxruntime, never TensorFlow."""

import os

from runtime.deps import check_command_line

__version__ = "0.1.0"
# The most pixels an image from outside may have (runtime/frames/decode.py checks its header first).
# OpenCV's own limit is the backstop for formats whose header we do not read: it is read once,
# when cv2 is first imported, and every command imports this package before cv2.
MAX_IMAGE_PIXELS = 50_000_000  # a 48-megapixel phone photo (8000x6000) still passes
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(MAX_IMAGE_PIXELS))

check_command_line()  # `python -m runtime.<cli>` without its packages: one line, not a traceback
