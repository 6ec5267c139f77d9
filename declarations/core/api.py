"""API of declarations: list and create, detail and update, submit, withdraw, versions
and diff, attachments, officers' decisions, the pre-submission check and what a
declaration is waiting for."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from customs_portal.api.pagination import StandardPagination, paginated
from customs_portal.api.validation import validate_or_raise
from customs_portal.errors import ApplicationError
from customs_portal.permissions import IsOfficer, IsTrader, IsTraderOrOfficer
from customs_portal.reasons import reasons_stored, reasons_text
from declarations.core import precheck, reasons, selectors, timings
from declarations.core.models import Declaration, DeclarationAttachment, DeclarationLine, DeclarationVersion, Preference
from declarations.core.selectors import DeclarationFilters
from declarations.core.services import actions, amendments, attachments, decisions, drafts, submission
from declarations.tariff import interface as tariff


class DeclarationLineInput(serializers.Serializer):
    hs_code = serializers.CharField(max_length=20)
    description = serializers.CharField(max_length=500)
    origin_country = serializers.CharField(max_length=2)
    quantity = serializers.DecimalField(max_digits=16, decimal_places=3)
    unit = serializers.CharField(max_length=8)
    net_weight_kg = serializers.DecimalField(max_digits=14, decimal_places=3)
    invoice_value = serializers.DecimalField(max_digits=16, decimal_places=2)
    preference = serializers.ChoiceField(choices=Preference.choices, required=False, allow_blank=True, default="")
    epa_agreement = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    origin_proof = serializers.ChoiceField(
        choices=tariff.OriginProof.choices, required=False, allow_blank=True, default=""
    )
    origin_proof_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    export_licence_number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class DeclarationUpdateInput(serializers.Serializer):
    office = serializers.CharField(max_length=8, help_text=gettext_lazy("The customs office code, e.g. 1A."))
    party_name = serializers.CharField(max_length=200)
    party_corporate_number = serializers.CharField(max_length=13, required=False, allow_blank=True, default="")
    consignee_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    consignee_country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    transport_mode = serializers.ChoiceField(choices=Declaration.TransportMode.choices)
    vessel_or_flight = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    transport_document = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    invoice_number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    invoice_currency = serializers.CharField(max_length=3, required=False, default="JPY")
    incoterm = serializers.ChoiceField(choices=Declaration.Incoterm.choices, required=False, default="CIF")
    freight = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, default=0)
    insurance = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, default=0)
    declaration_date = serializers.DateField()
    lines = DeclarationLineInput(many=True, allow_empty=False, max_length=drafts.MAX_LINES)

    def split(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        data = dict(self.validated_data)
        return data, [dict(line) for line in data.pop("lines")]


class DeclarationCreateInput(DeclarationUpdateInput):
    kind = serializers.ChoiceField(choices=Declaration.Kind.choices)


class DeclarationAmendInput(DeclarationUpdateInput):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    preview = serializers.BooleanField(
        required=False, default=False, help_text=gettext_lazy("True: only show the diff and the tax difference.")
    )


class DeclarationLineOutput(serializers.ModelSerializer):
    class Meta:
        model = DeclarationLine
        fields = [
            "line_no", "hs_code", "description", "origin_country", "quantity", "unit", "net_weight_kg",
            "invoice_value", "preference", "epa_agreement", "origin_proof", "origin_proof_reference",
            "export_licence_number", "customs_value_jpy", "customs_duty_jpy", "rate_applied", "rate_basis",
            "rate_basis_label",
        ]  # fmt: skip

    rate_basis_label = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The legal basis (`rate_basis` is its code) in the request's language.")
    )


DECLARATION_SUMMARY_FIELDS = [
    "id", "number", "kind", "status", "lane", "version", "company", "office", "party_name", "declaration_date",
    "customs_value_jpy", "total_tax_jpy", "submitted_at", "created_at",
]  # fmt: skip


class DeclarationSummaryOutput(serializers.ModelSerializer):
    company = serializers.CharField(source="company.corporate_number")
    office = serializers.CharField(source="office.code")

    class Meta:
        model = Declaration
        fields = DECLARATION_SUMMARY_FIELDS


class RequiredActionOutput(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("documents_requested or goods_selected_for_inspection."))
    title = serializers.CharField()
    message = serializers.CharField()


class DeclarationOutput(DeclarationSummaryOutput):
    """A declaration as its trader sees it: the lane and what customs asks for, never why
    screening chose the lane."""

    lines = DeclarationLineOutput(many=True)
    allowed_actions = serializers.SerializerMethodField()
    required_action = serializers.SerializerMethodField()

    class Meta:
        model = Declaration
        fields = [
            *DECLARATION_SUMMARY_FIELDS,
            "party_corporate_number", "consignee_name", "consignee_country", "transport_mode", "vessel_or_flight",
            "transport_document", "invoice_number", "invoice_currency", "incoterm", "freight", "insurance",
            "decision_reason", "customs_duty_jpy", "consumption_tax_jpy", "local_consumption_tax_jpy",
            "decided_at", "permitted_at", "lines", "allowed_actions", "required_action",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=actions.Action.ALL)))
    def get_allowed_actions(self, declaration: Declaration) -> list[str]:
        """What the caller may do now: edit, precheck, submit, amend, attach, withdraw, decide."""
        request = self.context.get("request")
        return actions.declaration_allowed_actions(declaration=declaration, user=request.user) if request else []

    @extend_schema_field(RequiredActionOutput(allow_null=True))
    def get_required_action(self, declaration: Declaration) -> dict | None:
        action = reasons.required_action(declaration)
        if action is None:
            return None
        return {"code": action.code, "title": str(action.title), "message": str(action.message)}


class ScreeningReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    params = serializers.DictField()
    text = serializers.CharField(help_text=gettext_lazy("The reason in the request's language."))


class DeclarationOfficerOutput(DeclarationOutput):
    """What officers see besides: why screening chose the lane (traders never get this)."""

    screening_reasons = serializers.SerializerMethodField()

    class Meta(DeclarationOutput.Meta):
        fields = [*DeclarationOutput.Meta.fields, "screening_reasons"]

    @extend_schema_field(ScreeningReasonOutput(many=True))
    def get_screening_reasons(self, declaration: Declaration) -> list[dict]:
        stored = reasons_stored(declaration.screening_reasons)
        return [{**item, "text": text} for item, text in zip(stored, reasons_text(stored), strict=True)]


def declaration_output(declaration: Declaration, *, request) -> dict:
    """The declaration for the caller: officers also get the screening reasons."""
    serializer = DeclarationOfficerOutput if request.user.is_officer else DeclarationOutput
    return serializer(declaration, context={"request": request}).data


class DeclarationListInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Declaration.Status.choices, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=Declaration.Kind.choices, required=False, allow_blank=True, default="")
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)
    number = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)


def _declaration(request, declaration_id: int) -> Declaration:
    return selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)


def _detail(request, declaration: Declaration, status: int = 200) -> Response:
    declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration.pk)
    return Response(declaration_output(declaration, request=request), status=status)


class DeclarationListCreateApi(APIView):
    """GET: the declarations the caller may see, newest first. POST (traders): a new draft."""

    def get_permissions(self):
        return [IsAuthenticated(), IsTrader()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        parameters=[DeclarationListInput],
        responses=paginated("PaginatedDeclarationSummaryList", DeclarationSummaryOutput(many=True)),
        operation_id="v1_declarations_list",
        summary="List declarations",
    )
    def get(self, request):
        params = validate_or_raise(DeclarationListInput(data=request.query_params))
        declarations = selectors.declaration_list_for_user(user=request.user, filters=DeclarationFilters(**params))
        paginator = StandardPagination()
        page = paginator.paginate_queryset(declarations, request, view=self)
        return paginator.get_paginated_response(DeclarationSummaryOutput(page, many=True).data)

    @extend_schema(request=DeclarationCreateInput, responses={201: DeclarationOutput}, summary="Create a draft")
    def post(self, request):
        serializer = DeclarationCreateInput(data=request.data)
        validate_or_raise(serializer)
        data, lines = serializer.split()
        declaration = drafts.declaration_draft_create(
            company=request.user.company,
            declarant=request.user,
            kind=data.pop("kind"),
            data=data,
            lines=lines,
            source=Declaration.Source.API,
            request=request,
        )
        return _detail(request, declaration, status=201)


class DeclarationDetailApi(APIView):
    """GET: one declaration with its lines and the actions allowed now. PUT (traders):
    replace a draft's header and lines."""

    def get_permissions(self):
        return [IsAuthenticated(), IsTrader()] if self.request.method == "PUT" else [IsAuthenticated()]

    @extend_schema(responses=DeclarationOutput, summary="Get a declaration")
    def get(self, request, declaration_id: int):
        return _detail(request, _declaration(request, declaration_id))

    @extend_schema(request=DeclarationUpdateInput, responses=DeclarationOutput, summary="Update a draft")
    def put(self, request, declaration_id: int):
        declaration = _declaration(request, declaration_id)
        serializer = DeclarationUpdateInput(data=request.data)
        validate_or_raise(serializer)
        data, lines = serializer.split()
        drafts.declaration_draft_update(
            declaration=declaration, updated_by=request.user, data=data, lines=lines, request=request
        )
        return _detail(request, declaration)


