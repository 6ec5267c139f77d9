"""Stores the travellers' rules that were constants of the engine until now, with
their sources, as the first rule set. The figures are written out here rather than
imported so that the migration keeps meaning the same when the engine changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import migrations

START = dt.date(2021, 10, 1)

# Customs Answer 7104_e (customs.go.jp/english/c-answer_e/keitaibetsuso/7104_e.htm),
# current since 2021-10-01 (before: 400 cigarettes, 100 cigars, 20 heated packs,
# 500 g). 2 oz of perfume is taken as 56 ml.
ALLOWANCES = {
    "adult_age": 20,
    "child_age": 6,
    "alcohol_bottles": 3,
    "bottle_ml": 760,
    "cigarettes": 200,
    "cigars": 50,
    "heated_tobacco_packs": 10,
    "sticks_per_pack": 20,
    "other_tobacco_g": 250,
    "perfume_ml": 56,
    "other_goods_jpy": 200_000,
    "small_value_per_item_type_jpy": 10_000,
}

# customs.go.jp/kaigairyoko/zeigaku.htm gives today's values without their start date;
# the set starts with the allowances so nothing earlier is rated. The older values of
# Customs Answer 7105 (whisky ¥600/L, cigarettes ¥11.5) are not entered because our
# sources do not date them.
RATES = {
    "whisky_brandy": (Decimal(800), "L"),
    "rum_gin_vodka": (Decimal(500), "L"),
    "liqueur": (Decimal(400), "L"),
    "shochu": (Decimal(300), "L"),
    "other_alcohol": (Decimal(200), "L"),
    "cigarettes": (Decimal(15), "stick"),
    "heated_tobacco_sticks": (Decimal(15), "stick"),
    "heated_tobacco_capsules": (Decimal(50), "pack"),
    "other": (Decimal(15), "%"),
}

SOURCE = (
    "Customs Answer 7104_e and 7104-2 (allowances); customs.go.jp/kaigairyoko/zeigaku.htm (simplified rates, "
    "taxable value 0.6 × the overseas value, general rate over ¥100,000)"
)


def seed(apps, schema_editor):
    rule_sets = apps.get_model("tariff", "TravellerRuleSet")
    rates = apps.get_model("tariff", "TravellerSimplifiedRate")
    if rule_sets.objects.filter(valid_from=START).exists():
        return
    rule_set = rule_sets.objects.create(
        valid_from=START, taxable_ratio=Decimal("0.6"), article_limit_jpy=100_000, source=SOURCE, **ALLOWANCES
    )
    rates.objects.bulk_create(
        rates(rule_set=rule_set, category=category, amount=amount, unit=unit)
        for category, (amount, unit) in RATES.items()
    )


def unseed(apps, schema_editor):
    apps.get_model("tariff", "TravellerRuleSet").objects.filter(valid_from=START, created_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("tariff", "0003_traveller_rules")]

    operations = [migrations.RunPython(seed, unseed)]
