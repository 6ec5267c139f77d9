"""The supervisors' pages of the travellers' rules: the list by start date, a new set
from a future day prefilled with the rules in force, changes and deletion of sets that
have not started, refusals for the rest, other roles' 403, the audit trail, and the
rules in force in the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from customs_portal.errors import ApplicationError
from customs_portal.models import AuditEvent
from declarations.tariff.interface import Traveller, TravellerItem, traveller_estimate, traveller_rules_in_force
from declarations.tariff.models import TravellerRuleSet
from declarations.tariff.services import traveller_rule_set_create
from declarations.tariff.travellers import TRAVELLER_ALLOWANCE_FIELDS
from tests.tariff.factories import traveller_rule_set_from, traveller_rules_2021

pytestmark = pytest.mark.django_db

LIST = "/tariff/traveller-rules/"
NEW = "/tariff/traveller-rules/new/"
SEED_START = dt.date(2021, 10, 1)


def later(days: int = 30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def form_data(**changes) -> dict:
    """The form as it comes prefilled (the 2021 rules), from a future day."""
    rules = traveller_rules_2021()
    data = {
        "valid_from": later().isoformat(),
        "source": "Customs Tariff Act amendment",
        **{name: getattr(rules.allowances, name) for name in TRAVELLER_ALLOWANCE_FIELDS},
        "taxable_ratio": "0.6",
        "article_limit_jpy": 100_000,
        **{f"rate_{category}": str(rate.amount) for category, rate in rules.rates.rates.items()},
    }
    data.update(changes)
    return data


def future_set(days: int = 30) -> TravellerRuleSet:
    rules = traveller_rules_2021()
    start = later(days)
    return traveller_rule_set_from(
        replace(
            rules,
            allowances=replace(rules.allowances, valid_from=start),
            rates=replace(rules.rates, valid_from=start),
        )
    )


def test_the_routes_are_named():
    assert reverse("traveller-rules") == LIST
    assert reverse("traveller-rule-set-new") == NEW
    assert reverse("api-traveller-rules") == "/api/v1/traveller-rules/"


def test_a_supervisor_sees_the_rule_sets_with_the_one_in_force_marked(client_for, supervisor):
    future_set()
    client = client_for(supervisor)

    response = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.index(later().isoformat()) < body.index("2021-10-01")
    assert body.count("In force") == 1
    assert "Not started" in body
    assert "Other goods ¥200,000" in body
    assert 'Whisky, brandy: <span class="tabular">800</span> yen per litre' in body
    assert f'href="{LIST}"' in body  # the navigation links it


def test_the_list_reads_in_a_fixed_number_of_queries(client_for, supervisor, django_assert_max_num_queries):
    for days in (10, 20, 30):
        future_set(days)
    client = client_for(supervisor)
    client.get(LIST)

    with django_assert_max_num_queries(8):
        assert client.get(LIST).status_code == 200


def test_the_list_is_in_japanese_by_default(client_for, supervisor):
    response = client_for(supervisor).get(LIST)

    assert response.status_code == 200
    assert 'lang="ja"' in response.content.decode()


@pytest.mark.parametrize("persona", ["clearance_officer", "trader_a"])
def test_other_roles_get_403_on_every_rules_page(request, client_for, persona):
    rule_set = future_set()
    client = client_for(request.getfixturevalue(persona))

    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data()).status_code == 403
    assert client.get(f"{LIST}{rule_set.pk}/").status_code == 403
    assert client.post(f"{LIST}{rule_set.pk}/delete/").status_code == 403
    assert TravellerRuleSet.objects.count() == 2
    assert f'href="{LIST}"' not in client.get("/tariff/").content.decode()


def test_the_new_form_is_prefilled_with_the_rules_in_force_from_tomorrow(client_for, supervisor):
    response = client_for(supervisor).get(NEW, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["other_goods_jpy"] == 200_000
    assert form.initial["rate_whisky_brandy"] == Decimal(800)
    assert form.initial["valid_from"] == later(1)


def test_a_supervisor_adds_a_future_rule_set_that_estimates_use_from_its_day(client_for, supervisor):
    data = form_data(rate_whisky_brandy="1000", cigarettes=100, rate_cigars="20")

    response = client_for(supervisor).post(NEW, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    rule_set = TravellerRuleSet.objects.get(valid_from=later())
    assert (rule_set.cigarettes, rule_set.created_by) == (100, supervisor)
    assert traveller_rules_in_force(on=later()).rates.rates["whisky_brandy"].amount == 1_000
    whisky = [TravellerItem("whisky_brandy", 1, 6_000, volume_ml=750)]
    minor = [Traveller(age=19)]
    assert traveller_estimate(travellers=minor, items=whisky, on=later()).items[0].tax_jpy == 750
    assert traveller_estimate(travellers=minor, items=whisky, on=later(29)).items[0].tax_jpy == 600
    cigars = [TravellerItem("cigars", 1, 500)]
    assert traveller_estimate(travellers=minor, items=cigars, on=later()).items[0].tax_jpy == 20
    event = AuditEvent.objects.get(action="traveller_rules.created")
    assert (event.actor, event.after["cigarettes"], event.after["rates"]["whisky_brandy"]) == (
        supervisor,
        100,
        "1000.00 L",
    )


def test_a_rate_left_empty_means_the_general_rate(client_for, supervisor):
    client_for(supervisor).post(NEW, form_data(rate_other=""))

    rules = traveller_rules_in_force(on=later())
    assert "other" not in rules.rates.rates
    (bag,) = traveller_estimate(travellers=[Traveller(3)], items=[TravellerItem("other", 1, 50_000)], on=later()).items
    assert bag.treatment == "general_rate"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"valid_from": "today"}, "valid_from", "A new rule set starts after today"),
        ({"child_age": 30}, "child_age", "The child age cannot be above the adult age."),
        ({"taxable_ratio": "1.5"}, "taxable_ratio", "Ensure this value is less than or equal to 1."),
        ({"rate_shochu": "-1"}, "rate_shochu", "Ensure this value is greater than or equal to 0."),
        ({"cigarettes": "many"}, "cigarettes", "Enter a whole number."),
    ],
)
def test_a_bad_rule_set_is_refused_on_its_field_and_nothing_is_saved(client_for, supervisor, changes, field, message):
    if changes.get("valid_from") == "today":
        changes = {"valid_from": timezone.localdate().isoformat()}
    response = client_for(supervisor).post(NEW, form_data(**changes), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert any(error.startswith(message) for error in response.context["form"].errors[field])
    assert TravellerRuleSet.objects.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="traveller_rules.").exists()


def test_a_second_set_from_the_same_day_is_refused(client_for, supervisor):
    future_set()

    response = client_for(supervisor).post(NEW, form_data(), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.context["form"].errors["valid_from"] == ["Another rule set starts on this day."]


def test_the_refusal_is_in_japanese_for_a_japanese_reader(client_for, supervisor):
    response = client_for(supervisor).post(NEW, form_data(child_age=30), HTTP_ACCEPT_LANGUAGE="ja")

    assert response.status_code == 400
    assert response.context["form"].errors["child_age"] != ["The child age cannot be above the adult age."]


def test_a_supervisor_changes_a_set_that_has_not_started(client_for, supervisor):
    rule_set = future_set()
    new_day = later(40).isoformat()

    response = client_for(supervisor).post(
        f"{LIST}{rule_set.pk}/", form_data(valid_from=new_day, other_goods_jpy=300_000)
    )

    assert response.status_code == 302
    rule_set.refresh_from_db()
    assert (rule_set.valid_from.isoformat(), rule_set.other_goods_jpy) == (new_day, 300_000)
    event = AuditEvent.objects.get(action="traveller_rules.changed")
    assert (event.before["other_goods_jpy"], event.after["other_goods_jpy"]) == (200_000, 300_000)


def test_a_set_that_has_started_is_shown_but_never_changed_or_deleted(client_for, supervisor):
    seeded = TravellerRuleSet.objects.get(valid_from=SEED_START)
    client = client_for(supervisor)

    page = client.get(f"{LIST}{seeded.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "This rule set has started" in page.content.decode()
    assert "Save the rule set" not in page.content.decode()

    client.post(f"{LIST}{seeded.pk}/", form_data(valid_from=later().isoformat(), cigarettes=1))
    client.post(f"{LIST}{seeded.pk}/delete/")

    seeded.refresh_from_db()
    assert (seeded.valid_from, seeded.cigarettes) == (SEED_START, 200)
    assert not AuditEvent.objects.filter(action__startswith="traveller_rules.").exists()


def test_a_supervisor_deletes_a_set_that_has_not_started(client_for, supervisor):
    rule_set = future_set()

    response = client_for(supervisor).post(f"{LIST}{rule_set.pk}/delete/")

    assert response.status_code == 302
    assert not TravellerRuleSet.objects.filter(pk=rule_set.pk).exists()
    event = AuditEvent.objects.get(action="traveller_rules.deleted")
    assert (event.actor, event.before["valid_from"]) == (supervisor, later().isoformat())


def test_an_unknown_rule_set_is_404(client_for, supervisor):
    assert client_for(supervisor).get(f"{LIST}999999/").status_code == 404


def test_the_service_refuses_other_roles_whoever_calls_it(clearance_officer):
    rules = traveller_rules_2021()
    rules = replace(rules, allowances=replace(rules.allowances, valid_from=later()))

    with pytest.raises(ApplicationError) as error:
        traveller_rule_set_create(rules=rules, source="", created_by=clearance_officer)

    assert (error.value.code, error.value.status) == ("permission_denied", 403)


def test_the_api_gives_the_rules_in_force_on_a_day():
    response = APIClient().get("/api/v1/traveller-rules/", {"date": "2026-03-02"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert (body["valid_from"], body["allowances"]["other_goods_jpy"], body["taxable_ratio"]) == (
        "2021-10-01",
        200_000,
        "0.600",
    )
    assert {"category": "whisky_brandy", "amount": "800.00", "unit": "L", "text": "800 JPY/L"} in body["rates"]


def test_the_api_refuses_a_day_before_the_first_rules():
    response = APIClient().get("/api/v1/traveller-rules/", {"date": "2020-01-01"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "date_out_of_range"
