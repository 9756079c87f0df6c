"""How engaged partners are, and which renewals are at risk.

`engagement(organisation_ids, since)` counts, per organisation and in one grouped query per
source (so the same number of queries for 1 or 1,000 organisations): the people who signed in
(users whose last sign-in is on or after `since`: the portal keeps each user's latest sign-in,
not a log of them), challenges submitted, licensing interests, agreement signatures given by the
partner, and staff interactions. Catalog views are counted per listing and day, not per
organisation, so they are reported as not recorded (None).

`renewals(today, within)` lists active (and past-due) memberships whose period ends in the next
`within` days (30, 60 or 90), with that engagement over the last 90 days and a risk flag with
its reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ...agreements.models import Agreement, AgreementSignature, SignatoryParty
from ...auth.models import User
from ...catalog.models import Lead
from ...challenges.models import Challenge
from ...extensions import db
from ...membership.models import Invoice, InvoiceStatus, Membership, MembershipStatus
from ...partners.models import Organisation
from ..models import Interaction

ENGAGEMENT_DAYS = 90
WINDOWS = (30, 60, 90)


@dataclass
class Engagement:
    logins: int = 0  # people who signed in since
    last_login: datetime | None = None  # anyone's latest sign-in, whenever it was
    catalog_views: int | None = None  # not recorded per organisation
    challenges: int = 0
    interests: int = 0
    agreements: int = 0  # signatures the partner gave
    interactions: int = 0
    last_interaction: date | None = None  # whenever it was

    @property
    def partner_activity(self) -> int:
        return self.logins + self.challenges + self.interests + self.agreements


def _as_utc(moment: date | datetime) -> datetime:
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def engagement(organisation_ids: Iterable[int], since: date | datetime) -> dict[int, Engagement]:
    """Every requested organisation's figures since `since` (a day or a moment), in six queries."""
    ids = sorted(set(organisation_ids))
    result = {org_id: Engagement() for org_id in ids}
    if not ids:
        return result
    start = _as_utc(since)
    start_day = start.date()

    for org_id, logins, last in db.session.execute(
        sa.select(
            User.organisation_id,
            sa.func.count(User.id).filter(User.last_login_at >= start),
            sa.func.max(User.last_login_at),
        )
        .where(User.organisation_id.in_(ids))
        .group_by(User.organisation_id)
    ):
        result[org_id].logins = int(logins or 0)
        result[org_id].last_login = _as_utc(last) if last is not None else None

    for org_id, count in db.session.execute(
        sa.select(Challenge.organisation_id, sa.func.count(Challenge.id))
        .where(Challenge.organisation_id.in_(ids), Challenge.submitted_at >= start)
        .group_by(Challenge.organisation_id)
    ):
        result[org_id].challenges = int(count)

    for org_id, count in db.session.execute(
        sa.select(Lead.organisation_id, sa.func.count(Lead.id))
        .where(Lead.organisation_id.in_(ids), Lead.created_at >= start)
        .group_by(Lead.organisation_id)
    ):
        result[org_id].interests = int(count)

    for org_id, count in db.session.execute(
        sa.select(Agreement.organisation_id, sa.func.count(AgreementSignature.id))
        .join(Agreement, Agreement.id == AgreementSignature.agreement_id)
        .where(
            Agreement.organisation_id.in_(ids),
            AgreementSignature.party == SignatoryParty.PARTNER,
            AgreementSignature.signed_at >= start,
        )
        .group_by(Agreement.organisation_id)
    ):
        result[org_id].agreements = int(count)

    for org_id, count, last in db.session.execute(
        sa.select(
            Interaction.organisation_id,
            sa.func.count(Interaction.id).filter(Interaction.occurred_on >= start_day),
            sa.func.max(Interaction.occurred_on),
        )
        .where(Interaction.organisation_id.in_(ids))
        .group_by(Interaction.organisation_id)
    ):
        result[org_id].interactions = int(count or 0)
        result[org_id].last_interaction = last
    return result


