"""API of digitised applications: list and create, detail and update, submit, withdraw,
review, decide and evidence upload."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from customs_portal.api.pagination import StandardPagination
from customs_portal.api.validation import validate_or_raise
from customs_portal.errors import ApplicationError
from customs_portal.permissions import IsTrader, IsTraderOrOfficer
from declarations.applications import services as applications
from declarations.applications.models import ApplicationStatus, DutyReliefApplication, IpSuspensionApplication
from declarations.core.models import Declaration


class DutyReliefInput(serializers.Serializer):
    provision = serializers.ChoiceField(choices=DutyReliefApplication.Provision.choices)
    goods_description = serializers.CharField(max_length=5000)
    declaration_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    amount_claimed_jpy = serializers.IntegerField(min_value=1, max_value=10**12)
    reason = serializers.CharField(max_length=5000)


class IpSuspensionInput(serializers.Serializer):
    right_holder = serializers.CharField(max_length=200)
    right_type = serializers.ChoiceField(choices=IpSuspensionApplication.RightType.choices)
    registration_number = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    goods_description = serializers.CharField(max_length=5000)
    identification = serializers.CharField(max_length=5000)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()


class EvidenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class ApplicationCommonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    company = serializers.CharField(source="company.name")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    decision_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField()
    allowed_actions = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "What the requesting user may do now: edit, attach (evidence), submit, withdraw, review, decide."
        )
    )

    # A plain string child: an enum here would share the name AllowedActionsEnum with the
    # declarations' own allowed actions, whose values differ.
    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, application) -> list[str]:
        return applications.application_allowed_actions(application=application, user=self.context["request"].user)


class DutyReliefOutput(ApplicationCommonOutput):
    provision = serializers.CharField()
    goods_description = serializers.CharField()
    declaration_number = serializers.SerializerMethodField()
    amount_claimed_jpy = serializers.IntegerField()
    reason = serializers.CharField()

    def get_declaration_number(self, application) -> str:
        return application.declaration.number if application.declaration_id else ""


class IpSuspensionOutput(ApplicationCommonOutput):
    right_holder = serializers.CharField()
    right_type = serializers.CharField()
    registration_number = serializers.CharField()
    goods_description = serializers.CharField()
    identification = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    evidence = EvidenceOutput(many=True)


INPUTS = {"relief": DutyReliefInput, "ip": IpSuspensionInput}


OUTPUTS = {"relief": DutyReliefOutput, "ip": IpSuspensionOutput}


class ApplicationDecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=5000)


class ApplicationReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


def _input_data(kind: str, data: dict, *, user) -> dict:
    """The serializer's data as the service takes it (a declaration by number)."""
    if kind == "relief":
        number = data.pop("declaration_number", "") or ""
        declaration = None
        if number:
            declaration = Declaration.objects.filter(number=number, company_id=user.company_id).first()
            if declaration is None:
                message = _("No declaration of your company has this number.")
                raise ApplicationError(message, code="validation_error", fields={"declaration_number": [message]})
        data["declaration"] = declaration
    return data


def _kind(kind: str) -> str:
    if kind not in applications.KINDS:
        raise Http404
    return kind


def _output(kind: str, application, request) -> dict:
    return OUTPUTS[kind](application, context={"request": request}).data


class ApplicationListCreateApi(GenericAPIView):
    """GET: a trader's own company's applications, or (officers) every submitted one;
    `?status=` filters. POST (traders): a new draft."""

    permission_classes = [IsAuthenticated, IsTraderOrOfficer]
    pagination_class = StandardPagination

    @extend_schema(responses=DutyReliefOutput(many=True), summary="List applications (kind: relief or ip)")
    def get(self, request, kind: str):
        kind = _kind(kind)
        status = request.query_params.get("status", "")
        rows = applications.application_list_for_user(
            kind=kind, user=request.user, status=status if status in ApplicationStatus.values else ""
        )
        if kind == "ip":
            rows = rows.prefetch_related("evidence")
        else:
            rows = rows.select_related("declaration")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(OUTPUTS[kind](page, many=True, context={"request": request}).data)

    @extend_schema(request=DutyReliefInput, responses={201: DutyReliefOutput}, summary="Create a draft application")
    def post(self, request, kind: str):
        kind = _kind(kind)
        if not request.user.is_trader:
            raise ApplicationError(str(IsTrader.message), code="permission_denied", status=403)
        data = _input_data(kind, dict(validate_or_raise(INPUTS[kind](data=request.data))), user=request.user)
        application = applications.application_create(kind=kind, applicant=request.user, data=data, request=request)
        return Response(_output(kind, application, request), status=201)


