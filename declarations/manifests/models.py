"""Bulk manifests of e-commerce parcels and their row errors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Manifest(models.Model):
    """A bulk manifest of e-commerce parcels uploaded by an express carrier or platform:
    one CSV row per parcel, each imported as a low-value import declaration. Processed
    by `declarations.manifests.services.manifest_process` in a Celery task: every row is checked
    first, and either all rows are imported in one transaction or none is."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Validating")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        REJECTED = "rejected", _("Rejected")

    company = models.ForeignKey(
        "customs_portal.Company", verbose_name=_("company"), on_delete=models.PROTECT, related_name="manifests"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        "customs_portal.CustomsOffice", verbose_name=_("customs office"), on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="manifests/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    encoding = models.CharField(_("encoding"), max_length=16)
    language = models.CharField(_("language of the messages"), max_length=8, default="en")
    declaration_date = models.DateField(_("declaration date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    rows_failed = models.PositiveIntegerField(_("rows with errors"), default=0)
    declarations_created = models.PositiveIntegerField(_("declarations created"), default=0)
    failure = models.JSONField(
        _("failure"), default=dict, blank=True, help_text="Why it failed: a code of declarations.manifests.messages."
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The run that processes the manifest holds a lease: it renews heartbeat_at while it
    # works, and another run may take the manifest over once the lease has expired.
    claim_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("manifest")
        verbose_name_plural = _("manifests")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A failed manifest (an unreadable file, a race with another upload) may be sent again.
            models.UniqueConstraint(
                fields=["company", "sha256"],
                condition=~models.Q(status="failed"),
                name="manifest_one_per_file_per_company",
            ),
        ]

    def __str__(self) -> str:
        return f"MF-{self.pk} {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.REJECTED)


class ManifestRowError(models.Model):
    """A bad row of a rejected manifest with every reason it was refused. An imported
    manifest keeps no rows here: its result per row is the declaration numbered
    MF-<manifest>-<line>, so 100,000 parcels are not written twice."""

    manifest = models.ForeignKey(Manifest, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("line"))
    house_waybill = models.CharField(_("house waybill"), max_length=64, blank=True)
    errors = models.JSONField(
        _("errors"), default=list, help_text="Codes with parameters, worded by declarations.manifests.messages."
    )

    class Meta:
        verbose_name = _("manifest row error")
        verbose_name_plural = _("manifest row errors")
        ordering = ["manifest", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["manifest", "row_number"], name="manifest_row_error_unique"),
        ]

    def __str__(self) -> str:
        return f"MF-{self.manifest_id} line {self.row_number}"

    @property
    def error_texts(self) -> list[str]:
        """The row's errors in the active language."""
        from declarations.manifests.messages import row_errors_text

        return row_errors_text(self.errors)


class ManifestScreeningChunk(models.Model):
    """One slice of an imported manifest's parcels (declaration ids `first_id` to
    `last_id`), screened in one transaction by one task run: the import plans the chunks
    in its own transaction, so that a manifest imported is a manifest whose screening is
    recorded as owed. A run locks its chunk (a second run of the same chunk skips it) and
    screens only the parcels still submitted; the manifest is screened when every chunk
    is done."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Screened")

    manifest = models.ForeignKey(Manifest, on_delete=models.CASCADE, related_name="screening_chunks")
    number = models.PositiveIntegerField()
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    parcels = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    screened = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("manifest screening chunk")
        verbose_name_plural = _("manifest screening chunks")
        ordering = ["manifest_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["manifest", "number"], name="manifest_screening_chunk_unique"),
        ]

    def __str__(self) -> str:
        return f"MF-{self.manifest_id} chunk {self.number}"
