from __future__ import annotations

from django.apps import apps
from django.urls import include, path

from payments import views

urlpatterns = [
    path("payments/", views.payments_home, name="payments-home"),
    path("payments/assessments/<int:assessment_id>/pay/", views.assessment_pay, name="payments-pay"),
    path("payments/<int:payment_id>/", views.payment_detail, name="payments-detail"),
    path("payments/<int:payment_id>/return/", views.payment_return, name="payments-return"),
    path("payments/<int:payment_id>/cancel/", views.payment_cancel, name="payments-cancel"),
    path("payments/<int:payment_id>/refund/", views.refund_create, name="payments-refund"),
    path("payments/receipts/<int:receipt_id>/", views.receipt_detail, name="payments-receipt"),
    path("payments/receipts/<int:receipt_id>/pdf/", views.receipt_download, name="payments-receipt-pdf"),
    path("payments/officer/", views.officer_payments, name="payments-officer"),
    path("payments/assessments/<int:assessment_id>/defer/", views.assessment_defer, name="payments-defer"),
    path("payments/officer/reconciliation/", views.reconciliation, name="payments-reconciliation"),
    path(
        "payments/officer/reconciliation/<int:item_id>/resolve/",
        views.reconciliation_resolve,
        name="payments-reconciliation-resolve",
    ),
    path("payments/officer/refunds/", views.refund_approvals, name="payments-refund-approvals"),
    path("payments/officer/deferrals/", views.deferral_approvals, name="payments-deferrals"),
    path("payments/refunds/<int:refund_id>/decide/", views.refund_decide, name="payments-refund-decide"),
    path("payments/webhooks/gateway/", views.gateway_webhook, name="payments-gateway-webhook"),
]
# The sandbox gateway's hosted payment page exists only where its app is installed.
if apps.is_installed("payments.sandbox"):
    urlpatterns.append(path("sandbox-gateway/", include("payments.sandbox.urls")))