class DeclarationSubmitApi(APIView):
    permission_classes = [IsAuthenticated, IsTrader]

    @extend_schema(request=None, responses=DeclarationOutput, summary="Submit a draft")
    def post(self, request, declaration_id: int):
        declaration = _declaration(request, declaration_id)
        submission.declaration_submit(declaration=declaration, submitted_by=request.user, request=request)
        return _detail(request, declaration)


class DeclarationWithdrawInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class DeclarationWithdrawApi(APIView):
    permission_classes = [IsAuthenticated, IsTrader]

    @extend_schema(request=DeclarationWithdrawInput, responses=DeclarationOutput, summary="Withdraw a declaration")
    def post(self, request, declaration_id: int):
        declaration = _declaration(request, declaration_id)
        data = validate_or_raise(DeclarationWithdrawInput(data=request.data))
        submission.declaration_withdraw(
            declaration=declaration, withdrawn_by=request.user, reason=data["reason"], request=request
        )
        return _detail(request, declaration)


class FieldChangeOutput(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField(help_text=gettext_lazy("The field's name in the request's language."))
    old = serializers.JSONField()
    new = serializers.JSONField()
    old_text = serializers.CharField(help_text=gettext_lazy("The old value as a person reads it."))
    new_text = serializers.CharField(help_text=gettext_lazy("The new value as a person reads it."))


class LineChangeOutput(serializers.Serializer):
    line_no = serializers.IntegerField()
    change = serializers.CharField()
    fields = FieldChangeOutput(many=True)


class DiffOutput(serializers.Serializer):
    header = FieldChangeOutput(many=True)
    lines = LineChangeOutput(many=True)


class TaxesOutput(serializers.Serializer):
    customs_duty_jpy = serializers.IntegerField()
    consumption_tax_jpy = serializers.IntegerField()
    local_consumption_tax_jpy = serializers.IntegerField()
    total_tax_jpy = serializers.IntegerField()


class AmendmentPreviewOutput(serializers.Serializer):
    diff = DiffOutput()
    taxes_before = TaxesOutput()
    taxes_after = TaxesOutput()
    tax_difference = TaxesOutput()


class VersionOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username")

    class Meta:
        model = DeclarationVersion
        fields = ["version", "reason", "created_by", "created_at", "snapshot"]


class DeclarationVersionsApi(APIView):
    """GET: the frozen versions. POST (traders): an amendment, i.e. a new version that
    goes back through screening; with `"preview": true` only the diff and tax difference."""

    def get_permissions(self):
        return [IsAuthenticated(), IsTrader()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(responses=VersionOutput(many=True), summary="List the versions of a declaration")
    def get(self, request, declaration_id: int):
        declaration = _declaration(request, declaration_id)
        versions = declaration.versions.select_related("created_by").order_by("version")
        return Response(VersionOutput(versions, many=True).data)

    @extend_schema(
        request=DeclarationAmendInput,
        responses={200: AmendmentPreviewOutput, 201: DeclarationOutput},
        summary="Amend a declaration (or preview the amendment)",
    )
    def post(self, request, declaration_id: int):
        declaration = _declaration(request, declaration_id)
        serializer = DeclarationAmendInput(data=request.data)
        validate_or_raise(serializer)
        data, lines = serializer.split()
        reason, preview = data.pop("reason"), data.pop("preview")
        if preview:
            result = amendments.declaration_amendment_preview(
                declaration=declaration, amended_by=request.user, data=data, lines=lines
            )
            return Response(AmendmentPreviewOutput(result).data)
        amendments.declaration_amend(
            declaration=declaration, amended_by=request.user, data=data, lines=lines, reason=reason, request=request
        )
        return _detail(request, declaration, status=201)


class DiffInput(serializers.Serializer):
    from_version = serializers.IntegerField(min_value=1)
    to_version = serializers.IntegerField(min_value=1)


class DeclarationDiffApi(APIView):
    @extend_schema(parameters=[DiffInput], responses=DiffOutput, summary="Diff between two versions")
    def get(self, request, declaration_id: int):
        declaration = _declaration(request, declaration_id)
        params = validate_or_raise(DiffInput(data=request.query_params))
        versions = {v.version: v.snapshot for v in declaration.versions.all()}
        missing = [key for key in ("from_version", "to_version") if params[key] not in versions]
        if missing:
            raise ApplicationError(
                _("No such version."),
                code="not_found",
                fields={key: [_("No such version.")] for key in missing},
                status=404,
            )
        diff = amendments.snapshot_diff(old=versions[params["from_version"]], new=versions[params["to_version"]])
        return Response(DiffOutput(diff).data)


class AttachmentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeclarationAttachment.Kind.choices)
    file = serializers.FileField(allow_empty_file=False)


class AttachmentOutput(serializers.ModelSerializer):
    class Meta:
        model = DeclarationAttachment
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class DeclarationAttachmentsApi(APIView):
    """GET: the documents of a declaration. POST (traders, multipart): add a PDF, JPEG or
    PNG of at most 10 MB, recognised by its content."""

    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self):
        return [IsAuthenticated(), IsTrader()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(responses=AttachmentOutput(many=True), summary="List a declaration's documents")
    def get(self, request, declaration_id: int):
        declaration = _declaration(request, declaration_id)
        return Response(AttachmentOutput(declaration.attachments.order_by("uploaded_at"), many=True).data)

    @extend_schema(request=AttachmentInput, responses={201: AttachmentOutput}, summary="Upload a document")
    def post(self, request, declaration_id: int):
        declaration = _declaration(request, declaration_id)
        data = validate_or_raise(AttachmentInput(data=request.data))
        attachment = attachments.declaration_attachment_add(
            declaration=declaration, uploaded_by=request.user, kind=data["kind"], file=data["file"], request=request
        )
        return Response(AttachmentOutput(attachment).data, status=201)


class DeclarationDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=decisions.Decision.CHOICES)
    reason = serializers.CharField(max_length=2000)


