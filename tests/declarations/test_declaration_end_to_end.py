"""A declaration's whole life through the API, a real Celery worker (screening),
Redis and PostgreSQL: the trader creates and submits it, the worker screens it, an
officer clears it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from declarations.models import Declaration
from tests.celery_worker import running_worker, wait_until
from tests.declarations import declaration_payloads as p
from tests.declarations.test_declaration_attachments import pdf_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]
Status = Declaration.Status
SCREENED = (Status.DOCUMENT_REVIEW, Status.INSPECTION, Status.AWAITING_PAYMENT, Status.PERMITTED)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_trader_creates_and_submits_the_worker_screens_and_an_officer_clears(
    trader_a, clearance_officer, inspection_officer
):
    p.reference_data()
    trader = _api(trader_a)
    lines = [
        p.line(origin_country="FR", preference="epa", epa_agreement="JP-EU", origin_proof="certificate",
               origin_proof_reference="EUR1-42"),
        p.line(hs_code=p.WINE, unit="L", origin_country="FR", quantity="300", invoice_value="450000"),
    ]  # fmt: skip
    created = trader.post("/api/v1/declarations/", p.payload(lines=lines), format="json")
    assert created.status_code == 201, created.json()
    declaration_id = created.json()["id"]
    for kind in ("invoice", "origin_document"):
        upload = SimpleUploadedFile(f"{kind}.pdf", pdf_bytes(), "application/pdf")
        attached = trader.post(
            f"/api/v1/declarations/{declaration_id}/attachments/", {"kind": kind, "file": upload}, format="multipart"
        )
        assert attached.status_code == 201, attached.json()
    with running_worker():
        assert trader.post(f"/api/v1/declarations/{declaration_id}/submit/").status_code == 200
        declaration = wait_until(
            lambda: Declaration.objects.filter(pk=declaration_id, status__in=SCREENED).first(), timeout=60
        )
    assert declaration.lane
    assert declaration.status_changes.filter(to_status=Status.SCREENING).exists()
    if declaration.status in (Status.DOCUMENT_REVIEW, Status.INSPECTION):
        officer = clearance_officer if declaration.status == Status.DOCUMENT_REVIEW else inspection_officer
        response = _api(officer).post(
            f"/api/v1/declarations/{declaration_id}/decision/",
            {"decision": "clear", "reason": "Certificate EUR1-42 checked"},
            format="json",
        )
        assert response.status_code == 200, response.json()
        declaration.refresh_from_db()
        assert declaration.decision_reason == "Certificate EUR1-42 checked"
    # The wine owes 15 % duty, so a cleared declaration waits for its payment.
    assert declaration.status == Status.AWAITING_PAYMENT
    assert declaration.customs_duty_jpy == 67_500
    body = trader.get(f"/api/v1/declarations/{declaration_id}/").json()
    assert body["status"] == "awaiting_payment"
