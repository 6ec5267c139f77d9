"""Attachments are recognised by their content, not by their name or browser type."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from customs_portal import documents
from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent
from declarations.core.services import attachments, drafts
from declarations.models import DeclarationAttachment
from tests.declarations import declaration_payloads as p

pytestmark = pytest.mark.django_db


def image_bytes(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format=kind)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG file whose header claims `width` × `height` pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(50, 800, "Commercial invoice")
    page.save()
    return buffer.getvalue()


@pytest.fixture
def draft(trader_a):
    p.reference_data()
    return drafts.declaration_draft_create(
        company=trader_a.company, declarant=trader_a, kind="import", data=p.header(), lines=[p.line()]
    )


def _add(draft, user, name, content, content_type="application/pdf"):
    return attachments.declaration_attachment_add(
        declaration=draft, uploaded_by=user, kind="invoice", file=SimpleUploadedFile(name, content, content_type)
    )


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [("invoice.pdf", pdf_bytes, "application/pdf"), ("scan.PNG", lambda: image_bytes("PNG"), "image/png"),
     ("photo.jpeg", lambda: image_bytes("JPEG"), "image/jpeg"), ("photo.jpg", lambda: image_bytes("JPEG"), "image/jpeg")],
)  # fmt: skip
def test_real_pdf_png_and_jpeg_files_are_stored_with_their_sha256(draft, trader_a, name, make, content_type):
    content = make()
    attachment = _add(draft, trader_a, name, content, "application/octet-stream")
    assert (attachment.content_type, attachment.size) == (content_type, len(content))
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    with attachment.file.open("rb") as stored:
        assert stored.read() == content
    assert AuditEvent.objects.filter(action="declaration.attachment_added", object_id=str(draft.pk)).exists()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("invoice.pdf", image_bytes("PNG"), "file_type_mismatch"),  # a PNG named .pdf
        ("scan.png", pdf_bytes(), "file_type_mismatch"),
        ("invoice.pdf", b"%PDF-1.7\nno trailer at all", "file_type_not_allowed"),
        ("invoice.pdf", b"MZ\x90\x00 an executable", "file_type_not_allowed"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "file_type_not_allowed"),
        ("invoice.docx", b"PK\x03\x04 a zip", "file_type_not_allowed"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(draft, trader_a, name, content, code):
    with pytest.raises(ApplicationError) as caught:
        _add(draft, trader_a, name, content)
    assert caught.value.code == code
    assert "file" in caught.value.fields
    assert not DeclarationAttachment.objects.exists()


def test_a_file_one_byte_over_10_mb_is_refused_and_exactly_10_mb_is_accepted(draft, trader_a):
    # A PDF whose body is padded with a comment line up to exactly 10 MB.
    head, tail = b"%PDF-1.4\n%", b"\n%%EOF\n"
    exactly = head + b"x" * (documents.MAX_DOCUMENT_BYTES - len(head) - len(tail)) + tail
    assert len(exactly) == documents.MAX_DOCUMENT_BYTES
    assert _add(draft, trader_a, "big.pdf", exactly).size == documents.MAX_DOCUMENT_BYTES
    with pytest.raises(ApplicationError) as caught:
        _add(draft, trader_a, "bigger.pdf", exactly + b"\n")
    assert (caught.value.code, caught.value.status) == ("file_too_large", 413)
    assert DeclarationAttachment.objects.count() == 1


def test_another_company_cannot_attach_to_a_declaration(draft, trader_b):
    with pytest.raises(ApplicationError) as caught:
        _add(draft, trader_b, "invoice.pdf", pdf_bytes())
    assert caught.value.status == 404
    assert not DeclarationAttachment.objects.exists()
