"""The receipt (領収証書) as a PDF, in Japanese or English, in the embedded Japanese font."""

from __future__ import annotations

import io

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from customs_portal.pdf_fonts import japanese_font
from payments.models import Receipt


def _font() -> str:
    return japanese_font()


def receipt_rows(receipt: Receipt) -> list[tuple[str, str]]:
    payment = receipt.payment
    assessment = payment.assessment
    rows = [
        (_("Receipt number"), receipt.number),
        (_("Issued"), timezone.localtime(receipt.issued_at).strftime("%Y-%m-%d %H:%M")),
        (_("Payer"), payment.company.name if payment.company else payment.created_by.get_username()),
        (_("Assessment"), assessment.reference),
        (_("Customs duty"), f"¥{assessment.customs_duty_jpy:,}"),
        (_("Consumption tax"), f"¥{assessment.consumption_tax_jpy:,}"),
        (_("Local consumption tax"), f"¥{assessment.local_consumption_tax_jpy:,}"),
        (_("Amount paid"), f"¥{payment.amount_jpy:,}"),
        (_("Method"), payment.get_method_display()),
        (_("Payment"), str(payment)),
    ]
    if payment.card_last4:
        rows.append((_("Card"), f"**** {payment.card_last4}"))
    if payment.refunded_jpy:
        rows.append((_("Refunded"), f"¥{payment.refunded_jpy:,}"))
    return rows


def receipt_pdf(*, receipt: Receipt, language: str) -> bytes:
    font = _font()
    buffer = io.BytesIO()
    with translation.override(language):
        pdf = canvas.Canvas(buffer, pagesize=A4)
        pdf.setTitle(receipt.number)
        width, height = A4
        pdf.setFont(font, 20)
        pdf.drawString(20 * mm, height - 30 * mm, _("Receipt") + (" 領収証書" if language == "en" else ""))
        pdf.setFont(font, 11)
        y = height - 45 * mm
        for label, value in receipt_rows(receipt):
            pdf.drawString(20 * mm, y, label)
            pdf.drawString(80 * mm, y, value)
            y -= 8 * mm
        pdf.drawString(20 * mm, y - 10 * mm, _("Japan Customs — issued electronically by the customs portal."))
        pdf.showPage()
        pdf.save()
    return buffer.getvalue()
