"""POST /api/v1/traveller-estimates/: open to anyone, the answer's shape, each bad
input as a 400 naming its field, and the throttle."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db

URL = "/api/v1/traveller-estimates/"

LEAFLET = {
    "travellers": [{"age": 34}, {"age": 1}],
    "items": [
        {"category": "other_alcohol", "quantity": 3, "value_jpy": 2_000, "volume_ml": 750, "description": "wine"},
        {"category": "whisky_brandy", "quantity": 1, "value_jpy": 6_000, "volume_ml": 750, "description": "whisky"},
        {"category": "cigarettes", "quantity": 200, "value_jpy": 30},
        {"category": "perfume", "quantity": 1, "value_jpy": 12_000, "volume_ml": 28},
        {"category": "other", "quantity": 1, "value_jpy": 100_000, "description": "handbag"},
        {"category": "other", "quantity": 1, "value_jpy": 120_000, "description": "ring"},
        {"category": "other", "quantity": 1, "value_jpy": 50_000, "description": "watch"},
        {
            "category": "other",
            "quantity": 1,
            "value_jpy": 200_000,
            "traveller": 1,
            "description": "infant clothes",
            "item_type": "clothes",
            "for_child_use": True,
        },
    ],
    "date": "2026-03-02",
}


def post(body: dict, client: APIClient | None = None):
    return (client or APIClient()).post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_the_route_is_named_api_traveller_estimates():
    assert reverse("api-traveller-estimates") == URL


def test_anyone_gets_the_leaflet_estimate_without_logging_in():
    response = post(LEAFLET, APIClient(enforce_csrf_checks=True))

    assert response.status_code == 200
    body = response.json()
    assert body["total_jpy"] == 9_100
    assert body["totals"] == [
        {"tax_type": "alcohol", "tax_jpy": "150.00", "total_jpy": 100},
        {"tax_type": "tobacco", "tax_jpy": "0.00", "total_jpy": 0},
        {"tax_type": "other_goods", "tax_jpy": "9000.00", "total_jpy": 9_000},
    ]
    assert (body["date"], body["assessed_by_customs"], body["general_rate_items"]) == ("2026-03-02", False, [])
    wine = body["items"][0]
    assert wine == {
        "index": 0,
        "traveller": 0,
        "category": "other_alcohol",
        "description": "wine",
        "quantity": 3,
        "value_jpy": 2_000,
        "free_quantity": 2,
        "taxed_quantity": 1,
        "allowance": "allowance_alcohol",
        "allowance_text": "Duty-free allowance: 3 bottles of alcohol of about 760 ml per traveller aged 20 or over.",
        "allowance_source": wine["allowance_source"],
        "treatment": "simplified_rate",
        "tax_type": "alcohol",
        "taxable_value_jpy": "1200.00",
        "rate": "200 JPY/L",
        "rate_amount": "200.00",
        "rate_unit": "L",
        "basis": "simplified_rate",
        "basis_text": "Simplified rate for travellers' goods: 200 JPY/L (the taxable value is 0.6 × the overseas value).",
        "basis_source": "Customs Tariff Act art. 3-2 simplified rate (customs.go.jp/kaigairyoko/zeigaku.htm)",
        "tax_jpy": "150.00",
        "assessed_by_customs": False,
    }
    assert "7104" in wine["allowance_source"]
    handbag, ring = body["items"][4:6]
    assert (handbag["taxed_quantity"], handbag["tax_jpy"], handbag["rate"]) == (1, "9000.00", "15%")
    assert (ring["free_quantity"], ring["basis"], ring["tax_jpy"]) == (1, "allowance_other_goods", "0.00")
    assert body["travellers"][1] == {
        "index": 1,
        "age": 1,
        "other_goods_free_jpy": 200_000,
        "other_goods_allowance_jpy": 200_000,
    }


def test_a_signed_in_trader_gets_the_same_answer(trader_a, api_for):
    assert post(LEAFLET, api_for(trader_a)).json()["total_jpy"] == 9_100


def test_general_rate_goods_are_left_to_customs_and_flagged():
    body = post(
        {"travellers": [{"age": 40}], "items": [{"category": "other", "quantity": 1, "value_jpy": 250_000}]}
    ).json()

    (bag,) = body["items"]
    assert (bag["treatment"], bag["tax_jpy"], bag["rate"], bag["rate_amount"]) == ("general_rate", None, "", None)
    assert (bag["basis"], bag["allowance"]) == ("general_rate_over_limit", "no_allowance_single_article")
    assert (body["assessed_by_customs"], body["general_rate_items"], body["total_jpy"]) == (True, [0], 0)
    assert body["general_rate_taxable_value_jpy"] == "150000.00"


def test_no_goods_is_an_estimate_of_nothing():
    body = post({"travellers": [{"age": 40}], "items": []}).json()

    assert (body["total_jpy"], body["items"]) == (0, [])


WINE = {"category": "other_alcohol", "quantity": 1, "value_jpy": 2_000, "volume_ml": 750}


def with_item(**changes) -> dict:
    item = {key: value for key, value in {**WINE, **changes}.items() if value is not None}
    return {"travellers": [{"age": 34}, {"age": 3}], "items": [item]}


@pytest.mark.parametrize(
    ("body", "field", "code", "message"),
    [
        (with_item(category="caviar"), "items[0].category", "validation_error", "not a valid choice"),
        (with_item(value_jpy=-1), "items[0].value_jpy", "validation_error", "cannot be negative"),
        (with_item(value_jpy="lots"), "items[0].value_jpy", "validation_error", "valid integer"),
        (with_item(value_jpy=10**11), "items[0].value_jpy", "validation_error", "less than or equal"),
        (with_item(quantity=0), "items[0].quantity", "validation_error", "at least 1"),
        (with_item(quantity=-2), "items[0].quantity", "validation_error", "at least 1"),
        (with_item(quantity=10_001), "items[0].quantity", "validation_error", "less than or equal"),
        (with_item(traveller=2), "items[0].traveller", "unknown_traveller", "no traveller 2"),
        (with_item(traveller=-1), "items[0].traveller", "validation_error", "no such traveller"),
        (with_item(volume_ml=None), "items[0].volume_ml", "volume_required", "volume of one bottle"),
        (with_item(volume_ml=0), "items[0].volume_ml", "validation_error", "greater than or equal to 1"),
        (
            with_item(category="other_tobacco", volume_ml=None),
            "items[0].weight_g",
            "weight_required",
            "weight of one unit",
        ),
        ({"items": []}, "travellers", "validation_error", "required"),
        ({"travellers": [], "items": []}, "travellers", "validation_error", "may not be empty"),
        ({"travellers": [{"age": 30}] * 21, "items": []}, "travellers", "validation_error", "no more than 20"),
        ({"travellers": [{"age": -1}], "items": []}, "travellers[0].age", "validation_error", "cannot be negative"),
        ({"travellers": [{"age": 30}], "items": [WINE] * 201}, "items", "validation_error", "no more than 200"),
        ({"travellers": [{"age": 30}], "items": {"a": 1}}, "items", "validation_error", "list"),
    ],
)
def test_each_bad_input_is_a_400_naming_its_field(body, field, code, message):
    response = post(body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert list(error["fields"]) == [field]
    assert message in error["fields"][field][0]
    assert field in error["message"]


def test_a_date_before_the_rules_is_refused():
    response = post({"travellers": [{"age": 30}], "items": [], "date": "2020-01-01"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("date_out_of_range", ["date"])
    assert "start on 2021-10-01" in error["message"]


def test_the_throttle_answers_429_past_the_rate(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "traveller-estimate", "3/minute")
    body = {"travellers": [{"age": 30}], "items": []}

    statuses = [post(body).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert post(body).json()["error"]["code"] == "throttled"


def test_the_endpoint_is_in_the_openapi_schema_without_security(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"][URL]["post"]
    assert operation["summary"] == "Estimate the tax on travellers' goods over the duty-free allowances"
    assert "TravellerEstimateOutput" in str(operation["responses"]["200"])
    assert "other_tobacco" in str(schema["components"]["schemas"])


def test_the_familys_goods_are_shared_between_the_travellers():
    body = {
        "travellers": [{"age": 34}, {"age": 40}],
        "items": [
            {"category": "other_alcohol", "quantity": 6, "value_jpy": 2_000, "volume_ml": 750, "traveller": None}
        ],
        "date": "2026-03-02",
    }

    response = post(body)

    assert response.status_code == 200
    lines = response.json()["items"]
    assert [(line["index"], line["traveller"], line["free_quantity"]) for line in lines] == [(0, 0, 3), (0, 1, 3)]
    assert (response.json()["total_jpy"], response.json()["combination_proven_best"]) == (0, True)


def test_too_many_family_lines_are_a_400_naming_the_field():
    body = {
        "travellers": [{"age": 34}],
        "items": [{"category": "other", "quantity": 1, "value_jpy": 1_000, "traveller": None}] * 51,
    }

    response = post(body)

    assert response.status_code == 400
    assert "items" in response.json()["error"]["fields"]
