"""The officers' intake pages (/officer/xray/): a supervisor registers and revokes
scanners; inspection officers and supervisors register parcels with their declared
contents and upload X-ray images; any officer reads a parcel's intake page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from customs_portal.errors import ApplicationError
from customs_portal.forms import form_add_application_error
from customs_portal.permissions import ANY_OFFICER, SUPERVISOR, role_required, user_has_role
from xray.parcels import selectors, services
from xray.parcels.forms import DeclaredItemFormSet, ImageUploadForm, ParcelForm, ScannerRegisterForm
from xray.parcels.images import image_size_check
from xray.screening.reasons import reasons_text

# Scanners (supervisor) -----------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISOR)
def scanners(request: HttpRequest) -> HttpResponse:
    """The registered scanners and the form that registers one; a new scanner's token is
    on this response only (it is kept as a hash)."""
    form = ScannerRegisterForm(request.POST if request.method == "POST" else None)
    registered = None
    if request.method == "POST" and form.is_valid():
        try:
            scanner, raw_token = services.scanner_register(
                registered_by=request.user, request=request, **form.cleaned_data
            )
        except ApplicationError as error:
            form_add_application_error(error, form)
        else:
            registered = {"scanner": scanner, "token": raw_token}
            form = ScannerRegisterForm()
    context = {"form": form, "scanners": selectors.scanner_list_for_user(user=request.user), "registered": registered}
    return render(request, "xray/parcels/scanners.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISOR)
def scanner_revoke(request: HttpRequest, scanner_id: int) -> HttpResponse:
    """Asks to confirm (GET), then revokes (POST)."""
    scanner = selectors.scanner_get_for_user(user=request.user, scanner_id=scanner_id)
    if request.method == "POST":
        try:
            services.scanner_revoke(scanner=scanner, revoked_by=request.user, request=request)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Scanner %(code)s is revoked: its token no longer works.") % {"code": scanner.code}
            )
        return redirect("xray-scanners")
    return render(request, "xray/parcels/scanner_revoke.html", {"scanner": scanner})


# Parcels (inspection officers and supervisors) -----------------------------------------


@require_http_methods(["GET"])
@role_required(*ANY_OFFICER)
def intake(request: HttpRequest) -> HttpResponse:
    """The latest parcels taken in, newest first."""
    parcels = selectors.parcel_list_for_user(user=request.user)
    may_register = user_has_role(request.user, services.INTAKE_ROLES)
    return render(request, "xray/parcels/intake.html", {"parcels": parcels, "may_register": may_register})


@require_http_methods(["GET", "POST"])
@role_required(*services.INTAKE_ROLES)
def parcel_register(request: HttpRequest) -> HttpResponse:
    """Registers a parcel with its CN22/CN23 lines, then goes to its page for the image."""
    data = request.POST if request.method == "POST" else None
    form = ParcelForm(data)
    lines = DeclaredItemFormSet(data, prefix="items")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            parcel, created = services.parcel_register(
                data=services.ParcelInput(**form.cleaned_data, items=lines.items()),
                created_by=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(error, form, rows={"items": lines.forms})
        else:
            if created:
                messages.success(request, _("Parcel %(number)s is registered.") % {"number": parcel.item_number})
            else:
                messages.info(request, _("Parcel %(number)s was registered before.") % {"number": parcel.item_number})
            return redirect("xray-intake-parcel", item_number=parcel.item_number)
    failed = request.method == "POST"
    return render(
        request, "xray/parcels/parcel_register.html", {"form": form, "lines": lines}, status=400 if failed else 200
    )


@require_http_methods(["GET", "POST"])
@role_required(*ANY_OFFICER)
def parcel_intake(request: HttpRequest, item_number: str) -> HttpResponse:
    """A parcel's declared contents and images with their state; inspection officers and
    supervisors upload another image here."""
    parcel = selectors.parcel_get_for_user(user=request.user, item_number=item_number)
    may_upload = user_has_role(request.user, services.INTAKE_ROLES)
    form = ImageUploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST":
        if not may_upload:
            return HttpResponse(status=403)
        if form.is_valid():
            upload = form.cleaned_data["image"]
            try:
                image_size_check(size_bytes=upload.size)
                image, created = services.xray_image_add(
                    parcel=parcel, data=upload.read(), uploaded_by=request.user, request=request
                )
            except ApplicationError as error:
                form_add_application_error(error, form)
            else:
                if created:
                    messages.success(request, _("The image is received; the model reads it in a moment."))
                else:
                    messages.info(request, _("This image was received before: nothing new is stored."))
                return redirect("xray-intake-parcel", item_number=parcel.item_number)
    context = {
        "parcel": parcel,
        "form": form,
        "may_upload": may_upload,
        "mismatch": reasons_text(parcel.mismatch_reasons),
    }
    return render(request, "xray/parcels/parcel_intake.html", context, status=400 if form.errors else 200)
