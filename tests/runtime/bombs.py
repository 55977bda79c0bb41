"""Hostile images: a PNG whose few hundred KiB decode to gigabytes, and other lies in headers."""

from __future__ import annotations

import struct
import zlib

BOMB_SIDE = 16000  # 16000x16000: 256 million pixels, 768 MB decoded as colour


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_bomb(side: int = BOMB_SIDE) -> bytes:
    """A valid 8-bit grey PNG of side x side black pixels: about 250 KiB for 16000."""
    packer = zlib.compressobj(9)
    row = bytes(side + 1)  # filter byte + one byte per pixel
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data)
            + _chunk(b"IEND", b""))


def bmp_header(width: int, height: int) -> bytes:
    """A 24-bit BMP that claims width x height and holds no pixels (a format we do not parse)."""
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(info), 0, 0, 14 + len(info)) + info
