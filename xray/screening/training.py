"""Training the X-ray model: TIP data, augmentation, balancing, the loop, metrics, the
operating threshold and registration behind the promotion gate.

Every training image is a benign bag with one object projected into it (TIP), made on
the fly: a threat crop (each threat class equally often) or a benign crop, the two made
from the same bag in each batch, so that the only thing that tells them apart is the
object. Bags and crops are split into training and validation by source, never per
image. The operating threshold is the highest score that still flags `target_recall` of
the validation threats; the promotion gate compares the active version on the very same
validation images.
"""

from __future__ import annotations

import hashlib
import logging
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import PIL
import sklearn
import torch
import torchvision
from django.db import transaction
from PIL import Image, ImageEnhance
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support, roc_auc_score

from customs_portal import ml_registry
from customs_portal.models import ModelVersion, User
from xray.screening import datasets
from xray.screening.datasets import Bag, Crop
from xray.screening.ml import (
    BACKBONE,
    CLASSES,
    DEFAULT_BLOCKS,
    DEFAULT_INPUT_SIZE,
    MAX_THREADS,
    MODEL_NAME,
    OTHER_INDEX,
    THREAT_CLASSES,
    XrayNet,
    XrayPredictor,
    image_to_rgb,
    predictor_load,
    predictor_write,
    preprocess,
)
from xray.screening.synthetic import transmission_to_image
from xray.screening.tip import tip_project

logger = logging.getLogger(__name__)

# A new version is promoted when its validation ROC AUC is at most this much below the
# active version's on the same images (training noise), else it is kept, not served.
PROMOTION_TOLERANCE = 0.005


@dataclass(frozen=True)
class TrainingConfig:
    input_size: int = DEFAULT_INPUT_SIZE
    blocks: int = DEFAULT_BLOCKS
    # 20 epochs of 40 steps: about 25 minutes on two idle cores. 12 epochs left the
    # held-out TIP pairs at ROC AUC 0.929; 20 reach 0.955 (README, benchmarks).
    epochs: int = 20
    steps_per_epoch: int = 40
    batch_size: int = 32
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    seed: int = 0
    # Validation threats flagged at the operating threshold.
    target_recall: float = 0.92
    validation_share: float = 0.2
    validation_pairs_per_bag: int = 2
    # Bags are kept at this long side (px) for projection: twice the input is enough
    # for the resize to the input to average out the projection's own resampling.
    bag_long_side: int = 320
    crop_long_side: int = 200
    # Share of the benign images that are bare bags (no crop projected at all).
    bare_bag_share: float = 0.15
    pretrained: bool = True


TINY = TrainingConfig(
    input_size=64, blocks=5, epochs=2, steps_per_epoch=6, batch_size=16, learning_rate=2e-3,
    validation_pairs_per_bag=2, bag_long_side=128, crop_long_side=96,
)  # fmt: skip


# Augmentation.


