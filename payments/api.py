"""API of the payments app, one view per operation."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from customs_portal.api.validation import validate_or_raise
from customs_portal.errors import ApplicationError
from customs_portal.permissions import IsFinanceOfficer, IsOfficer, IsSupervisor, IsTrader, IsTraderOrOfficer
from declarations.travellers.api import IsKiosk, KioskAuthentication, KioskThrottle
from payments import ledger, selectors, services
from payments.models import Assessment, PaymentIntent, PaymentMethod, Refund


def _actions_field(*actions: str) -> serializers.ListField:
    """The schema of an `allowed_actions` list: what the requesting user may do now."""
    return serializers.ListField(child=serializers.ChoiceField(choices=actions))


def _request_user(serializer: serializers.Serializer):
    return serializer.context["request"].user


# The output serializers need the request in their context, for `allowed_actions`.
class AssessmentOutput(serializers.ModelSerializer):
    declaration_number = serializers.CharField(source="declaration.number", default=None)
    outstanding_jpy = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "reference",
            "kind",
            "declaration_number",
            "customs_duty_jpy",
            "consumption_tax_jpy",
            "local_consumption_tax_jpy",
            "total_jpy",
            "outstanding_jpy",
            "due_date",
            "status",
            "allowed_actions",
        ]

    def get_outstanding_jpy(self, assessment: Assessment) -> int:
        return assessment.total_jpy if assessment.status == Assessment.Status.OPEN else 0

    @extend_schema_field(_actions_field("pay", "defer"))
    def get_allowed_actions(self, assessment: Assessment) -> list[str]:
        return services.assessment_allowed_actions(assessment=assessment, user=_request_user(self))


class PaymentOutput(serializers.ModelSerializer):
    """`failure_code` is stable for programs; `failure_message` says the same in the
    request's language. `allowed_actions` lists what the requesting user may do now."""

    reference = serializers.CharField(source="__str__")
    assessment = serializers.CharField(source="assessment.reference")
    receipt_number = serializers.SerializerMethodField()
    failure_message = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = PaymentIntent
        fields = [
            "id",
            "reference",
            "assessment",
            "method",
            "amount_jpy",
            "refunded_jpy",
            "status",
            "card_last4",
            "failure_code",
            "failure_message",
            "redirect_url",
            "expires_at",
            "succeeded_at",
            "created_at",
            "receipt_number",
            "allowed_actions",
        ]

    def get_receipt_number(self, payment: PaymentIntent) -> str | None:
        receipt = getattr(payment, "receipt", None)
        return receipt.number if receipt else None

    def get_failure_message(self, payment: PaymentIntent) -> str | None:
        return payment.failure_message or None

    @extend_schema_field(_actions_field("continue", "cancel", "refund", "receipt"))
    def get_allowed_actions(self, payment: PaymentIntent) -> list[str]:
        return services.payment_allowed_actions(payment=payment, user=_request_user(self))


class RefundOutput(serializers.ModelSerializer):
    payment = serializers.CharField(source="payment.__str__")
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Refund
        fields = ["id", "payment", "amount_jpy", "reason", "status", "created_at", "decided_at", "allowed_actions"]

    @extend_schema_field(_actions_field("approve", "reject"))
    def get_allowed_actions(self, refund: Refund) -> list[str]:
        return services.refund_allowed_actions(refund=refund, user=_request_user(self))


class AssessmentListApi(ListAPIView):
    permission_classes = [IsTraderOrOfficer]
    serializer_class = AssessmentOutput

    def get_queryset(self):
        return selectors.assessment_list_for_user(user=self.request.user)


class PaymentListApi(ListAPIView):
    permission_classes = [IsTraderOrOfficer]
    serializer_class = PaymentOutput

    def get_queryset(self):
        params = self.request.query_params
        return selectors.payment_list_for_user(
            user=self.request.user,
            query=params.get("q", ""),
            status=params.get("status", ""),
            method=params.get("method", ""),
        )


