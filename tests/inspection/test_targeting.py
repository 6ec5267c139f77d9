"""Targeting stays with customs: a declaration the risk model sent to the red lane as an
exploration pick, as its trader meets it on every channel (pages, PDF, API, notifications,
webhooks) and as officers meet it (reasons worded in their language)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import translation

from customs_portal.models import Notification, WebhookDelivery
from customs_portal.notifications import notification_send_email
from customs_portal.reasons import decided_by_text, reasons_text
from declarations.models import Declaration
from inspection.models import RiskScore
from tests.customs_portal.factories import WebhookSubscriptionFactory
from tests.declarations.pdf_text import pdf_text
from tests.inspection.factories import submit_and_screen, submitted_declaration
from tests.tariff.factories import TariffLineFactory

# Words that would tell a trader how customs targets: none may reach a trader's channel.
TARGETING_WORDS = [
    "exploration",
    "chosen to learn",
    "probability",
    "score",
    "risk",
    "screening_reason",
    "expected_revenue",
]


@pytest.fixture
def red_pick(trained_model, trader_a, settings):
    """An import the risk model sent to inspection as an exploration pick, with the
    company's webhook subscribed, screened as the task screens it."""
    settings.INSPECTION_EXPLORATION_SHARE = 1.0
    settings.RISK_RED_MAX_SHARE = 1.0
    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%"})
    WebhookSubscriptionFactory(company=trader_a.company, url="https://hooks.example.com/customs")
    declaration = submit_and_screen(submitted_declaration(company=trader_a.company, declarant=trader_a), by=trader_a)
    assert (declaration.status, declaration.lane) == (Declaration.Status.INSPECTION, Declaration.Lane.RED)
    score = RiskScore.objects.get(declaration=declaration)
    assert score.exploration and len(score.reasons) >= 2  # exploration and what the model found
    return declaration


def targeting_secrets(declaration: Declaration) -> list[str]:
    """Everything of the targeting decision, as codes and as worded in either language."""
    score = RiskScore.objects.get(declaration=declaration)
    secrets = [score.model_label, *TARGETING_WORDS, *(reason["code"] for reason in score.reasons)]
    for language in ("en", "ja"):
        with translation.override(language):
            secrets += reasons_text(score.reasons) + reasons_text(declaration.screening_reasons)
            secrets.append(decided_by_text(score.model_label))
    return secrets


def assert_no_targeting(text: str, declaration: Declaration) -> None:
    lowered = text.lower()
    leaked = [secret for secret in targeting_secrets(declaration) if secret.lower() in lowered]
    assert not leaked, leaked