class DeclarationDecideApi(APIView):
    permission_classes = [IsAuthenticated, IsOfficer]

    @extend_schema(
        request=DeclarationDecisionInput, responses=DeclarationOfficerOutput, summary="Officer decision with a reason"
    )
    def post(self, request, declaration_id: int):
        declaration = _declaration(request, declaration_id)
        data = validate_or_raise(DeclarationDecisionInput(data=request.data))
        decisions.declaration_decide(
            declaration=declaration,
            officer=request.user,
            decision=data["decision"],
            reason=data["reason"],
            request=request,
        )
        return _detail(request, declaration)


class FindingOutput(serializers.Serializer):
    severity = serializers.CharField()
    severity_label = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(help_text=gettext_lazy("The field's path, e.g. lines[0].hs_code."))
    field_label = serializers.CharField(help_text=gettext_lazy("The field as a person reads it."))
    message = serializers.CharField()
    fix = serializers.CharField()


class DeclarationPrecheckApi(APIView):
    """The pre-submission check: every finding, most serious first. Changes nothing."""

    permission_classes = [IsAuthenticated, IsTraderOrOfficer]

    @extend_schema(
        responses=inline_serializer(
            "PrecheckOutput",
            {
                "declaration": serializers.CharField(),
                "would_be_rejected": serializers.BooleanField(),
                "findings": FindingOutput(many=True),
            },
        )
    )
    def get(self, request, declaration_id: int):
        declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
        actions.declaration_action_check(declaration=declaration, user=request.user, action=actions.Action.PRECHECK)
        findings = precheck.declaration_precheck(declaration=declaration)
        return Response(
            {
                "declaration": declaration.number,
                "would_be_rejected": any(finding.severity == precheck.Severity.REJECT for finding in findings),
                "findings": [finding.as_dict() for finding in findings],
            }
        )


