"""The declaration as a PDF for the trader's records, in the portal's embedded Japanese
font."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from customs_portal.pdf_fonts import japanese_font
from declarations.core.models import Declaration

BODY_SIZE = 8.5
# Amounts and tariff codes never wrap: their font shrinks down to this size to fit the cell.
MIN_ONE_LINE_SIZE = 5.0
CELL_PADDING = 3


def _font() -> str:
    return japanese_font()


def _yen(amount: int | None) -> str:
    return "—" if amount is None else f"¥{amount:,}"


def _escaped(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;")


def _one_line(text: object, *, width: float, alignment: int = TA_RIGHT) -> Paragraph:
    """Text that must not wrap (an amount, a tariff code) on one line, in the body size
    or smaller when the cell (`width` wide, padding included) is too narrow for it."""
    text = str(text)
    room = width - 2 * CELL_PADDING
    size = BODY_SIZE
    while size > MIN_ONE_LINE_SIZE and pdfmetrics.stringWidth(text, _font(), size) > room:
        size -= 0.25
    style = ParagraphStyle("one-line", fontName=_font(), fontSize=size, leading=size * 1.3, alignment=alignment)
    return Paragraph(_escaped(text).replace(" ", "&nbsp;"), style)


def declaration_pdf(*, declaration: Declaration) -> bytes:
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=20)
    body = ParagraphStyle("body", fontName=font, fontSize=BODY_SIZE, leading=11)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm, bottomMargin=14 * mm,
        title=declaration.number,
    )  # fmt: skip

    def p(text: object) -> Paragraph:
        return Paragraph(_escaped(text), body)

    header_rows = [
        (_("Declaration number"), declaration.number),
        (_("Kind"), declaration.get_kind_display()),
        (_("Status"), declaration.get_status_display()),
        # The lane only: a trader's record never says why screening chose it.
        (_("Lane"), declaration.get_lane_display() or "—"),
        (_("Version"), declaration.version),
        (_("Importer/exporter"), f"{declaration.party_name} {declaration.party_corporate_number}"),
        (_("Customs office"), f"{declaration.office.code} {declaration.office.name_ja} / {declaration.office.name_en}"),
        (_("Declaration date"), declaration.declaration_date.isoformat()),
        (_("Transport"), f"{declaration.get_transport_mode_display()} {declaration.vessel_or_flight}"),
        (_("B/L or air waybill number"), declaration.transport_document),
        (_("Invoice"), f"{declaration.invoice_number} {declaration.invoice_currency} {declaration.incoterm}"),
        (_("Freight / insurance"), f"{declaration.freight} / {declaration.insurance}"),
    ]
    story: list = [
        Paragraph(_("Customs declaration %(number)s") % {"number": declaration.number}, title),
        Spacer(1, 4 * mm),
    ]
    story.append(_table([[p(k), p(v)] for k, v in header_rows], widths=[45 * mm, 137 * mm]))
    story.append(Spacer(1, 5 * mm))
    line_rows = [
        [p(h) for h in (_("Line"), _("Tariff code"), _("Description"), _("Origin"), _("Quantity"), _("Invoice value"),
                        _("Customs value"), _("Rate"), _("Legal basis"), _("Duty"))]
    ]  # fmt: skip
    widths = [9 * mm, 20 * mm, 28 * mm, 11 * mm, 16 * mm, 22 * mm, 22 * mm, 17 * mm, 16 * mm, 21 * mm]
    for line in declaration.lines.order_by("line_no"):
        line_rows.append(
            [
                p(line.line_no), _one_line(line.hs_code, width=widths[1], alignment=TA_LEFT),
                p(line.description), p(line.origin_country),
                p(f"{line.quantity.normalize():f} {line.unit}"), _one_line(line.invoice_value, width=widths[5]),
                _one_line(_yen(line.customs_value_jpy), width=widths[6]), p(line.rate_applied_label), p(line.rate_basis_label),
                _one_line(_yen(line.customs_duty_jpy), width=widths[9]),
            ]
        )  # fmt: skip
    story.append(_table(line_rows, widths=widths, head=True))
    story.append(Spacer(1, 5 * mm))
    taxes = [
        (_("Customs value"), _yen(declaration.customs_value_jpy)),
        (_("Customs duty"), _yen(declaration.customs_duty_jpy)),
        (_("Consumption tax"), _yen(declaration.consumption_tax_jpy)),
        (_("Local consumption tax"), _yen(declaration.local_consumption_tax_jpy)),
        (_("Total tax"), _yen(declaration.total_tax_jpy)),
    ]
    story.append(_table([[p(k), _one_line(v, width=50 * mm)] for k, v in taxes], widths=[45 * mm, 50 * mm]))
    story.append(Spacer(1, 5 * mm))
    story.append(p(_("Printed %(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}))
    document.build(story)
    return buffer.getvalue()


def _table(rows: list, *, widths: list, head: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if head else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    if head:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")))
    table.setStyle(TableStyle(style))
    return table
