"""X-ray inference throughput on this CPU, batched, at the served resolution.

    .venv/bin/python bench/xray_throughput.py [--images DIR] [--model-dir PATH] [--seconds 20]

Prints one JSON object: `model_forward_images_per_second` (the bare network on
preprocessed batches), `end_to_end_images_per_second` (JPEG files opened, decoded,
preprocessed, predicted with heat maps, the heat-map PNG and the result written to disk,
as the worker does), their ratio, and the process's peak RSS. Targets: end to end at
least 30 images/s and at least half the bare forward rate; peak RSS under 1.5 GB.
Images are DIR/**/*.jpg (e.g. the TIP pairs of bench/xray_tip_pairs.py), or synthetic
parcels of scanner size when no DIR is given. The model is --model-dir, else the served
version, else an untrained network of the served architecture (speed only).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "customs_portal.settings.local")


def load_predictor(model_dir: Path | None):
    from customs_portal import ml_registry
    from xray.screening import ml

    if model_dir is not None:
        manifest = json.loads((model_dir / ml_registry.MANIFEST_FILE).read_text())
        ml_registry.artefact_verify(directory=model_dir, checksums=manifest["files"])
        return ml.predictor_load(model_dir), str(model_dir)
    try:
        active = ml_registry.model_version_active(name=ml.MODEL_NAME)
    except Exception:  # noqa: BLE001 - no database is fine: the speed is the same.
        active = None
    if active is not None:
        return ml_registry.artefact_load(model_version=active, load=ml.predictor_load), active.label
    net = ml.XrayNet(blocks=ml.DEFAULT_BLOCKS, pretrained=False)
    return ml.XrayPredictor(net=net, version=0, threshold=0.5, input_size=ml.DEFAULT_INPUT_SIZE), "untrained"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, default=None)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    import django

    django.setup()
    import torch
    from PIL import Image

    from xray.screening import ml
    from xray.screening.synthetic import synthetic_parcel_image

    torch.set_num_threads(ml.MAX_THREADS)
    predictor, label = load_predictor(args.model_dir)
    predictor.batch_size = args.batch_size
    scratch = Path(tempfile.mkdtemp(prefix="xray-bench-"))
    if args.images is not None:
        paths = sorted(args.images.rglob("*.jpg"))
    else:
        paths = []
        for seed in range(64):
            path = scratch / f"parcel-{seed}.jpg"
            synthetic_parcel_image(seed=seed, width=1300, height=1000, threat="gun" if seed % 2 else None).save(
                path, quality=92
            )
            paths.append(path)
    size = predictor.input_size

    # The bare network on batches already preprocessed.
    inputs = ml.preprocess_batch([Image.open(p) for p in paths[: args.batch_size]], size=size)
    predictor.scores(inputs)
    started, done = time.perf_counter(), 0
    while time.perf_counter() - started < args.seconds / 2:
        predictor.scores(inputs)
        done += len(inputs)
    forward = done / (time.perf_counter() - started)

    # End to end, as the worker reads, predicts and writes.
    started, done, index = time.perf_counter(), 0, 0
    while time.perf_counter() - started < args.seconds / 2:
        batch = [paths[(index + i) % len(paths)] for i in range(args.batch_size)]
        index += args.batch_size
        images = [Image.open(p) for p in batch]
        sizes = [image.size for image in images]
        predictions = predictor.predict(images)
        for n, ((width, height), prediction) in enumerate(zip(sizes, predictions, strict=True)):
            png = ml.heatmap_png(heatmap=prediction.heatmap, width=width, height=height)
            (scratch / f"heat-{n}.png").write_bytes(png)
            (scratch / f"result-{n}.json").write_text(
                json.dumps({"probabilities": prediction.probabilities, "threat_score": prediction.threat_score})
            )
        for image in images:
            image.close()
        done += len(batch)
    end_to_end = done / (time.perf_counter() - started)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "model": label,
                "input_size": size,
                "threads": torch.get_num_threads(),
                "batch_size": args.batch_size,
                "model_forward_images_per_second": round(forward, 1),
                "end_to_end_images_per_second": round(end_to_end, 1),
                "end_to_end_share_of_forward": round(end_to_end / forward, 3),
                "peak_rss_mb": round(peak_rss / 2**20, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
