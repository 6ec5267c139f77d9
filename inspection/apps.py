from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "inspection"
    verbose_name = _("Risk scoring and inspection")

    def ready(self) -> None:
        from customs_portal.dashboard import register_queue_counter
        from customs_portal.ml_registry import model_version_promoting
        from customs_portal.reasons import reason_wording_register
        from declarations.hooks import register_lane_assigner
        from inspection import reasons, receivers, selectors, services

        register_lane_assigner(services.risk_lane_assign, bulk=services.risk_lanes_assign)
        reason_wording_register(reasons.reason_text)
        # dispatch_uid: connected once however often ready() runs (tests, autoreload).
        model_version_promoting.connect(
            receivers.risk_rescore_on_promotion, dispatch_uid="inspection.risk_rescore_on_promotion"
        )
        register_queue_counter("post_clearance_audit", counter=selectors.audit_queue_count, url="/inspection/audit/")
        register_queue_counter(
            "probably_wrong", counter=selectors.probably_wrong_count, url="/inspection/probably-wrong/"
        )
