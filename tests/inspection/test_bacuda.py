from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from inspection.models import HistoricalDeclaration

HEADER = "sgd.id,sgd.date,importer.id,declarant.id,country,office.id,tariff.code,quantity,gross.weight,fob.value,cif.value,total.taxes,illicit,revenue\n"
GOOD = "S1,24-01-05,IMP1,DEC1,CN,1A,610910000,10,2.5,9000,10000,2100,0,0\n"


def run(path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_bacuda", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_bad_rows_are_reported_with_their_line_number_and_the_good_ones_imported_once(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text(
        HEADER
        + GOOD
        + "S2,24-13-40,IMP1,DEC1,CN,1A,610910000,10,2.5,9000,10000,2100,0,0\n"  # bad date
        + "S3,24-01-06,IMP1,DEC1,CN,1A,610910000,-1,2.5,9000,10000,2100,0,0\n"  # negative quantity
        + "S4,24-01-06,IMP1,DEC1,CN,1A,610910000,10,2.5,9000,,2100,0,0\n"  # missing value
        + "S5,24-01-07,IMP2,DEC1,VN,1A,610910000,10,2.5,9000,10000,0,1,2500\n"
    )
    out, err = run(path)
    assert "line 3: sgd.date is not a date" in err
    assert "line 4: quantity is negative" in err
    assert "line 5: cif.value is not a number" in err
    assert "2 rows added, 0 already present, 3 bad rows skipped" in out
    assert set(HistoricalDeclaration.objects.values_list("sgd_id", flat=True)) == {"S1", "S5"}
    s5 = HistoricalDeclaration.objects.get(sgd_id="S5")
    assert s5.illicit and s5.revenue == 2500 and str(s5.sgd_date) == "2024-01-07"

    out, _ = run(path)
    assert "0 rows added, 2 already present" in out
    assert HistoricalDeclaration.objects.count() == 2


@pytest.mark.django_db
def test_a_file_missing_a_column_is_refused_whole(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text(HEADER.replace(",revenue", "") + GOOD.rsplit(",", 1)[0] + "\n")
    with pytest.raises(CommandError, match="revenue"):
        run(path)
    assert not HistoricalDeclaration.objects.exists()
