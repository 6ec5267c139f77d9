"""Lanes that make sense: thresholds follow each office's capacity and its recent scores,
history-less lines and importers fall back to priors, reasons are true, and the demo
gives a realistic mix."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone

from customs_portal.demo import seed_apps, seed_demo
from declarations.demo import declarations as demo_declarations
from declarations.demo import manifests as demo_manifests
from declarations.manifests import screening as manifest_screening
from declarations.manifests.models import Manifest
from declarations.models import Declaration
from inspection import demo, ml, services
from inspection.models import HistoricalDeclaration, RiskScore
from tests.declarations.factories import CustomsOfficeFactory, DeclarationFactory

# Tariff lines the synthetic history never has, in chapters it has (61, 85).
UNSEEN_LINES = {"610910000": "610990000", "851712000": "851769000"}


@pytest.fixture(scope="module")
def predictor(history_frame) -> ml.Predictor:
    """A small real model trained on the first 80 % of the synthetic year."""
    cut = history_frame["sgd_date"].quantile(0.8)
    model = ml.train_predictor(history_frame[history_frame["sgd_date"] < cut].reset_index(drop=True))
    holdout = history_frame[history_frame["sgd_date"] >= cut].reset_index(drop=True)
    model.expected_quantiles = np.sort(model.score(holdout)[0]["expected"].to_numpy())
    return model


@pytest.fixture(scope="module")
def honest_recent(history_frame) -> pd.DataFrame:
    """Honest lines of the last weeks of the year whose line and importer are well known."""
    late = history_frame[history_frame["sgd_date"] >= history_frame["sgd_date"].max() - pd.Timedelta(days=30)]
    return late[(late["illicit"] == 0) & late["tariff_code"].isin(list(UNSEEN_LINES))].reset_index(drop=True)


def test_an_unseen_tariff_line_and_importer_score_near_the_base_rate_from_their_priors(predictor, honest_recent):
    reference = predictor.reference
    unseen = honest_recent.assign(
        tariff_code=honest_recent["tariff_code"].map(UNSEEN_LINES), importer_id="NEVER-SEEN-IMPORTER"
    )
    features, _ = ml.build_features(unseen, reference)
    # The line's rate is its chapter's, the importer's the overall rate: priors, not extremes.
    assert features["importer_id_rate"].to_numpy() == pytest.approx(reference.prior)
    known, _ = ml.build_features(honest_recent, reference)
    assert (features["origin_share_in_line"] > 0.02).all()  # the origin's share of the chapter
    # Every training event is older than these rows: the chapter's whole record is the prior.
    chapter = reference.events[reference.events["tariff_code"].str[:2].isin(["61", "85"])]
    by_chapter = chapter.groupby(chapter["tariff_code"].str[:2])["illicit"].agg(["sum", "size"])
    strength = reference.prior_strength
    shrunk = (by_chapter["sum"] + strength * reference.prior) / (by_chapter["size"] + strength)
    expected = unseen["tariff_code"].str[:2].map(shrunk).to_numpy()
    assert features["tariff_code_rate"].to_numpy() == pytest.approx(expected)
    unseen_probability = predictor.score_features(features)["probability"].mean()
    known_probability = predictor.score_features(known)["probability"].mean()
    assert unseen_probability < 3 * reference.prior
    assert unseen_probability < 3 * known_probability + 0.01


def test_reasons_do_not_call_an_importer_new_that_the_portal_knows_nor_a_line_without_history_rare(
    predictor, honest_recent
):
    rows = honest_recent.iloc[:20].assign(
        tariff_code=lambda r: r["tariff_code"].map(UNSEEN_LINES), importer_id="NEVER-SEEN-IMPORTER"
    )
    features, context = ml.build_features(rows, predictor.reference)
    codes = {r["code"] for reasons in ml.explain(features, context, rows, limit=10) for r in reasons}
    assert "importer_new" in codes  # neither the history nor the portal knows it: true
    assert not codes & {"origin_rare", "line_rate"}  # no history of the line says nothing of it
    known_to_portal = rows.assign(importer_portal_declarations=4)
    codes = {r["code"] for reasons in ml.explain(features, context, known_to_portal, limit=10) for r in reasons}
    assert "importer_new" not in codes


def test_the_origin_reason_is_given_only_where_the_origin_really_is_rare(predictor, history_frame, honest_recent):
    rows = pd.concat([honest_recent.iloc[:10], honest_recent.iloc[:10].assign(country="ZW")], ignore_index=True)
    features, context = ml.build_features(rows, predictor.reference)
    reasons = ml.explain(features, context, rows, limit=10)
    train = history_frame[history_frame["sgd_date"] < history_frame["sgd_date"].quantile(0.8)]
    for row, row_reasons in zip(rows.itertuples(), reasons, strict=True):
        line = train[train["tariff_code"] == row.tariff_code]
        share = float((line["country"] == row.country).mean())
        rare = [r for r in row_reasons if r["code"] == "origin_rare"]
        if share >= 0.02:
            assert not rare, (row.tariff_code, row.country, share)
        else:
            assert rare and rare[0]["params"]["percent"] == round(100 * share, 1)
    assert any(r["code"] == "origin_rare" for r in reasons[-1])  # Zimbabwe ships none of these


def test_a_rate_reason_quotes_the_entitys_own_past_rate(predictor, history_frame):
    train = history_frame[history_frame["sgd_date"] < history_frame["sgd_date"].quantile(0.8)]
    rows = history_frame[history_frame["sgd_date"] >= history_frame["sgd_date"].quantile(0.8)].reset_index(drop=True)
    features, context = ml.build_features(rows, predictor.reference)
    quoted = 0
    for row, row_reasons in zip(rows.itertuples(), ml.explain(features, context, rows, limit=10), strict=True):
        for reason in row_reasons:
            if reason["code"] == "declarant_rate":
                past = train[(train["declarant_id"] == row.declarant_id) & (train["sgd_date"] < row.sgd_date)]
                assert len(past) >= predictor.reference.min_history
                assert reason["params"]["percent"] == round(100 * past["illicit"].mean())
                assert past["illicit"].mean() >= 2 * predictor.reference.prior
                quoted += 1
    assert quoted  # the synthetic history has brokers with many discrepancies


def _office_with_volume(code: str, capacity: int, *, declarations: int) -> list[Declaration]:
    office = CustomsOfficeFactory(code=code, daily_inspection_capacity=capacity)
    first = DeclarationFactory(office=office, submitted_at=timezone.now())
    rest = DeclarationFactory.create_batch(
        declarations - 1, office=office, company=first.company, declarant=first.declarant, submitted_at=timezone.now()
    )
    return [first, *rest]


def _scored(pick_share: float) -> services.Scored:
    """A score the served ranking picks once `pick_share` of declarations is inspected."""
    return services.Scored(
        probability=0.1, predicted_revenue=1000.0, expected_revenue=100.0, reasons=[], features={},
        correction={}, pick_share=pick_share,
    )  # fmt: skip


@pytest.mark.django_db
def test_an_office_with_more_capacity_sends_more_to_red_for_the_same_scores(predictor, settings):
    settings.INSPECTION_EXPLORATION_SHARE = 0.0
    settings.RISK_RED_MAX_SHARE = 0.5
    today = timezone.localdate()
    small = _office_with_volume("9A", 3, declarations=60)
    large = _office_with_volume("9B", 12, declarations=60)
    scores = np.linspace(0.005, 0.995, 100)  # pick shares, calibrated on the hold-out
    lanes = {}
    for name, declarations in (("small", small), ("large", large)):
        lanes[name] = Counter(
            services.lane_choose(declaration=declarations[0], scored=_scored(s), predictor=predictor, today=today)[0]
            for s in scores
        )
    assert lanes["small"][Declaration.Lane.RED] < lanes["large"][Declaration.Lane.RED]
    # 3 and 12 inspections a day for 60 declarations a day: 5 % and 20 % of the scores.
    assert abs(lanes["small"][Declaration.Lane.RED] - 5) <= 2
    assert abs(lanes["large"][Declaration.Lane.RED] - 20) <= 2
    # The yellow band is the next RISK_YELLOW_BAND_SHARE of declarations at either office.
    band = 100 * settings.RISK_YELLOW_BAND_SHARE
    assert abs(lanes["small"][Declaration.Lane.YELLOW] - band) <= 3
    assert abs(lanes["large"][Declaration.Lane.YELLOW] - band) <= 3


@pytest.mark.django_db
def test_thresholds_follow_the_offices_recent_scores_once_there_are_enough(predictor, settings):
    settings.INSPECTION_EXPLORATION_SHARE = 0.0
    settings.RISK_RED_MAX_SHARE = 0.5
    settings.RISK_LANE_MIN_RECENT_SCORES = 50
    declarations = _office_with_volume("9C", 6, declarations=60)  # 10 % of the volume
    office, today = declarations[0].office, timezone.localdate()
    before = services.lane_thresholds(office=office, model_label="risk:1", today=today)
    assert len(before.recent) == 0 and before.red_share == pytest.approx(0.1)
    assert before.cut(0.1) == pytest.approx(0.1)  # the hold-out's calibration
    # The office's recent declarations are riskier than the hold-out: all picked within 30 %.
    picks = 0.3 * np.arange(1, 61) / 60
    for declaration, pick in zip(declarations, picks, strict=True):
        RiskScore.objects.create(
            declaration=declaration, declaration_version=1, model_label="risk:1", probability=0.1,
            predicted_revenue_jpy=0, expected_revenue_jpy=1000, pick_share=pick, lane="", office=office,
            scored_on=today,
        )  # fmt: skip
    after = services.lane_thresholds(office=office, model_label="risk:1", today=today)
    assert len(after.recent) == 60
    assert after.cut(0.1) == pytest.approx(np.quantile(picks, 0.1))
    band = 0.1 + settings.RISK_YELLOW_BAND_SHARE
    assert after.cut(band) == pytest.approx(np.quantile(picks, band))
    old = timezone.localdate() - timedelta(days=settings.RISK_LANE_WINDOW_DAYS + 1)
    RiskScore.objects.update(scored_on=old)
    assert len(services.lane_thresholds(office=office, model_label="risk:1", today=today).recent) == 0


@pytest.mark.django_db
def test_the_demo_history_covers_the_demo_goods_origins_and_companies():
    seed_demo(password="demo-password-123")
    history = demo.demo_history(rows=2000, seed=7)
    pairs = history.groupby(["tariff_code", "country"]).size()
    shares = pairs / pairs.groupby(level=0).transform("sum")
    wanted = {
        (line["hs_code"], line["origin_country"]) for *_head, lines, _plan in demo_declarations.PLAN for line in lines
    } | {(code, origin) for code, *_rest in demo_manifests.GOODS for origin in demo_manifests.ORIGINS}
    for pair in wanted:
        assert shares.get(pair, 0) >= 0.02, pair
    importers = set(history["importer_id"])
    assert {demo_declarations.SAKURA, demo_declarations.FUJI} <= importers


def _lane_mix(declarations) -> dict[str, float]:
    lanes = Counter(declarations.values_list("lane", flat=True))
    total = sum(lanes.values())
    return {lane: lanes[lane] / total for lane in ("green", "yellow", "red")}


@pytest.mark.django_db
def test_the_demo_gives_a_realistic_lane_mix_with_true_reasons():
    seed_demo(password="demo-password-123")
    seed_apps()
    for manifest in Manifest.objects.filter(status=Manifest.Status.DONE):
        manifest_screening.manifest_screen_all(manifest_id=manifest.pk)
    screened = Declaration.objects.exclude(lane="")
    parcels = screened.filter(source=Declaration.Source.MANIFEST)
    assert parcels.count() == 200 and screened.count() > 200
    for mix in (_lane_mix(screened), _lane_mix(parcels)):
        assert 0.70 <= mix["green"] <= 0.85, mix
        assert 0.10 <= mix["yellow"] <= 0.25, mix
        assert mix["red"] < 0.10, mix
    assert _lane_mix(screened.exclude(source=Declaration.Source.MANIFEST))["green"] >= 0.5
    scores = RiskScore.objects.select_related("declaration")
    for score in scores.filter(exploration=True):
        assert score.lane == Declaration.Lane.RED and score.reasons[0]["code"] == "exploration"
    history = HistoricalDeclaration.objects
    for score in scores:
        line = score.declaration.lines.order_by("line_no")[score.features["line"] - 1]
        for reason in score.reasons:
            assert reason["code"] != "importer_new", score.declaration.number  # the history knows both companies
            if reason["code"] == "origin_rare":
                in_line = history.filter(tariff_code=line.hs_code).count()
                share = history.filter(tariff_code=line.hs_code, country=line.origin_country).count() / in_line
                assert share < 0.02 and reason["params"]["percent"] == round(100 * share, 1)
