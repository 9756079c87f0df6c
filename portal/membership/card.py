"""Card payment use cases. Stripe is the source of truth for a card subscription: every event is
answered by reading the subscription's current state from Stripe and copying it here, so events
may arrive in any order, or several times, and the membership still ends in Stripe's last state.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth.models import User
from ..billing import gateway
from ..billing.models import CheckoutAttempt
from ..core import audit
from ..core.errors import DomainError
from ..core.links import link
from ..core.mail import notify
from ..core.models import AuditEvent
from ..core.types import utcnow
from ..extensions import db
from ..partners import services as partners
from ..partners.models import Organisation, OrganisationStatus
from . import services as membership_services
from .models import (
    Application,
    Invoice,
    InvoiceStatus,
    Membership,
    MembershipStatus,
    PaymentMethod,
    Tier,
)

log = logging.getLogger("liaison.billing")

STATUS = {
    "active": MembershipStatus.ACTIVE,
    "trialing": MembershipStatus.ACTIVE,
    "past_due": MembershipStatus.PAST_DUE,
    "unpaid": MembershipStatus.LAPSED,
    "canceled": MembershipStatus.CANCELLED,
    "incomplete_expired": MembershipStatus.CANCELLED,
    "incomplete": MembershipStatus.AWAITING_PAYMENT,
    "paused": MembershipStatus.PAST_DUE,
}
ATTEMPT_REUSE = timedelta(hours=23)  # Checkout Sessions expire after 24 hours


def card_available(membership: Membership | None) -> bool:
    return bool(gateway.enabled() and membership is not None and membership.tier.stripe_price_id)


# --- checkout --------------------------------------------------------------------------------


def start_checkout(actor: User, organisation: Organisation) -> str:
    """The Checkout URL for the organisation's approved membership. A double click, or a second
    visit within a day, reuses the stored attempt and therefore the same Stripe session."""
    membership = _payable_by_card(organisation)
    attempt = _checkout_attempt(actor, membership)
    if not membership.stripe_customer_id:
        customer = gateway.create_customer(
            email=actor.email,
            name=organisation.legal_name,
            metadata={"organisation_id": str(organisation.id)},
            key=f"liaison-customer-membership-{membership.id}",
        )
        membership.stripe_customer_id = customer["id"]
    metadata = {
        "organisation_id": str(organisation.id),
        "membership_id": str(membership.id),
        "attempt_id": str(attempt.id),
    }
    session = gateway.create_checkout_session(
        customer=membership.stripe_customer_id,
        price=membership.tier.stripe_price_id,
        client_reference_id=str(organisation.id),
        metadata=metadata,
        success_url=link("membership.card_return") + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=link("membership.overview"),
        key=f"liaison-checkout-attempt-{attempt.id}",
    )
    attempt.stripe_session_id = session["id"]
    attempt.url = session["url"]
    audit.record(
        "checkout.started",
        actor=actor,
        target=membership,
        organisation_id=organisation.id,
        attempt=attempt.id,
    )
    return session["url"]


def _payable_by_card(organisation: Organisation) -> Membership:
    """The approved membership, if it may be paid by card now (not already part-paid by transfer)."""
    membership = membership_services.membership_of(organisation)
    if membership is None or membership.status is not MembershipStatus.AWAITING_PAYMENT:
        raise DomainError(_("There is nothing to pay right now."))
    if not card_available(membership):
        raise DomainError(_("Card payment is not offered for this tier; please pay the invoice."))
    part_paid = db.session.scalar(
        sa.select(sa.func.count(Invoice.id)).where(
            Invoice.membership_id == membership.id,
            Invoice.status == InvoiceStatus.OPEN,
            Invoice.payments.any(),
        )
    )
    if part_paid:
        raise DomainError(
            _("We already received part of the invoice by transfer; please pay the rest the same way.")
        )
    return membership


def _checkout_attempt(actor: User, membership: Membership) -> CheckoutAttempt:
    """The stored attempt of the last day for this tier (its id keys the Stripe session), or a new one."""
    application = db.session.get(Application, membership.application_id or 0)
    since = utcnow() - ATTEMPT_REUSE
    if application is not None and application.decided_at is not None:
        since = max(since, application.decided_at)
    attempt = db.session.scalar(
        sa.select(CheckoutAttempt)
        .where(
            CheckoutAttempt.membership_id == membership.id,
            CheckoutAttempt.tier_id == membership.tier_id,
            CheckoutAttempt.completed_at.is_(None),
            # Not one of an earlier approval (revoked, or of a lapsed membership): its session
            # would not count for this one (`_is_current`).
            CheckoutAttempt.created_at > since,
        )
        .order_by(CheckoutAttempt.id.desc())
    )
    if attempt is None:
        attempt = CheckoutAttempt(
            membership_id=membership.id, tier_id=membership.tier_id, created_by_id=actor.id
        )
        db.session.add(attempt)
        db.session.flush()
    return attempt


def billing_portal_url(organisation: Organisation) -> str:
    membership = membership_services.membership_of(organisation)
    if membership is None or not membership.stripe_customer_id:
        raise DomainError(_("Your organisation does not pay by card."))
    return gateway.create_portal_session(
        customer=membership.stripe_customer_id, return_url=link("membership.overview")
    )["url"]


def cancel_at_period_end(actor: User, membership: Membership, renew: bool = False) -> None:
    """Stop (or, with renew=True, resume) renewing: card subscriptions end at the period end in
    Stripe; invoice payers get no renewal invoice."""
    if membership.stripe_subscription_id:
        # One key per change of mind: derived from how many renewal changes are on record.
        changes = db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.target_type == "membership",
                AuditEvent.target_id == membership.id,
                AuditEvent.action.in_(["membership.cancel_requested", "membership.renewal_resumed"]),
            )
        )
        subscription = gateway.set_cancel_at_period_end(
            membership.stripe_subscription_id,
            not renew,
            key=f"liaison-renewal-{membership.id}-{membership.period_end}-{changes}",
        )
        sync_subscription(subscription)
    membership.auto_renew = renew
    if not renew:
        _void_renewal_invoices(membership)
    audit.record(
        "membership.renewal_resumed" if renew else "membership.cancel_requested",
        actor=actor,
        target=membership,
        organisation_id=membership.organisation_id,
    )


def _item_id(membership: Membership) -> str:
    subscription = gateway.retrieve_subscription(membership.stripe_subscription_id or "")
    items = (subscription.get("items") or {}).get("data") or []
    if not items:
        raise DomainError(_("Your card subscription has no item to change; ask the partnerships team."))
    return items[0]["id"]


def preview_upgrade(membership: Membership, tier: Tier) -> int:
    """What Stripe will charge now for the upgrade (prorated), in cents."""
    preview = gateway.preview_price_change(
        customer=membership.stripe_customer_id or "",
        subscription_id=membership.stripe_subscription_id or "",
        item_id=_item_id(membership),
        price=tier.stripe_price_id,
    )
    return int(preview.get("amount_due") or 0)


def upgrade(membership: Membership, tier: Tier) -> None:
    subscription = gateway.change_price(
        subscription_id=membership.stripe_subscription_id or "",
        item_id=_item_id(membership),
        price=tier.stripe_price_id,
        proration="always_invoice",
        key=f"liaison-upgrade-{membership.id}-{tier.id}-{membership.period_end}",
    )
    sync_subscription(subscription)


def apply_pending_downgrade(membership: Membership) -> None:
    """The day before renewal: the next card invoice is at the lower tier's price (no proration)."""
    tier = membership.pending_tier
    if tier is None or not membership.stripe_subscription_id:
        return
    subscription = gateway.change_price(
        subscription_id=membership.stripe_subscription_id,
        item_id=_item_id(membership),
        price=tier.stripe_price_id,
        proration="none",
        key=f"liaison-downgrade-{membership.id}-{tier.id}-{membership.period_end}",
    )
    membership.pending_tier_id = None
    sync_subscription(subscription)


