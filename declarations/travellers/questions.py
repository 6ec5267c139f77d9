"""The yes/no questions of Form C5360 side A, by the key stored in a declaration's
`answers` (reference §1.6)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Question:
    key: str
    text: Promise
    short: Promise
    # Sent to the desk by default (a supervisor may change the gate's answer rules).
    desk_by_default: bool


PROHIBITED = "prohibited"
GOLD = "gold"
OVER_ALLOWANCE = "over_allowance"
COMMERCIAL = "commercial"
FOR_OTHERS = "for_others"
CASH = "cash_over_limit"
UNACCOMPANIED = "unaccompanied"

QUESTIONS: dict[str, Question] = {
    question.key: question
    for question in (
        Question(
            PROHIBITED,
            _(
                "Are you bringing into Japan goods that are prohibited or restricted (drugs, guns, meat products, plants, counterfeit brands…)?"
            ),
            _("prohibited or restricted goods"),
            True,
        ),
        Question(GOLD, _("Are you bringing gold bullion or gold products?"), _("gold"), True),
        Question(
            OVER_ALLOWANCE,
            _("Are you bringing goods (purchases, souvenirs, gifts) over the duty-free allowance?"),
            _("goods over the duty-free allowance"),
            False,
        ),
        Question(
            COMMERCIAL, _("Are you bringing commercial goods or samples?"), _("commercial goods or samples"), True
        ),
        Question(
            FOR_OTHERS,
            _("Are you bringing goods that someone asked you to carry for them?"),
            _("goods carried for someone else"),
            True,
        ),
        Question(
            CASH,
            _(
                "Are you carrying cash, cheques, securities or other means of payment worth more than ¥1,000,000, or precious metals over 1 kg?"
            ),
            _("means of payment over ¥1,000,000"),
            True,
        ),
        Question(
            UNACCOMPANIED,
            _("Do you have unaccompanied baggage (goods sent separately that arrive later)?"),
            _("unaccompanied baggage"),
            True,
        ),
    )
}
