"""Export control: the controlled-goods and end-user lists, licence numbers at
submission, consignee screening and the export chart."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent
from customs_portal.reasons import reasons_text
from declarations import hooks
from declarations.core.services import submission
from declarations.export_control import services as export_control
from declarations.models import ControlledGood, Declaration, EndUser
from tests.declarations.factories import DeclarationFactory, DeclarationLineFactory, documents_attach
from tests.tariff.factories import TariffLineFactory

pytestmark = pytest.mark.django_db
DATA_DIR = Path(export_control.__file__).resolve().parent / "data"


@pytest.fixture
def end_user():
    return EndUser.objects.create(
        name="ACME TRADING LIMITED", aliases=["Acme Intl Trading"], country="IR", reason="Nuclear"
    )


@pytest.fixture
def machine_tools():
    return ControlledGood.objects.create(
        hs_prefix="845811", description_en="Numerically controlled horizontal lathes", control_basis="Item 6"
    )


def _export(trader, *, consignee="Harmless Importer GmbH", hs_code=None, licence=""):
    declaration = DeclarationFactory(
        company=trader.company,
        declarant=trader,
        kind=Declaration.Kind.EXPORT,
        number=f"EX-{Declaration.objects.count() + 1:06d}",
        consignee_name=consignee,
        consignee_country="DE",
        incoterm=Declaration.Incoterm.FOB,
    )
    line = DeclarationLineFactory(declaration=declaration, origin_country="JP", export_licence_number=licence)
    if hs_code:
        TariffLineFactory(hs_code=hs_code)
        line.hs_code = hs_code
        line.save(update_fields=["hs_code"])
    return documents_attach(declaration)


# --- name matching ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consignee", "listed"),
    [
        ("Acme Trading Co., Ltd.", "ACME TRADING LIMITED"),
        ("acme trading llc", "ACME TRADING LIMITED"),
        ("Trading Acme Corp.", "Acme Trading Ltd"),  # word order
        ("ACME TRADNG CO LTD", "Acme Trading Limited"),  # a typing slip
        ("株式会社アクメ商事", "アクメ商事株式会社"),
        ("ＡＣＭＥ　ＴＲＡＤＩＮＧ", "Acme Trading"),  # full-width letters
    ],
)
def test_name_variants_of_the_same_entity_match(consignee, listed):
    assert export_control.name_similarity(consignee, listed) >= export_control.DEFAULT_MATCH_THRESHOLD


@pytest.mark.parametrize(
    ("consignee", "listed"),
    [
        ("Acme Foods Co., Ltd.", "ACME TRADING LIMITED"),
        ("Beta Trading Co., Ltd.", "ACME TRADING LIMITED"),
        ("Co., Ltd.", "ACME TRADING LIMITED"),  # nothing left after the corporate form
        ("Trading", "Acme Trading Limited"),
    ],
)
def test_different_entities_do_not_match(consignee, listed):
    assert export_control.name_similarity(consignee, listed) < export_control.DEFAULT_MATCH_THRESHOLD


def test_aliases_match_and_the_best_candidate_is_reported(end_user):
    [match] = export_control.end_user_matches(name="Acme Intl. Trading Co.")
    assert match.entity == end_user
    assert (match.matched_name, match.similarity) == ("Acme Intl Trading", 1.0)


def test_the_threshold_is_a_setting(end_user, settings):
    assert export_control.end_user_matches(name="Acme Tradeco") == []
    settings.EXPORT_CONTROL_MATCH_THRESHOLD = 0.7
    assert [match.entity for match in export_control.end_user_matches(name="Acme Tradeco")] == [end_user]


# --- the import commands -------------------------------------------------------------


def test_the_shipped_lists_import_and_a_second_import_changes_nothing():
    out = StringIO()
    call_command("import_controlled_goods", str(DATA_DIR / "controlled_goods.csv"), stdout=out)
    call_command("import_end_users", str(DATA_DIR / "end_user_list.csv"), stdout=out)
    goods, users = ControlledGood.objects.count(), EndUser.objects.count()
    assert goods >= 20 and users >= 10
    events = AuditEvent.objects.count()
    out = StringIO()
    call_command("import_controlled_goods", str(DATA_DIR / "controlled_goods.csv"), stdout=out)
    call_command("import_end_users", str(DATA_DIR / "end_user_list.csv"), stdout=out)
    assert "0 created, 0 updated" in out.getvalue()
    assert (ControlledGood.objects.count(), EndUser.objects.count(), AuditEvent.objects.count()) == (
        goods,
        users,
        events,
    )


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(tmp_path):
    path = tmp_path / "goods.csv"
    path.write_text(
        "# illustrative\nhs_prefix,description_en\n8486,Semiconductor machines\n84x6,Bad prefix\n9301,\n",
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError, match="2 errors; nothing was imported"):
        call_command("import_controlled_goods", str(path), stderr=err)
    assert "line 4, hs_prefix" in err.getvalue()
    assert "line 5, description_en" in err.getvalue()
    assert not ControlledGood.objects.exists()


def test_an_end_user_with_an_unknown_country_is_refused(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("name,aliases,country,reason\nGood Co,,IR,Nuclear\nBad Co,,XX,Missile\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_end_users", str(path), stderr=err)
    assert "line 3, country" in err.getvalue()
    assert not EndUser.objects.exists()


def test_a_changed_row_updates_the_entry(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("name,aliases,country,reason\nGood Co,Good|GC,IR,Nuclear\n", encoding="utf-8")
    call_command("import_end_users", str(path), stdout=StringIO())
    path.write_text("name,aliases,country,reason\nGood Co,GC,IR,Missile\n", encoding="utf-8")
    out = StringIO()
    call_command("import_end_users", str(path), stdout=out)
    assert "0 created, 1 updated" in out.getvalue()
    assert EndUser.objects.get().aliases == ["GC"]


# --- licence at submission -----------------------------------------------------------


def test_a_controlled_export_line_without_a_licence_cannot_be_submitted(trader_a, machine_tools):
    declaration = _export(trader_a, hs_code="845811100")
    with pytest.raises(ApplicationError) as refused:
        submission.declaration_submit(declaration=declaration, submitted_by=trader_a)
    assert refused.value.code == "submission_refused"
    assert "needs a METI export licence number" in refused.value.message
    assert list(refused.value.fields) == ["lines[0].export_licence_number"]
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.DRAFT
    assert not declaration.versions.exists()


def test_a_controlled_export_line_with_a_licence_is_submitted(trader_a, machine_tools):
    declaration = _export(trader_a, hs_code="845811100", licence="METI-2026-000123")
    submission.declaration_submit(declaration=declaration, submitted_by=trader_a)
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.SUBMITTED


def test_imports_of_controlled_codes_need_no_export_licence(trader_a, machine_tools):
    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    line = DeclarationLineFactory(declaration=declaration)
    TariffLineFactory(hs_code="845811100", rates={"general": "free"})
    line.hs_code = "845811100"
    line.save(update_fields=["hs_code"])
    assert export_control.export_licences_missing(declaration=declaration) == []


# --- consignee screening -------------------------------------------------------------


def _submit_and_screen(declaration, trader):
    submission.declaration_submit(declaration=declaration, submitted_by=trader)
    submission.declaration_screen(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    return declaration


def test_a_listed_consignee_sends_the_export_to_document_review_naming_the_entity(trader_a, end_user):
    declaration = _submit_and_screen(_export(trader_a, consignee="Acme Trading Co., Ltd."), trader_a)
    assert (declaration.lane, declaration.status) == ("yellow", Declaration.Status.DOCUMENT_REVIEW)
    [listed] = [reason for reason in declaration.screening_reasons if reason["code"] == "end_user_listed"]
    assert listed["params"]["name"] == "ACME TRADING LIMITED"
    assert listed["params"]["similarity"] == 1.0
    with translation.override("en"):
        assert "similarity 1.00" in reasons_text(declaration.screening_reasons)[0]


def test_an_unlisted_consignee_is_released(trader_a, end_user):
    declaration = _submit_and_screen(_export(trader_a, consignee="Acme Foods Co., Ltd."), trader_a)
    assert declaration.lane == "green"
    assert declaration.status == Declaration.Status.PERMITTED


def test_a_listed_consignee_goes_to_review_even_when_a_risk_model_says_green(trader_a, end_user):
    previous = hooks.lane_assigner()
    hooks.register_lane_assigner(lambda *, declaration: hooks.LaneDecision(lane="green", decided_by="model:v1"))
    try:
        declaration = _submit_and_screen(_export(trader_a, consignee="ACME TRADING LLC"), trader_a)
    finally:
        hooks.register_lane_assigner(previous)
    assert declaration.lane == "yellow"
    assert declaration.screening_reasons[0]["params"]["name"] == "ACME TRADING LIMITED"


def test_a_red_decision_stays_red_with_the_end_user_reason_added(trader_a, end_user):
    declaration = _export(trader_a, consignee="Acme Trading")
    decision = export_control.end_user_escalate(
        declaration=declaration,
        decision=hooks.LaneDecision(lane="red", reasons=[{"code": "importer_new", "params": {}}]),
    )
    assert decision.lane == "red"
    assert decision.reasons[0]["code"] == "end_user_listed"
    assert {"code": "importer_new", "params": {}} in decision.reasons


# --- export chart --------------------------------------------------------------------


@pytest.fixture
def exports(trader_a, trader_b):
    now = timezone.now()
    for trader, count in ((trader_a, 3), (trader_b, 2)):
        for _ in range(count):
            DeclarationFactory(
                company=trader.company,
                declarant=trader,
                kind=Declaration.Kind.EXPORT,
                status=Declaration.Status.PERMITTED,
                submitted_at=now,
            )
    # An import and an old export are not counted.
    DeclarationFactory(company=trader_a.company, declarant=trader_a, submitted_at=now)
    DeclarationFactory(
        company=trader_a.company,
        declarant=trader_a,
        kind=Declaration.Kind.EXPORT,
        submitted_at=now - dt.timedelta(days=500),
    )


def test_officers_see_every_companys_exports_per_month(exports, clearance_officer, trader_a, trader_b):
    series = export_control.export_counts_by_company(user=clearance_officer)
    assert len(series.months) == 12
    assert series.months[-1] == timezone.localdate().strftime("%Y-%m")
    counts = dict(series.companies)
    assert counts[trader_a.company.name][-1] == 3
    assert counts[trader_b.company.name][-1] == 2
    assert sum(counts[trader_a.company.name]) == 3


def test_a_trader_sees_only_its_own_companys_exports(exports, trader_a, trader_b):
    series = export_control.export_counts_by_company(user=trader_b)
    assert [name for name, _ in series.companies] == [trader_b.company.name]


def test_the_export_chart_page_and_api(exports, client_for, trader_a, trader_b, clearance_officer, admin_user):
    page = client_for(clearance_officer).get("/exports/chart/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert b"chart.umd.min.js" in page.content
    assert trader_a.company.name.encode() in page.content and trader_b.company.name.encode() in page.content
    own = client_for(trader_b).get("/exports/chart/")
    assert trader_b.company.name.encode() in own.content
    assert trader_a.company.name.encode() not in own.content
    assert client_for(admin_user).get("/exports/chart/").status_code == 403
    api = client_for(trader_a).get("/api/v1/export-counts/")
    assert [row["company"] for row in api.json()["companies"]] == [trader_a.company.name]
