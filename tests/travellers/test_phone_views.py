"""The phone pages as the server renders them: the steps' form in each traveller
language, the QR code drawn only for a token that verifies, the service worker's scope."""

from __future__ import annotations

import pytest

from declarations.travellers import tokens
from tests.travellers.factories import declaration_file, declaration_payload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ja", "en", "zh-hans", "ko"])
def test_the_declaration_form_is_served_in_each_traveller_language(client, language):
    response = client.get("/travel/declare/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'id="phone-config"' in html
    # Every yes/no question is there with no answer chosen.
    assert html.count('value="yes" required>') == 7
    assert "checked" not in html


def test_nationalities_start_with_the_commonest_and_are_named_in_the_page_language(client):
    html = client.get("/travel/declare/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    common = html.index('<optgroup label="')
    assert html.index('<option value="JPN">日本</option>') > common
    assert html.index('<option value="JPN">') < html.index('<option value="KOR">')
    assert '<option value="FRA">フランス</option>' in html


def test_the_start_page_offers_the_declaration_and_the_language_switch(client):
    response = client.get("/travel/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/travel/declare/"' in html
    for code in ("ja", "en", "zh-hans", "ko"):
        assert f'name="language" value="{code}"' in html


def test_the_qr_code_is_drawn_for_a_token_that_verifies(client):
    declaration = declaration_file()
    response = client.get(f"/travel/qr/{declaration.reference}.svg", {"t": declaration.token})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<svg")


def test_the_qr_code_is_refused_for_a_tampered_token(client):
    declaration = declaration_file()
    head, payload, signature = declaration.token.split(".")
    tampered = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    assert client.get(f"/travel/qr/{declaration.reference}.svg", {"t": tampered}).status_code == 404
    assert client.get(f"/travel/qr/{declaration.reference}.svg", {"t": "not a token"}).status_code == 404
    assert client.get(f"/travel/qr/{declaration.reference}.svg").status_code == 404


def test_the_qr_code_is_refused_for_another_declarations_reference(client):
    first, second = declaration_file(), declaration_file()
    assert client.get(f"/travel/qr/{second.reference}.svg", {"t": first.token}).status_code == 404


def test_the_qr_code_is_refused_once_the_token_has_expired(client, monkeypatch):
    declaration = declaration_file()
    later = declaration.token_expires_at.timestamp() + 60
    monkeypatch.setattr(tokens.time, "time", lambda: later)
    assert client.get(f"/travel/qr/{declaration.reference}.svg", {"t": declaration.token}).status_code == 404


def test_the_service_worker_covers_the_travel_pages(client):
    response = client.get("/travel/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/travel/"
    script = response.content.decode()
    assert '"/travel/declare/"' in script and "__ASSETS__" not in script and "__VERSION__" not in script


def test_the_estimate_preview_words_each_line_in_the_readers_language(client):
    payload = declaration_payload(
        answers={"over_allowance": True},
        items=[{"category": "other", "description": "Handbag", "quantity": 1, "value_jpy": 250_000}],
    )
    response = client.post(
        "/api/v1/traveller-declarations/estimate/", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200, response.content
    line = response.json()["lines"][0]
    assert "gets no allowance" in line["allowance_text"]
    assert "no simplified rate applies" in line["basis_text"]


def test_a_filed_declaration_keeps_its_estimate_as_codes_only():
    declaration = declaration_file(
        answers={"over_allowance": True},
        items=[{"category": "other", "description": "Handbag", "quantity": 1, "value_jpy": 250_000}],
    )
    assert "allowance_text" not in declaration.estimate["lines"][0]
    assert declaration.estimate["lines"][0]["allowance"]
