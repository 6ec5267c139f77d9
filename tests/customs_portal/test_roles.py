"""Each role reaches its own pages and gets 403 on the others."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

OFFICER_PERSONAS = ["clearance_officer", "inspection_officer", "audit_officer", "supervisor"]
TRADER_PAGES = ["trader-dashboard", "notification-inbox", "integration"]


@pytest.mark.parametrize("persona", OFFICER_PERSONAS)
def test_officers_see_their_dashboard_with_work_queues(persona, request, client_for):
    officer = request.getfixturevalue(persona)
    response = client_for(officer).get(reverse("officer-dashboard"))
    assert response.status_code == 200
    queues = response.context["queues"]
    assert queues, "every officer sub-role works at least one queue"
    assert all(item.count is None or item.count >= 0 for item in queues)


def test_dashboard_queues_depend_on_the_sub_role(clearance_officer, inspection_officer, client_for):
    def queue_keys(user):
        return {item.queue.key for item in client_for(user).get(reverse("officer-dashboard")).context["queues"]}

    assert "declarations_review" in queue_keys(clearance_officer)
    assert "declarations_review" not in queue_keys(inspection_officer)
    assert "inspections" in queue_keys(inspection_officer)


@pytest.mark.parametrize("page", TRADER_PAGES)
def test_trader_pages_are_forbidden_to_officers(page, clearance_officer, client_for):
    assert client_for(clearance_officer).get(reverse(page)).status_code == 403


@pytest.mark.parametrize("page", TRADER_PAGES)
def test_trader_pages_open_for_traders(page, trader_a, client_for):
    assert client_for(trader_a).get(reverse(page)).status_code == 200


def test_officer_dashboard_is_forbidden_to_traders(trader_a, client_for):
    response = client_for(trader_a).get(reverse("officer-dashboard"))
    assert response.status_code == 403


def test_admin_role_gets_no_officer_or_trader_pages(admin_user, client_for):
    client = client_for(admin_user)
    assert client.get(reverse("officer-dashboard")).status_code == 403
    assert client.get(reverse("trader-dashboard")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 200


def test_django_admin_is_closed_to_traders_and_officers(trader_a, supervisor, client_for):
    for user in (trader_a, supervisor):
        response = client_for(user).get(reverse("admin:index"))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("clearance_officer", "officer-dashboard"),
        ("supervisor", "officer-dashboard"),
        ("trader_a", "trader-dashboard"),
        ("admin_user", "admin:index"),
    ],
)
def test_home_sends_each_role_to_its_own_home(persona, target, request, client_for):
    response = client_for(request.getfixturevalue(persona)).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(target)


@pytest.mark.parametrize("page", ["home", "officer-dashboard", *TRADER_PAGES])
def test_anonymous_users_are_sent_to_login(page, client):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_public_home_needs_no_account(client):
    response = client.get(reverse("public-home"))
    assert response.status_code == 200


def test_api_rejects_a_role_with_the_error_format(clearance_officer, client_for):
    response = client_for(clearance_officer).get(reverse("api-notifications"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert "trader" in response.json()["error"]["message"].lower()


def test_audit_trail_api_is_for_supervisors_and_audit_officers(supervisor, audit_officer, trader_a, client_for):
    url = reverse("api-audit-events")
    assert client_for(supervisor).get(url).status_code == 200
    assert client_for(audit_officer).get(url).status_code == 200
    assert client_for(trader_a).get(url).status_code == 403


def test_a_queue_without_a_counter_says_it_is_not_in_service(supervisor, client_for):
    from customs_portal import dashboard

    saved = dict(dashboard._counters)
    dashboard._counters.clear()
    try:
        response = client_for(supervisor).get(reverse("officer-dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    finally:
        dashboard._counters.update(saved)
    assert all(item.count is None for item in response.context["queues"])
    assert "Not in service yet" in response.content.decode()


def test_a_registered_queue_shows_its_count(supervisor, client_for):
    from customs_portal import dashboard

    saved = dict(dashboard._counters)
    dashboard.register_queue_counter("refund_approvals", counter=lambda user: 7, url="/somewhere/")
    try:
        response = client_for(supervisor).get(reverse("officer-dashboard"))
    finally:
        dashboard._counters.clear()
        dashboard._counters.update(saved)
    refunds = next(item for item in response.context["queues"] if item.queue.key == "refund_approvals")
    assert (refunds.count, refunds.url) == (7, "/somewhere/")