class ApplicationDetailApi(APIView):
    permission_classes = [IsAuthenticated, IsTraderOrOfficer]

    @extend_schema(responses=DutyReliefOutput, summary="One application")
    def get(self, request, kind: str, application_id: int):
        kind = _kind(kind)
        application = applications.application_get_for_user(kind=kind, user=request.user, application_id=application_id)
        return Response(_output(kind, application, request))

    @extend_schema(request=DutyReliefInput, responses=DutyReliefOutput, summary="Change a draft application")
    def put(self, request, kind: str, application_id: int):
        kind = _kind(kind)
        application = applications.application_get_for_user(kind=kind, user=request.user, application_id=application_id)
        data = _input_data(kind, dict(validate_or_raise(INPUTS[kind](data=request.data))), user=request.user)
        application = applications.application_update(
            application=application, updated_by=request.user, data=data, request=request
        )
        return Response(_output(kind, application, request))


class ApplicationTransitionApi(APIView):
    """POST .../submit/ or .../withdraw/ (traders), .../review/ (officers)."""

    permission_classes = [IsAuthenticated, IsTraderOrOfficer]
    target: str = ""

    @extend_schema(request=ApplicationReasonInput, responses=DutyReliefOutput)
    def post(self, request, kind: str, application_id: int):
        kind = _kind(kind)
        application = applications.application_get_for_user(kind=kind, user=request.user, application_id=application_id)
        data = validate_or_raise(ApplicationReasonInput(data=request.data))
        application = applications.application_transition(
            application=application, to=self.target, actor=request.user, reason=data["reason"], request=request
        )
        return Response(_output(kind, application, request))


class ApplicationSubmitApi(ApplicationTransitionApi):
    target = ApplicationStatus.SUBMITTED


class ApplicationWithdrawApi(ApplicationTransitionApi):
    target = ApplicationStatus.WITHDRAWN


class ApplicationReviewApi(ApplicationTransitionApi):
    target = ApplicationStatus.UNDER_REVIEW


class ApplicationDecideApi(APIView):
    """An officer approves or rejects, with the reason the trader will read."""

    permission_classes = [IsAuthenticated, IsTraderOrOfficer]

    @extend_schema(request=ApplicationDecisionInput, responses=DutyReliefOutput)
    def post(self, request, kind: str, application_id: int):
        kind = _kind(kind)
        application = applications.application_get_for_user(kind=kind, user=request.user, application_id=application_id)
        data = validate_or_raise(ApplicationDecisionInput(data=request.data))
        application = applications.application_decide(
            application=application,
            officer=request.user,
            approve=data["approve"],
            reason=data["reason"],
            request=request,
        )
        return Response(_output(kind, application, request))


class IpEvidenceUploadApi(APIView):
    """Multipart upload of one evidence file (field `file`)."""

    permission_classes = [IsAuthenticated, IsTrader]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=inline_serializer("EvidenceUpload", {"file": serializers.FileField()}),
        responses={201: EvidenceOutput},
    )
    def post(self, request, application_id: int):
        application = applications.application_get_for_user(kind="ip", user=request.user, application_id=application_id)
        upload = request.FILES.get("file")
        if upload is None:
            message = _("Send the file in the multipart field “file”.")
            raise ApplicationError(message, code="validation_error", fields={"file": [message]})
        evidence = applications.ip_evidence_add(
            application=application, file=upload, uploaded_by=request.user, request=request
        )
        return Response(EvidenceOutput(evidence).data, status=201)
