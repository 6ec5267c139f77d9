"""Data of the inspection list's charts, from stored scores and officers' results."""

from __future__ import annotations

import numpy as np
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from customs_portal import ml_registry
from inspection.models import InspectionResult, RiskScore
from inspection.services import MODEL_NAME

BINS = [0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0001]


def inspection_charts() -> dict:
    """The three charts of the inspection list: how stored scores spread, how much revenue
    the served model caught on its hold-out at each inspection rate, and the monthly share
    of physical inspections that found a discrepancy. Labels are in the reader's language."""
    probabilities = np.array(
        list(RiskScore.objects.order_by("-id").values_list("probability", flat=True)[:20000]), dtype="float64"
    )
    counts, _edges = np.histogram(probabilities, bins=BINS)
    active = ml_registry.model_version_active(name=MODEL_NAME)
    holdout = (active.metrics or {}).get("holdout", {}) if active else {}
    captured = [
        {"rate": k, "revenue": holdout.get(f"revenue@{k}%"), "precision": holdout.get(f"precision@{k}%")}
        for k in (1, 2, 5, 10)
    ]
    monthly = (
        InspectionResult.objects.filter(kind=InspectionResult.Kind.INSPECTION)
        .annotate(month=TruncMonth("recorded_at"))
        .values("month")
        .annotate(total=Count("id"), found=Count("id", filter=Q(outcome=InspectionResult.Outcome.DISCREPANCY)))
        .order_by("month")
    )
    return {
        "distribution": {
            "label": _("Scored declarations"),
            "labels": [f"{a:.2f}–{min(b, 1):.2f}" for a, b in zip(BINS, BINS[1:], strict=False)],
            "counts": counts.tolist(),
        },
        "captured": captured,
        "captured_label": _("Share of revenue caught"),
        "precision": [
            {"month": m["month"].strftime("%Y-%m"), "precision": round(m["found"] / m["total"], 3)} for m in monthly
        ],
        "precision_label": _("Share of inspections that found a discrepancy"),
    }
