"""The risk model in the shared registry: training, its promotion gate, its artefact, and
what a promotion sets off. The registry itself is tested in tests/customs_portal."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.db import transaction

from customs_portal import ml_registry
from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent, ModelVersion, OutboxTask
from inspection import ml, services, synthetic, tasks
from inspection.models import HistoricalDeclaration


@pytest.mark.django_db
def test_training_stores_an_active_version_with_artefact_manifest_and_metrics(trained_model, artefact_root):
    assert trained_model.status == ModelVersion.Status.ACTIVE and trained_model.name == "risk"
    directory = Path(trained_model.artefact_path)
    assert directory == artefact_root / "risk" / str(trained_model.version)
    manifest = json.loads((directory / "manifest.json").read_text())
    checksum = ml_registry.sha256_of(directory / ml.MODEL_FILE)
    assert manifest["files"] == trained_model.checksums == {ml.MODEL_FILE: checksum}
    assert "scikit-learn" in manifest["libraries"] and manifest["features"] == trained_model.metrics["features"]
    holdout = trained_model.metrics["holdout"]
    assert {f"revenue@{k}%" for k in (1, 2, 5, 10)} <= set(holdout)
    assert manifest["metrics"] == holdout
    assert trained_model.training_summary["holdout_rows"] > 0
    assert AuditEvent.objects.filter(action="risk_model.trained", object_id=str(trained_model.pk)).exists()
    assert AuditEvent.objects.filter(action="risk_model.promoted", object_id=str(trained_model.pk)).exists()


@pytest.mark.django_db
def test_a_model_file_whose_checksum_does_not_match_is_refused(trained_model):
    path = Path(trained_model.artefact_path) / ml.MODEL_FILE
    path.write_bytes(path.read_bytes() + b"tampered")
    ml_registry.artefact_cache_clear()
    with pytest.raises(ml_registry.ArtefactError, match="checksum"):
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
def test_the_risk_model_ignores_the_versions_of_other_models(trained_model):
    other = ml_registry.model_version_register(
        name="xray", write=lambda directory: (directory / "weights.bin").write_bytes(b"\0"), system="test"
    )
    ml_registry.model_version_promote(model_version=other, system="test")
    active, _predictor = services.active_model()
    assert active == trained_model
    assert services.risk_model_train(system="test", if_absent=True) is None


@pytest.mark.django_db
def test_promoting_a_risk_version_writes_its_rescore_in_the_promotions_own_transaction(trained_model):
    def register():
        return ml_registry.model_version_register(
            name=services.MODEL_NAME,
            write=lambda directory: (directory / "weights.bin").write_bytes(b"\0"),
            system="test",
        )

    with pytest.raises(RuntimeError), transaction.atomic():
        abandoned = register()
        ml_registry.model_version_promote(model_version=abandoned, system="test")
        assert [abandoned.pk] in _queued_rescores()  # written before anything commits
        raise RuntimeError("the promotion's transaction rolls back")
    assert [abandoned.pk] not in _queued_rescores()  # nor is a rescore left behind for it

    kept = register()
    ml_registry.model_version_promote(model_version=kept, system="test")
    assert [kept.pk] in _queued_rescores()


def _queued_rescores() -> list[list[int]]:
    return list(OutboxTask.objects.filter(task_name=tasks.risk_rescore_open.name).values_list("args", flat=True))


@pytest.mark.django_db
def test_promoting_another_model_rescores_nothing(django_capture_on_commit_callbacks):
    other = ml_registry.model_version_register(
        name="xray", write=lambda directory: (directory / "weights.bin").write_bytes(b"\0"), system="test"
    )
    with django_capture_on_commit_callbacks(execute=True):
        ml_registry.model_version_promote(model_version=other, system="test")
    assert not _queued_rescores()


@pytest.mark.django_db
def test_the_rescoring_task_skips_a_version_that_is_not_the_active_risk_model(trained_model):
    again = services.risk_model_train(system="test")
    assert tasks.risk_rescore_open(trained_model.pk) == 0
    assert again.status == ModelVersion.Status.ACTIVE


@pytest.mark.django_db
def test_screening_falls_back_to_the_rule_when_the_model_file_is_refused(trained_model, trader_a):
    from tests.inspection.factories import submitted_declaration
    from tests.tariff.factories import TariffLineFactory

    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%"})
    path = Path(trained_model.artefact_path) / ml.MODEL_FILE
    path.write_bytes(b"not the trained model")
    ml_registry.artefact_cache_clear()
    declaration = submitted_declaration(company=trader_a.company, declarant=trader_a)
    assert services.risk_lane_assign(declaration=declaration).decided_by == "rule"
