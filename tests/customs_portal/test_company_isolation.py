"""A trader only ever sees its own company's records."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customs_portal.models import WebhookSubscription
from tests.customs_portal.factories import NotificationFactory, WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db


def test_inbox_lists_only_the_own_companys_notifications(trader_a, trader_b, client_for):
    mine = NotificationFactory(company=trader_a.company, subject="Declaration A-1 released")
    NotificationFactory(company=trader_b.company, subject="Declaration B-1 released")

    page = client_for(trader_a).get(reverse("notification-inbox"))
    assert list(page.context["notifications"]) == [mine]
    api = client_for(trader_a).get(reverse("api-notifications")).json()
    assert [item["subject"] for item in api["results"]] == ["Declaration A-1 released"]


def test_a_trader_cannot_mark_another_companys_notification_read(trader_a, trader_b, client_for):
    theirs = NotificationFactory(company=trader_b.company)

    html = client_for(trader_a).post(reverse("notification-read", args=[theirs.pk]))
    api = client_for(trader_a).post(reverse("api-notification-read", args=[theirs.pk]))

    assert html.status_code == 404
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_count_in_the_header_counts_the_own_company_only(trader_a, trader_b, client_for):
    NotificationFactory.create_batch(2, company=trader_a.company)
    NotificationFactory.create_batch(5, company=trader_b.company)
    response = client_for(trader_a).get(reverse("trader-dashboard"))
    assert response.context["unread_notifications"]() == 2


def test_webhooks_and_their_delivery_log_stay_within_the_company(trader_a, trader_b, client_for):
    theirs = WebhookSubscriptionFactory(company=trader_b.company)
    theirs.deliveries.create(event="declaration.released", payload={"id": 1})

    listing = client_for(trader_a).get(reverse("api-webhooks")).json()
    deliveries = client_for(trader_a).get(reverse("api-webhook-deliveries")).json()
    stop = client_for(trader_a).delete(reverse("api-webhook-deactivate", args=[theirs.pk]))
    stop_html = client_for(trader_a).post(reverse("webhook-deactivate", args=[theirs.pk]))

    assert listing == []
    assert deliveries["count"] == 0
    assert stop.status_code == 404
    assert stop_html.status_code == 404
    assert WebhookSubscription.objects.get(pk=theirs.pk).is_active
