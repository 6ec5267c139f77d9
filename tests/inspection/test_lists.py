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
from inspection.models import InspectionResult, RiskScore
from tests.declarations.factories import CustomsOfficeFactory, DeclarationFactory, DeclarationLineFactory
from tests.inspection.factories import submit_and_screen
from tests.tariff.factories import TariffLineFactory


def _declaration(*, trader, office, date, hs_code, description, quantity, kg, value, origin) -> Declaration:
    declaration = DeclarationFactory(company=trader.company, declarant=trader, office=office, declaration_date=date)
    DeclarationLineFactory(
        declaration=declaration, line_no=1, hs_code=hs_code, description=description, origin_country=origin,
        quantity=Decimal(quantity), unit="NO", net_weight_kg=Decimal(kg), invoice_value=Decimal(value),
    )  # fmt: skip
    return submit_and_screen(declaration, by=trader)


def usual_origin(history, hs_code: str) -> str:
    """The origin that ships most of a tariff line in the history: not suspicious."""
    return history.loc[history["tariff_code"] == hs_code, "country"].mode()[0]


@pytest.fixture
def portfolio(trained_model, history_frame, trader_a, trader_b, audit_officer):
    """Four scored declarations of two companies at two offices, in chapters 61 and 84,
    each from the origin that usually ships its tariff line."""
    shirts, laptops = usual_origin(history_frame, "610910000"), usual_origin(history_frame, "847130000")
    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%"})
    TariffLineFactory(hs_code="847130000", rates={"general": "0%"})
    tokyo = CustomsOfficeFactory(code="1A")
    osaka = CustomsOfficeFactory(code="4A", name_ja="大阪税関", name_en="Osaka Customs")
    made = {
        # Plausible t-shirts; laptops declared as t-shirts at a fraction of their value.
        "shirts": _declaration(
            trader=trader_a, office=tokyo, date=dt.date(2026, 3, 3), hs_code="610910000",
            description="cotton knitted t-shirts", quantity="100", kg="20", value="80000", origin=shirts,
        ),
        "laptops_as_shirts": _declaration(
            trader=trader_a, office=osaka, date=dt.date(2026, 4, 10), hs_code="610910000",
            description="portable laptop computers", quantity="100", kg="200", value="20000", origin=shirts,
        ),
        "laptops": _declaration(
            trader=trader_b, office=tokyo, date=dt.date(2026, 3, 20), hs_code="847130000",
            description="portable laptop computers", quantity="10", kg="20", value="600000", origin=laptops,
        ),
        "cheap_laptops": _declaration(
            trader=trader_b, office=osaka, date=dt.date(2026, 4, 20), hs_code="847130000",
            description="portable laptop computers", quantity="50", kg="100", value="30000", origin=laptops,
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
    assert set(rows[0]) == {
        "company", "corporate_number", "declarations", "findings", "average_probability", "expected_unpaid_revenue_jpy"
    }  # fmt: skip
    assert {r["corporate_number"] for r in rows} == {d.company.corporate_number for d in portfolio.values()}
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
def test_a_malformed_filter_lists_nothing_and_says_what_is_wrong(portfolio, client_for, supervisor):
    Declaration.objects.filter(pk=portfolio["laptops"].pk).update(status=Declaration.Status.INSPECTION)
    client = client_for(supervisor)
    cases = [
        ("inspection-audit", {"chapter": "8x"}, {"chapter"}),
        ("inspection-list", {"chapter": "abc", "date_from": "2026-13-45"}, {"chapter", "date_from"}),
        ("inspection-probably-wrong", {"chapter": "abc", "date_from": "2026-13-45"}, {"chapter", "date_from"}),
        ("inspection-probably-wrong", {"office": "ZZ"}, {"office"}),
    ]
    for name, params, fields in cases:
        assert client.get(reverse(name)).context["page"].paginator.count > 0, name
        response = client.get(reverse(name), params, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200 and set(response.context["form"].errors) == fields
        assert response.context["page"].paginator.count == 0
        page = response.content.decode()
        assert page.count('class="field-error"') == len(fields) and "Correct the filters above" in page
        export = client.get(reverse(name), {**params, "format": "csv"})
        assert export.status_code == 400 and export["Content-Type"].startswith("text/html")


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
    assert len(chart["labels"]) == len(chart["values"]) == 3
    for count, kind in zip(chart["values"], ("chapter", "customs_value_jpy", "origin"), strict=True):
        assert count == sum(1 for s in listed.values() if kind in s.suspected_correction)
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
    assert counts[0] >= 1 and counts[1] >= 1  # the laptops declared as t-shirts; the cheap laptops
    for position, kind in enumerate(("chapter", "customs_value_jpy", "origin")):
        response = client.get(reverse("inspection-probably-wrong"), {"kind": kind})
        scores = [score for score, _reasons in response.context["rows"]]
        assert len(scores) == counts[position] and all(kind in score.suspected_correction for score in scores)
        assert response.context["chart"]["values"][position] == counts[position]


@pytest.mark.django_db
def test_the_probably_wrong_list_sorts_by_probability(portfolio, client_for, clearance_officer):
    rows = client_for(clearance_officer).get(reverse("inspection-probably-wrong"), {"sort": "probability"})
    probabilities = [score.probability for score, _reasons in rows.context["rows"]]
    assert len(probabilities) >= 2 and len(set(probabilities)) >= 2
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


# Links, the officer's own office and the dashboard counts.


@pytest.mark.django_db
def test_declaration_and_company_numbers_link_to_their_pages(portfolio, client_for, supervisor, trader_a):
    Declaration.objects.filter(pk=portfolio["shirts"].pk).update(status=Declaration.Status.INSPECTION)
    client = client_for(supervisor)
    shirts = portfolio["shirts"]
    declaration_link = f'href="{reverse("declaration-detail", args=[shirts.pk])}"'
    company_link = f'href="{reverse("inspection-company", args=[trader_a.company_id])}"'
    for name in ("inspection-list", "inspection-probably-wrong"):
        page = client.get(reverse(name), {"office": ""}).content.decode()
        assert company_link in page, name
    assert declaration_link in client.get(reverse("inspection-list")).content.decode()
    wrong = portfolio["laptops_as_shirts"]
    assert (
        f'href="{reverse("declaration-detail", args=[wrong.pk])}"'
        in client.get(reverse("inspection-probably-wrong")).content.decode()
    )
    audit = client.get(reverse("inspection-audit")).content.decode()
    assert company_link in audit and trader_a.company.corporate_number in audit
    audit_company = client.get(reverse("inspection-audit-company", args=[trader_a.company_id])).content.decode()
    assert trader_a.company.name in audit_company
    assert f'href="{reverse("declaration-detail", args=[wrong.pk])}"' in audit_company
    assert client.get(reverse("declaration-detail", args=[shirts.pk])).status_code == 200


@pytest.mark.django_db
def test_the_company_page_shows_every_declaration_of_the_company_to_officers_only(
    portfolio, client_for, clearance_officer, trader_a, django_assert_max_num_queries
):
    Declaration.objects.filter(pk=portfolio["shirts"].pk).update(status=Declaration.Status.INSPECTION)
    url = reverse("inspection-company", args=[trader_a.company_id])
    client = client_for(clearance_officer)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200 and response.context["company"] == trader_a.company
    listed = {d.pk: d for d in response.context["page"].object_list}
    assert set(listed) == {portfolio["shirts"].pk, portfolio["laptops_as_shirts"].pk}
    score = portfolio["shirts"].risk_scores.latest("created_at")
    assert listed[portfolio["shirts"].pk].expected_revenue_jpy == score.expected_revenue_jpy
    assert trader_a.company.corporate_number in response.content.decode()
    assert client.get(reverse("inspection-company", args=[999999])).status_code == 404
    assert client_for(trader_a).get(url).status_code == 403


@pytest.mark.django_db
def test_the_lists_open_on_the_officers_own_office_and_the_dashboard_counts_match(
    portfolio, client_for, clearance_officer, audit_officer, supervisor
):
    osaka = portfolio["laptops_as_shirts"].office
    # The undervalued laptops are worked at Tokyo: Osaka keeps only the laptops declared as t-shirts.
    RiskScore.objects.filter(declaration=portfolio["cheap_laptops"]).update(office=portfolio["shirts"].office)
    for officer in (clearance_officer, audit_officer):
        officer.office = osaka
        officer.save(update_fields=["office"])
    client = client_for(audit_officer)
    opened = client.get(reverse("inspection-probably-wrong"))
    assert opened.context["form"]["office"].value() == "4A"
    assert 'value="4A" selected' in opened.content.decode()
    listed = [score for score, _reasons in opened.context["rows"]]
    assert listed and {score.office.code for score in listed} == {"4A"}
    every_office = client.get(reverse("inspection-probably-wrong"), {"office": ""}).context["page"].paginator.count
    assert every_office > len(listed)
    audit_companies = client.get(reverse("inspection-audit")).context["page"].paginator.count
    assert client.get(reverse("inspection-audit")).context["form"]["office"].value() == "4A"

    def dashboard(user) -> dict:
        return {
            item.queue.key: item.count for item in client_for(user).get(reverse("officer-dashboard")).context["queues"]
        }

    assert dashboard(audit_officer)["probably_wrong"] == len(listed)
    assert dashboard(audit_officer)["post_clearance_audit"] == audit_companies
    assert dashboard(clearance_officer)["probably_wrong"] == len(listed)
    # A supervisor oversees every office: the list and the count cover all of them.
    supervisor_list = client_for(supervisor).get(reverse("inspection-probably-wrong"))
    assert supervisor_list.context["form"]["office"].value() == ""
    assert dashboard(supervisor)["probably_wrong"] == supervisor_list.context["page"].paginator.count == every_office


# The result form.


@pytest.mark.django_db
def test_the_result_form_names_its_declaration_and_preselects_no_outcome(portfolio, client_for, supervisor):
    declaration = portfolio["cheap_laptops"]
    url = reverse("inspection-result", args=[declaration.pk])
    client = client_for(supervisor)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"<h1>Result for {declaration.number} ({declaration.company.name})</h1>" in page
    assert f'href="{reverse("declaration-detail", args=[declaration.pk])}"' in page
    assert '<option value="" selected>Choose the outcome</option>' in page
    # A cleared declaration's result is a post-clearance audit unless the officer says otherwise.
    assert '<option value="post_clearance_audit" selected>' in page
    response = client.post(url, {"kind": "inspection", "additional_duty_jpy": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["form"].errors["outcome"] == ["Choose what the inspection or audit found."]
    assert not InspectionResult.objects.filter(declaration=declaration, kind="inspection").exists()
