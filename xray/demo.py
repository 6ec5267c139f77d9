"""Demo data of the X-ray app for `make run`: a scanner at the Tokyo international mail
office, a first model trained on synthetic parcels when none is served (the real scans
are for research and benchmarks only), and postal parcels whose images wait for the
X-ray worker, some with a weapon inside and one that declares books but holds a blade."""

from __future__ import annotations

import io
from dataclasses import replace

from customs_portal import ml_registry
from customs_portal.models import User
from xray.parcels import services
from xray.parcels.models import Parcel, Scanner
from xray.parcels.s10 import s10_compose
from xray.screening import ml, training
from xray.screening.synthetic import synthetic_parcel_image

SCANNER_CODE = "TYO-IPO-XR01"
# About five minutes on two cores, in the X-ray worker: ROC AUC about 0.96 on synthetic
# validation parcels.
DEMO_TRAINING = replace(training.TrainingConfig(), input_size=160, epochs=4, steps_per_epoch=20)
DEMO_BAGS = 40

# (serial, origin, sender, declared items [(description, HS code, quantity, value in yen)], what is inside)
DEMO_PARCELS = [
    (10_000_001, "US", "Amazon Fulfillment", [("Books", "490199", 3, 4_500)], None),
    (10_000_002, "CN", "Shenzhen Gadget Co.", [("Phone case", "392690", 2, 1_200)], None),
    (10_000_003, "GB", "Jane Smith", [("Books", "490199", 1, 2_000)], "blade"),
    (10_000_004, "US", "Outdoor Supply LLC", [("Hunting knife", "821192", 1, 9_800)], "blade"),
    (10_000_005, "TH", "Bangkok Souvenirs", [("Toy", "950300", 1, 1_500)], "gun"),
    (10_000_006, "KR", "Seoul Beauty", [("Cosmetics", "330499", 4, 24_000)], None),
    (10_000_007, "FR", "Maison Paris", [("Leather handbag", "420221", 1, 68_000)], None),
    (10_000_008, "CN", "Yiwu Trading", [("Metal ornaments", "830629", 5, 2_500)], "shuriken"),
    (10_000_009, "DE", "Berlin Books", [("Books", "490199", 2, 3_000)], None),
    (10_000_010, "US", "Coffee Roasters Inc.", [("Roasted coffee", "090121", 2, 6_000)], None),
    (10_000_011, "VN", "Saigon Crafts", [("Wooden toys", "950300", 3, 4_200)], None),
    (10_000_012, "IT", "Milano Moda", [("Wool sweater", "611011", 1, 18_000)], None),
]


def _png(*, seed: int, threat: str | None) -> bytes:
    buffer = io.BytesIO()
    synthetic_parcel_image(seed=seed, threat=threat, width=640, height=480).save(buffer, format="PNG")
    return buffer.getvalue()


def _parcel(serial: int, origin: str, sender: str, items: list, threat: str | None, scanner: Scanner) -> None:
    data = services.ParcelInput(
        item_number=s10_compose(service="RR", serial=serial, country="JP"),
        origin_country=origin,
        sender_name=sender,
        addressee_name="山田 太郎",
        addressee_address="東京都千代田区霞が関3-1-1",
        weight_grams=600 + serial % 7 * 150,
        items=tuple(
            services.DeclaredItemInput(description=description, hs_code=hs_code, quantity=quantity, value_jpy=value)
            for description, hs_code, quantity, value in items
        ),
    )
    parcel, _created = services.parcel_register(data=data, created_by=scanner.user)
    services.xray_image_add(
        parcel=parcel, data=_png(seed=serial, threat=threat), uploaded_by=scanner.user, scanner=scanner
    )


def seed() -> list[str]:
    supervisor = User.objects.get(username="supervisor")
    scanner = Scanner.objects.filter(code=SCANNER_CODE).first()
    if scanner is None:
        scanner, _token = services.scanner_register(
            code=SCANNER_CODE, office="東京国際郵便局 (Tokyo International Post Office)", registered_by=supervisor
        )
    waiting_for_model = ml_registry.model_version_active(name=ml.MODEL_NAME) is None
    if waiting_for_model:
        from xray.tasks import xray_demo_model_train

        xray_demo_model_train.delay()
    numbers = {s10_compose(service="RR", serial=serial, country="JP") for serial, *_rest in DEMO_PARCELS}
    existing = set(Parcel.objects.filter(item_number__in=numbers).values_list("item_number", flat=True))
    for serial, origin, sender, items, threat in DEMO_PARCELS:
        if s10_compose(service="RR", serial=serial, country="JP") not in existing:
            _parcel(serial, origin, sender, items, threat, scanner)
    lines = ["X-ray parcels: /officer/xray/   Scanners and their API tokens: /officer/xray/scanners/"]
    if waiting_for_model:
        lines.append("The X-ray worker first trains the demo model (about 5 minutes), then reads the demo parcels.")
    return lines


def demo_model_train() -> str:
    """Trains the demo model on synthetic parcels and serves it, unless one is served."""
    active = ml_registry.model_version_active(name=ml.MODEL_NAME)
    if active is not None:
        return active.label
    return training.xray_model_train(
        synthetic=True, config=DEMO_TRAINING, synthetic_bags=DEMO_BAGS, system="demo data"
    ).label