# --- webhook events ----------------------------------------------------------------------


ENDED = ("canceled", "incomplete_expired")


def handle_event(event: dict[str, Any]) -> str | None:
    """Apply a (shape-checked) event: copy the current state of the subscription it is about.
    Returns why nothing was done when the event is about something Stripe no longer knows."""
    obj = event["data"]["object"]
    kind = event["type"]
    subscription_id: str | None = None
    if kind == "checkout.session.completed":
        subscription_id = obj.get("subscription")
    elif kind in ("invoice.paid", "invoice.payment_failed"):
        parent = obj.get("parent") or {}
        subscription_id = (parent.get("subscription_details") or {}).get("subscription")
    elif kind in (
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.created",
    ):
        subscription_id = obj.get("id")
    else:
        return None  # not ours to act on
    if not subscription_id:
        if kind == "checkout.session.completed":
            _link_checkout(obj)
        return None
    try:
        subscription = gateway.retrieve_subscription(subscription_id)
    except gateway.NotFound:
        log.warning("stripe event %s: subscription %s is unknown to Stripe", event["id"], subscription_id)
        return f"subscription {subscription_id} is unknown to Stripe"
    if kind == "checkout.session.completed" and subscription.get("status") not in ENDED:
        _link_checkout(obj)  # a late event of an old checkout never re-links an ended subscription
    sync_subscription(subscription, event_id=event["id"])
    return None


