"""The duty estimate of a traveller declaration, from the shared tariff engine: the
declarant and the family members become travellers by age band, the goods are the
family's (the engine gives each unit to the family member whose allowance suits it
best), and the result is kept as plain data for the pages and the kiosk."""

from __future__ import annotations

from datetime import date
from typing import Any

from declarations.tariff.interface import Traveller, TravellerEstimate, TravellerItem, traveller_estimate

# The age taken for each family band of Form C5360: the band's youngest, so that the
# estimate never counts an allowance that someone in the band may not have.
BAND_AGES = {"adults": 20, "minors": 6, "infants": 0}


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def family_travellers(*, declarant_age: int, adults: int, minors: int, infants: int) -> list[Traveller]:
    """The declarant first, then the family members by band."""
    ages = [declarant_age] + [BAND_AGES["adults"]] * adults + [BAND_AGES["minors"]] * minors
    return [Traveller(age=age) for age in ages + [BAND_AGES["infants"]] * infants]


def family_items(items: list[dict[str, Any]]) -> list[TravellerItem]:
    """The declared goods as the engine's lines, none tied to a family member."""
    return [
        TravellerItem(
            category=item["category"],
            quantity=item["quantity"],
            value_jpy=item["value_jpy"],
            traveller=None,
            volume_ml=item.get("volume_ml"),
            weight_g=item.get("weight_g"),
            description=item.get("description", ""),
            item_type=item.get("description", ""),
            for_child_use=bool(item.get("for_child_use")),
        )
        for item in items
    ]


def estimate_as_data(estimate: TravellerEstimate) -> dict[str, Any]:
    """What the pages show and the declaration keeps: amounts as integers or strings,
    bases as codes (their text is rendered again in the reader's language)."""
    return {
        "on": estimate.on.isoformat(),
        "total_jpy": estimate.total_jpy,
        "assessed_by_customs": estimate.assessed_by_customs,
        "lines": [
            {
                "index": result.index,
                "traveller": result.traveller,
                "category": result.category,
                "description": result.description,
                "quantity": result.quantity,
                "value_jpy": result.value_jpy,
                "free_quantity": result.free_quantity,
                "taxed_quantity": result.taxed_quantity,
                "treatment": result.treatment,
                "allowance": result.allowance.code,
                "basis": result.basis.code,
                "rate": result.rate_text,
                "tax_jpy": None if result.tax_jpy is None else str(result.tax_jpy.quantize(1)),
            }
            for result in estimate.items
        ],
        "totals": [{"tax_type": total.tax_type, "total_jpy": total.total_jpy} for total in estimate.totals],
    }


def declaration_estimate(
    *, declarant_age: int, adults: int, minors: int, infants: int, items: list[dict[str, Any]], on: date
) -> TravellerEstimate:
    """The engine's estimate for one declaration's family and goods on the arrival date."""
    return traveller_estimate(
        travellers=family_travellers(declarant_age=declarant_age, adults=adults, minors=minors, infants=infants),
        items=family_items(items),
        on=on,
    )
