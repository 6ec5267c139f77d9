from __future__ import annotations

import pytest

from customs_portal.models import Company, Role
from payments import demo
from payments.models import DeferralApproval, Receipt, ReconciliationItem
from tests.customs_portal.factories import CompanyFactory, UserFactory
from tests.payments.factories import declaration_awaiting_payment

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_seeds_a_paid_declaration_and_a_mismatch():
    demo.seed()  # nothing to do without companies and declarations
    fuji = CompanyFactory(corporate_number=demo.FUJI, name="Fuji", kind=Company.Kind.IMPORTER_EXPORTER)
    importer = UserFactory(role=Role.TRADER, company=fuji, username="importer")
    UserFactory(role=Role.SUPERVISOR, username="supervisor")
    declaration_awaiting_payment(importer)
    declaration_awaiting_payment(importer)
    demo.seed()
    demo.seed()
    assert DeferralApproval.objects.get().company == fuji
    assert Receipt.objects.count() == 1
    assert ReconciliationItem.objects.filter(kind="duplicate").count() == 1