def augment_bag(bag: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Geometric augmentation of a bag before an object is projected into it: a random
    crop (70-100 % of each side), flips and quarter turns."""
    height, width = bag.shape[:2]
    crop_h, crop_w = int(height * rng.uniform(0.7, 1.0)), int(width * rng.uniform(0.7, 1.0))
    y, x = int(rng.integers(0, height - crop_h + 1)), int(rng.integers(0, width - crop_w + 1))
    out = bag[y : y + crop_h, x : x + crop_w]
    if rng.random() < 0.5:
        out = out[:, ::-1]
    if rng.random() < 0.5:
        out = out[::-1]
    out = np.rot90(out, k=int(rng.integers(0, 4)))
    return np.ascontiguousarray(out)


def augment_image(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Photometric augmentation of a projected image: gamma (thickness), contrast,
    a small rotation and detector noise."""
    out = np.clip(image, 1e-4, 1.0) ** rng.uniform(0.75, 1.35)
    contrast = rng.uniform(0.85, 1.15)
    out = np.clip(1.0 - (1.0 - out) * contrast, 0.0, 1.0)
    out = out + rng.normal(0.0, rng.uniform(0.0, 0.03), out.shape).astype(np.float32)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def _rotate_small(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    angle = float(rng.uniform(-15, 15))
    return image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=(255, 255, 255))


def augment_labelled(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Augmentation of an officer-labelled image (no projection): flips, quarter turns,
    a random crop that keeps 85 % of each side, contrast."""
    array = np.asarray(image_to_rgb(image), dtype=np.float32) / 255.0
    height, width = array.shape[:2]
    crop_h, crop_w = int(height * rng.uniform(0.85, 1.0)), int(width * rng.uniform(0.85, 1.0))
    y, x = int(rng.integers(0, height - crop_h + 1)), int(rng.integers(0, width - crop_w + 1))
    array = array[y : y + crop_h, x : x + crop_w]
    if rng.random() < 0.5:
        array = array[:, ::-1]
    array = np.rot90(array, k=int(rng.integers(0, 4)))
    image = transmission_to_image(augment_image(np.ascontiguousarray(array), rng))
    return ImageEnhance.Contrast(image).enhance(float(rng.uniform(0.9, 1.1)))


# Samples.


def tip_sample(*, bag: Bag, crop: Crop | None, rng: np.random.Generator, augment: bool) -> Image.Image:
    """One training or validation image: `crop` projected into `bag` (or the bare bag)."""
    array = augment_bag(bag.array, rng) if augment else bag.array
    if crop is not None:
        array, _box = tip_project(bag=array, obj=crop.array, rng=rng)
    if augment:
        array = augment_image(array, rng)
    image = transmission_to_image(array)
    return _rotate_small(image, rng) if augment and rng.random() < 0.3 else image


def _by_class(crops: Sequence[Crop]) -> dict[int, list[list[Crop]]]:
    """Crops by class, and within a class by series (a source without its block
    number): a series of isolated objects must not outweigh one of objects in bags."""
    grouped: dict[int, dict[str, list[Crop]]] = {label: {} for label in range(len(CLASSES))}
    for crop in crops:
        grouped[crop.label].setdefault(crop.source.rsplit("-", 1)[0], []).append(crop)
    missing = [CLASSES[label] for label, series in grouped.items() if not series]
    if missing:
        raise ValueError(f"No crops of class {', '.join(missing)} to project.")
    return {label: [series[name] for name in sorted(series)] for label, series in grouped.items()}


def _pick_crop(series: Sequence[Sequence[Crop]], rng: np.random.Generator) -> Crop:
    return _pick(_pick(series, rng), rng)


def _pick(items: Sequence, rng: np.random.Generator):
    return items[int(rng.integers(0, len(items)))]


def training_batch(
    *,
    bags: Sequence[Bag],
    crops: dict[int, list[list[Crop]]],
    labelled: Sequence[tuple[Image.Image, int]],
    batch_size: int,
    rng: np.random.Generator,
    config: TrainingConfig,
) -> tuple[list[Image.Image], list[int]]:
    """A balanced batch: pairs of one bag with a threat (each threat class equally
    likely) and with a benign crop or nothing; officer-labelled images take up to an
    eighth of the batch."""
    images: list[Image.Image] = []
    labels: list[int] = []
    if labelled:
        for _ in range(max(1, batch_size // 8)):
            image, label = _pick(labelled, rng)
            images.append(augment_labelled(image, rng))
            labels.append(label)
    threats = [CLASSES.index(name) for name in THREAT_CLASSES]
    while len(images) < batch_size:
        bag = _pick(bags, rng)
        threat = int(_pick(threats, rng))
        images.append(tip_sample(bag=bag, crop=_pick_crop(crops[threat], rng), rng=rng, augment=True))
        labels.append(threat)
        benign = None if rng.random() < config.bare_bag_share else _pick_crop(crops[OTHER_INDEX], rng)
        images.append(tip_sample(bag=bag, crop=benign, rng=rng, augment=True))
        labels.append(OTHER_INDEX)
    return images[:batch_size], labels[:batch_size]


def validation_images(
    *, bags: Sequence[Bag], crops: Sequence[Crop], pairs_per_bag: int, seed: int
) -> tuple[list[Image.Image], np.ndarray]:
    """Fixed TIP pairs of the validation bags and crops (same seed, same images): each
    bag with a threat crop and with a benign crop, no augmentation."""
    rng = np.random.default_rng(seed + 7919)
    grouped = _by_class(crops)
    threats = [CLASSES.index(name) for name in THREAT_CLASSES]
    images, labels = [], []
    for bag in bags:
        for _ in range(pairs_per_bag):
            threat = int(_pick(threats, rng))
            images.append(tip_sample(bag=bag, crop=_pick_crop(grouped[threat], rng), rng=rng, augment=False))
            labels.append(threat)
            images.append(tip_sample(bag=bag, crop=_pick_crop(grouped[OTHER_INDEX], rng), rng=rng, augment=False))
            labels.append(OTHER_INDEX)
    return images, np.asarray(labels)


# Metrics and the operating point.


def threshold_for_recall(scores: np.ndarray, is_threat: np.ndarray, *, recall: float) -> float:
    """The highest threshold whose flagged share of threats (score >= threshold) is at
    least `recall`."""
    positives = np.sort(np.asarray(scores)[np.asarray(is_threat, dtype=bool)])
    if not len(positives):
        return 0.5
    # The k-th lowest threat score flags every threat from it on.
    index = int(np.floor((1.0 - recall) * len(positives) + 1e-9))
    return float(positives[min(index, len(positives) - 1)])


def binary_metrics(scores: np.ndarray, is_threat: np.ndarray, *, threshold: float) -> dict[str, float]:
    """ROC AUC, and recall, precision and inspect rate at `threshold`, and the threat
    recall when 20 % of the benign images are flagged."""
    scores = np.asarray(scores, dtype=np.float64)
    is_threat = np.asarray(is_threat, dtype=bool)
    flagged = scores >= threshold
    positives, negatives = scores[is_threat], scores[~is_threat]
    both = bool(len(positives)) and bool(len(negatives))
    at_20 = float(np.quantile(negatives, 0.8)) if len(negatives) else 1.0
    return {
        "roc_auc": float(roc_auc_score(is_threat, scores)) if both else float("nan"),
        "recall": float(flagged[is_threat].mean()) if len(positives) else float("nan"),
        "precision": float(is_threat[flagged].mean()) if flagged.any() else 0.0,
        "inspect_rate": float(flagged.mean()) if len(scores) else 0.0,
        "recall_at_20pct_benign": float((positives > at_20).mean()) if both else float("nan"),
        "threshold": float(threshold),
        "n_positive": int(is_threat.sum()),
        "n_negative": int((~is_threat).sum()),
    }


def class_metrics(probabilities: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Per-class precision, recall and F1 of the top class, and the confusion matrix
    (rows: true class, columns: predicted, in CLASSES order)."""
    predicted = probabilities.argmax(axis=1)
    indices = list(range(len(CLASSES)))
    precision, recall, f1, support = precision_recall_fscore_support(labels, predicted, labels=indices, zero_division=0)
    return {
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(CLASSES, precision, recall, f1, support, strict=True)
        },
        "confusion_matrix": confusion_matrix(labels, predicted, labels=indices).tolist(),
        "accuracy": float((predicted == labels).mean()) if len(labels) else float("nan"),
    }


# The loop.


def _seed_everything(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed % (2**32))


def _inputs(images: Sequence[Image.Image], size: int) -> torch.Tensor:
    array = np.stack([preprocess(image, size=size) for image in images])
    return torch.from_numpy(array).contiguous(memory_format=torch.channels_last)


def train_network(
    *,
    bags: Sequence[Bag],
    crops: Sequence[Crop],
    labelled: Sequence[tuple[Image.Image, int]],
    config: TrainingConfig,
    progress: Callable[[str], None] | None = None,
) -> XrayNet:
    """Fine-tunes the network on TIP batches; same data, config and seed, same weights."""
    _seed_everything(config.seed)
    torch.set_num_threads(min(torch.get_num_threads(), MAX_THREADS))
    net = XrayNet(blocks=config.blocks, pretrained=config.pretrained).to(memory_format=torch.channels_last)
    rng = np.random.default_rng(config.seed)
    grouped = _by_class(crops)
    # The batches hold each threat class a sixth of the time and "other" half of it;
    # the weights make every class count the same in the loss.
    share = np.array([1 / 6, 1 / 6, 1 / 6, 1 / 2])
    weights = torch.tensor((1 / share) / (1 / share).mean(), dtype=torch.float32)
    head = list(net.head.parameters())
    head_ids = {id(p) for p in head}
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for p in net.parameters() if id(p) not in head_ids], "lr": config.learning_rate * 0.5},
            {"params": head, "lr": config.learning_rate * 2},
        ],
        weight_decay=config.weight_decay,
    )
    total = max(1, config.epochs * config.steps_per_epoch)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=[g["lr"] for g in optimizer.param_groups], total_steps=total, pct_start=0.15
    )
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)
    step = 0
    for epoch in range(config.epochs):
        net.train()
        started, losses = time.monotonic(), []
        for _ in range(config.steps_per_epoch):
            images, labels = training_batch(
                bags=bags, crops=grouped, labelled=labelled, batch_size=config.batch_size, rng=rng, config=config
            )
            logits, _places = net(_inputs(images, config.input_size))
            loss = loss_fn(logits, torch.tensor(labels))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(float(loss.detach()))
            step += 1
        if progress:
            progress(
                f"epoch {epoch + 1}/{config.epochs}: loss {np.mean(losses):.4f} "
                f"({time.monotonic() - started:.0f} s, {step}/{total} steps)"
            )
    net.eval()
    return net


