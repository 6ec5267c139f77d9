"""Reads of bulk manifests. A trader sees its own company's manifests only; officers
see every company's."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customs_portal.csvfiles import csv_cell_safe
from customs_portal.models import OFFICER_ROLES, Role, User
from declarations.core.models import Declaration
from declarations.manifests.messages import failure_text, rejected_summary_text, row_errors_text
from declarations.manifests.models import Manifest, ManifestRowError, ManifestScreeningChunk


def manifest_list_for_user(*, user: User) -> QuerySet[Manifest]:
    manifests = Manifest.objects.select_related("company", "office", "uploaded_by")
    if user.role == Role.TRADER:
        return manifests.filter(company_id=user.company_id)
    if user.role in OFFICER_ROLES:
        return manifests
    raise PermissionDenied


def manifest_get_for_user(*, user: User, manifest_id: int) -> Manifest:
    """The manifest, or 404 (also for another company's: its existence is not told)."""
    manifest = manifest_list_for_user(user=user).filter(pk=manifest_id).first()
    if manifest is None:
        raise Http404(_("No such manifest."))
    return manifest


def manifest_error_rows(*, manifest: Manifest) -> QuerySet[ManifestRowError]:
    return manifest.row_errors.order_by("row_number")


def manifest_declarations(*, manifest: Manifest) -> QuerySet[Declaration]:
    """The declarations an imported manifest created, in the file's order (their ids
    were taken in row order)."""
    return Declaration.objects.filter(
        company_id=manifest.company_id, source=Declaration.Source.MANIFEST, number__startswith=f"MF-{manifest.pk}-"
    ).order_by("id")


def manifest_screening_counts(*, manifest: Manifest) -> dict[str, int]:
    """How many of the manifest's declarations went to each lane, and how many still wait."""
    counts = {"green": 0, "yellow": 0, "red": 0, "waiting": 0}
    rows = manifest_declarations(manifest=manifest).values_list("lane", "status").annotate(n=Count("pk")).order_by()
    for lane, status, n in rows:
        if status in (Declaration.Status.SUBMITTED, Declaration.Status.SCREENING):
            counts["waiting"] += n
        elif lane:  # a parcel withdrawn before screening has no lane
            counts[lane] = counts.get(lane, 0) + n
    return counts


def manifest_screening_progress(*, manifest: Manifest) -> tuple[int, bool]:
    """(parcels screened, whether screening is through) of an imported manifest, from
    its chunks; a manifest imported before chunks were planned counts as through."""
    totals = manifest.screening_chunks.aggregate(
        screened=Sum("screened"), pending=Count("pk", filter=Q(status=ManifestScreeningChunk.Status.PENDING))
    )
    return min(totals["screened"] or 0, manifest.declarations_created), not totals["pending"]


PHASE_LABELS = {
    "validating": gettext_lazy("Validating"),
    "importing": gettext_lazy("Importing"),
    "screening": gettext_lazy("Screening"),
    "screened": gettext_lazy("Screened"),
    "rejected": gettext_lazy("Rejected"),
    "failed": gettext_lazy("Failed"),
}


def manifest_status(*, manifest: Manifest) -> dict[str, object]:
    """The small status document the progress bar polls. Its phases: validating and
    importing (rows N of M), then screening (parcels N of M), then screened; or rejected
    or failed. `percent` covers the three working phases, a third each."""
    total, done, statuses = manifest.rows_total, manifest.rows_done, Manifest.Status
    screened, through = 0, False
    if manifest.status == statuses.DONE:
        screened, through = manifest_screening_progress(manifest=manifest)
    if manifest.status in (statuses.UPLOADED, statuses.VALIDATING):
        phase, percent = "validating", done * 100 // (3 * total) if total else 0
        text = _("Validated %(done)s of %(total)s rows") % {"done": f"{done:,}", "total": f"{total:,}"}
    elif manifest.status == statuses.IMPORTING:
        phase, percent = "importing", (100 + done * 100 // total) // 3 if total else 33
        text = _("Imported %(done)s of %(total)s rows") % {"done": f"{done:,}", "total": f"{total:,}"}
    elif manifest.status == statuses.DONE:
        parcels = manifest.declarations_created
        phase = "screened" if through else "screening"
        percent = 100 if through else (200 + screened * 100 // max(parcels, 1)) // 3
        text = _("Screened %(done)s of %(total)s parcels") % {"done": f"{screened:,}", "total": f"{parcels:,}"}
    else:
        phase, percent, text = manifest.status, 100, ""
    return {
        "id": manifest.pk,
        "status": manifest.status,
        "status_label": str(manifest.get_status_display()),
        "phase": phase,
        "phase_label": str(PHASE_LABELS[phase]),
        "progress_text": text,
        "finished": manifest.status in (statuses.REJECTED, statuses.FAILED) or through,
        "rows_total": total,
        "rows_done": done,
        "percent": percent,
        "rows_failed": manifest.rows_failed,
        "declarations_created": manifest.declarations_created,
        "parcels_screened": screened,
        "error_summary": manifest_summary_text(manifest=manifest),
        "failure_code": manifest.failure.get("code", ""),
    }


def manifest_summary_text(*, manifest: Manifest) -> str:
    """Why nothing was imported, in the active language: the count of bad rows of a
    rejected manifest, or the reason a failed one gives; empty otherwise."""
    if manifest.status == Manifest.Status.REJECTED:
        return rejected_summary_text(rows_failed=manifest.rows_failed, rows_total=manifest.rows_total)
    if manifest.status == Manifest.Status.FAILED:
        return failure_text(manifest.failure)
    return ""


RESULT_COLUMNS = [
    "row", "house_waybill", "status", "declaration_number", "customs_value_jpy", "customs_duty_jpy",
    "consumption_tax_jpy", "local_consumption_tax_jpy", "total_tax_jpy", "errors",
]  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def _row(values: list[object]) -> list[object]:
    return [csv_cell_safe(value) for value in values]


def manifest_results_csv(*, manifest: Manifest) -> Iterator[str]:
    """The manifest's row results as CSV lines (UTF-8 with a byte-order mark, which
    spreadsheet programs need to read Japanese), read from the database in chunks: the
    bad rows of a rejected manifest, or the declarations of an imported one. Text cells
    that a spreadsheet would run as a formula are escaped (`csv_cell_safe`)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(RESULT_COLUMNS)
    errors = manifest_error_rows(manifest=manifest).values_list("row_number", "house_waybill", "errors")
    for row_number, waybill, messages in errors.iterator(chunk_size=5_000):
        yield writer.writerow(
            _row([row_number, waybill, "error", "", "", "", "", "", "", " | ".join(row_errors_text(messages))])
        )
    declarations = manifest_declarations(manifest=manifest).values_list(
        "number", "manifest_reference", "customs_value_jpy", "customs_duty_jpy", "consumption_tax_jpy",
        "local_consumption_tax_jpy", "total_tax_jpy",
    )  # fmt: skip
    for number, waybill, value, duty, tax, local, total in declarations.iterator(chunk_size=5_000):
        row_number = number.rpartition("-")[2]
        yield writer.writerow(_row([row_number, waybill, "imported", number, value, duty, tax, local, total, ""]))
