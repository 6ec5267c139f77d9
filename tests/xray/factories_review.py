"""Screened parcels as the officers' pages meet them: a parcel with its declared
contents, an X-ray image (a generated one, or a real scan from ../shared/xray-real when
asked), the served model's reading of it with a heat map, and xray model versions."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import factory
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from customs_portal.models import ModelVersion, Role
from tests.customs_portal.factories import UserFactory
from xray.parcels.models import Decision, DeclaredItem, Parcel, XrayImage
from xray.screening.models import ScreeningResult

REAL_SCANS = Path(settings.BASE_DIR).parent / "shared" / "xray-real"
_serial = itertools.count(10_000_000)
_weights = (8, 6, 4, 2, 3, 5, 9, 7)


def item_number(serial: int | None = None) -> str:
    """A UPU S10 item number with its check digit (EMS from abroad: E?..JP)."""
    digits = f"{serial if serial is not None else next(_serial):08d}"
    check = 11 - sum(int(d) * w for d, w in zip(digits, _weights, strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"EE{digits}{check}JP"


def png_bytes(*, size: tuple[int, int] = (96, 64), shade: int = 180) -> bytes:
    image = Image.new("RGB", size, (shade, shade, shade))
    ImageDraw.Draw(image).rectangle([10, 10, size[0] // 2, size[1] // 2], fill=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def real_scan_bytes() -> bytes | None:
    """One real X-ray scan (read at test time, never copied into the repository)."""
    scans = sorted((REAL_SCANS / "gdxray-pyxvis").rglob("*.jpg")) if REAL_SCANS.exists() else []
    return scans[0].read_bytes() if scans else None


def heatmap_bytes(size: tuple[int, int] = (96, 64)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse([5, 5, size[0] // 2, size[1] // 2], fill=(255, 0, 0, 160))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def xray_model_version(*, version: int = 1, status: str = ModelVersion.Status.ACTIVE, metrics: dict | None = None):
    return ModelVersion.objects.create(
        name="xray",
        version=version,
        artefact_path=str(Path(settings.ML_ARTEFACT_ROOT) / "xray" / str(version)),
        checksums={"model.pt": "0" * 64},
        metrics=metrics
        if metrics is not None
        else {
            "validation": {"roc_auc": 0.973, "recall": 0.95, "precision": 0.81, "inspect_rate": 0.3, "threshold": 0.35},
            "holdout": {"roc_auc": 0.973, "recall": 0.95, "precision": 0.81, "inspect_rate": 0.3},
            "per_class": {
                "gun": {"precision": 0.9, "recall": 0.97, "f1": 0.93},
                "blade": {"precision": 0.8, "recall": 0.9},
            },
            "accuracy": 0.88,
        },
        training_summary={"bags_train": 592, "officer_labelled": 12, "validation_images": 120},
        status=status,
        promoted_at=timezone.now() if status != ModelVersion.Status.TRAINED else None,
    )


class ParcelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parcel

    item_number = factory.LazyFunction(item_number)
    origin_country = "CN"
    sender_name = "Shenzhen Gadgets Ltd"
    addressee_name = "Taro Yamada"
    addressee_address = "1-1 Chiyoda, Tokyo"
    weight_grams = 850
    declared_value_jpy = 4_800
    status = Parcel.Status.SCREENED
    machine_decision = Decision.INSPECT
    threat_score = 0.8
    created_by = factory.LazyFunction(lambda: UserFactory(role=Role.SCANNER, username="scanner-user"))


def screened_parcel(
    *,
    score: float = 0.8,
    decision: str | None = None,
    control_sample: bool = False,
    mismatch: bool = False,
    version: ModelVersion | None = None,
    heatmap: bool = True,
    real_image: bool = False,
    images: int = 1,
    **fields,
) -> Parcel:
    """A parcel screened by `version` (an active xray version by default), waiting for an officer."""
    decision = decision or (Decision.INSPECT if score >= 0.35 else Decision.RELEASE)
    parcel = ParcelFactory(
        threat_score=score,
        machine_decision=decision,
        control_sample=control_sample,
        mismatch_reasons=[
            {
                "code": "declared_without_threat",
                "params": {"seen": "blade", "probability": 0.91, "declared": "Phone case"},
            }
        ]
        if mismatch
        else [],
        screened_at=timezone.now(),
        **fields,
    )
    DeclaredItem.objects.create(
        parcel=parcel, line_number=1, description="Phone case", hs_code="392690", value_jpy=4_800
    )
    version = version or ModelVersion.objects.filter(name="xray", status="active").first() or xray_model_version()
    for number in range(images):
        content = (real_scan_bytes() if real_image else None) or png_bytes(shade=150 + number * 20)
        name = "scan.jpg" if content[:2] == b"\xff\xd8" else "scan.png"
        image = XrayImage(
            parcel=parcel,
            sha256=f"{parcel.item_number}-{number}".ljust(64, "0")[:64],
            original_format="JPEG" if name.endswith("jpg") else "PNG",
            original_mode="RGB",
            width=96,
            height=64,
            size_bytes=len(content),
            uploaded_by=parcel.created_by,
            status=XrayImage.Status.DONE,
        )
        image.file.save(name, ContentFile(content), save=False)
        image.save()
        result = ScreeningResult(
            image=image,
            model_version=version,
            model_name="xray",
            model_version_number=version.version,
            threshold=0.35,
            input_sha256=image.sha256,
            probabilities={"gun": score / 2, "blade": score / 2, "shuriken": 0.0, "other": 1 - score},
            top_class="gun" if score >= 0.5 else "other",
            threat_score=score,
            decision=decision,
        )
        if heatmap:
            result.heatmap.save("heat.png", ContentFile(heatmap_bytes()), save=False)
        result.save()
    return parcel
