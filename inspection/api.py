"""Officers' API: the inspection list as JSON (traders never see risk scores)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from customs_portal.permissions import IsOfficer
from customs_portal.reasons import reasons_stored
from inspection import selectors, services
from inspection.forms import InspectionListFilterForm
from inspection.reasons import reasons_text


class RiskScoreOutput(serializers.Serializer):
    declaration = serializers.CharField(source="declaration.number")
    declaration_id = serializers.IntegerField()
    declaration_version = serializers.IntegerField()
    office = serializers.CharField(source="office.code")
    lane = serializers.CharField(source="declaration.lane")
    model = serializers.CharField(source="model_label")
    probability = serializers.FloatField()
    expected_revenue_jpy = serializers.IntegerField()
    exploration = serializers.BooleanField()
    reasons = serializers.SerializerMethodField()
    reason_codes = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    def get_allowed_actions(self, score) -> list[str]:
        """The results the caller may record on this declaration now ("record_inspection",
        "record_post_clearance_audit"): what the result form and its service allow."""
        return services.inspection_result_allowed_actions(
            declaration=score.declaration,
            user=self.context["request"].user,
            recorded=selectors.recorded_kinds(score),
            inspected=selectors.score_inspected(score),
        )

    def get_reasons(self, score) -> list[str]:
        return reasons_text(score.reasons)

    def get_reason_codes(self, score) -> list[dict]:
        return reasons_stored(score.reasons)


class InspectionListApi(ListAPIView):
    """Open declarations ranked by expected additional revenue (`?sort=probability` to rank
    by probability); the same filters as the page: office, date_from, date_to, chapter,
    importer, lane."""

    permission_classes = [IsOfficer]
    serializer_class = RiskScoreOutput

    @extend_schema(summary="The inspection list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        form = InspectionListFilterForm(self.request.query_params or None)
        filters = form.cleaned_data if form.is_valid() else {}
        return selectors.inspection_list(**{k: v for k, v in filters.items() if v})
