"""A clearance officer's journey in a real browser, in Japanese and English, on a desktop
and a phone: log in, open the review queue, open a declaration sent to document review,
clear it with a reason, then read the three risk lists and their charts. Any JavaScript
error, console error, HTTP 5xx or (in Japanese) English left on a page fails it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from declarations.core.services import decisions
from declarations.models import Declaration
from inspection import services
from inspection.models import InspectionResult
from tests.browser import PHONE, Journey, charts_drawn
from tests.customs_portal.factories import PASSWORD
from tests.declarations.factories import CustomsOfficeFactory, DeclarationFactory, DeclarationLineFactory
from tests.inspection.factories import submit_and_screen
from tests.tariff.factories import TariffLineFactory

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = {"desktop": None, "phone": PHONE}
GOODS = {"shirts": ("610910000", "cotton knitted t-shirts"), "laptops": ("847130000", "portable laptop computers")}
REASON = "Certificate EUR1-42 checked"
# The fixture's names and the reason typed, which a Japanese page shows as they are.
NAMES = {"Company A", "Company B", "trader_a", "trader_b", "clearance", "inspection", REASON} | {
    description for _code, description in GOODS.values()
}


def _declaration(trader, office, goods: str, origin: str, *, value: int, kg: int = 20, **line) -> Declaration:
    code, description = GOODS[goods]
    declaration = DeclarationFactory(
        company=trader.company, declarant=trader, office=office, declaration_date=timezone.localdate()
    )
    DeclarationLineFactory(
        declaration=declaration, line_no=1, hs_code=code, description=description, origin_country=origin,
        quantity=Decimal(100), unit="NO", net_weight_kg=Decimal(kg), invoice_value=Decimal(value), **line,
    )  # fmt: skip
    return submit_and_screen(declaration, by=trader)


@pytest.fixture
def desk(history_in_db, trader_a, trader_b, clearance_officer, inspection_officer):
    """One declaration in document review, screened by the rules (it claims an EPA
    preference), then a trained model and declarations it scored at Tokyo, one of them
    inspected: what the queue and the three risk lists show."""
    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%", "wto": "7.4%", "epa:JP-EU": "free"})
    TariffLineFactory(hs_code="847130000", rates={"general": "0%"})
    tokyo = CustomsOfficeFactory(code="1A")
    for officer in (clearance_officer, inspection_officer):
        officer.office = tokyo
        officer.save(update_fields=["office"])
    claimed = _declaration(
        trader_a, tokyo, "shirts", "FR", value=80_000, preference="epa", epa_agreement="JP-EU",
        origin_proof="certificate", origin_proof_reference="EUR1-42",
    )  # fmt: skip
    assert claimed.status == Declaration.Status.DOCUMENT_REVIEW
    services.risk_model_train(system="test")
    scored = [
        _declaration(trader_a, tokyo, "shirts", "CN", value=80_000),
        _declaration(trader_a, tokyo, "laptops", "CN", value=20_000, kg=200),
        _declaration(trader_b, tokyo, "laptops", "CN", value=30_000, kg=100),
        _declaration(trader_b, tokyo, "shirts", "GB", value=80_000),
    ]
    # The first one is inspected whichever lane the model chose: an inspection officer
    # clears it below and records what the inspection found.
    Declaration.objects.filter(pk=scored[0].pk).update(status=Declaration.Status.INSPECTION)
    scored[0].refresh_from_db()
    for declaration in scored:  # the lists show cleared declarations too, whichever lane the model chose
        if declaration.status in (Declaration.Status.DOCUMENT_REVIEW, Declaration.Status.INSPECTION):
            officer = (
                clearance_officer if declaration.status == Declaration.Status.DOCUMENT_REVIEW else inspection_officer
            )
            decisions.declaration_decide(declaration=declaration, officer=officer, decision="clear", reason="Checked")
    services.inspection_result_record(
        declaration=scored[0], kind=InspectionResult.Kind.INSPECTION, outcome=InspectionResult.Outcome.DISCREPANCY,
        additional_duty_jpy=12_000, fraud_type="undervaluation", notes="", officer=inspection_officer,
    )  # fmt: skip
    return claimed


def _log_in(journey: Journey, username: str) -> None:
    page = journey.page
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/officer/")
    journey.step("dashboard")


def _decide(journey: Journey, declaration: Declaration) -> None:
    page = journey.page
    page.locator("a[href$='/officer/declarations/']").first.click()
    page.wait_for_url("**/officer/declarations/**")
    journey.step("queue")
    page.locator("main table tbody").get_by_role("link", name=declaration.number).click()
    page.wait_for_url(f"**/declarations/{declaration.pk}/")
    journey.step("declaration")
    page.locator("#id_decision").select_option("clear")
    page.locator("#id_reason").fill(REASON)
    page.locator("form[action$='/decide/'] button[type=submit]").click()
    page.wait_for_url(f"**/declarations/{declaration.pk}/")
    assert declaration.number in page.locator(".messages").inner_text()
    journey.step("decided")
    declaration.refresh_from_db()
    assert declaration.status == Declaration.Status.AWAITING_PAYMENT  # free of duty, not of consumption tax
    assert declaration.decision_reason == REASON


def _risk_lists(journey: Journey) -> None:
    page = journey.page
    for step, url, charts in [
        ("inspection-list", "/inspection/", "#chart-distribution, #chart-captured, #chart-precision"),
        ("audit-list", "/inspection/audit/", "canvas[data-chart]"),
        ("probably-wrong", "/inspection/probably-wrong/", "canvas[data-chart]"),
    ]:
        page.goto(url)
        assert page.locator("main table tbody tr a").count() > 0, url
        drawn = charts_drawn(page, charts)
        assert drawn and all(values > 0 and painted > 0 for values, painted in drawn), (url, drawn)
        journey.step(step)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_clearance_officer_clears_a_declaration_and_reads_the_risk_lists(
    browser_as, desk, clearance_officer, language, viewport
):
    journey = Journey(
        browser_as(None, language=language, viewport=VIEWPORTS[viewport]),
        name="officer",
        language=language,
        viewport=viewport,
        allowed=NAMES,
    )
    _log_in(journey, clearance_officer.username)
    _decide(journey, desk)
    _risk_lists(journey)
    journey.assert_no_problems()
