from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent
from inspection import ml, services, synthetic
from inspection.models import HistoricalDeclaration, ModelVersion


@pytest.mark.django_db
def test_training_stores_an_active_version_with_artefact_manifest_and_metrics(trained_model, artefact_root):
    assert trained_model.status == ModelVersion.Status.ACTIVE
    directory = Path(trained_model.artefact_path).parent
    assert directory.parent.parent == artefact_root
    manifest = (directory / "manifest.json").read_text()
    assert trained_model.sha256 in manifest and "scikit-learn" in manifest
    holdout = trained_model.metrics["holdout"]
    assert {f"revenue@{k}%" for k in (1, 2, 5, 10)} <= set(holdout)
    assert trained_model.training_summary["holdout_rows"] > 0
    assert AuditEvent.objects.filter(action="risk_model.promoted", object_id=str(trained_model.pk)).exists()


@pytest.mark.django_db
def test_a_model_file_whose_checksum_does_not_match_is_refused(trained_model):
    path = Path(trained_model.artefact_path)
    path.write_bytes(path.read_bytes() + b"tampered")
    ml._cache.clear()
    with pytest.raises(ml.ArtefactError, match="checksum"):
        services.active_model()


@pytest.mark.django_db
def test_training_with_too_few_labels_says_so_and_produces_no_model():
    frame = synthetic.generate_history(rows=300, seed=3, days=100)
    services.history_import(frame=frame, source=HistoricalDeclaration.Source.SYNTHETIC)
    with pytest.raises(ApplicationError) as caught:
        services.risk_model_train(system="test")
    assert caught.value.code == "too_few_labels"
    assert "Too few labels" in caught.value.message
    assert not ModelVersion.objects.exists()


@pytest.mark.django_db
def test_a_version_worse_than_the_active_one_on_the_same_holdout_is_kept_but_not_served(trained_model):
    frame = services.training_frame()
    cut = services.time_split(frame)
    # Training labels shuffled (the hold-out's kept): the new version learns nothing.
    rng = np.random.default_rng(0)
    before = (frame["sgd_date"] < cut).to_numpy()
    shuffled = rng.permutation(np.flatnonzero(before))
    frame.loc[before, ["illicit", "revenue"]] = frame.loc[shuffled, ["illicit", "revenue"]].to_numpy()
    worse = services.risk_model_train(system="test", frame=frame)
    assert worse.status == ModelVersion.Status.TRAINED
    assert worse.metrics["holdout"]["revenue@5%"] < worse.metrics["active_on_same_holdout"]["revenue@5%"]
    trained_model.refresh_from_db()
    assert trained_model.status == ModelVersion.Status.ACTIVE


@pytest.mark.django_db
def test_an_equally_good_retrain_is_promoted_and_the_old_version_retired(trained_model):
    again = services.risk_model_train(system="test")
    assert again.version == trained_model.version + 1 and again.status == ModelVersion.Status.ACTIVE
    trained_model.refresh_from_db()
    assert trained_model.status == ModelVersion.Status.RETIRED


@pytest.mark.django_db
def test_train_if_absent_does_nothing_when_a_model_exists(trained_model):
    assert services.risk_model_train(system="test", if_absent=True) is None
    assert ModelVersion.objects.count() == 1


@pytest.mark.django_db
def test_screening_falls_back_to_the_rule_when_the_model_file_is_refused(trained_model, trader_a):
    from tests.inspection.factories import submitted_declaration
    from tests.tariff.factories import TariffLineFactory

    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%"})
    path = Path(trained_model.artefact_path)
    path.write_bytes(b"not the trained model")
    ml._cache.clear()
    declaration = submitted_declaration(company=trader_a.company, declarant=trader_a)
    assert services.risk_lane_assign(declaration=declaration).decided_by == "rule"
