"""Personal data of traveller declarations is erased after the retention period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from customs_portal.models import AuditEvent
from declarations.travellers.models import TravellerDeclaration
from declarations.travellers.tasks import traveller_personal_data_purge_task
from tests.travellers.factories import declaration_file, passport_mrz

pytestmark = pytest.mark.django_db


def test_the_beat_schedule_runs_the_purge():
    entry = settings.CELERY_BEAT_SCHEDULE["traveller-personal-data-purge"]
    assert entry["task"] == traveller_personal_data_purge_task.name


def test_personal_data_past_the_retention_date_is_erased_and_the_rest_kept(settings):
    settings.TRAVELLER_RETENTION_DAYS = 0
    old = declaration_file(arrival_date=(timezone.localdate() - dt.timedelta(days=1)).isoformat())
    fresh = declaration_file(arrival_date=timezone.localdate().isoformat())
    TravellerDeclaration.objects.filter(pk=fresh.pk).update(purge_after=timezone.now() + dt.timedelta(days=1))

    assert traveller_personal_data_purge_task.apply().get() == 1

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.passport_hash, old.personal_encrypted, old.token) == ("", "", "")
    assert old.purged_at is not None and old.flight_number == "NH204"
    assert fresh.purged_at is None and fresh.personal_encrypted
    assert AuditEvent.objects.filter(action="traveller.personal_data_purged").count() == 1
    assert traveller_personal_data_purge_task.apply().get() == 0


def test_a_purged_declaration_no_longer_opens_a_gate(settings, kiosk_client):
    declaration = declaration_file()
    TravellerDeclaration.objects.filter(pk=declaration.pk).update(purge_after=timezone.now() - dt.timedelta(seconds=1))
    traveller_personal_data_purge_task.apply()
    response = kiosk_client.post(
        "/api/v1/kiosk/decisions/",
        {"token": declaration.token, "mrz": passport_mrz()},
        format="json",
        HTTP_IDEMPOTENCY_KEY="after-purge",
    )
    assert response.json()["lane"] == "desk"
    assert response.json()["messages"] == ["No declaration was found for this QR code."]
