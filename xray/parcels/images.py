"""X-ray images as received: checked to be what they claim (PNG, JPEG or TIFF, within the
limits on bytes and pixels, decodable to the last pixel) and re-encoded as a PNG without
any metadata, 16-bit greyscale kept 16-bit. A pure function of the bytes: the same image
sent twice gives the same stored bytes, hence the same checksum."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from customs_portal.errors import ApplicationError

FORMATS = ("PNG", "JPEG", "TIFF")
SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")
GREY_MODES = ("1", "L", "LA", "La")


@dataclass(frozen=True)
class CleanImage:
    """What is stored of an image: PNG bytes without metadata, their sha256, and what was received."""

    content: bytes
    sha256: str
    original_format: str
    original_mode: str
    width: int
    height: int


def _error(message: str, code: str, status: int = 400) -> ApplicationError:
    return ApplicationError(message, code=code, fields={"image": [message]}, status=status)


def image_size_check(*, size_bytes: int) -> None:
    """Refuses a file over XRAY_IMAGE_MAX_BYTES (413), before it is read."""
    limit = settings.XRAY_IMAGE_MAX_BYTES
    if size_bytes > limit:
        raise _error(
            _("The image is %(size)s MB; at most %(limit)s MB are accepted.")
            % {"size": f"{size_bytes / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:g}"},
            "image_too_large",
            status=413,
        )


def _open(data: bytes) -> Image.Image:
    """Opens the header only; a picture whose pixel count alone is a decompression bomb
    is refused here, before any pixel is decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise _error(_("The file is not an image that can be read (PNG, JPEG or TIFF)."), "image_invalid") from None
    return image


def _too_many_pixels() -> ApplicationError:
    return _error(
        _("The image has too many pixels: at most %(limit)s million are accepted.")
        % {"limit": f"{settings.XRAY_IMAGE_MAX_PIXELS / 1_000_000:g}"},
        "image_too_many_pixels",
    )


def _check_header(image: Image.Image) -> None:
    if image.format not in FORMATS:
        raise _error(
            _("Images in %(format)s are not accepted: send PNG, JPEG or TIFF.") % {"format": image.format or "?"},
            "image_format_unsupported",
        )
    width, height = image.size
    if width * height > settings.XRAY_IMAGE_MAX_PIXELS:
        raise _too_many_pixels()
    side = settings.XRAY_IMAGE_MAX_SIDE
    if width > side or height > side:
        raise _error(
            _("The image is %(width)s × %(height)s pixels; at most %(side)s pixels a side are accepted.")
            % {"width": width, "height": height, "side": side},
            "image_side_too_long",
        )
    if getattr(image, "n_frames", 1) > 1:
        raise _error(_("Send one picture per file, not several pages or frames."), "image_several_frames")


def _decode(data: bytes) -> Image.Image:
    """The image fully decoded (verify checks the structure, load every pixel)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            _open(data).verify()
            image = _open(data)
            image.load()
    except ApplicationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception:  # noqa: BLE001  (Pillow's decoders raise many kinds for a broken file)
        raise _error(
            _("The image is damaged or incomplete: it could not be decoded to the end."), "image_invalid"
        ) from None
    return image


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new picture with the pixels alone (no EXIF, ICC, text chunks): 16-bit greyscale
    as I;16, other greyscale as L, everything else as RGB."""
    mode = image.mode
    if mode in SIXTEEN_BIT_MODES:
        array = np.clip(np.asarray(image, dtype=np.int64), 0, 65535).astype(np.uint16)
        return Image.fromarray(array)
    if mode in GREY_MODES or (mode == "P" and image.palette and image.palette.mode == "L"):
        converted = image.convert("L")
    else:
        converted = image.convert("RGB")
    return Image.frombytes(converted.mode, converted.size, converted.tobytes())


def image_clean(*, data: bytes) -> CleanImage:
    """Checks the received bytes and re-encodes them as stored; raises ApplicationError
    (image_too_large, image_invalid, image_format_unsupported, image_too_many_pixels,
    image_side_too_long) with an "image" field error."""
    image_size_check(size_bytes=len(data))
    if not data:
        raise _error(_("The image file is empty."), "image_invalid")
    _check_header(_open(data))
    decoded = _decode(data)
    original_format, original_mode = decoded.format or "", decoded.mode
    # The orientation is applied before the EXIF that carries it is dropped.
    if decoded.format == "JPEG":
        decoded = ImageOps.exif_transpose(decoded)
    clean = _pixels_only(decoded)
    buffer = io.BytesIO()
    # The fastest zlib level: encoding dominates the request (a 1,000 x 1,400 colour scan
    # takes about 0.45 s at the default level 6, 0.18 s at 1), and scans compress poorly anyway.
    clean.save(buffer, format="PNG", optimize=False, compress_level=1)
    content = buffer.getvalue()
    return CleanImage(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        original_format=original_format,
        original_mode=original_mode,
        width=clean.width,
        height=clean.height,
    )
