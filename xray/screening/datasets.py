"""The X-ray training and evaluation data: real scans read from XRAY_REAL_DATA_DIR
(research licence: read in place, never copied into the project) or synthetic ones.

What is held out for the TIP evaluation pairs is decided here, once, for training and
the benchmark alike: SIXray benign bags by a block of file numbers, GDXray crops by scan
(the series' test block, with a guard band of neighbouring scans left out of training
too, as neighbouring scans of one series are near-duplicates). The SIXray threat bags are
never trained on: their scanner geometry gives their label away.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
from django.conf import settings
from PIL import Image

from xray.screening.ml import CLASSES, image_to_rgb
from xray.screening.synthetic import OBJECT_KINDS, synthetic_bag, synthetic_object
from xray.screening.tip import crop_transmission, transmission_of

T = TypeVar("T")

SIXRAY = "sixray-subset"
GDXRAY = "gdxray-pyxvis/objects"
# GDXray's folders and our class names.
GDXRAY_CLASSES = {"class_0": "gun", "class_1": "shuriken", "class_2": "blade", "class_3": "other"}
# SIXray benign bags from this number on are the evaluation's, never trained on.
SIXRAY_EVAL_FROM = 201
# GDXray scans in the official test block are the evaluation's; training also leaves out
# the scans just before that block in the same series.
GDXRAY_GUARD = 5
# Bags and crops are grouped in blocks of consecutive file numbers for the validation
# split: consecutive scans are often the same bag or object seen again.
BAG_BLOCK = 20
CROP_BLOCK = 10


@dataclass(frozen=True)
class Bag:
    """A benign bag's transmission (HxWx3 float32) and the source it belongs to."""

    array: np.ndarray
    source: str
    name: str


@dataclass(frozen=True)
class Crop:
    """An object's transmission (HxW or HxWx3 float32), its class index and source."""

    array: np.ndarray
    label: int
    source: str
    name: str


def real_data_dir() -> Path:
    return Path(settings.XRAY_REAL_DATA_DIR)


def _number(path: Path) -> int:
    return int(re.sub(r"\D", "", path.stem.split("_")[-1]) or 0)


def bag_source(path: Path) -> str:
    return f"sixray-N-{(_number(path) - 1) // BAG_BLOCK}"


def crop_source(path: Path) -> str:
    series = path.stem.split("_")[0]
    return f"gdxray-{series}-{(_number(path) - 1) // CROP_BLOCK}"


def sixray_negatives(data_dir: Path, *, part: str) -> list[Path]:
    """SIXray benign bags of `part` ("train" or "eval")."""
    paths = sorted((data_dir / SIXRAY / "negative").glob("*.jpg"))
    if part == "eval":
        return [p for p in paths if _number(p) >= SIXRAY_EVAL_FROM]
    return [p for p in paths if _number(p) < SIXRAY_EVAL_FROM]


def sixray_positives(data_dir: Path) -> list[Path]:
    return sorted((data_dir / SIXRAY / "positive").glob("*.jpg"))


def gdxray_crops(data_dir: Path, *, part: str) -> list[tuple[Path, str]]:
    """GDXray crops of `part` ("train" or "eval") with their class names."""
    root = data_dir / GDXRAY
    if part == "eval":
        return [(path, GDXRAY_CLASSES[path.parent.name]) for path in sorted((root / "test").glob("class_*/*.jpg"))]
    test_starts: dict[str, int] = {}
    for path in (root / "test").glob("class_*/*.jpg"):
        series = path.stem.split("_")[0]
        test_starts[series] = min(test_starts.get(series, 1 << 30), _number(path))
    crops = []
    for path in sorted((root / "train").glob("class_*/*.jpg")):
        series = path.stem.split("_")[0]
        if series in test_starts and _number(path) >= test_starts[series] - GDXRAY_GUARD:
            continue
        crops.append((path, GDXRAY_CLASSES[path.parent.name]))
    return crops


def _reduced(path: Path, long_side: int) -> Image.Image:
    with Image.open(path) as image:
        image.draft("RGB", (long_side, long_side))
        rgb = image_to_rgb(image)
        rgb.load()
    scale = long_side / max(rgb.size)
    if scale < 1:
        rgb = rgb.resize(
            (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale))), Image.Resampling.BILINEAR
        )
    return rgb


def load_bags(paths: Sequence[Path], *, long_side: int) -> list[Bag]:
    """Bags read once, at the working resolution of training."""
    return [Bag(transmission_of(_reduced(p, long_side)), bag_source(p), p.name) for p in paths]


