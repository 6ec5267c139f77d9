"""Where other apps plug into the X-ray app; xray never imports them.

- `parcel_duty_due`: sent (on commit) when an officer's release of a postal parcel
  leaves duty and taxes to pay (`Parcel.duty_jpy` > 0); the payments app writes the
  assessment (kind "postal"). A parcel whose assessment is missing after a while is
  found by the payments app's handoff sweep.
"""

from __future__ import annotations

from django.dispatch import Signal

parcel_duty_due = Signal()  # kwargs: parcel