class PaymentCreateApi(APIView):
    """Starts a payment. The amount is the assessment's: an amount sent in the body is
    ignored. Needs an Idempotency-Key header."""

    permission_classes = [IsTraderOrOfficer]

    class PaymentCreateInput(serializers.Serializer):
        assessment = serializers.IntegerField()
        method = serializers.ChoiceField(choices=PaymentMethod.choices)

    @extend_schema(
        request=PaymentCreateInput,
        responses={201: PaymentOutput, 200: PaymentOutput},
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True)],
    )
    def post(self, request):
        serializer = self.PaymentCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = selectors.assessment_get_for_user(
            user=request.user, assessment_id=serializer.validated_data["assessment"]
        )
        payment, created = services.payment_create(
            assessment=assessment,
            method=serializer.validated_data["method"],
            created_by=request.user,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            return_url=request.build_absolute_uri(reverse("payments-return", args=[0])).replace(
                "/0/", "/{payment_id}/"
            ),
            request=request,
        )
        return Response(
            PaymentOutput(payment, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PaymentDetailApi(APIView):
    permission_classes = [IsTraderOrOfficer]

    @extend_schema(responses=PaymentOutput)
    def get(self, request, payment_id: int):
        payment = selectors.payment_get_for_user(user=request.user, payment_id=payment_id)
        return Response(PaymentOutput(payment, context={"request": request}).data)


class PaymentCancelApi(APIView):
    """The payer cancels a payment still open, so that the assessment can be paid again;
    409 once the gateway has captured it."""

    permission_classes = [IsTrader]

    @extend_schema(request=None, responses=PaymentOutput)
    def post(self, request, payment_id: int):
        payment = selectors.payment_get_for_user(user=request.user, payment_id=payment_id)
        payment = services.payment_cancel(payment=payment, cancelled_by=request.user, request=request)
        return Response(PaymentOutput(payment, context={"request": request}).data)


class RefundCreateApi(APIView):
    permission_classes = [IsFinanceOfficer]

    class RefundCreateInput(serializers.Serializer):
        amount_jpy = serializers.IntegerField(min_value=1, max_value=10**12)
        reason = serializers.CharField(max_length=300)

    @extend_schema(request=RefundCreateInput, responses={201: RefundOutput})
    def post(self, request, payment_id: int):
        payment = selectors.payment_get_for_user(user=request.user, payment_id=payment_id)
        serializer = self.RefundCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund = services.refund_request(
            payment=payment, requested_by=request.user, request=request, **serializer.validated_data
        )
        return Response(RefundOutput(refund, context={"request": request}).data, status=status.HTTP_201_CREATED)


class RefundListApi(ListAPIView):
    permission_classes = [IsTraderOrOfficer]
    serializer_class = RefundOutput

    def get_queryset(self):
        return selectors.refund_list_for_user(user=self.request.user)


class RefundDecideApi(APIView):
    permission_classes = [IsSupervisor]

    class RefundDecideInput(serializers.Serializer):
        approve = serializers.BooleanField()

    @extend_schema(request=RefundDecideInput, responses=RefundOutput)
    def post(self, request, refund_id: int):
        refund = selectors.refund_list_for_user(user=request.user).filter(pk=refund_id).first()
        if refund is None:
            raise ApplicationError(_("Not found."), code="not_found", status=404)
        serializer = self.RefundDecideInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund = services.refund_decide(
            refund=refund, approve=serializer.validated_data["approve"], decided_by=request.user, request=request
        )
        return Response(RefundOutput(refund, context={"request": request}).data)


class LedgerBalanceApi(APIView):
    """Balances per account, overall or for one company (officers) — a trader sees its own."""

    permission_classes = [IsTraderOrOfficer]

    @extend_schema(
        parameters=[OpenApiParameter("company", OpenApiTypes.INT), OpenApiParameter("declaration", OpenApiTypes.INT)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        company = request.user.company_id if request.user.is_trader else request.query_params.get("company")
        declaration = request.query_params.get("declaration")
        try:
            company_id = int(company) if company else None
            declaration_id = int(declaration) if declaration else None
        except ValueError:
            raise ApplicationError(_("company and declaration must be ids."), code="validation_error") from None
        return Response({"balances": ledger.balances(company_id=company_id, declaration_id=declaration_id)})


class AssessmentDeferApi(APIView):
    """Deferred payment: releases the declaration now, up to the unused security."""

    permission_classes = [IsTraderOrOfficer]

    @extend_schema(request=None, responses=AssessmentOutput)
    def post(self, request, assessment_id: int):
        from payments.deferral import assessment_defer

        assessment = selectors.assessment_get_for_user(user=request.user, assessment_id=assessment_id)
        deferred = assessment_defer(assessment=assessment, requested_by=request.user, request=request)
        return Response(AssessmentOutput(deferred, context={"request": request}).data)


class ReceiptOutput(serializers.Serializer):
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    payment = serializers.CharField(source="payment.__str__")
    amount_jpy = serializers.IntegerField(source="payment.amount_jpy")
    pdf_ja = serializers.SerializerMethodField()
    pdf_en = serializers.SerializerMethodField()

    def get_pdf_ja(self, receipt) -> str:
        return reverse("payments-receipt-pdf", args=[receipt.pk]) + "?lang=ja"

    def get_pdf_en(self, receipt) -> str:
        return reverse("payments-receipt-pdf", args=[receipt.pk]) + "?lang=en"


class ReceiptDetailApi(APIView):
    permission_classes = [IsTraderOrOfficer]

    @extend_schema(responses=ReceiptOutput)
    def get(self, request, receipt_id: int):
        return Response(ReceiptOutput(selectors.receipt_get_for_user(user=request.user, receipt_id=receipt_id)).data)


class ReconciliationItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    day = serializers.DateField(source="settlement.day")
    kind = serializers.CharField()
    reference = serializers.CharField()
    ledger_jpy = serializers.IntegerField(allow_null=True)
    file_jpy = serializers.IntegerField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution_note = serializers.CharField()


class ReconciliationOutput(serializers.Serializer):
    open_counts = serializers.DictField(child=serializers.IntegerField(), help_text="Open items per kind.")
    items = ReconciliationItemOutput(many=True)


class ReconciliationListApi(APIView):
    permission_classes = [IsOfficer]

    @extend_schema(responses=ReconciliationOutput)
    def get(self, request):
        overview = selectors.reconciliation_overview()
        return Response(
            {
                "open_counts": {kind: count for kind, _label, count in overview["counts"]},
                "items": ReconciliationItemOutput(overview["items"], many=True).data,
            }
        )


class ReconciliationResolveApi(APIView):
    permission_classes = [IsFinanceOfficer]

    class ReconciliationResolveInput(serializers.Serializer):
        note = serializers.CharField(max_length=500)

    @extend_schema(request=ReconciliationResolveInput, responses=ReconciliationItemOutput)
    def post(self, request, item_id: int):
        from payments.models import ReconciliationItem
        from payments.reconciliation import reconciliation_item_resolve

        item = ReconciliationItem.objects.filter(pk=item_id).first()
        if item is None:
            raise ApplicationError(_("Not found."), code="not_found", status=404)
        serializer = self.ReconciliationResolveInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        reconciliation_item_resolve(
            item=item, note=serializer.validated_data["note"], resolved_by=request.user, request=request
        )
        item.refresh_from_db()
        return Response(ReconciliationItemOutput(item).data)


class DailyTotalsApi(APIView):
    permission_classes = [IsOfficer]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(selectors.daily_totals_by_method())


class DeferralApproveApi(APIView):
    """A supervisor approves a company for deferred payment with its registered security."""

    permission_classes = [IsSupervisor]

    class DeferralApproveInput(serializers.Serializer):
        company = serializers.IntegerField()
        security_jpy = serializers.IntegerField(min_value=1, max_value=10**13)

    @extend_schema(request=DeferralApproveInput, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        from customs_portal.models import Company
        from payments.deferral import deferral_approve, security_unused_jpy

        serializer = self.DeferralApproveInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = Company.objects.filter(pk=serializer.validated_data["company"]).first()
        if company is None:
            raise ApplicationError(_("No such company."), code="not_found", status=404)
        approval = deferral_approve(
            company=company,
            security_jpy=serializer.validated_data["security_jpy"],
            approved_by=request.user,
            request=request,
        )
        return Response(
            {
                "company": company.pk,
                "security_jpy": approval.security_jpy,
                "unused_security_jpy": security_unused_jpy(company_id=company.pk),
            },
            status=status.HTTP_201_CREATED,
        )


# --- The gate kiosk: a traveller pays the duty -----------------------------------------


class _KioskPaymentApi(APIView):
    """Authenticated as a registered kiosk (`Authorization: Kiosk <token>`)."""

    authentication_classes = [KioskAuthentication]
    permission_classes = [IsKiosk]
    throttle_classes = [KioskThrottle]


KIOSK_METHODS = [(PaymentMethod.CARD.value, PaymentMethod.CARD.label), (PaymentMethod.QR.value, PaymentMethod.QR.label)]


class KioskReceiptOutput(serializers.Serializer):
    """What the kiosk shows on its screen: nothing about the traveller."""

    number = serializers.CharField()
    amount_jpy = serializers.IntegerField(source="payment.amount_jpy")
    method = serializers.CharField(source="payment.method")
    paid_at = serializers.DateTimeField(source="issued_at")


class KioskPaymentOutput(serializers.Serializer):
    """`gate_open` is true once the duty is paid and the traveller may go through."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    method = serializers.CharField()
    amount_jpy = serializers.IntegerField()
    redirect_url = serializers.SerializerMethodField()
    failure_message = serializers.SerializerMethodField()
    gate_open = serializers.SerializerMethodField()
    receipt = serializers.SerializerMethodField()

    def get_redirect_url(self, payment: PaymentIntent) -> str:
        return payment.redirect_url if payment.status in PaymentIntent.OPEN_STATUSES else ""

    def get_failure_message(self, payment: PaymentIntent) -> str:
        return payment.failure_message

    def get_gate_open(self, payment: PaymentIntent) -> bool:
        declaration = payment.assessment.traveller_declaration
        return bool(declaration and declaration.status == declaration.Status.GATE)

    @extend_schema_field(KioskReceiptOutput(allow_null=True))
    def get_receipt(self, payment: PaymentIntent) -> dict | None:
        receipt = getattr(payment, "receipt", None) if payment.status in PaymentIntent.CAPTURED_STATUSES else None
        return KioskReceiptOutput(receipt).data if receipt else None


class KioskPaymentCreateApi(_KioskPaymentApi):
    """Starts paying the duty of one of this kiosk's decisions by card or smartphone QR
    at the gateway; the kiosk sends the traveller to `redirect_url`, which comes back to
    /kiosk/. Needs an Idempotency-Key header (a retry returns the same payment)."""

    class KioskPaymentInput(serializers.Serializer):
        decision = serializers.IntegerField(min_value=1, max_value=2**62)
        method = serializers.ChoiceField(choices=KIOSK_METHODS)

    @extend_schema(
        request=KioskPaymentInput,
        responses={201: KioskPaymentOutput, 200: KioskPaymentOutput},
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True)],
        summary="Pay a traveller's duty at the kiosk",
    )
    def post(self, request):
        data = validate_or_raise(self.KioskPaymentInput(data=request.data))
        decision = selectors.kiosk_decision_get(kiosk=request.auth, decision_id=data["decision"])
        assessment = getattr(decision.declaration, "assessment", None) if decision.declaration_id else None
        if assessment is None or decision.lane != "gate" or decision.duty_jpy <= 0:
            raise ApplicationError(_("There is no duty to pay for this decision."), code="nothing_owed", status=409)
        return_url = request.build_absolute_uri(reverse("kiosk-home")) + "?payment={payment_id}"
        payment, created = services.payment_create(
            assessment=assessment,
            method=data["method"],
            created_by=request.user,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            return_url=return_url,
            request=request,
        )
        return Response(KioskPaymentOutput(payment).data, status=201 if created else 200)


class KioskPaymentDetailApi(_KioskPaymentApi):
    """The status of a payment this kiosk took; an open one is first checked with the
    gateway, so the kiosk learns the outcome even before the gateway's notification."""

    @extend_schema(responses=KioskPaymentOutput, summary="A kiosk payment's status and receipt")
    def get(self, request, payment_id: int):
        payment = selectors.kiosk_payment_get(kiosk=request.auth, payment_id=payment_id)
        if payment.status in PaymentIntent.OPEN_STATUSES and payment.gateway_token:
            services.payment_sync_from_gateway(payment_id=payment.pk, system="payments:kiosk")
            payment = selectors.kiosk_payment_get(kiosk=request.auth, payment_id=payment_id)
        return Response(KioskPaymentOutput(payment).data)


class KioskDeskChoiceApi(_KioskPaymentApi):
    """The traveller pays at the officer desk instead: an open payment is cancelled at
    the gateway and the traveller is sent to the desk (`lane` desk), unless the gateway
    had taken the payment already (`lane` gate)."""

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "KioskDeskChoiceOutput",
                {"lane": serializers.CharField(), "messages": serializers.ListField(child=serializers.CharField())},
            )
        },
        summary="Pay at the officer desk instead",
    )
    def post(self, request, decision_id: int):
        decision = selectors.kiosk_decision_get(kiosk=request.auth, decision_id=decision_id)
        if not decision.declaration_id or decision.lane != "gate" or decision.duty_jpy <= 0:
            raise ApplicationError(_("There is no duty to pay for this decision."), code="nothing_owed", status=409)
        declaration = services.traveller_duty_desk_choose(kiosk=request.auth, decision=decision)
        if declaration.status == declaration.Status.GATE:
            return Response({"lane": "gate", "messages": [_("The duty has already been paid.")]})
        return Response({"lane": "desk", "messages": [_("Please pay the duty at the officer desk.")]})
