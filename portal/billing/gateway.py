"""The only module that talks to Stripe: a pinned API version, the v1 client namespace, explicit
timeouts and retries, our own idempotency keys, and one exception for "Stripe is unreachable".

Everything returned is a plain dict (`to_dict()`), so the rest of the portal never handles
StripeObjects.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flask import current_app

if TYPE_CHECKING:
    import stripe

API_VERSION = "2026-10-28.endive"


class PaymentsUnavailable(Exception):
    """Stripe could not be reached or failed on its side; nothing was changed here."""


class PaymentRefused(Exception):
    """Stripe refused the request (bad parameters, unknown price...)."""


class NotFound(PaymentRefused):
    """Stripe answers 404: the object does not exist (any more). A permanent condition: retrying
    the same request will not help."""


class BadSignature(Exception):
    pass


def _stripe():
    """The stripe library, imported on first use (a fifth of a second at start-up that pages
    without card payment never need)."""
    import stripe

    return stripe


def enabled() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _client() -> stripe.StripeClient:
    cached = current_app.extensions.get("stripe_client")
    if cached is None:
        base = current_app.config.get("STRIPE_API_BASE")
        cached = _stripe().StripeClient(
            current_app.config["STRIPE_SECRET_KEY"],
            stripe_version=API_VERSION,
            base_addresses={"api": base} if base else None,
            max_network_retries=current_app.config.get("STRIPE_MAX_RETRIES", 2),
        )
        current_app.extensions["stripe_client"] = cached
    return cached


def _call(fn, *args: Any, **kwargs: Any) -> dict[str, Any]:
    stripe = _stripe()
    try:
        result = fn(*args, **kwargs)
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        raise PaymentsUnavailable(str(exc)) from exc
    except stripe.APIError as exc:  # Stripe's own 5xx
        raise PaymentsUnavailable(str(exc)) from exc
    except stripe.InvalidRequestError as exc:
        if getattr(exc, "http_status", None) == 404:
            raise NotFound(str(exc)) from exc
        raise PaymentRefused(getattr(exc, "user_message", None) or str(exc)) from exc
    except stripe.StripeError as exc:
        raise PaymentRefused(getattr(exc, "user_message", None) or str(exc)) from exc
    return result.to_dict() if hasattr(result, "to_dict") else result


def create_customer(*, email: str, name: str, metadata: dict[str, str], key: str) -> dict[str, Any]:
    return _call(
        _client().v1.customers.create,
        params={"email": email, "name": name, "metadata": metadata},
        options={"idempotency_key": key},
    )


def create_checkout_session(
    *,
    customer: str,
    price: str,
    client_reference_id: str,
    metadata: dict[str, str],
    success_url: str,
    cancel_url: str,
    key: str,
) -> dict[str, Any]:
    return _call(
        _client().v1.checkout.sessions.create,
        params={
            "mode": "subscription",
            "customer": customer,
            "line_items": [{"price": price, "quantity": 1}],
            "client_reference_id": client_reference_id,
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
            "success_url": success_url,
            "cancel_url": cancel_url,
        },
        options={"idempotency_key": key},
    )


def create_portal_session(*, customer: str, return_url: str) -> dict[str, Any]:
    return _call(
        _client().v1.billing_portal.sessions.create,
        params={"customer": customer, "return_url": return_url},
    )


def retrieve_subscription(subscription_id: str) -> dict[str, Any]:
    return _call(_client().v1.subscriptions.retrieve, subscription_id)


def list_subscriptions(customer: str) -> list[dict[str, Any]]:
    result = _call(_client().v1.subscriptions.list, params={"customer": customer, "status": "all"})
    return list(result.get("data", []))


def set_cancel_at_period_end(subscription_id: str, cancel: bool, key: str) -> dict[str, Any]:
    return _call(
        _client().v1.subscriptions.update,
        subscription_id,
        params={"cancel_at_period_end": cancel},
        options={"idempotency_key": key},
    )


def preview_price_change(*, customer: str, subscription_id: str, item_id: str, price: str) -> dict[str, Any]:
    return _call(
        _client().v1.invoices.create_preview,
        params={
            "customer": customer,
            "subscription": subscription_id,
            "subscription_details": {
                "items": [{"id": item_id, "price": price}],
                "proration_behavior": "create_prorations",
            },
        },
    )


def change_price(
    *, subscription_id: str, item_id: str, price: str, proration: str, key: str
) -> dict[str, Any]:
    """proration: "always_invoice" (upgrade, charged now; the change waits in `pending_update` until
    the charge succeeds) or "none" (downgrade at renewal)."""
    params: dict[str, Any] = {"items": [{"id": item_id, "price": price}], "proration_behavior": proration}
    if proration == "always_invoice":
        params["payment_behavior"] = "pending_if_incomplete"
    return _call(
        _client().v1.subscriptions.update, subscription_id, params=params, options={"idempotency_key": key}
    )


def verify_event(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event as a plain dict, if the Stripe-Signature header is valid for this raw body."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret or not signature:
        raise BadSignature("missing signature or webhook secret")
    stripe = _stripe()
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"),
            signature,
            secret,
            current_app.config.get("STRIPE_WEBHOOK_TOLERANCE", 300),
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise BadSignature(str(exc)) from exc
    if not isinstance(event, dict) or "id" not in event or "type" not in event:
        raise BadSignature("not an event")
    return event
