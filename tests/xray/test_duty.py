"""The duty of a postal parcel from the shared tariff engine, the ¥10,000 small-value
exemption, and the chain to payments: the signal on commit, one assessment, the sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from customs_portal.errors import ApplicationError
from declarations.tariff.interface import tariff_seed_load
from payments import handoffs
from payments.models import Assessment
from tests.xray.factories import DeclaredItemFactory, ParcelFactory
from xray import hooks
from xray.parcels import services
from xray.parcels.models import Decision, Parcel


@pytest.fixture
def tariff():
    tariff_seed_load()


def _parcel(*lines: tuple[str, int]) -> Parcel:
    parcel = ParcelFactory()
    for number, (hs_code, value) in enumerate(lines, start=1):
        DeclaredItemFactory(parcel=parcel, line_number=number, hs_code=hs_code, value_jpy=value)
    return parcel


def _released(parcel: Parcel, *, ago: timedelta = timedelta(0)) -> Parcel:
    Parcel.objects.filter(pk=parcel.pk).update(
        status=Parcel.Status.DECIDED, final_decision=Decision.RELEASE, decided_at=timezone.now() - ago
    )
    return Parcel.objects.get(pk=parcel.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("value", [4_000, 10_000])
def test_a_parcel_worth_at_most_ten_thousand_yen_owes_nothing(tariff, value, django_capture_on_commit_callbacks):
    parcel = _parcel(("847130", value))
    sent = []
    hooks.parcel_duty_due.connect(lambda **kwargs: sent.append(kwargs), weak=False, dispatch_uid="test-free")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.parcel_duty_assess(parcel=parcel) == 0
    finally:
        hooks.parcel_duty_due.disconnect(dispatch_uid="test-free")
    assert Parcel.objects.get(pk=parcel.pk).duty_jpy == 0
    assert sent == []


@pytest.mark.django_db
def test_a_laptop_over_the_exemption_owes_consumption_taxes(tariff):
    parcel = _parcel(("847130", 150_000))
    # Laptops are duty-free; consumption tax 7.8 % of 150,000 = 11,700 and local
    # consumption tax 22/78 of it = 3,300.
    totals = services.parcel_duty_compute(parcel=parcel)
    assert (totals.customs_duty_jpy, totals.consumption_tax_jpy, totals.local_consumption_tax_jpy) == (0, 11_700, 3_300)
    assert services.parcel_duty_assess(parcel=parcel) == 15_000
    assert Parcel.objects.get(pk=parcel.pk).duty_jpy == 15_000


@pytest.mark.django_db
def test_lines_are_added_up_so_a_split_value_over_the_limit_is_taxed(tariff):
    parcel = _parcel(("847130", 6_000), ("490199", 6_000))
    assert services.parcel_duty_assess(parcel=parcel) > 0


@pytest.mark.django_db
def test_a_line_without_a_known_hs_code_cannot_be_assessed(tariff):
    with pytest.raises(ApplicationError) as refused:
        services.parcel_duty_assess(parcel=_parcel(("", 50_000)))
    assert refused.value.code == "hs_code_missing" and "items[0].hs_code" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        services.parcel_duty_assess(parcel=_parcel(("999999", 50_000)))
    assert refused.value.code == "hs_code_not_in_force"


@pytest.mark.django_db(transaction=True)
def test_a_released_parcel_that_owes_duty_gets_one_postal_assessment_on_commit(tariff):
    parcel = _released(_parcel(("847130", 150_000)))
    services.parcel_duty_assess(parcel=parcel)
    assessment = Assessment.objects.get(postal_parcel=parcel)
    assert assessment.kind == Assessment.Kind.POSTAL
    assert assessment.reference == f"PST-{parcel.item_number}"
    assert (assessment.customs_duty_jpy, assessment.consumption_tax_jpy, assessment.local_consumption_tax_jpy) == (
        0,
        11_700,
        3_300,
    )
    assert assessment.total_jpy == 15_000 and assessment.company is None
    assert parcel.assessment == assessment
    # Assessed again (an officer's second click, a retry): still one assessment.
    services.parcel_duty_assess(parcel=parcel)
    assert Assessment.objects.filter(postal_parcel=parcel).count() == 1


@pytest.mark.django_db
def test_the_handoff_sweep_assesses_a_released_parcel_left_without_its_assessment(tariff):
    # on_commit callbacks never run in this test's transaction: the signal is "lost".
    stuck = _released(_parcel(("847130", 150_000)), ago=timedelta(minutes=10))
    services.parcel_duty_assess(parcel=stuck)
    recent = _released(_parcel(("847130", 80_000)))
    services.parcel_duty_assess(parcel=recent)
    assert not Assessment.objects.exists()
    result = handoffs.handoffs_repair()
    assert result.parcels_assessed == 1
    assert Assessment.objects.get().postal_parcel == stuck
    assert handoffs.handoffs_repair().parcels_assessed == 0
