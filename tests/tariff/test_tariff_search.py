"""Tariff search: the API and the page, for traders and officers, behind login."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from declarations.tariff.selectors import tariff_lines_search

pytestmark = pytest.mark.django_db

API = "/api/v1/tariff-lines/"


def test_the_route_is_the_one_the_issue_names():
    assert reverse("api-tariff-lines") == API


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("2204", {"220421020", "220429010", "220410000"}),
        ("2204.21", {"220421020"}),
        ("2204.21-020", {"220421020"}),
        ("wine", {"220421020", "220429010", "220410000"}),
        ("WINE containers 2 l or less", {"220421020"}),
        ("ぶどう酒", {"220421020", "220429010"}),
        ("ゴルフ", {"950631000", "950632000"}),
        ("golf balls", {"950632000"}),
        ("no such goods", set()),
    ],
)
def test_lines_are_found_by_code_prefix_or_words_in_either_language(seeded_tariff, query, expected):
    found = {line.hs_code for line in tariff_lines_search(query=query, on=dt.date(2026, 6, 1))}
    assert found == expected


def test_only_the_version_in_force_is_found(seeded_tariff):
    def jp_eu_rate(on: dt.date) -> str:
        (line,) = tariff_lines_search(query="040620200", on=on)
        return {rate.column: rate.expression for rate in line.rates.all()}["epa:JP-EU"]

    assert jp_eu_rate(dt.date(2025, 3, 31)) == "14.8%"
    assert jp_eu_rate(dt.date(2025, 4, 1)) == "13.2%"
    assert list(tariff_lines_search(query="0406", on=dt.date(2024, 3, 31))) == []


def test_a_trader_searches_the_api_with_pagination(trader_a, api_for, seeded_tariff, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api_for(trader_a).get(API, {"q": "wine", "page_size": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]
    first = body["results"][0]
    assert first["hs_code"] == "220410000"
    assert first["formatted_code"] == "2204.10-000"
    assert {"column": "wto", "kind": "wto", "agreement": "", "expression": "182 JPY/L"} in first["rates"]


def test_an_officer_may_search_the_api(clearance_officer, api_for, seeded_tariff):
    response = api_for(clearance_officer).get(API, {"q": "laptops"})
    assert [line["hs_code"] for line in response.json()["results"]] == ["847130000"]


def test_the_api_checks_the_date(trader_a, api_for):
    response = api_for(trader_a).get(API, {"q": "wine", "date": "yesterday"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["date"]


def test_the_api_requires_authentication():
    assert APIClient().get(API, {"q": "wine"}).status_code == 401


def test_a_trader_finds_lines_on_the_tariff_page(trader_a, client_for, seeded_tariff):
    response = client_for(trader_a).get(reverse("tariff-search"), {"q": "ぶどう酒"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert "2204.21-020" in html
    assert "max(min(15%, 125 JPY/L), 67 JPY/L)" in html
    assert "2 tariff lines in force on" in html


def test_the_tariff_page_is_japanese_by_default_and_empty_until_asked(trader_a, client_for, seeded_tariff):
    response = client_for(trader_a).get(reverse("tariff-search"))

    assert response.status_code == 200
    assert '<html lang="ja"' in response.content.decode()
    assert "2204.21-020" not in response.content.decode()


def test_an_officer_may_use_the_tariff_page(clearance_officer, client_for, seeded_tariff):
    response = client_for(clearance_officer).get(reverse("tariff-search"), {"q": "8471"})
    assert "8471.30-000" in response.content.decode()


def test_the_tariff_page_requires_login(client):
    response = client.get(reverse("tariff-search"), {"q": "wine"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_admin_shows_the_tariff_read_only(admin_user, client_for, seeded_tariff):
    client = client_for(admin_user)
    line = tariff_lines_search(query="847130000", on=dt.date(2026, 6, 1)).get()

    listing = client.get(reverse("admin:tariff_tariffline_changelist"), {"q": "laptops"})
    detail = client.get(reverse("admin:tariff_tariffline_change", args=[line.pk]))

    assert listing.status_code == detail.status_code == 200
    assert "847130000" in listing.content.decode()
    assert client.get(reverse("admin:tariff_tariffline_add")).status_code == 403
