"""The travellers' pages: the phone declaration (/travel/), the gate kiosk (/kiosk/) and
the officer console (/officer/travellers/)."""

from __future__ import annotations

from django.urls import path

from declarations.travellers.views import kiosk, officer, phone  # noqa: F401  (each section below uses one)

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
urlpatterns += []