def _link_checkout(session: dict[str, Any]) -> None:
    metadata = session.get("metadata") or {}
    membership = None
    if str(metadata.get("membership_id", "")).isdigit():
        membership = db.session.get(Membership, int(metadata["membership_id"]))
    if membership is None and session.get("customer"):
        membership = db.session.scalar(
            sa.select(Membership).where(Membership.stripe_customer_id == session["customer"])
        )
    if membership is None:
        return
    membership.stripe_customer_id = session.get("customer") or membership.stripe_customer_id
    if session.get("subscription"):
        membership.stripe_subscription_id = session["subscription"]
    if str(metadata.get("attempt_id", "")).isdigit():
        attempt = db.session.get(CheckoutAttempt, int(metadata["attempt_id"]))
        if attempt is not None and attempt.completed_at is None:
            attempt.completed_at = utcnow()


def _membership_for(subscription: dict[str, Any]) -> Membership | None:
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.stripe_subscription_id == subscription["id"])
    )
    if membership is None:
        metadata = subscription.get("metadata") or {}
        if str(metadata.get("membership_id", "")).isdigit():
            membership = db.session.get(Membership, int(metadata["membership_id"]))
    if membership is None and subscription.get("customer"):
        membership = db.session.scalar(
            sa.select(Membership).where(Membership.stripe_customer_id == subscription["customer"])
        )
    return membership


def _is_current(membership: Membership, subscription: dict[str, Any]) -> bool:
    """Is this the membership's subscription now? Its recorded one; or, before one is recorded, one
    that came from a checkout of the membership's current approval (not from an earlier one)."""
    if membership.stripe_subscription_id is not None:
        return subscription["id"] == membership.stripe_subscription_id
    attempt_id = str((subscription.get("metadata") or {}).get("attempt_id", ""))
    attempt = db.session.get(CheckoutAttempt, int(attempt_id)) if attempt_id.isdigit() else None
    if attempt is None or attempt.membership_id != membership.id:
        return False
    application = db.session.get(Application, membership.application_id or 0)
    approved_at = application.decided_at if application else None
    return approved_at is None or attempt.created_at >= approved_at


def _day(timestamp: int | None) -> date | None:
    return datetime.fromtimestamp(timestamp, UTC).date() if timestamp else None


