"""Training the X-ray model: the split by source, reproducibility, the operating
threshold, the promotion gate and the train_xray command."""

# The fixtures imported from fixtures_ml are pytest arguments, not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import copy
import dataclasses
import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
import torch
from django.core.management import call_command
from PIL import Image

from customs_portal import ml_registry
from customs_portal.models import AuditEvent, ModelVersion
from tests.xray.fixtures_ml import (  # noqa: F401
    TINY_TEST_CONFIG,
    one_torch_thread,
    synthetic_data,
    trained,
    xray_artefact_root,
)
from xray.screening import datasets, ml, training
from xray.screening.synthetic import synthetic_parcel_image


def test_the_split_never_puts_one_source_on_both_sides(synthetic_data):
    bag_sources = {bag.source for bag in synthetic_data.bags_train}
    assert bag_sources.isdisjoint({bag.source for bag in synthetic_data.bags_validation})
    crop_sources = {crop.source for crop in synthetic_data.crops_train}
    assert crop_sources.isdisjoint({crop.source for crop in synthetic_data.crops_validation})
    assert {crop.label for crop in synthetic_data.crops_validation} == set(range(len(ml.CLASSES)))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_split_by_source_keeps_every_source_whole(seed):
    items = [(f"source-{i // 3}", i) for i in range(40)]

    train, validation = datasets.split_by_source(
        items, source_of=lambda item: item[0], validation_share=0.25, seed=seed
    )

    assert {s for s, _ in train}.isdisjoint({s for s, _ in validation})
    assert len(train) + len(validation) == 40 and validation and train
    assert 0.15 <= len(validation) / 40 <= 0.4


def make_real_layout(root: Path) -> None:
    """A tree laid out like XRAY_REAL_DATA_DIR, with one tiny JPEG per name."""
    pixel = Image.new("RGB", (8, 8), "white")
    names = {
        "sixray-subset/negative": [f"N{n:07d}.jpg" for n in range(1, 281)],
        "gdxray-pyxvis/objects/train/class_0": [f"B0049_{n:04d}.jpg" for n in range(1, 20)]
        + [f"B0079_{n:04d}.jpg" for n in range(1, 50)],
        "gdxray-pyxvis/objects/test/class_0": [f"B0079_{n:04d}.jpg" for n in range(51, 60)],
    }
    for folder, files in names.items():
        (root / folder).mkdir(parents=True)
        for name in files:
            pixel.save(root / folder / name)


def test_no_evaluation_bag_or_scan_is_in_the_training_data(tmp_path):
    make_real_layout(tmp_path)

    train_bags = {p.name for p in datasets.sixray_negatives(tmp_path, part="train")}
    eval_bags = {p.name for p in datasets.sixray_negatives(tmp_path, part="eval")}
    train_crops = {p.name for p, _kind in datasets.gdxray_crops(tmp_path, part="train")}
    eval_crops = {p.name for p, _kind in datasets.gdxray_crops(tmp_path, part="eval")}

    assert train_bags.isdisjoint(eval_bags) and len(eval_bags) == 80
    assert train_crops.isdisjoint(eval_crops) and eval_crops
    # The scans just before the evaluation's block of a series are near-duplicates of it.
    assert "B0079_0049.jpg" not in train_crops and "B0079_0040.jpg" in train_crops
    assert "B0049_0019.jpg" in train_crops


def test_training_with_a_fixed_seed_is_reproducible(synthetic_data, trained):
    outcome = trained[0]

    again, _images, _labels = training.train_and_evaluate(data=synthetic_data, config=TINY_TEST_CONFIG)

    first, second = outcome.predictor.net.state_dict(), again.predictor.net.state_dict()
    assert all(torch.equal(first[key], second[key]) for key in first)
    assert again.metrics["validation"] == outcome.metrics["validation"]
    assert again.metrics["validation_images_sha256"] == outcome.metrics["validation_images_sha256"]


@pytest.mark.parametrize("recall", [0.8, 0.9, 0.95, 1.0])
def test_the_threshold_flags_the_wanted_share_of_validation_threats(recall):
    rng = np.random.default_rng(4)
    scores = np.concatenate([rng.beta(5, 2, 200), rng.beta(2, 5, 300)])
    is_threat = np.arange(500) < 200

    threshold = training.threshold_for_recall(scores, is_threat, recall=recall)

    assert (scores[is_threat] >= threshold).mean() >= recall
    # The highest such threshold: any higher one flags fewer threats than wanted.
    above = scores[is_threat][scores[is_threat] > threshold]
    if len(above):
        assert (scores[is_threat] >= above.min()).mean() < recall


