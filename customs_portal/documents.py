"""Uploaded documents (declaration attachments, application evidence): PDF, JPEG or PNG
of at most 10 MB, recognised by their content, never by their name or the browser's word."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from customs_portal.errors import ApplicationError

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
EXTENSIONS = {PDF: (".pdf",), PNG: (".png",), JPEG: (".jpg", ".jpeg")}


@dataclass(frozen=True)
class CheckedDocument:
    content: bytes
    content_type: str
    name: str
    sha256: str

    @property
    def storage_suffix(self) -> str:
        return EXTENSIONS[self.content_type][0]


def document_type(content: bytes) -> str | None:
    """The real type of the file from its bytes, or None when it is none we accept. An
    image whose header claims more pixels than Pillow's decompression-bomb limit is refused
    with its own error: it could not be shown or printed anyway."""
    if content.startswith(b"%PDF-"):
        return PDF if b"%%EOF" in content[-2048:] else None
    if content.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(content)) as image:
                image_format = image.format
                image.verify()
        except Image.DecompressionBombError as bomb:
            raise document_error(
                _("The image is too large in pixels; scan or export it at a lower resolution."),
                code="image_too_large",
            ) from bomb
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return None
        return {"PNG": PNG, "JPEG": JPEG}.get(image_format or "")
    return None


def document_error(message: str, *, code: str, status: int = 400) -> ApplicationError:
    return ApplicationError(message, code=code, fields={"file": [message]}, status=status)


def document_check(*, file: UploadedFile, default_name: str) -> CheckedDocument:
    """Reads the upload and refuses anything too large, of another type, or whose name's
    extension disagrees with its content."""
    if file.size is not None and file.size > MAX_DOCUMENT_BYTES:
        raise document_error(_("The file is larger than 10 MB."), code="file_too_large", status=413)
    content = file.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise document_error(_("The file is larger than 10 MB."), code="file_too_large", status=413)
    content_type = document_type(content)
    if content_type is None:
        raise document_error(_("The file is not a PDF, JPEG or PNG document."), code="file_type_not_allowed")
    name = (file.name or default_name).rsplit("/", 1)[-1][:200]
    if not name.lower().endswith(EXTENSIONS[content_type]):
        raise document_error(
            _("The file's name says one type but its content is %(type)s; rename or re-export it.")
            % {"type": content_type},
            code="file_type_mismatch",
        )
    return CheckedDocument(
        content=content, content_type=content_type, name=name, sha256=hashlib.sha256(content).hexdigest()
    )


def document_store(record: models.Model, document: CheckedDocument) -> None:
    """Writes a checked document's file under a random name and saves `record` (a model
    with `file`, `original_name`, `content_type`, `size` and `sha256`) with its details."""
    record.original_name = document.name
    record.content_type = document.content_type
    record.size = len(document.content)
    record.sha256 = document.sha256
    record.file.save(f"{uuid.uuid4().hex}{document.storage_suffix}", ContentFile(document.content), save=False)
    record.save()


def document_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A stored document as a download; a file gone from storage is a 404, not an error."""
    try:
        handle = file.open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("The file is no longer stored.")) from missing
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
