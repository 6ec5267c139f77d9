from __future__ import annotations

import io
import json

from django.core.management import call_command

from inspection import synthetic


def test_evaluate_risk_prints_the_json_shape_with_both_heads_and_the_model_beats_every_baseline(
    tmp_path, history_frame
):
    path = tmp_path / "bacuda.csv"
    synthetic.write_bacuda_csv(history_frame, path)
    out = io.StringIO()
    # No django_db mark: the command must not touch the database (pytest-django would raise).
    call_command("evaluate_risk", "--data", str(path), "--test-from", "2024-10-01", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) == {"model", "heads", "baselines", "n_train", "n_test", "train_seconds", "score_seconds"}
    assert set(result["baselines"]) == {"random", "risky", "gbdt"}
    assert set(result["heads"]) == {"probability", "expected_revenue"}
    keys = {f"{metric}@{k}%" for metric in ("precision", "recall", "revenue") for k in (1, 2, 5, 10)}
    assert set(result["model"]) == keys
    assert all(set(metrics) == keys for metrics in [*result["baselines"].values(), *result["heads"].values()])
    assert result["n_train"] + result["n_test"] == len(history_frame)
    for baseline, metrics in result["baselines"].items():
        for key in ("revenue@1%", "revenue@5%", "precision@5%"):
            assert result["model"][key] > metrics[key], (baseline, key, result)


def test_evaluate_risk_prints_a_table_without_json(tmp_path, history_frame):
    path = tmp_path / "bacuda.csv"
    synthetic.write_bacuda_csv(history_frame.iloc[:3000], path)
    out = io.StringIO()
    call_command("evaluate_risk", "--data", str(path), "--test-from", "2024-05-01", stdout=out)
    text = out.getvalue()
    assert "n_train=" in text and "revenue@5%" in text
    assert all(name in text for name in ("model", "head:probability", "head:expected_revenue", "random", "gbdt"))
