"""Declared contents against what the model sees: a threat class the image shows that no
declared line could be (books declared, a blade seen). Pure functions of the declared
lines and the probabilities."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from customs_portal.reasons import Reason, reason

# The HS headings under which each threat class would be declared: 9302 revolvers and
# pistols, 9303 other firearms, 9304 other arms (air guns, and throwing weapons), 8211
# knives with cutting blades, 8214 other cutlery (razors, cleavers), 9307 swords,
# bayonets and similar arms.
THREAT_HEADINGS: dict[str, tuple[str, ...]] = {
    "gun": ("9301", "9302", "9303", "9304", "9305"),
    "blade": ("8211", "8214", "9307"),
    "shuriken": ("9304", "9307"),
}
# Words in a description that declare the class (English and Japanese).
THREAT_WORDS: dict[str, tuple[str, ...]] = {
    "gun": ("gun", "pistol", "revolver", "rifle", "firearm", "銃", "拳銃", "ピストル"),
    "blade": ("knife", "knives", "blade", "sword", "dagger", "razor", "cutlery", "ナイフ", "刃物", "刀", "包丁"),
    "shuriken": ("shuriken", "throwing star", "手裏剣"),
}


def declares(*, threat: str, hs_code: str, description: str) -> bool:
    """Whether a declared line could be an object of the threat class."""
    if hs_code and hs_code[:4] in THREAT_HEADINGS.get(threat, ()):
        return True
    text = description.lower()
    return any(
        re.search(rf"\b{re.escape(word)}", text) if word.isascii() else word in text
        for word in THREAT_WORDS.get(threat, ())
    )


def mismatch_reasons(
    *, items: Iterable[tuple[str, str]], probabilities: Mapping[str, float], threshold: float, threats: Iterable[str]
) -> list[Reason]:
    """`declared_without_threat` for each threat class seen at or above `threshold` that no
    declared line (hs_code, description) could be, strongest first."""
    items = list(items)
    declared = ", ".join(description for _, description in items)
    found = []
    for threat in threats:
        probability = float(probabilities.get(threat, 0.0))
        if probability < threshold:
            continue
        if any(declares(threat=threat, hs_code=hs, description=text) for hs, text in items):
            continue
        found.append((probability, threat))
    return [
        reason("declared_without_threat", seen=threat, probability=round(probability, 3), declared=declared)
        for probability, threat in sorted(found, reverse=True)
    ]
