"""The audit trail is append-only at every layer."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError
from django.urls import reverse
from django.utils import translation

from customs_portal.audit import audit_action_label, audit_object_type_label, audit_record
from customs_portal.models import AuditEvent, ModelVersion

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


def test_actions_and_object_types_read_in_words_with_the_codes_kept(supervisor):
    with translation.override("en"):
        assert audit_action_label("risk_model.promoted") == "Risk model: promoted"
        assert audit_action_label("gateway.charge.refunded") == "Gateway charge: refunded"
        assert audit_action_label("declaration.document_review") == "Declaration: sent to document review"
        # A subject not listed is named by the audited object's model; an event not listed by its words.
        assert audit_action_label("modelversion.archived", "customs_portal.ModelVersion") == "Model version: archived"
        assert audit_object_type_label("customs_portal.AeoCertificate") == "AEO certificate"
        assert audit_object_type_label("gone.Model") == "gone.Model"


def test_the_audit_trail_shows_actions_and_object_types_in_the_readers_language(admin_user, client_for, supervisor):
    version = ModelVersion.objects.create(name="risk", version=1, artefact_path="/nowhere")
    audit_record(action="risk_model.promoted", actor=supervisor, obj=version)
    page = client_for(admin_user).get(reverse("admin:customs_portal_auditevent_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    content = page.content.decode()
    assert "Risk model: promoted" in content and "Model version" in content
    assert ">risk_model.promoted<" not in content and ">customs_portal.ModelVersion<" not in content


def test_the_audit_trail_api_gives_each_action_its_label_beside_its_code(supervisor):
    from rest_framework.test import APIClient

    audit_record(action="declaration.submitted", actor=supervisor, obj=supervisor)
    client = APIClient()
    client.force_authenticate(supervisor)
    row = client.get(reverse("api-audit-events"), HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert (row["action"], row["action_label"]) == ("declaration.submitted", "Declaration: submitted")
    assert (row["object_type"], row["object_type_label"]) == ("customs_portal.User", "User")


def test_a_payment_created_reads_as_a_status_not_as_the_created_column_heading():
    from payments.models import PaymentIntent

    with translation.override("ja"):
        assert str(PaymentIntent.Status.CREATED.label) != "作成日時"


def test_every_action_the_travellers_and_xray_code_records_has_its_own_wording_in_japanese():
    import re
    from pathlib import Path

    from customs_portal import audit

    root = Path(__file__).resolve().parents[2]
    sources = [*root.glob("xray/**/*.py"), *root.glob("declarations/travellers/**/*.py")]
    codes = set()
    for source in sources:
        codes |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', source.read_text()))
    assert len(codes) > 20
    unworded = sorted(
        code
        for code in codes
        if code.partition(".")[0] not in audit._SUBJECTS or code.partition(".")[2] not in audit._EVENTS
    )
    assert unworded == []
    with translation.override("ja"):
        assert audit_action_label("xray_parcel.reviewed") == "国際郵便物: 審査"