class TimelineEntryOutput(serializers.Serializer):
    changed_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Declaration.Status.choices)
    status_label = serializers.CharField()
    actor = serializers.CharField(help_text=gettext_lazy("Who acted: a username, or Customs for the portal."))
    note = serializers.CharField(allow_blank=True)


class DeclarationTimelineApi(APIView):
    """The declaration's status changes, oldest first, as the caller may see them (a trader
    sees "Customs" where the portal acted, and no screening reasons)."""

    permission_classes = [IsAuthenticated, IsTraderOrOfficer]

    @extend_schema(responses=TimelineEntryOutput(many=True), summary="A declaration's timeline")
    def get(self, request, declaration_id: int):
        declaration = _declaration(request, declaration_id)
        entries = selectors.declaration_timeline(declaration=declaration, user=request.user)
        return Response(TimelineEntryOutput(entries, many=True).data)


def _seconds(value) -> int | None:
    return int(value.total_seconds()) if value is not None else None


class DeclarationWaitingForApi(APIView):
    """What the declaration waits for and the typical time of that step at its office."""

    permission_classes = [IsAuthenticated, IsTraderOrOfficer]

    @extend_schema(
        responses=inline_serializer(
            "WaitingForOutput",
            {
                "waiting_for": serializers.CharField(allow_null=True),
                "label": serializers.CharField(),
                "since": serializers.DateTimeField(allow_null=True),
                "waited_seconds": serializers.IntegerField(allow_null=True),
                "typical": serializers.DictField(allow_null=True),
            },
        )
    )
    def get(self, request, declaration_id: int):
        declaration = selectors.declaration_get_for_user(user=request.user, declaration_id=declaration_id)
        waiting = timings.declaration_waiting_for(declaration=declaration)
        if waiting is None:
            return Response({"waiting_for": None, "label": "", "since": None, "waited_seconds": None, "typical": None})
        typical = waiting.typical
        return Response(
            {
                "waiting_for": waiting.step,
                "label": waiting.label,
                "since": waiting.since,
                "waited_seconds": _seconds(waiting.waited),
                "typical": None
                if typical is None
                else {
                    "median_seconds": _seconds(typical.median),
                    "p90_seconds": _seconds(typical.p90),
                    "samples": typical.samples,
                    "scope": typical.scope,
                },
            }
        )
