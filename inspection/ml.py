"""The risk model: one pure feature pipeline, the two objectives, metrics, artefacts.

The same functions serve training, batch rescoring, single scoring and `evaluate_risk`:

- `build_reference(history)` keeps what features compare against: the labelled events
  (for past outcome rates), the robust unit-value statistics of each tariff line and
  origin, the usual tax rate of each line, how often each origin ships each line, and
  a small text model that reads a goods description as a tariff chapter.
- `build_features(rows, reference)` is pure: it reads its inputs, never changes them and
  returns one row of numbers per input row. Past outcomes of the importer, declarant,
  tariff line, origin and office come only from events dated strictly before the row's
  own date, so a row never sees its own label or a later one.
- `train_predictor` fits a classifier of P(illicit) and a regressor of the additional
  revenue found when illicit (like DATE, KDD 2020). The model has two heads: the
  probability, and the expected additional revenue of an inspection (their product).
  The text model's score of a training row comes from a text model fitted on the other
  folds (`training_features`), so the classifier learns from scores as honest as those
  of new declarations.
- `PortfolioRanking` is the served ranking: inspection capacity is filled from both
  heads by a split (RISK_PORTFOLIO_REVENUE_SHARE), so revenue fraud and illicit goods
  that carry little revenue are both found. `Predictor.score` gives each row its
  `pick_share`, the smallest share of declarations inspected at which it is picked.

Its artefact is one joblib file (`predictor_write` / `predictor_read`), kept by the
shared model registry in `customs_portal.ml_registry`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import scipy.sparse as sp
import sklearn
from django.conf import settings
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.naive_bayes import MultinomialNB
from threadpoolctl import threadpool_limits

ENTITIES = ["importer_id", "declarant_id", "tariff_code", "country", "office_id"]
# Pseudo-observations at the prior (settings.RISK_PRIOR_STRENGTH in the portal): a rate
# from 3 records stays near its prior, a tariff line's near its chapter's.
SMOOTHING = 20.0
# Records of history below which a rate or an origin share is not quoted as a reason
# (settings.RISK_PRIOR_MIN_COUNT in the portal).
MIN_HISTORY = 30
MIN_GROUP = 5  # fewer records than this in a tariff line + origin: fall back to the line's statistics
MAD_SCALE = 1.4826  # MAD times this estimates the standard deviation of normal data
KS = (1, 2, 5, 10)
ORIGIN_RARE_SHARE = 0.02  # an origin shipping less of a tariff line than this is unusual for it
FEATURES = [
    "log_cif", "log_quantity", "log_weight", "fob_cif_ratio", "tax_rate", "tax_rate_vs_line",
    "uv_qty_z", "uv_kg_z", "uv_qty_log_ratio", "uv_kg_log_ratio", "origin_share_in_line",
    *[f"{entity}_rate" for entity in ENTITIES],
    *[f"{entity}_revenue" for entity in ENTITIES],
    *[f"{entity}_log_n" for entity in ENTITIES],
    "importer_new", "declarant_new", "importer_findings_12m", "chapter", "text_chapter_prob",
    "aeo",
]  # fmt: skip


def _setting(name: str, default: float) -> float:
    """A tunable from the Django settings where they are configured, else the default."""
    try:
        from django.conf import settings
    except ImportError:  # pragma: no cover - the pipeline also runs outside the portal
        return default
    return float(getattr(settings, name, default)) if settings.configured else default


def _as_datetime(dates: pd.Series) -> pd.Series:
    """Dates at one resolution: merge_asof refuses to compare seconds with microseconds."""
    return pd.to_datetime(dates).astype("datetime64[ns]")


def chapter_of(codes: pd.Series) -> pd.Series:
    return codes.astype(str).str.slice(0, 2)


@dataclass
class TextModel:
    """Reads a goods description as a tariff chapter (multinomial naive Bayes on hashed words)."""

    vectorizer: HashingVectorizer
    classifier: MultinomialNB

    @classmethod
    def fit(cls, descriptions: pd.Series, chapters: pd.Series) -> TextModel | None:
        usable = descriptions.fillna("").str.strip() != ""
        if usable.sum() < 50 or chapters[usable].nunique() < 2:
            return None
        vectorizer = HashingVectorizer(n_features=2**15, alternate_sign=False, ngram_range=(1, 2), norm=None)
        classifier = MultinomialNB(alpha=0.1).fit(vectorizer.transform(descriptions[usable]), chapters[usable])
        return cls(vectorizer=vectorizer, classifier=classifier)

    def chapter_probabilities(self, descriptions: pd.Series, chapters: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """P(declared chapter | description), and the chapter the description reads as.

        Only words the model read in training count as evidence. Naive Bayes scores a word
        it never saw higher in the chapters with the fewest words, so an unknown word
        ("smartphone" where training said "smartphones") would pull every description
        towards the smallest chapter. A description without a known word, or declared in
        a chapter the model never saw, gets no probability (NaN) and no suggestion."""
        probability = np.full(len(descriptions), np.nan)
        suggested = np.full(len(descriptions), "", dtype=object)
        text = descriptions.fillna("").str.strip().to_numpy()
        classes = list(self.classifier.classes_)
        index = np.array([classes.index(c) if c in classes else -1 for c in chapters.astype(str)], dtype=int)
        known = self.classifier.feature_count_.sum(axis=0) > 0
        words = self.vectorizer.transform(text) @ sp.diags(known.astype("float64"))
        usable = (text != "") & (index >= 0) & (np.asarray(words.sum(axis=1)).ravel() > 0)
        if usable.any():
            proba = self.classifier.predict_proba(words[usable])
            probability[usable] = proba[np.arange(int(usable.sum())), index[usable]]
            suggested[usable] = np.array(classes, dtype=object)[proba.argmax(axis=1)]
        return probability, suggested


def text_out_of_fold(history: pd.DataFrame, *, folds: int, seed: int = 0) -> np.ndarray:
    """P(declared chapter | description) of each history row, from a text model fitted on
    the honest rows of the other folds only: no row is scored by a model that saw it."""
    n = len(history)
    descriptions = (history["description"] if "description" in history else pd.Series([""] * n)).reset_index(drop=True)
    chapters = chapter_of(history["tariff_code"]).reset_index(drop=True)
    honest = (history["illicit"] == 0).to_numpy()
    fold = np.random.default_rng(seed).permutation(n) % max(folds, 2)
    probability = np.full(n, np.nan)
    for k in range(max(folds, 2)):
        held = fold == k
        fitted_on = honest & ~held
        model = TextModel.fit(
            descriptions[fitted_on].reset_index(drop=True), chapters[fitted_on].reset_index(drop=True)
        )
        if model is not None and held.any():
            probability[held], _suggested = model.chapter_probabilities(
                descriptions[held].reset_index(drop=True), chapters[held].reset_index(drop=True)
            )
    return probability


@dataclass
class Reference:
    events: pd.DataFrame  # labelled history: sgd_date, ENTITIES, illicit, revenue
    prior: float
    revenue_prior: float
    uv_pair: pd.DataFrame  # (tariff_code, country) → medians and MADs of log unit values
    uv_line: pd.DataFrame  # tariff_code → the same
    tax_line: pd.Series  # tariff_code → median tax rate
    origin_share: pd.Series  # (tariff_code, country) → share of the line's records
    text: TextModel | None
    summary: dict[str, Any] = field(default_factory=dict)
    # Empirical-Bayes priors: an unseen tariff line or origin falls back to its chapter's
    # and the overall figures, weighted by how much history it has. None in artefacts
    # trained before these were kept: features then use the raw shares.
    pair_counts: pd.Series | None = None  # (tariff_code, country) → records
    line_counts: pd.Series | None = None  # tariff_code → records
    chapter_origin_share: pd.Series | None = None  # (chapter, country) → shrunk share of the chapter
    uv_chapter: pd.DataFrame | None = None  # chapter → unit-value medians and MADs, for unseen lines
    tax_chapter: pd.Series | None = None  # chapter → median tax rate, for unseen lines
    origin_share_all: pd.Series | None = None  # country → share of all records
    prior_strength: float = SMOOTHING
    min_history: int = MIN_HISTORY


def _log_unit_values(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    cif = rows["cif_value"].to_numpy(dtype="float64")
    quantity = rows["quantity"].to_numpy(dtype="float64")
    weight = rows["gross_weight"].to_numpy(dtype="float64")
    return np.log1p(cif) - np.log(np.maximum(quantity, 1e-3)), np.log1p(cif) - np.log(np.maximum(weight, 1e-3))


def _robust(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = frame.groupby(keys, sort=False)
    medians = grouped[["uv_qty", "uv_kg"]].median()
    # One key groups by a plain index, which a one-level MultiIndex would not match (all NaN).
    index = pd.MultiIndex.from_frame(frame[keys]) if len(keys) > 1 else pd.Index(frame[keys[0]])
    deviations = (frame[["uv_qty", "uv_kg"]] - medians.reindex(index).to_numpy()).abs()
    mads = deviations.groupby([frame[key] for key in keys], sort=False).median()
    out = medians.add_prefix("med_").join(mads.add_prefix("mad_"))
    out["n"] = grouped.size()
    return out


def build_reference(history: pd.DataFrame) -> Reference:
    """What features compare against, from labelled history (BACUDA columns)."""
    uv_qty, uv_kg = _log_unit_values(history)
    frame = pd.DataFrame(
        {
            "tariff_code": history["tariff_code"].to_numpy(),
            "country": history["country"].to_numpy(),
            "uv_qty": uv_qty,
            "uv_kg": uv_kg,
        }
    )
    uv_pair = _robust(frame, ["tariff_code", "country"])
    uv_pair = uv_pair[uv_pair["n"] >= MIN_GROUP]
    tax_rate = history["total_taxes"].to_numpy(dtype="float64") / np.maximum(
        history["cif_value"].to_numpy(dtype="float64"), 1.0
    )
    counts = history.groupby(["tariff_code", "country"], sort=False).size()
    strength = _setting("RISK_PRIOR_STRENGTH", SMOOTHING)
    origin_all = history["country"].value_counts(normalize=True)
    chapter_counts = history.groupby([chapter_of(history["tariff_code"]), history["country"]], sort=False).size()
    chapter_totals = chapter_counts.groupby(level=0).transform("sum")
    chapter_prior = origin_all.reindex(chapter_counts.index.get_level_values(1)).to_numpy()
    descriptions = history["description"] if "description" in history else pd.Series([""] * len(history))
    honest = (history["illicit"] == 0).to_numpy()
    events = history[["sgd_date", *ENTITIES, "illicit", "revenue"]].copy()
    events["sgd_date"] = _as_datetime(events["sgd_date"])
    events["revenue"] = events["revenue"].astype("float64")
    return Reference(
        events=events,
        prior=float(history["illicit"].mean()) if len(history) else 0.0,
        revenue_prior=float(history["revenue"].astype("float64").mean()) if len(history) else 0.0,
        uv_pair=uv_pair,
        uv_line=_robust(frame, ["tariff_code"]),
        tax_line=pd.Series(tax_rate).groupby(history["tariff_code"].to_numpy()).median(),
        origin_share=counts / counts.groupby(level=0).transform("sum"),
        pair_counts=counts,
        line_counts=counts.groupby(level=0).sum(),
        chapter_origin_share=(chapter_counts + strength * chapter_prior) / (chapter_totals + strength),
        origin_share_all=origin_all,
        uv_chapter=_robust(frame.assign(chapter=chapter_of(frame["tariff_code"])), ["chapter"]),
        tax_chapter=pd.Series(tax_rate).groupby(chapter_of(history["tariff_code"]).to_numpy()).median(),
        prior_strength=strength,
        min_history=int(_setting("RISK_PRIOR_MIN_COUNT", MIN_HISTORY)),
        text=TextModel.fit(
            descriptions[honest].reset_index(drop=True),
            chapter_of(history["tariff_code"][honest]).reset_index(drop=True),
        ),
        summary={
            "rows": len(history),
            "illicit": int(history["illicit"].sum()),
            "from": str(pd.Timestamp(history["sgd_date"].min()).date()) if len(history) else None,
            "to": str(pd.Timestamp(history["sgd_date"].max()).date()) if len(history) else None,
        },
    )


def _cumulative(events: pd.DataFrame, key: str) -> pd.DataFrame:
    daily = events.groupby([key, "sgd_date"], sort=False).agg(
        n=("illicit", "size"), bad=("illicit", "sum"), rev=("revenue", "sum")
    )
    daily = daily.reset_index().sort_values("sgd_date", kind="stable")
    daily[["cn", "cbad", "crev"]] = daily.groupby(key, sort=False)[["n", "bad", "rev"]].cumsum()
    return daily[[key, "sgd_date", "cn", "cbad", "crev"]]


def _before(query: pd.DataFrame, cumulative: pd.DataFrame, key: str, dates: pd.Series) -> pd.DataFrame:
    """Counts of events of the same key dated strictly before `dates`, in query order."""
    probe = pd.DataFrame({"sgd_date": dates.to_numpy(), key: query[key].to_numpy(), "_order": np.arange(len(query))})
    probe = probe.sort_values("sgd_date", kind="stable")
    merged = pd.merge_asof(probe, cumulative, on="sgd_date", by=key, allow_exact_matches=False)
    merged = merged.sort_values("_order")
    return merged[["cn", "cbad", "crev"]].fillna(0.0).reset_index(drop=True)


def _lookup(
    index_frame: pd.DataFrame | pd.Series, keys: pd.MultiIndex | pd.Index, column: str | None = None
) -> np.ndarray:
    source = index_frame if column is None else index_frame[column]
    return source.reindex(keys).to_numpy(dtype="float64")


def usual_origins(reference: Reference, tariff_codes: pd.Series, *, limit: int = 3) -> np.ndarray:
    """For each tariff code, the origins that ship most of it in the history (at least
    ORIGIN_RARE_SHARE each, largest share first); an empty list for a line never seen."""
    shares = reference.origin_share
    shares = shares[(shares >= ORIGIN_RARE_SHARE) & shares.index.get_level_values(0).isin(tariff_codes.unique())]
    top = shares.sort_values(ascending=False, kind="stable").groupby(level=0, sort=False).head(limit)
    by_line: dict[str, list[str]] = {}
    for code, country in top.index:
        by_line.setdefault(code, []).append(country)
    out = np.empty(len(tariff_codes), dtype=object)
    out[:] = [by_line.get(code, []) for code in tariff_codes]
    return out


def build_features(rows: pd.DataFrame, reference: Reference) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Features of `rows` (BACUDA columns, optional `description`) against `reference`.

    Returns the feature frame (columns FEATURES, same order as `rows`) and the
    context explanations need (medians in yen, the chapter a description reads as)."""
    n = len(rows)
    rows = rows.reset_index(drop=True)
    out: dict[str, np.ndarray] = {}
    cif = rows["cif_value"].to_numpy(dtype="float64")
    out["log_cif"] = np.log1p(cif)
    out["log_quantity"] = np.log1p(rows["quantity"].to_numpy(dtype="float64"))
    out["log_weight"] = np.log1p(rows["gross_weight"].to_numpy(dtype="float64"))
    out["fob_cif_ratio"] = rows["fob_value"].to_numpy(dtype="float64") / np.maximum(cif, 1.0)
    tax_rate = rows["total_taxes"].to_numpy(dtype="float64") / np.maximum(cif, 1.0)
    out["tax_rate"] = tax_rate
    chapters = chapter_of(rows["tariff_code"])
    context: dict[str, np.ndarray] = {}
    line_tax = reference.tax_line.reindex(rows["tariff_code"]).to_numpy(dtype="float64")
    context["tax_from_line"] = ~np.isnan(line_tax)
    if reference.tax_chapter is not None:  # a line without history: its chapter's usual rate
        line_tax = np.where(context["tax_from_line"], line_tax, _lookup(reference.tax_chapter, pd.Index(chapters)))
    out["tax_rate_vs_line"] = tax_rate - line_tax

    uv_qty, uv_kg = _log_unit_values(rows)
    pair = pd.MultiIndex.from_arrays([rows["tariff_code"], rows["country"]])
    for name, values in (("qty", uv_qty), ("kg", uv_kg)):
        median = _lookup(reference.uv_pair, pair, f"med_uv_{name}")
        mad = _lookup(reference.uv_pair, pair, f"mad_uv_{name}")
        from_pair = ~np.isnan(median)
        median = np.where(
            from_pair, median, _lookup(reference.uv_line, pd.Index(rows["tariff_code"]), f"med_uv_{name}")
        )
        mad = np.where(from_pair, mad, _lookup(reference.uv_line, pd.Index(rows["tariff_code"]), f"mad_uv_{name}"))
        known_line = ~np.isnan(median)
        if reference.uv_chapter is not None:  # a line without history: its chapter's spread of prices
            median = np.where(known_line, median, _lookup(reference.uv_chapter, pd.Index(chapters), f"med_uv_{name}"))
            mad = np.where(known_line, mad, _lookup(reference.uv_chapter, pd.Index(chapters), f"mad_uv_{name}"))
        out[f"uv_{name}_log_ratio"] = values - median
        out[f"uv_{name}_z"] = (values - median) / (MAD_SCALE * mad + 0.05)
        # Reasons and corrections quote a median of the line or of its origin, never a chapter's.
        context[f"median_uv_{name}"] = np.where(known_line, np.expm1(median), np.nan)
        # The usual range: the median give or take one robust standard deviation.
        context[f"low_uv_{name}"] = np.where(known_line, np.expm1(median - MAD_SCALE * mad), np.nan)
        context[f"high_uv_{name}"] = np.where(known_line, np.expm1(median + MAD_SCALE * mad), np.nan)
        context[f"median_uv_{name}_from_origin"] = from_pair
    out["origin_share_in_line"], context["origin_share_observed"], context["line_count"] = _origin_shares(
        rows, chapters, reference
    )
    context["usual_origins"] = usual_origins(reference, rows["tariff_code"])

    dates = _as_datetime(rows["sgd_date"])
    strength = reference.prior_strength
    for entity in ENTITIES:
        cumulative = _cumulative(reference.events, entity)
        past = _before(rows, cumulative, entity, dates)
        rate_prior, revenue_prior = _entity_priors(rows, chapters, dates, reference, entity)
        out[f"{entity}_rate"] = ((past["cbad"] + strength * rate_prior) / (past["cn"] + strength)).to_numpy()
        out[f"{entity}_revenue"] = np.log1p(
            ((past["crev"] + strength * revenue_prior) / (past["cn"] + strength)).to_numpy()
        )
        out[f"{entity}_log_n"] = np.log1p(past["cn"].to_numpy())
        context[f"{entity}_count"] = past["cn"].to_numpy()
        context[f"{entity}_found"] = past["cbad"].to_numpy()
        if entity == "importer_id":
            year_ago = _before(rows, cumulative, entity, dates - pd.Timedelta(days=365))
            out["importer_findings_12m"] = (past["cbad"] - year_ago["cbad"]).to_numpy()
            out["importer_new"] = (past["cn"].to_numpy() == 0).astype("float64")
        if entity == "declarant_id":
            out["declarant_new"] = (past["cn"].to_numpy() == 0).astype("float64")
    context["base_rate"], context["min_history"] = np.full(n, reference.prior), np.full(n, reference.min_history)
    out["chapter"] = pd.to_numeric(chapters, errors="coerce").to_numpy(dtype="float64")
    descriptions = rows["description"] if "description" in rows else pd.Series([""] * n)
    if reference.text is not None:
        out["text_chapter_prob"], context["suggested_chapter"] = reference.text.chapter_probabilities(
            descriptions, chapters
        )
    else:
        out["text_chapter_prob"], context["suggested_chapter"] = np.full(n, np.nan), np.full(n, "", dtype=object)
    # AEO status of the importer on the row's date (0/1); files without the column have none.
    out["aeo"] = rows["aeo"].fillna(0).astype("float64").to_numpy() if "aeo" in rows else np.zeros(n)
    return pd.DataFrame({name: out[name] for name in FEATURES}), context


