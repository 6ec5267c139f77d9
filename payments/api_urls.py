from __future__ import annotations

from django.urls import path

from payments import api

urlpatterns = [
    path("payments/assessments/", api.AssessmentListApi.as_view(), name="api-payments-assessments"),
    path("payments/", api.PaymentListApi.as_view(), name="api-payments"),
    path("payments/create/", api.PaymentCreateApi.as_view(), name="api-payments-create"),
    path("payments/<int:payment_id>/", api.PaymentDetailApi.as_view(), name="api-payments-detail"),
    path("payments/<int:payment_id>/cancel/", api.PaymentCancelApi.as_view(), name="api-payments-cancel"),
    path("payments/<int:payment_id>/refunds/", api.RefundCreateApi.as_view(), name="api-payments-refund"),
    path("payments/refunds/", api.RefundListApi.as_view(), name="api-payments-refunds"),
    path("payments/refunds/<int:refund_id>/decide/", api.RefundDecideApi.as_view(), name="api-payments-refund-decide"),
    path(
        "payments/assessments/<int:assessment_id>/defer/", api.AssessmentDeferApi.as_view(), name="api-payments-defer"
    ),
    path("payments/receipts/<int:receipt_id>/", api.ReceiptDetailApi.as_view(), name="api-payments-receipt"),
    path("payments/reconciliation/", api.ReconciliationListApi.as_view(), name="api-payments-reconciliation"),
    path(
        "payments/reconciliation/<int:item_id>/resolve/",
        api.ReconciliationResolveApi.as_view(),
        name="api-payments-reconciliation-resolve",
    ),
    path("payments/deferrals/", api.DeferralApproveApi.as_view(), name="api-payments-deferral-approve"),
    path("payments/daily-totals/", api.DailyTotalsApi.as_view(), name="api-payments-daily-totals"),
    path("payments/ledger/balances/", api.LedgerBalanceApi.as_view(), name="api-payments-ledger"),
    # The gate kiosk (Authorization: Kiosk <token>).
    path("kiosk/payments/", api.KioskPaymentCreateApi.as_view(), name="api-kiosk-payments"),
    path("kiosk/payments/<int:payment_id>/", api.KioskPaymentDetailApi.as_view(), name="api-kiosk-payment"),
    path("kiosk/decisions/<int:decision_id>/desk/", api.KioskDeskChoiceApi.as_view(), name="api-kiosk-desk-choice"),
]
