"""Documents attached to a declaration (invoice, packing list, certificates), checked by
their content before they are stored."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from customs_portal import documents
from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import User
from declarations.core.models import Declaration, DeclarationAttachment
from declarations.core.services.actions import Action, declaration_action_check

Status = Declaration.Status


@transaction.atomic
def declaration_attachment_add(
    *, declaration: Declaration, uploaded_by: User, kind: str, file: UploadedFile, request=None
) -> DeclarationAttachment:
    """Stores a PDF, JPEG or PNG of at most 10 MB, recognised by its content; the name's
    extension must agree with it."""
    declaration_action_check(declaration=declaration, user=uploaded_by, action=Action.ATTACH)
    if kind not in DeclarationAttachment.Kind.values:
        raise ApplicationError(_("Choose the kind of document."), code="invalid", fields={"kind": [_("Choose one.")]})
    document = documents.document_check(file=file, default_name="document")
    attachment = DeclarationAttachment(declaration=declaration, kind=kind, uploaded_by=uploaded_by)
    documents.document_store(attachment, document)
    audit_record(
        action="declaration.attachment_added",
        actor=uploaded_by,
        obj=declaration,
        after={"attachment": attachment.pk, "name": document.name, "sha256": attachment.sha256, "kind": kind},
        request=request,
    )
    return attachment
