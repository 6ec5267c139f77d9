"""The travellers' pages: the phone declaration (/travel/), the gate kiosk (/kiosk/) and
the officer console (/officer/travellers/)."""

from __future__ import annotations

from django.urls import path

from declarations.travellers.views import kiosk, officer, phone  # noqa: F401  (each section below uses one)

urlpatterns: list = []

# The phone declaration (/travel/) ---------------------------------------------------------
urlpatterns += []


# The gate kiosk (/kiosk/) ------------------------------------------------------------------
urlpatterns += [
    path("kiosk/", kiosk.kiosk_home, name="kiosk-home"),
]


# The officer console (/officer/travellers/) ---------------------------------------------
urlpatterns += []
