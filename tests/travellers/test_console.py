"""The officer console: the live list of kiosk decisions and its feed, the red-lane queue,
the look-up by passport, the declaration page with the officer's decision and the
audited opening of personal data."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.db import connection

from customs_portal.models import AuditEvent
from declarations.travellers import services
from declarations.travellers.models import TravellerDeclaration, TravellerOfficerDecision
from tests.travellers.factories import PASSPORT, declaration_file, passport_mrz

pytestmark = pytest.mark.django_db

CONSOLE = "/officer/travellers/"
FEED = "/officer/travellers/feed/"
DESK = "/officer/travellers/desk/"
PASSPORT_LOOKUP = "/officer/travellers/passport/"
# Per page: the session, the user and the saved session (5), and the list's own queries.
QUERIES = {CONSOLE: 5 + 2, DESK: 5 + 1}
WHISKY = {"category": "whisky_brandy", "quantity": 5, "value_jpy": 5000, "volume_ml": 700}


def _decide(kiosk, declaration, mrz: str | None = None):
    return services.kiosk_decide(
        kiosk=kiosk, token=declaration.token, mrz=mrz or passport_mrz(), request_key=uuid.uuid4().hex
    )


def _desk_declaration(kiosk, **overrides):
    """A declaration the kiosk sent to the desk (a "yes" to prohibited goods)."""
    overrides["answers"] = {"prohibited": True, **overrides.get("answers", {})}
    declaration = declaration_file(**overrides)
    decision = _decide(kiosk, declaration)
    assert decision.lane == "desk"
    declaration.refresh_from_db()
    return declaration


def _page(client, url: str, **kwargs):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en", **kwargs)


# Access -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CONSOLE, FEED, DESK, PASSPORT_LOOKUP])
def test_officer_pages_send_anonymous_visitors_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [CONSOLE, FEED, DESK, PASSPORT_LOOKUP])
def test_traders_and_audit_officers_may_not_open_the_console(client_for, trader_a, audit_officer, url):
    assert client_for(trader_a).get(url).status_code == 403
    assert client_for(audit_officer).get(url).status_code == 403


def test_the_declaration_pages_send_anonymous_visitors_to_the_login(client, kiosk):
    declaration = _desk_declaration(kiosk)
    base = f"/officer/travellers/declarations/{declaration.pk}/"
    assert client.get(base)["Location"].startswith("/accounts/login/")
    for action in ("decide/", "personal-data/"):
        assert client.post(base + action, {"outcome": "cleared"})["Location"].startswith("/accounts/login/")
    declaration.refresh_from_db()
    assert declaration.status == TravellerDeclaration.Status.DESK


def test_the_declaration_page_is_for_arrival_hall_officers_only(
    client_for, kiosk, trader_a, audit_officer, inspection_officer
):
    declaration = _desk_declaration(kiosk)
    url = f"/officer/travellers/declarations/{declaration.pk}/"
    assert client_for(trader_a).get(url).status_code == 403
    assert client_for(audit_officer).get(url).status_code == 403
    assert _page(client_for(inspection_officer), url).status_code == 200
    assert client_for(inspection_officer).get("/officer/travellers/declarations/999999/").status_code == 404


# The live list ------------------------------------------------------------------------


def test_the_live_list_shows_the_kiosks_decisions_newest_first_with_every_reason(client_for, clearance_officer, kiosk):
    green = declaration_file()
    _decide(kiosk, green)
    red = _desk_declaration(kiosk, flight_number="JL61")
    response = _page(client_for(clearance_officer), CONSOLE)
    assert response.status_code == 200
    text = response.content.decode()
    assert text.index(red.reference) < text.index(green.reference)
    assert "prohibited or restricted goods" in text
    assert "Officer desk (red)" in text and "Gate (green)" in text
    assert "NRT T1 · NRT-T1-01" in text
    live = response.context["live"]
    assert live["after"] == red.kiosk_decisions.get().pk
    assert live["chart"]["values"] == [1, 1]


def test_the_feed_gives_only_the_decisions_after_the_last_one_shown(client_for, supervisor, kiosk):
    first = declaration_file()
    seen = _decide(kiosk, first)
    second = _desk_declaration(kiosk)
    client = client_for(supervisor)
    data = client.get(FEED, {"after": seen.pk}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert [row["reference"] for row in data["decisions"]] == [second.reference]
    row = data["decisions"][0]
    assert row["lane"] == "desk" and row["lane_label"] == "Officer desk (red)"
    assert row["url"] == f"/officer/travellers/declarations/{second.pk}/"
    assert data["counts"] == {"gate": 1, "desk": 1}
    assert client.get(FEED, {"after": second.kiosk_decisions.get().pk}).json()["decisions"] == []


def test_the_feed_filters_by_lane_and_airport(client_for, supervisor, kiosk):
    _decide(kiosk, declaration_file())
    red = _desk_declaration(kiosk)
    client = client_for(supervisor)
    assert [row["reference"] for row in client.get(FEED, {"lane": "desk"}).json()["decisions"]] == [red.reference]
    assert client.get(FEED, {"airport": "KIX"}).json() == {"decisions": [], "counts": {"gate": 0, "desk": 0}}
    refused = client.get(FEED, {"airport": "XXX", "after": "-1"})
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"airport", "after"}


def test_a_bad_qr_code_is_listed_without_a_declaration(client_for, supervisor, kiosk):
    services.kiosk_decide(kiosk=kiosk, token="not-a-token", mrz=passport_mrz(), request_key="bad-1")
    row = client_for(supervisor).get(FEED, HTTP_ACCEPT_LANGUAGE="en").json()["decisions"][0]
    assert row["reference"] == "" and row["url"] == ""
    assert row["reasons"] == ["This is not a customs declaration QR code."]


def test_the_feed_takes_the_same_number_of_queries_for_one_decision_or_fifty(
    client_for, supervisor, kiosk, django_assert_max_num_queries
):
    client = client_for(supervisor)
    _decide(kiosk, declaration_file())
    # The session and the user (2), the decisions with their kiosks and declarations (1),
    # today's counts (1), and the session saved again (3, SESSION_SAVE_EVERY_REQUEST).
    with django_assert_max_num_queries(7):
        assert len(client.get(FEED).json()["decisions"]) == 1
    for index in range(12):
        services.kiosk_decide(kiosk=kiosk, token=f"bad-{index}", mrz=passport_mrz(), request_key=f"k{index}")
    with django_assert_max_num_queries(7):
        assert len(client.get(FEED).json()["decisions"]) == 13


# The red-lane queue -------------------------------------------------------------------


def test_the_desk_queue_groups_waiting_travellers_by_terminal_oldest_first(
    client_for, inspection_officer, supervisor, kiosk
):
    from tests.travellers.factories import kiosk_register

    other, _raw = kiosk_register(by=supervisor, code="HND-T3-02", airport="HND", terminal="T3")
    older = _desk_declaration(kiosk)
    newer = _desk_declaration(kiosk)
    at_haneda = declaration_file(answers={"gold": True}, arrival_airport="HND")
    _decide(other, at_haneda)
    through = declaration_file()
    _decide(kiosk, through)
    response = _page(client_for(inspection_officer), DESK)
    assert response.status_code == 200
    terminals = response.context["terminals"]
    assert [(group["airport"], group["terminal"]) for group in terminals] == [("HND", "T3"), ("NRT", "T1")]
    assert [row["declaration"].reference for row in terminals[1]["rows"]] == [older.reference, newer.reference]
    assert through.reference not in response.content.decode()
    haneda_only = _page(client_for(inspection_officer), DESK, data={"airport": "HND"})
    assert [group["airport"] for group in haneda_only.context["terminals"]] == ["HND"]


# The look-up by passport --------------------------------------------------------------


def test_the_passport_look_up_finds_declarations_without_keeping_the_number(client_for, clearance_officer, kiosk):
    mine = declaration_file()
    other = declaration_file(passport={"number": "XY9876543"})
    client = client_for(clearance_officer)
    response = client.post(PASSPORT_LOOKUP, {"passport": "tk 123 4567"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = response.content.decode()
    assert mine.reference in text and other.reference not in text
    assert "TK1234567" not in text and "tk 123 4567" not in text
    event = AuditEvent.objects.get(action="traveller.passport_looked_up")
    assert event.after == {"found": [mine.reference]} and event.actor == clearance_officer
    dumped = json.dumps([[str(value) for value in row] for row in AuditEvent.objects.values_list()])
    assert "TK1234567" not in dumped and "1234567" not in dumped
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_session WHERE session_data LIKE %s", ["%1234567%"])
        assert cursor.fetchone()[0] == 0


def test_the_passport_look_up_takes_the_mrz_and_checks_its_digits(client_for, clearance_officer):
    declaration = declaration_file()
    client = client_for(clearance_officer)
    found = client.post(PASSPORT_LOOKUP, {"passport": passport_mrz()}, HTTP_ACCEPT_LANGUAGE="en")
    assert declaration.reference in found.content.decode()
    broken = passport_mrz().replace("TK1234567", "TK1234568")
    refused = client.post(PASSPORT_LOOKUP, {"passport": broken}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "check digit" in refused.content.decode()
    assert "TK1234568" not in refused.content.decode()


def test_the_passport_look_up_refuses_nonsense_in_the_officers_language(client_for, clearance_officer):
    refused = client_for(clearance_officer).post(PASSPORT_LOOKUP, {"passport": "<script>"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "Give a passport number of 5 to 20 letters and digits" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="traveller.passport_looked_up").exists()


def test_the_passport_look_up_is_a_post_form(client_for, clearance_officer):
    page = _page(client_for(clearance_officer), PASSPORT_LOOKUP, data={"passport": PASSPORT["number"]})
    assert page.status_code == 200 and page.context["found"] is None
    assert 'method="post"' in page.content.decode()


# The declaration page and the officer's decision --------------------------------------


def test_the_declaration_page_shows_the_calculation_and_the_kiosk_decision(client_for, clearance_officer, kiosk):
    # The two adults free three bottles each: two of the eight are taxed, as below.
    declaration = declaration_file(
        answers={"over_allowance": True}, items=[{**WHISKY, "quantity": 8}], family={"adults": 1}
    )
    _decide(kiosk, declaration)
    response = _page(client_for(clearance_officer), f"/officer/travellers/declarations/{declaration.pk}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Whisky, brandy" in text and "Alcohol allowance" in text
    assert "¥1,100" in text  # the alcohol total rounded down to ¥100
    assert "1 aged 20 or over" in text
    assert "Duty of ¥1,100 is due on the goods over your allowance." in text
    assert "Waiting for payment at the kiosk" in text
    assert response.context["decision_form"] is None  # not at the desk


def test_an_officer_clears_a_red_lane_declaration_with_duty_collected(client_for, clearance_officer, kiosk):
    declaration = _desk_declaration(kiosk)
    client = client_for(clearance_officer)
    url = f"/officer/travellers/declarations/{declaration.pk}/decide/"
    response = client.post(url, {"outcome": "duty_collected", "duty_jpy": "2400", "note": "two bottles"})
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == TravellerDeclaration.Status.CLEARED
    decision = TravellerOfficerDecision.objects.get()
    assert (decision.officer, decision.duty_jpy, decision.note) == (clearance_officer, 2400, "two bottles")
    event = AuditEvent.objects.get(action="traveller.officer_decision")
    assert event.after["outcome"] == "duty_collected" and event.actor == clearance_officer
    again = client.post(url, {"outcome": "detained"})
    assert again.status_code == 302
    assert TravellerOfficerDecision.objects.count() == 1


def test_a_decision_with_a_wrong_amount_is_refused_and_changes_nothing(client_for, inspection_officer, kiosk):
    declaration = _desk_declaration(kiosk)
    url = f"/officer/travellers/declarations/{declaration.pk}/decide/"
    client = client_for(inspection_officer)
    refused = client.post(url, {"outcome": "cleared", "duty_jpy": "500"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "only when the outcome is “duty collected”" in refused.content.decode()
    negative = client.post(url, {"outcome": "duty_collected", "duty_jpy": "-1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert negative.status_code == 400
    declaration.refresh_from_db()
    assert declaration.status == TravellerDeclaration.Status.DESK
    assert not TravellerOfficerDecision.objects.exists()


def test_officers_outside_the_arrivals_hall_may_not_decide(client_for, audit_officer, trader_a, kiosk):
    declaration = _desk_declaration(kiosk)
    url = f"/officer/travellers/declarations/{declaration.pk}/decide/"
    assert client_for(audit_officer).post(url, {"outcome": "cleared"}).status_code == 403
    assert client_for(trader_a).post(url, {"outcome": "cleared"}).status_code == 403
    declaration.refresh_from_db()
    assert declaration.status == TravellerDeclaration.Status.DESK


def test_personal_data_is_shown_once_to_a_reader_and_audited(client_for, clearance_officer, inspection_officer, kiosk):
    declaration = _desk_declaration(kiosk)
    page_url = f"/officer/travellers/declarations/{declaration.pk}/"
    url = page_url + "personal-data/"
    page = _page(client_for(clearance_officer), page_url)
    assert "Show personal data" in page.content.decode() and "TK1234567" not in page.content.decode()
    response = client_for(clearance_officer).post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "TK1234567" in response.content.decode() and "TANAKA" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="traveller.personal_data_viewed", actor=clearance_officer).count() == 1
    assert "TK1234567" not in _page(client_for(clearance_officer), page_url).content.decode()
    # An inspection officer sees declarations but not the traveller's identity.
    assert "Show personal data" not in _page(client_for(inspection_officer), page_url).content.decode()
    assert client_for(inspection_officer).post(url).status_code == 403
    assert client_for(clearance_officer).get(url).status_code == 405


def test_the_declaration_page_shows_a_payment_notified_by_the_payments_app(client_for, clearance_officer, kiosk):
    declaration = declaration_file(answers={"over_allowance": True}, items=[WHISKY])
    _decide(kiosk, declaration)
    assert services.traveller_duty_paid(declaration_id=declaration.pk, payment_reference="PAY-20261207-0001")
    text = _page(client_for(clearance_officer), f"/officer/travellers/declarations/{declaration.pk}/").content.decode()
    assert "Paid at the kiosk" in text and "PAY-20261207-0001" in text
    assert "Duty paid at the kiosk" in text  # the history


def test_the_duty_collected_at_the_desk_shows_as_the_payment(client_for, clearance_officer, kiosk):
    declaration = _desk_declaration(kiosk, items=[WHISKY], answers={"prohibited": True, "over_allowance": True})
    url = f"/officer/travellers/declarations/{declaration.pk}/"
    assert "To be assessed and collected at the desk" in _page(client_for(clearance_officer), url).content.decode()
    services.traveller_officer_decide(
        declaration=declaration, officer=clearance_officer, outcome="duty_collected", duty_jpy=1100
    )
    page = _page(client_for(clearance_officer), url)
    assert "Collected at the desk: ¥1,100" in page.content.decode()
    assert page.context["decision_form"] is None


@pytest.mark.parametrize("url", [CONSOLE, DESK])
def test_the_console_lists_take_a_fixed_number_of_queries(
    client_for, supervisor, kiosk, url, django_assert_max_num_queries
):
    client = client_for(supervisor)
    _desk_declaration(kiosk)
    with django_assert_max_num_queries(QUERIES[url]):
        client.get(url)
    for _index in range(5):
        _desk_declaration(kiosk)
    with django_assert_max_num_queries(QUERIES[url]):
        assert client.get(url).status_code == 200


def test_erased_personal_data_cannot_be_opened(client_for, clearance_officer, kiosk):
    declaration = _desk_declaration(kiosk)
    services.traveller_personal_data_purge(now=declaration.purge_after + dt.timedelta(seconds=1))
    page_url = f"/officer/travellers/declarations/{declaration.pk}/"
    assert "Show personal data" not in _page(client_for(clearance_officer), page_url).content.decode()
    response = client_for(clearance_officer).post(page_url + "personal-data/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "The personal data of this declaration has been erased." in response.content.decode()
    assert not AuditEvent.objects.filter(action="traveller.personal_data_viewed").exists()
    found = client_for(clearance_officer).post(PASSPORT_LOOKUP, {"passport": "TK1234567"}, HTTP_ACCEPT_LANGUAGE="en")
    assert declaration.reference not in found.content.decode()
