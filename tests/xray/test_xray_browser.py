"""The officers' X-ray pages in real headless Chromium: an officer opens the queue, zooms,
pans, turns on the heat map, inverts and raises the contrast of a real scan, then confirms
the model; a projected threat (TIP) is answered and revealed; a supervisor promotes a
model version and reads the monitoring chart. English and Japanese, desktop and phone;
any JavaScript error, console error (a CSP refusal is one), HTTP 5xx, sideways scroll or
untranslated text fails a journey."""

from __future__ import annotations

import time

import pytest
from django.utils import translation

from customs_portal.models import ModelVersion
from tests.browser import PHONE, Journey, charts_drawn
from tests.xray.factories_review import screened_parcel, xray_model_version
from xray.review import services
from xray.review.models import ParcelReview, ReviewSettings, TipPresentation

pytest_plugins = ["tests.xray.fixtures_review"]
pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
# Names the fixtures made, which a Japanese page shows as they are.
NAMES = {"Shenzhen Gadgets Ltd", "Taro Yamada", "Phone case", "inspection", "supervisor", "xray"}


# Two fingers moving apart on the stage, as a phone's touch screen sends them.
PINCH_OUT = """() => {
    const stage = document.querySelector("[data-stage]");
    const box = stage.getBoundingClientRect();
    const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
    const send = (type, id, dx) => stage.dispatchEvent(new PointerEvent(type, {
        pointerId: id, pointerType: "touch", clientX: cx + dx, clientY: cy, bubbles: true, isPrimary: id === 11,
    }));
    send("pointerdown", 11, -20);
    send("pointerdown", 12, 20);
    send("pointermove", 11, -50);
    send("pointermove", 12, 50);
    send("pointerup", 11, -50);
    send("pointerup", 12, 50);
}"""


def _catalogue_compiled() -> bool:
    """The lead compiles the Japanese from /work/i18n; until then a Japanese page still
    shows the English msgids, which the untranslated-text check would flag."""
    with translation.override("ja"):
        return translation.gettext("Parcel queue") != "Parcel queue"


def _assert_ok(journey: Journey) -> None:
    problems = journey.problems
    if journey.language == "ja" and not _catalogue_compiled():
        problems = [problem for problem in problems if not problem.startswith("untranslated")]
    assert not problems, "\n".join(problems)


