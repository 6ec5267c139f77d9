"""Data of the monitoring page's chart (drawn by Chart.js from json_script, as the
inspection lists draw theirs), in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _


def monitoring_chart(series: list[dict]) -> dict:
    """One line per model version and sample (every parcel with a finding, the random
    control sample alone): the weekly share of parcels where the model's decision
    matched what officers found. A week without such parcels is a gap, not a zero."""
    weeks = sorted({row["week"] for row in series})
    versions = sorted({row["version"] for row in series}, key=lambda version: (version is None, version or 0))
    by_key = {(row["version"], row["week"]): row for row in series}
    datasets = []
    for version in versions:
        name = _("version %(version)s") % {"version": version} if version is not None else _("no model")
        for sample, label in (
            ("all", _("%(version)s, every confirmed parcel")),
            ("control", _("%(version)s, random control sample")),
        ):
            values = [by_key.get((version, week), {}).get(sample, {}).get("accuracy") for week in weeks]
            if any(value is not None for value in values):
                datasets.append({"label": label % {"version": name}, "data": values, "sample": sample})
    return {
        "labels": [week.isoformat() for week in weeks],
        "datasets": datasets,
        "y_label": _("Share where the model matched the officer"),
    }
