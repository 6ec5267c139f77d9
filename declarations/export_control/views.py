"""The export chart: a company's export declarations per month and lane."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from customs_portal.permissions import ANY_OFFICER, TRADER, role_required
from declarations.export_control import services as export_control


@require_GET
@login_required
@role_required(*ANY_OFFICER, *TRADER)
def export_chart(request: HttpRequest) -> HttpResponse:
    """Export declarations per company per month: all companies for officers, the
    trader's own company for a trader."""
    series = export_control.export_counts_by_company(user=request.user)
    chart = {
        "labels": series.months,
        "datasets": [{"label": name, "data": counts} for name, counts in series.companies],
    }
    return render(
        request,
        "declarations/applications/export_chart.html",
        {"series": series, "chart": chart},
    )
