"""Writes of the inspection app: history import, training, scoring and lanes, officers'
results. Versions are registered, promoted and rolled back by the shared registry
(`customs_portal.ml_registry`), which audits every promotion."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal import aeo, ml_registry
from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import AeoCertificate, CustomsOffice, ModelVersion, Role, User
from customs_portal.reasons import reasons_stored
from declarations.core import screening
from declarations.hooks import LaneDecision
from declarations.models import Declaration, DeclarationLine, DeclarationVersion
from inspection import ml, selectors
from inspection.models import HistoricalDeclaration, InspectionResult, RiskScore

logger = logging.getLogger(__name__)

MODEL_NAME = "risk"
HOLDOUT_SHARE = 0.2  # the latest 20 % of days are the hold-out of the time-based split
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
    has_aeo = "aeo" in new
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
            aeo=bool(row.aeo) if has_aeo else False,
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
    return _bacuda_rows(raw)


def _bacuda_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """BACUDA rows of declaration lines given as `_LINE_FIELDS` columns."""
    if not len(raw):
        return pd.DataFrame(columns=["declaration_id", *ml_columns(), "description", "aeo"])
    value = raw["customs_value_jpy"].fillna(0).astype("float64")
    total_value = value.groupby(raw["declaration_id"]).transform("sum").replace(0, 1.0)
    other_taxes = raw["declaration__consumption_tax_jpy"].fillna(0).astype("float64") + raw[
        "declaration__local_consumption_tax_jpy"
    ].fillna(0).astype("float64")
    corporate = raw["declaration__party_corporate_number"].fillna("")
    rows = pd.DataFrame(
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
    rows["aeo"] = _aeo_column(rows["declaration_id"])
    return rows


def _aeo_column(declaration_ids: pd.Series) -> np.ndarray:
    """1 where the declaration's importer (exporter) held an AEO certificate of that kind
    on the declaration date, else 0; one query for the declarations, one for certificates."""
    if not AeoCertificate.objects.filter(kind__in=list(aeo.KIND_FOR_DECLARATION.values())).exists():
        return np.zeros(len(declaration_ids), dtype="int8")
    heads = Declaration.objects.filter(pk__in=declaration_ids.unique().tolist()).values_list(
        "pk", "kind", "declaration_date", "party_corporate_number", "company__corporate_number"
    )
    ids, parties = [], []
    for pk, kind, day, party_number, company_number in heads:
        ids.append(pk)
        parties.append((party_number or company_number, kind, day))
    flags = pd.Series(aeo.aeo_flags(parties), index=ids, dtype="int8")
    return declaration_ids.map(flags).fillna(0).astype("int8").to_numpy()


def _snapshot_lines(declaration: Declaration, snapshot: dict) -> list[dict]:
    """`_LINE_FIELDS` records of the lines of a frozen declaration version."""
    header = snapshot["header"]
    return [
        {
            "declaration_id": declaration.pk,
            "declaration__declaration_date": header.get("declaration_date"),
            "declaration__party_corporate_number": header.get("party_corporate_number") or "",
            "declaration__company_id": declaration.company_id,
            "declaration__declarant_id": declaration.declarant_id,
            "origin_country": line.get("origin_country") or "",
            "declaration__office__code": header.get("office") or "",
            "hs_code": line.get("hs_code") or "",
            "quantity": float(line.get("quantity") or 0),
            "net_weight_kg": float(line.get("net_weight_kg") or 0),
            "customs_value_jpy": float(line.get("customs_value_jpy") or 0),
            "customs_duty_jpy": float(line.get("customs_duty_jpy") or 0),
            "line_no": int(line.get("line_no") or 0),
            "description": line.get("description") or "",
            "declaration__consumption_tax_jpy": float(header.get("consumption_tax_jpy") or 0),
            "declaration__local_consumption_tax_jpy": float(header.get("local_consumption_tax_jpy") or 0),
        }
        for line in snapshot.get("lines", [])
    ]


def judged_rows(results: list[InspectionResult]) -> pd.DataFrame:
    """BACUDA rows of the declaration versions that `results` judged: the frozen version's
    lines, or the current lines while the declaration is still at that version. A result
    whose version is neither (amended since, never frozen) is left out: its lines are
    not known any more."""
    frozen = {
        (v.declaration_id, v.version): v.snapshot
        for v in DeclarationVersion.objects.filter(declaration_id__in=[r.declaration_id for r in results])
    }
    current, records = [], []
    for result in results:
        snapshot = frozen.get((result.declaration_id, result.declaration_version))
        if snapshot is not None:
            records.extend(_snapshot_lines(result.declaration, snapshot))
        elif result.declaration.version == result.declaration_version:
            current.append(result.declaration_id)
        else:
            logger.warning(
                "Result %s judged version %s of declaration %s, which is not frozen; not used for training.",
                result.pk, result.declaration_version, result.declaration_id,
            )  # fmt: skip
    rows = _bacuda_rows(pd.DataFrame.from_records(records, columns=_LINE_FIELDS))
    return pd.concat([frame for frame in (rows, declaration_rows(current)) if len(frame)] or [rows], ignore_index=True)


def ml_columns() -> list[str]:
    from inspection.bacuda import REQUIRED

    return list(REQUIRED)


def training_frame() -> pd.DataFrame:
    """The history plus the portal's own labelled declarations: each officer's result
    labels the lines of the declaration version it judged."""
    fields = [*ml_columns(), "description", "aeo"]
    history = pd.DataFrame.from_records(
        HistoricalDeclaration.objects.order_by().values_list(*fields).iterator(chunk_size=20000), columns=fields
    )
    results = {
        r.declaration_id: r for r in InspectionResult.objects.select_related("declaration").order_by("recorded_at")
    }
    portal = judged_rows(list(results.values()))
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
    """Trains a new version on the history and the officers' results before the latest
    days, evaluates it on those days (time-based split) and promotes that very model if
    its served ranking is not worse than the active version's on the same hold-out;
    otherwise it is kept, not served. The hold-out rows are never learned from: what is
    served is what was measured."""
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
    predictor.calibrate(scores, split=settings.RISK_PORTFOLIO_REVENUE_SHARE)
    # The stored metrics are those of exactly this artefact: nothing is refitted after.
    scores = predictor.score_features(holdout_features)
    illicit_holdout, revenue_holdout = holdout["illicit"].to_numpy(), holdout["revenue"].to_numpy()
    ranked = ml.ranking_metrics(scores, illicit_holdout, revenue_holdout)
    metrics = ranked["served"]
    active = ml_registry.model_version_active(name=MODEL_NAME)
    comparison = None
    if active is not None:
        try:
            served = ml_registry.artefact_load(model_version=active, load=ml.predictor_read)
            old_features, _old_context = ml.build_features(holdout, served.reference)
            comparison = ml.ranking_metrics(served.score_features(old_features), illicit_holdout, revenue_holdout)[
                "served"
            ]
        except ml_registry.ArtefactError as exc:
            logger.warning("Active model %s cannot be loaded for comparison: %s", active.label, exc)
    summary = {
        "rows": len(frame), "illicit": illicit, "train_rows": len(train), "holdout_rows": len(holdout),
        "holdout_from": str(cut.date()), "from": str(frame["sgd_date"].min().date()),
        "to": str(frame["sgd_date"].max().date()), "train_seconds": round(time.monotonic() - started, 2),
        "revenue_share": settings.RISK_PORTFOLIO_REVENUE_SHARE,
    }  # fmt: skip
    tolerance = settings.RISK_PROMOTION_TOLERANCE
    promote = comparison is None or metrics["revenue@5%"] >= comparison["revenue@5%"] - tolerance
    stored = {
        "holdout": metrics,
        "heads": ranked["heads"],
        "holdout_predictions_sha256": predictions_digest(scores),
        "active_on_same_holdout": comparison,
        "features": predictor.features,
    }
    with transaction.atomic():
        model_version = ml_registry.model_version_register(
            name=MODEL_NAME,
            write=partial(ml.predictor_write, predictor),
            manifest={
                "metrics": metrics,
                "heads": ranked["heads"],
                "holdout_predictions_sha256": stored["holdout_predictions_sha256"],
                "training_data": summary,
                **ml.predictor_manifest(predictor),
            },  # fmt: skip
            metrics=stored,
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


def predictions_digest(scores: pd.DataFrame) -> str:
    """A fingerprint of a model's hold-out predictions (both heads and the served
    ranking), stored with its metrics: the served artefact must reproduce it."""
    values = np.round(scores[["probability", "expected", "pick_share"]].to_numpy(dtype="float64"), 9)
    return hashlib.sha256(np.ascontiguousarray(values).tobytes()).hexdigest()


# Scoring and lanes.


@dataclass(frozen=True)
class Scored:
    probability: float
    predicted_revenue: float
    expected_revenue: float
    reasons: list[dict]
    features: dict
    correction: dict
    pick_share: float = 1.0  # the served ranking: picked once this share of declarations is inspected


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
    origin_share = features["origin_share_in_line"].to_numpy()
    codes = rows["tariff_code"].astype(str).to_numpy()
    weights = rows["gross_weight"].to_numpy(dtype="float64")
    max_prob, max_log_ratio = settings.RISK_WRONG_CHAPTER_MAX_PROBABILITY, settings.RISK_WRONG_VALUE_LOG_RATIO
    out = {}
    for declaration_id, index in rows.groupby("declaration_id", sort=False).indices.items():
        expected = expected_all[index]
        top = index[int(np.argmax(expected))]
        probability = float(1 - np.prod(1 - probability_all[index]))
        correction = {}
        suggested = context["suggested_chapter"][top]
        if suggested and str(suggested) != codes[top][:2] and np.isfinite(text_prob[top]) and text_prob[top] < max_prob:
            correction["chapter"] = str(suggested)
        if uv_ratio[top] < max_log_ratio and np.isfinite(context["median_uv_kg"][top]):
            correction["customs_value_jpy"] = int(round(weights[top] * context["median_uv_kg"][top]))
            low, high = context["low_uv_kg"][top], context["high_uv_kg"][top]
            if np.isfinite(low) and np.isfinite(high):
                correction["customs_value_range_jpy"] = [
                    int(round(weights[top] * low)),
                    int(round(weights[top] * high)),
                ]
        if origin_share[top] < ml.ORIGIN_RARE_SHARE and len(context["usual_origins"][top]):
            correction["origin"] = list(context["usual_origins"][top])
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
    scored = _aggregate(rows, scores, features, context, ml.explain(features, context, rows))
    # The served ranking places each declaration by its summed heads.
    shares = predictor.pick_share(
        np.array([s.expected_revenue for s in scored.values()]), np.array([s.probability for s in scored.values()])
    )
    return {pk: replace(s, pick_share=float(share)) for (pk, s), share in zip(scored.items(), shares, strict=True)}


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


def aeo_share_factor(*, declaration: Declaration, scored: Scored) -> float:
    """AEO: the factor that scales an AEO declaration's share of the red and yellow lanes
    (and of the exploration picks) at its office; 1 for every other declaration. The
    declaration is AEO when its features say so, i.e. its importer held a certificate
    valid on the declaration date."""
    if not scored.features.get("aeo"):
        return 1.0
    by_office = settings.AEO_INSPECTION_SHARE_FACTOR_BY_OFFICE
    return float(by_office.get(declaration.office.code, settings.AEO_INSPECTION_SHARE_FACTOR))


class LaneTally:
    """What `lane_choose` reads besides the score: the office's lane thresholds, today's
    red picks, the revenue threshold. Read at every call by default; bulk screening
    keeps one cached tally for a whole chunk, which reads each office once and counts its
    own picks, so that each parcel gets the lane it would get screened one by one, in order."""

    def __init__(self, *, cached: bool = False) -> None:
        self.cached = cached
        self._reds: dict[tuple[int, bool], int] = {}
        self._thresholds: dict[tuple[int, float], float] = {}
        self._lanes: dict[tuple[int, str], LaneThresholds] = {}

    def reds(self, office: CustomsOffice, today: date, *, exploration: bool) -> int:
        key = (office.pk, exploration)
        if not self.cached or key not in self._reds:
            count = RiskScore.objects.filter(
                office=office, scored_on=today, lane=Lane.RED, exploration=exploration
            ).count()
            if not self.cached:
                return count
            self._reds[key] = count
        return self._reds[key]

    def red_picked(self, office: CustomsOffice, *, exploration: bool) -> None:
        if self.cached:
            self._reds[(office.pk, exploration)] += 1

    def lanes(self, office: CustomsOffice, *, model_label: str, today: date) -> LaneThresholds:
        if not self.cached:
            return lane_thresholds(office=office, model_label=model_label, today=today)
        key = (office.pk, model_label)
        if key not in self._lanes:
            self._lanes[key] = lane_thresholds(office=office, model_label=model_label, today=today)
        return self._lanes[key]

    def scored(self, office: CustomsOffice, *, model_label: str, pick_share: float) -> None:
        """Counts a score just made as one of the office's recent ones, as its stored row
        would be for the next declaration screened one by one."""
        key = (office.pk, model_label)
        if self.cached and key in self._lanes:
            lanes = self._lanes[key]
            recent = np.concatenate([[pick_share], lanes.recent])[: settings.RISK_LANE_RECENT_SCORES]
            self._lanes[key] = LaneThresholds(red_share=lanes.red_share, recent=recent)

    def threshold(self, predictor: ml.Predictor, share: float) -> float:
        if not self.cached:
            return predictor.threshold_for_share(share)
        key = (id(predictor), share)
        if key not in self._thresholds:
            self._thresholds[key] = predictor.threshold_for_share(share)
        return self._thresholds[key]


@dataclass(frozen=True)
class LaneThresholds:
    """Where an office's lanes start on the served ranking's pick share (smaller: riskier)."""

    red_share: float  # share of declarations the office's capacity inspects (exploration included)
    recent: np.ndarray  # pick shares of the office's recent scores by the model, newest first; empty: hold-out

    def cut(self, share: float) -> float:
        """The pick share at or under which `share` of the declarations fall: of the
        office's recent scores once there are enough, else of the model's hold-out (on
        which pick shares are calibrated, so the share itself)."""
        if len(self.recent) < settings.RISK_LANE_MIN_RECENT_SCORES:
            return share
        return float(np.quantile(self.recent, min(max(share, 0.0), 1.0)))


def lane_thresholds(*, office: CustomsOffice, model_label: str = "", today: date) -> LaneThresholds:
    """The office's thresholds: red is the share that fills its daily capacity given its
    daily volume (at most RISK_RED_MAX_SHARE), taken as a quantile of the pick shares of
    the office's last RISK_LANE_RECENT_SCORES scores by the same model within
    RISK_LANE_WINDOW_DAYS once there are RISK_LANE_MIN_RECENT_SCORES of them, so that an
    office whose declarations are riskier than the model's hold-out still fills, and does
    not overflow, its capacity."""
    red_share = min(office.daily_inspection_capacity / _daily_volume(office, today), settings.RISK_RED_MAX_SHARE)
    recent = np.array([])
    if model_label:
        recent = np.array(
            RiskScore.objects.filter(
                office=office, model_label=model_label,
                scored_on__gte=today - timedelta(days=settings.RISK_LANE_WINDOW_DAYS),
            )
            .order_by("-id")
            .values_list("pick_share", flat=True)[: settings.RISK_LANE_RECENT_SCORES],
            dtype="float64",
        )  # fmt: skip
    return LaneThresholds(red_share=red_share, recent=recent)


def lane_choose(
    *,
    declaration: Declaration,
    scored: Scored,
    predictor: ml.Predictor,
    today: date,
    model_label: str = "",
    tally: LaneTally | None = None,
) -> tuple[str, bool, float]:
    """Red when the served ranking picks the declaration within the share that fills
    today's capacity at the office (less the exploration share; `lane_thresholds`) while
    that capacity lasts, yellow for the next RISK_YELLOW_BAND_SHARE, green otherwise; a
    share of the capacity is picked at random to learn. AEO declarations get a smaller
    share of both lanes. Returns (lane, exploration, threshold): the expected revenue
    from which the revenue head picks (the probability head picks the rest of the red
    lane). `tally` caches what is read besides the score, for bulk screening."""
    tally = tally or LaneTally()
    office = declaration.office
    capacity = office.daily_inspection_capacity
    explore = settings.INSPECTION_EXPLORATION_SHARE
    thresholds = tally.lanes(office, model_label=model_label, today=today)
    factor = aeo_share_factor(declaration=declaration, scored=scored)
    red_share = thresholds.red_share * factor
    exploit_share = red_share * (1 - explore)
    yellow_share = min((thresholds.red_share + settings.RISK_YELLOW_BAND_SHARE) * factor, 1.0)
    red_threshold = tally.threshold(predictor, exploit_share)
    if scored.pick_share <= thresholds.cut(exploit_share):
        if tally.reds(office, today, exploration=False) < math.ceil(capacity * (1 - explore)):
            tally.red_picked(office, exploration=False)
            return Lane.RED, False, red_threshold
    elif explore > 0 and _exploration_draw(declaration) < explore * red_share / max(1 - exploit_share, 1e-9):
        if tally.reds(office, today, exploration=True) < math.ceil(capacity * explore):
            tally.red_picked(office, exploration=True)
            return Lane.RED, True, red_threshold
    if scored.pick_share <= thresholds.cut(yellow_share):
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
    """Stores the prediction once per (declaration, declaration version, model version);
    a prediction stored already is returned as it is."""
    risk_scores_write(
        [
            _screening_score(
                declaration, model_version, scored, lane=lane, exploration=exploration, threshold=threshold, today=today
            )
        ]
    )
    return RiskScore.objects.get(
        declaration=declaration, declaration_version=declaration.version, model_label=model_version.label
    )


def _screening_score(
    declaration: Declaration, model_version: ModelVersion, scored: Scored, *, lane: str, exploration: bool,
    threshold: float, today: date,
) -> RiskScore:  # fmt: skip
    """The score of a declaration screened `today`; an exploration pick says so first among
    its reasons."""
    reasons = ([{"code": "exploration", "params": {}, "weight": 0}] if exploration else []) + scored.reasons
    return _risk_score(
        declaration_id=declaration.pk, declaration_version=declaration.version, office_id=declaration.office_id,
        model_version=model_version, scored=scored, lane=lane, exploration=exploration, threshold=threshold,
        reasons=reasons, today=today,
    )  # fmt: skip


def _risk_score(
    *,
    declaration_id: int,
    declaration_version: int,
    office_id: int,
    model_version: ModelVersion,
    scored: Scored,
    lane: str,
    exploration: bool,
    threshold: float | None,
    reasons: list[dict],
    today: date,
) -> RiskScore:
    return RiskScore(
        declaration_id=declaration_id,
        declaration_version=declaration_version,
        model_version=model_version,
        model_label=model_version.label,
        probability=scored.probability,
        predicted_revenue_jpy=int(round(scored.predicted_revenue)),
        expected_revenue_jpy=int(round(scored.expected_revenue)),
        pick_share=scored.pick_share,
        threshold_jpy=int(round(threshold)) if threshold is not None and math.isfinite(threshold) else None,
        lane=lane,
        exploration=exploration,
        reasons=reasons,
        features=scored.features,
        suspected_correction=scored.correction,
        office_id=office_id,
        scored_on=today,
    )


def risk_scores_write(scores: list[RiskScore], *, batch_size: int = 2000) -> int:
    """The one write path of predictions, on PostgreSQL and SQLite alike: one INSERT per
    batch, and a (declaration, version, model) score already stored is left as it is, so
    a rerun writes nothing twice. Returns how many were offered."""
    if scores:
        RiskScore.objects.bulk_create(scores, batch_size=batch_size, ignore_conflicts=True)
    return len(scores)


def _served_model() -> tuple[ModelVersion, ml.Predictor] | None:
    try:
        return active_model()
    except ml_registry.ArtefactError:
        # A refused model file must not stop clearance: the rule decides, loudly logged.
        logger.exception("The active risk model cannot be loaded; screening falls back to the rule.")
        return None


def risk_lane_assign(*, declaration: Declaration) -> LaneDecision:
    """The lane assigner registered with declarations.hooks (runs in the screening task)."""
    loaded = _served_model()
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
                lane=lane,
                exploration=exploration,
                threshold_jpy=int(round(threshold)) if math.isfinite(threshold) else None,
            )
            score.refresh_from_db()
    return LaneDecision(lane=score.lane, reasons=reasons_stored(score.reasons), decided_by=model_version.label)


def risk_lanes_assign(*, declarations: list[Declaration]) -> dict[int, LaneDecision]:
    """The bulk variant of `risk_lane_assign` (bulk manifest screening): one feature
    build and one predict for all `declarations` (with their office loaded), the lanes
    chosen in id order as one by one (a cached `LaneTally`), the new scores written in
    one insert. Runs in the caller's transaction; the offices' rows stay locked until it
    ends, so that two chunks screened at once at one office respect its capacity."""
    loaded = _served_model()
    if loaded is None:
        return {declaration.pk: screening.rule_based_lane(declaration=declaration) for declaration in declarations}
    model_version, predictor = loaded
    declarations = sorted(declarations, key=lambda declaration: declaration.pk)
    scored_all = score_declarations([declaration.pk for declaration in declarations], predictor)
    existing = {
        (score.declaration_id, score.declaration_version): score
        for score in RiskScore.objects.filter(
            declaration_id__in=[declaration.pk for declaration in declarations], model_label=model_version.label
        )
    }
    office_ids = sorted({declaration.office_id for declaration in declarations})
    list(CustomsOffice.objects.select_for_update().filter(pk__in=office_ids).order_by("pk"))
    today, tally = timezone.localdate(), LaneTally(cached=True)
    decisions: dict[int, LaneDecision] = {}
    new_scores: list[RiskScore] = []
    for declaration in declarations:
        scored = scored_all.get(declaration.pk)
        if scored is None:
            decisions[declaration.pk] = screening.rule_based_lane(declaration=declaration)
            continue
        score = existing.get((declaration.pk, declaration.version))
        if score is not None and score.lane:  # a rerun keeps the first decision
            decisions[declaration.pk] = LaneDecision(
                lane=score.lane, reasons=reasons_stored(score.reasons), decided_by=model_version.label
            )
            continue
        lane, exploration, threshold = lane_choose(
            declaration=declaration, scored=scored, predictor=predictor, today=today,
            model_label=model_version.label, tally=tally,
        )  # fmt: skip
        if score is None:
            tally.scored(declaration.office, model_label=model_version.label, pick_share=scored.pick_share)
        if score is not None:  # scored by a batch rescoring before screening reached it
            RiskScore.objects.filter(pk=score.pk).update(
                lane=lane,
                exploration=exploration,
                threshold_jpy=int(round(threshold)) if math.isfinite(threshold) else None,
            )
            reasons = score.reasons
        else:
            new_score = _screening_score(
                declaration, model_version, scored, lane=lane, exploration=exploration, threshold=threshold, today=today
            )
            new_scores.append(new_score)
            reasons = new_score.reasons
        decisions[declaration.pk] = LaneDecision(
            lane=lane, reasons=reasons_stored(reasons), decided_by=model_version.label
        )
    risk_scores_write(new_scores)
    return decisions


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
        written += risk_scores_write(
            [
                _risk_score(
                    declaration_id=pk,
                    declaration_version=version,
                    office_id=office_id,
                    model_version=model_version,
                    scored=s,
                    lane=lane or "",
                    exploration=False,
                    threshold=None,
                    reasons=s.reasons,
                    today=today,
                )  # fmt: skip
                for pk, version, lane, office_id in heads
                if (s := scored.get(pk)) is not None
            ]
        )
    return written


# Officers' results.


# Who records which result, and on which declarations. An inspection result is the
# inspection officers' work, on a declaration of the inspection lane: in physical
# inspection now, or released or permitted straight after it (its current version went
# through inspection, no amendment since). A post-clearance audit is the audit officers'
# work, on a permitted declaration. Supervisors may record either.
RESULT_RECORDERS = {
    InspectionResult.Kind.INSPECTION: {Role.INSPECTION_OFFICER, Role.SUPERVISOR},
    InspectionResult.Kind.POST_CLEARANCE_AUDIT: {Role.AUDIT_OFFICER, Role.SUPERVISOR},
}
INSPECTED_STATUSES = {Declaration.Status.INSPECTION, *selectors.CLEARED}
RESULT_ACTIONS = {kind: f"record_{kind}" for kind in InspectionResult.Kind.values}


def _in_result_state(*, declaration: Declaration, kind: str, inspected: bool) -> bool:
    if kind == InspectionResult.Kind.POST_CLEARANCE_AUDIT:
        return declaration.status == Declaration.Status.PERMITTED
    return declaration.status in INSPECTED_STATUSES and inspected


def _result_refusal(
    *, declaration: Declaration, user: User, kind: str, recorded: set[str], inspected: bool
) -> ApplicationError | None:
    """Why `user` may not record a result of `kind` on `declaration` now; None if they may.
    `inspected` tells whether the declaration's current version went through inspection."""
    if not (user.is_authenticated and user.is_active and user.role in RESULT_RECORDERS.get(kind, ())):
        return ApplicationError(_("Your role may not record this kind of result."), code="not_allowed")
    if not _in_result_state(declaration=declaration, kind=kind, inspected=inspected):
        return ApplicationError(
            _("This kind of result cannot be recorded for a declaration in this state."), code="wrong_state"
        )
    if kind in recorded:
        return ApplicationError(
            _("A result of this kind is already recorded for this declaration."), code="duplicate_result"
        )
    return None


