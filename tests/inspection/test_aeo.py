"""AEO in risk scoring: the status is a model feature, AEO declarations get a smaller
share of the red and yellow lanes, the benefit ends on the certificate's end date, and
officers see the AEO badge."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse

from customs_portal import aeo
from customs_portal.models import AeoCertificate
from declarations.models import Declaration
from inspection import ml, services
from inspection.models import HistoricalDeclaration, RiskScore
from tests.declarations.factories import CustomsOfficeFactory, DeclarationFactory
from tests.inspection.factories import submit_and_screen, submitted_declaration
from tests.tariff.factories import TariffLineFactory

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 1, 1), dt.date(2026, 7, 1)  # END is the first day without the benefit
Lane = Declaration.Lane


@pytest.fixture
def tshirt_line(db):
    return TariffLineFactory(hs_code="610910000", rates={"general": "10.9%"})


@pytest.fixture
def aeo_importer(trader_a, supervisor):
    """trader_a's company holds an AEO importer certificate for the first half of 2026."""
    return aeo.aeo_certificate_grant(
        company=trader_a.company, kind=AeoCertificate.Kind.IMPORTER, certificate_number="AEO-IM-1",
        valid_from=START, valid_to=END, granted_by=supervisor,
    )  # fmt: skip


def declared_on(trader, day: dt.date, **kwargs) -> Declaration:
    return submitted_declaration(company=trader.company, declarant=trader, declaration_date=day, **kwargs)


# The feature.


def test_declaration_rows_mark_aeo_declarations_on_both_sides_of_the_end_date(aeo_importer, trader_a, trader_b):
    inside = declared_on(trader_a, END - dt.timedelta(days=1), lines=2)
    on_end = declared_on(trader_a, END)
    before_start = declared_on(trader_a, START - dt.timedelta(days=1))
    on_start = declared_on(trader_a, START)
    export = declared_on(trader_a, dt.date(2026, 3, 3), kind=Declaration.Kind.EXPORT)
    other = declared_on(trader_b, dt.date(2026, 3, 3))

    rows = services.declaration_rows([d.pk for d in (inside, on_end, before_start, on_start, export, other)])

    flags = rows.groupby("declaration_id")["aeo"].agg(list).to_dict()
    assert flags[inside.pk] == [1, 1]
    assert flags[on_end.pk] == [0] and flags[before_start.pk] == [0] and flags[on_start.pk] == [1]
    assert flags[export.pk] == [0], "an importer certificate does not cover exports"
    assert flags[other.pk] == [0]


def test_a_revoked_certificate_stops_marking_declarations_dated_from_the_revocation(aeo_importer, trader_a, supervisor):
    aeo.aeo_certificate_revoke(certificate=aeo_importer, reason="Audit findings", revoked_by=supervisor)
    AeoCertificate.objects.filter(pk=aeo_importer.pk).update(revoked_on=dt.date(2026, 4, 1))
    before, after = declared_on(trader_a, dt.date(2026, 3, 31)), declared_on(trader_a, dt.date(2026, 4, 1))

    rows = services.declaration_rows([before.pk, after.pk]).set_index("declaration_id")

    assert rows.loc[before.pk, "aeo"] == 1 and rows.loc[after.pk, "aeo"] == 0


def test_the_feature_pipeline_passes_aeo_through_and_reads_files_without_it_as_not_aeo(history_frame):
    rows = history_frame.iloc[:400].copy()
    reference = ml.build_reference(rows)

    features, _ = ml.build_features(rows, reference)
    without, _ = ml.build_features(rows.drop(columns="aeo"), reference)

    assert "aeo" in ml.FEATURES
    assert features["aeo"].tolist() == rows["aeo"].astype(float).tolist() and features["aeo"].sum() > 0
    assert (without["aeo"] == 0).all()


