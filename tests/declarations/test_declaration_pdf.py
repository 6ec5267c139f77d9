"""The declaration PDF embeds its Japanese font and keeps every amount on one line."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from customs_portal.models import Role
from tests.browser import SCREENSHOTS
from tests.customs_portal.factories import CompanyFactory, UserFactory
from tests.declarations.factories import DeclarationFactory, DeclarationLineFactory
from tests.declarations.pdf_text import pdf_text

pytestmark = pytest.mark.django_db

COMPANY = "富士トレーディング株式会社"
AMOUNT = 12_345_678_901
PDFTOPPM = shutil.which("pdftoppm")


@pytest.fixture
def declaration():
    company = CompanyFactory(name=COMPANY)
    declaration = DeclarationFactory(
        company=company,
        customs_value_jpy=AMOUNT,
        customs_duty_jpy=AMOUNT,
        consumption_tax_jpy=0,
        local_consumption_tax_jpy=0,
        total_tax_jpy=AMOUNT,
    )
    DeclarationLineFactory(
        declaration=declaration,
        description="綿製Tシャツ",
        invoice_value=Decimal("98765432101.50"),
        customs_value_jpy=AMOUNT,
        customs_duty_jpy=AMOUNT,
    )
    return declaration


@pytest.fixture
def pdf(declaration, client_for) -> bytes:
    trader = UserFactory(role=Role.TRADER, company=declaration.company)
    response = client_for(trader).get(reverse("declaration-pdf", args=[declaration.pk]))
    assert response.status_code == 200
    return response.content


def test_the_pdf_embeds_its_japanese_font(pdf):
    assert b"/FontFile2" in pdf
    assert re.search(rb"/BaseFont /[A-Z]{6}\+IPAexGothic", pdf)  # a subset of the font, embedded
    assert b"HeiseiKakuGo" not in pdf  # no font left for the reader's machine to supply


def test_a_japanese_company_name_reads_back_from_the_pdf(pdf, declaration):
    text = pdf_text(pdf)
    assert COMPANY in text
    assert "綿製Tシャツ" in text
    assert declaration.number in text


def test_a_twelve_digit_yen_amount_stays_on_one_line(pdf):
    lines = pdf_text(pdf).splitlines()
    # The line's customs value and duty, and the customs value, duty and total below.
    assert sum(line.count(f"¥{AMOUNT:,}") for line in lines) == 5
    assert "98765432101.50" in lines
    assert not any(line.endswith(("¥12,345,", "¥12,")) for line in lines)


@pytest.mark.skipif(PDFTOPPM is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_pdf_renders_as_a_picture(pdf, tmp_path):
    source = tmp_path / "declaration.pdf"
    source.write_bytes(pdf)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            PDFTOPPM,
            "-png",
            "-r",
            "110",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(SCREENSHOTS / "declaration-pdf"),
        ],
        check=True,
        timeout=60,
    )
    assert (SCREENSHOTS / "declaration-pdf.png").stat().st_size > 10_000
