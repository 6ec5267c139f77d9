"""`manage.py evaluate_xray DIR [--json] [--model-dir PATH]`: scores DIR/positive/ and
DIR/negative/ with the served X-ray model (or the version in PATH) and prints its
figures at the serving threshold."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from PIL import Image

from customs_portal import ml_registry
from xray.screening.ml import MODEL_NAME, XrayPredictor, predictor_load
from xray.screening.training import binary_metrics

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp"}


def images_in(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES) if directory.is_dir() else []


def predictor_from(model_dir: Path | None) -> XrayPredictor:
    """The version in `model_dir` (checked against its own manifest) or the served one."""
    if model_dir is not None:
        manifest = json.loads((model_dir / ml_registry.MANIFEST_FILE).read_text())
        ml_registry.artefact_verify(directory=model_dir, checksums=manifest.get("files", {}))
        return predictor_load(model_dir)
    active = ml_registry.model_version_active(name=MODEL_NAME)
    if active is None:
        raise CommandError("No X-ray model version is served; train one (manage.py train_xray) or pass --model-dir.")
    return ml_registry.artefact_load(model_version=active, load=predictor_load)


def evaluate_directory(*, directory: Path, predictor: XrayPredictor, batch_size: int = 32) -> dict:
    """The figures of `predictor` on DIR/positive/ and DIR/negative/; images_per_second
    counts decoding and preprocessing too."""
    positives, negatives = images_in(directory / "positive"), images_in(directory / "negative")
    if not positives or not negatives:
        raise CommandError(f"{directory} needs images in both positive/ and negative/.")
    paths = positives + negatives
    scores = []
    started = time.perf_counter()
    for start in range(0, len(paths), batch_size):
        images = [Image.open(path) for path in paths[start : start + batch_size]]
        scores.extend(float(s) for s in predictor.threat_scores(images))
        for image in images:
            image.close()
    seconds = time.perf_counter() - started
    labels = [True] * len(positives) + [False] * len(negatives)
    figures = binary_metrics(np.asarray(scores), np.asarray(labels), threshold=predictor.threshold)
    return {
        **figures,
        "images_per_second": round(len(paths) / seconds, 2) if seconds else None,
        "model": predictor.name,
        "version": predictor.version,
        "input_size": predictor.input_size,
    }


class Command(BaseCommand):
    help = "Evaluate the X-ray model on DIR/positive and DIR/negative images."

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object.")
        parser.add_argument("--model-dir", type=Path, default=None, help="A version's artefact directory.")
        parser.add_argument("--batch-size", type=int, default=32)

    def handle(self, *args, directory: Path, as_json: bool, model_dir: Path | None, batch_size: int, **options) -> None:
        try:
            predictor = predictor_from(model_dir)
        except ml_registry.ArtefactError as exc:
            raise CommandError(str(exc)) from exc
        figures = evaluate_directory(directory=directory, predictor=predictor, batch_size=batch_size)
        if as_json:
            self.stdout.write(json.dumps(figures))
            return
        for key, value in figures.items():
            self.stdout.write(f"{key}: {value}")
