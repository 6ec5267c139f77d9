"""X-ray intake benchmark: what an upload costs and what batching buys the worker.

    .venv/bin/python bench/xray_intake.py [--images 64] [--batch 16]

1. Times `image_clean` (checks, full decode, metadata-free PNG) on real SIXray scans read
   in place from XRAY_REAL_DATA_DIR (research licence: never copied).
2. Trains the tests' tiny model on synthetic parcels (seconds) and times its
   `predict` on the same scans one at a time and in batches of --batch, on 2 threads,
   which is what `xray_images_screen` gains by filling a batch with queued images.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "customs_portal.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()

    import django

    django.setup()
    import torch
    from django.conf import settings
    from PIL import Image

    from xray.parcels.images import image_clean
    from xray.screening import training

    torch.set_num_threads(2)
    files = sorted((Path(str(settings.XRAY_REAL_DATA_DIR)) / "sixray-subset").rglob("*.jpg"))[: args.images]
    if not files:
        sys.exit(f"No real scans under {settings.XRAY_REAL_DATA_DIR}.")
    started = time.perf_counter()
    cleaned = [image_clean(data=path.read_bytes()) for path in files]
    seconds = time.perf_counter() - started
    print(f"image_clean: {seconds / len(files) * 1000:.0f} ms per scan over {len(files)} SIXray JPEGs")

    images = []
    for clean in cleaned:
        image = Image.open(io.BytesIO(clean.content))
        image.load()
        images.append(image)
    config = training.tiny_config()
    outcome, _images, _labels = training.train_and_evaluate(
        data=training.training_data_synthetic(config=config), config=config
    )
    predictor = outcome.predictor
    predictor.predict(images[:2])  # warm-up
    started = time.perf_counter()
    for image in images:
        predictor.predict([image])
    single = time.perf_counter() - started
    started = time.perf_counter()
    for start in range(0, len(images), args.batch):
        predictor.predict(images[start : start + args.batch])
    batched = time.perf_counter() - started
    print(f"predict one at a time: {len(images) / single:.1f} images/s")
    print(f"predict in batches of {args.batch}: {len(images) / batched:.1f} images/s ({single / batched:.1f}x)")


if __name__ == "__main__":
    main()
