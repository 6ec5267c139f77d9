from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Declarations")

    def ready(self) -> None:
        from customs_portal.dashboard import register_queue_counter
        from customs_portal.notifications import notification_wording_register
        from customs_portal.reasons import reason_wording_register
        from declarations import notifications
        from declarations.core import reasons, selectors
        from declarations.core.models import Declaration

        reason_wording_register(reasons.reason_wording)
        notification_wording_register(notifications.notification_wording)

        register_queue_counter(
            "declarations_review",
            counter=lambda user: selectors.declaration_queue_count(
                user=user, status=Declaration.Status.DOCUMENT_REVIEW
            ),
            url="/officer/declarations/?status=document_review",
        )
        register_queue_counter(
            "inspections",
            counter=lambda user: selectors.declaration_queue_count(user=user, status=Declaration.Status.INSPECTION),
            url="/officer/declarations/?status=inspection",
        )

        from customs_portal.dashboard import register_trader_summary
        from declarations.applications import services as applications

        register_queue_counter("applications", counter=applications.application_queue_count, url="/applications/")
        register_trader_summary("declarations", summary=selectors.declaration_open_counts_for_user)