def sync_subscription(subscription: dict[str, Any], event_id: str | None = None) -> Membership | None:
    """Copy Stripe's current state of a subscription onto its membership."""
    membership = _membership_for(subscription)
    if membership is None:
        return None
    if subscription.get("status") in ENDED and not _is_current(membership, subscription):
        # An ended subscription that is not the membership's current one (an older one of the same
        # customer, or the one paid before the membership was approved again) changes nothing.
        return membership
    before = (membership.status, membership.period_end, membership.auto_renew, membership.tier_id)
    membership.stripe_subscription_id = subscription["id"]
    membership.stripe_customer_id = subscription.get("customer") or membership.stripe_customer_id
    membership.payment_method = PaymentMethod.CARD
    items = (subscription.get("items") or {}).get("data") or []
    if items:
        item = items[0]
        if subscription.get("status") in ("active", "trialing"):
            # Only a paid period moves the dates: a failed renewal keeps the last paid end, from
            # which the grace period counts.
            membership.period_start = _day(item.get("current_period_start")) or membership.period_start
            membership.period_end = _day(item.get("current_period_end")) or membership.period_end
        price_id = (item.get("price") or {}).get("id")
        tier = (
            db.session.scalar(sa.select(Tier).where(Tier.stripe_price_id == price_id)) if price_id else None
        )
        if tier is not None:
            membership.tier = tier
    membership.auto_renew = not subscription.get("cancel_at_period_end", False)
    status = STATUS.get(subscription.get("status", ""), membership.status)
    if status is MembershipStatus.ACTIVE and not membership_services.agreement_in_force(membership):
        status = MembershipStatus.AWAITING_SIGNATURE  # paid; active once the agreement is executed
    membership.status = status
    organisation = membership.organisation
    if status is MembershipStatus.ACTIVE:
        organisation.status = OrganisationStatus.MEMBER
    elif status in (MembershipStatus.LAPSED, MembershipStatus.CANCELLED):
        organisation.status = OrganisationStatus.LAPSED
    after = (membership.status, membership.period_end, membership.auto_renew, membership.tier_id)
    if event_id or after != before:
        audit.record(
            "stripe.subscription_synced",
            target=membership,
            organisation_id=membership.organisation_id,
            event=event_id,
            subscription=subscription["id"],
            status=subscription.get("status"),
        )
    if status is MembershipStatus.AWAITING_SIGNATURE and before[0] is not status:
        _void_open_invoices(membership)
        membership_services.announce_awaiting_signature(membership)
    if status is MembershipStatus.ACTIVE and before[0] is not MembershipStatus.ACTIVE:
        _void_open_invoices(membership)
        notify(
            partners.recipients(organisation),
            "membership_active_card",
            subject=_l("Your membership is active"),
            membership=membership,
            dashboard_url=link("main.dashboard"),
        )
    return membership


def _void_renewal_invoices(membership: Membership) -> None:
    """Invoices for a period that will not come are cancelled (unless money already arrived)."""
    if membership.period_end is not None:
        _void_unpaid(membership, "not renewing", Invoice.period_start > membership.period_end)


def _void_open_invoices(membership: Membership) -> None:
    """A membership paid by card no longer needs the bank-transfer invoice issued at approval."""
    _void_unpaid(membership, "paid by card")


def _void_unpaid(membership: Membership, reason: str, *conditions: Any) -> None:
    """Void the membership's open invoices (matching `conditions`) that no payment has touched."""
    for invoice in db.session.scalars(
        sa.select(Invoice).where(
            Invoice.membership_id == membership.id, Invoice.status == InvoiceStatus.OPEN, *conditions
        )
    ):
        if not invoice.payments:
            invoice.status = InvoiceStatus.VOID
            audit.record(
                "invoice.voided", target=invoice, organisation_id=invoice.organisation_id, reason=reason
            )


def reconcile() -> tuple[dict[str, int], list[str]]:
    """Compare every card membership with Stripe and heal drift (missed or failed webhooks). One
    membership Stripe cannot answer for is reported and skipped; the others are still reconciled."""
    counts = {"checked": 0, "changed": 0, "linked": 0, "failed": 0}
    problems: list[str] = []
    memberships = db.session.scalars(
        sa.select(Membership).where(Membership.stripe_customer_id.is_not(None)).order_by(Membership.id)
    ).all()
    for membership in memberships:
        counts["checked"] += 1
        before = (membership.status, membership.period_end, membership.auto_renew, membership.tier_id)
        try:
            if membership.stripe_subscription_id:
                sync_subscription(gateway.retrieve_subscription(membership.stripe_subscription_id))
            else:
                live = [
                    s
                    for s in gateway.list_subscriptions(membership.stripe_customer_id)
                    if s.get("status") != "canceled"
                ]
                if live:
                    sync_subscription(live[0])
                    counts["linked"] += 1
        except gateway.PaymentRefused as exc:  # NotFound included; Stripe unreachable stops the run
            counts["failed"] += 1
            problems.append(f"membership {membership.id} ({membership.organisation.display_name}): {exc}")
            log.warning("reconcile: membership %s skipped: %s", membership.id, exc)
            continue
        if (membership.status, membership.period_end, membership.auto_renew, membership.tier_id) != before:
            counts["changed"] += 1
    return counts, problems
