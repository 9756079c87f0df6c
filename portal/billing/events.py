"""Stripe bookkeeping: each webhook event id is recorded once, in the transaction of its effect."""

from __future__ import annotations

from typing import Any

from ..core.database import insert_if_absent
from .models import StripeEvent


def record_event(event: dict[str, Any]) -> bool:
    """Insert the event id; False when another delivery of this event got there first."""
    return insert_if_absent(
        StripeEvent, id=event["id"], type=event["type"], created=int(event.get("created") or 0)
    )
