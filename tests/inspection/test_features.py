from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt

from inspection import ml


def test_building_features_changes_neither_input_and_gives_the_same_result_twice(history_frame):
    rows = history_frame.iloc[:2000].copy()
    reference = ml.build_reference(rows)
    before = rows.copy()
    first, _ = ml.build_features(rows, reference)
    second, _ = ml.build_features(rows, reference)
    pdt.assert_frame_equal(rows, before)
    pdt.assert_frame_equal(first, second)
    assert list(first.columns) == ml.FEATURES
    assert len(first) == len(rows)


def test_past_outcome_features_use_only_labels_dated_strictly_before_the_row(history_frame):
    rows = history_frame.copy()
    cut = rows["sgd_date"].iloc[len(rows) // 2]
    features, _ = ml.build_features(rows, ml.build_reference(rows))
    # Flip every label from the cut day on, the row's own day included.
    flipped = rows.copy()
    later = flipped["sgd_date"] >= cut
    flipped.loc[later, "illicit"] = 1 - flipped.loc[later, "illicit"]
    flipped.loc[later, "revenue"] = np.where(flipped.loc[later, "illicit"] == 1, 12345.0, 0.0)
    reference = ml.build_reference(flipped)
    # The prior is the overall rate, which the flip changes: use the original one to
    # isolate the per-entity counts, which must not see a single flipped label.
    original = ml.build_reference(rows)
    reference.prior, reference.revenue_prior = original.prior, original.revenue_prior
    refeatured, _ = ml.build_features(flipped, reference)
    history_columns = [
        c for c in ml.FEATURES if c.endswith(("_rate", "_revenue", "_log_n")) or c.startswith("importer_")
    ]
    on_or_before = (rows["sgd_date"] <= cut).to_numpy()
    pdt.assert_frame_equal(features.loc[on_or_before, history_columns], refeatured.loc[on_or_before, history_columns])
    assert not features.loc[~on_or_before, "importer_id_rate"].equals(refeatured.loc[~on_or_before, "importer_id_rate"])


def test_a_newcomer_is_flagged_and_an_importer_with_findings_counts_them():
    day = pd.Timestamp("2025-01-10")
    base = {"declarant_id": "D1", "country": "CN", "office_id": "1A", "tariff_code": "610910000", "quantity": 10.0,
            "gross_weight": 2.0, "fob_value": 9000.0, "cif_value": 10000.0, "total_taxes": 2000.0}  # fmt: skip
    history = pd.DataFrame(
        [{**base, "sgd_id": f"H{i}", "sgd_date": day - pd.Timedelta(days=30 * (i + 1)), "importer_id": "OLD",
          "illicit": int(i < 3), "revenue": 5000.0 if i < 3 else 0.0} for i in range(6)]
        + [{**base, "sgd_id": f"O{i}", "sgd_date": day - pd.Timedelta(days=i + 1), "importer_id": "OTHER",
            "illicit": 0, "revenue": 0.0} for i in range(30)]
    )  # fmt: skip
    rows = pd.DataFrame(
        [{**base, "sgd_id": "Q1", "sgd_date": day, "importer_id": "OLD", "illicit": 0, "revenue": 0.0},
         {**base, "sgd_id": "Q2", "sgd_date": day, "importer_id": "NEW", "illicit": 0, "revenue": 0.0}]
    )  # fmt: skip
    features, _ = ml.build_features(rows, ml.build_reference(history))
    assert features["importer_findings_12m"].tolist() == [3, 0]
    assert features["importer_new"].tolist() == [0.0, 1.0]
    assert features["importer_id_rate"].iloc[0] > features["importer_id_rate"].iloc[1]


def test_an_undervalued_line_has_a_strongly_negative_unit_value_score(history_frame):
    reference = ml.build_reference(history_frame)
    row = history_frame[history_frame["illicit"] == 0].iloc[[0]].copy()
    cheap = row.copy()
    cheap["cif_value"] = cheap["cif_value"] * 0.2
    features, _ = ml.build_features(pd.concat([row, cheap], ignore_index=True), reference)
    assert features["uv_kg_z"].iloc[1] < features["uv_kg_z"].iloc[0] - 2
    explanations = ml.explain(features, ml.build_features(pd.concat([row, cheap], ignore_index=True), reference)[1],
                              pd.concat([row, cheap], ignore_index=True))  # fmt: skip
    assert "unit_value_low" in [reason["code"] for reason in explanations[1]]


def test_rows_without_descriptions_get_no_text_signal(history_frame):
    rows = history_frame.drop(columns="description").iloc[:1500]
    features, _ = ml.build_features(rows, ml.build_reference(rows))
    assert features["text_chapter_prob"].isna().all()
    with_text, _ = ml.build_features(history_frame.iloc[:1500], ml.build_reference(history_frame.iloc[:1500]))
    assert with_text["text_chapter_prob"].notna().any()
