"""Personas and helpers shared by every app's tests."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from customs_portal.models import Role
from tests.browser import browser_as, chromium  # noqa: F401  (fixtures)
from tests.customs_portal.factories import CompanyFactory, UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no throttle counts."""
    cache.clear()


@pytest.fixture
def company_a():
    return CompanyFactory(name="Company A")


@pytest.fixture
def company_b():
    return CompanyFactory(name="Company B")


@pytest.fixture
def trader_a(company_a):
    return UserFactory(role=Role.TRADER, company=company_a, username="trader_a")


@pytest.fixture
def trader_b(company_b):
    return UserFactory(role=Role.TRADER, company=company_b, username="trader_b")


@pytest.fixture
def clearance_officer():
    return UserFactory(role=Role.CLEARANCE_OFFICER, username="clearance")


@pytest.fixture
def inspection_officer():
    return UserFactory(role=Role.INSPECTION_OFFICER, username="inspection")


@pytest.fixture
def audit_officer():
    return UserFactory(role=Role.AUDIT_OFFICER, username="audit")


@pytest.fixture
def supervisor():
    return UserFactory(role=Role.SUPERVISOR, username="supervisor")


@pytest.fixture
def admin_user():
    return UserFactory(role=Role.ADMIN, username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for():
    """A logged-in test client for a user: `client_for(trader_a).get(...)`."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for():
    """An API client authenticated as a user: `api_for(trader_a).post(...)`."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="session", autouse=True)
def _forget_this_run():
    """At the end of the run, removes its files (uploads, model artefacts) and the Redis
    keys under its prefix (queues, bindings, task results); see customs_portal/settings/test.py."""
    yield
    shutil.rmtree(settings.TEST_RUN_DIR, ignore_errors=True)
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix")
    if not prefix:
        return
    import redis

    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # Redis is down: nothing of this run can be left there to remove.
