"""The access rule: partner features need a paid, current membership under an executed
partnership agreement."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from ...agreements import gate
from ...partners.models import Organisation
from ..models import (
    Membership,
    MembershipStatus,
)


def membership_of(organisation: Organisation) -> Membership | None:
    """The organisation's membership (with its tier): for the signed-in user's organisation it came
    with the user (auth/viewer.py), so no query."""
    return organisation.membership


def access_conditions(membership: Membership | None, today: date) -> dict[str, bool]:
    """Every condition partner features need."""
    return {
        "membership": membership is not None,
        "agreement_executed": membership is not None and agreement_in_force(membership),
        "paid_and_current": membership is not None and _paid_and_current(membership, today),
    }


def agreement_in_force(membership: Membership) -> bool:
    """The membership's partnership agreement is executed (or it predates agreements)."""
    return not membership.agreement_required or gate.partnership_executed(membership.organisation_id)


def _paid_and_current(membership: Membership, today: date) -> bool:
    """Paid for the current period; a renewal that is late keeps access during the grace period."""
    if membership.period_end is None:
        return False
    if membership.status is MembershipStatus.ACTIVE:
        return membership.period_end >= today
    if membership.status is MembershipStatus.PAST_DUE:
        return membership.period_end + timedelta(days=current_app.config["RENEWAL_GRACE_DAYS"]) >= today
    return False


def has_partner_access(
    organisation: Organisation, today: date | None = None, membership: Membership | None = None
) -> bool:
    """The one rule: partner features need an active, paid, current membership under an executed
    partnership agreement. Pass the membership when the caller has loaded it already."""
    membership = membership or membership_of(organisation)
    return all(access_conditions(membership, today or date.today()).values())


def seat_limit(organisation: Organisation) -> int | None:
    membership = membership_of(organisation)
    return membership.tier.seat_limit if membership is not None else None
