"""One honest pipeline: no training row scored by a model fitted on it, the served model
is the measured one, results label the version they judged, one score write path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customs_portal import ml_registry
from declarations.core.services.submission import declaration_submit, declaration_version_freeze
from declarations.models import Declaration, DeclarationLine
from inspection import ml, services
from inspection.models import InspectionResult, RiskScore
from tests.inspection.factories import submitted_declaration
from tests.tariff.factories import TariffLineFactory

ROOT = Path(__file__).resolve().parents[2]


def test_no_training_row_gets_its_text_score_from_a_text_model_fitted_on_it(history_frame):
    """A description seen once, on one honest row, is read perfectly by a text model that
    learnt it; the features that train the classifier must not show that."""
    train = history_frame.iloc[:3000].copy()
    planted = train.index[(train["illicit"] == 0).to_numpy()][10]
    train.loc[planted, ["description", "tariff_code"]] = ["zqxwv gizmo blorft", "950300000"]
    reference = ml.build_reference(train)
    in_sample, _context = ml.build_features(train, reference)
    unseen, _context = ml.build_features(train.loc[[planted]].assign(description="qqqq vvvv"), reference)
    training = ml.training_features(train, reference)
    assert in_sample.loc[planted, "text_chapter_prob"] > 0.9  # a model that saw the row knows it
    honest = training.loc[planted, "text_chapter_prob"]
    # Out of fold the row's words are unknown, so it reads as an unseen text: no opinion.
    assert np.isnan(honest) and np.isnan(unseen["text_chapter_prob"].iloc[0])


def test_out_of_fold_text_scores_keep_the_honest_to_illicit_gap_of_the_full_text_model(history_frame):
    train = history_frame.iloc[:4000].reset_index(drop=True)
    reference = ml.build_reference(train)
    folds = ml.training_features(train, reference)["text_chapter_prob"].to_numpy()
    illicit = train["illicit"].to_numpy() == 1
    assert np.isfinite(folds).mean() > 0.99  # every row with a description is scored
    gap = np.nanmean(folds[~illicit]) - np.nanmean(folds[illicit])
    assert gap > 0.05  # misclassified goods still read as another chapter


@pytest.mark.django_db
def test_the_promoted_artefact_predicts_exactly_what_its_stored_metrics_were_computed_from(trained_model):
    ml_registry.artefact_cache_clear()
    served = ml_registry.artefact_load(model_version=trained_model, load=ml.predictor_read)
    frame = services.training_frame()
    holdout = frame[frame["sgd_date"] >= pd.Timestamp(trained_model.training_summary["holdout_from"])]
    holdout = holdout.reset_index(drop=True)
    assert len(holdout) == trained_model.training_summary["holdout_rows"]
    features, _context = ml.build_features(holdout, served.reference)
    scores = served.score_features(features)
    assert services.predictions_digest(scores) == trained_model.metrics["holdout_predictions_sha256"]
    ranked = ml.ranking_metrics(scores, holdout["illicit"].to_numpy(), holdout["revenue"].to_numpy())
    assert ranked["served"] == trained_model.metrics["holdout"]
    assert ranked["heads"] == trained_model.metrics["heads"]
    # Nothing dated in the hold-out was learnt from: the served reference ends before it.
    assert served.reference.events["sgd_date"].max() < pd.Timestamp(trained_model.training_summary["holdout_from"])


@pytest.mark.django_db
def test_a_result_labels_the_lines_of_the_version_it_judged_not_a_later_amendment(
    history_in_db, trader_a, inspection_officer
):
    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%"})
    declaration = submitted_declaration(company=trader_a.company, declarant=trader_a)
    declaration_submit(declaration=declaration, submitted_by=trader_a)
    Declaration.objects.filter(pk=declaration.pk).update(status=Declaration.Status.INSPECTION)
    declaration = Declaration.objects.get(pk=declaration.pk)
    result = services.inspection_result_record(
        declaration=declaration, kind=InspectionResult.Kind.INSPECTION, outcome=InspectionResult.Outcome.DISCREPANCY,
        additional_duty_jpy=30000, fraud_type="misclassification", notes="", officer=inspection_officer,
    )  # fmt: skip
    assert result.declaration_version == declaration.version == 1
    judged = DeclarationLine.objects.get(declaration=declaration)
    # The trader amends the line afterwards: another code, another description.
    DeclarationLine.objects.filter(declaration=declaration).update(
        hs_code="847130000", description="portable laptop computers", quantity=Decimal("3")
    )
    Declaration.objects.filter(pk=declaration.pk).update(version=2)
    declaration.refresh_from_db()
    declaration_version_freeze(declaration=declaration, by=trader_a, reason="corrected")
    portal = services.training_frame().query("sgd_id.str.startswith('PORTAL-')", engine="python")
    assert list(portal["tariff_code"]) == [judged.hs_code] and list(portal["description"]) == [judged.description]
    assert list(portal["quantity"]) == [100.0] and list(portal["illicit"]) == [1]
    assert list(portal["revenue"]) == [30000.0]


@pytest.mark.django_db
def test_a_result_whose_version_is_not_known_any_more_is_not_learnt(history_in_db, trader_a, inspection_officer):
    declaration = submitted_declaration(company=trader_a.company, declarant=trader_a)
    # Under inspection, but its version 1 was never frozen (as no submission leaves it).
    Declaration.objects.filter(pk=declaration.pk).update(status=Declaration.Status.INSPECTION)
    declaration.refresh_from_db()
    services.inspection_result_record(
        declaration=declaration, kind=InspectionResult.Kind.INSPECTION, outcome=InspectionResult.Outcome.NO_DISCREPANCY,
        additional_duty_jpy=0, fraud_type="", notes="", officer=inspection_officer,
    )  # fmt: skip
    Declaration.objects.filter(pk=declaration.pk).update(version=2)  # amended, version 1 never frozen
    frame = services.training_frame()
    assert not frame["sgd_id"].str.startswith("PORTAL-").any()
    assert len(frame) == len(history_in_db)


@pytest.mark.django_db
def test_writing_scores_twice_stores_each_once_and_keeps_the_first(trained_model, trader_a):
    declaration = submitted_declaration(company=trader_a.company, declarant=trader_a)
    predictor = ml_registry.artefact_load(model_version=trained_model, load=ml.predictor_read)
    scored = services.score_declarations([declaration.pk], predictor)[declaration.pk]
    assert 0 < scored.pick_share
    kwargs = {"declaration": declaration, "model_version": trained_model, "scored": scored, "exploration": False,
              "threshold": 1000.0, "today": declaration.declaration_date}  # fmt: skip
    first = services.risk_score_store(lane="yellow", **kwargs)
    again = services.risk_score_store(lane="red", **kwargs)
    assert first.pk == again.pk and again.lane == "yellow" and RiskScore.objects.count() == 1
    assert first.pick_share == pytest.approx(scored.pick_share) and first.threshold_jpy == 1000


SQLITE_SCORING = textwrap.dedent(
    """
    import datetime as dt
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from declarations.models import Declaration
    from inspection import services, synthetic, tasks
    from inspection.models import HistoricalDeclaration, RiskScore
    from tests.customs_portal.factories import CompanyFactory, UserFactory
    from tests.inspection.factories import submitted_declaration

    tasks.risk_rescore_open.delay = lambda *args: None  # the promotion's rescore runs below
    history = synthetic.generate_history(rows=3000, seed=3, days=365)
    services.history_import(frame=history, source=HistoricalDeclaration.Source.SYNTHETIC)
    version = services.risk_model_train(system="sqlite-check")
    trader = UserFactory(role="trader", company=CompanyFactory())
    for _ in range(3):
        declaration = submitted_declaration(company=trader.company, declarant=trader)
        Declaration.objects.filter(pk=declaration.pk).update(status=Declaration.Status.DOCUMENT_REVIEW)
    first = services.risk_rescore_open(model_version=version)
    again = services.risk_rescore_open(model_version=version)
    shares = sorted(RiskScore.objects.values_list("pick_share", flat=True))
    print({"vendor": django.db.connection.vendor, "first": first, "again": again,
           "stored": RiskScore.objects.count(), "shares": shares})
    """
)


def test_migrate_and_a_scoring_pass_work_on_sqlite(tmp_path):
    """What `make run` uses: no PostgreSQL, the ORM write path alone."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env |= {"DJANGO_SETTINGS_MODULE": "customs_portal.settings.local", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "ML_ARTEFACT_ROOT": str(tmp_path / "ml"), "CELERY_BROKER_URL": "memory://", "PYTHONPATH": str(ROOT)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", SQLITE_SCORING], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"'))
    assert summary["vendor"] == "sqlite" and summary["first"] == summary["stored"] == 3 and summary["again"] == 0
    assert all(0 < share for share in summary["shares"])
