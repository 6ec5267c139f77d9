"""Builds the X-ray model's TIP evaluation pairs from the held-out real scans.

    .venv/bin/python bench/xray_tip_pairs.py OUTDIR [--pairs-per-bag 2] [--seed 2024]

Each held-out SIXray benign bag (file numbers from xray.screening.datasets.SIXRAY_EVAL_FROM
on) is written twice per pair: with a held-out GDXray threat crop (OUTDIR/positive/) and
with a held-out GDXray benign crop (OUTDIR/negative/). Held-out crops are the GDXray
test scans, whose neighbouring scans training leaves out too. None of these bags or
crops is ever trained on. Then: `manage.py evaluate_xray OUTDIR --json`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "customs_portal.settings.local")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--pairs-per-bag", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    import django

    django.setup()
    from xray.screening import datasets

    counts = datasets.tip_pairs_build(
        data_dir=args.data_dir or datasets.real_data_dir(),
        out_dir=args.out_dir,
        pairs_per_bag=args.pairs_per_bag,
        seed=args.seed,
    )
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
