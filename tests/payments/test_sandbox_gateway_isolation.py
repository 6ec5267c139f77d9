"""The sandbox gateway exists only where a setting installs it: never in production, where
payments wait for a real provider instead of being marked paid with no money moved. Not
even the sandbox keeps a full card or account number."""

from __future__ import annotations

import secrets

import pytest
from django.db import connection

from payments.models import PaymentIntent
from payments.sandbox import gateway
from payments.sandbox.models import GatewayCharge
from tests.customs_portal.test_deploy import _manage
from tests.payments.factories import pay_card_at_gateway, start_payment

PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "PAYMENTS_GATEWAY_WEBHOOK_SECRET": secrets.token_hex(32),
    "ALLOWED_HOSTS": "testserver",
    # No collectstatic in tests: the 404 page's assets come from the finders.
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}

# Run inside `manage.py shell` under production settings: what is installed and what the
# sandbox's hosted payment page answers, to anyone and to a POST that would pay.
PROBE = """
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve
try:
    resolve("/sandbox-gateway/pay/gw_0123456789abcdef01234567/")
    print("resolves")
except Resolver404:
    print("unresolved")
client = Client()
url = "/sandbox-gateway/pay/gw_0123456789abcdef01234567/"
print("installed", apps.is_installed("payments.sandbox"))
print("provider", repr(settings.PAYMENTS_GATEWAY_PROVIDER))
print("get", client.get(url, secure=True).status_code)
print("post", client.post(url, {"bank_account": "1234"}, secure=True).status_code)
"""


def test_production_has_no_sandbox_app_and_its_pages_are_not_found():
    result = _manage("shell", "-c", PROBE, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.split("\n")
    assert "unresolved" in lines
    assert "installed False" in lines
    assert "provider ''" in lines
    assert "get 404" in lines and "post 404" in lines


def test_the_probe_finds_the_sandbox_where_it_is_enabled():
    """The same probe under test settings, so that the production test can fail."""
    result = _manage(
        "shell", "-c", PROBE, DJANGO_SETTINGS_MODULE="customs_portal.settings.test", PAYMENTS_SANDBOX_ENABLED="true"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "resolves" in result.stdout.split("\n")
    assert "installed True" in result.stdout


@pytest.mark.parametrize(
    "setting", [{"PAYMENTS_SANDBOX_ENABLED": "true"}, {"PAYMENTS_GATEWAY_PROVIDER": "sandbox"}], ids=["app", "provider"]
)
def test_check_deploy_fails_when_production_enables_the_sandbox(setting):
    result = _manage("check", "--deploy", **PRODUCTION_ENV, **setting)
    assert result.returncode != 0
    assert "The sandbox payment gateway cannot run in production" in result.stderr


def test_check_deploy_reports_the_sandbox_under_any_settings_that_install_it():
    result = _manage(
        "check",
        "--deploy",
        DJANGO_SETTINGS_MODULE="customs_portal.settings.base",
        PAYMENTS_SANDBOX_ENABLED="true",
        SECRET_KEY=secrets.token_urlsafe(64),
    )
    assert result.returncode != 0
    assert "payments.E001" in result.stderr + result.stdout


@pytest.mark.django_db
def test_without_a_provider_a_payment_is_refused_with_503_and_nothing_is_written(
    assessment_a, trader_a, api_for, settings
):
    settings.PAYMENTS_GATEWAY_PROVIDER = ""
    response = api_for(trader_a).post(
        "/api/v1/payments/create/",
        {"assessment": assessment_a.pk, "method": "qr"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="no-provider-1",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "provider_not_configured"
    assert error["message"].startswith("No payment provider is configured")
    assert not PaymentIntent.objects.exists()
    assert not GatewayCharge.objects.exists()
    assessment_a.refresh_from_db()
    assert assessment_a.status == assessment_a.Status.OPEN


@pytest.mark.django_db
def test_the_pay_page_shows_the_missing_provider_as_a_form_error(assessment_a, trader_a, client_for, settings):
    settings.PAYMENTS_GATEWAY_PROVIDER = "no-such-provider"
    response = client_for(trader_a).post(
        f"/payments/assessments/{assessment_a.pk}/pay/",
        {"method": "card", "idempotency_key": "k" * 32},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "No payment provider is configured" in response.content.decode()
    assert not PaymentIntent.objects.exists()


def _stored_text() -> str:
    """Every value of every sandbox charge row, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM sandbox_gateway_gatewaycharge")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


@pytest.mark.django_db
def test_a_sandbox_card_payment_stores_only_the_last_four_digits(assessment_a, trader_a):
    payment = start_payment(assessment_a, trader_a)
    pay_card_at_gateway(payment, "4242424242424242")
    charge = GatewayCharge.objects.get(token=payment.gateway_token)
    assert (charge.status, charge.card_last4) == ("succeeded", "4242")
    stored = _stored_text()
    assert "4242424242424242" not in stored
    assert "42424242" not in stored


@pytest.mark.django_db
def test_a_sandbox_direct_debit_stores_only_the_last_four_digits_of_the_account(assessment_a, trader_a):
    payment = start_payment(assessment_a, trader_a, method="direct_debit")
    gateway.charge_approve(token=payment.gateway_token, bank_account=" MUFG 0012345678 ")
    charge = GatewayCharge.objects.get(token=payment.gateway_token)
    assert (charge.status, charge.bank_account_last4) == ("succeeded", "5678")
    assert "0012345678" not in _stored_text()


@pytest.mark.django_db
def test_the_daily_settlement_import_does_nothing_without_a_provider(settings):
    from payments import tasks
    from payments.models import SettlementImport

    settings.PAYMENTS_GATEWAY_PROVIDER = ""
    assert tasks.settlement_import_daily() is None
    assert not SettlementImport.objects.exists()
    settings.PAYMENTS_GATEWAY_PROVIDER = "sandbox"
    assert tasks.settlement_import_daily()["created"] == 1