def _inspected(declaration: Declaration) -> bool:
    """`selectors.declaration_inspected`, without a query where the status alone decides."""
    if declaration.status not in selectors.CLEARED:
        return declaration.status == Declaration.Status.INSPECTION
    return selectors.declaration_inspected(declaration)


def inspection_result_allowed_actions(
    *, declaration: Declaration, user: User, recorded: set[str] | None = None, inspected: bool | None = None
) -> list[str]:
    """The results `user` may record on `declaration` now, as actions ("record_inspection",
    "record_post_clearance_audit"): by role, by the declaration's state, and only a kind not
    recorded yet. `recorded` is the kinds already recorded and `inspected` whether the
    current version went through inspection (both read here when not given);
    `inspection_result_record` refuses what this does not allow."""
    if recorded is None:
        recorded = set(InspectionResult.objects.filter(declaration=declaration).values_list("kind", flat=True))
    if inspected is None:
        inspected = _inspected(declaration)
    return [
        RESULT_ACTIONS[kind]
        for kind in InspectionResult.Kind.values
        if _result_refusal(declaration=declaration, user=user, kind=kind, recorded=recorded, inspected=inspected)
        is None
    ]


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
    """Records what an inspection or a post-clearance audit found in the declaration's
    current version: a label for training, on that version's lines. Refused unless
    `inspection_result_allowed_actions` allows the officer this kind of result."""
    # The row is locked first: the status, the version and the results recorded are read
    # as of now, and an amendment or a second officer cannot slip in between.
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    recorded = set(InspectionResult.objects.filter(declaration=declaration).values_list("kind", flat=True))
    refusal = _result_refusal(
        declaration=declaration, user=officer, kind=kind, recorded=recorded, inspected=_inspected(declaration)
    )
    if refusal is not None:
        raise refusal
    if outcome == InspectionResult.Outcome.DISCREPANCY:
        if additional_duty_jpy < 0 or not fraud_type:
            raise ApplicationError(
                _("A discrepancy needs the kind of fraud and the additional duty found (0 or more yen)."),
                code="incomplete_result",
                fields={"fraud_type": [_("Choose the kind of discrepancy.")]},
            )
    else:
        additional_duty_jpy, fraud_type = 0, ""
    version = declaration.version
    result = InspectionResult.objects.create(
        declaration=declaration, declaration_version=version, kind=kind, outcome=outcome,
        additional_duty_jpy=additional_duty_jpy, fraud_type=fraud_type, notes=notes, officer=officer,
    )  # fmt: skip
    audit_record(
        action=f"inspection.{kind}_result", actor=officer, obj=declaration, request=request,
        after={"outcome": outcome, "additional_duty_jpy": additional_duty_jpy, "fraud_type": fraud_type,
               "declaration_version": version},
    )  # fmt: skip
    return result
