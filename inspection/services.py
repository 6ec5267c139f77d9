"""Writes of the inspection app: history import, training, scoring and lanes, officers'
results. Versions are registered, promoted and rolled back by the shared registry
(`customs_portal.ml_registry`), which audits every promotion."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal import ml_registry
from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import CustomsOffice, ModelVersion, User
from declarations.core import screening
from declarations.hooks import LaneDecision
from declarations.models import Declaration, DeclarationLine
from inspection import ml, selectors
from inspection.models import HistoricalDeclaration, InspectionResult, RiskScore
from inspection.reasons import reasons_text

logger = logging.getLogger(__name__)

MODEL_NAME = "risk"
HOLDOUT_SHARE = 0.2  # the latest 20 % of days are the hold-out of the time-based split
PROMOTION_TOLERANCE = 0.005  # "not worse": revenue@5% at most half a point below the active version
Lane = Declaration.Lane

# History.


def _decimal(value: float, places: int) -> Decimal:
    return Decimal(str(round(float(value), places)))


@transaction.atomic
def history_import(*, frame: pd.DataFrame, source: str = HistoricalDeclaration.Source.BACUDA) -> tuple[int, int]:
    """Adds valid BACUDA rows to the history; rows whose sgd_id is already there are left
    as they are (importing a file twice changes nothing). Returns (added, already there)."""
    existing = set(
        HistoricalDeclaration.objects.filter(sgd_id__in=list(frame["sgd_id"])).values_list("sgd_id", flat=True)
    )
    new = frame[~frame["sgd_id"].isin(existing)]
    has_description = "description" in new
    objects = [
        HistoricalDeclaration(
            sgd_id=row.sgd_id,
            sgd_date=row.sgd_date.date(),
            importer_id=row.importer_id,
            declarant_id=row.declarant_id,
            country=row.country,
            office_id=row.office_id,
            tariff_code=row.tariff_code,
            quantity=_decimal(row.quantity, 3),
            gross_weight=_decimal(row.gross_weight, 3),
            fob_value=_decimal(row.fob_value, 2),
            cif_value=_decimal(row.cif_value, 2),
            total_taxes=_decimal(row.total_taxes, 2),
            illicit=bool(row.illicit),
            revenue=_decimal(row.revenue, 2),
            description=(row.description or "") if has_description else "",
            source=source,
        )
        for row in new.itertuples(index=False)
    ]
    HistoricalDeclaration.objects.bulk_create(objects, batch_size=5000, ignore_conflicts=True)
    return len(objects), len(existing)


# Declarations as BACUDA rows: one pipeline for history and the portal.


_LINE_FIELDS = [
    "declaration_id", "declaration__declaration_date", "declaration__party_corporate_number",
    "declaration__company_id", "declaration__declarant_id", "origin_country", "declaration__office__code",
    "hs_code", "quantity", "net_weight_kg", "customs_value_jpy", "customs_duty_jpy", "line_no", "description",
    "declaration__consumption_tax_jpy", "declaration__local_consumption_tax_jpy",
]  # fmt: skip


def importer_key(*, corporate_number: str, company_id: int) -> str:
    """The importer as the features see it: its corporate number, else the filing company
    (parcels of a manifest name a consignee, not a corporate number)."""
    return corporate_number or f"C{company_id}"


def declarant_key(*, user_id: int) -> str:
    """The declarant as the features see it: the user who filed."""
    return f"U{user_id}"


def declaration_rows(declaration_ids: list[int]) -> pd.DataFrame:
    """One BACUDA row per declaration line, with its description, read in one query."""
    raw = pd.DataFrame.from_records(
        DeclarationLine.objects.filter(declaration_id__in=declaration_ids)
        .order_by("declaration_id", "line_no")
        .values_list(*_LINE_FIELDS),
        columns=_LINE_FIELDS,
    )
    if not len(raw):
        return pd.DataFrame(columns=["declaration_id", *ml_columns(), "description"])
    value = raw["customs_value_jpy"].fillna(0).astype("float64")
    total_value = value.groupby(raw["declaration_id"]).transform("sum").replace(0, 1.0)
    other_taxes = raw["declaration__consumption_tax_jpy"].fillna(0).astype("float64") + raw[
        "declaration__local_consumption_tax_jpy"
    ].fillna(0).astype("float64")
    corporate = raw["declaration__party_corporate_number"].fillna("")
    return pd.DataFrame(
        {
            "declaration_id": raw["declaration_id"],
            "sgd_id": "PORTAL-" + raw["declaration_id"].astype(str) + "-" + raw["line_no"].astype(str),
            "sgd_date": pd.to_datetime(raw["declaration__declaration_date"]),
            "importer_id": corporate.where(corporate != "", "C" + raw["declaration__company_id"].astype(str)),
            "declarant_id": "U" + raw["declaration__declarant_id"].astype(str),
            "country": raw["origin_country"],
            "office_id": raw["declaration__office__code"],
            "tariff_code": raw["hs_code"],
            "quantity": raw["quantity"].astype("float64"),
            "gross_weight": raw["net_weight_kg"].astype("float64"),
            "fob_value": value,
            "cif_value": value,
            "total_taxes": raw["customs_duty_jpy"].fillna(0).astype("float64") + other_taxes * value / total_value,
            "illicit": 0,
            "revenue": 0.0,
            "description": raw["description"],
        }
    )


def ml_columns() -> list[str]:
    from inspection.bacuda import REQUIRED

    return list(REQUIRED)


def training_frame() -> pd.DataFrame:
    """The history plus the portal's own labelled declarations (officers' results)."""
    fields = [*ml_columns(), "description"]
    history = pd.DataFrame.from_records(
        HistoricalDeclaration.objects.order_by().values_list(*fields).iterator(chunk_size=20000), columns=fields
    )
    results = {r.declaration_id: r for r in InspectionResult.objects.order_by("recorded_at")}
    portal = declaration_rows(list(results))
    if len(portal):
        for declaration_id, group in portal.groupby("declaration_id"):
            result = results[declaration_id]
            found = result.outcome == InspectionResult.Outcome.DISCREPANCY
            share = group["cif_value"] / max(group["cif_value"].sum(), 1.0)
            portal.loc[group.index, "illicit"] = int(found)
            portal.loc[group.index, "revenue"] = (share * result.additional_duty_jpy).round() if found else 0.0
        history = pd.concat([history, portal.drop(columns="declaration_id")], ignore_index=True)
    if not len(history):
        return history
    for column in ["quantity", "gross_weight", "fob_value", "cif_value", "total_taxes", "revenue"]:
        history[column] = history[column].astype("float64")
    history["illicit"] = history["illicit"].astype("int8")
    history["sgd_date"] = pd.to_datetime(history["sgd_date"])
    return history.sort_values(["sgd_date", "sgd_id"], kind="stable").reset_index(drop=True)


# Training.


def time_split(frame: pd.DataFrame, *, holdout_share: float = HOLDOUT_SHARE) -> pd.Timestamp:
    """The first day of the hold-out: the latest `holdout_share` of the period."""
    first, last = frame["sgd_date"].min(), frame["sgd_date"].max()
    return (first + (last - first) * (1 - holdout_share)).normalize()


def risk_model_train(
    *, actor: User | None = None, system: str = "", if_absent: bool = False, frame: pd.DataFrame | None = None
) -> ModelVersion | None:
    """Trains a new version on the history and the officers' results, evaluates it on the
    latest days (time-based split) and promotes it if it is not worse than the active
    version on that same hold-out; otherwise it is kept, not served."""
    if if_absent and ml_registry.model_version_list(name=MODEL_NAME).exists():
        return None
    frame = training_frame() if frame is None else frame
    min_rows, min_illicit = settings.RISK_MIN_TRAINING_ROWS, settings.RISK_MIN_ILLICIT_LABELS
    illicit = int(frame["illicit"].sum()) if len(frame) else 0
    if len(frame) < min_rows or illicit < min_illicit:
        raise ApplicationError(
            _(
                "Too few labels to train a risk model: %(rows)s declarations with %(illicit)s discrepancies; "
                "at least %(min_rows)s declarations with %(min_illicit)s discrepancies are needed."
            )
            % {"rows": len(frame), "illicit": illicit, "min_rows": min_rows, "min_illicit": min_illicit},
            code="too_few_labels",
        )
    cut = time_split(frame)
    train, holdout = (
        frame[frame["sgd_date"] < cut].reset_index(drop=True),
        frame[frame["sgd_date"] >= cut].reset_index(drop=True),
    )
    if int(train["illicit"].sum()) < min_illicit // 2 or int(holdout["illicit"].sum()) == 0:
        raise ApplicationError(
            _("Too few labels on one side of the time split (%(date)s) to train and evaluate a model.")
            % {"date": cut.date()},
            code="too_few_labels",
        )
    started = time.monotonic()
    predictor = ml.train_predictor(train, name=MODEL_NAME)
    holdout_features, _context = ml.build_features(holdout, predictor.reference)
    scores = predictor.score_features(holdout_features)
    metrics = ml.metrics_at(scores["expected"].to_numpy(), holdout["illicit"].to_numpy(), holdout["revenue"].to_numpy())
    predictor.expected_quantiles = np.sort(scores["expected"].to_numpy())
    active = ml_registry.model_version_active(name=MODEL_NAME)
    comparison = None
    if active is not None:
        try:
            served = ml_registry.artefact_load(model_version=active, load=ml.predictor_read)
            old = served.score_features(holdout_features)
            comparison = ml.metrics_at(
                old["expected"].to_numpy(), holdout["illicit"].to_numpy(), holdout["revenue"].to_numpy()
            )
        except ml_registry.ArtefactError as exc:
            logger.warning("Active model %s cannot be loaded for comparison: %s", active.label, exc)
    # Serving compares new declarations against all history, the hold-out included.
    predictor.reference = ml.build_reference(frame)
    summary = {
        "rows": len(frame), "illicit": illicit, "train_rows": len(train), "holdout_rows": len(holdout),
        "holdout_from": str(cut.date()), "from": str(frame["sgd_date"].min().date()),
        "to": str(frame["sgd_date"].max().date()), "train_seconds": round(time.monotonic() - started, 2),
    }  # fmt: skip
    promote = comparison is None or metrics["revenue@5%"] >= comparison["revenue@5%"] - PROMOTION_TOLERANCE
    with transaction.atomic():
        model_version = ml_registry.model_version_register(
            name=MODEL_NAME,
            write=partial(ml.predictor_write, predictor),
            manifest={"metrics": metrics, "training_data": summary, **ml.predictor_manifest(predictor)},
            metrics={"holdout": metrics, "active_on_same_holdout": comparison, "features": predictor.features},
            training_summary=summary,
            audit_after={"metrics": metrics, "active_on_same_holdout": comparison, "promote": promote},
            actor=actor,
            system=system or "training",
        )
        if promote:
            model_version = ml_registry.model_version_promote(
                model_version=model_version, actor=actor, system=system or "training"
            )
    return model_version


# Scoring and lanes.


@dataclass(frozen=True)
class Scored:
    probability: float
    predicted_revenue: float
    expected_revenue: float
    reasons: list[dict]
    features: dict
    correction: dict


def _aggregate(
    rows: pd.DataFrame, scores: pd.DataFrame, features: pd.DataFrame, context: dict, explanations
) -> dict[int, Scored]:
    """Per declaration: P(any line illicit), the summed expected revenue, the strongest
    line's reasons and features, and a suspected correction where one shows."""
    rows = rows.reset_index(drop=True)
    probability_all = scores["probability"].to_numpy()
    expected_all = scores["expected"].to_numpy()
    columns = list(features.columns)
    values = np.round(features.to_numpy(dtype="float64"), 4)
    text_prob = features["text_chapter_prob"].to_numpy()
    uv_ratio = features["uv_kg_log_ratio"].to_numpy()
    codes = rows["tariff_code"].astype(str).to_numpy()
    weights = rows["gross_weight"].to_numpy(dtype="float64")
    out = {}
    for declaration_id, index in rows.groupby("declaration_id", sort=False).indices.items():
        expected = expected_all[index]
        top = index[int(np.argmax(expected))]
        probability = float(1 - np.prod(1 - probability_all[index]))
        correction = {}
        suggested = context["suggested_chapter"][top]
        if suggested and str(suggested) != codes[top][:2] and np.isfinite(text_prob[top]) and text_prob[top] < 0.2:
            correction["chapter"] = str(suggested)
        if uv_ratio[top] < -0.35 and np.isfinite(context["median_uv_kg"][top]):
            correction["customs_value_jpy"] = int(round(weights[top] * context["median_uv_kg"][top]))
        row = values[top].tolist()
        out[int(declaration_id)] = Scored(
            probability=probability,
            predicted_revenue=float(expected.sum() / max(probability, 1e-9)),
            expected_revenue=float(expected.sum()),
            reasons=explanations[top],
            features={
                "line": int(top - index[0]) + 1,
                **{k: (v if math.isfinite(v) else None) for k, v in zip(columns, row, strict=True)},
            },
            correction=correction,
        )
    return out


