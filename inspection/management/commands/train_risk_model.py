"""`manage.py train_risk_model [--if-absent]`: trains, evaluates and maybe promotes a version."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from customs_portal.errors import ApplicationError
from inspection import services


class Command(BaseCommand):
    help = "Train a new risk model version on the history and the officers' results."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--if-absent", action="store_true", help="Do nothing when a version exists already.")

    def handle(self, *args, if_absent: bool, **options) -> None:
        try:
            version = services.risk_model_train(system="manage.py train_risk_model", if_absent=if_absent)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if version is None:
            self.stdout.write("A risk model exists already; nothing trained.")
            return
        self.stdout.write(f"{version.label}: {version.get_status_display()}")
        self.stdout.write(json.dumps(version.metrics["holdout"], indent=2))
        if version.metrics.get("active_on_same_holdout"):
            self.stdout.write("Previously active version on the same hold-out:")
            self.stdout.write(json.dumps(version.metrics["active_on_same_holdout"], indent=2))