def load_crops(items: Sequence[tuple[Path, str]], *, long_side: int) -> list[Crop]:
    return [
        Crop(crop_transmission(_reduced(p, long_side)), CLASSES.index(kind), crop_source(p), p.name)
        for p, kind in items
    ]


def synthetic_bags(*, count: int, seed: int, width: int = 240, height: int = 192) -> list[Bag]:
    rng = np.random.default_rng(seed)
    return [
        Bag(synthetic_bag(rng=rng, width=width, height=height), f"synthetic-bag-{i // 4}", f"bag-{i}")
        for i in range(count)
    ]


def synthetic_crops(*, count: int, seed: int, size: int = 96) -> list[Crop]:
    """`count` objects of each kind."""
    rng = np.random.default_rng(seed)
    crops = []
    for kind in OBJECT_KINDS:
        for i in range(count):
            crops.append(
                Crop(
                    synthetic_object(kind=kind, rng=rng, size=size),
                    CLASSES.index(kind),
                    f"synthetic-{kind}-{i // 3}",
                    f"{kind}-{i}",
                )
            )
    return crops


def split_by_source(
    items: Sequence[T], *, source_of: Callable[[T], str], validation_share: float, seed: int
) -> tuple[list[T], list[T]]:
    """Items split into (training, validation) by whole sources: no source is on both
    sides. Sources are shuffled with `seed` and taken for validation until it holds
    `validation_share` of the items (at least one source, and never all of them)."""
    sources = sorted({source_of(item) for item in items})
    rng = np.random.default_rng(seed)
    order = [sources[i] for i in rng.permutation(len(sources))]
    wanted = validation_share * len(items)
    counts = {source: 0 for source in sources}
    for item in items:
        counts[source_of(item)] += 1
    chosen: set[str] = set()
    taken = 0
    for source in order[: max(1, len(order) - 1)]:
        if taken >= wanted and chosen:
            break
        chosen.add(source)
        taken += counts[source]
    training = [item for item in items if source_of(item) not in chosen]
    validation = [item for item in items if source_of(item) in chosen]
    return training, validation


def split_crops_by_source(
    crops: Sequence[Crop], *, validation_share: float, seed: int
) -> tuple[list[Crop], list[Crop]]:
    """Crops split by source within each class, so that both sides hold every class."""
    training, validation = [], []
    for label in range(len(CLASSES)):
        of_class = [crop for crop in crops if crop.label == label]
        if not of_class:
            continue
        train_part, val_part = split_by_source(
            of_class, source_of=lambda crop: crop.source, validation_share=validation_share, seed=seed + label
        )
        training += train_part
        validation += val_part
    return training, validation


def tip_pairs_build(*, data_dir: Path, out_dir: Path, pairs_per_bag: int = 2, seed: int = 2024) -> dict[str, int]:
    """The evaluation's TIP pairs from the held-out scans only: each held-out benign bag
    (at full resolution) with a held-out threat crop in out_dir/positive/ and with a
    held-out benign crop in out_dir/negative/, as JPEG like a scanner's. Returns counts."""
    from xray.screening.synthetic import transmission_to_image
    from xray.screening.tip import tip_project

    rng = np.random.default_rng(seed)
    bags = sixray_negatives(data_dir, part="eval")
    crops = gdxray_crops(data_dir, part="eval")
    threats = [item for item in crops if item[1] != "other"]
    benign = [item for item in crops if item[1] == "other"]
    if not bags or not threats or not benign:
        raise FileNotFoundError(f"No held-out SIXray negatives or GDXray crops under {data_dir}.")
    for part in ("positive", "negative"):
        (out_dir / part).mkdir(parents=True, exist_ok=True)
    # Threat classes take turns so that each is about a third of the positives.
    by_kind = {kind: [item for item in threats if item[1] == kind] for kind in ("gun", "blade", "shuriken")}
    counts = {"positive": 0, "negative": 0, **{kind: 0 for kind in by_kind}}
    turn = 0
    for bag_path in bags:
        bag = transmission_of(_reduced(bag_path, 4096))
        for pair in range(pairs_per_bag):
            kind = ("gun", "blade", "shuriken")[turn % 3]
            turn += 1
            threat_path, _kind = by_kind[kind][int(rng.integers(0, len(by_kind[kind])))]
            benign_path, _other = benign[int(rng.integers(0, len(benign)))]
            for part, crop_path in (("positive", threat_path), ("negative", benign_path)):
                obj = crop_transmission(_reduced(crop_path, 1024))
                image, _box = tip_project(bag=bag, obj=obj, rng=rng)
                name = f"{bag_path.stem}_{pair}_{crop_path.stem}.jpg"
                transmission_to_image(image).save(out_dir / part / name, quality=92)
                counts[part] += 1
            counts[kind] += 1
    return counts
