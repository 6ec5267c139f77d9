"""A generator of realistic synthetic import history in the WCO BACUDA column format.

Importers and brokers (declarants) carry a latent propensity to cheat; most are honest,
a few are not. Each tariff line has its duty rate, its usual origins and a log-normal
unit value per kg by origin. Fraud comes in three kinds at realistic shares:
undervaluation (the declared value is cut), misclassification (a lower-duty line of
another chapter is declared while the goods, and their description, stay the same) and
origin fraud (a preferential origin that rarely makes the goods is claimed, so no duty
is paid). `revenue` is the additional duty and consumption tax an inspection recovers;
`aeo` marks rows whose importer was an Authorised Economic Operator on that day.

`generate_market` adds the trade of named goods (each with its usual origins and the
preferential rates its partners pay) and of named traders, so a demo's history knows
the goods, origins and importers its own declarations use.

The same seed gives the same rows: tests, the demo seed and the benchmarks share it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

CONSUMPTION_TAX = 0.10

# code, chapter words for the description, duty rate, median yen per kg, kg per unit.
TARIFF_LINES: list[tuple[str, str, float, float, float]] = [
    ("030342000", "frozen yellowfin tuna fish whole", 0.035, 900, 20),
    ("030487000", "frozen tuna fish fillets", 0.035, 1400, 10),
    ("080510000", "fresh oranges citrus fruit", 0.16, 180, 15),
    ("080810000", "fresh apples fruit", 0.17, 250, 15),
    ("090121000", "roasted coffee beans", 0.12, 2200, 10),
    ("090230000", "black tea leaves fermented", 0.03, 1500, 5),
    ("160232000", "prepared chicken meat cooked", 0.06, 900, 10),
    ("200989000", "fruit juice unfermented", 0.25, 300, 12),
    ("220421000", "red wine bottles grape", 0.15, 1100, 9),
    ("220830000", "whisky spirits bottles", 0.0, 3000, 9),
    ("392690000", "plastic articles household", 0.039, 800, 5),
    ("420221000", "leather handbags outer surface leather", 0.16, 25000, 1),
    ("610910000", "cotton knitted t-shirts", 0.109, 4000, 0.2),
    ("620342000", "men cotton woven trousers jeans", 0.091, 5000, 0.6),
    ("640399000", "leather footwear shoes", 0.30, 9000, 1.2),
    ("847130000", "portable laptop computers", 0.0, 30000, 2),
    ("850440000", "static converters power supplies", 0.0, 5000, 0.5),
    ("851712000", "mobile phones smartphones", 0.0, 60000, 0.3),
    ("870899000", "motor vehicle parts brakes", 0.0, 2000, 5),
    ("900490000", "spectacles sunglasses optical", 0.0, 40000, 0.1),
    ("940360000", "wooden furniture tables chairs", 0.0, 1500, 20),
    ("950300000", "toys plastic dolls puzzles", 0.0, 2500, 0.5),
]
# Lines a cheat declares instead of the true one: a lower-duty line of another chapter.
MISCLASSIFY_TO = {
    "080510000": "200989000", "080810000": "090230000", "090121000": "090230000",
    "200989000": "220830000", "220421000": "220830000", "420221000": "392690000",
    "610910000": "392690000", "620342000": "392690000", "640399000": "392690000",
    "160232000": "030342000", "030342000": "392690000", "030487000": "030342000",
}  # fmt: skip
ORIGINS = ["CN", "US", "VN", "TH", "KR", "DE", "IT", "FR", "ID", "MY", "IN", "BD", "MX", "AU", "CL", "PH"]
# Origins with an EPA that makes most lines duty free: what origin fraud claims.
PREFERENTIAL_ORIGINS = ["KH", "LA", "MM", "BN"]
OFFICES = ["1A", "1B", "2A", "3A", "4A", "5A"]
VAGUE = ["goods", "parts", "samples", "assorted articles"]
COLUMNS = [
    "sgd_id", "sgd_date", "importer_id", "declarant_id", "country", "office_id", "tariff_code",
    "quantity", "gross_weight", "fob_value", "cif_value", "total_taxes", "illicit", "revenue",
]  # fmt: skip


def generate_history(
    *, rows: int, seed: int = 7, start: dt.date = dt.date(2024, 1, 1), days: int = 730, descriptions: bool = True
) -> pd.DataFrame:
    """`rows` declaration lines over `days` days from `start`, sorted by date."""
    rng = np.random.default_rng(seed)
    n_lines = len(TARIFF_LINES)
    codes = np.array([line[0] for line in TARIFF_LINES])
    rates = np.array([line[2] for line in TARIFF_LINES])
    log_uv = np.log([line[3] for line in TARIFF_LINES])
    kg_per_unit = np.array([line[4] for line in TARIFF_LINES])
    words = [line[1] for line in TARIFF_LINES]
    code_index = {code: i for i, code in enumerate(codes)}

    # Each line is made in 2-4 origins, each with its own price level.
    line_origins = [rng.choice(len(ORIGINS), size=rng.integers(2, 5), replace=False) for _ in range(n_lines)]
    origin_offset = rng.normal(0, 0.25, size=(n_lines, len(ORIGINS)))

    n_importers = max(40, rows // 80)
    n_declarants = max(10, rows // 600)
    # Most traders are honest; about 8 % cheat often.
    importer_risk = np.where(
        rng.random(n_importers) < 0.08, rng.beta(2, 4, n_importers), rng.beta(0.5, 15, n_importers)
    )
    declarant_factor = np.where(rng.random(n_declarants) < 0.1, 2.5, 1.0)
    importer_weight = rng.pareto(1.2, n_importers) + 1
    importer_weight /= importer_weight.sum()
    importer_lines = rng.integers(0, n_lines, size=(n_importers, 3))
    importer_declarant = rng.integers(0, n_declarants, size=(n_importers, 2))
    importer_office = rng.integers(0, len(OFFICES), size=n_importers)
    importer_first_day = rng.integers(0, days, size=n_importers) * (rng.random(n_importers) < 0.3)

    importer = rng.choice(n_importers, size=rows, p=importer_weight)
    day = np.maximum(rng.integers(0, days, size=rows), importer_first_day[importer])
    line = importer_lines[importer, rng.integers(0, 3, size=rows)]
    origin = np.array(
        [line_origins[li][k % len(line_origins[li])] for li, k in zip(line, rng.integers(0, 4, rows), strict=True)]
    )
    declarant = importer_declarant[importer, (rng.random(rows) < 0.2).astype(int)]
    office = np.where(rng.random(rows) < 0.85, importer_office[importer], rng.integers(0, len(OFFICES), rows))

    quantity = np.maximum(1, np.round(rng.lognormal(4, 1.1, rows)))
    weight = quantity * kg_per_unit[line] * rng.lognormal(0, 0.1, rows)
    true_cif = weight * np.exp(log_uv[line] + origin_offset[line, origin] + rng.normal(0, 0.3, rows))
    true_rate = rates[line]

    propensity = importer_risk[importer] * declarant_factor[declarant] * (0.5 + 3 * true_rate)
    fraud = rng.random(rows) < np.clip(propensity, 0, 0.9)
    kind = rng.choice(3, size=rows, p=[0.55, 0.25, 0.20])
    undervalued = fraud & (kind == 0)
    misclassified = fraud & (kind == 1) & np.isin(codes[line], list(MISCLASSIFY_TO))
    origin_fraud = fraud & ((kind == 2) | ((kind == 1) & ~misclassified)) & (true_rate > 0)
    undervalued |= fraud & ~misclassified & ~origin_fraud

    declared_cif = np.where(undervalued, true_cif * rng.uniform(0.2, 0.6, rows), true_cif)
    declared_line = np.where(misclassified, [code_index[MISCLASSIFY_TO.get(code, code)] for code in codes[line]], line)
    declared_rate = np.where(origin_fraud, 0.0, rates[declared_line])
    declared_origin = np.array(ORIGINS + PREFERENTIAL_ORIGINS)[
        np.where(origin_fraud, len(ORIGINS) + rng.integers(0, len(PREFERENTIAL_ORIGINS), rows), origin)
    ]

    def taxes(value: np.ndarray, rate: np.ndarray) -> np.ndarray:
        duty = value * rate
        return duty + CONSUMPTION_TAX * (value + duty)

    total_taxes = np.round(taxes(declared_cif, declared_rate))
    revenue = np.where(fraud, np.maximum(0, np.round(taxes(true_cif, true_rate) - total_taxes)), 0)
    illicit = fraud & (revenue > 0)
    revenue = np.where(illicit, revenue, 0)
    declared_cif = np.round(declared_cif)

    frame = pd.DataFrame(
        {
            "sgd_id": [f"SYN{seed:02d}-{i:07d}" for i in range(rows)],
            "sgd_date": pd.to_datetime(start) + pd.to_timedelta(day, unit="D"),
            "importer_id": [f"IMP{i:05d}" for i in importer],
            "declarant_id": [f"DEC{i:04d}" for i in declarant],
            "country": declared_origin,
            "office_id": np.array(OFFICES)[office],
            "tariff_code": codes[declared_line],
            "quantity": quantity,
            "gross_weight": np.round(weight * 1.05, 3),
            "fob_value": np.round(declared_cif * rng.uniform(0.88, 0.96, rows)),
            "cif_value": declared_cif,
            "total_taxes": total_taxes,
            "illicit": illicit.astype(int),
            "revenue": revenue,
        }
    )
    frame["aeo"] = _aeo_rows(importer, day, importer_risk=importer_risk, days=days, seed=seed)
    if descriptions:
        # The description names the goods actually shipped, whatever line was declared.
        vague = rng.random(rows) < 0.15
        frame["description"] = np.where(
            vague, np.array(VAGUE)[rng.integers(0, len(VAGUE), rows)], np.array(words)[line]
        )
    return frame.sort_values(["sgd_date", "sgd_id"], kind="stable").reset_index(drop=True)


def _aeo_rows(importer: np.ndarray, day: np.ndarray, *, importer_risk: np.ndarray, days: int, seed: int) -> np.ndarray:
    """1 where the row's importer was an Authorised Economic Operator on the row's day.

    About a third of the compliant importers are AEO, each from a day of its own (many
    before the period starts), as customs certifies operators with a clean record. The
    draws use their own generator, so the other columns stay what the seed always gave."""
    rng = np.random.default_rng([seed, 0xAE0])
    n_importers = len(importer_risk)
    certified = (importer_risk < 0.03) & (rng.random(n_importers) < 0.35)
    since = rng.integers(-days, days, size=n_importers)
    return (certified[importer] & (day >= since[importer])).astype(int)


@dataclass(frozen=True)
class Goods:
    """A tariff line as a market trades it."""

    tariff_code: str
    descriptions: tuple[str, ...]  # how declarants word the goods, one picked per row
    duty_rate: float  # the rate paid without a preference (WTO), as a share of the value
    yen_per_kg: float  # median value
    kg_per_unit: float
    origins: tuple[str, ...]  # usual origins, the most common first
    preferential: dict[str, float] = field(default_factory=dict)  # origin → rate under its EPA
    origin_price: dict[str, float] = field(default_factory=dict)  # origin → price level (1 unless given)
    units: float = 50.0  # median units per declaration line


@dataclass(frozen=True)
class Trader:
    """A named importer: its id as the features see it, who files for it, where, and what."""

    importer_id: str
    declarant_ids: tuple[str, ...]
    offices: tuple[str, ...]
    goods: tuple[tuple[str, str], ...]  # (tariff code, origin) pairs it imports
    rows: int
    risk: float = 0.0  # its propensity to cheat: the demo companies keep clean records
    units: float | None = None  # median units per line where it differs from the goods' (parcels)


def _taxes(value: np.ndarray, rate: np.ndarray) -> np.ndarray:
    duty = value * rate
    return duty + CONSUMPTION_TAX * (value + duty)


def generate_market(
    *,
    goods: Sequence[Goods],
    traders: Sequence[Trader] = (),
    rows: int,
    seed: int = 7,
    start: dt.date = dt.date(2024, 1, 1),
    days: int = 730,
    offices: Sequence[str] = OFFICES,
    exempt_up_to: float = 10_000,
    descriptions: bool = True,
) -> pd.DataFrame:
    """`rows` lines of `goods` by a market of generic importers, plus each trader's own
    `rows`, in the columns of `generate_history` (sgd_id prefix MKT).

    Generic importers trade two of the goods each, from the goods' usual origins (the
    first most often). Partners of a preference pay its rate on nine lines in ten. Fraud
    is undervaluation or, on dutiable goods, a false preferential origin. Consignments
    worth at most `exempt_up_to` yen pay no duty or tax (Japan's small-value exemption)."""
    rng = np.random.default_rng([seed, 1])
    catalogue = {item.tariff_code: item for item in goods}
    codes = list(catalogue)
    n_importers, n_declarants = max(20, rows // 50), max(5, rows // 400)
    importer_risk = np.where(
        rng.random(n_importers) < 0.08, rng.beta(2, 4, n_importers), rng.beta(0.5, 15, n_importers)
    )
    importer_weight = rng.pareto(1.2, n_importers) + 1
    importer_goods = rng.integers(0, len(codes), size=(n_importers, 2))
    importer = rng.choice(n_importers, size=rows, p=importer_weight / importer_weight.sum())
    code = np.array(codes, dtype=object)[importer_goods[importer, rng.integers(0, 2, rows)]]

    def usual_origin(tariff_code: str, draw: float) -> str:
        origins = catalogue[tariff_code].origins
        weights = np.cumsum(1.0 / np.arange(1, len(origins) + 1))
        return origins[int(np.searchsorted(weights / weights[-1], draw))]

    parts = {
        "importer_id": [f"MKT{i:05d}" for i in importer],
        "declarant_id": [f"MKD{i:04d}" for i in rng.integers(0, n_declarants, rows)],
        "office_id": list(np.array(offices)[rng.integers(0, len(offices), rows)]),
        "tariff_code": list(code),
        "country": [usual_origin(c, d) for c, d in zip(code, rng.random(rows), strict=True)],
        "risk": list(importer_risk[importer]),
        "units": [catalogue[c].units for c in code],
    }
    for trader in traders:
        picks = rng.integers(0, len(trader.goods), trader.rows)
        parts["importer_id"] += [trader.importer_id] * trader.rows
        parts["declarant_id"] += list(
            np.array(trader.declarant_ids)[rng.integers(0, len(trader.declarant_ids), trader.rows)]
        )
        parts["office_id"] += list(np.array(trader.offices)[rng.integers(0, len(trader.offices), trader.rows)])
        parts["tariff_code"] += [trader.goods[k][0] for k in picks]
        parts["country"] += [trader.goods[k][1] for k in picks]
        parts["risk"] += [trader.risk] * trader.rows
        parts["units"] += [trader.units or catalogue[trader.goods[k][0]].units for k in picks]
    frame = pd.DataFrame(parts)
    n = len(frame)
    items = [catalogue[c] for c in frame["tariff_code"]]
    kg_per_unit = np.array([item.kg_per_unit for item in items])
    mfn = np.array([item.duty_rate for item in items])
    claimed = rng.random(n) < 0.9
    true_rate = np.array(
        [
            item.preferential.get(o, r) if c else r
            for item, o, r, c in zip(items, frame["country"], mfn, claimed, strict=True)
        ]
    )
    quantity = np.maximum(1, np.round(rng.lognormal(np.log(frame["units"].to_numpy(dtype="float64")), 0.8)))
    weight = quantity * kg_per_unit * rng.lognormal(0, 0.1, n)
    price = np.array(
        [item.yen_per_kg * item.origin_price.get(o, 1.0) for item, o in zip(items, frame["country"], strict=True)]
    )
    true_cif = weight * price * np.exp(rng.normal(0, 0.3, n))

    fraud = rng.random(n) < np.clip(frame["risk"].to_numpy() * (0.5 + 3 * mfn), 0, 0.9)
    origin_fraud = fraud & (rng.random(n) < 0.3) & (true_rate > 0)
    undervalued = fraud & ~origin_fraud
    declared_cif = np.round(np.where(undervalued, true_cif * rng.uniform(0.2, 0.6, n), true_cif))
    declared_rate = np.where(origin_fraud, 0.0, true_rate)
    fake_origin = np.array(PREFERENTIAL_ORIGINS)[rng.integers(0, len(PREFERENTIAL_ORIGINS), n)]
    total_taxes = np.where(declared_cif <= exempt_up_to, 0, np.round(_taxes(declared_cif, declared_rate)))
    owed = np.where(true_cif <= exempt_up_to, 0, _taxes(true_cif, true_rate))
    revenue = np.where(fraud, np.maximum(0, np.round(owed - total_taxes)), 0)
    illicit = fraud & (revenue > 0)
    out = pd.DataFrame(
        {
            "sgd_id": [f"MKT{seed:02d}-{i:07d}" for i in range(n)],
            "sgd_date": pd.to_datetime(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D"),
            "importer_id": frame["importer_id"],
            "declarant_id": frame["declarant_id"],
            "country": np.where(origin_fraud, fake_origin, frame["country"].to_numpy()),
            "office_id": frame["office_id"],
            "tariff_code": frame["tariff_code"],
            "quantity": quantity,
            "gross_weight": np.round(weight * 1.05, 3),
            "fob_value": np.round(declared_cif * rng.uniform(0.88, 0.96, n)),
            "cif_value": declared_cif,
            "total_taxes": total_taxes,
            "illicit": illicit.astype(int),
            "revenue": np.where(illicit, revenue, 0),
        }
    )
    if descriptions:
        vague = rng.random(n) < 0.1
        worded = [
            item.descriptions[k % len(item.descriptions)] for item, k in zip(items, rng.integers(0, 12, n), strict=True)
        ]
        out["description"] = np.where(vague, np.array(VAGUE)[rng.integers(0, len(VAGUE), n)], worded)
    return out.sort_values(["sgd_date", "sgd_id"], kind="stable").reset_index(drop=True)


def write_bacuda_csv(frame: pd.DataFrame, path, *, with_description: bool = False) -> None:
    """Writes the rows with the DATE repository's dotted headers and YY-MM-DD dates."""
    out = frame[COLUMNS + (["description"] if with_description and "description" in frame else [])].copy()
    out["sgd_date"] = out["sgd_date"].dt.strftime("%y-%m-%d")
    out.columns = [column.replace("_", ".") for column in out.columns]
    out.to_csv(path, index=False)
