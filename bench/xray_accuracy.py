"""X-ray model accuracy on held-out real scans.

    .venv/bin/python bench/xray_accuracy.py [--pairs DIR] [--model-dir PATH]

1. The TIP pairs (bench/xray_tip_pairs.py; built into DIR when it has none): ROC AUC,
   recall, precision and inspect rate at the serving threshold, and the threat recall
   with 20 % of the benign bags flagged (`manage.py evaluate_xray`'s figures).
   Targets: ROC AUC >= 0.93, recall >= 0.90 with at most 20 % of benign bags flagged.
2. A secondary check on SIXray's own threat bags, which are never trained on: square
   centre crops of every positive against those of the held-out negatives, so that
   neither the bags' size nor their aspect (which alone separate this subset) is seen.
   Prints its ROC AUC.
The model is --model-dir, else the served version (DJANGO_SETTINGS_MODULE's database).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "customs_portal.settings.local")


def centre_square(path: Path):
    from PIL import Image

    with Image.open(path) as image:
        image.draft("RGB", (640, 640))
        rgb = image.convert("RGB")
    side = min(rgb.size)
    left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
    return rgb.crop((left, top, left + side, top + side))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=None)
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()
    import django

    django.setup()
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from xray.management.commands.evaluate_xray import evaluate_directory, images_in, predictor_from
    from xray.screening import datasets

    data_dir = datasets.real_data_dir()
    pairs = args.pairs or Path(tempfile.mkdtemp(prefix="xray-tip-pairs-"))
    if not images_in(pairs / "positive"):
        datasets.tip_pairs_build(data_dir=data_dir, out_dir=pairs)
    predictor = predictor_from(args.model_dir)
    tip = evaluate_directory(directory=pairs, predictor=predictor)

    positives = datasets.sixray_positives(data_dir)
    negatives = datasets.sixray_negatives(data_dir, part="eval")
    squares = [centre_square(p) for p in positives + negatives]
    scores = predictor.threat_scores(squares)
    labels = np.array([1] * len(positives) + [0] * len(negatives))
    sixray = {
        "roc_auc": round(float(roc_auc_score(labels, scores)), 4),
        "n_positive": len(positives),
        "n_negative": len(negatives),
        "recall_at_threshold": round(float((scores[labels == 1] >= predictor.threshold).mean()), 4),
        "inspect_rate_negatives": round(float((scores[labels == 0] >= predictor.threshold).mean()), 4),
    }
    print(json.dumps({"tip_pairs": tip, "tip_pairs_dir": str(pairs), "sixray_centre_squares": sixray}, indent=2))


if __name__ == "__main__":
    main()