@dataclass
class TrainingData:
    bags_train: list[Bag]
    bags_validation: list[Bag]
    crops_train: list[Crop]
    crops_validation: list[Crop]
    summary: dict[str, Any]


def training_data_real(*, data_dir: Path, config: TrainingConfig) -> TrainingData:
    """The real scans not held out for evaluation, split by source."""
    bag_paths = datasets.sixray_negatives(data_dir, part="train")
    crop_items = datasets.gdxray_crops(data_dir, part="train")
    if not bag_paths or not crop_items:
        raise FileNotFoundError(f"No SIXray negatives or GDXray crops under {data_dir}.")
    bags = datasets.load_bags(bag_paths, long_side=config.bag_long_side)
    crops = datasets.load_crops(crop_items, long_side=config.crop_long_side)
    return _split(bags, crops, config=config, origin=f"real: {data_dir}")


def training_data_synthetic(*, config: TrainingConfig, bags: int = 24, crops_per_class: int = 12) -> TrainingData:
    long_side = config.bag_long_side
    return _split(
        datasets.synthetic_bags(count=bags, seed=config.seed, width=long_side, height=int(long_side * 0.8)),
        datasets.synthetic_crops(count=crops_per_class, seed=config.seed + 1, size=config.crop_long_side),
        config=config,
        origin="synthetic",
    )


