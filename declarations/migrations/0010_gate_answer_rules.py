"""The gate's first rules: a "yes" to any question of Form C5360 side A other than the
one on goods over the allowance sends the traveller to the desk (reference §1.6 and §6:
an officer must see prohibited or restricted goods, gold, commercial goods, goods carried
for others, a means-of-payment declaration and unaccompanied baggage)."""

from __future__ import annotations

import datetime as dt

from django.db import migrations

ANSWERS = ("prohibited", "gold", "commercial", "for_others", "cash_over_limit", "unaccompanied")
# The first electronic declaration gate opened at Narita on 2019-04-15.
START = dt.datetime(2019, 4, 15, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def seed(apps, schema_editor):
    rule = apps.get_model("declarations", "GateRiskRule")
    for answer in ANSWERS:
        rule.objects.get_or_create(kind="answer", value=answer, valid_until=None, defaults={"valid_from": START})


def unseed(apps, schema_editor):
    apps.get_model("declarations", "GateRiskRule").objects.filter(
        kind="answer", value__in=ANSWERS, valid_from=START, created_by__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("declarations", "0009_travellers")]

    operations = [migrations.RunPython(seed, unseed)]
