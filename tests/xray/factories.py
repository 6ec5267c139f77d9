"""Factories of the X-ray app: parcels with their declared contents, images, scanners."""

from __future__ import annotations

import hashlib
import io

import factory
from django.core.files.base import ContentFile
from PIL import Image

from customs_portal.models import Role
from tests.customs_portal.factories import UserFactory
from tests.xray.images import png_bytes
from xray.parcels.models import DeclaredItem, Parcel, Scanner, XrayImage
from xray.parcels.s10 import s10_compose


class ScannerFactory(factory.django.DjangoModelFactory):
    """A registered scanner; its raw token is `scanner.raw_token` (pass `raw_token=` to pick it)."""

    class Meta:
        model = Scanner

    raw_token = factory.Sequence(lambda n: f"scanner_test_token_{n:06d}")
    code = factory.Sequence(lambda n: f"NRT-XR-{n:03d}")
    office = "Narita international mail office"
    token_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.raw_token.encode()).hexdigest())
    token_hint = factory.LazyAttribute(lambda o: o.raw_token[-4:])
    user = factory.SubFactory(
        UserFactory, role=Role.SCANNER, username=factory.LazyAttribute(lambda u: f"scanner-{u.factory_parent.code}")
    )
    registered_by = factory.SubFactory(UserFactory, role=Role.SUPERVISOR, username="scanner-registrar")

    @classmethod
    def _create(cls, model_class, *args, raw_token: str, **kwargs):
        scanner = super()._create(model_class, *args, **kwargs)
        scanner.raw_token = raw_token
        return scanner


class ParcelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parcel

    item_number = factory.Sequence(lambda n: s10_compose(service="RR", serial=10_000_000 + n, country="US"))
    origin_country = "US"
    sender_name = "Jane Sender"
    sender_address = "1 Main Street, Springfield, USA"
    addressee_name = "Taro Yamada"
    addressee_address = "1-1 Chiyoda, Chiyoda-ku, Tokyo"
    customs_form = Parcel.Form.CN23
    weight_grams = 850
    declared_value_jpy = 4_000
    created_by = factory.SubFactory(UserFactory, role=Role.INSPECTION_OFFICER, username="parcel-registrar")


class DeclaredItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeclaredItem

    parcel = factory.SubFactory(ParcelFactory)
    line_number = factory.Sequence(lambda n: n + 1)
    description = "Books"
    hs_code = "490199"
    quantity = 1
    value_jpy = 4_000


def _size(content: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(content)) as image:
        return image.size


class XrayImageFactory(factory.django.DjangoModelFactory):
    """A stored (already cleaned) PNG image of a parcel, queued for screening; each one has
    other pixels, so another sha256. Pass `content=` for given PNG bytes."""

    class Meta:
        model = XrayImage

    class Params:
        content = factory.Sequence(lambda n: png_bytes(seed=n))

    parcel = factory.SubFactory(ParcelFactory)
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="scan.png"))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    original_format = "PNG"
    original_mode = "L"
    width = factory.LazyAttribute(lambda o: _size(o.content)[0])
    height = factory.LazyAttribute(lambda o: _size(o.content)[1])
    size_bytes = factory.LazyAttribute(lambda o: len(o.content))
    uploaded_by = factory.LazyAttribute(lambda o: o.parcel.created_by)
    status = XrayImage.Status.QUEUED