def _until(page, expression: str, *, seconds: float = 10) -> None:
    """Waits until `expression` is true in the page. Playwright's wait_for_function polls
    with eval, which the pages' CSP (no 'unsafe-eval') refuses; evaluate is not refused."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        page.wait_for_timeout(50)


def _viewer(page, name: str) -> str:
    return page.locator("[data-viewer]").get_attribute(f"data-{name}")


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_officer_triages_views_the_scan_and_confirms_the_model(
    browser_as, inspection_officer, language, viewport, duty_assessed
):
    ReviewSettings.objects.create(tip_share_percent=0)
    parcel = screened_parcel(score=0.92, real_image=True, mismatch=True)
    screened_parcel(score=0.1)
    page = browser_as(inspection_officer, language=language, viewport=viewport)
    size = "desktop" if viewport is DESKTOP else "phone"
    journey = Journey(page, name="xray-officer", language=language, viewport=size, allowed=NAMES)

    page.goto("/officer/xray/")
    journey.step("queue")
    assert page.locator("table.xray-queue tbody tr").count() == 2
    assert page.locator("[data-count=inspect]").inner_text() == "1"
    page.click(f"text={parcel.item_number}")
    page.wait_for_selector("[data-viewer]")
    # The scan is served and decodes.
    _until(
        page,
        "document.querySelector('[data-image]').complete && document.querySelector('[data-image]').naturalWidth > 0",
    )
    journey.step("parcel")

    page.click("[data-action=zoom-in]")
    page.click("[data-action=zoom-in]")
    assert float(_viewer(page, "zoom")) == pytest.approx(1.5625, abs=1e-3)
    page.locator("[data-stage]").scroll_into_view_if_needed()
    stage = page.locator("[data-stage]").bounding_box()
    page.mouse.move(stage["x"] + stage["width"] / 2, stage["y"] + stage["height"] / 2)
    page.mouse.down()
    page.mouse.move(stage["x"] + stage["width"] / 2 + 60, stage["y"] + stage["height"] / 2 + 30, steps=4)
    page.mouse.up()
    assert "translate(60px, 30px)" in page.locator("[data-canvas]").get_attribute("style")
    if viewport is PHONE:
        before = float(_viewer(page, "zoom"))
        page.evaluate(PINCH_OUT)
        assert float(_viewer(page, "zoom")) > before * 1.5
    page.click("[data-action=heatmap]")
    assert _viewer(page, "heat-shown") == "true" and page.locator("img[data-heatmap]").is_visible()
    page.click("[data-action=invert]")
    assert _viewer(page, "inverted") == "true"
    assert "invert(1)" in page.locator("[data-image]").get_attribute("style")
    page.locator("[data-action=contrast]").fill("180")
    assert _viewer(page, "contrast") == "180"
    journey.step("viewer")

    page.check("input[name=decision][value=inspect]")
    page.select_option("select[name=reason]", "model_agreed")
    page.click("[data-submit-decision]")
    page.wait_for_selector(".message--success")
    journey.step("decided")
    review = ParcelReview.objects.get(parcel=parcel)
    assert (review.decision, review.agrees_with_model, review.officer) == ("inspect", True, inspection_officer)
    page.check("input[name=finding][value=blade]")
    page.click("form[action$='/finding/'] button[type=submit]")
    page.wait_for_selector(".message--success")
    journey.step("found")
    review.refresh_from_db()
    assert review.finding == "blade"
    _assert_ok(journey)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_an_officer_answers_a_projected_threat_and_then_sees_the_real_parcel(
    browser_as, inspection_officer, language, monkeypatch, projected_threat
):
    ReviewSettings.objects.create(tip_share_percent=5)
    monkeypatch.setattr(services, "_tip_roll", lambda **_: 0.0)
    parcel = screened_parcel(score=0.1, real_image=True)
    page = browser_as(inspection_officer, language=language, viewport=DESKTOP)
    journey = Journey(page, name="xray-tip", language=language, viewport="desktop", allowed=NAMES)
    page.goto(f"/officer/xray/parcels/{parcel.item_number}/")
    journey.step("projected")
    assert TipPresentation.objects.filter(answered_at__isnull=True).count() == 1
    page.check("input[name=decision][value=inspect]")
    page.select_option("select[name=reason]", "shape_of_concern")
    page.click("[data-submit-decision]")
    page.wait_for_selector(".tip-result")
    journey.step("revealed")
    assert TipPresentation.objects.get().flagged is True
    assert not ParcelReview.objects.exists()
    assert page.locator("[data-submit-decision]").count() == 1  # the real parcel, still to decide
    _assert_ok(journey)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_supervisor_promotes_a_version_and_reads_the_monitoring(
    browser_as, supervisor, inspection_officer, language, viewport, duty_assessed
):
    ReviewSettings.objects.create(tip_share_percent=0)
    xray_model_version(version=1)
    second = xray_model_version(version=2, status=ModelVersion.Status.TRAINED)
    for score, found in ((0.9, "gun"), (0.6, "other")):
        parcel = screened_parcel(score=score)
        services.parcel_review_decide(
            parcel=parcel, officer=inspection_officer, decision="inspect", reason="model_agreed"
        )
        services.parcel_finding_record(parcel=parcel, officer=inspection_officer, finding=found)
    page = browser_as(supervisor, language=language, viewport=viewport)
    size = "desktop" if viewport is DESKTOP else "phone"
    journey = Journey(page, name="xray-supervisor", language=language, viewport=size, allowed=NAMES)

    page.goto("/officer/xray/models/")
    journey.step("models")
    page.click("tr[data-version='2'] button[type=submit]")
    page.wait_for_selector(".message--success")
    journey.step("promoted")
    second.refresh_from_db()
    assert second.status == ModelVersion.Status.ACTIVE
    assert page.locator("form[action$='/rollback/'] button").count() == 1

    page.goto("/officer/xray/monitoring/")
    _until(page, "Boolean(window.Chart && Chart.getChart(document.getElementById('chart-monitoring')))")
    journey.step("monitoring")
    [(values, painted)] = charts_drawn(page, "#chart-monitoring")
    assert values == 1 and painted > 0
    assert page.locator("table.xray-monitoring tbody tr").count() == 1

    page.goto("/officer/xray/settings/")
    journey.step("settings")
    page.fill("input[name=tip_share_percent]", "7")
    page.click("form.xray-settings button[type=submit]")
    page.wait_for_selector(".message--success")
    assert ReviewSettings.objects.get().tip_share_percent == 7
    _assert_ok(journey)
