"""API of bulk manifests: upload (multipart), status, row errors and the results CSV."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from customs_portal.api.validation import validate_or_raise
from customs_portal.errors import ApplicationError
from customs_portal.models import CustomsOffice
from customs_portal.permissions import IsTrader, IsTraderOrOfficer
from declarations.manifests import selectors as manifest_selectors
from declarations.manifests import services as manifests
from declarations.manifests.models import ManifestRowError
from declarations.manifests.views import results_response


class ManifestUploadInput(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("The manifest CSV (UTF-8 or Shift_JIS)."))
    office = serializers.CharField(max_length=8, help_text=gettext_lazy("Code of the customs office."))

    def validate_office(self, value: str) -> CustomsOffice:
        office = CustomsOffice.objects.filter(code=value).first()
        if office is None:
            raise serializers.ValidationError(_("No customs office has the code “%(code)s”.") % {"code": value})
        return office


class ManifestStatusOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    phase = serializers.ChoiceField(choices=["validating", "importing", "screening", "screened", "rejected", "failed"])
    phase_label = serializers.CharField()
    progress_text = serializers.CharField(
        help_text=gettext_lazy("The phase's progress in words, e.g. parcels screened.")
    )
    finished = serializers.BooleanField(
        help_text=gettext_lazy("True once nothing more will change: screened, rejected or failed.")
    )
    rows_total = serializers.IntegerField()
    rows_done = serializers.IntegerField()
    percent = serializers.IntegerField()
    rows_failed = serializers.IntegerField()
    declarations_created = serializers.IntegerField()
    parcels_screened = serializers.IntegerField()
    error_summary = serializers.CharField(
        help_text=gettext_lazy("Why nothing was imported (rejected or failed), in the request's language.")
    )
    failure_code = serializers.CharField(
        help_text=gettext_lazy("The code of the reason a failed manifest gives; empty unless it failed.")
    )


class ManifestUploadOutput(ManifestStatusOutput):
    duplicate = serializers.BooleanField(
        help_text=gettext_lazy("True when the same file was uploaded before: this is that manifest.")
    )


class ManifestUploadApi(APIView):
    """Uploads a parcel manifest; it is validated and imported in the background. The
    same file uploaded again answers 200 with the earlier manifest and duplicate=true."""

    permission_classes = [IsAuthenticated, IsTrader]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ManifestUploadInput},
        responses={201: ManifestUploadOutput, 200: ManifestUploadOutput},
        summary="Upload a parcel manifest",
    )
    def post(self, request):
        data = validate_or_raise(ManifestUploadInput(data=request.data))
        upload = data["file"]
        manifests.manifest_upload_size_check(size=upload.size)
        result = manifests.manifest_upload(
            company=request.user.company,
            uploaded_by=request.user,
            office=data["office"],
            data=upload.read(),
            file_name=upload.name,
            request=request,
        )
        body = {**manifest_selectors.manifest_status(manifest=result.manifest), "duplicate": result.duplicate}
        return Response(
            ManifestUploadOutput(body).data, status=status.HTTP_200_OK if result.duplicate else status.HTTP_201_CREATED
        )


class ManifestStatusApi(APIView):
    permission_classes = [IsAuthenticated, IsTraderOrOfficer]

    @extend_schema(responses={200: ManifestStatusOutput}, summary="Status and progress of a manifest")
    def get(self, request, manifest_id: int):
        manifest = manifest_selectors.manifest_get_for_user(user=request.user, manifest_id=manifest_id)
        return Response(ManifestStatusOutput(manifest_selectors.manifest_status(manifest=manifest)).data)


class ManifestRowErrorItemOutput(serializers.Serializer):
    code = serializers.CharField()
    params = serializers.DictField()
    message = serializers.CharField(help_text=gettext_lazy("The error in the request's language."))


class ManifestRowErrorOutput(serializers.ModelSerializer):
    errors = serializers.SerializerMethodField()

    class Meta:
        model = ManifestRowError
        fields = ["row_number", "house_waybill", "errors"]

    @extend_schema_field(ManifestRowErrorItemOutput(many=True))
    def get_errors(self, row: ManifestRowError) -> list[dict]:
        """Each error's code and parameters, and its wording in the request's language."""
        return [
            {"code": item["code"], "params": item.get("params") or {}, "message": text}
            for item, text in zip(row.errors, row.error_texts, strict=True)
        ]


class ManifestErrorListApi(ListAPIView):
    """The rows of a rejected manifest, each with every reason, by line number."""

    permission_classes = [IsAuthenticated, IsTraderOrOfficer]
    serializer_class = ManifestRowErrorOutput

    def get_queryset(self):
        manifest = manifest_selectors.manifest_get_for_user(
            user=self.request.user, manifest_id=self.kwargs["manifest_id"]
        )
        return manifest_selectors.manifest_error_rows(manifest=manifest)


class ManifestResultsApi(APIView):
    """Every row's outcome as CSV: row, house waybill, status, declaration number, the
    customs value and taxes in yen, and the errors."""

    permission_classes = [IsAuthenticated, IsTraderOrOfficer]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR}, summary="Results of a manifest as CSV")
    def get(self, request, manifest_id: int):
        manifest = manifest_selectors.manifest_get_for_user(user=request.user, manifest_id=manifest_id)
        if not manifest.is_finished:
            raise ApplicationError(
                _("The manifest is still being processed; the results are ready when it is finished."),
                code="not_finished",
                status=409,
            )
        return results_response(manifest)
