"""The tariff models moved from the declarations app: a database made before the move
keeps its rows and its tables take the tariff app's names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("declarations", "0002_declarations"), ("contenttypes", "0002_remove_content_type_name")]


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_its_tariff_rows():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    line = old.get_model("declarations", "TariffLine").objects.create(
        hs_code="851713000",
        description_en="Smartphones",
        description_ja="スマートフォン",
        unit="NO",
        valid_from=dt.date(2025, 4, 1),
    )
    old.get_model("declarations", "TariffRate").objects.create(
        tariff_line=line, kind="general", agreement="", expression="Free", parsed={"kind": "free"}
    )
    old.get_model("declarations", "ExchangeRate").objects.create(
        currency="USD", week_start=dt.date(2025, 9, 7), rate_jpy="147.36"
    )
    old.get_model("contenttypes", "ContentType").objects.get_or_create(app_label="declarations", model="tariffline")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from django.contrib.contenttypes.models import ContentType

    from declarations.tariff.models import ExchangeRate, TariffLine

    moved = TariffLine.objects.get(hs_code="851713000")
    assert moved.rates.get().kind == "general"
    assert ExchangeRate.objects.get(currency="USD").week_start == dt.date(2025, 9, 7)
    assert TariffLine._meta.db_table == "tariff_tariffline"
    assert ContentType.objects.filter(app_label="tariff", model="tariffline").exists()