def test_the_stored_threshold_gives_the_target_recall_on_the_validation_images(trained):
    outcome, images, labels = trained

    scores = outcome.predictor.threat_scores(images)

    assert (scores[labels != ml.OTHER_INDEX] >= outcome.predictor.threshold).mean() >= TINY_TEST_CONFIG.target_recall
    assert outcome.metrics["validation"]["recall"] >= TINY_TEST_CONFIG.target_recall


def test_metrics_have_every_class_and_a_confusion_matrix(trained):
    metrics = trained[0].metrics

    assert set(metrics["per_class"]) == set(ml.CLASSES)
    matrix = np.array(metrics["confusion_matrix"])
    assert matrix.shape == (4, 4) and matrix.sum() == len(trained[1])
    for key in ("roc_auc", "recall", "precision", "inspect_rate", "recall_at_20pct_benign", "threshold"):
        assert key in metrics["validation"]


def worse_than(outcome: training.TrainingOutcome, images, labels) -> training.TrainingOutcome:
    """The same network with its class map wiped (every image scores the same), measured
    honestly on the same validation images."""
    net = copy.deepcopy(outcome.predictor.net)
    with torch.no_grad():
        net.head.weight.zero_()
        net.head.bias.zero_()
    predictor = ml.XrayPredictor(
        net=net, version=0, threshold=outcome.predictor.threshold, input_size=outcome.predictor.input_size
    )
    is_threat = labels != ml.OTHER_INDEX
    metrics = {
        **outcome.metrics,
        "validation": training.binary_metrics(
            predictor.threat_scores(images), is_threat, threshold=outcome.predictor.threshold
        ),
    }
    return dataclasses.replace(outcome, predictor=predictor, metrics=metrics)


@pytest.mark.django_db
def test_the_promotion_gate_serves_a_better_model_and_refuses_a_worse_one(trained):
    outcome, images, labels = trained
    assert outcome.metrics["validation"]["roc_auc"] > 0.6

    first = training.xray_model_register(outcome=outcome, images=images, labels=labels, system="test")
    worse = training.xray_model_register(
        outcome=worse_than(outcome, images, labels), images=images, labels=labels, system="test"
    )
    same = training.xray_model_register(outcome=outcome, images=images, labels=labels, system="test")

    first.refresh_from_db()
    assert first.status == ModelVersion.Status.RETIRED
    assert worse.status == ModelVersion.Status.TRAINED
    comparison = worse.metrics["active_on_same_validation"]
    assert comparison["version"] == first.version
    assert comparison["roc_auc"] == pytest.approx(outcome.metrics["validation"]["roc_auc"], abs=1e-6)
    assert same.status == ModelVersion.Status.ACTIVE
    audit = AuditEvent.objects.filter(action="xray_model.trained").order_by("seq")
    assert [entry.after["promote"] for entry in audit] == [True, False, True]


@pytest.mark.django_db
def test_the_manifest_records_checksums_libraries_data_labels_preprocessing_and_metrics(trained):
    version = training.xray_model_register(outcome=trained[0], images=trained[1], labels=trained[2], system="test")

    manifest = json.loads((Path(version.artefact_path) / ml_registry.MANIFEST_FILE).read_text())

    assert set(manifest["files"]) == {ml.WEIGHTS_FILE, ml.CONFIG_FILE}
    assert manifest["files"] == version.checksums
    assert {"torch", "torchvision", "numpy", "Pillow"} <= set(manifest["libraries"])
    assert manifest["labels"] == list(ml.CLASSES)
    assert manifest["preprocessing"]["input_size"] == TINY_TEST_CONFIG.input_size
    assert manifest["training_data"]["split"].startswith("by source")
    assert manifest["metrics"]["validation"]["roc_auc"] == trained[0].metrics["validation"]["roc_auc"]


@pytest.mark.django_db
def test_train_xray_trains_registers_and_serves_a_tiny_model_with_officer_labels(tmp_path):
    labelled = []
    for seed, kind in enumerate(["gun", "other"]):
        path = tmp_path / f"officer-{seed}.png"
        synthetic_parcel_image(seed=seed, threat=None if kind == "other" else kind).save(path)
        labelled.append((path, kind))
    out = StringIO()

    from unittest import mock

    with mock.patch("xray.management.commands.train_xray.officer_labelled_images", return_value=labelled):
        call_command("train_xray", "--synthetic", "--tiny", "--seed", "3", stdout=out)

    version = ml_registry.model_version_active(name=ml.MODEL_NAME)
    assert version is not None and version.training_summary["officer_labelled"] == 2
    text = out.getvalue()
    assert "Confusion matrix" in text and "roc_auc" in text and "epoch 2/2" in text
