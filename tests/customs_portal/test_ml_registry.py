"""The shared model registry: artefact files with their checksums, one served version per
model, promotion and rollback, and who may see the versions."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import translation

from customs_portal import ml_registry
from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent, ModelVersion

Status = ModelVersion.Status


@pytest.fixture(autouse=True)
def artefact_root(settings, tmp_path):
    settings.ML_ARTEFACT_ROOT = str(tmp_path / "ml")
    ml_registry.artefact_cache_clear()
    yield tmp_path / "ml"
    ml_registry.artefact_cache_clear()


def weights(content: bytes = b"weights"):
    """A model's files as an app writes them: here a weights file and a labels file."""

    def write(directory: Path) -> None:
        (directory / "weights.bin").write_bytes(content)
        (directory / "labels.json").write_text(json.dumps(["clear", "suspect"]))

    return write


def read(directory: Path) -> tuple[bytes, list[str]]:
    return (directory / "weights.bin").read_bytes(), json.loads((directory / "labels.json").read_text())


def register(name: str = "xray", content: bytes = b"weights") -> ModelVersion:
    return ml_registry.model_version_register(
        name=name, write=weights(content), metrics={"auc": 0.9}, training_summary={"images": 10}, system="test"
    )


def promote(version: ModelVersion) -> ModelVersion:
    return ml_registry.model_version_promote(model_version=version, system="test")


@pytest.mark.django_db
def test_a_registered_version_keeps_its_files_under_its_own_directory_with_a_manifest_of_checksums(artefact_root):
    version = ml_registry.model_version_register(
        name="xray",
        write=weights(),
        manifest={"libraries": {"torch": "2.5"}},
        metrics={"auc": 0.9},
        training_summary={"images": 10},
        system="test",
    )
    directory = artefact_root / "xray" / "1"
    assert (version.name, version.version, version.status) == ("xray", 1, Status.TRAINED)
    assert Path(version.artefact_path) == directory
    assert version.checksums == {
        "labels.json": ml_registry.sha256_of(directory / "labels.json"),
        "weights.bin": ml_registry.sha256_of(directory / "weights.bin"),
    }
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest == {"name": "xray", "version": 1, "libraries": {"torch": "2.5"}, "files": version.checksums}
    assert version.metrics == {"auc": 0.9} and version.training_summary == {"images": 10}
    event = AuditEvent.objects.get(action="xray_model.trained")
    assert event.object_type == "customs_portal.ModelVersion" and event.after == {"metrics": {"auc": 0.9}}


@pytest.mark.django_db
def test_files_left_by_a_registration_that_rolled_back_are_not_counted_as_the_next_version(artefact_root):
    leftover = artefact_root / "xray" / "1"
    leftover.mkdir(parents=True)
    (leftover / "old-weights.bin").write_bytes(b"from a failed run")
    version = register()
    assert set(version.checksums) == {"labels.json", "weights.bin"}
    assert not (leftover / "old-weights.bin").exists()


@pytest.mark.django_db
def test_versions_are_numbered_per_model():
    assert [register("xray").version, register("xray").version, register("risk").version] == [1, 2, 1]
    assert register("risk").label == "risk:2"


@pytest.mark.django_db
def test_a_version_that_wrote_no_file_is_not_registered():
    with pytest.raises(ml_registry.ArtefactError, match="at least one file"):
        ml_registry.model_version_register(name="xray", write=lambda directory: None, system="test")
    assert not ModelVersion.objects.exists()


@pytest.mark.django_db
def test_a_model_is_read_once_per_process_and_only_after_its_checksums_match():
    version = register()
    calls = []

    def counting_read(directory: Path):
        calls.append(directory)
        return read(directory)

    assert ml_registry.artefact_load(model_version=version, load=counting_read) == (b"weights", ["clear", "suspect"])
    assert ml_registry.artefact_load(model_version=version, load=counting_read) == (b"weights", ["clear", "suspect"])
    assert len(calls) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda directory: (directory / "labels.json").write_text("[]"), "checksum"),
        (lambda directory: (directory / "weights.bin").unlink(), "missing"),
    ],
)
def test_a_changed_or_missing_file_is_refused_and_never_read(damage, message):
    version = register()
    damage(Path(version.artefact_path))
    calls = []
    with pytest.raises(ml_registry.ArtefactError, match=message):
        ml_registry.artefact_load(model_version=version, load=calls.append)
    assert calls == []


