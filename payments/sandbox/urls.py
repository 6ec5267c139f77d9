from __future__ import annotations

from django.urls import path

from payments.sandbox import views

urlpatterns = [
    path("pay/<str:token>/", views.hosted_page, name="sandbox-pay"),
]