def page(client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


# --- storage ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_screening_reasons_are_stored_as_codes_with_parameters(red_pick):
    score = RiskScore.objects.get(declaration=red_pick)
    for stored in (score.reasons, red_pick.screening_reasons):
        assert stored and all(isinstance(reason, dict) for reason in stored)
        assert all(set(reason) <= {"code", "params", "weight"} for reason in stored)
        assert all(isinstance(reason["params"], dict) for reason in stored)
    assert [reason["code"] for reason in red_pick.screening_reasons] == [reason["code"] for reason in score.reasons]
    assert red_pick.screening_reasons[0] == {"code": "exploration", "params": {}}
    json.dumps(red_pick.screening_reasons)  # plain JSON, no lazy text


# --- what the trader sees ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_trader_page_shows_the_lane_and_what_to_do_but_no_targeting(red_pick, trader_a, client_for, language):
    html = page(client_for(trader_a), reverse("declaration-detail", args=[red_pick.pk]), language)
    with translation.override(language):
        assert str(Declaration.Lane.RED.label) in html
    if language == "en":
        assert "Goods selected for inspection" in html
        assert "Customs will inspect the goods." in html
    assert_no_targeting(html, red_pick)


@pytest.mark.django_db
def test_the_trader_list_shows_the_lane_but_no_targeting(red_pick, trader_a, client_for):
    html = page(client_for(trader_a), reverse("declaration-list"), "en")
    assert red_pick.number in html and "Red: physical inspection" in html
    assert_no_targeting(html, red_pick)


@pytest.mark.django_db
def test_the_trader_pdf_shows_the_lane_but_no_targeting(red_pick, trader_a, client_for):
    response = client_for(trader_a).get(reverse("declaration-pdf", args=[red_pick.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert red_pick.number in text and "Red: physical inspection" in text
    assert_no_targeting(text, red_pick)


@pytest.mark.django_db
def test_the_trader_api_shows_the_lane_and_what_to_do_but_no_targeting(red_pick, trader_a, api_for):
    api = api_for(trader_a)
    detail = api.get(f"/api/v1/declarations/{red_pick.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    listing = api.get("/api/v1/declarations/", HTTP_ACCEPT_LANGUAGE="en")
    timeline = api.get(f"/api/v1/declarations/{red_pick.pk}/timeline/", HTTP_ACCEPT_LANGUAGE="en")
    assert detail.status_code == listing.status_code == timeline.status_code == 200
    assert detail.json()["lane"] == "red"
    assert detail.json()["required_action"]["code"] == "goods_selected_for_inspection"
    assert [entry["status"] for entry in timeline.json()] == ["submitted", "screening", "inspection"]
    assert {entry["actor"] for entry in timeline.json()[1:]} == {"Customs"}
    assert all(entry["note"] == "" for entry in timeline.json()[1:])
    for response in (detail, listing, timeline):
        assert_no_targeting(response.content.decode(), red_pick)


@pytest.mark.django_db
def test_the_trader_timeline_on_the_page_hides_what_screened_it(red_pick, trader_a, client_for):
    html = page(client_for(trader_a), reverse("declaration-detail", args=[red_pick.pk]), "en")
    timeline = html[html.index('<ol class="timeline">') :]
    assert "Physical inspection · Customs" in timeline
    assert "screening:" not in timeline


@pytest.mark.django_db
def test_the_trader_notifications_e_mail_and_webhooks_carry_no_targeting(red_pick, trader_a, client_for, mailoutbox):
    told = Notification.objects.get(company=trader_a.company, payload__status="inspection")
    assert told.payload["lane"] == "red" and told.payload["required_action"] == "goods_selected_for_inspection"
    notifications = list(Notification.objects.filter(company=trader_a.company))
    deliveries = list(WebhookDelivery.objects.filter(subscription__company=trader_a.company))
    assert deliveries and len(deliveries) == len(notifications)
    for notification in notifications:
        notification_send_email(notification_id=notification.pk)
        assert_no_targeting(
            f"{notification.subject}\n{notification.body}\n{json.dumps(notification.payload)}", red_pick
        )
    for delivery in deliveries:
        assert_no_targeting(json.dumps(delivery.payload, ensure_ascii=False), red_pick)
    assert mailoutbox
    for mail in mailoutbox:
        assert_no_targeting(f"{mail.subject}\n{mail.body}", red_pick)
    inbox = page(client_for(trader_a), reverse("notification-inbox"), "en")
    assert_no_targeting(inbox, red_pick)
    notifications_api = client_for(trader_a).get("/api/v1/notifications/")
    assert_no_targeting(notifications_api.content.decode(), red_pick)


# --- what officers see ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["chosen at random to keep the model learning", "Screening · risk model v1"]),
        ("ja", ["モデルの学習を続けるため無作為に選定"]),
    ],
)
def test_officers_see_the_reasons_in_their_language(red_pick, clearance_officer, client_for, language, expected):
    html = page(client_for(clearance_officer), reverse("declaration-detail", args=[red_pick.pk]), language)
    with translation.override(language):
        worded = reasons_text(red_pick.screening_reasons)
    assert worded and all(text in html for text in worded)
    assert all(text in html for text in expected)
    assert "screening:risk:1" not in html


@pytest.mark.django_db
def test_the_officer_api_words_the_reasons_and_keeps_their_codes(red_pick, clearance_officer, api_for):
    body = api_for(clearance_officer).get(f"/api/v1/declarations/{red_pick.pk}/", HTTP_ACCEPT_LANGUAGE="ja").json()
    assert [reason["code"] for reason in body["screening_reasons"]] == [r["code"] for r in red_pick.screening_reasons]
    assert body["screening_reasons"][0]["text"] == "モデルの学習を続けるため無作為に選定"
    timeline = api_for(clearance_officer).get(
        f"/api/v1/declarations/{red_pick.pk}/timeline/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert timeline.json()[-1]["actor"] == "Screening · risk model v1"
    listing = api_for(clearance_officer).get("/api/v1/inspection-list/", HTTP_ACCEPT_LANGUAGE="en").json()
    [row] = [row for row in listing["results"] if row["declaration_id"] == red_pick.pk]
    assert row["reasons"][0] == "chosen at random to keep the model learning"
    assert row["reason_codes"][0] == {"code": "exploration", "params": {}}


@pytest.mark.django_db
def test_the_inspection_list_names_the_model_readably_not_as_its_raw_label(red_pick, inspection_officer, client_for):
    html = page(client_for(inspection_officer), reverse("inspection-list"), "en")
    assert "risk model v1" in html
    assert "risk:1" not in html
    rows = client_for(inspection_officer).get(reverse("inspection-list"), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="ja")
    csv_text = b"".join(rows.streaming_content).decode()
    assert "モデルの学習を続けるため無作為に選定" in csv_text
