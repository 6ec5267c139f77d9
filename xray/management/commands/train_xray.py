"""`manage.py train_xray [--data-dir DIR | --synthetic] [--epochs N] [--seed N] [--tiny]`:
trains, evaluates, registers and maybe promotes an X-ray model version."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from customs_portal.errors import ApplicationError
from xray.screening import training


def officer_labelled_images() -> list[tuple[Path, str]]:
    """Images officers labelled in review, when the review part provides them."""
    try:
        from xray.review.selectors import review_labelled_images
    except ImportError:
        return []
    return list(review_labelled_images())


class Command(BaseCommand):
    help = "Train a new X-ray model version on TIP images of the real scans (or synthetic ones)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--data-dir", type=Path, default=None, help="Real scans (default XRAY_REAL_DATA_DIR).")
        parser.add_argument("--synthetic", action="store_true", help="Train on synthetic parcels (a quick demo model).")
        parser.add_argument("--epochs", type=int, default=None)
        parser.add_argument("--steps-per-epoch", type=int, default=None)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--input-size", type=int, default=None, help="The served input's side in px.")
        parser.add_argument("--tiny", action="store_true", help="A tiny model trained in seconds (tests, demo).")
        parser.add_argument("--no-officer-labels", action="store_true", help="Leave out officer-labelled images.")

    def handle(
        self, *args, data_dir, synthetic, epochs, steps_per_epoch, seed, input_size, tiny, no_officer_labels, **options
    ):
        config = training.tiny_config() if tiny else training.TrainingConfig()
        config = replace(config, seed=seed)
        if epochs is not None:
            config = replace(config, epochs=epochs)
        if input_size is not None:
            config = replace(config, input_size=input_size)
        if steps_per_epoch is not None:
            config = replace(config, steps_per_epoch=steps_per_epoch)
        extra = [] if no_officer_labels else officer_labelled_images()
        started = time.monotonic()
        try:
            version = training.xray_model_train(
                data_dir=data_dir,
                synthetic=synthetic,
                config=config,
                extra_labelled=extra,
                system="manage.py train_xray",
                progress=lambda line: self.stdout.write(line),
            )
        except (ApplicationError, FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{version.label}: {version.get_status_display()} ({time.monotonic() - started:.0f} s)")
        metrics = version.metrics
        self.stdout.write(
            json.dumps({"validation": metrics["validation"], "per_class": metrics["per_class"]}, indent=2)
        )
        self.stdout.write("Confusion matrix (rows: true, columns: predicted; gun, blade, shuriken, other):")
        for row in metrics["confusion_matrix"]:
            self.stdout.write("  " + " ".join(f"{n:5d}" for n in row))
        if metrics.get("active_on_same_validation"):
            self.stdout.write("Previously active version on the same validation images:")
            self.stdout.write(json.dumps(metrics["active_on_same_validation"], indent=2))
