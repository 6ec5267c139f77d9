"""`manage.py evaluate_risk --data FILE.csv --test-from YYYY-MM-DD [--json]`.

Trains the portal's pipeline on the rows before the date and scores the rows from the
date on, next to three baselines. `model` is the served ranking (both heads filling the
capacity by RISK_PORTFOLIO_REVENUE_SHARE, calibrated on the test rows' score
distribution, never their labels); `heads` has each head alone. Reads only the file:
the database is never touched."""

from __future__ import annotations

import datetime as dt
import json
import time

import pandas as pd
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from customs_portal.errors import ApplicationError
from inspection import bacuda, ml


def evaluate(frame: pd.DataFrame, test_from: dt.date) -> dict:
    cut = pd.Timestamp(test_from)
    train = frame[frame["sgd_date"] < cut].reset_index(drop=True)
    test = frame[frame["sgd_date"] >= cut].reset_index(drop=True)
    if not len(train) or not len(test) or not train["illicit"].any():
        raise ApplicationError(
            f"Need rows with illicit ones before {test_from} and rows from it on "
            f"({len(train)} before, {len(test)} from).",
            code="bad_split",
        )
    started = time.monotonic()
    predictor = ml.train_predictor(train)
    train_seconds = time.monotonic() - started
    started = time.monotonic()
    scores, _features, _context = predictor.score(test)
    # A batch is ranked against its own score distribution, as a day's declarations are.
    predictor.calibrate(scores, split=settings.RISK_PORTFOLIO_REVENUE_SHARE)
    scores["pick_share"] = predictor.pick_share(scores["expected"].to_numpy(), scores["probability"].to_numpy())
    score_seconds = time.monotonic() - started
    illicit, revenue = test["illicit"].to_numpy(), test["revenue"].to_numpy()
    ranked = ml.ranking_metrics(scores, illicit, revenue)
    return {
        "model": ranked["served"],
        "heads": ranked["heads"],
        "baselines": {
            "random": ml.metrics_at(ml.baseline_random(test), illicit, revenue),
            "risky": ml.metrics_at(ml.baseline_risky(train, test), illicit, revenue),
            "gbdt": ml.metrics_at(ml.baseline_gbdt(train, test), illicit, revenue),
        },
        "n_train": len(train),
        "n_test": len(test),
        "train_seconds": round(train_seconds, 2),
        "score_seconds": round(score_seconds, 2),
    }


class Command(BaseCommand):
    help = "Evaluate the risk model and baselines on a BACUDA-format file, split by date."
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--data", required=True)
        parser.add_argument("--test-from", required=True, type=dt.date.fromisoformat)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, data: str, test_from: dt.date, json: bool, **options) -> None:
        try:
            frame, errors = bacuda.read_bacuda(data)
            result = evaluate(frame, test_from)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for error in errors:
            self.stderr.write(f"line {error.line}: {error.message} (skipped)")
        if json:
            self.stdout.write(_dumps(result))
            return
        self.stdout.write(
            f"n_train={result['n_train']} n_test={result['n_test']} "
            f"train_seconds={result['train_seconds']} score_seconds={result['score_seconds']}"
        )
        rows = {"model": result["model"], **{f"head:{k}": v for k, v in result["heads"].items()}, **result["baselines"]}
        columns = list(result["model"])
        self.stdout.write(f"{'':22}" + "".join(f"{c:>14}" for c in columns))
        for name, metrics in rows.items():
            self.stdout.write(f"{name:22}" + "".join(f"{metrics[c]:>14.4f}" for c in columns))


def _dumps(result: dict) -> str:
    return json.dumps(result)
