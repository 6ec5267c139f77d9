"""What "probably wrong" suggests: the chapter, value range or origin the evidence points to."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from inspection import ml
from tests.declarations.factories import CustomsOfficeFactory, DeclarationFactory, DeclarationLineFactory
from tests.inspection.factories import submit_and_screen
from tests.tariff.factories import TariffLineFactory


def _screened(trader, *, hs_code, description, origin, quantity, kg, value):
    if not TariffLineFactory._meta.model.objects.filter(hs_code=hs_code).exists():
        TariffLineFactory(hs_code=hs_code, rates={"general": "5%"})
    declaration = DeclarationFactory(company=trader.company, declarant=trader, office=CustomsOfficeFactory())
    DeclarationLineFactory(
        declaration=declaration, line_no=1, hs_code=hs_code, description=description, origin_country=origin,
        quantity=Decimal(quantity), unit="NO", net_weight_kg=Decimal(kg), invoice_value=Decimal(value),
    )  # fmt: skip
    return submit_and_screen(declaration, by=trader).risk_scores.get()


def _line(history: pd.DataFrame, hs_code: str) -> pd.DataFrame:
    return history[history["tariff_code"] == hs_code]


def _usual_origin(history: pd.DataFrame, hs_code: str) -> str:
    return _line(history, hs_code)["country"].mode()[0]


@pytest.mark.django_db
def test_goods_whose_description_reads_as_another_chapter_get_that_chapter(trained_model, history_frame, trader_a):
    phones_as_toys = _screened(
        trader_a, hs_code="950300000", description="mobile phones smartphones",
        origin=_usual_origin(history_frame, "950300000"), quantity="100", kg="30", value="250000",
    )  # fmt: skip
    assert phones_as_toys.suspected_correction["chapter"] == "85"
    assert {"code": "description_chapter", "params": {"chapter": "95", "suggested": "85"}} in [
        {key: reason[key] for key in ("code", "params")} for reason in phones_as_toys.reasons
    ]


@pytest.mark.django_db
def test_a_description_in_words_the_model_never_read_suggests_no_chapter(trained_model, history_frame, trader_a):
    # Training said "smartphones": "smartphone" and "128 GB" are no evidence of any chapter.
    smartphone = _screened(
        trader_a, hs_code="851713000", description="Smartphone 128 GB",
        origin=_usual_origin(history_frame, "851712000"), quantity="10", kg="3", value="600000",
    )  # fmt: skip
    assert "chapter" not in smartphone.suspected_correction
    assert "description_chapter" not in {reason["code"] for reason in smartphone.reasons}


@pytest.mark.django_db
def test_an_undervalued_line_gets_the_usual_value_range_of_its_goods(trained_model, history_frame, trader_a):
    origin = _usual_origin(history_frame, "847130000")
    cheap = _screened(
        trader_a, hs_code="847130000", description="portable laptop computers",
        origin=origin, quantity="50", kg="100", value="30000",
    )  # fmt: skip
    low, high = cheap.suspected_correction["customs_value_range_jpy"]
    central = cheap.suspected_correction["customs_value_jpy"]
    assert 30000 < low < central < high
    # The centre is the line's median value per kg from that origin in the history, times the weight.
    same = _line(history_frame, "847130000")
    same = same[same["country"] == origin]
    median_per_kg = float(np.median((same["cif_value"] + 1) / same["gross_weight"]))
    assert central == pytest.approx(100 * median_per_kg, rel=0.02)
    inside = (same["cif_value"] / same["gross_weight"] * 100).between(low, high).mean()
    assert 0.5 < inside < 0.85  # about one standard deviation either side


@pytest.mark.django_db
def test_goods_from_an_origin_that_rarely_ships_them_get_the_usual_origins(trained_model, history_frame, trader_a):
    shirts = _line(history_frame, "610910000")
    shares = shirts["country"].value_counts(normalize=True)
    usual = list(shares[shares >= ml.ORIGIN_RARE_SHARE].index[:3])
    assert "GB" not in shares.index
    from_gb = _screened(
        trader_a, hs_code="610910000", description="cotton knitted t-shirts",
        origin="GB", quantity="100", kg="20", value="80000",
    )  # fmt: skip
    assert from_gb.suspected_correction["origin"] == usual
    assert "origin_rare" in {reason["code"] for reason in from_gb.reasons}
    from_usual = _screened(
        trader_a, hs_code="610910000", description="cotton knitted t-shirts",
        origin=usual[0], quantity="100", kg="20", value="80000",
    )  # fmt: skip
    assert "origin" not in from_usual.suspected_correction


def test_only_words_read_in_training_count_as_evidence_of_a_chapter():
    descriptions = pd.Series(["fresh apples fruit"] * 40 + ["portable laptop computers"] * 40 + ["fruit juice"] * 5)
    chapters = pd.Series(["08"] * 40 + ["84"] * 40 + ["20"] * 5)
    model = ml.TextModel.fit(descriptions, chapters)
    probability, suggested = model.chapter_probabilities(
        pd.Series(["laptop computers", "smartphone", "", "laptop computers"]), pd.Series(["08", "85", "08", "99"])
    )
    assert suggested[0] == "84" and probability[0] < 0.05
    # Unknown words, no words, a chapter the model never saw: no opinion at all.
    assert np.isnan(probability[1:]).all() and list(suggested[1:]) == ["", "", ""]


def test_the_usual_origins_of_a_line_are_those_that_ship_most_of_it():
    history = pd.DataFrame(
        {"tariff_code": ["A"] * 60 + ["A"] * 30 + ["A"] * 9 + ["A"] + ["B"] * 10, "country": ["CN"] * 60 + ["VN"] * 30
         + ["TH"] * 9 + ["KH"] + ["US"] * 10}
    )  # fmt: skip
    reference = ml.Reference(
        events=pd.DataFrame(), prior=0, revenue_prior=0, uv_pair=pd.DataFrame(), uv_line=pd.DataFrame(),
        tax_line=pd.Series(dtype=float), text=None,
        origin_share=history.groupby(["tariff_code", "country"]).size() / history.groupby("tariff_code").size(),
    )  # fmt: skip
    origins = ml.usual_origins(reference, pd.Series(["A", "B", "C"]), limit=3)
    assert list(origins) == [["CN", "VN", "TH"], ["US"], []]
