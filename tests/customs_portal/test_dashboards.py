"""The trader's dashboard shows open declarations by status and the amounts due; the
officers' dashboard counts the applications waiting for a decision."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from declarations.applications import services as applications
from declarations.models import Declaration, DutyReliefApplication
from tests.declarations.factories import DeclarationFactory
from tests.payments.factories import assessment_for

pytestmark = pytest.mark.django_db

Status = Declaration.Status


def _dashboard(client):
    return client.get(reverse("trader-dashboard"), HTTP_ACCEPT_LANGUAGE="en")


def _declarations(trader, *statuses):
    return [DeclarationFactory(company=trader.company, declarant=trader, status=status) for status in statuses]


def test_the_trader_sees_the_companys_open_declarations_by_status(trader_a, trader_b, client_for):
    _declarations(trader_a, Status.DRAFT, Status.DRAFT, Status.DOCUMENT_REVIEW, Status.PERMITTED, Status.WITHDRAWN)
    _declarations(trader_b, Status.INSPECTION)
    response = _dashboard(client_for(trader_a))
    rows = [(row.status, row.count) for row in response.context["summaries"]["declarations"]]
    assert rows == [(Status.DRAFT, 2), (Status.DOCUMENT_REVIEW, 1)]
    html = response.content.decode()
    section = html[html.index('id="open-declarations"') : html.index('id="amounts-due"')]
    assert 'href="/declarations/?status=draft"' in section
    assert 'href="/declarations/?status=document_review"' in section
    assert "Document review" in section and "Physical inspection" not in section


def test_a_status_link_opens_the_list_filtered_to_that_status(trader_a, client_for):
    drafts = _declarations(trader_a, Status.DRAFT, Status.DRAFT)
    (in_review,) = _declarations(trader_a, Status.DOCUMENT_REVIEW)
    client = client_for(trader_a)
    html = _dashboard(client).content.decode()
    link = re.search(r'href="(/declarations/\?status=draft)"', html).group(1)
    listed = client.get(link).content.decode()
    assert all(draft.number in listed for draft in drafts)
    assert in_review.number not in listed


def test_the_trader_sees_the_total_due_with_a_link_to_pay(trader_a, trader_b, client_for):
    assessment_for(trader_a, duty=1_000_000, consumption=200_000, local=34_567)
    assessment_for(trader_a, duty=10_000, consumption=0, local=0)
    assessment_for(trader_b, duty=999_999, consumption=0, local=0)
    response = _dashboard(client_for(trader_a))
    due = response.context["summaries"]["amounts_due"]
    assert (due["count"], due["total_jpy"]) == (2, 1_244_567)
    html = response.content.decode()
    section = html[html.index('id="amounts-due"') :]
    assert "¥1,244,567" in section
    assert "2 open assessments" in section
    assert f'href="{reverse("payments-home")}"' in section


def test_a_trader_with_nothing_open_is_told_so(trader_a, client_for):
    _declarations(trader_a, Status.PERMITTED)
    html = _dashboard(client_for(trader_a)).content.decode()
    assert "No declarations in progress." in html
    assert "Nothing to pay: no open assessments." in html


def test_the_trader_dashboard_runs_a_fixed_number_of_queries(trader_a, client_for, django_assert_max_num_queries):
    _declarations(trader_a, *[Status.DRAFT] * 5, *[Status.INSPECTION] * 5)
    for _ in range(5):
        assessment_for(trader_a)
    client = client_for(trader_a)
    with django_assert_max_num_queries(14):
        assert _dashboard(client).status_code == 200


def _relief_application(trader):
    return applications.application_create(
        kind="relief",
        applicant=trader,
        data={
            "provision": DutyReliefApplication.Provision.RE_EXPORT,
            "goods_description": "Machine tool for a trade fair",
            "declaration": None,
            "amount_claimed_jpy": 480_000,
            "reason": "Re-exported within one year.",
        },
    )


def test_the_officers_dashboard_counts_the_applications_to_decide(trader_a, clearance_officer, client_for):
    applications.application_submit(application=_relief_application(trader_a), submitted_by=trader_a)
    applications.application_submit(application=_relief_application(trader_a), submitted_by=trader_a)
    _relief_application(trader_a)  # a draft: not the officers' business yet
    response = client_for(clearance_officer).get(reverse("officer-dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    queue = next(item for item in response.context["queues"] if item.queue.key == "applications")
    assert (queue.count, queue.url) == (2, "/applications/")
    html = response.content.decode()
    card = html[html.index('id="queue-applications"') :]
    card = card[: card.index("</article>")]
    assert "Not in service" not in card
    assert 'href="/applications/"' in card and ">2</a>" in card
    assert client_for(clearance_officer).get(queue.url).status_code == 200
