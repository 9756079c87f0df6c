"""Changing tier: upgrades take effect when paid (prorated for the rest of the period);
downgrades take effect at the next period (nothing is refunded, nothing is lost)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..auth.models import User
from ..core import audit
from ..core.database import lock_for_update
from ..core.errors import DomainError
from ..extensions import db
from . import card, services
from .models import Invoice, InvoiceStatus, Membership, MembershipStatus, PaymentMethod, Tier


@dataclass(frozen=True)
class TierChange:
    kind: str  # "upgrade" | "downgrade"
    tier: Tier
    amount_cents: int  # charged now (upgrade, before VAT for invoices); 0 for a downgrade
    starts: str  # "next_period" (downgrade), "at_once" (card upgrade), "when_paid" (invoiced upgrade)
    starts_on: date | None = None  # the first day of the next period, for a downgrade


def _check(membership: Membership | None, tier: Tier) -> Membership:
    if (
        membership is None
        or membership.status is not MembershipStatus.ACTIVE
        or membership.period_end is None
    ):
        raise DomainError(_("Only an active membership can change tier."))
    if tier.id == membership.tier_id:
        raise DomainError(_("This is already your tier."))
    if not tier.active:
        raise DomainError(_("This tier is no longer offered."))
    if membership.payment_method is PaymentMethod.CARD and not tier.stripe_price_id:
        raise DomainError(_("This tier cannot be paid by card; ask the partnerships team."))
    return membership


def prorated(membership: Membership, tier: Tier, today: date) -> int:
    """The fee difference for the days left in the current period (inclusive of today)."""
    total_days = (membership.period_end - membership.period_start).days + 1
    days_left = max(0, (membership.period_end - today).days + 1)
    difference = tier.annual_fee_cents - membership.tier.annual_fee_cents
    return max(0, round(difference * days_left / total_days))


def preview(membership: Membership | None, tier: Tier, today: date | None = None) -> TierChange:
    today = today or date.today()
    membership = _check(membership, tier)
    if tier.annual_fee_cents <= membership.tier.annual_fee_cents:
        start = date.fromordinal(membership.period_end.toordinal() + 1)
        return TierChange("downgrade", tier, 0, "next_period", start)
    if membership.payment_method is PaymentMethod.CARD:
        return TierChange("upgrade", tier, card.preview_upgrade(membership, tier), "at_once")
    return TierChange("upgrade", tier, prorated(membership, tier, today), "when_paid")


def change_tier(
    actor: User, membership: Membership | None, tier: Tier, today: date | None = None
) -> Invoice | None:
    today = today or date.today()
    if membership is not None:
        lock_for_update(membership)  # two clicks, one change
    change = preview(membership, tier, today)
    assert membership is not None
    if change.kind == "upgrade" and membership.payment_method is not PaymentMethod.CARD:
        waiting = open_upgrade_invoice(membership)
        if waiting is not None:
            raise DomainError(
                _(
                    "Upgrade invoice %(number)s is already on its way; %(tier)s starts when it is paid.",
                    number=waiting.number,
                    tier=waiting_tier_name(waiting),
                )
            )
    if change.kind == "downgrade":
        membership.pending_tier_id = tier.id
        audit.record("membership.downgrade_scheduled", actor=actor, target=membership, tier=tier.slug)
        return None
    membership.pending_tier_id = None
    if membership.payment_method is PaymentMethod.CARD:
        card.upgrade(membership, tier)
        audit.record("membership.upgraded", actor=actor, target=membership, tier=tier.slug)
        return None
    invoice = services.issue_invoice(
        membership,
        today=today,
        tier=tier,
        net_cents=change.amount_cents,
        period=(today, membership.period_end),
        purpose="upgrade",
    )
    audit.record(
        "membership.upgrade_invoiced", actor=actor, target=membership, tier=tier.slug, invoice=invoice.number
    )
    return invoice


def open_upgrade_invoice(membership: Membership) -> Invoice | None:
    return db.session.scalar(
        sa.select(Invoice).where(
            Invoice.membership_id == membership.id,
            Invoice.purpose == "upgrade",
            Invoice.status == InvoiceStatus.OPEN,
        )
    )


def waiting_tier_name(invoice: Invoice) -> str:
    tier = db.session.get(Tier, invoice.tier_id) if invoice.tier_id else None
    return tier.name if tier else _("the new tier")


def cancel_pending_downgrade(actor: User, membership: Membership | None) -> None:
    if membership is None or membership.pending_tier_id is None:
        raise DomainError(_("No tier change is scheduled."))
    membership.pending_tier_id = None
    db.session.flush()
    audit.record("membership.downgrade_cancelled", actor=actor, target=membership)
