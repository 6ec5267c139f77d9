"""The supervisor's gate administration: kiosks (registered with a token shown once,
revoked after a confirmation), the gate's effective-dated rules and the watch list."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from customs_portal.models import AuditEvent
from customs_portal.personal_data import passport_hash
from declarations.travellers import services
from declarations.travellers.models import GateRiskRule, Kiosk, WatchListEntry
from tests.travellers.factories import declaration_file, passport_mrz

pytestmark = pytest.mark.django_db

KIOSKS = "/officer/travellers/kiosks/"
RULES = "/officer/travellers/rules/"
WATCH = "/officer/travellers/watch-list/"


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _rule_data(**overrides) -> dict:
    data = {
        "kind": "flight",
        "value": "nh 204",
        "question": "",
        "share_percent": "",
        "valid_from": _local(timezone.now()),
        "valid_until": "",
        "note": "seizures last week",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("url", [KIOSKS, RULES, WATCH])
def test_gate_administration_is_for_supervisors_only(
    client, client_for, clearance_officer, audit_officer, trader_a, supervisor, url
):
    assert client.get(url)["Location"].startswith("/accounts/login/")
    for persona in (clearance_officer, audit_officer, trader_a):
        assert client_for(persona).get(url).status_code == 403
    assert client_for(clearance_officer).post(url, {}).status_code == 403
    assert client_for(supervisor).get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200


# Kiosks -------------------------------------------------------------------------------


def test_a_supervisor_registers_a_kiosk_and_sees_its_token_once(client_for, supervisor):
    client = client_for(supervisor)
    data = {"code": "kix-t1-07", "airport": "KIX", "terminal": "T1", "label": "North hall"}
    response = client.post(KIOSKS, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    token = response.context["registered"]["token"]
    assert token in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    kiosk = Kiosk.objects.get(code="KIX-T1-07")
    assert kiosk.token_hint == token[-4:] and token not in kiosk.token_hash
    assert AuditEvent.objects.filter(action="traveller.kiosk_registered", actor=supervisor).count() == 1
    assert token not in client.get(KIOSKS).content.decode()
    me = APIClient(HTTP_AUTHORIZATION=f"Kiosk {token}").get("/api/v1/kiosk/me/")
    assert me.status_code == 200


def test_a_kiosk_code_that_is_taken_or_malformed_is_refused_with_a_clear_message(client_for, supervisor, kiosk):
    client = client_for(supervisor)
    taken = client.post(KIOSKS, {"code": kiosk.code, "airport": "NRT", "terminal": "T1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert taken.status_code == 400
    assert "This code is taken." in taken.content.decode()
    bad = client.post(KIOSKS, {"code": "a b", "airport": "XXX", "terminal": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"code", "airport", "terminal"}
    assert "Use 3 to 30 letters, digits and hyphens" in bad.content.decode()
    assert Kiosk.objects.count() == 1


def test_revoking_a_kiosk_asks_first_then_stops_its_token(client_for, supervisor, kiosk):
    client = client_for(supervisor)
    url = f"{KIOSKS}{kiosk.pk}/revoke/"
    confirm = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert confirm.status_code == 200 and "This cannot be undone." in confirm.content.decode()
    kiosk.refresh_from_db()
    assert kiosk.is_active
    assert client.post(url).status_code == 302
    kiosk.refresh_from_db()
    assert not kiosk.is_active and kiosk.revoked_by == supervisor
    assert AuditEvent.objects.filter(action="traveller.kiosk_revoked", actor=supervisor).count() == 1
    refused = APIClient(HTTP_AUTHORIZATION=f"Kiosk {kiosk.raw_token}").get("/api/v1/kiosk/me/")
    assert refused.status_code in (401, 403)
    again = client.post(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "already revoked" in again.content.decode()
    assert AuditEvent.objects.filter(action="traveller.kiosk_revoked").count() == 1


def test_only_a_supervisor_may_revoke_a_kiosk(client_for, clearance_officer, kiosk):
    assert client_for(clearance_officer).post(f"{KIOSKS}{kiosk.pk}/revoke/").status_code == 403
    kiosk.refresh_from_db()
    assert kiosk.is_active


# Gate rules ---------------------------------------------------------------------------


def test_a_supervisor_flags_a_flight_and_the_gate_sends_its_travellers_to_the_desk(client_for, supervisor, kiosk):
    response = client_for(supervisor).post(RULES, _rule_data(value="nh 204"))
    assert response.status_code == 302
    rule = GateRiskRule.objects.get(kind="flight")
    assert (rule.value, rule.created_by, rule.valid_until) == ("NH204", supervisor, None)
    assert AuditEvent.objects.filter(action="traveller.gate_rule_created", actor=supervisor).count() == 1
    declaration = declaration_file(flight_number="NH204")
    decision = services.kiosk_decide(
        kiosk=kiosk, token=declaration.token, mrz=passport_mrz(), request_key=uuid.uuid4().hex
    )
    assert decision.lane == "desk" and decision.reasons[0]["code"] == "flight_flagged"


def test_rules_are_listed_in_force_upcoming_and_ended(client_for, supervisor):
    client = client_for(supervisor)
    later = timezone.now() + dt.timedelta(days=2)
    assert client.post(RULES, _rule_data(kind="origin", value="bkk")).status_code == 302
    assert (
        client.post(
            RULES, _rule_data(kind="random_share", value="", share_percent="2.5", valid_from=_local(later))
        ).status_code
        == 302
    )
    assert client.post(RULES, _rule_data(kind="answer", value="", question="gold")).status_code == 302
    page = client.get(RULES, HTTP_ACCEPT_LANGUAGE="en")
    rules = page.context["rules"]
    assert {rule.value for rule in rules["in_force"]} >= {"BKK", "gold"}
    assert [rule.share_percent for rule in rules["upcoming"]] == [2.5]
    origin = GateRiskRule.objects.get(kind="origin")
    assert client.post(f"{RULES}{origin.pk}/end/").status_code == 302
    origin.refresh_from_db()
    assert origin.valid_until is not None and origin.ended_by == supervisor
    page = client.get(RULES, HTTP_ACCEPT_LANGUAGE="en")
    assert origin in page.context["rules"]["ended"] and origin not in page.context["rules"]["in_force"]
    assert AuditEvent.objects.filter(action="traveller.gate_rule_ended", actor=supervisor).count() == 1
    ended_again = client.post(f"{RULES}{origin.pk}/end/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "This rule has already ended." in ended_again.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": "random_share", "share_percent": "120"}, "share_percent", "less than or equal to 100"),
        ({"kind": "random_share", "share_percent": ""}, "share_percent", "Give a share between 0 and 100 %."),
        ({"kind": "flight", "value": ""}, "value", "Give the value the rule looks for."),
        ({"kind": "answer", "question": ""}, "question", "Choose the question."),
        ({"valid_from": "2020-01-01T00:00"}, "valid_from", "A rule cannot start in the past."),
        ({"valid_until": "2020-01-01T00:00"}, "valid_until", "The end must come after the start."),
        ({"valid_from": "tomorrow"}, "valid_from", "Enter a valid date/time."),
        ({"kind": "weather"}, "kind", "Select a valid choice."),
    ],
)
def test_a_bad_rule_is_refused_on_its_field_and_nothing_is_saved(client_for, supervisor, overrides, field, message):
    before = GateRiskRule.objects.count()
    response = client_for(supervisor).post(RULES, _rule_data(**overrides), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert GateRiskRule.objects.count() == before
    assert not AuditEvent.objects.filter(action="traveller.gate_rule_created").exists()


def test_a_clearance_officer_may_not_end_a_rule(client_for, clearance_officer, supervisor):
    rule = services.gate_rule_create(kind="origin", value="LAX", valid_from=timezone.now(), created_by=supervisor)
    assert client_for(clearance_officer).post(f"{RULES}{rule.pk}/end/").status_code == 403
    rule.refresh_from_db()
    assert rule.valid_until is None


# The watch list -----------------------------------------------------------------------


def test_a_passport_goes_on_the_watch_list_as_its_hash_only(client_for, supervisor, kiosk):
    client = client_for(supervisor)
    response = client.post(WATCH, {"passport_number": "tk1234567", "note": "tip-off", "valid_until": ""})
    assert response.status_code == 302
    entry = WatchListEntry.objects.get()
    assert entry.passport_hash == passport_hash("TK1234567") and entry.added_by == supervisor
    stored = json.dumps([[str(value) for value in row] for row in WatchListEntry.objects.values_list()])
    events = json.dumps([[str(value) for value in row] for row in AuditEvent.objects.values_list()])
    assert "1234567" not in stored and "1234567" not in events
    assert "1234567" not in client.get(WATCH).content.decode()
    declaration = declaration_file()
    decision = services.kiosk_decide(
        kiosk=kiosk, token=declaration.token, mrz=passport_mrz(), request_key=uuid.uuid4().hex
    )
    assert decision.lane == "desk" and [item["code"] for item in decision.reasons] == ["watch_list"]
    assert client.post(f"{WATCH}{entry.pk}/end/").status_code == 302
    entry.refresh_from_db()
    assert entry.ended_by == supervisor
    assert AuditEvent.objects.filter(action__startswith="traveller.watch_list_").count() == 2
    assert client.post(f"{WATCH}{entry.pk}/end/").status_code == 404


def test_a_bad_passport_number_is_refused_and_not_shown_again(client_for, supervisor):
    response = client_for(supervisor).post(
        WATCH, {"passport_number": "AB12", "note": "", "valid_until": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Give a passport number of 5 to 20 letters and digits" in response.content.decode()
    assert 'value="AB12"' not in response.content.decode()
    past = client_for(supervisor).post(
        WATCH, {"passport_number": "ZZ7654321", "valid_until": "2020-01-01T00:00"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert past.status_code == 400
    assert "The end must come after the start." in past.content.decode()
    assert "ZZ7654321" not in past.content.decode()
    assert not WatchListEntry.objects.exists()


def test_only_a_supervisor_may_add_to_the_watch_list(client_for, clearance_officer, inspection_officer):
    for officer in (clearance_officer, inspection_officer):
        assert client_for(officer).post(WATCH, {"passport_number": "TK1234567"}).status_code == 403
    assert not WatchListEntry.objects.exists()


@pytest.mark.parametrize(("url", "queries"), [(KIOSKS, 5 + 1), (RULES, 5 + 3), (WATCH, 5 + 1)])
def test_the_administration_lists_take_a_fixed_number_of_queries(
    client_for, supervisor, url, queries, django_assert_max_num_queries
):
    from tests.travellers.factories import kiosk_register

    client = client_for(supervisor)
    for index in range(4):
        kiosk, _raw = kiosk_register(by=supervisor, code=f"NRT-T2-{index:02}")
        services.kiosk_revoke(kiosk=kiosk, revoked_by=supervisor)
        services.gate_rule_create(kind="origin", value=f"AB{index}", valid_from=timezone.now(), created_by=supervisor)
        services.watch_list_add(passport_number=f"ZZ765432{index}", note="", valid_until=None, added_by=supervisor)
    # The session, the user and the saved session (5), and the list's own queries.
    with django_assert_max_num_queries(queries):
        assert client.get(url).status_code == 200
