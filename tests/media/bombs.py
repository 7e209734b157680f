"""Small files that claim huge pictures, made by hand as an attacker would make them."""

from __future__ import annotations

import struct
import zlib


def gif_of_big_frames(width: int, height: int, frames: int) -> bytes:
    """A GIF whose screen is `width`x`height`, with `frames` frames of one pixel each: a few
    bytes a frame, yet every frame decodes to the whole screen."""
    out = bytearray(b"GIF89a")
    out += struct.pack("<HHBBB", width, height, 0x80, 0, 0)  # a global table of 2 colours
    out += b"\x00\x00\x00\xff\xff\xff"
    for _ in range(frames):
        out += b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # graphic control: 100 ms
        out += b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0)  # a 1x1 image at the corner
        out += b"\x02\x02\x44\x01\x00"  # LZW data: one pixel of colour 0
    out += b"\x3b"
    return bytes(out)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A greyscale PNG whose header says `width`x`height`; its data is the first rows of
    zeros, enough for any reader that trusts the header to start allocating."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 4)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )
