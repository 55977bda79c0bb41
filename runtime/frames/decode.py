"""Images from outside (files, the drawing pad's POST), decoded with their size checked first.

A 272 KiB PNG can hold 16000x16000 pixels: decoded, 768 MB. The width and height are read from a
PNG or JPEG header without decoding, and an image above the limit is refused before any pixel is
allocated. For other formats OpenCV's own limit (OPENCV_IO_MAX_IMAGE_PIXELS, set in
runtime/__init__.py before cv2 is first imported) is the backstop: it raises instead of decoding.
The codecs' own warnings (`libpng warning: ...`, `Corrupt JPEG data: ...`) go straight to file
descriptor 2; they are kept off the console, since a bad image is answered by us in one line.
"""

from __future__ import annotations

import struct

import cv2
import numpy as np

from runtime import MAX_IMAGE_PIXELS
from runtime.errors import UserError, native_stderr_silenced

JPEG_MAGIC, PNG_MAGIC = b"\xff\xd8", b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic): they carry the size
JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
JPEG_NO_LENGTH = {0x01, *range(0xD0, 0xD9)}  # TEM, RSTn, SOI: markers without a segment
OPENCV_LIMIT = "CV_IO_MAX_IMAGE_PIXELS"  # in the cv2.error OpenCV raises above its limit


class TooLarge(UserError):
    """An image with more pixels than allowed: refused before decoding."""


def header_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from a PNG or JPEG header, or None (another format, or no header)."""
    if data.startswith(PNG_MAGIC):
        if len(data) >= 24 and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        return None
    if data.startswith(JPEG_MAGIC):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG's segments to its first start-of-frame, as libjpeg does."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None  # not at a marker: a corrupt header
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker in JPEG_NO_LENGTH:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in JPEG_SOF:
            if at + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        if marker in (0xD9, 0xDA) or length < 2:  # end of image, or the scan before any frame
            return None
        at += 2 + length
    return None


def truncated(data: bytes) -> bool:
    """JPEG without an end-of-image marker after its scan, PNG without its IEND chunk."""
    if data.startswith(JPEG_MAGIC):
        return data.rfind(b"\xff\xd9") < data.rfind(b"\xff\xda")
    if data.startswith(PNG_MAGIC):
        return b"IEND" not in data[-64:]
    return False


def pixels_text(count: int) -> str:
    return f"{count / 1e6:.1f} million pixels"


def check_size(data: bytes, what: str, max_pixels: int = MAX_IMAGE_PIXELS) -> None:
    """Refuse (TooLarge) an image whose header says it has more than `max_pixels` pixels."""
    size = header_size(data)
    if size is not None and size[0] * size[1] > max_pixels:
        raise TooLarge(f"{what} is {size[0]}x{size[1]} ({pixels_text(size[0] * size[1])}), "
                       f"more than the {pixels_text(max_pixels)} allowed: scale it down")


def decode(data: bytes, flags: int, what: str,
           max_pixels: int = MAX_IMAGE_PIXELS) -> np.ndarray | None:
    """The decoded image, None when it is not one OpenCV can read, TooLarge above `max_pixels`."""
    check_size(data, what, max_pixels)
    with native_stderr_silenced():
        try:
            image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
        except cv2.error as e:
            if OPENCV_LIMIT in str(e):  # a format whose header we do not read
                raise TooLarge(f"{what} has more than the {pixels_text(MAX_IMAGE_PIXELS)} "
                               "allowed: scale it down") from None
            image = None
    return image if image is not None and image.size else None
