"""`manage.py import_tariff` and the tariff import service: all or nothing, idempotent,
every bad row named by its line, UTF-8 or Shift_JIS, effective-dated versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from customs_portal.csvfiles import ImportRejected
from customs_portal.models import AuditEvent
from declarations.tariff.models import TariffLine, TariffRate
from declarations.tariff.rates import Specific, parse_rate
from declarations.tariff.services import TARIFF_SEED, tariff_import, tariff_seed_load

pytestmark = pytest.mark.django_db

HEADER = (
    "hs_code,description_en,description_ja,unit,general,wto,gsp,ldc,epa:JP-EU,epa:CPTPP,"
    "reduced_consumption_tax,small_value_exclusion,valid_from"
)
WINE = (
    "220421020,Wine in containers of 2 l or less,ぶどう酒（2リットル以下の容器入り）,L,"
    '"max(min(21.3%, 156.80 JPY/L), 93 JPY/L)","max(min(15%, 125 JPY/L), 67 JPY/L)",,,free,'
    '"min(1.4%, 125 JPY/L)",false,false,2024-04-01'
)
CHEESE_2024 = "040620200,Grated cheese,おろしたチーズ,KG,35%,26.3%,,,14.8%,14.7%,true,false,2024-04-01"
CHEESE_2025 = "040620200,Grated cheese,おろしたチーズ,KG,35%,26.3%,,,13.2%,13.1%,true,false,2025-04-01"
BAG = "420221200,Handbags of leather,ハンドバッグ（革製）,NO,12.5%,10%,,free,,,false,true,2024-04-01"


def csv_file(tmp_path: Path, *rows: str, encoding: str = "utf-8", name: str = "tariff.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode(encoding))
    return path


def import_file(path: Path) -> str:
    out = StringIO()
    call_command("import_tariff", str(path), stdout=out)
    return out.getvalue()


def test_a_tariff_file_is_imported_with_its_rates_parsed(tmp_path):
    output = import_file(csv_file(tmp_path, WINE, BAG))

    assert "2 created" in output
    wine = TariffLine.objects.get(hs_code="220421020")
    assert wine.unit == "L"
    assert wine.valid_to is None
    rates = {rate.column: rate for rate in wine.rates.all()}
    assert set(rates) == {"general", "wto", "epa:JP-EU", "epa:CPTPP"}
    assert rates["wto"].expression == "max(min(15%, 125 JPY/L), 67 JPY/L)"
    assert rates["wto"].rate == parse_rate("max(min(15%, 125 JPY/L), 67 JPY/L)")
    assert rates["epa:JP-EU"].kind == TariffRate.Kind.EPA
    assert rates["epa:JP-EU"].agreement == "JP-EU"
    bag = TariffLine.objects.get(hs_code="420221200")
    assert bag.small_value_exclusion is True
    assert {rate.column for rate in bag.rates.all()} == {"general", "wto", "ldc"}


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = csv_file(tmp_path, WINE, CHEESE_2024, CHEESE_2025, BAG)
    import_file(path)
    before = list(TariffLine.objects.values_list("id", "updated_at", "valid_to").order_by("id"))
    rate_ids = list(TariffRate.objects.values_list("id", flat=True).order_by("id"))
    audits = AuditEvent.objects.filter(action="tariff.imported").count()

    output = import_file(path)

    assert "0 created, 0 updated, 4 unchanged" in output
    assert list(TariffLine.objects.values_list("id", "updated_at", "valid_to").order_by("id")) == before
    assert list(TariffRate.objects.values_list("id", flat=True).order_by("id")) == rate_ids
    assert AuditEvent.objects.filter(action="tariff.imported").count() == audits == 1


def test_a_corrected_row_updates_its_version_in_place(tmp_path):
    import_file(csv_file(tmp_path, BAG))

    result = tariff_import(data=csv_file(tmp_path, BAG.replace("12.5%", "11%")).read_bytes(), file_name="fix.csv")

    assert (result.created, result.updated) == (0, 1)
    bag = TariffLine.objects.get(hs_code="420221200")
    assert {rate.column: rate.expression for rate in bag.rates.all()}["general"] == "11%"


def test_a_new_version_closes_the_previous_one_the_day_before(tmp_path):
    import_file(csv_file(tmp_path, CHEESE_2024))
    import_file(csv_file(tmp_path, CHEESE_2025))

    old, new = TariffLine.objects.filter(hs_code="040620200").order_by("valid_from")
    assert old.valid_to == dt.date(2025, 3, 31)
    assert new.valid_to is None
    assert {rate.column: rate.expression for rate in old.rates.all()}["epa:JP-EU"] == "14.8%"
    assert {rate.column: rate.expression for rate in new.rates.all()}["epa:JP-EU"] == "13.2%"


def test_a_version_imported_out_of_order_slots_in_between(tmp_path):
    import_file(csv_file(tmp_path, CHEESE_2025))
    import_file(csv_file(tmp_path, CHEESE_2024))

    old, new = TariffLine.objects.filter(hs_code="040620200").order_by("valid_from")
    assert (old.valid_to, new.valid_to) == (dt.date(2025, 3, 31), None)


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(tmp_path):
    path = csv_file(
        tmp_path,
        WINE,
        "22042102,Short code,短い,L,free,,,,,,false,false,2024-04-01",
        "040630000,Cheese,チーズ,KG,40 percent,40%,,,,,true,false,2024-04-01",
        "040630001,Cheese,チーズ,KG,40%,40%,,,,,maybe,false,2024-04-01",
        "040630002,Cheese,チーズ,KG,40%,40%,,,,,true,false,2024-13-01",
        "040630003,Cheese,チーズ,KG,156 JPY/L,,,,,,true,false,2024-04-01",
        CHEESE_2024,
        CHEESE_2024,
    )

    with pytest.raises(CommandError, match="6 errors; nothing was imported") as raised:
        call_command("import_tariff", str(path))

    assert TariffLine.objects.count() == 0
    assert TariffRate.objects.count() == 0
    rejected = raised.value.__cause__
    assert isinstance(rejected, ImportRejected)
    messages = {(error.line, error.column): error.message for error in rejected.errors}
    assert set(messages) == {
        (3, "hs_code"),
        (4, "general"),
        (5, "reduced_consumption_tax"),
        (6, "valid_from"),
        (7, "general"),
        (9, "hs_code"),
    }
    assert "9-digit" in messages[(3, "hs_code")]
    assert "percent" in messages[(4, "general")]
    assert "maybe" in messages[(5, "reduced_consumption_tax")]
    assert "2024-13-01" in messages[(6, "valid_from")]
    assert "per L" in messages[(7, "general")] and "KG" in messages[(7, "general")]
    assert "line 8" in messages[(9, "hs_code")]


def test_the_command_prints_every_bad_row(tmp_path):
    err = StringIO()
    path = csv_file(tmp_path, "12345,Bad,悪い,KG,free,,,,,,false,false,2024-04-01")
    with pytest.raises(CommandError):
        call_command("import_tariff", str(path), stderr=err)
    assert "line 2, hs_code: “12345” is not a 9-digit tariff code." in err.getvalue()


def test_a_missing_column_or_an_unknown_agreement_rejects_the_file(tmp_path):
    path = tmp_path / "bad-header.csv"
    path.write_text("hs_code,description_en,unit,general,epa:JP-XX\n220421020,Wine,L,free,free\n")

    with pytest.raises(ImportRejected) as raised:
        tariff_import(data=path.read_bytes(), file_name=path.name)

    messages = [str(error) for error in raised.value.errors]
    assert any("Missing columns: description_ja, wto" in message for message in messages)
    assert any("epa:JP-XX" in message and "Unknown agreement" in message for message in messages)
    assert TariffLine.objects.count() == 0


def test_a_shift_jis_file_is_accepted(tmp_path):
    path = csv_file(tmp_path, WINE, CHEESE_2024, encoding="cp932", name="sjis.csv")
    assert "ぶどう酒".encode("cp932") in path.read_bytes()

    import_file(path)

    assert TariffLine.objects.get(hs_code="220421020").description_ja == "ぶどう酒（2リットル以下の容器入り）"


def test_a_utf8_file_with_a_byte_order_mark_is_accepted(tmp_path):
    path = csv_file(tmp_path, BAG, encoding="utf-8-sig")

    import_file(path)

    assert TariffLine.objects.filter(hs_code="420221200").exists()


def test_a_file_in_neither_encoding_is_rejected(tmp_path):
    with pytest.raises(ImportRejected, match="nothing was imported") as raised:
        tariff_import(data=b"\xff\xfe\x00h\x00s\x81\xff", file_name="binary.csv")
    assert "UTF-8" in raised.value.errors[0].message


def test_a_bad_shift_jis_row_is_reported_with_its_line(tmp_path):
    path = csv_file(tmp_path, BAG, "420221300,鞄,かばん,NO,１２％,,,,,,false,false,2024-04-01", encoding="cp932")

    with pytest.raises(ImportRejected) as raised:
        tariff_import(data=path.read_bytes(), file_name=path.name)

    assert [(error.line, error.column) for error in raised.value.errors] == [(3, "general")]


def test_the_seed_tariff_loads_cleanly_and_idempotently():
    first = tariff_seed_load()
    second = tariff_seed_load()

    assert first.created >= 50
    assert second.created == second.updated == 0
    wine = TariffLine.objects.get(hs_code="220421020")
    general = {rate.column: rate.rate for rate in wine.rates.all()}["general"]
    assert Specific(Decimal("93"), "L") in general.rates
    # The grated cheese line has two versions (FY2024 and FY2025 EPA staging).
    assert TariffLine.objects.filter(hs_code="040620200").count() == 2
    assert TARIFF_SEED.exists()
