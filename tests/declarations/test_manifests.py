"""Bulk parcel manifests: upload checks, validation of every row, the all-or-nothing
import with the duty engine's taxes, results, and company isolation."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone, translation

from customs_portal.models import AuditEvent, Notification
from declarations.manifests import screening
from declarations.manifests import services as manifests
from declarations.manifests.messages import message
from declarations.manifests.selectors import manifest_status
from declarations.models import Declaration, DeclarationStatusChange, Manifest, ManifestScreeningChunk
from declarations.tariff.duty import DutyLine, duty_estimate
from declarations.tariff.models import week_start_of
from tests.declarations.factories import CustomsOfficeFactory
from tests.tariff.factories import ExchangeRateFactory, TariffLineFactory

pytestmark = pytest.mark.django_db

HEADER = ["house_waybill", "consignee", "description", "hs_code", "value", "currency", "weight_kg", "origin"]


def manifest_csv(rows: list[list[object]], *, encoding: str = "utf-8", header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def office():
    return CustomsOfficeFactory(code="1A")


@pytest.fixture
def tariff():
    """A T-shirt line at 10.9 % (WTO 7.4 %), a reduced-tax food line, a line excluded
    from the small-value exemption, and USD at ¥150 this week."""
    TariffLineFactory(hs_code="610910000", rates={"general": "10.9%", "wto": "7.4%"})
    TariffLineFactory(hs_code="190531000", reduced_consumption_tax=True, rates={"general": "20%", "wto": "15%"})
    TariffLineFactory(hs_code="640399000", small_value_exclusion=True, rates={"general": "30%"})
    ExchangeRateFactory(currency="USD", week_start=week_start_of(timezone.localdate()), rate_jpy=Decimal("150"))


def upload(trader, office, data: bytes, name: str = "manifest.csv") -> manifests.UploadResult:
    return manifests.manifest_upload(
        company=trader.company, uploaded_by=trader, office=office, data=data, file_name=name
    )


def process(result: manifests.UploadResult) -> Manifest:
    assert manifests.manifest_process(manifest_id=result.manifest.pk) in {"done", "rejected", "failed"}
    return Manifest.objects.get(pk=result.manifest.pk)


GOOD_ROWS = [
    ["HAWB0001", "Yamada Taro", "Cotton T-shirts", "610910000", "400.00", "USD", "1.2", "CN"],
    ["HAWB0002", "Suzuki Hanako", "Biscuits", "190531000", "9000", "JPY", "0.5", "FR"],
    ["HAWB0003", "Sato Jiro", "Leather shoes", "640399000", "8000", "JPY", "0.9", "IT"],
    ["HAWB0004", "Tanaka Yuki", "Cotton T-shirts", "6109.10-000", "45.5", "usd", "0.3", "us"],
]


def test_a_good_manifest_becomes_submitted_declarations_with_the_duty_engines_taxes(trader_a, office, tariff):
    manifest = process(upload(trader_a, office, manifest_csv(GOOD_ROWS)))

    assert manifest.status == Manifest.Status.DONE
    assert (manifest.rows_total, manifest.rows_done, manifest.declarations_created) == (4, 4, 4)
    declarations = Declaration.objects.filter(company=trader_a.company).order_by("number")
    assert declarations.count() == 4
    first = declarations.get(manifest_reference="HAWB0001")
    assert first.number == f"MF-{manifest.pk}-2"
    assert first.source == Declaration.Source.MANIFEST
    assert first.transport_mode == Declaration.TransportMode.EXPRESS
    assert first.status == Declaration.Status.SUBMITTED
    # The same parcel through the duty engine's own path: $400 at ¥150 = ¥60,000, WTO 7.4 %.
    expected = duty_estimate(
        lines=[DutyLine(hs_code="610910000", origin="CN", customs_value_jpy=60_000, quantity=Decimal("1.2"))],
        on=manifest.declaration_date,
    )
    assert first.customs_value_jpy == 60_000
    assert first.customs_duty_jpy == expected.total.customs_duty_jpy == 4_400
    assert first.consumption_tax_jpy == expected.total.consumption_tax_jpy
    assert first.local_consumption_tax_jpy == expected.total.local_consumption_tax_jpy
    assert first.total_tax_jpy == expected.total.total_jpy
    line = first.lines.get()
    assert (line.hs_code, line.origin_country, line.invoice_value) == ("610910000", "CN", Decimal("400.00"))
    assert line.rate_applied == "7.4%"
    # ¥9,000 of biscuits: the ¥10,000 exemption applies per parcel.
    biscuits = declarations.get(manifest_reference="HAWB0002")
    assert (biscuits.customs_duty_jpy, biscuits.total_tax_jpy) == (0, 0)
    # Leather footwear is excluded from the exemption: taxed even at ¥8,000.
    shoes = declarations.get(manifest_reference="HAWB0003")
    assert shoes.customs_duty_jpy == 2_400 and shoes.consumption_tax_jpy > 0
    # Lower-case codes and a dotted tariff code are read as the tariff writes them.
    assert declarations.get(manifest_reference="HAWB0004").lines.get().origin_country == "US"
    assert (
        DeclarationStatusChange.objects.filter(
            declaration__in=declarations, to_status=Declaration.Status.SUBMITTED
        ).count()
        == 4
    )
    assert AuditEvent.objects.filter(action="manifest.imported", object_id=str(manifest.pk)).exists()
    assert Notification.objects.filter(company=trader_a.company, event="manifest.imported").exists()


def test_one_bad_row_rejects_the_manifest_and_every_bad_row_is_reported_with_its_line(trader_a, office, tariff):
    from tests.declarations.factories import DeclarationFactory

    DeclarationFactory(company=trader_a.company, manifest_reference="OLD0001", number="IM-OLD-1")
    rows = [
        GOOD_ROWS[0],
        ["B2", "A", "Goods", "999999999", "10", "USD", "1", "CN"],  # line 3: unknown tariff code
        ["B3", "A", "Goods", "610910000", "-5", "USD", "1", "XX"],  # line 4: value and country
        ["B4", "A", "Goods", "610910000", "10", "ZZZ", "1", "CN"],  # line 5: no exchange rate
        ["HAWB0001", "A", "Goods", "610910000", "10", "USD", "1", "CN"],  # line 6: duplicate in the file
        ["OLD0001", "A", "Goods", "610910000", "10", "USD", "1", "CN"],  # line 7: declared before
        ["B7", "A", "Goods", "610910000", "2000", "USD", "1", "CN"],  # line 8: ¥300,000 > ¥200,000
        ["B8", "A", "Goods", "610910000", "10", "USD", "0", "CN"],  # line 9: weight
        ["B9", "A", "Goods", "610910000", "1e12", "USD", "1", "CN"],  # line 10: absurd value
    ]
    manifest = process(upload(trader_a, office, manifest_csv(rows)))

    assert manifest.status == Manifest.Status.REJECTED
    assert manifest.rows_failed == 9 - 1
    with translation.override("en"):
        assert "nothing was imported" in manifest_status(manifest=manifest)["error_summary"]
        errors = {row.row_number: " ".join(row.error_texts) for row in manifest.row_errors.all()}
    assert not Declaration.objects.filter(source=Declaration.Source.MANIFEST).exists()
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "no tariff line 999999999 is in force" in errors[3]
    assert "value: must be more than 0" in errors[4] and "“XX” is not an ISO 3166" in errors[4]
    assert "no customs exchange rate for ZZZ" in errors[5]
    assert "already on line 2" in errors[6]
    assert "already declared by your company" in errors[7]
    assert "needs a regular import declaration" in errors[8]
    assert "weight_kg: must be more than 0" in errors[9]
    assert "not a plausible parcel value" in errors[10]
    assert AuditEvent.objects.filter(action="manifest.rejected", object_id=str(manifest.pk)).exists()
    assert Notification.objects.filter(company=trader_a.company, event="manifest.rejected").exists()


def test_a_shift_jis_manifest_is_accepted_and_its_japanese_text_kept(trader_a, office, tariff):
    rows = [["JP0001", "山田太郎", "綿製Tシャツ", "610910000", "30", "USD", "0.4", "CN"]]
    manifest = process(upload(trader_a, office, manifest_csv(rows, encoding="cp932")))

    assert manifest.encoding == "shift_jis"
    assert manifest.status == Manifest.Status.DONE
    declaration = Declaration.objects.get(manifest_reference="JP0001")
    assert declaration.party_name == "山田太郎"
    assert declaration.lines.get().description == "綿製Tシャツ"


def test_a_utf8_manifest_with_a_byte_order_mark_is_accepted(trader_a, office, tariff):
    result = upload(trader_a, office, b"\xef\xbb\xbf" + manifest_csv(GOOD_ROWS[:1]))
    assert result.manifest.encoding == "utf-8-bom"
    assert process(result).status == Manifest.Status.DONE


@pytest.mark.parametrize(
    ("data", "charset"),
    [
        (manifest_csv(GOOD_ROWS[:1]), "utf-8"),
        (b"\xef\xbb\xbf" + manifest_csv(GOOD_ROWS[:1]), "utf-8"),
        (manifest_csv([["JP0001", "山田太郎", "綿製Tシャツ", "610910000", "30", "USD", "0.4", "CN"]], encoding="cp932"),
         "shift_jis"),
    ],
)  # fmt: skip
def test_the_uploaded_file_is_sent_back_as_csv_in_its_encoding_and_answers_head(
    client_for, trader_a, office, data, charset
):
    manifest = upload(trader_a, office, data).manifest
    client = client_for(trader_a)
    response = client.get(f"/trader/manifests/{manifest.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == f"text/csv; charset={charset}"
    assert b"".join(response.streaming_content) == data
    head = client.head(f"/trader/manifests/{manifest.pk}/file/")
    assert (head.status_code, head["Content-Type"]) == (200, f"text/csv; charset={charset}")
    assert client.post(f"/trader/manifests/{manifest.pk}/file/").status_code == 405


def test_a_six_digit_hs_code_maps_to_its_only_tariff_line_and_an_ambiguous_one_is_an_error(trader_a, office, tariff):
    TariffLineFactory(hs_code="610990100", rates={"general": "10%"})
    TariffLineFactory(hs_code="610990900", rates={"general": "10%"})
    rows = [
        ["S1", "A", "T-shirt", "610910", "30", "USD", "0.4", "CN"],
        ["S2", "A", "Vest", "610990", "30", "USD", "0.4", "CN"],
    ]
    manifest = process(upload(trader_a, office, manifest_csv(rows)))

    assert manifest.status == Manifest.Status.REJECTED
    assert [row.row_number for row in manifest.row_errors.all()] == [3]
    assert manifest.row_errors.get().errors[0] == {
        "code": "hs6_ambiguous",
        "params": {"code": "610990", "count": 2, "lines": ["610990100", "610990900"]},
    }
    with translation.override("en"):
        assert "HS 610990 has 2 tariff lines (610990100, 610990900)" in manifest.row_errors.get().error_texts[0]


def test_the_same_file_uploaded_twice_points_to_the_first_manifest(trader_a, trader_b, office, tariff):
    data = manifest_csv(GOOD_ROWS)
    first = upload(trader_a, office, data)
    second = upload(trader_a, office, data)

    assert second.duplicate and second.manifest.pk == first.manifest.pk
    assert Manifest.objects.filter(company=trader_a.company).count() == 1
    # Another company's identical file is its own manifest.
    assert not upload(trader_b, office, data).duplicate


def test_processing_twice_imports_once(trader_a, office, tariff):
    result = upload(trader_a, office, manifest_csv(GOOD_ROWS))
    assert manifests.manifest_process(manifest_id=result.manifest.pk) == "done"
    assert manifests.manifest_process(manifest_id=result.manifest.pk) == "skipped"
    assert Declaration.objects.filter(source=Declaration.Source.MANIFEST).count() == 4


def test_a_manifest_whose_worker_died_is_claimed_again_and_one_still_running_is_not(trader_a, office, tariff):
    result = upload(trader_a, office, manifest_csv(GOOD_ROWS))
    running = Manifest.objects.filter(pk=result.manifest.pk)
    running.update(status=Manifest.Status.IMPORTING, started_at=timezone.now(), heartbeat_at=timezone.now())
    assert manifests.manifest_process(manifest_id=result.manifest.pk) == "skipped"
    assert 0 < manifests.manifest_lease_wait(manifest_id=result.manifest.pk) <= manifests.lease().total_seconds()
    assert manifests.manifests_stalled() == []

    running.update(heartbeat_at=timezone.now() - manifests.lease() - timedelta(seconds=1))
    assert manifests.manifests_stalled() == [result.manifest.pk]
    assert manifests.manifest_process(manifest_id=result.manifest.pk) == "done"
    assert manifests.manifest_lease_wait(manifest_id=result.manifest.pk) is None
    assert Declaration.objects.filter(source=Declaration.Source.MANIFEST).count() == 4


def test_a_late_failure_does_not_overwrite_a_finished_manifest(trader_a, office, tariff):
    done = process(upload(trader_a, office, manifest_csv(GOOD_ROWS)))
    failed = upload(trader_a, office, manifest_csv(GOOD_ROWS[:1]), name="other.csv").manifest
    Manifest.objects.filter(pk=failed.pk).update(status=Manifest.Status.VALIDATING)
    manifests.manifest_fail(manifest_id=failed.pk, failure=message("not_csv"))

    manifests.manifest_fail(manifest_id=done.pk, failure=message("processing_error"))
    manifests.manifest_fail(manifest_id=failed.pk, failure=message("processing_error"))

    done.refresh_from_db()
    failed.refresh_from_db()
    assert (done.status, done.failure) == (Manifest.Status.DONE, {})
    assert (failed.status, failed.failure) == (Manifest.Status.FAILED, {"code": "not_csv", "params": {}})
    assert AuditEvent.objects.filter(action="manifest.failed").count() == 1


def test_upload_page_refuses_a_file_that_is_not_csv(client_for, trader_a, office):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
    response = client_for(trader_a).post(
        "/trader/manifests/upload/",
        {"file": io.BytesIO(png), "office": office.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "not a CSV text file" in response.content.decode()
    assert not Manifest.objects.exists()


def test_upload_page_refuses_a_csv_that_is_not_a_manifest(client_for, trader_a, office):
    other = io.BytesIO(b"name,price\nfoo,1\n")
    other.name = "prices.csv"
    response = client_for(trader_a).post(
        "/trader/manifests/upload/", {"file": other, "office": office.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This is not a parcel manifest" in response.content.decode()
    assert "missing: house_waybill" in response.content.decode()
    assert not Manifest.objects.exists()


@override_settings(MANIFEST_MAX_UPLOAD_BYTES=200)
def test_an_oversized_upload_is_refused_with_the_limit(api_for, trader_a, office, tariff):
    data = io.BytesIO(manifest_csv(GOOD_ROWS))
    data.name = "big.csv"
    response = api_for(trader_a).post(
        "/api/v1/manifests/", {"file": data, "office": office.code}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "file_too_large"
    assert "a manifest may be at most" in error["message"]
    assert error["fields"] == {"file": ["The file is too large."]}
    assert not Manifest.objects.exists()


def test_a_cell_over_the_csv_field_limit_is_refused_with_its_line_not_a_500(api_for, trader_a, office, tariff):
    rows = [GOOD_ROWS[0], ["HAWB0009", "Yamada Taro", "x" * (csv.field_size_limit() + 1), *GOOD_ROWS[0][3:]]]
    data = io.BytesIO(manifest_csv(rows))
    data.name = "long.csv"
    response = api_for(trader_a).post(
        "/api/v1/manifests/", {"file": data, "office": office.code}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "csv_unreadable"
    assert error["fields"]["file"] == [
        "Line 3 cannot be read as CSV: a cell is longer than 131,072 characters or its quotes are not closed. "
        "Correct the file and upload it again."
    ]
    assert not Manifest.objects.exists()


def test_a_stored_manifest_the_csv_reader_cannot_read_fails_with_a_stored_reason(trader_a, office, tariff):
    # Stored before the upload check refused such files: processing records why, in codes.
    result = upload(trader_a, office, manifest_csv(GOOD_ROWS))
    long_cell = manifest_csv([["HAWB0009", "Yamada Taro", "x" * 140_000, *GOOD_ROWS[0][3:]]])
    result.manifest.file.save("long.csv", ContentFile(long_cell), save=True)
    manifest = process(result)
    assert manifest.status == Manifest.Status.FAILED
    assert manifest.failure == {"code": "csv_unreadable", "params": {"line": 2, "limit": 131072}}


def test_upload_page_redirects_to_the_manifest_and_says_when_it_is_a_duplicate(client_for, trader_a, office, tariff):
    client = client_for(trader_a)
    data = manifest_csv(GOOD_ROWS)

    def post():
        file = io.BytesIO(data)
        file.name = "parcels.csv"
        return client.post(
            "/trader/manifests/upload/", {"file": file, "office": office.pk}, HTTP_ACCEPT_LANGUAGE="en", follow=True
        )

    first = post()
    manifest = Manifest.objects.get()
    assert first.redirect_chain[-1][0] == f"/trader/manifests/{manifest.pk}/"
    assert "already uploaded" in post().content.decode()
    assert Manifest.objects.count() == 1


def test_api_upload_status_errors_and_results(api_for, trader_a, office, tariff):
    client = api_for(trader_a)
    data = io.BytesIO(manifest_csv([*GOOD_ROWS, ["BAD", "A", "x", "12", "1", "USD", "1", "CN"]]))
    data.name = "parcels.csv"
    response = client.post("/api/v1/manifests/", {"file": data, "office": office.code}, format="multipart")
    assert response.status_code == 201, response.content
    manifest_id = response.json()["id"]
    assert response.json()["status"] == "uploaded" and response.json()["duplicate"] is False
    assert client.get(f"/api/v1/manifests/{manifest_id}/results.csv").status_code == 409

    manifests.manifest_process(manifest_id=manifest_id)
    status = client.get(f"/api/v1/manifests/{manifest_id}/").json()
    assert (status["status"], status["percent"], status["rows_failed"]) == ("rejected", 100, 1)
    errors = client.get(f"/api/v1/manifests/{manifest_id}/errors/").json()
    assert errors["results"][0]["row_number"] == 6
    results = b"".join(client.get(f"/api/v1/manifests/{manifest_id}/results.csv").streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(results)))
    assert lines[0][:3] == ["row", "house_waybill", "status"]
    assert lines[1][:3] == ["6", "BAD", "error"]


def test_results_csv_lists_each_parcel_with_its_declaration_and_taxes(client_for, trader_a, office, tariff):
    manifest = process(upload(trader_a, office, manifest_csv(GOOD_ROWS)))
    response = client_for(trader_a).get(f"/trader/manifests/{manifest.pk}/results.csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row["house_waybill"] for row in rows] == ["HAWB0001", "HAWB0002", "HAWB0003", "HAWB0004"]
    first = Declaration.objects.get(manifest_reference="HAWB0001")
    assert rows[0]["declaration_number"] == first.number
    assert rows[0]["status"] == "imported"
    assert int(rows[0]["customs_duty_jpy"]) == first.customs_duty_jpy
    assert int(rows[0]["total_tax_jpy"]) == first.total_tax_jpy


@pytest.mark.parametrize("waybill", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_results_csv_never_exports_a_waybill_as_a_spreadsheet_formula(waybill, client_for, trader_a, office, tariff):
    rows = [[waybill, "A", "Goods", "999999999", "10", "USD", "1", "CN"], GOOD_ROWS[0]]
    rejected = process(upload(trader_a, office, manifest_csv(rows)))
    imported = process(upload(trader_a, office, manifest_csv([[waybill, *GOOD_ROWS[1][1:]]]), name="second.csv"))

    for manifest, status in [(rejected, "error"), (imported, "imported")]:
        assert manifest.status == (Manifest.Status.REJECTED if status == "error" else Manifest.Status.DONE)
        response = client_for(trader_a).get(f"/trader/manifests/{manifest.pk}/results.csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        row = next(csv.DictReader(io.StringIO(text, newline="")))
        assert (row["status"], row["house_waybill"]) == (status, "'" + waybill)


def test_a_trader_sees_only_its_own_companys_manifests(api_for, client_for, trader_a, trader_b, office, tariff):
    manifest = process(upload(trader_a, office, manifest_csv(GOOD_ROWS)))
    own = process(upload(trader_b, office, manifest_csv(GOOD_ROWS[:1])))
    b_web, b_api = client_for(trader_b), api_for(trader_b)

    for url in (
        f"/trader/manifests/{manifest.pk}/",
        f"/trader/manifests/{manifest.pk}/status.json",
        f"/trader/manifests/{manifest.pk}/results.csv",
    ):
        assert b_web.get(url).status_code == 404, url
    for url in (
        f"/api/v1/manifests/{manifest.pk}/",
        f"/api/v1/manifests/{manifest.pk}/errors/",
        f"/api/v1/manifests/{manifest.pk}/results.csv",
    ):
        assert b_api.get(url).status_code == 404, url
    listing = b_web.get("/trader/manifests/").content.decode()
    assert f"MF-{own.pk}<" in listing and f"MF-{manifest.pk}<" not in listing
    assert client_for(trader_a).get(f"/trader/manifests/{manifest.pk}/").status_code == 200


def test_an_officer_may_read_manifests_but_not_upload(api_for, client_for, clearance_officer, trader_a, office, tariff):
    manifest = process(upload(trader_a, office, manifest_csv(GOOD_ROWS)))
    client = client_for(clearance_officer)
    assert client.get(f"/trader/manifests/{manifest.pk}/").status_code == 200
    assert client.get("/trader/manifests/upload/").status_code == 403
    file = io.BytesIO(manifest_csv(GOOD_ROWS[1:]))
    file.name = "officer.csv"
    response = api_for(clearance_officer).post(
        "/api/v1/manifests/", {"file": file, "office": office.code}, format="multipart"
    )
    assert response.status_code == 403
    assert Manifest.objects.count() == 1


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    assert client.get("/trader/manifests/").status_code == 302


def test_detail_page_shows_progress_and_the_paginated_errors(client_for, trader_a, office, tariff):
    rows = [[f"E{n}", "A", "x", "999999999", "1", "USD", "1", "CN"] for n in range(60)]
    manifest = process(upload(trader_a, office, manifest_csv(rows)))
    client = client_for(trader_a)

    page = client.get(f"/trader/manifests/{manifest.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-status-url="/trader/manifests/' in page and "<progress" in page
    assert "<td>51</td>" in page and "<td>52</td>" not in page
    second = client.get(f"/trader/manifests/{manifest.pk}/?page=2", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>61</td>" in second
    status = client.get(f"/trader/manifests/{manifest.pk}/status.json").json()
    assert (status["rows_done"], status["rows_total"], status["percent"]) == (60, 60, 100)


def test_manifest_list_query_count_does_not_grow_with_manifests(
    client_for, trader_a, office, tariff, django_assert_max_num_queries
):
    for n in range(12):
        upload(
            trader_a, office, manifest_csv(GOOD_ROWS[:1] + [[f"X{n}", "A", "x", "610910000", "1", "USD", "1", "CN"]])
        )
    client = client_for(trader_a)
    with django_assert_max_num_queries(8):
        response = client.get("/trader/manifests/")
    assert response.status_code == 200


def test_the_demo_seed_imports_one_manifest_rejects_the_other_and_is_idempotent(seeded_tariff, trader_a):
    from declarations.demo import manifests as manifests_demo
    from tests.customs_portal.factories import UserFactory

    UserFactory(username="broker", role=trader_a.role, company=trader_a.company)
    CustomsOfficeFactory(code="1B")
    manifests_demo.seed()
    manifests_demo.seed()

    statuses = dict(Manifest.objects.values_list("original_name", "status"))
    assert statuses == {"demo-parcels.csv": "done", "demo-parcels-with-errors.csv": "rejected"}
    assert Declaration.objects.filter(source=Declaration.Source.MANIFEST).count() == 200
    rejected = Manifest.objects.get(status="rejected")
    assert sorted(rejected.row_errors.values_list("row_number", flat=True)) == [3, 4, 5, 6]


@pytest.fixture
def lanes_by_waybill():
    """A lane assigner through the public hook: HAWB0003 yellow, HAWB0004 red, others green."""
    from declarations import hooks

    previous = hooks.lane_assigner()

    def assign(*, declaration):
        lane = {"HAWB0003": Declaration.Lane.YELLOW, "HAWB0004": Declaration.Lane.RED}.get(
            declaration.manifest_reference, Declaration.Lane.GREEN
        )
        return hooks.LaneDecision(lane=lane, reasons=[f"test lane {lane}"], decided_by="test")

    hooks.register_lane_assigner(assign)
    yield
    hooks.register_lane_assigner(previous)


def test_an_imported_manifest_is_screened_in_chunks_with_one_summary_notification(
    client_for, trader_a, office, tariff, lanes_by_waybill, settings
):
    settings.MANIFEST_SCREEN_CHUNK = 3
    manifest = process(upload(trader_a, office, manifest_csv(GOOD_ROWS)))
    declarations = Declaration.objects.filter(company=trader_a.company, source=Declaration.Source.MANIFEST)
    assert set(declarations.values_list("status", flat=True)) == {Declaration.Status.SUBMITTED}
    chunks = list(ManifestScreeningChunk.objects.filter(manifest=manifest).order_by("number"))
    assert [chunk.parcels for chunk in chunks] == [3, 1]  # planned by the import

    assert screening.manifest_chunk_screen(chunk_id=chunks[0].pk).screened == 3
    assert not Notification.objects.filter(event="manifest.screened").exists()  # not through yet
    progress = (
        client_for(trader_a).get(f"/trader/manifests/{manifest.pk}/status.json", HTTP_ACCEPT_LANGUAGE="en").json()
    )
    assert (progress["phase"], progress["parcels_screened"], progress["finished"]) == ("screening", 3, False)
    assert progress["progress_text"] == "Screened 3 of 4 parcels" and 66 < progress["percent"] < 100
    assert screening.manifest_chunk_screen(chunk_id=chunks[1].pk).screened == 1
    progress = client_for(trader_a).get(f"/trader/manifests/{manifest.pk}/status.json").json()
    assert (progress["phase"], progress["parcels_screened"], progress["percent"], progress["finished"]) == (
        "screened",
        4,
        100,
        True,
    )

    status = dict(declarations.values_list("manifest_reference", "status"))
    assert status == {
        "HAWB0001": Declaration.Status.AWAITING_PAYMENT,  # green, owes tax
        "HAWB0002": Declaration.Status.PERMITTED,  # green, ¥9,000 of biscuits owe nothing
        "HAWB0003": Declaration.Status.DOCUMENT_REVIEW,
        "HAWB0004": Declaration.Status.INSPECTION,
    }
    assert declarations.get(manifest_reference="HAWB0004").lane == Declaration.Lane.RED
    # The same timeline and audit trail as one declaration's screening ...
    for declaration in declarations:
        assert list(declaration.status_changes.order_by("id").values_list("from_status", "to_status")) == [
            ("draft", "submitted"),
            ("submitted", "screening"),
            ("screening", declaration.status),
        ]
    assert AuditEvent.objects.filter(action="declaration.screening").count() == 4
    assert AuditEvent.objects.filter(action="declaration.inspection").count() == 1
    # ... but one summary for the trader instead of a message per parcel.
    assert not Notification.objects.filter(event="declaration.status_changed").exists()
    summary = Notification.objects.get(company=trader_a.company, event="manifest.screened")
    assert summary.payload == {"manifest_id": manifest.pk, "green": 2, "yellow": 1, "red": 1, "waiting": 0}
    assert AuditEvent.objects.filter(action="manifest.screened", object_id=str(manifest.pk)).count() == 1

    # A second run finds nothing waiting and changes nothing, and tells nobody again.
    changes = DeclarationStatusChange.objects.count()
    assert screening.manifest_screen_all(manifest_id=manifest.pk) == 0
    assert DeclarationStatusChange.objects.count() == changes
    assert Notification.objects.filter(event="manifest.screened").count() == 1
    assert AuditEvent.objects.filter(action="manifest.screened").count() == 1

    page = client_for(trader_a).get(f"/trader/manifests/{manifest.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Screened: 4 of 4" in page
    assert "Red lane (inspection): 1" in page and "Yellow lane (document review): 1" in page


def test_screening_waits_for_the_import_and_leaves_other_declarations_alone(trader_a, office, tariff):
    from tests.declarations.factories import DeclarationFactory

    other = DeclarationFactory(company=trader_a.company, status=Declaration.Status.SUBMITTED)
    result = upload(trader_a, office, manifest_csv(GOOD_ROWS))
    assert screening.manifest_screen_all(manifest_id=result.manifest.pk) == 0  # not imported yet
    manifest = process(result)

    assert screening.manifest_screen_all(manifest_id=manifest.pk) == 4
    other.refresh_from_db()
    assert other.status == Declaration.Status.SUBMITTED
    assert Notification.objects.get(event="manifest.screened").payload["green"] == 4


def test_a_parcel_the_assigner_cannot_score_stays_submitted_and_is_counted_as_waiting(
    trader_a, office, tariff, settings
):
    from declarations import hooks

    previous = hooks.lane_assigner()

    def assign(*, declaration):
        if declaration.manifest_reference == "HAWB0002":
            raise ValueError("cannot score this one")
        return hooks.LaneDecision(lane=Declaration.Lane.GREEN, reasons=["ok"])

    hooks.register_lane_assigner(assign)
    settings.MANIFEST_SCREEN_CHUNK = 2
    try:
        manifest = process(upload(trader_a, office, manifest_csv(GOOD_ROWS)))
        assert screening.manifest_screen_all(manifest_id=manifest.pk) == 3
    finally:
        hooks.register_lane_assigner(previous)
    stuck = Declaration.objects.get(manifest_reference="HAWB0002")
    assert stuck.status == Declaration.Status.SUBMITTED  # not left half-way in screening
    assert Notification.objects.get(event="manifest.screened").payload["waiting"] == 1
    # A later run (the model fixed) screens it; the summary is not sent twice.
    assert screening.manifest_screen_all(manifest_id=manifest.pk) == 1
    assert Notification.objects.filter(event="manifest.screened").count() == 1


def test_a_bulk_lane_assigner_belongs_to_its_single_assigner():
    from declarations import hooks

    previous = hooks.lane_assigner()
    assert hooks.bulk_lane_assigner() is not None  # the risk model's, registered with it

    def single(*, declaration):
        return hooks.LaneDecision(lane=Declaration.Lane.GREEN)

    try:
        hooks.register_lane_assigner(single)
        assert hooks.bulk_lane_assigner() is None  # screened one by one with the test's assigner
    finally:
        hooks.register_lane_assigner(previous)
    assert hooks.bulk_lane_assigner() is not None


def test_screening_chunks_whose_task_was_lost_are_found_for_requeueing(trader_a, office, tariff, settings):
    settings.MANIFEST_SCREEN_CHUNK = 3
    manifest = process(upload(trader_a, office, manifest_csv(GOOD_ROWS)))
    chunks = ManifestScreeningChunk.objects.filter(manifest=manifest).order_by("number")
    assert screening.manifest_screening_stalled(older_than=timedelta(minutes=10)) == []  # just planned
    ManifestScreeningChunk.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    screening.manifest_chunk_screen(chunk_id=chunks[0].pk)
    assert screening.manifest_screening_stalled(older_than=timedelta(minutes=10)) == [chunks[1].pk]


# --- Stored as codes, worded in the reader's language -----------------------------------


@pytest.fixture
def rejected_in_japanese(trader_a, office, tariff):
    """A manifest uploaded and processed while Japanese is active; line 2 has a value of 0."""
    with translation.override("ja"):
        return process(
            upload(trader_a, office, manifest_csv([["Z1", "A", "Goods", "610910000", "0", "USD", "1", "CN"]]))
        )


def test_a_row_error_is_stored_as_a_code_and_shown_in_the_readers_language(
    rejected_in_japanese, client_for, api_for, trader_a
):
    manifest = rejected_in_japanese
    assert manifest.row_errors.get().errors == [{"code": "value_not_positive", "params": {}}]
    page = f"/trader/manifests/{manifest.pk}/"

    english = client_for(trader_a).get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    japanese = client_for(trader_a).get(page, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "value: must be more than 0." in english and "1 of 1 rows has errors" in english
    assert "value: 0 より大きい値を指定してください。" in japanese
    assert "must be more than 0" not in japanese

    api = api_for(trader_a)
    row = api.get(f"/api/v1/manifests/{manifest.pk}/errors/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert row["errors"] == [{"code": "value_not_positive", "params": {}, "message": "value: must be more than 0."}]
    row = api.get(f"/api/v1/manifests/{manifest.pk}/errors/", HTTP_ACCEPT_LANGUAGE="ja").json()["results"][0]
    assert row["errors"][0]["message"] == "value: 0 より大きい値を指定してください。"


def test_the_results_csv_words_row_errors_in_the_readers_language(rejected_in_japanese, client_for, trader_a):
    response = client_for(trader_a).get(
        f"/trader/manifests/{rejected_in_japanese.pk}/results.csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0]["errors"] == "value: must be more than 0."


def test_the_rejection_notification_is_worded_in_the_readers_language(rejected_in_japanese, api_for, trader_a):
    api = api_for(trader_a)
    told = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert told["code"] == "manifest.rejected"
    assert told["params"] == {"name": "manifest.csv", "rows": 1, "rows_with_errors": 1}
    assert told["subject"] == "Manifest manifest.csv was rejected"
    told = api.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="ja").json()["results"][0]
    assert told["subject"] == "マニフェスト manifest.csv は受け付けられませんでした"


def test_a_failed_manifest_gives_its_reason_as_a_code_in_the_status(trader_a, office, api_for):
    result = upload(trader_a, office, manifest_csv(GOOD_ROWS[:1]))
    Manifest.objects.filter(pk=result.manifest.pk).update(status=Manifest.Status.VALIDATING)
    manifests.manifest_fail(manifest_id=result.manifest.pk, failure=message("waybill_race"))

    status = api_for(trader_a).get(f"/api/v1/manifests/{result.manifest.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert status["failure_code"] == "waybill_race"
    assert status["error_summary"].startswith("A house waybill of this file was declared by another upload")
    told = Notification.objects.get(event="manifest.failed")
    assert told.params["failure"] == {"code": "waybill_race", "params": {}}


@pytest.mark.django_db(transaction=True)
def test_row_errors_and_failures_stored_as_text_before_codes_still_show_their_text(trader_a, office, client_for):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("declarations", "0005_manifest_screening_chunks")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldManifest = old.get_model("declarations", "Manifest")
    common = {
        "company_id": trader_a.company_id, "uploaded_by_id": trader_a.pk, "office_id": office.pk, "size": 1,
        "encoding": "utf-8", "declaration_date": timezone.localdate(),
    }  # fmt: skip
    rejected = OldManifest.objects.create(
        **common, original_name="old.csv", sha256="a" * 64, status="rejected", rows_total=1, rows_failed=1,
        error_summary="1 件中 1 件にエラー",
    )  # fmt: skip
    failed = OldManifest.objects.create(
        **common, original_name="bad.csv", sha256="b" * 64, status="failed", error_summary="ファイルを読めません"
    )
    old.get_model("declarations", "ManifestRowError").objects.create(
        manifest_id=rejected.pk, row_number=2, errors=["value: 0 より大きい値を指定してください。"]
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    client = client_for(trader_a)
    page = client.get(f"/trader/manifests/{rejected.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "value: 0 より大きい値を指定してください。" in page
    assert "1 of 1 rows has errors" in page, "a rejected manifest's summary is worded from its counts"
    page = client.get(f"/trader/manifests/{failed.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ファイルを読めません" in page


@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_row_errors_read_in_each_readers_language(browser_as, trader_a, office, tariff):
    from tests.browser import PHONE, screenshot

    with translation.override("en"):
        rows = [
            ["Z1", "A", "Goods", "610910000", "0", "USD", "1", "CN"],
            ["Z2", "", "Goods", "610910000", "5", "USD", "1", "XX"],
        ]
        manifest = process(upload(trader_a, office, manifest_csv(rows)))
    errors: list[str] = []

    japanese = browser_as(trader_a, language="ja", viewport=PHONE)
    japanese.on("pageerror", lambda error: errors.append(str(error)))
    japanese.goto(f"/trader/manifests/{manifest.pk}/")
    cells = japanese.locator("table tbody tr td:nth-child(3)").all_inner_texts()
    assert "value: 0 より大きい値を指定してください。" in cells[0]
    assert "consignee: 入力されていません。" in cells[1]
    screenshot(japanese, "manifest-row-errors-phone-ja")

    english = browser_as(trader_a, language="en")
    english.on("pageerror", lambda error: errors.append(str(error)))
    english.goto(f"/trader/manifests/{manifest.pk}/")
    assert "value: must be more than 0." in english.locator("table tbody").inner_text()
    assert "2 of 2 rows have errors" in english.locator("[data-field=error_summary]").inner_text()
    screenshot(english, "manifest-row-errors-desktop-en")
    assert errors == []