def _split(bags: list[Bag], crops: list[Crop], *, config: TrainingConfig, origin: str) -> TrainingData:
    bags_train, bags_val = datasets.split_by_source(
        bags, source_of=lambda bag: bag.source, validation_share=config.validation_share, seed=config.seed
    )
    crops_train, crops_val = datasets.split_crops_by_source(
        crops, validation_share=config.validation_share, seed=config.seed
    )
    summary = {
        "origin": origin,
        "bags_train": len(bags_train),
        "bags_validation": len(bags_val),
        "bag_sources_validation": sorted({bag.source for bag in bags_val}),
        "crops_train": {name: sum(c.label == i for c in crops_train) for i, name in enumerate(CLASSES)},
        "crops_validation": {name: sum(c.label == i for c in crops_val) for i, name in enumerate(CLASSES)},
        "split": "by source (blocks of consecutive file numbers), never per image",
    }
    return TrainingData(bags_train, bags_val, crops_train, crops_val, summary)


def _fingerprint(images: Sequence[Image.Image]) -> str:
    digest = hashlib.sha256()
    for image in images:
        digest.update(image.tobytes())
    return digest.hexdigest()


def _libraries() -> dict[str, str]:
    return {
        "torch": torch.__version__, "torchvision": torchvision.__version__, "numpy": np.__version__,
        "Pillow": PIL.__version__, "scikit-learn": sklearn.__version__, "python": platform.python_version(),
    }  # fmt: skip


