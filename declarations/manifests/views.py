"""Pages of bulk manifests: upload, list, detail with progress and errors, results."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from customs_portal.documents import document_response
from customs_portal.errors import ApplicationError
from customs_portal.forms import form_add_application_error
from customs_portal.models import CustomsOffice
from customs_portal.permissions import ANY_OFFICER, TRADER, role_required
from declarations.manifests import selectors as manifest_selectors
from declarations.manifests import services as manifests

LIST_PAGE_SIZE = 25
ERRORS_PAGE_SIZE = 50


class ManifestUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Manifest (CSV)"),
        help_text=gettext_lazy(
            "One row per parcel with the columns house_waybill, consignee, description, hs_code, value, currency, "
            "weight_kg, origin; UTF-8 or Shift_JIS; up to 100,000 rows."
        ),
    )
    office = forms.ModelChoiceField(
        label=gettext_lazy("Customs office"), queryset=CustomsOffice.objects.order_by("code"), empty_label=None
    )


@require_GET
@role_required(*TRADER, *ANY_OFFICER)
def manifest_list(request: HttpRequest) -> HttpResponse:
    manifests_ = manifest_selectors.manifest_list_for_user(user=request.user)
    page = Paginator(manifests_, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "declarations/manifests/list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@role_required(*TRADER)
def manifest_upload(request: HttpRequest) -> HttpResponse:
    form = ManifestUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # Refused before the file is read into memory.
            manifests.manifest_upload_size_check(size=upload.size)
            result = manifests.manifest_upload(
                company=request.user.company,
                uploaded_by=request.user,
                office=form.cleaned_data["office"],
                data=upload.read(),
                file_name=upload.name,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(error, form, summary=True)
        else:
            if result.duplicate:
                messages.info(
                    request,
                    _("This file was already uploaded on %(date)s; here is that manifest. It was not imported again.")
                    % {"date": result.manifest.created_at.strftime("%Y-%m-%d %H:%M")},
                )
            return redirect("manifest-detail", manifest_id=result.manifest.pk)
    return render(request, "declarations/manifests/upload.html", {"form": form})


@require_GET
@role_required(*TRADER, *ANY_OFFICER)
def manifest_detail(request: HttpRequest, manifest_id: int) -> HttpResponse:
    manifest = manifest_selectors.manifest_get_for_user(user=request.user, manifest_id=manifest_id)
    errors = Paginator(manifest_selectors.manifest_error_rows(manifest=manifest), ERRORS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "declarations/manifests/detail.html",
        {
            "manifest": manifest,
            "status": manifest_selectors.manifest_status(manifest=manifest),
            "errors": errors,
            "screening": (
                manifest_selectors.manifest_screening_counts(manifest=manifest)
                if manifest.status == manifest.Status.DONE
                else None
            ),
        },
    )


@require_GET
@role_required(*TRADER, *ANY_OFFICER)
def manifest_status(request: HttpRequest, manifest_id: int) -> JsonResponse:
    manifest = manifest_selectors.manifest_get_for_user(user=request.user, manifest_id=manifest_id)
    return JsonResponse(manifest_selectors.manifest_status(manifest=manifest))


@require_GET
@role_required(*TRADER, *ANY_OFFICER)
def manifest_results(request: HttpRequest, manifest_id: int) -> StreamingHttpResponse:
    manifest = manifest_selectors.manifest_get_for_user(user=request.user, manifest_id=manifest_id)
    return results_response(manifest)


# The charset a stored encoding is sent as: a byte-order mark is still UTF-8.
DOWNLOAD_CHARSETS = {"utf-8-bom": "utf-8"}


@require_safe
@role_required(*TRADER, *ANY_OFFICER)
def manifest_file_download(request: HttpRequest, manifest_id: int) -> FileResponse:
    """The uploaded CSV itself, as uploaded and labelled with its encoding, to its company
    and to officers only."""
    manifest = manifest_selectors.manifest_get_for_user(user=request.user, manifest_id=manifest_id)
    charset = DOWNLOAD_CHARSETS.get(manifest.encoding, manifest.encoding or "utf-8")
    return document_response(
        manifest.file, filename=manifest.original_name, content_type=f"text/csv; charset={charset}"
    )


def results_response(manifest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        manifest_selectors.manifest_results_csv(manifest=manifest), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="manifest-{manifest.pk}-results.csv"'
    return response
