"""`manage.py evaluate_xray DIR --json`."""

# The fixtures imported from fixtures_ml are pytest arguments, not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.xray.fixtures_ml import one_torch_thread, synthetic_data, trained, xray_artefact_root  # noqa: F401
from xray.screening import ml, training
from xray.screening.synthetic import synthetic_parcel_image

KEYS = {"roc_auc", "recall", "precision", "inspect_rate", "recall_at_20pct_benign", "n_positive", "n_negative"}


@pytest.fixture
def pairs(tmp_path) -> Path:
    root = tmp_path / "pairs"
    for part in ("positive", "negative"):
        (root / part).mkdir(parents=True)
    for seed in range(6):
        kind = ("gun", "blade", "shuriken")[seed % 3]
        synthetic_parcel_image(seed=100 + seed, threat=kind).save(root / "positive" / f"{seed}.jpg", quality=92)
        synthetic_parcel_image(seed=100 + seed).convert("L").save(root / "negative" / f"{seed}.png")
    return root


def served(trained):
    outcome, images, labels = trained
    return training.xray_model_register(outcome=outcome, images=images, labels=labels, system="test")


def run(*args: str) -> dict:
    out = StringIO()
    call_command("evaluate_xray", *args, "--json", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


@pytest.mark.django_db
def test_evaluate_xray_prints_one_json_object_with_the_figures_at_the_serving_threshold(trained, pairs):
    version = served(trained)

    figures = run(str(pairs))

    assert KEYS | {"images_per_second", "threshold"} <= set(figures)
    assert figures["n_positive"] == 6 and figures["n_negative"] == 6
    assert figures["threshold"] == pytest.approx(trained[0].predictor.threshold)
    assert figures["version"] == version.version
    assert 0 <= figures["inspect_rate"] <= 1 and figures["images_per_second"] > 0


@pytest.mark.django_db
def test_evaluate_xray_reads_a_model_directory_and_refuses_a_tampered_one(trained, pairs):
    version = served(trained)
    directory = Path(version.artefact_path)

    assert run(str(pairs), "--model-dir", str(directory))["roc_auc"] == run(str(pairs))["roc_auc"]

    config = json.loads((directory / ml.CONFIG_FILE).read_text())
    (directory / ml.CONFIG_FILE).write_text(json.dumps({**config, "threshold": 0.0}))
    with pytest.raises(CommandError):
        run(str(pairs), "--model-dir", str(directory))


@pytest.mark.django_db
def test_evaluate_xray_says_so_when_no_model_is_served(pairs):
    with pytest.raises(CommandError, match="No X-ray model version is served"):
        run(str(pairs))
