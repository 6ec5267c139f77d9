"""Image bytes for the X-ray tests: PNG, JPEG and TIFF in 8- and 16-bit greyscale and
colour, broken files and a decompression bomb, all made here (no real scans)."""

from __future__ import annotations

import io
import zlib
from functools import cache

import numpy as np
from PIL import Image


def image_make(*, width: int = 64, height: int = 48, mode: str = "L", seed: int = 0) -> Image.Image:
    """A small noisy picture: `mode` is L (8-bit grey), I;16 (16-bit grey) or RGB; the
    same seed gives the same pixels, another seed other pixels."""
    rng = np.random.default_rng(seed)
    if mode == "I;16":
        return Image.fromarray(rng.integers(0, 65535, size=(height, width), dtype=np.uint16))
    if mode == "RGB":
        return Image.fromarray(rng.integers(0, 255, size=(height, width, 3), dtype=np.uint8), mode="RGB")
    return Image.fromarray(rng.integers(0, 255, size=(height, width), dtype=np.uint8), mode="L")


def image_bytes(
    *, fmt: str = "PNG", width: int = 64, height: int = 48, mode: str = "L", seed: int = 0, **save
) -> bytes:
    """The picture of `image_make` encoded as PNG, JPEG or TIFF (`save` goes to Pillow)."""
    buffer = io.BytesIO()
    image_make(width=width, height=height, mode=mode, seed=seed).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def png_bytes(*, seed: int = 0, width: int = 64, height: int = 48, mode: str = "L") -> bytes:
    return image_bytes(fmt="PNG", width=width, height=height, mode=mode, seed=seed)


def jpeg_with_exif_bytes(*, seed: int = 0) -> bytes:
    """A colour JPEG that carries EXIF (a camera make) and an ICC profile to be stripped."""
    exif = Image.Exif()
    exif[0x010F] = "SecretScannerCo"  # Make
    icc = b"\x00" * 128  # Pillow keeps it as opaque bytes: enough to be seen, or not.
    return image_bytes(fmt="JPEG", mode="RGB", seed=seed, exif=exif.tobytes(), icc_profile=icc, quality=90)


def truncated_png_bytes(*, seed: int = 0) -> bytes:
    """A PNG cut in the middle of its pixel data: the header reads, the pixels do not."""
    data = png_bytes(seed=seed, width=256, height=256)
    return data[: len(data) // 2]


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


@cache
def bomb_png_bytes(*, side: int = 12_000) -> bytes:
    """A decompression bomb: a valid 1-bit PNG of side x side black pixels that is a few
    kilobytes on the wire and side² pixels once decoded."""
    header = side.to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])  # 1 bit, greyscale
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")
