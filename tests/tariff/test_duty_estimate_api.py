"""POST /api/v1/duty-estimates/: rates, legal basis, totals, and each bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.tariff.factories import TariffLineFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/duty-estimates/"


@pytest.fixture
def ca1111_tariff():
    TariffLineFactory(hs_code="111111111", rates={"general": "14%"})
    TariffLineFactory(hs_code="222222222", reduced_consumption_tax=True, rates={"general": "14%"})


def post(client: APIClient, body: dict):
    return client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_the_route_is_the_one_the_issue_names():
    assert reverse("api-duty-estimates") == URL


def test_a_trader_gets_the_customs_answer_1111_figures(trader_a, api_for, ca1111_tariff):
    response = post(
        api_for(trader_a),
        {
            "lines": [
                {"hs_code": "111111111", "origin": "US", "customs_value_jpy": 534_795},
                {"hs_code": "2222.22-222", "origin": "us", "customs_value_jpy": 126_258},
            ],
            "date": "2026-03-02",
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == {
        "customs_duty_jpy": 92_400,
        "consumption_tax_jpy": 56_400,
        "local_consumption_tax_jpy": 15_900,
        "total_jpy": 164_700,
    }
    a, b = body["lines"]
    assert (a["rate"], a["basis"], a["basis_label"]) == ("14%", "general", "general rate")
    assert (a["customs_duty_jpy"], a["consumption_tax_jpy"], a["local_consumption_tax_jpy"]) == (74_760, 47_502, 13_397)
    assert (b["customs_duty_jpy"], b["consumption_tax_jpy"], b["local_consumption_tax_jpy"]) == (17_640, 8_923, 2_510)
    assert b["consumption_tax_percent"] == "6.24"
    assert body["date"] == "2026-03-02"
    assert body["small_value_exemption"] is False


def test_an_officer_may_estimate_too_and_epa_claims_show_their_basis(clearance_officer, api_for, seeded_tariff):
    response = post(
        api_for(clearance_officer),
        {
            "lines": [
                {
                    "hs_code": "220421020",
                    "origin": "FR",
                    "preference": "JP-EU",
                    "origin_proof": "exporter_declaration",
                    "customs_value_jpy": 200_000,
                    "quantity": "75",
                },
                {"hs_code": "220421020", "origin": "US", "customs_value_jpy": 200_000, "quantity": "75"},
            ]
        },
    )

    assert response.status_code == 200
    eu, us = response.json()["lines"]
    assert (eu["rate"], eu["basis"], eu["agreement"], eu["basis_label"]) == (
        "free",
        "epa",
        "JP-EU",
        "JP-EU EPA preferential rate",
    )
    assert (us["rate"], us["basis_label"], us["customs_duty_jpy"]) == (
        "max(min(15%, 125 JPY/L), 67 JPY/L)",
        "WTO bound rate",
        9_375,
    )


def test_the_estimate_of_ten_lines_reads_the_tariff_in_two_queries(
    trader_a, api_for, seeded_tariff, django_assert_max_num_queries
):
    codes = ["090121000", "420221200", "847130000", "610910000", "040630000"]
    lines = [{"hs_code": code, "origin": "CN", "customs_value_jpy": 50_000 + i} for i, code in enumerate(codes * 2)]
    client = api_for(trader_a)

    # force_authenticate needs no query; the tariff lines and their rates are two.
    with django_assert_max_num_queries(2):
        response = post(client, {"lines": lines})

    assert response.status_code == 200
    assert len(response.json()["lines"]) == 10


@pytest.mark.parametrize(
    ("line", "field", "code", "message"),
    [
        (
            {"hs_code": "12345", "origin": "US", "customs_value_jpy": 1},
            "lines[0].hs_code",
            "validation_error",
            "9 digits",
        ),
        (
            {"hs_code": "999999999", "origin": "US", "customs_value_jpy": 20_000},
            "lines[0].hs_code",
            "unknown_tariff_code",
            "No tariff line 999999999",
        ),
        (
            {"hs_code": "090121000", "origin": "QQ", "customs_value_jpy": 20_000},
            "lines[0].origin",
            "unknown_country",
            "not an ISO 3166",
        ),
        (
            {"hs_code": "090121000", "origin": "USA", "customs_value_jpy": 20_000},
            "lines[0].origin",
            "validation_error",
            "no more than 2",
        ),
        (
            {"hs_code": "090121000", "origin": "US", "customs_value_jpy": -5},
            "lines[0].customs_value_jpy",
            "validation_error",
            "cannot be negative",
        ),
        (
            {"hs_code": "090121000", "origin": "US", "customs_value_jpy": 10**15},
            "lines[0].customs_value_jpy",
            "validation_error",
            "less than or equal",
        ),
        (
            {"hs_code": "090121000", "origin": "US", "customs_value_jpy": "lots"},
            "lines[0].customs_value_jpy",
            "validation_error",
            "valid integer",
        ),
        (
            {
                "hs_code": "220421020",
                "origin": "US",
                "preference": "JP-EU",
                "origin_proof": "certificate",
                "customs_value_jpy": 20_000,
                "quantity": "1",
            },
            "lines[0].preference",
            "epa_not_applicable",
            "JP-EU does not cover goods originating in US",
        ),
        (
            {
                "hs_code": "220421020",
                "origin": "IT",
                "preference": "JP-EU",
                "customs_value_jpy": 20_000,
                "quantity": "1",
            },
            "lines[0].origin_proof",
            "origin_proof_required",
            "needs a proof of origin",
        ),
        (
            {"hs_code": "220421020", "origin": "IT", "customs_value_jpy": 20_000},
            "lines[0].quantity",
            "quantity_required",
            "give the quantity in L",
        ),
        (
            {"hs_code": "220421020", "origin": "IT", "customs_value_jpy": 20_000, "quantity": "-1"},
            "lines[0].quantity",
            "validation_error",
            "greater than or equal to 0",
        ),
        (
            {"hs_code": "220421020", "origin": "IT", "origin_proof": "handshake", "customs_value_jpy": 20_000},
            "lines[0].origin_proof",
            "validation_error",
            "not a valid choice",
        ),
    ],
)
def test_each_bad_input_is_a_400_naming_the_line_and_field(
    trader_a, api_for, seeded_tariff, line, field, code, message
):
    good = {"hs_code": "847130000", "origin": "CN", "customs_value_jpy": 100_000}

    response = post(api_for(trader_a), {"lines": [line] if field.startswith("lines[0]") else [good, line]})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert list(error["fields"]) == [field]
    assert message in error["fields"][field][0]
    assert field in error["message"]


def test_a_bad_second_line_is_named_by_its_index(trader_a, api_for, seeded_tariff):
    good = {"hs_code": "847130000", "origin": "CN", "customs_value_jpy": 100_000}
    bad = {"hs_code": "847130000", "origin": "CN", "customs_value_jpy": -1}

    error = post(api_for(trader_a), {"lines": [good, bad, good]}).json()["error"]

    assert list(error["fields"]) == ["lines[1].customs_value_jpy"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "lines"), ({"lines": []}, "lines"), ({"lines": [{"hs_code": "847130000"}]}, "lines[0].origin")],
)
def test_missing_or_empty_lines_are_refused(trader_a, api_for, body, field):
    response = post(api_for(trader_a), body)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_date_before_the_tariff_has_no_lines_in_force(trader_a, api_for, seeded_tariff):
    response = post(
        api_for(trader_a),
        {"lines": [{"hs_code": "847130000", "origin": "CN", "customs_value_jpy": 100_000}], "date": "2023-01-01"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_tariff_code"


def test_the_small_value_exemption_shows_in_the_answer(trader_a, api_for, seeded_tariff):
    body = post(
        api_for(trader_a),
        {
            "lines": [
                {"hs_code": "090121000", "origin": "US", "customs_value_jpy": 4_000},
                {"hs_code": "610910000", "origin": "US", "customs_value_jpy": 5_000},
            ]
        },
    ).json()

    assert body["small_value_exemption"] is True
    coffee, tshirt = body["lines"]
    assert coffee["exempt"] is True and coffee["customs_duty_jpy"] == 0
    assert tshirt["exempt"] is False and tshirt["customs_duty_jpy"] == 370  # 5,000 × 7.4 %


def test_an_anonymous_caller_is_refused():
    response = APIClient().post(URL, {"lines": []}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401


def test_the_endpoint_is_in_the_openapi_schema(trader_a, client_for):
    schema = client_for(trader_a).get(reverse("api-schema"), {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/duty-estimates/"]["post"]
    assert operation["summary"] == "Estimate duty and taxes for lines of goods"
    assert "DutyEstimateOutput" in str(operation["responses"]["200"])
    assert "/api/v1/tariff-lines/" in schema["paths"]


def test_estimates_default_to_today(trader_a, api_for):
    TariffLineFactory(hs_code="111111111", valid_from=dt.date(2020, 1, 1), rates={"general": "free"})

    body = post(api_for(trader_a), {"lines": [{"hs_code": "111111111", "origin": "CN", "customs_value_jpy": 1}]}).json()

    assert body["date"] == timezone.localdate().isoformat()
