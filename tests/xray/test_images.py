"""Images as received: the formats and bit depths accepted, the files refused and why,
metadata stripped, and the same image recognised when it is sent twice."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from customs_portal.errors import ApplicationError
from customs_portal.models import OutboxTask
from tests.xray.factories import ParcelFactory
from tests.xray.images import (
    bomb_png_bytes,
    image_bytes,
    jpeg_with_exif_bytes,
    png_bytes,
    truncated_png_bytes,
)
from xray.parcels import services
from xray.parcels.images import image_clean
from xray.parcels.models import Parcel, XrayImage


def _stored(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


@pytest.mark.parametrize(
    ("fmt", "mode", "stored_mode"),
    [
        ("PNG", "L", "L"),
        ("PNG", "I;16", "I;16"),
        ("PNG", "RGB", "RGB"),
        ("JPEG", "L", "L"),
        ("JPEG", "RGB", "RGB"),
        ("TIFF", "L", "L"),
        ("TIFF", "I;16", "I;16"),
        ("TIFF", "RGB", "RGB"),
    ],
)
def test_png_jpeg_and_tiff_in_8_and_16_bit_grey_and_colour_are_stored_as_png(fmt, mode, stored_mode):
    clean = image_clean(data=image_bytes(fmt=fmt, mode=mode, width=40, height=30))
    stored = _stored(clean.content)
    assert stored.format == "PNG"
    assert stored.mode == stored_mode
    assert (clean.width, clean.height) == (40, 30) == stored.size
    assert clean.original_format == fmt


def test_sixteen_bit_greyscale_keeps_every_level():
    source = Image.open(io.BytesIO(png_bytes(mode="I;16")))
    stored = _stored(image_clean(data=png_bytes(mode="I;16")).content)
    assert np.array_equal(np.asarray(stored), np.asarray(source))
    assert np.asarray(stored).max() > 255


def test_exif_icc_and_text_metadata_are_stripped():
    data = jpeg_with_exif_bytes()
    assert b"SecretScannerCo" in data
    clean = image_clean(data=data)
    stored = _stored(clean.content)
    assert b"SecretScannerCo" not in clean.content
    assert "icc_profile" not in stored.info and "exif" not in stored.info
    assert not stored.getexif()


def test_the_same_image_gives_the_same_stored_bytes():
    assert image_clean(data=png_bytes(seed=3)).sha256 == image_clean(data=png_bytes(seed=3)).sha256
    assert image_clean(data=png_bytes(seed=3)).sha256 != image_clean(data=png_bytes(seed=4)).sha256


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.4 not an image at all", "image_invalid"),
        (b"", "image_invalid"),
        (truncated_png_bytes(), "image_invalid"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "image_invalid"),
        (image_bytes(fmt="GIF", mode="L"), "image_format_unsupported"),
        (image_bytes(fmt="BMP", mode="RGB"), "image_format_unsupported"),
    ],
)
def test_files_that_are_not_a_whole_accepted_image_are_refused(data, code):
    with pytest.raises(ApplicationError) as refused:
        image_clean(data=data)
    assert refused.value.code == code
    assert refused.value.status == 400
    assert "image" in refused.value.fields


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded():
    data = bomb_png_bytes()
    assert len(data) < 100_000
    with pytest.raises(ApplicationError) as refused:
        image_clean(data=data)
    assert refused.value.code == "image_too_many_pixels"


def test_an_image_too_long_on_one_side_is_refused(settings):
    settings.XRAY_IMAGE_MAX_SIDE = 100
    with pytest.raises(ApplicationError) as refused:
        image_clean(data=png_bytes(width=101, height=10))
    assert refused.value.code == "image_side_too_long"


def test_a_file_over_the_byte_limit_is_refused_with_413(settings):
    settings.XRAY_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ApplicationError) as refused:
        image_clean(data=png_bytes(width=200, height=200))
    assert (refused.value.code, refused.value.status) == ("image_too_large", 413)


@pytest.mark.django_db(transaction=True)
def test_an_image_is_stored_once_and_queued_once_the_upload_commits():
    parcel = ParcelFactory()
    image, created = services.xray_image_add(parcel=parcel, data=png_bytes(seed=9), uploaded_by=parcel.created_by)
    assert created and image.status == XrayImage.Status.QUEUED
    assert default_storage.exists(image.file.name)
    assert Parcel.objects.get(pk=parcel.pk).status == Parcel.Status.SCREENING
    assert OutboxTask.objects.filter(task_name="xray.tasks.xray_screen", args=[image.pk]).count() == 1

    again, created = services.xray_image_add(parcel=parcel, data=png_bytes(seed=9), uploaded_by=parcel.created_by)
    assert (again.pk, created) == (image.pk, False)
    assert XrayImage.objects.count() == 1
    assert OutboxTask.objects.filter(task_name="xray.tasks.xray_screen").count() == 1


@pytest.mark.django_db
def test_a_refused_image_leaves_no_row_and_no_file(settings):
    parcel = ParcelFactory()
    directory = settings.MEDIA_ROOT / "xray" / "images"

    def files() -> set:
        return set(directory.rglob("*")) if directory.exists() else set()

    before = files()
    with pytest.raises(ApplicationError):
        services.xray_image_add(parcel=parcel, data=truncated_png_bytes(), uploaded_by=parcel.created_by)
    Parcel.objects.filter(pk=parcel.pk).update(status=Parcel.Status.DECIDED)
    # Refused inside the transaction (a decided parcel takes no image): nothing is left either.
    with pytest.raises(ApplicationError) as refused:
        services.xray_image_add(parcel=parcel, data=png_bytes(seed=8), uploaded_by=parcel.created_by)
    assert refused.value.code == "parcel_decided"
    assert not XrayImage.objects.exists()
    assert files() == before


@pytest.mark.django_db
def test_an_image_already_sent_for_another_parcel_is_refused():
    first, second = ParcelFactory(), ParcelFactory()
    services.xray_image_add(parcel=first, data=png_bytes(seed=5), uploaded_by=first.created_by)
    with pytest.raises(ApplicationError) as refused:
        services.xray_image_add(parcel=second, data=png_bytes(seed=5), uploaded_by=second.created_by)
    assert (refused.value.code, refused.value.status) == ("image_of_another_parcel", 409)


@pytest.mark.django_db
def test_a_failure_after_the_file_is_written_removes_the_file(monkeypatch):
    parcel = ParcelFactory()
    written = []
    original_save = default_storage.save

    def save(name, content, *args, **kwargs):
        written.append(original_save(name, content, *args, **kwargs))
        return written[-1]

    def broken_enqueue(*args, **kwargs):
        raise RuntimeError("the outbox table is gone")

    monkeypatch.setattr(default_storage, "save", save)
    monkeypatch.setattr(services, "outbox_enqueue", broken_enqueue)
    with pytest.raises(RuntimeError):
        services.xray_image_add(parcel=parcel, data=png_bytes(seed=12), uploaded_by=parcel.created_by)
    assert written and not default_storage.exists(written[0])
    assert not XrayImage.objects.exists()
    assert Parcel.objects.get(pk=parcel.pk).status == Parcel.Status.AWAITING_IMAGE


def test_real_scans_are_accepted_and_stored_with_their_pixels(settings):
    """A few of the real scans (read in place, research licence) go through the checks."""
    directory = Path(str(settings.XRAY_REAL_DATA_DIR)) / "sixray-subset" / "positive"
    if not directory.exists():
        pytest.skip("The real scans are not on this machine.")
    for path in sorted(directory.glob("*.jpg"))[:5]:
        data = path.read_bytes()
        clean = image_clean(data=data)
        with Image.open(io.BytesIO(data)) as source:
            assert (clean.width, clean.height) == source.size
        assert clean.original_format == "JPEG" and _stored(clean.content).format == "PNG"
