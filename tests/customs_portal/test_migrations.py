"""The model registry moved from the inspection app: a database made before the move keeps
its model versions, their risk scores and permissions, and the registry's table takes
customs_portal's name."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("customs_portal", "0002_audit_event_append_only_trigger"),
    ("inspection", "0001_initial"),
    ("contenttypes", "0002_remove_content_type_name"),
]


def foreign_keys_of(table: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {(c["columns"][0], c["foreign_key"][0]) for c in constraints.values() if c["foreign_key"]}


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_its_model_versions_and_their_risk_scores(trader_a):
    from tests.inspection.factories import submitted_declaration

    declaration = submitted_declaration(company=trader_a.company, declarant=trader_a)

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldModelVersion = old.get_model("inspection", "ModelVersion")
    assert OldModelVersion._meta.db_table == "inspection_modelversion"
    served = OldModelVersion.objects.create(
        name="risk",
        version=1,
        artefact_path="/srv/ml/risk/1/model.joblib",
        sha256="ab" * 32,
        metrics={"holdout": {"revenue@5%": 0.4}},
        status="active",
    )
    OldModelVersion.objects.create(
        name="risk", version=2, artefact_path="/srv/ml/risk/2/model.joblib", sha256="cd" * 32
    )
    old.get_model("inspection", "RiskScore").objects.create(
        declaration_id=declaration.pk, declaration_version=1, model_version=served, model_label="risk:1",
        probability=0.2, predicted_revenue_jpy=1000, expected_revenue_jpy=200, lane="green",
        office_id=declaration.office_id, scored_on="2026-01-05",
    )  # fmt: skip
    ContentType = old.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(app_label="inspection", model="modelversion")
    old.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="view_modelversion", defaults={"name": "Can view model version"}
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import IntegrityError, transaction

    from customs_portal.models import ModelVersion
    from inspection.models import RiskScore

    assert ModelVersion._meta.db_table == "customs_portal_modelversion"
    moved = ModelVersion.objects.get(name="risk", version=1)
    assert moved.status == ModelVersion.Status.ACTIVE and moved.metrics == {"holdout": {"revenue@5%": 0.4}}
    assert moved.artefact_path == "/srv/ml/risk/1" and moved.checksums == {"model.joblib": "ab" * 32}
    assert ModelVersion.objects.get(version=2).checksums == {"model.joblib": "cd" * 32}
    assert RiskScore.objects.get(declaration=declaration).model_version == moved
    assert ("model_version_id", "customs_portal_modelversion") in foreign_keys_of("inspection_riskscore")
    assert not ContentType.objects.filter(app_label="inspection", model="modelversion").exists()
    permission = Permission.objects.get(codename="view_modelversion")
    assert permission.content_type.app_label == "customs_portal"
    # The constraint that moved with the table still allows one served version per model.
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.filter(version=2).update(status=ModelVersion.Status.ACTIVE)
