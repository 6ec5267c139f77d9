"""The tariff models move here from the declarations app. Their tables were created by
declarations' first migration, so this one only records them in the tariff app's state
(under their old table names, which the next migration renames) and moves their content
types, so that permissions and admin history follow them."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def content_types_move(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label=source, model__in=["tariffline", "tariffrate", "exchangerate"]
    ).update(app_label=target)


def forwards(apps, schema_editor) -> None:
    content_types_move(apps, schema_editor, source="declarations", target="tariff")


def backwards(apps, schema_editor) -> None:
    content_types_move(apps, schema_editor, source="tariff", target="declarations")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("declarations", "0002_declarations"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ExchangeRate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('currency', models.CharField(max_length=3, validators=[django.core.validators.RegexValidator('^[A-Z]{3}\\Z', 'A currency is its 3-letter ISO 4217 code, e.g. USD.')], verbose_name='currency')),
                        ('week_start', models.DateField(verbose_name='week starting (Sunday)')),
                        ('rate_jpy', models.DecimalField(decimal_places=6, help_text='Japanese yen for one unit of the currency.', max_digits=18, verbose_name='yen per unit')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ],
                    options={
                        'db_table': 'declarations_exchangerate',
                        'verbose_name': 'exchange rate',
                        'verbose_name_plural': 'exchange rates',
                        'ordering': ['-week_start', 'currency'],
                        'constraints': [models.UniqueConstraint(fields=('currency', 'week_start'), name='exchange_rate_one_per_week'), models.CheckConstraint(condition=models.Q(('rate_jpy__gt', 0)), name='exchange_rate_positive')],
                    },
                ),
                migrations.CreateModel(
                    name='TariffLine',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('hs_code', models.CharField(max_length=9, validators=[django.core.validators.RegexValidator('^[0-9]{9}\\Z', 'A Japanese tariff code has 9 digits (6 of the HS and 3 national ones).')], verbose_name='tariff code')),
                        ('description_en', models.CharField(max_length=500, verbose_name='description (English)')),
                        ('description_ja', models.CharField(max_length=500, verbose_name='description (Japanese)')),
                        ('unit', models.CharField(help_text='The unit that quantities and specific rates of this line use.', max_length=4, verbose_name='unit')),
                        ('reduced_consumption_tax', models.BooleanField(default=False, help_text='Food and non-alcoholic drinks: the reduced consumption tax rate applies.', verbose_name='reduced consumption tax')),
                        ('small_value_exclusion', models.BooleanField(default=False, help_text='Taxed even when the total customs value is ¥10,000 or less (e.g. leather bags, knitwear, footwear).', verbose_name='excluded from the small-value exemption')),
                        ('valid_from', models.DateField(verbose_name='valid from')),
                        ('valid_to', models.DateField(blank=True, help_text='The last day this version applies; empty while current.', null=True, verbose_name='valid to')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ],
                    options={
                        'db_table': 'declarations_tariffline',
                        'verbose_name': 'tariff line',
                        'verbose_name_plural': 'tariff lines',
                        'ordering': ['hs_code', 'valid_from'],
                        'constraints': [models.UniqueConstraint(fields=('hs_code', 'valid_from'), name='tariff_line_one_version_per_day'), models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='tariff_line_ends_after_it_starts')],
                    },
                ),
                migrations.CreateModel(
                    name='TariffRate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('general', 'General rate'), ('wto', 'WTO rate'), ('gsp', 'GSP rate'), ('ldc', 'LDC rate'), ('epa', 'EPA rate')], max_length=8, verbose_name='kind')),
                        ('agreement', models.CharField(blank=True, help_text='For EPA rates: the agreement, e.g. JP-EU.', max_length=20, verbose_name='agreement')),
                        ('expression', models.CharField(help_text='e.g. 12.5%, 156.80 JPY/L, min(15%, 125 JPY/L)', max_length=200, verbose_name='rate')),
                        ('parsed', models.JSONField(verbose_name='parsed rate')),
                        ('tariff_line', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rates', to='tariff.tariffline', verbose_name='tariff line')),
                    ],
                    options={
                        'db_table': 'declarations_tariffrate',
                        'verbose_name': 'tariff rate',
                        'verbose_name_plural': 'tariff rates',
                        'ordering': ['id'],
                        'constraints': [models.UniqueConstraint(fields=('tariff_line', 'kind', 'agreement'), name='tariff_rate_one_per_kind'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'epa'), models.Q(('agreement', ''), _negated=True)), models.Q(models.Q(('kind', 'epa'), _negated=True), ('agreement', '')), _connector='OR'), name='tariff_rate_agreement_only_for_epa')],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