def test_synthetic_aeo_importers_are_more_compliant_and_keep_the_other_columns_unchanged(history_frame):
    by_status = history_frame.groupby("aeo")["illicit"].mean()

    assert 0.05 < history_frame["aeo"].mean() < 0.3
    assert by_status[1] < by_status[0] / 2
    per_importer_day = history_frame.groupby(["importer_id", "sgd_date"])["aeo"].nunique()
    assert (per_importer_day == 1).all(), "AEO status is a property of the importer on a day"


def test_the_history_keeps_the_aeo_flag_and_the_model_learns_from_it(trained_model, history_in_db):
    stored = HistoricalDeclaration.objects.filter(aeo=True).count()
    assert stored == int(history_in_db["aeo"].sum()) > 0

    frame = services.training_frame()
    assert frame["aeo"].astype(int).sum() == stored
    assert "aeo" in trained_model.metrics["features"]


# The lane.


@pytest.fixture
def uniform_predictor():
    """Expected revenues of the calibration rows spread evenly over 0..1000 yen: the
    threshold for a share s is 1000 × (1 − s). A fake predictor: lanes need only that."""
    return ml.Predictor(
        name="risk", classifier=None, regressor=None, reference=None, features=[],
        expected_quantiles=np.linspace(0, 1000, 1001),
    )  # fmt: skip


def scored(expected: float, *, is_aeo: bool) -> services.Scored:
    """A score ranked as the uniform calibration above ranks it: picked once the share
    1 − expected/1000 of declarations is inspected."""
    return services.Scored(
        probability=0.5, predicted_revenue=2 * expected, expected_revenue=expected, reasons=[],
        features={"aeo": 1.0 if is_aeo else 0.0}, correction={}, pick_share=1 - expected / 1000,
    )  # fmt: skip


def lanes_of(declaration, predictor, *, is_aeo: bool) -> list[str]:
    today = dt.date(2026, 3, 3)
    return [
        services.lane_choose(
            declaration=declaration, scored=scored(value, is_aeo=is_aeo), predictor=predictor, today=today
        )[0]
        for value in np.arange(0.5, 1000, 2.0)
    ]


def test_aeo_declarations_get_the_factor_times_the_red_and_yellow_share(settings, trader_a, uniform_predictor):
    settings.INSPECTION_EXPLORATION_SHARE = 0.0
    settings.RISK_RED_MAX_SHARE = 0.2
    settings.AEO_INSPECTION_SHARE_FACTOR = 0.3
    declaration = declared_on(trader_a, dt.date(2026, 3, 3), office=CustomsOfficeFactory(code="1A"))

    usual = pd.Series(lanes_of(declaration, uniform_predictor, is_aeo=False)).value_counts(normalize=True)
    aeo_share = pd.Series(lanes_of(declaration, uniform_predictor, is_aeo=True)).value_counts(normalize=True)

    assert usual[Lane.RED] == pytest.approx(0.2, abs=0.01)
    assert aeo_share[Lane.RED] == pytest.approx(0.3 * usual[Lane.RED], abs=0.01)
    assert aeo_share[Lane.YELLOW] == pytest.approx(0.3 * usual[Lane.YELLOW], abs=0.01)


def test_the_aeo_factor_is_set_per_office(settings, trader_a, uniform_predictor):
    settings.INSPECTION_EXPLORATION_SHARE = 0.0
    settings.RISK_RED_MAX_SHARE = 0.2
    settings.AEO_INSPECTION_SHARE_FACTOR = 0.3
    settings.AEO_INSPECTION_SHARE_FACTOR_BY_OFFICE = {"4A": 1.0}
    tokyo = declared_on(trader_a, dt.date(2026, 3, 3), office=CustomsOfficeFactory(code="1A"))
    osaka = declared_on(trader_a, dt.date(2026, 3, 3), office=CustomsOfficeFactory(code="4A", name_en="Osaka"))
    high = scored(900.0, is_aeo=True)

    assert services.aeo_share_factor(declaration=tokyo, scored=high) == 0.3
    assert services.aeo_share_factor(declaration=osaka, scored=high) == 1.0
    assert services.aeo_share_factor(declaration=tokyo, scored=scored(900.0, is_aeo=False)) == 1.0
    today = dt.date(2026, 3, 3)
    assert services.lane_choose(declaration=tokyo, scored=high, predictor=uniform_predictor, today=today)[0] != Lane.RED
    assert services.lane_choose(declaration=osaka, scored=high, predictor=uniform_predictor, today=today)[0] == Lane.RED


