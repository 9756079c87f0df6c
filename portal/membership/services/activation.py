"""Activation: whichever of signature and payment comes last makes the membership active."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...core import audit
from ...core.links import link
from ...core.mail import notify, queue_email
from ...partners import services as partners
from ...partners.models import Organisation, OrganisationStatus
from ..models import (
    Invoice,
    Membership,
    MembershipStatus,
)
from .access import agreement_in_force, membership_of


def activate_when_ready(membership: Membership, invoice: Invoice | None = None) -> None:
    """Active once the partnership agreement is executed and the first payment has arrived,
    whichever comes last. Paid but unsigned waits as "awaiting signature"."""
    organisation = membership.organisation
    if not agreement_in_force(membership):
        if membership.status is not MembershipStatus.AWAITING_SIGNATURE:
            membership.status = MembershipStatus.AWAITING_SIGNATURE
            announce_awaiting_signature(membership)
        return
    membership.status = MembershipStatus.ACTIVE
    organisation.status = OrganisationStatus.MEMBER
    audit.record("membership.activated", target=membership, organisation_id=membership.organisation_id)
    notify(
        partners.recipients(organisation),
        "membership_active",
        subject=_l("Your membership is active"),
        membership=membership,
        invoice=invoice,
        dashboard_url=link("main.dashboard"),
    )


def announce_awaiting_signature(membership: Membership) -> None:
    audit.record("membership.paid_awaiting_signature", target=membership)
    notify(
        partners.recipients(membership.organisation),
        "membership_awaiting_signature",
        subject=_l("Payment received: one signature to go"),
        membership=membership,
        agreements_url=link("agreements.index"),
    )


def partnership_executed(organisation: Organisation) -> None:
    """The partnership agreement was just executed: a paid membership starts now, and the staff
    account owner hears of it (the partner's people get the executed agreement's own email)."""
    membership = membership_of(organisation)
    if membership is None or membership.status is not MembershipStatus.AWAITING_SIGNATURE:
        return
    activate_when_ready(membership)
    owner = organisation.account_owner
    if owner is not None:
        queue_email(
            owner.email,
            _l("%(organisation)s is now an active member", organisation=organisation.display_name),
            "membership_active_staff",
            membership=membership,
            organisation_url=link("admin.organisation_detail", organisation_id=organisation.id),
        )
