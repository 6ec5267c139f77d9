"""The declarations app's admin, defined by job; the admin site's autodiscovery imports
this module."""

from __future__ import annotations

from declarations.applications import admin as applications_admin
from declarations.export_control import admin as export_control_admin

__all__ = ["applications_admin", "export_control_admin"]
