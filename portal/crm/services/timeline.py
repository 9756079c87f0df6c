"""An organisation's relationship history in one list: what staff logged (interactions) merged
with what the partner did, read from the tables that already record it (sign-up, applications
and their decisions, agreements issued, signed and countersigned, payments received, challenges
submitted, licensing interests). Newest first.

Each source is one column query limited to the newest `limit` rows, so the page costs the same
number of queries whatever the organisation's history; a day-only event (a payment, an
interaction) counts from the start of its day (UTC) and, on the same moment, staff entries come
before the partner's events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from ...agreements.models import Agreement, AgreementSignature, SignatoryParty
from ...auth.models import User
from ...catalog.models import Lead, Technology
from ...challenges.models import Challenge
from ...core.money import format_money
from ...extensions import db
from ...membership.models import Application, ApplicationStatus, Invoice, Payment, Tier
from ...partners.models import Organisation
from ..models import Interaction, InteractionKind

TIMELINE_ROWS = 60


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime  # tz-aware UTC
    kind: str  # interaction kind value, or signup / application / decision / issued / signed ...
    label: str  # what kind of event, in words
    title: str
    detail: str = ""
    by: str = ""
    staff: bool = False  # logged by staff (an interaction) rather than the partner's own event
    endpoint: str | None = None  # console page to open, with `args`
    args: tuple[tuple[str, int], ...] = ()
    day_only: bool = False

    @property
    def url_args(self) -> dict[str, int]:
        return dict(self.args)


def _moment(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def timeline(organisation: Organisation, limit: int = TIMELINE_ROWS) -> list[TimelineEntry]:
    org_id = organisation.id
    entries: list[TimelineEntry] = [
        TimelineEntry(
            when=_moment(organisation.created_at),
            kind="signup",
            label="Sign-up",
            title=f"{organisation.display_name} signed up",
            detail="The organisation was created on the portal.",
        )
    ]
    entries += _interactions(org_id, limit)
    entries += _applications(org_id, limit)
    entries += _agreements_issued(org_id, limit)
    entries += _signatures(org_id, limit)
    entries += _payments(org_id, limit)
    entries += _challenges(org_id, limit)
    entries += _interests(org_id, limit)
    entries.sort(key=lambda e: (e.when, e.staff), reverse=True)
    return entries[:limit]


def _interactions(org_id: int, limit: int) -> list[TimelineEntry]:
    rows = db.session.execute(
        sa.select(
            Interaction.id,
            Interaction.kind,
            Interaction.occurred_on,
            Interaction.attendees,
            Interaction.summary,
            Interaction.follow_up,
            User.full_name,
        )
        .outerjoin(User, User.id == Interaction.created_by_id)
        .where(Interaction.organisation_id == org_id)
        .order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
        .limit(limit)
    ).all()
    result = []
    for row in rows:
        kind: InteractionKind = row.kind
        detail = row.summary
        if row.follow_up:
            detail += f"\nFollow-up: {row.follow_up}"
        result.append(
            TimelineEntry(
                when=_moment(row.occurred_on),
                kind=kind.value,
                label=kind.label,
                title=f"{kind.label}" + (f" with {row.attendees}" if row.attendees else ""),
                detail=detail,
                by=row.full_name or "",
                staff=True,
                day_only=True,
            )
        )
    return result


def _applications(org_id: int, limit: int) -> list[TimelineEntry]:
    rows = db.session.execute(
        sa.select(
            Application.id, Application.submitted_at, Application.decided_at, Application.status, Tier.name
        )
        .join(Tier, Tier.id == Application.tier_id)
        .where(Application.organisation_id == org_id)
        .order_by(Application.submitted_at.desc(), Application.id.desc())
        .limit(limit)
    ).all()
    result = []
    for row in rows:
        link = ("admin.application_detail", (("application_id", row.id),))
        result.append(
            TimelineEntry(
                when=_moment(row.submitted_at),
                kind="application",
                label="Application",
                title=f"Applied for the {row.name} tier",
                endpoint=link[0],
                args=link[1],
            )
        )
        if row.decided_at is not None and row.status in (
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
        ):
            result.append(
                TimelineEntry(
                    when=_moment(row.decided_at),
                    kind="decision",
                    label="Application",
                    title=f"Application for the {row.name} tier {row.status.label.lower()}",
                    endpoint=link[0],
                    args=link[1],
                )
            )
    return result


def _agreements_issued(org_id: int, limit: int) -> list[TimelineEntry]:
    rows = db.session.execute(
        sa.select(Agreement.id, Agreement.number, Agreement.title, Agreement.issued_at)
        .where(Agreement.organisation_id == org_id, Agreement.issued_at.is_not(None))
        .order_by(Agreement.issued_at.desc(), Agreement.id.desc())
        .limit(limit)
    ).all()
    return [
        TimelineEntry(
            when=_moment(row.issued_at),
            kind="issued",
            label="Agreement",
            title=f"{row.title} ({row.number}) issued for signature",
            endpoint="admin.agreement_detail",
            args=(("agreement_id", row.id),),
        )
        for row in rows
    ]


def _signatures(org_id: int, limit: int) -> list[TimelineEntry]:
    rows = db.session.execute(
        sa.select(
            Agreement.id,
            Agreement.number,
            Agreement.title,
            AgreementSignature.party,
            AgreementSignature.full_name,
            AgreementSignature.signed_at,
        )
        .join(Agreement, Agreement.id == AgreementSignature.agreement_id)
        .where(Agreement.organisation_id == org_id)
        .order_by(AgreementSignature.signed_at.desc(), AgreementSignature.id.desc())
        .limit(limit)
    ).all()
    result = []
    for row in rows:
        partner = row.party is SignatoryParty.PARTNER
        result.append(
            TimelineEntry(
                when=_moment(row.signed_at),
                kind="signed" if partner else "countersigned",
                label="Signature" if partner else "Countersignature",
                title=f"{row.title} ({row.number}) {'signed' if partner else 'countersigned'}",
                by=row.full_name,
                endpoint="admin.agreement_detail",
                args=(("agreement_id", row.id),),
            )
        )
    return result


def _payments(org_id: int, limit: int) -> list[TimelineEntry]:
    rows = db.session.execute(
        sa.select(
            Payment.id,
            Payment.received_on,
            Payment.amount_cents,
            Invoice.id.label("invoice_id"),
            Invoice.number,
            Invoice.currency,
        )
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Invoice.organisation_id == org_id)
        .order_by(Payment.received_on.desc(), Payment.id.desc())
        .limit(limit)
    ).all()
    return [
        TimelineEntry(
            when=_moment(row.received_on),
            kind="payment",
            label="Payment",
            title=f"Paid {format_money(row.amount_cents, row.currency)} on invoice {row.number}",
            endpoint="admin.invoice_detail",
            args=(("invoice_id", row.invoice_id),),
            day_only=True,
        )
        for row in rows
    ]


def _challenges(org_id: int, limit: int) -> list[TimelineEntry]:
    rows = db.session.execute(
        sa.select(Challenge.id, Challenge.reference, Challenge.title, Challenge.submitted_at)
        .where(Challenge.organisation_id == org_id, Challenge.submitted_at.is_not(None))
        .order_by(Challenge.submitted_at.desc(), Challenge.id.desc())
        .limit(limit)
    ).all()
    return [
        TimelineEntry(
            when=_moment(row.submitted_at),
            kind="challenge",
            label="Challenge",
            title=f"Submitted challenge {row.reference} {row.title}",
            endpoint="admin.challenge_detail",
            args=(("challenge_id", row.id),),
        )
        for row in rows
    ]


def _interests(org_id: int, limit: int) -> list[TimelineEntry]:
    rows = db.session.execute(
        sa.select(Lead.id, Lead.created_at, Technology.title)
        .join(Technology, Technology.id == Lead.technology_id)
        .where(Lead.organisation_id == org_id)
        .order_by(Lead.created_at.desc(), Lead.id.desc())
        .limit(limit)
    ).all()
    return [
        TimelineEntry(
            when=_moment(row.created_at),
            kind="interest",
            label="Licensing interest",
            title=f"Interested in licensing {row.title}",
            endpoint="admin.lead_detail",
            args=(("lead_id", row.id),),
        )
        for row in rows
    ]
