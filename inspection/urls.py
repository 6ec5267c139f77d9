from __future__ import annotations

from django.urls import path

from inspection import views

urlpatterns = [
    path("inspection/", views.inspection_list, name="inspection-list"),
    path("inspection/probably-wrong/", views.probably_wrong_list, name="inspection-probably-wrong"),
    path("inspection/audit/", views.audit_list, name="inspection-audit"),
    path("inspection/audit/<int:company_id>/", views.audit_company, name="inspection-audit-company"),
    path("inspection/companies/<int:company_id>/", views.company_detail, name="inspection-company"),
    path("inspection/declarations/<int:declaration_id>/result/", views.result_record, name="inspection-result"),
    path("inspection/models/", views.model_registry, name="inspection-models"),
    path("inspection/models/<int:version_id>/promote/", views.model_promote, name="inspection-model-promote"),
    path("inspection/models/rollback/", views.model_rollback, name="inspection-model-rollback"),
]
