"""Demo data of the travellers' pages: three kiosks, the gate's rules, and a morning of
arrivals decided at the kiosks, so the officer console has something to show. Each run
gives the first kiosk a new token and prints it, since only its hash is kept."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from customs_portal.models import User
from declarations.travellers import services
from declarations.travellers.api import TravellerDeclarationInput, declaration_input
from declarations.travellers.models import GateRiskRule, Kiosk, TravellerDeclaration
from declarations.travellers.mrz import mrz_compose

KIOSKS = [("NRT-T1-01", "NRT", "T1"), ("NRT-T1-02", "NRT", "T1"), ("HND-T3-01", "HND", "T3")]
NO = {
    "prohibited": False,
    "gold": False,
    "over_allowance": False,
    "commercial": False,
    "for_others": False,
    "cash_over_limit": False,
    "unaccompanied": False,
}
# (passport, nationality, birth date, surname, flight, from, yes-answers, goods)
ARRIVALS = [
    ("TK1234567", "JPN", "1985-04-02", "TANAKA", "NH204", "LAX", [], []),
    (
        "X1234567",
        "USA",
        "1979-11-23",
        "SMITH",
        "UA837",
        "SFO",
        ["over_allowance"],
        [
            {"category": "whisky_brandy", "description": "Bourbon", "quantity": 4, "value_jpy": 6000, "volume_ml": 750},
            {"category": "other", "description": "Handbag", "quantity": 1, "value_jpy": 150000},
            {"category": "other", "description": "Watch", "quantity": 1, "value_jpy": 120000},
        ],
    ),
    ("E98765432", "CHN", "1990-06-15", "WANG", "CA925", "PEK", ["commercial"], []),
    ("M12345678", "KOR", "1988-02-29", "KIM", "KE705", "ICN", [], []),
    ("P7654321", "GBR", "1972-08-09", "JONES", "BA005", "LHR", ["cash_over_limit"], []),
    ("N5550123", "AUS", "1995-12-01", "BROWN", "QF25", "SYD", [], []),
]


def _file(passport: str, nationality: str, birth: str, surname: str, flight: str, origin: str, yes, goods):
    serializer = TravellerDeclarationInput(
        data={
            "client_id": str(uuid.uuid4()),
            "language": {"CHN": "zh-hans", "KOR": "ko", "JPN": "ja"}.get(nationality, "en"),
            "passport": {
                "number": passport, "nationality": nationality, "birth_date": birth, "surname": surname,
                "given_names": "DEMO",
            },
            "flight_number": flight,
            "embarkation": origin,
            "arrival_airport": "NRT",
            "arrival_date": timezone.localdate().isoformat(),
            "answers": {**NO, **dict.fromkeys(yes, True)},
            "items": goods,
        }
    )  # fmt: skip
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return services.traveller_declaration_submit(
        data=declaration_input(data), client_id=data["client_id"], language=data["language"]
    )


def demo_mrz(passport: str, nationality: str, birth: str, surname: str) -> str:
    return mrz_compose(
        surname=surname,
        given_names="DEMO",
        number=passport,
        nationality=nationality,
        birth_date=dt.date.fromisoformat(birth),
        sex="X",
        expiry_date=timezone.localdate() + dt.timedelta(days=3 * 365),
    )


def seed() -> list[str]:
    supervisor = User.objects.get(username="supervisor")
    kiosks = {}
    for code, airport, terminal in KIOSKS:
        kiosk = Kiosk.objects.filter(code=code).first()
        if kiosk is None:
            kiosk, _raw = services.kiosk_register(
                code=code, airport=airport, terminal=terminal, label="", registered_by=supervisor
            )
        kiosks[code] = kiosk
    if not GateRiskRule.objects.filter(kind=GateRiskRule.Kind.RANDOM_SHARE).exists():
        services.gate_rule_create(
            kind=GateRiskRule.Kind.RANDOM_SHARE,
            share_percent=2,
            valid_from=timezone.now(),
            note="Demo: 2 % of travellers at random",
            created_by=supervisor,
        )
    if not TravellerDeclaration.objects.filter(arrival_date=timezone.localdate()).exists():
        for number, arrival in enumerate(ARRIVALS):
            declaration = _file(*arrival)
            if number == 0:
                continue  # left for the kiosk: the MRZ printed below opens its gate
            kiosk = kiosks[KIOSKS[number % 2][0]]
            services.kiosk_decide(
                kiosk=kiosk, token=declaration.token, mrz=demo_mrz(*arrival[:4]), request_key=f"demo-{number}"
            )
    token = services.kiosk_token_rotate(kiosk=kiosks["NRT-T1-01"], rotated_by=supervisor)
    first = ARRIVALS[0]
    return [
        "Traveller pages: /travel/   Gate kiosk: /kiosk/   Officer console: /officer/travellers/",
        f"Kiosk NRT-T1-01 token (paste it on the kiosk's set-up screen): {token}",
        "MRZ of the demo passport TK1234567 (born 1985-04-02, surname TANAKA) for the kiosk:",
        *demo_mrz(*first[:4]).splitlines(),
    ]
