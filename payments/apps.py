from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from customs_portal.dashboard import register_queue_counter
        from customs_portal.notifications import notification_wording_register
        from declarations import hooks
        from payments import checks, notifications, receivers, selectors  # noqa: F401  (checks registers itself)
        from xray import hooks as xray_hooks

        notification_wording_register(notifications.notification_wording)

        # dispatch_uid: connected once however often ready() runs (tests, autoreload).
        hooks.declaration_awaiting_payment.connect(
            receivers.assessment_on_awaiting_payment, dispatch_uid="payments.assessment_on_awaiting_payment"
        )
        hooks.declarations_awaiting_payment.connect(
            receivers.assessments_on_awaiting_payment, dispatch_uid="payments.assessments_on_awaiting_payment"
        )
        hooks.traveller_duty_due.connect(
            receivers.assessment_on_traveller_duty_due, dispatch_uid="payments.assessment_on_traveller_duty_due"
        )
        xray_hooks.parcel_duty_due.connect(
            receivers.assessment_on_parcel_duty_due, dispatch_uid="payments.assessment_on_parcel_duty_due"
        )
        register_queue_counter(
            "refund_approvals", counter=selectors.refund_approvals_count, url="/payments/officer/refunds/"
        )

        from customs_portal.dashboard import register_trader_summary

        register_trader_summary("amounts_due", summary=selectors.amounts_due_for_user)
