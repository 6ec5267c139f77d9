"""The state-machine helper: the table decides, a refusal is an ApplicationError with
the statuses' labels, and a transition writes only what it changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from customs_portal.errors import ApplicationError
from customs_portal.models import Notification, WebhookDelivery
from customs_portal.state_machine import StateMachine
from declarations.core.workflow import DECLARATION_MACHINE
from declarations.models import Declaration
from tests.customs_portal.factories import WebhookSubscriptionFactory
from tests.declarations.factories import DeclarationFactory

pytestmark = pytest.mark.django_db

Status = WebhookDelivery.Status

# Plain strings: the helper's own tests add nothing to the message catalogue.
DELIVERY_MACHINE = StateMachine(
    statuses=Status,
    transitions={
        Status.PENDING: (Status.SENDING,),
        Status.SENDING: (Status.SUCCEEDED, Status.RETRYING, Status.FAILED),
        Status.RETRYING: (Status.SENDING,),
    },
    invalid_message="A delivery that is %(current)s cannot become %(target)s.",
    invalid_code="delivery_transition_not_allowed",
)

REVIEW_MACHINE = StateMachine(
    statuses=Status,
    roles={
        (Status.PENDING, Status.SENDING): {"sender", "supervisor"},
        (Status.PENDING, Status.FAILED): {"supervisor"},
    },
    invalid_message="A delivery that is %(current)s cannot become %(target)s.",
    forbidden_message="Your role may not move a delivery from %(current)s to %(target)s.",
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def delivery():
    return WebhookDelivery.objects.create(
        subscription=WebhookSubscriptionFactory(), event="declaration.status_changed", payload={"n": 1}
    )


def test_allowed_targets_follow_the_table_in_its_order_and_a_final_status_has_none():
    assert DELIVERY_MACHINE.allowed_targets(Status.SENDING) == (Status.SUCCEEDED, Status.RETRYING, Status.FAILED)
    assert DELIVERY_MACHINE.allowed_targets(Status.SUCCEEDED) == ()
    assert DELIVERY_MACHINE.can(Status.RETRYING, Status.SENDING)
    assert not DELIVERY_MACHINE.can(Status.PENDING, Status.SUCCEEDED)
    assert not DELIVERY_MACHINE.can(Status.FAILED, Status.SENDING)


def test_a_transition_outside_the_table_is_refused_with_the_code_and_both_labels():
    with pytest.raises(ApplicationError) as refused:
        DELIVERY_MACHINE.check(Status.SUCCEEDED, Status.SENDING)
    assert refused.value.code == "delivery_transition_not_allowed"
    assert refused.value.status == 409
    # The labels, not the stored values: "succeeded" is shown as "Delivered".
    assert refused.value.message == "A delivery that is Delivered cannot become Sending."


def test_a_value_that_is_no_status_is_refused_and_named_as_it_is():
    with pytest.raises(ApplicationError) as refused:
        DELIVERY_MACHINE.check(Status.PENDING, "lost")
    assert refused.value.message == "A delivery that is Pending cannot become lost."


def test_the_message_is_rendered_in_the_language_active_when_refused():
    with translation.override("ja"), pytest.raises(ApplicationError) as refused:
        DECLARATION_MACHINE.check(Declaration.Status.DRAFT, Declaration.Status.PERMITTED, role="system")
    with translation.override("ja"):
        expected = gettext("A declaration that is %(current)s cannot become %(target)s.") % {
            "current": Declaration.Status.DRAFT.label,
            "target": Declaration.Status.PERMITTED.label,
        }
    assert refused.value.message == expected
    assert refused.value.message != "A declaration that is Draft cannot become Permitted."


def test_a_transition_sets_the_status_and_values_saves_only_those_and_returns_the_previous_status(delivery):
    now = timezone.now()
    delivery.event = "changed in memory only"

    previous = DELIVERY_MACHINE.transition(delivery, to=Status.SENDING, attempts=1, last_attempt_at=now)

    assert previous == Status.PENDING
    assert (delivery.status, delivery.attempts) == (Status.SENDING, 1)
    stored = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (stored.status, stored.attempts, stored.last_attempt_at) == (Status.SENDING, 1, now)
    assert stored.event == "declaration.status_changed"


def test_a_refused_transition_changes_neither_the_instance_nor_the_row(delivery):
    with pytest.raises(ApplicationError):
        DELIVERY_MACHINE.transition(delivery, to=Status.SUCCEEDED, attempts=5)
    assert (delivery.status, delivery.attempts) == (Status.PENDING, 0)
    stored = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (stored.status, stored.attempts) == (Status.PENDING, 0)


def test_a_transition_also_stamps_the_models_updated_at():
    declaration = DeclarationFactory()
    long_ago = timezone.now() - timedelta(days=3)
    Declaration.objects.filter(pk=declaration.pk).update(updated_at=long_ago)
    declaration.refresh_from_db()
    machine = StateMachine(
        statuses=Declaration.Status,
        transitions={Declaration.Status.DRAFT: (Declaration.Status.WITHDRAWN,)},
        invalid_message="%(current)s → %(target)s",
    )

    machine.transition(declaration, to=Declaration.Status.WITHDRAWN)

    stored = Declaration.objects.get(pk=declaration.pk)
    assert stored.status == Declaration.Status.WITHDRAWN
    assert stored.updated_at > long_ago


def test_with_roles_each_role_gets_only_its_own_targets():
    assert REVIEW_MACHINE.allowed_targets(Status.PENDING) == (Status.SENDING, Status.FAILED)
    assert REVIEW_MACHINE.allowed_targets(Status.PENDING, role="sender") == (Status.SENDING,)
    assert REVIEW_MACHINE.allowed_targets(Status.PENDING, role="supervisor") == (Status.SENDING, Status.FAILED)
    assert REVIEW_MACHINE.allowed_targets(Status.PENDING, role="stranger") == ()
    assert REVIEW_MACHINE.can(Status.PENDING, Status.FAILED, role="supervisor")
    assert not REVIEW_MACHINE.can(Status.PENDING, Status.FAILED, role="sender")


def test_with_roles_a_role_outside_the_change_is_refused_as_forbidden(delivery):
    with pytest.raises(ApplicationError) as refused:
        REVIEW_MACHINE.transition(delivery, to=Status.FAILED, role="sender")
    assert (refused.value.code, refused.value.status) == ("permission_denied", 403)
    assert refused.value.message == "Your role may not move a delivery from Pending to Failed."
    assert WebhookDelivery.objects.get(pk=delivery.pk).status == Status.PENDING

    REVIEW_MACHINE.transition(delivery, to=Status.FAILED, role="supervisor")
    assert WebhookDelivery.objects.get(pk=delivery.pk).status == Status.FAILED


def test_with_roles_a_transition_outside_the_table_is_refused_before_the_role_is_looked_at():
    with pytest.raises(ApplicationError) as refused:
        REVIEW_MACHINE.check(Status.PENDING, Status.SUCCEEDED, role="stranger")
    assert refused.value.code == "transition_not_allowed"


def test_a_role_is_required_where_roles_are_checked_and_refused_where_they_are_not(delivery):
    with pytest.raises(TypeError):
        REVIEW_MACHINE.transition(delivery, to=Status.SENDING)
    with pytest.raises(TypeError):
        DELIVERY_MACHINE.check(Status.PENDING, Status.SENDING, role="supervisor")
    assert WebhookDelivery.objects.get(pk=delivery.pk).status == Status.PENDING


def test_a_claim_moves_only_rows_whose_status_may_become_the_target_once(delivery):
    subscription = delivery.subscription
    delivered = WebhookDelivery.objects.create(
        subscription=subscription,
        notification=Notification.objects.create(
            company=subscription.company, event="e", message_code="portal.welcome"
        ),
        event="e",
        payload={},
        status=Status.SUCCEEDED,
    )
    both = WebhookDelivery.objects.filter(pk__in=[delivery.pk, delivered.pk])

    assert DELIVERY_MACHINE.claim(both, to=Status.SENDING, attempts=1) == 1
    assert DELIVERY_MACHINE.claim(both, to=Status.SENDING, attempts=2) == 0
    assert WebhookDelivery.objects.get(pk=delivery.pk).attempts == 1
    assert WebhookDelivery.objects.get(pk=delivered.pk).status == Status.SUCCEEDED


def test_a_table_naming_an_unknown_status_or_given_twice_is_a_programming_error():
    with pytest.raises(ValueError, match="sent"):
        StateMachine(statuses=Status, transitions={Status.PENDING: ("sent",)}, invalid_message="x")
    with pytest.raises(TypeError):
        StateMachine(statuses=Status, invalid_message="x")
    with pytest.raises(TypeError):
        StateMachine(
            statuses=Status,
            transitions={Status.PENDING: (Status.SENDING,)},
            roles={(Status.PENDING, Status.SENDING): {"sender"}},
            invalid_message="x",
            forbidden_message="y",
        )
