"""Image width and height from a JPEG or PNG header, without decoding the pixels."""

from __future__ import annotations

import struct
from pathlib import Path

from evalkit.errors import EvalkitError

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (baseline, progressive, lossless, ...): they carry the size.
_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_HEADER_BYTES = 1 << 16  # the size sits before the compressed data; EXIF blocks can be long


def image_size(path: str | Path) -> tuple[int, int]:
    """(width, height) of a JPEG or PNG file; other formats are decoded with OpenCV."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEADER_BYTES)
    except OSError as exc:
        raise EvalkitError(f"cannot read image ({exc.strerror})", path) from None
    size = _png_size(head) if head.startswith(_PNG_SIGNATURE) else _jpeg_size(head)
    if size is None:
        size = _decoded_size(path)
    return size


def _png_size(head: bytes) -> tuple[int, int] | None:
    if len(head) < 24 or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _jpeg_size(head: bytes) -> tuple[int, int] | None:
    if not head.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(head):
        if head[at] != 0xFF:
            return None
        marker = head[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _SOF_MARKERS:
            height, width = struct.unpack(">HH", head[at + 5:at + 9])
            return width, height
        if marker == 0xD8 or 0xD0 <= marker <= 0xD7:  # markers without a length
            at += 2
            continue
        (length,) = struct.unpack(">H", head[at + 2:at + 4])
        at += 2 + length
    return None


def _decoded_size(path: str | Path) -> tuple[int, int]:
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise EvalkitError("cannot decode image", path)
    return image.shape[1], image.shape[0]
