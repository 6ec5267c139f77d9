from __future__ import annotations

import factory

from customs_portal.models import Company, Notification, Role, User, WebhookSubscription
from customs_portal.validators import corporate_number_check_digit

PASSWORD = "correct-horse-battery"


def _corporate_number(n: int) -> str:
    base = f"{n:012d}"
    return f"{corporate_number_check_digit(base)}{base}"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    corporate_number = factory.Sequence(lambda n: _corporate_number(1_000_000 + n))
    name = factory.Sequence(lambda n: f"Trading Company {n}")
    kind = Company.Kind.IMPORTER_EXPORTER
    contact_email = factory.Sequence(lambda n: f"contact{n}@company.example")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@portal.example")
    role = Role.CLEARANCE_OFFICER
    password = factory.django.Password(PASSWORD)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    class Params:
        # The text of a notification written before notifications were codes.
        subject = factory.Sequence(lambda n: f"Declaration {n} was released")

    company = factory.SubFactory(CompanyFactory)
    event = "declaration.status_changed"
    message_code = "legacy_text"
    params = factory.LazyAttribute(lambda o: {"subject": o.subject, "body": ""})


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookSubscription

    company = factory.SubFactory(CompanyFactory)
    url = "http://127.0.0.1:9/hook"