@dataclass
class TrainingOutcome:
    predictor: XrayPredictor
    metrics: dict[str, Any]
    config: dict[str, Any]
    summary: dict[str, Any]


def train_and_evaluate(
    *,
    data: TrainingData,
    config: TrainingConfig,
    labelled: Sequence[tuple[Image.Image, int]] = (),
    progress: Callable[[str], None] | None = None,
) -> tuple[TrainingOutcome, list[Image.Image], np.ndarray]:
    """Trains, scores the validation pairs, picks the threshold and measures; returns
    the outcome with the validation images (for the promotion gate)."""
    started = time.monotonic()
    net = train_network(
        bags=data.bags_train, crops=data.crops_train, labelled=labelled, config=config, progress=progress
    )
    train_seconds = time.monotonic() - started
    images, labels = validation_images(
        bags=data.bags_validation, crops=data.crops_validation,
        pairs_per_bag=config.validation_pairs_per_bag, seed=config.seed,
    )  # fmt: skip
    model_config = {
        "classes": list(CLASSES), "threat_classes": list(THREAT_CLASSES), "backbone": BACKBONE,
        "blocks": config.blocks, "input_size": config.input_size, "threshold": 0.5,
    }  # fmt: skip
    predictor = XrayPredictor(net=net, version=0, threshold=0.5, input_size=config.input_size, config=model_config)
    probabilities, _maps = predictor.scores(_inputs(images, config.input_size))
    scores = 1.0 - probabilities[:, OTHER_INDEX]
    is_threat = labels != OTHER_INDEX
    threshold = threshold_for_recall(scores, is_threat, recall=config.target_recall)
    predictor.threshold = threshold
    model_config["threshold"] = threshold
    metrics = {
        "validation": binary_metrics(scores, is_threat, threshold=threshold),
        **class_metrics(probabilities, labels),
        "target_recall": config.target_recall,
        "validation_images_sha256": _fingerprint(images),
    }
    summary = {
        **data.summary,
        "officer_labelled": len(labelled),
        "validation_images": len(images),
        "train_seconds": round(train_seconds, 1),
        "config": asdict(config),
    }
    return TrainingOutcome(predictor, metrics, model_config, summary), images, labels


def _labelled_images(extra: Sequence[tuple[Path, str]]) -> list[tuple[Image.Image, int]]:
    labelled = []
    for path, kind in extra:
        if kind not in CLASSES:
            raise ValueError(f"Officer-labelled image {path} has unknown class {kind!r}.")
        with Image.open(path) as image:
            rgb = image_to_rgb(image)
            rgb.thumbnail((640, 640))
            rgb.load()
        labelled.append((rgb, CLASSES.index(kind)))
    return labelled


def xray_model_train(
    *,
    data_dir: Path | None = None,
    synthetic: bool = False,
    config: TrainingConfig | None = None,
    extra_labelled: Sequence[tuple[Path, str]] = (),
    actor: User | None = None,
    system: str = "",
    progress: Callable[[str], None] | None = None,
    synthetic_bags: int = 24,
) -> ModelVersion:
    """Trains a version on TIP images (real scans from `data_dir`, by default
    XRAY_REAL_DATA_DIR, or `synthetic_bags` synthetic ones) and officer-labelled images, registers it with
    its manifest, and promotes it when its validation ROC AUC is not worse than the
    active version's on the same validation images (the registry audits both)."""
    config = config or TrainingConfig()
    if synthetic:
        data = training_data_synthetic(config=config, bags=synthetic_bags)
    else:
        data = training_data_real(data_dir=Path(data_dir or datasets.real_data_dir()), config=config)
    labelled = _labelled_images(extra_labelled)
    outcome, images, labels = train_and_evaluate(data=data, config=config, labelled=labelled, progress=progress)
    return xray_model_register(outcome=outcome, images=images, labels=labels, actor=actor, system=system)


