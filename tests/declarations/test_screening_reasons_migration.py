"""Screening reasons stored as text before they were codes: the rule's and the end-user
check's texts (English or Japanese) become their codes, a model-screened declaration takes
the codes of its risk score, and anything else is kept as legacy text that still shows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from customs_portal.reasons import reasons_text

BEFORE = [
    ("declarations", "0003_tariff_models_moved"),
    ("inspection", "0002_model_version_moved"),
    ("customs_portal", "0005_model_version_checksums"),
]


@pytest.mark.django_db(transaction=True)
def test_text_reasons_of_existing_declarations_become_codes_or_stay_readable(trader_a):
    from tests.declarations.factories import DeclarationFactory

    rule_en, rule_ja, end_user, model_screened, other = (
        DeclarationFactory(company=trader_a.company, declarant=trader_a) for _ in range(5)
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldDeclaration = old.get_model("declarations", "Declaration")
    texts = {
        rule_en.pk: "Preferential rate claimed on line(s) 1, 2.",
        rule_ja.pk: "該当する区分選定ルールはありません。",
        end_user.pk: "Consignee matches “ACME TRADING LIMITED” (CN) of the end-user list with similarity 0.93 "
        "(listed entity).",
        model_screened.pk: "モデルの学習を続けるため無作為に選定\nこの輸入者の初めての申告",
        other.pk: "Hand-written note of an old release",
    }
    for pk, text in texts.items():
        OldDeclaration.objects.filter(pk=pk).update(screening_reason=text, lane="red")
    version = old.get_model("customs_portal", "ModelVersion").objects.create(
        name="risk", version=1, artefact_path="/srv/ml/risk/1", checksums={"model.joblib": "ab" * 32}, status="active"
    )
    old.get_model("inspection", "RiskScore").objects.create(
        declaration_id=model_screened.pk, declaration_version=1, model_version=version, model_label="risk:1",
        probability=0.2, predicted_revenue_jpy=1000, expected_revenue_jpy=200, lane="red", exploration=True,
        reasons=[{"code": "exploration", "params": {}, "weight": 0}, {"code": "importer_new", "params": {}, "weight": 1},
                 "an old text reason"],
        office_id=model_screened.office_id, scored_on="2026-01-05",
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from declarations.models import Declaration
    from inspection.models import RiskScore

    reasons = {d.pk: d.screening_reasons for d in Declaration.objects.filter(pk__in=texts)}
    assert reasons[rule_en.pk] == [{"code": "preference_claimed", "params": {"lines": [1, 2]}}]
    assert reasons[rule_ja.pk] == [{"code": "no_rule_applies", "params": {}}]
    assert reasons[end_user.pk] == [
        {
            "code": "end_user_listed",
            "params": {"name": "ACME TRADING LIMITED", "country": "CN", "similarity": 0.93, "concern": ""},
        }
    ]
    assert reasons[model_screened.pk] == [
        {"code": "exploration", "params": {}},
        {"code": "importer_new", "params": {}},
        {"code": "legacy_text", "params": {"text": "an old text reason"}},
    ]
    assert reasons[other.pk] == [{"code": "legacy_text", "params": {"text": "Hand-written note of an old release"}}]
    assert reasons_text(reasons[other.pk]) == ["Hand-written note of an old release"]
    assert RiskScore.objects.get().reasons[2] == {
        "code": "legacy_text",
        "params": {"text": "an old text reason"},
        "weight": 0,
    }