def _origin_shares(
    rows: pd.DataFrame, chapters: pd.Series, reference: Reference
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The origin's share of the tariff line shrunk toward its share of the chapter (and
    that toward its share of all trade), with the line's records as the weight; also the
    observed share and the line's records, which say whether a low share is a fact."""
    pair = pd.MultiIndex.from_arrays([rows["tariff_code"], rows["country"]])
    if reference.pair_counts is None:  # an artefact from before the priors were kept
        raw = np.nan_to_num(_lookup(reference.origin_share, pair), nan=0.0)
        return raw, raw, np.full(len(rows), np.inf)
    n_pair = np.nan_to_num(_lookup(reference.pair_counts, pair), nan=0.0)
    n_line = np.nan_to_num(_lookup(reference.line_counts, pd.Index(rows["tariff_code"])), nan=0.0)
    overall = np.nan_to_num(_lookup(reference.origin_share_all, pd.Index(rows["country"])), nan=0.0)
    in_chapter = _lookup(reference.chapter_origin_share, pd.MultiIndex.from_arrays([chapters, rows["country"]]))
    prior = np.where(np.isnan(in_chapter), overall, in_chapter)
    strength = reference.prior_strength
    observed = np.where(n_line > 0, n_pair / np.maximum(n_line, 1.0), np.nan)
    return (n_pair + strength * prior) / (n_line + strength), observed, n_line