def active_on_same_validation(*, images: Sequence[Image.Image], labels: np.ndarray) -> dict[str, Any] | None:
    """The active version's metrics on these validation images, at its own threshold;
    None when no version is served (or it can no longer be loaded)."""
    active = ml_registry.model_version_active(name=MODEL_NAME)
    if active is None:
        return None
    try:
        served = ml_registry.artefact_load(model_version=active, load=predictor_load)
    except (ml_registry.ArtefactError, OSError, ValueError, RuntimeError) as exc:
        logger.warning("Active X-ray model %s cannot be loaded for comparison: %s", active.label, exc)
        return None
    scores = served.threat_scores(list(images))
    return {"version": active.version, **binary_metrics(scores, labels != OTHER_INDEX, threshold=served.threshold)}


def xray_model_register(
    *,
    outcome: TrainingOutcome,
    images: Sequence[Image.Image],
    labels: np.ndarray,
    actor: User | None = None,
    system: str = "",
) -> ModelVersion:
    """Registers a trained outcome and promotes it unless the active version is better
    on the same validation images by more than PROMOTION_TOLERANCE of ROC AUC."""
    comparison = active_on_same_validation(images=images, labels=labels)
    new_auc = outcome.metrics["validation"]["roc_auc"]
    promote = comparison is None or new_auc >= comparison["roc_auc"] - PROMOTION_TOLERANCE
    metrics = {
        **outcome.metrics,
        "holdout": _headline(outcome.metrics["validation"]),
        "active_on_same_validation": comparison,
    }
    manifest = {
        "model": MODEL_NAME,
        "architecture": f"{BACKBONE} stem and first {outcome.config['blocks']} blocks, 1x1 class map, log-sum-exp pooling",
        "labels": list(CLASSES),
        "threat_labels": list(THREAT_CLASSES),
        "threshold": outcome.config["threshold"],
        "preprocessing": {
            "function": "xray.screening.ml.preprocess",
            "input_size": outcome.config["input_size"],
            "steps": "any mode to 8-bit RGB (16-bit stretched, alpha on white), letterbox on white, bilinear, (x-127.5)/127.5",
        },
        "libraries": _libraries(),
        "training_data": outcome.summary,
        "metrics": metrics,
    }
    system = system or "xray training"
    with transaction.atomic():
        model_version = ml_registry.model_version_register(
            name=MODEL_NAME,
            write=partial(_write, outcome=outcome),
            manifest=manifest,
            metrics=metrics,
            training_summary=outcome.summary,
            audit_after={"metrics": metrics["holdout"], "active_on_same_validation": comparison, "promote": promote},
            actor=actor,
            system=system,
        )
        if promote:
            model_version = ml_registry.model_version_promote(model_version=model_version, actor=actor, system=system)
    return model_version


def _headline(validation: dict[str, float]) -> dict[str, float]:
    """The figures the model versions page shows, under the registry's metric names
    (which it words in the reader's language): AUC, and recall and precision at the
    operating threshold."""
    return {"auc": validation["roc_auc"], "recall": validation["recall"], "precision": validation["precision"]}


def _write(directory: Path, *, outcome: TrainingOutcome) -> None:
    predictor_write(directory, net=outcome.predictor.net, config=outcome.config)


def tiny_config(**changes: Any) -> TrainingConfig:
    """The config of the tests' and the quick demo's model, trained in seconds."""
    return replace(TINY, **changes)
