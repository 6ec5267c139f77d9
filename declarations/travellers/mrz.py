"""The machine-readable zone of a passport (ICAO Doc 9303, TD3: two lines of 44
characters), as a kiosk's document reader or a USB scanner types it, or as a person
copies it: each check digit is verified."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from customs_portal.errors import ApplicationError

LINE_LENGTH = 44
_WEIGHTS = (7, 3, 1)
_ALLOWED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


@dataclass(frozen=True)
class PassportMrz:
    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    number: str
    nationality: str
    birth_date: date
    sex: str
    expiry_date: date


def check_digit(field: str) -> int:
    """The ICAO check digit of a field: digits as themselves, A–Z as 10–35, `<` as 0,
    weighted 7, 3, 1."""
    total = 0
    for position, char in enumerate(field):
        if char.isdigit():
            value = int(char)
        elif char.isalpha():
            value = ord(char) - ord("A") + 10
        else:
            value = 0
        total += value * _WEIGHTS[position % 3]
    return total % 10


def _invalid(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={"mrz": [message]})


def _lines(text: str) -> tuple[str, str]:
    folded = unicodedata.normalize("NFKC", text or "").upper()
    lines = [line.replace(" ", "") for line in folded.splitlines() if line.strip()]
    if len(lines) == 1 and len(lines[0]) == 2 * LINE_LENGTH:
        lines = [lines[0][:LINE_LENGTH], lines[0][LINE_LENGTH:]]
    if len(lines) != 2 or any(len(line) != LINE_LENGTH for line in lines):
        raise _invalid(_("The passport's machine-readable zone must be two lines of 44 characters."), "mrz_format")
    if any(set(line) - _ALLOWED for line in lines) or not lines[0].startswith("P"):
        raise _invalid(_("This is not the machine-readable zone of a passport."), "mrz_format")
    return lines[0], lines[1]


def _date(text: str, *, future: bool) -> date:
    """YYMMDD: a birth date is in the past century window, an expiry date up to 50 years on."""
    year, month, day = int(text[:2]), int(text[2:4]), int(text[4:6])
    this_year = timezone.localdate().year
    century = this_year // 100 * 100
    full = century + year
    if future and full < this_year - 50:
        full += 100
    if not future and full > this_year:
        full -= 100
    return date(full, month, day)


def mrz_parse(text: str) -> PassportMrz:
    """The passport data of an MRZ; raises ApplicationError (field `mrz`) when it is
    not one or a check digit is wrong."""
    first, second = _lines(text)
    number, number_check = second[0:9], second[9]
    birth, birth_check = second[13:19], second[19]
    expiry, expiry_check = second[21:27], second[27]
    personal, personal_check = second[28:42], second[42]
    composite = second[0:10] + second[13:20] + second[21:43]
    checks = [
        (number, number_check),
        (birth, birth_check),
        (expiry, expiry_check),
        (composite, second[43]),
    ]
    if personal_check != "<" or personal.strip("<"):
        checks.append((personal, personal_check))
    for field, digit in checks:
        if not digit.isdigit() or check_digit(field) != int(digit):
            raise _invalid(
                _("A check digit of the passport's machine-readable zone is wrong: scan it again."), "mrz_check_digit"
            )
    try:
        birth_date = _date(birth, future=False)
        expiry_date = _date(expiry, future=True)
    except ValueError:
        raise _invalid(_("The passport's machine-readable zone holds an impossible date."), "mrz_format") from None
    surname, _sep, given = first[5:].partition("<<")
    return PassportMrz(
        document_type=first[0:2].replace("<", ""),
        issuing_state=first[2:5].replace("<", ""),
        surname=surname.replace("<", " ").strip(),
        given_names=given.replace("<", " ").strip(),
        number=number.replace("<", ""),
        nationality=second[10:13].replace("<", ""),
        birth_date=birth_date,
        sex=second[20].replace("<", "X"),
        expiry_date=expiry_date,
    )


def mrz_compose(
    *,
    surname: str,
    given_names: str,
    number: str,
    nationality: str,
    birth_date: date,
    sex: str,
    expiry_date: date,
    issuing_state: str = "",
) -> str:
    """The two MRZ lines of a passport with these data (demo data and tests)."""

    def field(value: str, width: int) -> str:
        return value.upper().replace(" ", "<")[:width].ljust(width, "<")

    names = field(f"{surname}<<{given_names}", 39)
    first = f"P<{field(issuing_state or nationality, 3)}{names}"
    number_field = field(number, 9)
    birth, expiry = f"{birth_date:%y%m%d}", f"{expiry_date:%y%m%d}"
    personal = "<" * 14
    second = (
        f"{number_field}{check_digit(number_field)}{field(nationality, 3)}{birth}{check_digit(birth)}"
        f"{field(sex, 1)}{expiry}{check_digit(expiry)}{personal}<"
    )
    composite = second[0:10] + second[13:20] + second[21:43]
    return f"{first}\n{second}{check_digit(composite)}"
