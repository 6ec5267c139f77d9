"""The life cycles of the payments app: what each status may become. Every status
change of an assessment, a payment or a refund goes through one of these machines
(`payments.services`, `payments.deferral`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from customs_portal.state_machine import StateMachine
from payments.models import Assessment, PaymentIntent, Refund

AStatus = Assessment.Status
PStatus = PaymentIntent.Status
RStatus = Refund.Status

# Paid by a captured payment, or covered by deferred payment (then paid through the
# month's total, a separate assessment). Both are final.
ASSESSMENT_MACHINE = StateMachine(
    statuses=AStatus,
    transitions={AStatus.OPEN: (AStatus.PAID, AStatus.DEFERRED)},
    invalid_message=gettext_lazy("An assessment that is %(current)s cannot become %(target)s."),
    invalid_code="assessment_transition_not_allowed",
)

# A late, duplicate or out-of-order notification of the gateway asks for a change this
# table does not allow, and changes nothing. The payer may cancel a payment still open.
# Each partial refund stays partially refunded until the last yen is refunded.
PAYMENT_MACHINE = StateMachine(
    statuses=PStatus,
    transitions={
        PStatus.CREATED: (PStatus.PENDING, PStatus.FAILED, PStatus.EXPIRED, PStatus.CANCELLED),
        PStatus.PENDING: (PStatus.SUCCEEDED, PStatus.FAILED, PStatus.EXPIRED, PStatus.CANCELLED),
        PStatus.SUCCEEDED: (PStatus.PARTIALLY_REFUNDED, PStatus.REFUNDED),
        PStatus.PARTIALLY_REFUNDED: (PStatus.PARTIALLY_REFUNDED, PStatus.REFUNDED),
    },
    invalid_message=gettext_lazy("A payment that is %(current)s cannot become %(target)s."),
    invalid_code="payment_transition_not_allowed",
)

# A refund below the approval threshold is created as succeeded; one above it waits for
# a second officer's decision.
REFUND_MACHINE = StateMachine(
    statuses=RStatus,
    transitions={RStatus.AWAITING_APPROVAL: (RStatus.SUCCEEDED, RStatus.REJECTED)},
    invalid_message=gettext_lazy("A refund that is %(current)s cannot become %(target)s."),
    invalid_code="refund_transition_not_allowed",
)