@pytest.mark.django_db
def test_a_checksum_naming_a_file_outside_the_version_directory_is_refused(artefact_root):
    version = register()
    (artefact_root / "elsewhere.bin").write_bytes(b"x")
    version.checksums = {"../../elsewhere.bin": ml_registry.sha256_of(artefact_root / "elsewhere.bin")}
    with pytest.raises(ml_registry.ArtefactError, match="outside"):
        ml_registry.artefact_load(model_version=version, load=read)


@pytest.mark.django_db
def test_a_version_without_recorded_checksums_is_refused():
    version = register()
    version.checksums = {}
    with pytest.raises(ml_registry.ArtefactError, match="no files"):
        ml_registry.artefact_load(model_version=version, load=read)


@pytest.mark.django_db
def test_one_version_per_model_is_served_and_promoting_one_model_leaves_the_others_alone():
    risk = promote(register("risk"))
    first, second = register("xray"), register("xray")
    assert ml_registry.model_version_active(name="xray") is None
    promote(first)
    promote(second)
    first.refresh_from_db()
    risk.refresh_from_db()
    assert ml_registry.model_version_active(name="xray") == second
    assert first.status == Status.RETIRED and first.promoted_at is not None
    assert risk.status == Status.ACTIVE and ml_registry.model_version_active(name="risk") == risk


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_version_of_one_model():
    promote(register("xray"))
    other = register("xray")
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.filter(pk=other.pk).update(status=Status.ACTIVE)


@pytest.mark.django_db
def test_a_promotion_is_audited_and_announced_once_it_commits(django_capture_on_commit_callbacks, supervisor):
    first = promote(register("xray"))
    second = register("xray")
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    ml_registry.model_version_promoted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ml_registry.model_version_promote(model_version=second, actor=supervisor)
            assert received == []
    finally:
        ml_registry.model_version_promoted.disconnect(receiver)
    assert [(r["model_version"], r["previous"]) for r in received] == [(second, first)]
    event = AuditEvent.objects.get(action="xray_model.promoted", actor=supervisor)
    assert event.before == {"active": "xray:1"} and event.after == {"active": "xray:2"}


@pytest.mark.django_db
def test_the_active_version_cannot_be_promoted_again():
    version = promote(register())
    with pytest.raises(ApplicationError) as caught:
        promote(version)
    assert caught.value.code == "already_active"


@pytest.mark.django_db
def test_rollback_serves_again_the_version_served_before_and_only_for_that_model(supervisor):
    risk_first = promote(register("risk"))
    promote(register("risk"))
    first = promote(register("xray"))
    second = promote(register("xray"))
    rolled_back = ml_registry.model_version_rollback(name="xray", actor=supervisor)
    assert rolled_back == first and rolled_back.status == Status.ACTIVE
    second.refresh_from_db()
    risk_first.refresh_from_db()
    assert second.status == Status.RETIRED and risk_first.status == Status.RETIRED
    assert ml_registry.model_version_active(name="risk").version == 2
    # Rolling back again serves the version that was rolled back from.
    assert ml_registry.model_version_rollback(name="xray", actor=supervisor) == second


@pytest.mark.django_db
def test_rollback_without_an_earlier_served_version_says_so(supervisor):
    promote(register("xray"))
    register("xray")
    with pytest.raises(ApplicationError) as caught:
        ml_registry.model_version_rollback(name="xray", actor=supervisor)
    assert caught.value.code == "nothing_to_roll_back"


@pytest.mark.django_db
def test_officers_see_the_versions_of_a_model_and_traders_are_refused(inspection_officer, trader_a, admin_user):
    risk, xray = register("risk"), register("xray")
    assert list(ml_registry.model_version_list_for_user(user=inspection_officer, name="xray")) == [xray]
    found = ml_registry.model_version_get_for_user(user=inspection_officer, model_version_id=risk.pk, name="risk")
    assert found == risk
    with pytest.raises(Http404):
        ml_registry.model_version_get_for_user(user=inspection_officer, model_version_id=xray.pk, name="risk")
    for user in (trader_a, admin_user):
        with pytest.raises(PermissionDenied):
            ml_registry.model_version_list_for_user(user=user)
        with pytest.raises(PermissionDenied):
            ml_registry.model_version_get_for_user(user=user, model_version_id=risk.pk)


