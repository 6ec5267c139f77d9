"""The audit trail is append-only at every layer."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError
from django.urls import reverse

from customs_portal.audit import audit_record
from customs_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_audit_record_stores_who_did_what_to_which_object(trader_a, rf):
    request = rf.post("/", REMOTE_ADDR="203.0.113.7")
    event = audit_record(
        action="company.updated",
        actor=trader_a,
        obj=trader_a.company,
        before={"name": "Old"},
        after={"name": "New"},
        request=request,
    )
    event.refresh_from_db()
    assert event.actor_label == "trader_a"
    assert event.actor_role == "trader"
    assert event.object_type == "customs_portal.Company"
    assert event.object_id == str(trader_a.company.pk)
    assert (event.before, event.after) == ({"name": "Old"}, {"name": "New"})
    assert event.ip_address == "203.0.113.7"
    assert event.occurred_at is not None


def test_system_components_can_record_events_but_someone_must_be_named():
    assert audit_record(action="payments.expired", system="beat").actor_role == "system"
    with pytest.raises(ValueError):
        audit_record(action="anonymous.change")


def test_an_audit_event_cannot_be_changed_or_deleted_through_the_orm(supervisor):
    event = audit_record(action="model.promoted", actor=supervisor)
    event.action = "model.rolled_back"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "model.promoted"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE customs_portal_auditevent SET action = 'tampered' WHERE id = %s",
        "DELETE FROM customs_portal_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_updates_and_deletes_of_audit_events(statement, supervisor):
    event = audit_record(action="refund.approved", actor=supervisor)
    with pytest.raises(InternalError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "refund.approved"


def test_the_admin_shows_the_audit_trail_read_only(admin_user, client_for, supervisor):
    event = audit_record(action="model.promoted", actor=supervisor)
    client = client_for(admin_user)

    assert client.get(reverse("admin:customs_portal_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:customs_portal_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:customs_portal_auditevent_delete", args=[event.pk])).status_code == 403
    detail = client.post(reverse("admin:customs_portal_auditevent_change", args=[event.pk]), {"action": "tampered"})
    assert detail.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "model.promoted"


def test_behind_a_proxy_the_callers_address_is_recorded(rf, settings, supervisor):
    settings.PROXY_COUNT = 1
    request = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4, 203.0.113.9")
    assert audit_record(action="x.done", actor=supervisor, request=request).ip_address == "203.0.113.9"
