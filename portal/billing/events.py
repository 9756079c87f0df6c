"""Stripe bookkeeping: each webhook event id is recorded once, in the transaction of its effect."""

from __future__ import annotations

from typing import Any

from ..core.database import insert_if_absent
from .models import StripeEvent


class MalformedEvent(ValueError):
    """A correctly signed event whose shape is not Stripe's: answered 400, never acted on."""


def check_shape(event: Any) -> None:
    """The fields the effects read have the types Stripe documents, or MalformedEvent says which."""
    if not isinstance(event, dict):
        raise MalformedEvent("the event is not an object")
    for name in ("id", "type"):
        if not isinstance(event.get(name), str) or not event[name]:
            raise MalformedEvent(f"`{name}` is not a string")
    created = event.get("created")
    if created is not None and (not isinstance(created, int) or isinstance(created, bool)):
        raise MalformedEvent("`created` is not a timestamp")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise MalformedEvent("`data.object` is not an object")
    obj = data["object"]
    for name in ("metadata", "parent"):
        if obj.get(name) is not None and not isinstance(obj[name], dict):
            raise MalformedEvent(f"`data.object.{name}` is not an object")
    details = (obj.get("parent") or {}).get("subscription_details")
    if details is not None and not isinstance(details, dict):
        raise MalformedEvent("`data.object.parent.subscription_details` is not an object")
    for name in ("id", "subscription", "customer"):
        if obj.get(name) is not None and not isinstance(obj[name], str):
            raise MalformedEvent(f"`data.object.{name}` is not a string")


def record_event(event: dict[str, Any]) -> bool:
    """Insert the event id; False when another delivery of this event got there first."""
    return insert_if_absent(
        StripeEvent, id=event["id"], type=event["type"], created=int(event.get("created") or 0)
    )