def test_aeo_exploration_picks_are_rarer_too(settings, trader_a, uniform_predictor):
    settings.INSPECTION_EXPLORATION_SHARE = 0.5
    settings.RISK_RED_MAX_SHARE = 0.2
    settings.AEO_INSPECTION_SHARE_FACTOR = 0.3
    picks = {True: 0, False: 0}
    for _ in range(300):
        declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
        for is_aeo in (True, False):
            lane, exploration, _threshold = services.lane_choose(
                declaration=declaration, scored=scored(0.0, is_aeo=is_aeo), predictor=uniform_predictor,
                today=dt.date(2026, 3, 3),
            )  # fmt: skip
            picks[is_aeo] += exploration
    assert picks[False] > 20
    assert picks[True] < 0.5 * picks[False]


def test_an_expired_certificate_loses_the_lower_share_on_its_end_date(
    settings, trained_model, aeo_importer, trader_a, tshirt_line
):
    settings.AEO_INSPECTION_SHARE_FACTOR = 0.25
    last_day = declared_on(trader_a, END - dt.timedelta(days=1))
    end_day = declared_on(trader_a, END)
    predictor = services.active_model()[1]

    results = services.score_declarations([last_day.pk, end_day.pk], predictor)

    assert results[last_day.pk].features["aeo"] == 1.0 and results[end_day.pk].features["aeo"] == 0.0
    assert services.aeo_share_factor(declaration=last_day, scored=results[last_day.pk]) == 0.25
    assert services.aeo_share_factor(declaration=end_day, scored=results[end_day.pk]) == 1.0


# What officers see.


def test_officers_see_the_aeo_badge_in_the_inspection_list_and_on_the_declaration(
    client_for, trained_model, aeo_importer, trader_a, trader_b, tshirt_line, inspection_officer
):
    mine = submit_and_screen(declared_on(trader_a, dt.date(2026, 3, 3)), by=trader_a)
    theirs = submit_and_screen(declared_on(trader_b, dt.date(2026, 3, 3)), by=trader_b)
    assert RiskScore.objects.get(declaration=mine).features["aeo"] == 1.0
    assert RiskScore.objects.get(declaration=theirs).features["aeo"] == 0.0
    client = client_for(inspection_officer)

    page = client.get(reverse("inspection-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = {number: row for row in page.split("<tr>")[1:] for number in (mine.number, theirs.number) if number in row}
    assert 'class="aeo-badge"' in rows[mine.number] and 'class="aeo-badge"' not in rows[theirs.number]

    detail = client.get(reverse("declaration-detail", args=[mine.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="aeo-badge"' in detail and "AEO-IM-1" in detail
    other = client.get(reverse("declaration-detail", args=[theirs.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="aeo-badge"' not in other


def test_the_declaration_page_shows_no_badge_for_a_declaration_dated_on_the_end_date(
    client_for, aeo_importer, trader_a, clearance_officer
):
    on_end = declared_on(trader_a, END)
    inside = declared_on(trader_a, END - dt.timedelta(days=1))
    client = client_for(clearance_officer)

    assert 'class="aeo-badge"' not in client.get(reverse("declaration-detail", args=[on_end.pk])).content.decode()
    assert 'class="aeo-badge"' in client.get(reverse("declaration-detail", args=[inside.pk])).content.decode()


def test_the_trader_does_not_get_the_officers_badge_on_its_declaration(client_for, aeo_importer, trader_a):
    inside = declared_on(trader_a, dt.date(2026, 3, 3))

    page = client_for(trader_a).get(reverse("declaration-detail", args=[inside.pk])).content.decode()

    assert 'class="aeo-badge"' not in page
