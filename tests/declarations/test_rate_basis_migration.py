"""Labels of the legal basis stored before it was a code (English or Japanese, on lines
and in frozen versions) become codes, and the manifest import's note on a status change
becomes its code with the file name; text that is neither stays as it was."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("declarations", "0005_manifest_screening_chunks")]


@pytest.mark.django_db(transaction=True)
def test_stored_basis_labels_and_manifest_notes_become_codes(trader_a):
    from tests.declarations.factories import DeclarationFactory, DeclarationLineFactory

    declaration = DeclarationFactory(company=trader_a.company, declarant=trader_a)
    labels = ["general rate", "WTO協定税率", "JP-EU EPA税率", "CPTPP EPA preferential rate", "特恵税率", "hand-written"]
    lines = [DeclarationLineFactory(declaration=declaration, line_no=n + 1) for n in range(len(labels))]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldLine = old.get_model("declarations", "DeclarationLine")
    for line, label in zip(lines, labels, strict=True):
        OldLine.objects.filter(pk=line.pk).update(rate_basis=label)
    old.get_model("declarations", "DeclarationVersion").objects.create(
        declaration_id=declaration.pk,
        version=1,
        snapshot={"header": {}, "lines": [{"line_no": 1, "rate_basis": "LDC special preferential rate"}]},
        created_by_id=trader_a.pk,
    )
    OldChange = old.get_model("declarations", "DeclarationStatusChange")
    for reason in (
        "Imported from manifest parcels.csv.",
        "マニフェスト 小包.csv から取り込みました。",
        "Typed by hand.",
    ):
        OldChange.objects.create(
            declaration_id=declaration.pk, to_status="submitted", actor_label="trader_a", reason=reason
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from declarations.models import DeclarationLine, DeclarationStatusChange, DeclarationVersion

    codes = list(DeclarationLine.objects.filter(declaration=declaration).order_by("line_no").values_list("rate_basis"))
    assert [code for (code,) in codes] == ["general", "wto", "epa:JP-EU", "epa:CPTPP", "gsp", "hand-written"]
    assert DeclarationVersion.objects.get(declaration=declaration).snapshot["lines"][0]["rate_basis"] == "ldc"
    notes = DeclarationStatusChange.objects.filter(declaration=declaration).order_by("id")
    assert [(n.note_code, n.note_params, n.reason) for n in notes] == [
        ("imported_from_manifest", {"name": "parcels.csv"}, ""),
        ("imported_from_manifest", {"name": "小包.csv"}, ""),
        ("", {}, "Typed by hand."),
    ]
