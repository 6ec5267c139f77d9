"""The demo declarations are made through the real services and only once."""

from __future__ import annotations

import pytest

from customs_portal.demo import seed_demo
from declarations.demo import declarations as demo
from declarations.models import Declaration
from tests.declarations import declaration_payloads as p

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_declarations_in_many_statuses_once():
    seed_demo(password="demo-password-123")
    with p.interim_screening_rule():
        demo.seed()
        count = Declaration.objects.count()
        demo.seed()
    assert count == len(demo.PLAN) == Declaration.objects.count()
    statuses = set(Declaration.objects.values_list("status", flat=True))
    assert {"draft", "withdrawn", "document_review", "awaiting_payment", "rejected"} <= statuses
    assert Declaration.objects.filter(version=2).exists()
