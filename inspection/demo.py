"""Demo data of the inspection app: synthetic history, and a first model if none exists.

The history is the generic synthetic trade plus a market of the goods the demo's own
declarations and manifest use, from their usual origins, and the demo companies' own
past declarations under the ids the features give them, so `make run` scores its
declarations against a history that knows them."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from django.utils import timezone

from customs_portal import ml_registry
from customs_portal.models import Company, User
from declarations.demo import declarations as demo_declarations
from declarations.demo import manifests as demo_manifests
from inspection import services, synthetic
from inspection.models import HistoricalDeclaration

HISTORY_DAYS = 730
MARKET_ROWS = 8_000
EU = ("FR", "IT", "ES", "DE", "NL")

# The goods of the demo declarations and manifest as the market trades them: duty rates
# of the seed tariff (WTO, and the EPA rates their partners pay), typical prices.
DEMO_GOODS = [
    synthetic.Goods("847130000", ("Laptop computers", "Notebook PCs", "Tablet computers", "portable laptop computers", "ノートパソコン"),
                    0.0, 30_000, 2.0, ("CN", "TW", "VN", "US", "KR")),
    synthetic.Goods("220421020", ("Bordeaux red wine, 750 ml", "Chilean wine", "red wine bottles grape", "white wine", "ワイン"),
                    0.09, 1_000, 1.3, ("FR", "IT", "CL", "ES", "AU", "US"),
                    preferential=dict.fromkeys((*EU, "CL", "AU"), 0.0), origin_price={"CL": 0.5, "AU": 0.8}, units=600),
    synthetic.Goods("090121000", ("Roasted coffee beans", "Coffee, roasted", "roasted coffee, samples", "コーヒー豆"),
                    0.12, 1_900, 1.0, ("US", "BR", "IT", "VN", "ET"), units=300),
    synthetic.Goods("150920000", ("Extra virgin olive oil", "Olive oil, organic", "olive oil bottles", "オリーブオイル"),
                    0.0, 1_400, 1.0, ("IT", "ES", "GR", "TR"), units=200),
    synthetic.Goods("040630000", ("Processed cheese", "Processed cheese slices", "cheese portions", "プロセスチーズ"),
                    0.40, 1_150, 1.0, ("NL", "AU", "NZ", "DE", "FR", "US"),
                    preferential={**dict.fromkeys(EU, 0.225), "AU": 0.145, "NZ": 0.145}, units=400),
    synthetic.Goods("420221200", ("Leather handbags", "Handbags, leather", "leather bags outer surface leather", "ハンドバッグ"),
                    0.10, 40_000, 1.0, ("IT", "FR", "CN", "VN", "ES"), units=30),
    synthetic.Goods("620120200", ("Wool overcoats", "men's wool coats", "overcoats of wool", "ウールコート"),
                    0.091, 9_000, 1.5, ("CN", "IT", "GB", "VN"),
                    preferential={"GB": 0.068, **dict.fromkeys(EU, 0.068)}, units=60),
    synthetic.Goods("610910000", ("Cotton T-shirt / 綿製Tシャツ", "cotton knitted t-shirts", "T-shirts"),
                    0.074, 10_000, 0.25, ("CN", "VN", "US", "IT", "KR", "BD"), units=2),
    synthetic.Goods("851713000", ("Smartphone / スマートフォン", "mobile phones smartphones", "smartphone"),
                    0.0, 200_000, 0.4, ("CN", "VN", "KR", "US", "IT"), units=1),
    synthetic.Goods("640399000", ("Leather shoes / 革靴", "leather footwear shoes", "shoes, leather uppers"),
                    0.30, 11_700, 1.2, ("CN", "IT", "VN", "US", "KR"), units=1),
    synthetic.Goods("620342000", ("Cotton trousers / 綿製ズボン", "men cotton woven trousers jeans", "cotton trousers"),
                    0.091, 8_300, 0.6, ("CN", "VN", "US", "IT", "KR", "BD"), units=2),
]  # fmt: skip


def demo_traders() -> list[synthetic.Trader]:
    """The demo companies' own past trade: what their demo declarations and the demo
    manifest import, under the importer and declarant ids the features give them."""
    companies = {
        company.corporate_number: company
        for company in Company.objects.filter(corporate_number__in=[demo_declarations.SAKURA, demo_declarations.FUJI])
    }
    filers = {user.company.corporate_number: user for user in User.objects.filter(username__in=["broker", "importer"])}
    traders = []
    for number, company in companies.items():
        filer = filers.get(number)
        plan = [
            (office, lines)
            for company_number, office, _c, _i, lines, _p in demo_declarations.PLAN
            if company_number == number
        ]
        if filer is None or not plan:
            continue
        traders.append(
            synthetic.Trader(
                importer_id=services.importer_key(corporate_number=number, company_id=company.pk),
                declarant_ids=(services.declarant_key(user_id=filer.pk),),
                offices=tuple(sorted({office for office, _lines in plan})),
                goods=tuple(
                    sorted({(line["hs_code"], line["origin_country"]) for _o, lines in plan for line in lines})
                ),
                rows=30 * len(plan),
            )
        )
        if filer.username == demo_manifests.DEMO_TRADER:
            # Parcels name a consignee, not a corporate number: the features see the filing company.
            traders.append(
                synthetic.Trader(
                    importer_id=services.importer_key(corporate_number="", company_id=company.pk),
                    declarant_ids=(services.declarant_key(user_id=filer.pk),),
                    offices=(demo_manifests.DEMO_OFFICE,),
                    goods=tuple(
                        (code, origin) for code, *_rest in demo_manifests.GOODS for origin in demo_manifests.ORIGINS
                    ),
                    rows=600,
                    units=1.5,
                )
            )
    return traders  # fmt: skip


def demo_history(*, rows: int, seed: int) -> pd.DataFrame:
    """The generic synthetic trade and the demo market, over the days before today."""
    start = timezone.localdate() - timedelta(days=HISTORY_DAYS)
    generic = synthetic.generate_history(rows=rows, seed=seed, start=start, days=HISTORY_DAYS)
    market = synthetic.generate_market(
        goods=DEMO_GOODS, traders=demo_traders(), rows=MARKET_ROWS, seed=seed, start=start, days=HISTORY_DAYS,
        offices=(*synthetic.OFFICES, "4G"),
    )  # fmt: skip
    return pd.concat([generic, market], ignore_index=True).sort_values(["sgd_date", "sgd_id"], kind="stable")


def seed(*, rows: int = 20_000, seed: int = 7, stdout=None) -> None:
    """Idempotent: the same synthetic rows (same sgd_id) are only added once, and a model
    is trained only when none exists. Takes about 10-20 s."""
    if not HistoricalDeclaration.objects.filter(source=HistoricalDeclaration.Source.SYNTHETIC).exists():
        frame = demo_history(rows=rows, seed=seed)
        added, _existing = services.history_import(frame=frame, source=HistoricalDeclaration.Source.SYNTHETIC)
        if stdout:
            stdout.write(f"inspection: {added} synthetic historical declarations")
    if not ml_registry.model_version_list(name=services.MODEL_NAME).exists():
        version = services.risk_model_train(system="seed_demo", if_absent=True)
        if stdout and version:
            stdout.write(f"inspection: trained {version.label} ({version.get_status_display()})")
