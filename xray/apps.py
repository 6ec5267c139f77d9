from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class XrayConfig(AppConfig):
    name = "xray"
    verbose_name = _("X-ray parcel screening")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from customs_portal.ml_registry import model_version_promoting
        from customs_portal.reasons import reason_wording_register
        from xray.screening import reasons, services

        reason_wording_register(reasons.reason_text)
        # dispatch_uid: connected once however often ready() runs (tests, autoreload).
        model_version_promoting.connect(services.xray_screening_resume, dispatch_uid="xray.screening_resume")
