"""The post-clearance audit list and the "probably wrong" list: filters, sort, CSV, charts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from declarations.models import Declaration
from inspection import services
from inspection.models import InspectionResult
from tests.declarations.factories import CustomsOfficeFactory, DeclarationFactory, DeclarationLineFactory
from tests.inspection.factories import submit_and_screen
from tests.tariff.factories import TariffLineFactory


def _declaration(*, trader, office, date, hs_code, description, quantity, kg, value) -> Declaration:
    declaration = DeclarationFactory(company=trader.company, declarant=trader, office=office, declaration_date=date)
    DeclarationLineFactory(
        declaration=declaration, line_no=1, hs_code=hs_code, description=description, origin_country="CN",
        quantity=Decimal(quantity), unit="NO", net_weight_kg=Decimal(kg), invoice_value=Decimal(value),
    )  # fmt: skip
    return submit_and_screen(declaration, by=trader)


@pytest.fixture
def portfolio(trained_model, trader_a, trader_b, audit_officer):
    """Four scored declarations of two companies at two offices, in chapters 61 and 84."""
    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%"})
    TariffLineFactory(hs_code="847130000", rates={"general": "0%"})
    tokyo = CustomsOfficeFactory(code="1A")
    osaka = CustomsOfficeFactory(code="4A", name_ja="大阪税関", name_en="Osaka Customs")
    made = {
        # Plausible t-shirts; laptops declared as t-shirts at a fraction of their value.
        "shirts": _declaration(
            trader=trader_a, office=tokyo, date=dt.date(2026, 3, 3), hs_code="610910000",
            description="cotton knitted t-shirts", quantity="100", kg="20", value="80000",
        ),
        "laptops_as_shirts": _declaration(
            trader=trader_a, office=osaka, date=dt.date(2026, 4, 10), hs_code="610910000",
            description="portable laptop computers", quantity="100", kg="200", value="20000",
        ),
        "laptops": _declaration(
            trader=trader_b, office=tokyo, date=dt.date(2026, 3, 20), hs_code="847130000",
            description="portable laptop computers", quantity="10", kg="20", value="600000",
        ),
        "cheap_laptops": _declaration(
            trader=trader_b, office=osaka, date=dt.date(2026, 4, 20), hs_code="847130000",
            description="portable laptop computers", quantity="50", kg="100", value="30000",
        ),
    }  # fmt: skip
    Declaration.objects.filter(pk__in=[d.pk for d in made.values()]).update(status=Declaration.Status.PERMITTED)
    services.inspection_result_record(
        declaration=made["laptops"], kind=InspectionResult.Kind.POST_CLEARANCE_AUDIT,
        outcome=InspectionResult.Outcome.DISCREPANCY, additional_duty_jpy=40000, fraud_type="undervaluation",
        notes="", officer=audit_officer,
    )  # fmt: skip
    return made


def _csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


# Post-clearance audit list.


@pytest.mark.django_db
def test_the_audit_list_ranks_companies_by_expected_unpaid_revenue_in_few_queries(
    portfolio, client_for, audit_officer, trader_a, trader_b, django_assert_max_num_queries
):
    client = client_for(audit_officer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("inspection-audit"))
    assert response.status_code == 200
    companies = list(response.context["page"].object_list)
    assert {c["company_id"] for c in companies} == {trader_a.company_id, trader_b.company_id}
    expected = [c["expected"] for c in companies]
    assert expected == sorted(expected, reverse=True)
    assert all(c["declarations"] == 2 for c in companies)
    chart = response.context["chart"]
    assert chart["labels"] == [c["company_name"] for c in companies] and chart["values"] == expected
    assert 'id="audit-chart-data"' in response.content.decode()


@pytest.mark.django_db
def test_the_audit_list_sorts_by_findings_and_by_average_probability(portfolio, client_for, audit_officer, trader_b):
    client = client_for(audit_officer)
    by_findings = list(client.get(reverse("inspection-audit"), {"sort": "findings"}).context["page"].object_list)
    assert by_findings[0]["company_id"] == trader_b.company_id
    assert [c["findings"] for c in by_findings] == [1, 0]
    by_probability = client.get(reverse("inspection-audit"), {"sort": "probability"}).context["page"].object_list
    averages = [c["average_probability"] for c in by_probability]
    assert averages == sorted(averages, reverse=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "company"),
    [
        ({"office": "4A"}, None),
        ({"date_from": "2026-04-01"}, None),
        ({"date_to": "2026-03-10"}, "trader_a"),
        ({"chapter": "84"}, "trader_b"),
        ({"importer": "__trader_b__"}, "trader_b"),
    ],
)
def test_the_audit_list_filters_narrow_the_companies_and_their_declarations(
    params, company, portfolio, client_for, audit_officer, request
):
    if params.get("importer"):
        params = {"importer": request.getfixturevalue("trader_b").company.name}
    client = client_for(audit_officer)
    companies = list(client.get(reverse("inspection-audit"), params).context["page"].object_list)
    assert sum(c["declarations"] for c in companies) < 4
    if company:
        assert [c["company_id"] for c in companies] == [request.getfixturevalue(company).company_id]
    else:  # office 4A and April hold one declaration of each company
        assert [c["declarations"] for c in companies] == [1, 1]


@pytest.mark.django_db
def test_the_audit_list_ignores_open_declarations(portfolio, client_for, audit_officer):
    Declaration.objects.filter(pk=portfolio["shirts"].pk).update(status=Declaration.Status.DOCUMENT_REVIEW)
    companies = client_for(audit_officer).get(reverse("inspection-audit")).context["page"].object_list
    assert sorted(c["declarations"] for c in companies) == [1, 2]


@pytest.mark.django_db
def test_the_audit_list_exports_the_filtered_companies_as_csv(
    portfolio, client_for, supervisor, trader_b, django_assert_max_num_queries
):
    client = client_for(supervisor)
    with django_assert_max_num_queries(6):
        rows = _csv_rows(client.get(reverse("inspection-audit"), {"format": "csv"}))
    assert len(rows) == 2
    assert set(rows[0]) == {"company", "declarations", "findings", "average_probability", "expected_unpaid_revenue_jpy"}
    assert [int(r["expected_unpaid_revenue_jpy"]) for r in rows] == sorted(
        (int(r["expected_unpaid_revenue_jpy"]) for r in rows), reverse=True
    )
    only_b = _csv_rows(client.get(reverse("inspection-audit"), {"format": "csv", "chapter": "84"}))
    assert [(r["company"], r["findings"]) for r in only_b] == [(trader_b.company.name, "1")]


@pytest.mark.django_db
def test_a_company_name_is_never_exported_as_a_spreadsheet_formula(portfolio, client_for, supervisor, trader_a):
    trader_a.company.name = '=HYPERLINK("http://evil.example","x")'
    trader_a.company.save()
    rows = _csv_rows(client_for(supervisor).get(reverse("inspection-audit"), {"format": "csv"}))
    assert '\'=HYPERLINK("http://evil.example","x")' in {r["company"] for r in rows}


@pytest.mark.django_db
def test_the_audit_list_refuses_a_malformed_filter_with_a_form_error(portfolio, client_for, audit_officer):
    response = client_for(audit_officer).get(reverse("inspection-audit"), {"chapter": "8x"})
    assert response.status_code == 200 and response.context["form"].errors["chapter"]
    assert len(response.context["page"].object_list) == 2  # the list stays unfiltered


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"format": "csv"}])
def test_traders_cannot_see_the_audit_list(params, client_for, trader_a):
    assert client_for(trader_a).get(reverse("inspection-audit"), params).status_code == 403


# "Probably wrong" list.


@pytest.mark.django_db
def test_the_probably_wrong_list_shows_suspected_corrections_in_few_queries(
    portfolio, client_for, clearance_officer, django_assert_max_num_queries
):
    client = client_for(clearance_officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("inspection-probably-wrong"))
    assert response.status_code == 200
    listed = {score.declaration_id: score for score, _reasons in response.context["rows"]}
    assert portfolio["laptops_as_shirts"].pk in listed and portfolio["shirts"].pk not in listed
    assert listed[portfolio["laptops_as_shirts"].pk].suspected_correction.get("chapter") == "84"
    chart = response.context["chart"]
    assert len(chart["labels"]) == len(chart["values"]) == 2
    assert chart["values"][0] == sum(1 for s in listed.values() if "chapter" in s.suspected_correction)
    assert chart["values"][1] == sum(1 for s in listed.values() if "customs_value_jpy" in s.suspected_correction)
    assert 'id="wrong-chart-data"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"office": "1A"},
        {"date_to": "2026-04-01"},
        {"chapter": "84"},
        {"importer": "__trader_b__"},
        {"lane": "__other__"},
    ],
)
def test_the_probably_wrong_filters_drop_the_misdeclared_laptops(
    params, portfolio, client_for, clearance_officer, trader_b
):
    client = client_for(clearance_officer)
    wrong = Declaration.objects.get(pk=portfolio["laptops_as_shirts"].pk)
    other = {
        "importer": trader_b.company.name,
        "lane": next(lane for lane in Declaration.Lane.values if lane != wrong.lane),
    }
    params = {key: other[key] if value.startswith("__") else value for key, value in params.items()}
    everything = client.get(reverse("inspection-probably-wrong")).context["page"].paginator.count
    response = client.get(reverse("inspection-probably-wrong"), params)
    assert not response.context["form"].errors
    listed = [s.declaration_id for s, _reasons in response.context["rows"]]
    assert wrong.pk not in listed and len(listed) < everything
    # The same filters keep it when they match it.
    matching = {"office": "4A", "date_from": "2026-04-01", "chapter": "61", "lane": wrong.lane, "kind": "chapter"}
    kept = client.get(reverse("inspection-probably-wrong"), matching).context["rows"]
    assert [s.declaration_id for s, _reasons in kept] == [wrong.pk]


@pytest.mark.django_db
def test_the_probably_wrong_list_filters_by_kind_of_inconsistency(portfolio, client_for, clearance_officer):
    client = client_for(clearance_officer)
    counts = client.get(reverse("inspection-probably-wrong")).context["chart"]["values"]
    for kind, count in zip(("chapter", "customs_value_jpy"), counts, strict=True):
        response = client.get(reverse("inspection-probably-wrong"), {"kind": kind})
        scores = [score for score, _reasons in response.context["rows"]]
        assert len(scores) == count and all(kind in score.suspected_correction for score in scores)
        assert response.context["chart"]["values"][0 if kind == "chapter" else 1] == count


@pytest.mark.django_db
def test_the_probably_wrong_list_sorts_by_probability(portfolio, client_for, clearance_officer):
    rows = client_for(clearance_officer).get(reverse("inspection-probably-wrong"), {"sort": "probability"})
    probabilities = [score.probability for score, _reasons in rows.context["rows"]]
    assert probabilities == sorted(probabilities, reverse=True)


@pytest.mark.django_db
def test_the_probably_wrong_list_exports_the_suspected_correction_as_csv(
    portfolio, client_for, supervisor, django_assert_max_num_queries
):
    client = client_for(supervisor)
    with django_assert_max_num_queries(6):
        rows = _csv_rows(client.get(reverse("inspection-probably-wrong"), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en"))
    wrong = next(r for r in rows if r["declaration"] == portfolio["laptops_as_shirts"].number)
    assert wrong["office"] == "4A" and wrong["suspected_chapter"] == "84" and wrong["line"] == "1"
    assert "chapter 84" in wrong["reasons"]
    assert all(r["suspected_chapter"] or r["suspected_customs_value_jpy"] for r in rows)
    filtered = _csv_rows(client.get(reverse("inspection-probably-wrong"), {"format": "csv", "office": "1A"}))
    assert portfolio["laptops_as_shirts"].number not in {r["declaration"] for r in filtered}


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"format": "csv"}])
def test_traders_cannot_see_the_probably_wrong_list(params, client_for, trader_a):
    assert client_for(trader_a).get(reverse("inspection-probably-wrong"), params).status_code == 403


@pytest.mark.django_db
def test_both_lists_render_in_japanese(portfolio, client_for, audit_officer):
    client = client_for(audit_officer)
    audit = client.get(reverse("inspection-audit"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "見込まれる不足税額の上位20社（円）" in audit and "2 社。" in audit
    wrong = client.get(reverse("inspection-probably-wrong"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "矛盾の種類別の申告件数" in wrong and "第1欄" in wrong