# --- renewals -----------------------------------------------------------------------------------

RENEWING = (MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE)


@dataclass
class RenewalRow:
    membership: Membership
    days_left: int
    window: int  # 30, 60 or 90: the nearest window the end date falls in
    engagement: Engagement
    reasons: list[str] = field(default_factory=list)

    @property
    def at_risk(self) -> bool:
        return bool(self.reasons)


def window_of(days_left: int) -> int:
    return next(w for w in WINDOWS if days_left <= w)


def renewals_query(today: date, within: int = 90, owner_id: int | None = None) -> sa.Select:
    """Memberships that renew (or end) between today and `within` days from now, soonest first."""
    stmt = (
        sa.select(Membership)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Membership.status.in_(RENEWING),
            Membership.period_end >= today,
            Membership.period_end <= today + timedelta(days=within),
        )
        .options(
            joinedload(Membership.organisation).joinedload(Organisation.account_owner),
            joinedload(Membership.tier),
        )
        .order_by(Membership.period_end, Membership.id)
    )
    if owner_id is not None:
        stmt = stmt.where(Organisation.account_owner_id == owner_id)
    return stmt


def assess(memberships: Sequence[Membership], today: date) -> list[RenewalRow]:
    """Engagement over the last 90 days and the risk reasons of each membership (two more queries
    for any number of memberships: the engagement's, and the unpaid renewal invoices)."""
    since = today - timedelta(days=ENGAGEMENT_DAYS)
    figures = engagement([m.organisation_id for m in memberships], since)
    unpaid = _unpaid_renewal_invoices(memberships)
    rows = []
    for membership in memberships:
        assert membership.period_end is not None
        left = (membership.period_end - today).days
        figure = figures[membership.organisation_id]
        rows.append(
            RenewalRow(
                membership=membership,
                days_left=left,
                window=window_of(left),
                engagement=figure,
                reasons=risk_reasons(membership, figure, unpaid.get(membership.id), today),
            )
        )
    return rows


def risk_reasons(
    membership: Membership, figure: Engagement, unpaid: Invoice | None, today: date
) -> list[str]:
    reasons = []
    if figure.interactions == 0 and figure.logins == 0:
        reasons.append(f"No interaction and no login in {ENGAGEMENT_DAYS} days")
    elif figure.interactions == 0:
        reasons.append(f"No interaction in {ENGAGEMENT_DAYS} days")
    elif figure.partner_activity == 0:
        reasons.append(f"No login, challenge, interest or signature in {ENGAGEMENT_DAYS} days")
    if unpaid is not None:
        reasons.append(
            f"Renewal invoice {unpaid.number} unpaid" + (" and overdue" if unpaid.due_on < today else "")
        )
    if membership.status is MembershipStatus.PAST_DUE:
        reasons.append("Payment past due")
    if not membership.auto_renew:
        reasons.append("Set to end at the end of the period (no automatic renewal)")
    return reasons


def _unpaid_renewal_invoices(memberships: Sequence[Membership]) -> dict[int, Invoice]:
    """The open invoice of each membership's next period (renewal invoices start the day after
    the period ends; see membership/renewals.py)."""
    ids = [m.id for m in memberships]
    if not ids:
        return {}
    next_start = {m.id: m.period_end + timedelta(days=1) for m in memberships if m.period_end}
    found: dict[int, Invoice] = {}
    for invoice in db.session.scalars(
        sa.select(Invoice)
        .where(Invoice.membership_id.in_(ids), Invoice.status == InvoiceStatus.OPEN)
        .order_by(Invoice.id)
    ):
        if invoice.membership_id is not None and invoice.period_start == next_start.get(
            invoice.membership_id
        ):
            found[invoice.membership_id] = invoice
    return found


def engagement_of(organisation_id: int, since: date | datetime) -> Engagement:
    return engagement([organisation_id], since)[organisation_id]