def _entity_priors(
    rows: pd.DataFrame, chapters: pd.Series, dates: pd.Series, reference: Reference, entity: str
) -> tuple[np.ndarray, np.ndarray]:
    """What an entity's rates shrink toward: a tariff line's chapter (itself shrunk toward
    the overall rate, from events strictly before the row's date), the overall rate else."""
    n = len(rows)
    overall = np.full(n, reference.prior), np.full(n, reference.revenue_prior)
    if entity != "tariff_code" or reference.pair_counts is None:
        return overall
    events = reference.events.assign(chapter=chapter_of(reference.events["tariff_code"]))
    past = _before(pd.DataFrame({"chapter": chapters.to_numpy()}), _cumulative(events, "chapter"), "chapter", dates)
    strength = reference.prior_strength
    rate = ((past["cbad"] + strength * reference.prior) / (past["cn"] + strength)).to_numpy()
    revenue = ((past["crev"] + strength * reference.revenue_prior) / (past["cn"] + strength)).to_numpy()
    return rate, revenue


@dataclass
class PortfolioRanking:
    """The served ranking: capacity filled from the two heads by a split.

    When j of the n calibration rows are inspected, ceil(j * split) of them are the top
    rows by expected revenue and the rest the top rows by probability, skipping the
    rows the revenue head already took. The picked sets grow with j, so each row has the
    smallest j at which it is picked; `expected_at[j - 1]` and `probability_at[j - 1]` are
    the lowest expected revenue and probability picked by each head at that j (+inf
    while a head has picked nothing), which places rows never seen in calibration too."""

    split: float
    expected_at: np.ndarray
    probability_at: np.ndarray

    @classmethod
    def calibrate(cls, expected: np.ndarray, probability: np.ndarray, *, split: float) -> PortfolioRanking:
        expected, probability = np.asarray(expected, dtype="float64"), np.asarray(probability, dtype="float64")
        n = len(expected)
        by_expected = np.argsort(-expected, kind="stable")
        by_probability = np.argsort(-probability, kind="stable")
        taken = np.zeros(n, dtype=bool)
        expected_at, probability_at = np.full(n, np.inf), np.full(n, np.inf)
        from_revenue = covered = 0  # rows taken by the revenue head; length of the taken prefix by probability
        for j in range(1, n + 1):
            wanted = min(math.ceil(j * split - 1e-9), n)
            picked = False
            if wanted > from_revenue:
                from_revenue = wanted
                row = by_expected[wanted - 1]
                picked = not taken[row]
                taken[row] = True
            if not picked:
                while taken[by_probability[covered]]:
                    covered += 1
                taken[by_probability[covered]] = True
            while covered < n and taken[by_probability[covered]]:
                covered += 1
            if from_revenue:
                expected_at[j - 1] = expected[by_expected[from_revenue - 1]]
            if covered:
                probability_at[j - 1] = probability[by_probability[covered - 1]]
        return cls(split=split, expected_at=expected_at, probability_at=probability_at)

    def pick_share(self, expected: np.ndarray, probability: np.ndarray) -> np.ndarray:
        """The smallest share of declarations inspected at which each row is picked: lower
        comes first; above 1 for a row below every calibration row on both heads."""
        n = len(self.expected_at)
        if not n:
            return np.ones(len(expected))
        # Both threshold arrays fall as j grows: negated, they rise, as searchsorted needs.
        by_expected = np.searchsorted(-self.expected_at, -np.asarray(expected, dtype="float64"), side="left")
        by_probability = np.searchsorted(-self.probability_at, -np.asarray(probability, dtype="float64"), side="left")
        return (np.minimum(by_expected, by_probability) + 1) / n

    def thresholds(self, share: float) -> tuple[float, float]:
        """(expected revenue, probability) from which each head picks at `share`."""
        n = len(self.expected_at)
        if not n:
            return math.inf, math.inf
        j = min(max(math.floor(share * n), 1), n)
        return float(self.expected_at[j - 1]), float(self.probability_at[j - 1])


