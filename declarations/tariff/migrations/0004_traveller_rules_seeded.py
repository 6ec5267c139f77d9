"""Stores the travellers' rules that were constants of the engine until now as the
first rule set: declarations/tariff/data/traveller_rules_seed.json, whose notes give
the sources. `traveller_rules_seed_load` stores the same file again where a test
database was emptied."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "data" / "traveller_rules_seed.json"


def seed(apps, schema_editor):
    rule_sets = apps.get_model("tariff", "TravellerRuleSet")
    rates = apps.get_model("tariff", "TravellerSimplifiedRate")
    data = json.loads(SEED.read_text(encoding="utf-8"))
    start = dt.date.fromisoformat(data["valid_from"])
    if rule_sets.objects.filter(valid_from=start).exists():
        return
    rule_set = rule_sets.objects.create(
        valid_from=start,
        taxable_ratio=Decimal(data["taxable_ratio"]),
        article_limit_jpy=data["article_limit_jpy"],
        source=data["source"],
        **data["allowances"],
    )
    rates.objects.bulk_create(
        rates(rule_set=rule_set, category=category, amount=Decimal(amount), unit=unit)
        for category, (amount, unit) in data["rates"].items()
    )


def unseed(apps, schema_editor):
    data = json.loads(SEED.read_text(encoding="utf-8"))
    rule_sets = apps.get_model("tariff", "TravellerRuleSet")
    rule_sets.objects.filter(valid_from=dt.date.fromisoformat(data["valid_from"]), created_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("tariff", "0003_traveller_rules")]

    operations = [migrations.RunPython(seed, unseed)]
