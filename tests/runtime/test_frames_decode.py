"""runtime.frames.decode: sizes read from headers, images above the limit refused before
decoding."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from runtime import MAX_IMAGE_PIXELS
from runtime.frames.decode import TooLarge, check_size, decode, header_size

ROOT = Path(__file__).resolve().parents[2]


def encoded(ext: str, height: int, width: int, params=()) -> bytes:
    image = np.random.default_rng(0).integers(0, 255, (height, width, 3), dtype=np.uint8)
    return cv2.imencode(ext, image, list(params))[1].tobytes()


@pytest.mark.parametrize("ext, params", [
    (".png", ()), (".jpg", ()), (".jpg", (cv2.IMWRITE_JPEG_PROGRESSIVE, 1)),
    (".jpg", (cv2.IMWRITE_JPEG_OPTIMIZE, 1)),
])
@pytest.mark.parametrize("height, width", [(1, 1), (37, 501), (480, 640), (1080, 1920)])
def test_header_size_is_the_decoded_size(ext, params, height, width):
    data = encoded(ext, height, width, params)
    assert header_size(data) == (width, height)
    assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).shape[:2] == (height,
                                                                                       width)


def test_jpeg_size_found_past_exif_and_comment_segments():
    plain = encoded(".jpg", 30, 40)
    exif = b"\xff\xe1" + (2 + 200).to_bytes(2, "big") + b"Exif\0\0" + bytes(194)
    comment = b"\xff\xfe\x00\x06hi!!"
    data = plain[:2] + exif + b"\xff" + comment + plain[2:]  # with a fill byte before a marker
    assert header_size(data) == (40, 30)


@pytest.mark.parametrize("data", [b"", b"GIF89a....", b"\xff\xd8", b"\xff\xd8\xff\xda\x00\x02",
                                  b"\x89PNG\r\n\x1a\n\x00\x00", b"\xff\xd8\x00\x01\x02\x03\x04"])
def test_no_size_from_other_formats_or_broken_headers(data):
    assert header_size(data) is None


def test_the_bomb_is_refused_from_its_header(png_bomb):
    assert len(png_bomb) < 300 * 1024 and header_size(png_bomb) == (16000, 16000)
    with pytest.raises(TooLarge, match=r"bomb.png is 16000x16000 \(256.0 million pixels\), "
                                       r"more than the 50.0 million pixels allowed"):
        decode(png_bomb, cv2.IMREAD_COLOR, "bomb.png")


def test_a_limit_of_its_own():
    data = encoded(".png", 100, 200)
    check_size(data, "pad", max_pixels=20_000)
    with pytest.raises(TooLarge):
        check_size(data, "pad", max_pixels=19_999)
    assert decode(data, cv2.IMREAD_COLOR, "pad", max_pixels=20_000).shape == (100, 200, 3)


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_opencv_refuses_what_we_do_not_parse_once_runtime_is_imported(bombs, tmp_path):
    """The backstop: importing runtime sets OpenCV's limit before cv2 is loaded."""
    big = tmp_path / "big.bmp"
    big.write_bytes(bombs.bmp_header(10000, 10000))  # 100 million pixels, no header we read
    result = _python(
        "import runtime, cv2, numpy as np\n"
        f"data = open({str(big)!r}, 'rb').read()\n"
        "try:\n"
        "    cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)\n"
        "except cv2.error as e:\n"
        "    print('refused' if 'CV_IO_MAX_IMAGE_PIXELS' in str(e) else e)\n"
        "from runtime.frames.decode import TooLarge, decode\n"
        "try:\n"
        "    decode(data, cv2.IMREAD_COLOR, 'big.bmp')\n"
        "except TooLarge as e:\n"
        "    print(e)\n")
    assert result.stdout.splitlines() == [
        "refused", f"big.bmp has more than the {MAX_IMAGE_PIXELS / 1e6:.1f} million pixels "
        "allowed: scale it down"], result.stderr


def test_codec_warnings_stay_off_the_console():
    """libpng and libjpeg print to fd 2 themselves; decode() keeps them off it."""
    png = bytearray(encoded(".png", 50, 60))
    png[29] ^= 0xFF  # IHDR's CRC: "libpng error: IHDR: CRC error"
    jpeg = bytearray(encoded(".jpg", 50, 60))
    jpeg[len(jpeg) // 2] ^= 0xFF  # "Corrupt JPEG data: ... extraneous bytes"
    code = ("import cv2, sys\nfrom runtime.frames.decode import decode\n"
            f"for data in ({bytes(png)!r}, {bytes(jpeg)!r}):\n"
            "    print(decode(data, cv2.IMREAD_COLOR, 'x') is None)\n"
            "print('after', file=sys.stderr)\n")
    result = _python(code)
    assert result.stdout.split() == ["True", "False"]  # the JPEG still decodes, damaged
    assert result.stderr == "after\n"  # stderr is back, and nothing else was printed
    noisy = _python(code.replace("decode(data, cv2.IMREAD_COLOR, 'x') is None",
                                 "cv2.imdecode(__import__('numpy').frombuffer(data, 'uint8'), 1)"
                                 " is None"))
    assert "libpng" in noisy.stderr and "Corrupt JPEG" in noisy.stderr  # what it hides
