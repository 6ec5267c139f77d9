"""The sandbox gateway's own records; the portal never reads these tables. Not even the
sandbox keeps a full card or account number: only their last four digits."""

from __future__ import annotations

from django.db import models


class GatewayCharge(models.Model):
    class Status(models.TextChoices):
        REQUIRES_PAYMENT = "requires_payment", "requires_payment"
        PROCESSING = "processing", "processing"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"
        CANCELED = "canceled", "canceled"

    token = models.CharField(max_length=64, unique=True)
    merchant_reference = models.CharField(max_length=64)
    amount_jpy = models.BigIntegerField()
    method = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUIRES_PAYMENT)
    return_url = models.CharField(max_length=300)
    card_last4 = models.CharField(max_length=4, blank=True)
    payeasy_number = models.CharField(max_length=20, blank=True)
    bank_account_last4 = models.CharField(max_length=4, blank=True)
    decline_code = models.CharField(max_length=40, blank=True)
    fee_jpy = models.BigIntegerField(default=0)
    refunded_jpy = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.token


class GatewayRefund(models.Model):
    charge = models.ForeignKey(GatewayCharge, on_delete=models.PROTECT, related_name="refunds")
    refund_id = models.CharField(max_length=64, unique=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    amount_jpy = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.refund_id


class GatewayNotification(models.Model):
    """An outgoing webhook; the delivery task sends it until the portal answers 2xx."""

    event_id = models.CharField(max_length=64, unique=True)
    charge = models.ForeignKey(GatewayCharge, on_delete=models.PROTECT, related_name="notifications")
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.event_id
