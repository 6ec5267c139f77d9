from __future__ import annotations

import pytest
from django.utils import translation

from customs_portal.reasons import reasons_text
from declarations.core.services.submission import declaration_submit
from declarations.hooks import lane_assigner
from declarations.models import Declaration
from inspection import services
from inspection.models import HistoricalDeclaration, RiskScore
from tests.celery_worker import running_worker, wait_until
from tests.inspection.factories import submit_and_screen, submitted_declaration
from tests.tariff.factories import TariffLineFactory


@pytest.fixture
def tshirt_line(db):
    return TariffLineFactory(hs_code="610910000", rates={"general": "10.9%"})


def screening(declaration: Declaration) -> Declaration:
    """The declaration as the screening task finds it (the task moves it to screening first)."""
    Declaration.objects.filter(pk=declaration.pk).update(status=Declaration.Status.SCREENING, customs_value_jpy=200000)
    return Declaration.objects.get(pk=declaration.pk)


@pytest.mark.django_db
def test_the_risk_scorer_is_the_registered_lane_assigner_and_falls_back_to_the_rule_without_a_model(
    trader_a, tshirt_line
):
    assert lane_assigner() is services.risk_lane_assign
    declaration = screening(submitted_declaration(company=trader_a.company, declarant=trader_a))
    decision = services.risk_lane_assign(declaration=declaration)
    assert decision.decided_by == "rule"
    assert not RiskScore.objects.exists()


@pytest.mark.django_db
def test_scoring_stores_one_prediction_per_declaration_version_and_model_with_reasons(
    trained_model, trader_a, tshirt_line
):
    declaration = submitted_declaration(company=trader_a.company, declarant=trader_a, lines=2)
    declaration_submit(declaration=declaration, submitted_by=trader_a)
    declaration = Declaration.objects.get(pk=declaration.pk)
    first = services.risk_lane_assign(declaration=declaration)
    again = services.risk_lane_assign(declaration=declaration)
    score = RiskScore.objects.get()
    assert first == again and first.decided_by == trained_model.label
    assert score.model_version == trained_model and score.declaration_version == declaration.version
    assert 0 <= score.probability <= 1 and score.expected_revenue_jpy >= 0
    assert score.lane == first.lane and score.threshold_jpy is not None
    assert score.reasons and {"code", "params"} <= set(score.reasons[0])
    assert score.features["importer_new"] == 1.0  # the portal company is not in the synthetic history


@pytest.mark.django_db
def test_exploration_picks_are_marked_as_chosen_to_learn(trained_model, trader_a, tshirt_line, settings):
    settings.INSPECTION_EXPLORATION_SHARE = 1.0
    settings.RISK_RED_MAX_SHARE = 1.0
    declaration = screening(submitted_declaration(company=trader_a.company, declarant=trader_a))
    decision = services.risk_lane_assign(declaration=declaration)
    score = RiskScore.objects.get()
    assert score.exploration and score.lane == Declaration.Lane.RED == decision.lane
    assert score.reasons[0]["code"] == "exploration"
    assert decision.reasons[0] == {"code": "exploration", "params": {}}
    with translation.override("en"):
        assert reasons_text(decision.reasons)[0] == "chosen at random to keep the model learning"


@pytest.mark.django_db
def test_rescoring_after_a_promotion_scores_every_open_declaration_once(trained_model, trader_a, tshirt_line):
    for _ in range(3):
        submit_and_screen(submitted_declaration(company=trader_a.company, declarant=trader_a), by=trader_a)
    assert RiskScore.objects.filter(model_label=trained_model.label).count() == 3
    newer = services.risk_model_train(system="test")
    assert services.risk_rescore_open(model_version=newer) == 3
    assert services.risk_rescore_open(model_version=newer) == 0
    assert RiskScore.objects.filter(model_label=newer.label).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_submitted_declaration_gets_its_score_and_lane_from_a_real_worker(history_frame, artefact_root, trader_a):
    services.history_import(frame=history_frame, source=HistoricalDeclaration.Source.SYNTHETIC)
    version = services.risk_model_train(system="test")
    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%"})
    declaration = submitted_declaration(company=trader_a.company, declarant=trader_a)
    with running_worker(ML_ARTEFACT_ROOT=str(artefact_root)) as worker:
        declaration_submit(declaration=declaration, submitted_by=trader_a)
        try:
            score = wait_until(lambda: RiskScore.objects.filter(declaration=declaration).first(), timeout=60)
            # The lane is written first, then the status moves on: wait for both.
            routed = wait_until(
                lambda: (
                    Declaration.objects.filter(pk=declaration.pk)
                    .exclude(lane="")
                    .exclude(status=Declaration.Status.SCREENING)
                    .first()
                ),
                timeout=30,
            )
        except AssertionError:
            from tests.celery_worker import stop_worker

            raise AssertionError(stop_worker(worker)[-4000:]) from None
    assert score.model_label == version.label
    assert routed.lane == score.lane
    assert routed.status != Declaration.Status.SCREENING
