"""A signature image as sent: base64 of a PNG of at most 200 KB, checked to be one.

The signature bytes and the IHDR chunk are read here (with clear messages for the usual
mistakes: a JPEG, a cut-off upload, an absurd size); Pillow then reads every chunk (CRCs)
and decodes the pixels, so that the PDF can never meet an image it cannot draw.
"""

from __future__ import annotations

import base64
import binascii
import io
import struct
import zlib

from PIL import Image, UnidentifiedImageError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 200 * 1024
MAX_SIDE = 2000  # pixels; a signature pad draws a few hundred
DATA_URL_PREFIX = "data:image/png;base64,"
# Bit depths allowed per colour type (PNG specification, table 11.1).
BIT_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}


class NotAPng(ValueError):
    pass


def decode_png(text: str) -> bytes:
    """The PNG in `text` (base64, optionally as a `data:image/png;base64,` URL)."""
    if text.startswith(DATA_URL_PREFIX):
        text = text[len(DATA_URL_PREFIX) :]
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NotAPng("Not base64") from None
    if len(data) > MAX_BYTES:
        raise NotAPng(f"The PNG is {len(data) // 1024} KB; at most 200 KB")
    check_png(data)
    return data


def check_png(data: bytes) -> tuple[int, int]:
    """Width and height of a sound PNG; `NotAPng` says what is wrong otherwise."""
    if not data.startswith(PNG_SIGNATURE):
        raise NotAPng("Not a PNG (the file does not start with the PNG signature)")
    header = data[8:33]
    if len(header) < 25 or header[:8] != struct.pack(">I", 13) + b"IHDR":
        raise NotAPng("Not a PNG (no IHDR chunk after the signature)")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", header[8:21]
    )
    if struct.unpack(">I", header[21:25])[0] != zlib.crc32(header[4:21]):
        raise NotAPng("Not a PNG (the IHDR chunk is damaged)")
    if depth not in BIT_DEPTHS.get(colour, set()) or (compression, filtering) != (0, 0):
        raise NotAPng("Not a PNG (impossible IHDR values)")
    if interlace not in (0, 1):
        raise NotAPng("Not a PNG (unknown interlace method)")
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise NotAPng(f"The image is {width}×{height} pixels; at most {MAX_SIDE} on each side")
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.verify()
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise NotAPng(f"The PNG is damaged or incomplete ({error})") from None
    return width, height
