"""API of export counts per month and lane."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from customs_portal.permissions import IsTraderOrOfficer
from declarations.export_control import services as export_control


class ExportCountsApi(APIView):
    """Export declarations per company per month (a trader: its own company only)."""

    permission_classes = [IsAuthenticated, IsTraderOrOfficer]

    @extend_schema(
        responses=inline_serializer(
            "ExportCountsOutput",
            {"months": serializers.ListField(child=serializers.CharField()), "companies": serializers.ListField()},
        )
    )
    def get(self, request):
        series = export_control.export_counts_by_company(user=request.user)
        return Response(
            {
                "months": series.months,
                "companies": [{"company": name, "counts": counts} for name, counts in series.companies],
            }
        )
