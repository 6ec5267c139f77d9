"""The travellers' pages: the phone declaration (/travel/), the gate kiosk (/kiosk/) and
the officer console (/officer/travellers/)."""

from __future__ import annotations

from django.urls import path

from declarations.travellers.views import kiosk, officer, phone

urlpatterns: list = []

# The phone declaration (/travel/) ---------------------------------------------------------
urlpatterns += [
    path("travel/", phone.phone_start, name="travel-start"),
    path("travel/declare/", phone.phone_declare, name="travel-declare"),
    path("travel/my-qr/", phone.phone_my_qr, name="travel-my-qr"),
    path("travel/qr/<str:reference>.svg", phone.phone_qr_svg, name="travel-qr"),
    path("travel/sw.js", phone.phone_service_worker, name="travel-service-worker"),
]


# The gate kiosk (/kiosk/) ------------------------------------------------------------------
urlpatterns += [
    path("kiosk/", kiosk.kiosk_home, name="kiosk-home"),
]


# The officer console (/officer/travellers/) ---------------------------------------------
urlpatterns += [
    path("officer/travellers/", officer.console, name="traveller-officer-console"),
    path("officer/travellers/feed/", officer.console_feed, name="traveller-officer-feed"),
    path("officer/travellers/desk/", officer.desk_queue, name="traveller-officer-desk"),
    path("officer/travellers/passport/", officer.passport_lookup, name="traveller-officer-passport"),
    path(
        "officer/travellers/declarations/<int:declaration_id>/",
        officer.declaration_detail,
        name="traveller-officer-declaration",
    ),
    path(
        "officer/travellers/declarations/<int:declaration_id>/decide/",
        officer.declaration_decide,
        name="traveller-officer-decide",
    ),
    path(
        "officer/travellers/declarations/<int:declaration_id>/personal-data/",
        officer.declaration_personal_data,
        name="traveller-officer-personal-data",
    ),
    path("officer/travellers/kiosks/", officer.kiosks, name="traveller-officer-kiosks"),
    path(
        "officer/travellers/kiosks/<int:kiosk_id>/revoke/", officer.kiosk_revoke, name="traveller-officer-kiosk-revoke"
    ),
    path("officer/travellers/rules/", officer.gate_rules, name="traveller-officer-rules"),
    path("officer/travellers/rules/<int:rule_id>/end/", officer.gate_rule_end, name="traveller-officer-rule-end"),
    path("officer/travellers/watch-list/", officer.watch_list, name="traveller-officer-watch-list"),
    path(
        "officer/travellers/watch-list/<int:entry_id>/end/",
        officer.watch_list_end,
        name="traveller-officer-watch-list-end",
    ),
]
