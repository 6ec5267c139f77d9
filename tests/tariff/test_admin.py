import pytest

from declarations.tariff.models import TravellerRuleSet
from tests.tariff.factories import TariffLineFactory

pytestmark = pytest.mark.django_db


def test_tariff_lines_are_administered_under_the_tariff_app(client_for, admin_user):
    line = TariffLineFactory()

    response = client_for(admin_user).get(f"/admin/tariff/tariffline/{line.pk}/change/")

    assert response.status_code == 200
    assert line.hs_code in response.content.decode()


@pytest.mark.parametrize("model", ["tariffline", "tariffrate", "exchangerate"])
def test_old_admin_addresses_redirect_permanently_keeping_the_query(client_for, admin_user, model):
    response = client_for(admin_user).get(f"/admin/declarations/{model}/?q=0901&o=1")

    assert response.status_code == 301
    assert response["Location"] == f"/admin/tariff/{model}/?q=0901&o=1"


def test_an_old_change_address_lands_on_the_same_record(client_for, admin_user):
    line = TariffLineFactory()
    client = client_for(admin_user)

    response = client.get(f"/admin/declarations/tariffline/{line.pk}/change/", follow=True)

    assert response.redirect_chain == [(f"/admin/tariff/tariffline/{line.pk}/change/", 301)]
    assert line.hs_code in response.content.decode()


def test_other_declarations_admin_pages_are_not_redirected(client_for, admin_user):
    response = client_for(admin_user).get("/admin/declarations/controlledgood/")

    assert response.status_code == 200


def test_the_travellers_rule_sets_are_read_only_in_the_admin(client_for, admin_user):
    rule_set = TravellerRuleSet.objects.get()
    client = client_for(admin_user)

    assert client.get(f"/admin/tariff/travellerruleset/{rule_set.pk}/change/").status_code == 200
    assert client.get("/admin/tariff/travellerruleset/add/").status_code == 403
