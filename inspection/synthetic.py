"""A generator of realistic synthetic import history in the WCO BACUDA column format.

Importers and brokers (declarants) carry a latent propensity to cheat; most are honest,
a few are not. Each tariff line has its duty rate, its usual origins and a log-normal
unit value per kg by origin. Fraud comes in three kinds at realistic shares:
undervaluation (the declared value is cut), misclassification (a lower-duty line of
another chapter is declared while the goods, and their description, stay the same) and
origin fraud (a preferential origin that rarely makes the goods is claimed, so no duty
is paid). `revenue` is the additional duty and consumption tax an inspection recovers;
`aeo` marks rows whose importer was an Authorised Economic Operator on that day.

The same seed gives the same rows: tests, the demo seed and the benchmarks share it.
"""

from __future__ import annotations

import datetime as dt

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


def write_bacuda_csv(frame: pd.DataFrame, path, *, with_description: bool = False) -> None:
    """Writes the rows with the DATE repository's dotted headers and YY-MM-DD dates."""
    out = frame[COLUMNS + (["description"] if with_description and "description" in frame else [])].copy()
    out["sgd_date"] = out["sgd_date"].dt.strftime("%y-%m-%d")
    out.columns = [column.replace("_", ".") for column in out.columns]
    out.to_csv(path, index=False)