def _importer_portal_declarations(declaration_ids: list[int]) -> dict[int, int]:
    """Per declaration: how many other submitted declarations of its importer the portal
    holds (the history knows only labelled ones), in one grouped query."""
    heads = Declaration.objects.filter(pk__in=declaration_ids).values_list("pk", "party_corporate_number", "company_id")
    corporate = {number for _pk, number, _company in heads if number}
    companies = {company for _pk, number, company in heads if not number}
    submitted = (
        Declaration.objects.filter(submitted_at__isnull=False)
        .filter(Q(party_corporate_number__in=corporate) | Q(party_corporate_number="", company_id__in=companies))
        .values_list("party_corporate_number", "company_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, int] = {}
    for number, company, n in submitted:
        key = importer_key(corporate_number=number, company_id=company)
        counts[key] = counts.get(key, 0) + n
    return {
        pk: max(counts.get(importer_key(corporate_number=number, company_id=company), 0) - 1, 0)
        for pk, number, company in heads
    }


def score_declarations(declaration_ids: list[int], predictor: ml.Predictor) -> dict[int, Scored]:
    rows = declaration_rows(declaration_ids)
    if not len(rows):
        return {}
    rows["importer_portal_declarations"] = rows["declaration_id"].map(_importer_portal_declarations(declaration_ids))
    scores, features, context = predictor.score(rows)
    return _aggregate(rows, scores, features, context, ml.explain(features, context, rows))


def active_model() -> tuple[ModelVersion, ml.Predictor] | None:
    """The served risk model version and its predictor (loaded once per process)."""
    active = ml_registry.model_version_active(name=MODEL_NAME)
    if active is None:
        return None
    return active, ml_registry.artefact_load(model_version=active, load=ml.predictor_read)


def _daily_volume(office: CustomsOffice, today: date) -> float:
    """Declarations a day at the office: those submitted in the last
    RISK_LANE_WINDOW_DAYS over the days since the first of them (a young portal is not
    averaged over days it did not exist)."""
    window = settings.RISK_LANE_WINDOW_DAYS
    since = timezone.now() - timedelta(days=window)
    recent = Declaration.objects.filter(office=office, submitted_at__gte=since)
    first = recent.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    if first is None:
        return 1.0
    days = min(window, max(1, (today - timezone.localtime(first).date()).days + 1))
    return max(recent.count() / days, 1.0)


def _exploration_draw(declaration: Declaration) -> float:
    """A uniform number fixed by the declaration and its version: a rerun draws the same."""
    digest = hashlib.sha256(f"{declaration.pk}:{declaration.version}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class LaneThresholds:
    red_share: float  # share of declarations the office's capacity inspects (exploration included)
    red: float  # expected revenue (JPY) from which a declaration goes red
    yellow: float  # ... and yellow, below red
    recent: int  # recent scores of the office the thresholds come from (0: the model's hold-out)


def lane_thresholds(
    *, office: CustomsOffice, predictor: ml.Predictor, model_label: str = "", today: date
) -> LaneThresholds:
    """The office's thresholds: red is the score quantile that fills its daily capacity
    given its daily volume (at most RISK_RED_MAX_SHARE, less the exploration share),
    yellow the next RISK_YELLOW_BAND_SHARE of declarations. The quantiles are of the
    office's recent scores by the same model once there are RISK_LANE_MIN_RECENT_SCORES
    of them, of the model's hold-out scores before."""
    red_share = min(office.daily_inspection_capacity / _daily_volume(office, today), settings.RISK_RED_MAX_SHARE)
    exploit_share = red_share * (1 - settings.INSPECTION_EXPLORATION_SHARE)
    yellow_share = min(red_share + settings.RISK_YELLOW_BAND_SHARE, 1.0)
    recent = np.array([])
    if model_label:
        recent = np.array(
            RiskScore.objects.filter(
                office=office, model_label=model_label,
                scored_on__gte=today - timedelta(days=settings.RISK_LANE_WINDOW_DAYS),
            )
            .order_by("-id")
            .values_list("expected_revenue_jpy", flat=True)[: settings.RISK_LANE_RECENT_SCORES],
            dtype="float64",
        )  # fmt: skip
    if len(recent) < settings.RISK_LANE_MIN_RECENT_SCORES:
        return LaneThresholds(
            red_share=red_share,
            red=predictor.threshold_for_share(exploit_share),
            yellow=predictor.threshold_for_share(yellow_share),
            recent=0,
        )
    return LaneThresholds(
        red_share=red_share,
        red=float(np.quantile(recent, 1 - exploit_share)),
        yellow=float(np.quantile(recent, 1 - yellow_share)),
        recent=len(recent),
    )


def lane_choose(
    *, declaration: Declaration, scored: Scored, predictor: ml.Predictor, today: date, model_label: str = ""
) -> tuple[str, bool, float]:
    """Red when the expected revenue reaches the office's red threshold (`lane_thresholds`)
    while today's capacity lasts, yellow for the next band, green otherwise; a share of
    the capacity is picked at random to learn. Returns (lane, exploration, threshold)."""
    office = declaration.office
    capacity = office.daily_inspection_capacity
    explore = settings.INSPECTION_EXPLORATION_SHARE
    thresholds = lane_thresholds(office=office, predictor=predictor, model_label=model_label, today=today)
    red_share, red_threshold = thresholds.red_share, thresholds.red
    exploit_share = red_share * (1 - explore)
    reds_today = RiskScore.objects.filter(office=office, scored_on=today, lane=Lane.RED)
    if scored.expected_revenue > 0 and scored.expected_revenue >= red_threshold:
        if reds_today.filter(exploration=False).count() < math.ceil(capacity * (1 - explore)):
            return Lane.RED, False, red_threshold
    elif explore > 0 and _exploration_draw(declaration) < explore * red_share / max(1 - exploit_share, 1e-9):
        if reds_today.filter(exploration=True).count() < math.ceil(capacity * explore):
            return Lane.RED, True, red_threshold
    if scored.expected_revenue > 0 and scored.expected_revenue >= thresholds.yellow:
        return Lane.YELLOW, False, red_threshold
    return Lane.GREEN, False, red_threshold


def risk_score_store(
    *,
    declaration: Declaration,
    model_version: ModelVersion,
    scored: Scored,
    lane: str,
    exploration: bool,
    threshold: float | None,
    today: date,
) -> RiskScore:
    """Stores the prediction once per (declaration, declaration version, model version)."""
    reasons = ([{"code": "exploration", "params": {}, "weight": 0}] if exploration else []) + scored.reasons
    score, _created = RiskScore.objects.get_or_create(
        declaration=declaration,
        declaration_version=declaration.version,
        model_label=model_version.label,
        defaults={
            "model_version": model_version,
            "probability": scored.probability,
            "predicted_revenue_jpy": int(round(scored.predicted_revenue)),
            "expected_revenue_jpy": int(round(scored.expected_revenue)),
            "threshold_jpy": None if threshold is None else int(round(threshold)),
            "lane": lane,
            "exploration": exploration,
            "reasons": reasons,
            "features": scored.features,
            "suspected_correction": scored.correction,
            "office": declaration.office,
            "scored_on": today,
        },
    )
    return score


def risk_lane_assign(*, declaration: Declaration) -> LaneDecision:
    """The lane assigner registered with declarations.hooks (runs in the screening task)."""
    try:
        loaded = active_model()
    except ml_registry.ArtefactError:
        # A refused model file must not stop clearance: the rule decides, loudly logged.
        logger.exception("The active risk model cannot be loaded; screening falls back to the rule.")
        loaded = None
    if loaded is None:
        return screening.rule_based_lane(declaration=declaration)
    model_version, predictor = loaded
    declaration = Declaration.objects.select_related("office").get(pk=declaration.pk)
    scored = score_declarations([declaration.pk], predictor).get(declaration.pk)
    if scored is None:
        return screening.rule_based_lane(declaration=declaration)
    today = timezone.localdate()
    existing = RiskScore.objects.filter(
        declaration=declaration, declaration_version=declaration.version, model_label=model_version.label
    ).first()
    if existing is not None and existing.lane:  # a rerun of the task keeps the first decision
        score = existing
    else:
        lane, exploration, threshold = lane_choose(
            declaration=declaration, scored=scored, predictor=predictor, today=today, model_label=model_version.label
        )
        score = risk_score_store(
            declaration=declaration, model_version=model_version, scored=scored, lane=lane,
            exploration=exploration, threshold=threshold, today=today,
        )  # fmt: skip
        if not score.lane:  # scored by a batch rescoring before screening reached it
            RiskScore.objects.filter(pk=score.pk).update(
                lane=lane, exploration=exploration, threshold_jpy=int(round(threshold))
            )
            score.refresh_from_db()
    return LaneDecision(lane=score.lane, reasons=reasons_text(score.reasons), decided_by=model_version.label)


def risk_rescore_open(*, model_version: ModelVersion, batch_size: int = 5000) -> int:
    """Scores every open declaration with `model_version` (the lists' ranking; lanes
    already given stay). Declarations already scored by this version are skipped."""
    predictor = ml_registry.artefact_load(model_version=model_version, load=ml.predictor_read)
    today = timezone.localdate()
    # Declarations still waiting for screening are scored (and routed) by the screening task.
    ids = list(
        selectors.open_declarations()
        .exclude(status__in=[Declaration.Status.SUBMITTED, Declaration.Status.SCREENING])
        .exclude(risk_scores__model_label=model_version.label)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    written = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        scored = score_declarations(chunk, predictor)
        heads = Declaration.objects.filter(pk__in=chunk).values_list("pk", "version", "lane", "office_id")
        now = timezone.now()
        records = [
            (
                pk,
                version,
                model_version.pk,
                model_version.label,
                s.probability,
                int(round(s.predicted_revenue)),
                int(round(s.expected_revenue)),
                None,
                lane or "",
                False,
                json.dumps(s.reasons),
                json.dumps(s.features),
                json.dumps(s.correction),
                office_id,
                today,
                now,
            )  # fmt: skip
            for pk, version, lane, office_id in heads
            if (s := scored.get(pk)) is not None
        ]
        written += _risk_scores_insert(records)
    return written


_SCORE_COLUMNS = [
    "declaration_id", "declaration_version", "model_version_id", "model_label", "probability", "predicted_revenue_jpy",
    "expected_revenue_jpy", "threshold_jpy", "lane", "exploration", "reasons", "features", "suspected_correction",
    "office_id", "scored_on", "created_at",
]  # fmt: skip


def _risk_scores_insert(records: list[tuple]) -> int:
    """Writes many scores in one statement per page; an existing (declaration, version,
    model) score is left as it is. Much cheaper than bulk_create for 100,000 rows."""
    if not records:
        return 0
    from psycopg2.extras import execute_values

    # Table and column names come from our own model, never from input.
    table, columns = RiskScore._meta.db_table, ", ".join(_SCORE_COLUMNS)
    conflict = "ON CONFLICT (declaration_id, declaration_version, model_label) DO NOTHING"
    sql = f"INSERT INTO {table} ({columns}) VALUES %s {conflict}"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, records, page_size=2000)
    return len(records)


# Officers' results.


@transaction.atomic
def inspection_result_record(
    *,
    declaration: Declaration,
    kind: str,
    outcome: str,
    additional_duty_jpy: int,
    fraud_type: str,
    notes: str,
    officer: User,
    request=None,
) -> InspectionResult:
    """Records what an inspection or a post-clearance audit found: a label for training."""
    if outcome == InspectionResult.Outcome.DISCREPANCY:
        if additional_duty_jpy < 0 or not fraud_type:
            raise ApplicationError(
                _("A discrepancy needs the kind of fraud and the additional duty found (0 or more yen)."),
                code="incomplete_result",
                fields={"fraud_type": [_("Choose the kind of discrepancy.")]},
            )
    else:
        additional_duty_jpy, fraud_type = 0, ""
    if InspectionResult.objects.filter(declaration=declaration, kind=kind).exists():
        raise ApplicationError(
            _("A result of this kind is already recorded for this declaration."), code="duplicate_result"
        )
    result = InspectionResult.objects.create(
        declaration=declaration, kind=kind, outcome=outcome, additional_duty_jpy=additional_duty_jpy,
        fraud_type=fraud_type, notes=notes, officer=officer,
    )  # fmt: skip
    audit_record(
        action=f"inspection.{kind}_result", actor=officer, obj=declaration, request=request,
        after={"outcome": outcome, "additional_duty_jpy": additional_duty_jpy, "fraud_type": fraud_type},
    )  # fmt: skip
    return result