@dataclass
class Predictor:
    """The trained pair of models, the reference its features compare against and the
    served ranking calibrated on the hold-out."""

    name: str
    classifier: HistGradientBoostingClassifier
    regressor: HistGradientBoostingRegressor
    reference: Reference
    features: list[str]
    # Expected revenue of the calibration rows, sorted.
    expected_quantiles: np.ndarray
    # None in artefacts written before the portfolio ranking: they rank by expected revenue.
    ranking: PortfolioRanking | None = None

    def score(self, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
        features, context = build_features(rows, self.reference)
        return self.score_features(features), features, context

    def score_features(self, features: pd.DataFrame) -> pd.DataFrame:
        """Both heads and the served ranking's `pick_share` of each row."""
        matrix = features[self.features].to_numpy(dtype="float32")
        with threadpool_limits(limits=settings.ML_THREADS, user_api="openmp"):
            probability = self.classifier.predict_proba(matrix)[:, 1]
            revenue = np.maximum(np.expm1(self.regressor.predict(matrix)), 0.0)
        expected = probability * revenue
        return pd.DataFrame(
            {
                "probability": probability,
                "revenue": revenue,
                "expected": expected,
                "pick_share": self.pick_share(expected, probability),
            }
        )

    def calibrate(self, scores: pd.DataFrame, *, split: float) -> None:
        """Fits the served ranking to the score distribution of `scores` (no labels read)."""
        self.expected_quantiles = np.sort(scores["expected"].to_numpy())
        self.ranking = PortfolioRanking.calibrate(
            scores["expected"].to_numpy(), scores["probability"].to_numpy(), split=split
        )

    def pick_share(self, expected: np.ndarray, probability: np.ndarray) -> np.ndarray:
        if self.ranking is not None:
            return self.ranking.pick_share(expected, probability)
        quantiles = self.expected_quantiles
        if not len(quantiles):
            return np.ones(len(expected))
        above = len(quantiles) - np.searchsorted(quantiles, np.asarray(expected, dtype="float64"), side="right")
        return (above + 1) / len(quantiles)

    def threshold_for_share(self, share: float) -> float:
        """The expected revenue above which the revenue head picks at `share`."""
        if self.ranking is not None:
            return self.ranking.thresholds(share)[0]
        if not len(self.expected_quantiles):
            return 0.0
        return float(np.quantile(self.expected_quantiles, min(max(1.0 - share, 0.0), 1.0)))


def training_features(train: pd.DataFrame, reference: Reference, *, seed: int = 0) -> pd.DataFrame:
    """Features of the rows `reference` was built from, as honest as those of new rows:
    the text score of each row comes from a text model fitted without it."""
    features, _context = build_features(train, reference)
    if reference.text is not None:
        features["text_chapter_prob"] = text_out_of_fold(train, folds=settings.RISK_TEXT_FOLDS, seed=seed)
    return features


def train_predictor(train: pd.DataFrame, *, name: str = "risk", seed: int = 0) -> Predictor:
    reference = build_reference(train)
    features = training_features(train, reference, seed=seed)
    # A feature with fewer than two distinct values (no descriptions in BACUDA files, say)
    # teaches nothing; the predictor remembers which ones it uses.
    used = [column for column in FEATURES if features[column].nunique(dropna=True) >= 2]
    matrix = features[used].to_numpy(dtype="float32")
    illicit = train["illicit"].to_numpy()
    with threadpool_limits(limits=settings.ML_THREADS, user_api="openmp"):
        classifier = HistGradientBoostingClassifier(
            max_iter=150,
            learning_rate=0.1,
            max_leaf_nodes=31,
            min_samples_leaf=40,
            l2_regularization=1.0,
            random_state=seed,
        ).fit(matrix, illicit)
        found = illicit == 1
        regressor = HistGradientBoostingRegressor(
            max_iter=100, learning_rate=0.1, min_samples_leaf=20, random_state=seed
        ).fit(matrix[found], np.log1p(train["revenue"].to_numpy(dtype="float64")[found]))
    return Predictor(
        name=name,
        classifier=classifier,
        regressor=regressor,
        reference=reference,
        features=used,
        expected_quantiles=np.array([]),
    )


def metrics_at(score: np.ndarray, illicit: np.ndarray, revenue: np.ndarray, ks=KS) -> dict[str, float]:
    """Precision, recall and share of revenue caught when inspecting the top k % by score."""
    order = np.argsort(-np.asarray(score, dtype="float64"), kind="stable")
    illicit = np.asarray(illicit)[order]
    revenue = np.asarray(revenue, dtype="float64")[order]
    total_bad, total_revenue = max(int(illicit.sum()), 1), max(float(revenue.sum()), 1.0)
    out = {}
    for k in ks:
        top = max(1, math.ceil(len(order) * k / 100))
        out[f"precision@{k}%"] = round(float(illicit[:top].sum()) / top, 4)
        out[f"recall@{k}%"] = round(float(illicit[:top].sum()) / total_bad, 4)
        out[f"revenue@{k}%"] = round(float(revenue[:top].sum()) / total_revenue, 4)
    return out


def ranking_metrics(scores: pd.DataFrame, illicit: np.ndarray, revenue: np.ndarray) -> dict[str, Any]:
    """The served ranking's metrics and each head's alone, as training stores them and
    `evaluate_risk` prints them."""
    return {
        "served": metrics_at(-scores["pick_share"].to_numpy(), illicit, revenue),
        "heads": {
            "probability": metrics_at(scores["probability"].to_numpy(), illicit, revenue),
            "expected_revenue": metrics_at(scores["expected"].to_numpy(), illicit, revenue),
        },
    }


# Baselines for `evaluate_risk`.


def baseline_random(test: pd.DataFrame, *, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(len(test))


def baseline_risky(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    """A risk-profile rule: count the declaration's attributes (importer, declarant, tariff
    line, origin, office) whose past illicit rate is at least twice the overall rate; the
    value breaks ties."""
    prior = max(float(train["illicit"].mean()), 1e-6)
    score = np.zeros(len(test))
    for entity in ENTITIES:
        stats = train.groupby(entity)["illicit"].agg(["mean", "size"])
        risky = set(stats.index[(stats["size"] >= MIN_GROUP) & (stats["mean"] >= 2 * prior)])
        score += test[entity].isin(risky).to_numpy()
    return score + 1e-12 * test["cif_value"].to_numpy(dtype="float64")


RAW_NUMERIC = ["quantity", "gross_weight", "fob_value", "cif_value", "total_taxes"]


def baseline_gbdt(train: pd.DataFrame, test: pd.DataFrame, *, seed: int = 0) -> np.ndarray:
    """Plain gradient boosting on the raw columns (categories as integer codes)."""

    def matrix(frame: pd.DataFrame) -> np.ndarray:
        columns = [frame[c].to_numpy(dtype="float64") for c in RAW_NUMERIC]
        for entity in ENTITIES:
            categories = pd.Index(train[entity].unique())
            columns.append(categories.get_indexer(frame[entity]).astype("float64"))
        return np.column_stack(columns)

    with threadpool_limits(limits=settings.ML_THREADS, user_api="openmp"):
        model = HistGradientBoostingClassifier(max_iter=150, random_state=seed).fit(matrix(train), train["illicit"])
        return model.predict_proba(matrix(test))[:, 1]


# Artefacts: the registry (customs_portal.ml_registry) keeps the files, their checksums
# and the manifest; these say what the risk model's files are.

MODEL_FILE = "model.joblib"


def predictor_write(predictor: Predictor, directory: Path) -> None:
    joblib.dump(predictor, directory / MODEL_FILE, compress=3)


def predictor_read(directory: Path) -> Predictor:
    """Called by the registry only once the file matches its checksum: joblib runs pickle,
    so only files our own training wrote are ever loaded."""
    return joblib.load(directory / MODEL_FILE)


def predictor_manifest(predictor: Predictor) -> dict[str, Any]:
    """What the manifest says of a risk predictor besides its files and metrics."""
    return {
        "libraries": {"scikit-learn": sklearn.__version__, "numpy": np.__version__, "pandas": pd.__version__},
        "features": list(predictor.features),
        "labels": {"classifier": "illicit (0/1)", "regressor": "log1p(revenue) of illicit rows"},
    }


# Explanations: codes and parameters only; `inspection.reasons` words them in ja/en.


def explain(
    features: pd.DataFrame, context: dict[str, np.ndarray], rows: pd.DataFrame, *, limit: int = 3
) -> list[list[dict]]:
    """The top reasons of each row, strongest first, as {"code", "params", "weight"}.

    Each candidate reason gets a weight per row (0 where it does not apply), computed
    for all rows at once; only the few strongest per row become dictionaries."""
    n = len(features)
    rows = rows.reset_index(drop=True)
    f = {name: features[name].to_numpy(dtype="float64") for name in features.columns}
    country = rows["country"].astype(str).to_numpy()
    chapter = rows["tariff_code"].astype(str).str.slice(0, 2).to_numpy()

    def finite(values: np.ndarray) -> np.ndarray:
        return np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)

    use_kg = np.isfinite(f["uv_kg_log_ratio"]) & np.isfinite(context["median_uv_kg"])
    ratio = np.where(use_kg, f["uv_kg_log_ratio"], f["uv_qty_log_ratio"])
    z = np.where(use_kg, f["uv_kg_z"], f["uv_qty_z"])
    median = np.where(use_kg, context["median_uv_kg"], context["median_uv_qty"])
    from_origin = np.where(use_kg, context["median_uv_kg_from_origin"], context["median_uv_qty_from_origin"])
    findings = finite(f["importer_findings_12m"])
    base_rate, min_history = context["base_rate"], context["min_history"]

    def past_rate(entity: str, floor: float) -> np.ndarray:
        """An entity's own rate of discrepancies where it has enough history and the rate is
        well above the base rate (0 elsewhere): the rate a reason may quote."""
        count, found = context[f"{entity}_count"], context[f"{entity}_found"]
        rate = found / np.maximum(count, 1.0)
        return np.where((count >= min_history) & (rate >= np.maximum(floor, 2 * base_rate)), rate, 0.0)

    declarant_rate, line_rate = past_rate("declarant_id", 0.12), past_rate("tariff_code", 0.1)
    # "First declaration" only when neither the history nor the portal knows the importer.
    portal_known = rows["importer_portal_declarations"].to_numpy() > 0 if "importer_portal_declarations" in rows else 0
    origin_observed = np.nan_to_num(context["origin_share_observed"], nan=1.0)
    origin_rare = (context["line_count"] >= min_history) & (origin_observed < 0.02)
    suggested = np.asarray(context["suggested_chapter"], dtype=object)
    text_prob = f["text_chapter_prob"]
    weights = {
        "unit_value_low": np.where(finite(ratio) < -0.35, np.abs(finite(z)) * np.isfinite(median), 0.0),
        "importer_findings": np.where(findings > 0, 1.5 + findings, 0.0),
        "importer_new": np.where((context["importer_id_count"] == 0) & ~portal_known, 1.0, 0.0),
        "declarant_rate": 10 * declarant_rate,
        "tax_low": np.where(
            context["tax_from_line"] & (finite(f["tax_rate_vs_line"]) < -0.03), -50 * finite(f["tax_rate_vs_line"]), 0.0
        ),
        "origin_rare": np.where(origin_rare, 2.5, 0.0),
        "description_chapter": np.where(
            np.isfinite(text_prob) & (finite(text_prob) < 0.2) & (suggested != "") & (suggested != chapter), 3.0, 0.0
        ),
        "line_rate": 5 * line_rate,
    }
    codes = list(weights)
    matrix = finite(np.column_stack([weights[code] for code in codes]))
    order = np.argsort(-matrix, axis=1, kind="stable")[:, :limit]

    def params(code: str, i: int) -> dict:
        if code == "unit_value_low":
            return {"percent": round((1 - math.exp(ratio[i])) * 100), "median": round(float(median[i]), 2),
                    "country": country[i] if from_origin[i] else "", "basis": "kg" if use_kg[i] else "qty"}  # fmt: skip
        if code == "importer_findings":
            return {"count": int(findings[i])}
        if code == "declarant_rate":
            return {"percent": round(100 * declarant_rate[i])}
        if code == "tax_low":
            return {"points": round(-100 * f["tax_rate_vs_line"][i], 1)}
        if code == "origin_rare":
            return {"country": country[i], "percent": round(100 * origin_observed[i], 1)}
        if code == "description_chapter":
            return {"chapter": chapter[i], "suggested": str(suggested[i])}
        if code == "line_rate":
            return {"percent": round(100 * line_rate[i])}
        return {}

    out = []
    for i in range(n):
        out.append(
            [
                {"code": codes[k], "params": params(codes[k], i), "weight": round(float(matrix[i, k]), 3)}
                for k in order[i]
                if matrix[i, k] > 0
            ]
        )
    return out