@pytest.mark.django_db(transaction=True)
def test_two_promotions_of_one_model_racing_leave_exactly_one_served_version():
    promote(register("xray"))
    contenders = [register("xray"), register("xray")]
    start = threading.Barrier(len(contenders))
    errors = []

    def race(version: ModelVersion) -> None:
        try:
            start.wait(timeout=10)
            promote(version)
        except Exception as error:  # the test reports whatever a thread raised
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(version,)) for version in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert ModelVersion.objects.filter(name="xray", status=Status.ACTIVE).count() == 1
    assert AuditEvent.objects.filter(action="xray_model.promoted").count() == 3


# What a user may do to a version.


@pytest.mark.django_db
def test_only_a_supervisor_is_told_to_promote_a_version_not_served_and_to_roll_back_to_the_one_before(
    supervisor, clearance_officer, inspection_officer, audit_officer
):
    first = promote(register("xray"))
    second = promote(register("xray"))
    third = register("xray")
    first.refresh_from_db()
    allowed = {
        v.version: ml_registry.model_version_allowed_actions(version=v, user=supervisor) for v in (first, second, third)
    }
    assert allowed == {1: ["promote", "rollback"], 2: [], 3: ["promote"]}
    for officer in (clearance_officer, inspection_officer, audit_officer):
        assert ml_registry.model_version_allowed_actions(version=first, user=officer) == []
    listed = ml_registry.model_versions_with_actions(versions=[third, second, first], user=supervisor)
    assert [actions for _version, actions in listed] == [["promote"], [], ["promote", "rollback"]]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["clearance_officer", "inspection_officer", "audit_officer", "trader_a"])
def test_a_person_other_than_a_supervisor_cannot_promote_or_roll_back(request, persona):
    actor = request.getfixturevalue(persona)
    promote(register("xray"))
    promote(register("xray"))
    third = register("xray")
    with pytest.raises(ApplicationError) as promoting:
        ml_registry.model_version_promote(model_version=third, actor=actor)
    with pytest.raises(ApplicationError) as rolling_back:
        ml_registry.model_version_rollback(name="xray", actor=actor)
    assert promoting.value.code == rolling_back.value.code == "not_allowed"
    statuses = [v.status for v in ModelVersion.objects.filter(name="xray").order_by("version")]
    assert statuses == [Status.RETIRED, Status.ACTIVE, Status.TRAINED]
    assert not AuditEvent.objects.filter(action="xray_model.promoted", actor=actor).exists()


@pytest.mark.django_db
def test_promotion_needs_a_person_or_a_named_system_component():
    version = register("xray")
    with pytest.raises(ApplicationError) as caught:
        ml_registry.model_version_promote(model_version=version)
    assert caught.value.code == "not_allowed"
    version.refresh_from_db()
    assert version.status == Status.TRAINED


@pytest.mark.django_db
def test_metrics_read_as_percentages_when_they_are_shares_and_as_numbers_otherwise():
    version = ml_registry.model_version_register(
        name="risk",
        write=weights(),
        metrics={"holdout": {"precision@1%": 0.5, "precision@5%": 0.4123, "recall@5%": 0.9278, "revenue@5%": 0.6,
                             "auc": 0.92784}},
        system="test",
    )  # fmt: skip
    with translation.override("en"):
        version.refresh_from_db()  # as the page reads it: a JSON column keeps no key order
        shown = ml_registry.model_version_metrics(version=version)
        xray = ml_registry.model_version_metrics(version=register("xray"))
    assert shown == [
        ("Precision (top 5 %)", "41.2 %"),
        ("Recall (top 5 %)", "92.8 %"),
        ("Revenue caught (top 5 %)", "60.0 %"),
        ("AUC", "0.928"),
    ]
    assert xray == [("AUC", "0.900")]
