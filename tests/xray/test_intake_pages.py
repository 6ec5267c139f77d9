"""The officers' intake pages: scanners (supervisor only, the token shown once), a parcel
registered with its declared lines, an image uploaded; errors shown in the reader's
language, and every page refused to the roles that may not use it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.xray.factories import DeclaredItemFactory, ScannerFactory
from tests.xray.images import png_bytes, truncated_png_bytes
from xray.parcels.models import Parcel, Scanner, XrayImage

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PARCEL = {
    "item_number": "RR123456785JP",
    "origin_country": "us",
    "sender_name": "Jane Sender",
    "sender_address": "",
    "addressee_name": "Taro Yamada",
    "addressee_address": "1-1 Chiyoda, Tokyo",
    "customs_form": "CN23",
    "weight_grams": "900",
    "items-TOTAL_FORMS": "3",
    "items-INITIAL_FORMS": "0",
    "items-MIN_NUM_FORMS": "1",
    "items-MAX_NUM_FORMS": "20",
    "items-0-description": "Books",
    "items-0-hs_code": "490199",
    "items-0-quantity": "2",
    "items-0-value_jpy": "3000",
}


def test_a_supervisor_registers_a_scanner_and_sees_its_token_once(client_for, supervisor):
    client = client_for(supervisor)
    response = client.post("/officer/xray/scanners/", {"code": "nrt-xr-01", "office": "Narita"}, **EN)
    assert response.status_code == 200
    scanner = Scanner.objects.get(code="NRT-XR-01")
    token = response.context["registered"]["token"]
    assert token.endswith(scanner.token_hint) and token.encode() in response.content
    assert token.encode() not in client.get("/officer/xray/scanners/", **EN).content


def test_a_taken_scanner_code_is_a_field_error_in_the_readers_language(client_for, supervisor):
    ScannerFactory(code="NRT-XR-01")
    response = client_for(supervisor).post("/officer/xray/scanners/", {"code": "NRT-XR-01", "office": "N"}, **EN)
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["This code is taken."]


def test_a_supervisor_revokes_a_scanner(client_for, supervisor):
    scanner = ScannerFactory()
    client = client_for(supervisor)
    assert client.get(f"/officer/xray/scanners/{scanner.pk}/revoke/", **EN).status_code == 200
    assert client.post(f"/officer/xray/scanners/{scanner.pk}/revoke/", **EN).status_code == 302
    scanner.refresh_from_db()
    assert scanner.revoked_at is not None and scanner.revoked_by == supervisor


@pytest.mark.parametrize("persona", ["inspection_officer", "clearance_officer", "trader_a"])
def test_only_a_supervisor_manages_scanners(client_for, request, persona):
    scanner = ScannerFactory()
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/officer/xray/scanners/").status_code == 403
    assert client.post(f"/officer/xray/scanners/{scanner.pk}/revoke/").status_code == 403
    assert Scanner.objects.get(pk=scanner.pk).revoked_at is None


def test_an_inspection_officer_registers_a_parcel_and_uploads_its_image(client_for, inspection_officer):
    client = client_for(inspection_officer)
    assert client.get("/officer/xray/intake/new/", **EN).status_code == 200
    response = client.post("/officer/xray/intake/new/", PARCEL, **EN)
    assert response.status_code == 302 and response.url == "/officer/xray/intake/RR123456785JP/"
    parcel = Parcel.objects.get()
    assert parcel.origin_country == "US" and [item.description for item in parcel.items.all()] == ["Books"]
    upload = client.post(response.url, {"image": SimpleUploadedFile("scan.png", png_bytes())}, **EN)
    assert upload.status_code == 302
    image = XrayImage.objects.get()
    assert image.uploaded_by == inspection_officer and image.scanner is None
    page = client.get(response.url, **EN)
    assert page.status_code == 200 and b"Books" in page.content
    assert client.get("/officer/xray/intake/", **EN).status_code == 200


def test_a_wrong_check_digit_and_a_bad_line_are_shown_on_their_fields(client_for, inspection_officer):
    data = {**PARCEL, "item_number": "RR123456784JP", "items-0-hs_code": "49"}
    response = client_for(inspection_officer).post("/officer/xray/intake/new/", data, **EN)
    assert response.status_code == 400
    assert "check digit" in response.context["form"].errors["item_number"][0]
    assert response.context["lines"].forms[0].errors["hs_code"] == ["An HS code has 4 or 6 digits."]
    assert not Parcel.objects.exists()


def test_a_broken_image_is_a_field_error_and_nothing_is_stored(client_for, inspection_officer):
    parcel = DeclaredItemFactory().parcel
    response = client_for(inspection_officer).post(
        f"/officer/xray/intake/{parcel.item_number}/",
        {"image": SimpleUploadedFile("scan.png", truncated_png_bytes())},
        **EN,
    )
    assert response.status_code == 400
    assert "could not be decoded" in response.context["form"].errors["image"][0]
    assert not XrayImage.objects.exists()


def test_errors_are_in_japanese_for_a_japanese_reader(client_for, inspection_officer):
    response = client_for(inspection_officer).post("/officer/xray/intake/new/", {}, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400
    assert response.context["form"].errors["item_number"] == ["この項目は必須です。"]
    assert b'lang="ja"' in response.content


def test_a_clearance_officer_reads_a_parcel_but_registers_and_uploads_nothing(client_for, clearance_officer):
    parcel = DeclaredItemFactory().parcel
    client = client_for(clearance_officer)
    assert client.get(f"/officer/xray/intake/{parcel.item_number}/").status_code == 200
    assert client.get("/officer/xray/intake/new/").status_code == 403
    upload = client.post(
        f"/officer/xray/intake/{parcel.item_number}/", {"image": SimpleUploadedFile("a.png", png_bytes())}
    )
    assert upload.status_code == 403
    assert not XrayImage.objects.exists()


def test_traders_see_no_intake_page(client_for, trader_a):
    parcel = DeclaredItemFactory().parcel
    client = client_for(trader_a)
    for url in ("/officer/xray/intake/", "/officer/xray/intake/new/", f"/officer/xray/intake/{parcel.item_number}/"):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("model", ["scanner", "parcel", "xrayimage", "screeningresult"])
def test_the_admin_shows_the_intake_read_only(client_for, admin_user, model):
    DeclaredItemFactory()
    client = client_for(admin_user)
    assert client.get(f"/admin/xray/{model}/", **EN).status_code == 200
    assert client.get(f"/admin/xray/{model}/add/", **EN).status_code == 403


def test_the_intake_list_reads_a_fixed_number_of_queries(client_for, inspection_officer, django_assert_num_queries):
    from tests.xray.factories import XrayImageFactory

    client = client_for(inspection_officer)
    XrayImageFactory(parcel=DeclaredItemFactory().parcel)
    client.get("/officer/xray/intake/", **EN)
    with django_assert_num_queries(8) as one:
        client.get("/officer/xray/intake/", **EN)
    for _ in range(5):
        XrayImageFactory(parcel=DeclaredItemFactory().parcel)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get("/officer/xray/intake/", **EN).status_code == 200
