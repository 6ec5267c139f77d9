"""`make run`'s X-ray demo: a scanner, parcels whose images wait for a model, and a demo
model trained in the X-ray worker, whose promotion sends the waiting images to be read."""

# The fixtures imported from fixtures_ml are pytest arguments, not redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import pytest

from customs_portal import ml_registry
from customs_portal.demo import seed_demo
from customs_portal.models import ModelVersion, OutboxTask
from tests.xray.fixtures_ml import TINY_TEST_CONFIG, one_torch_thread, xray_artefact_root  # noqa: F401
from xray import demo
from xray.parcels.models import Parcel, Scanner, XrayImage
from xray.screening import ml

pytestmark = pytest.mark.django_db


def test_the_demo_registers_a_scanner_and_parcels_whose_images_wait_for_the_demo_model(monkeypatch):
    seed_demo(password="demo-password-1")
    sent = []
    monkeypatch.setattr("xray.tasks.xray_demo_model_train.delay", lambda: sent.append("train"))
    lines = demo.seed()
    assert sent == ["train"] and any("trains the demo model" in line for line in lines)
    assert Scanner.objects.filter(code=demo.SCANNER_CODE).exists()
    assert Parcel.objects.count() == len(demo.DEMO_PARCELS)
    assert XrayImage.objects.filter(status=XrayImage.Status.QUEUED).count() == len(demo.DEMO_PARCELS)

    demo.seed()  # idempotent
    assert Parcel.objects.count() == len(demo.DEMO_PARCELS)


def test_serving_a_first_xray_model_queues_a_read_of_every_waiting_image(monkeypatch):
    seed_demo(password="demo-password-1")
    monkeypatch.setattr("xray.tasks.xray_demo_model_train.delay", lambda: None)
    demo.seed()
    monkeypatch.setattr(demo, "DEMO_TRAINING", TINY_TEST_CONFIG)
    monkeypatch.setattr(demo, "DEMO_BAGS", 24)
    before = OutboxTask.objects.filter(task_name="xray.tasks.xray_screen").count()

    label = demo.demo_model_train()

    served = ml_registry.model_version_active(name=ml.MODEL_NAME)
    assert served is not None and served.label == label
    queued = OutboxTask.objects.filter(task_name="xray.tasks.xray_screen").count() - before
    assert queued >= 1
    assert demo.demo_model_train() == label  # a served model is kept, nothing retrained
    assert ModelVersion.objects.filter(name=ml.MODEL_NAME).count() == 1


def test_promoting_a_risk_model_queues_no_xray_reads(supervisor):
    from xray.screening.services import xray_screening_resume

    version = ModelVersion.objects.create(name="risk", version=1, artefact_path="/nowhere")
    assert xray_screening_resume(model_version=version) == 0
