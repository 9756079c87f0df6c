"""Renewals: reminders before the period ends (each once), the renewal invoice for invoice payers,
then past due and lapsed. Run daily by `flask portal send-reminders`; running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_ngettext
from flask_babel.speaklater import LazyString

from ..core import audit
from ..core.database import insert_if_absent
from ..core.links import link
from ..core.mail import notify
from ..core.money import format_money
from ..extensions import db
from ..partners import services as partners
from ..partners.models import OrganisationStatus
from . import services
from .card import apply_pending_downgrade
from .models import Invoice, InvoiceStatus, Membership, MembershipStatus, PaymentMethod, RenewalReminder


@dataclass
class RenewalReport:
    reminders: int = 0
    invoices: list[str] = field(default_factory=list)
    past_due: int = 0
    lapsed: int = 0
    ended: int = 0

    def __str__(self) -> str:
        return (
            f"reminders sent {self.reminders}, renewal invoices {len(self.invoices)}, "
            f"past due {self.past_due}, lapsed {self.lapsed}, ended {self.ended}"
        )


def reminder_days() -> list[int]:
    return sorted(
        {int(part) for part in str(current_app.config["RENEWAL_REMINDER_DAYS"]).split(",") if part.strip()},
        reverse=True,
    )


def _claim(membership: Membership, days_before: int, sent: bool) -> bool:
    """Record this reminder; True only for the one run that recorded it first."""
    return insert_if_absent(
        RenewalReminder,
        membership_id=membership.id,
        period_end=membership.period_end,
        days_before=days_before,
        sent=sent,
    )


def _renewal_invoice(membership: Membership) -> Invoice | None:
    return db.session.scalar(
        sa.select(Invoice).where(
            Invoice.membership_id == membership.id,
            Invoice.period_start == membership.period_end + timedelta(days=1),
            Invoice.status != InvoiceStatus.VOID,
        )
    )


def run_renewals(today: date | None = None) -> RenewalReport:
    """Daily: reminders and renewal invoices, due card downgrades, then periods that ended."""
    today = today or date.today()
    report = RenewalReport()
    _remind(today, report)
    _apply_due_downgrades(today)
    _end_periods(today, report)
    db.session.flush()
    return report


def _remind(today: date, report: RenewalReport) -> None:
    """Each reminder once (the nearest due one is sent, earlier missed ones are marked skipped);
    invoice payers get their renewal invoice with the first reminder."""
    days = reminder_days()
    horizon = today + timedelta(days=max(days, default=0))
    upcoming = db.session.scalars(
        sa.select(Membership).where(
            Membership.status == MembershipStatus.ACTIVE,
            Membership.period_end >= today,
            Membership.period_end <= horizon,
        )
    ).all()
    for membership in upcoming:
        left = (membership.period_end - today).days
        due = [d for d in days if left <= d]  # e.g. 5 days left: 60, 30 and 7 are all due
        if not due:
            continue
        invoice = None
        if membership.auto_renew and membership.payment_method is PaymentMethod.INVOICE:
            # Issued once per period, also when the renewal was switched back on after a reminder.
            invoice = _renewal_invoice(membership)
            if invoice is None:
                invoice = services.issue_invoice(membership, today=today)
                report.invoices.append(invoice.number)
        nearest = min(due)
        for skipped in due:
            if skipped != nearest:
                _claim(membership, skipped, sent=False)
        if not _claim(membership, nearest, sent=True):
            continue
        _send_reminder(membership, left, invoice)
        report.reminders += 1


def _apply_due_downgrades(today: date) -> None:
    due_downgrades = db.session.scalars(
        sa.select(Membership).where(
            Membership.pending_tier_id.is_not(None),
            Membership.payment_method == PaymentMethod.CARD,
            Membership.status == MembershipStatus.ACTIVE,
            Membership.period_end <= today + timedelta(days=1),
        )
    ).all()
    for membership in due_downgrades:
        apply_pending_downgrade(membership)


def _end_periods(today: date, report: RenewalReport) -> None:
    """Ended periods: not renewing -> cancelled; past the grace period -> lapsed; else past due."""
    grace = timedelta(days=current_app.config["RENEWAL_GRACE_DAYS"])
    ended = db.session.scalars(
        sa.select(Membership).where(
            Membership.status.in_([MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE]),
            Membership.period_end < today,
        )
    ).all()
    for membership in ended:
        if not membership.auto_renew:
            membership.status = MembershipStatus.CANCELLED
            membership.organisation.status = OrganisationStatus.LAPSED
            audit.record("membership.ended", target=membership, organisation_id=membership.organisation_id)
            report.ended += 1
        elif membership.period_end + grace < today:
            membership.status = MembershipStatus.LAPSED
            membership.organisation.status = OrganisationStatus.LAPSED
            audit.record("membership.lapsed", target=membership, organisation_id=membership.organisation_id)
            report.lapsed += 1
        elif membership.status is MembershipStatus.ACTIVE:
            membership.status = MembershipStatus.PAST_DUE
            audit.record("membership.past_due", target=membership, organisation_id=membership.organisation_id)
            report.past_due += 1


def _send_reminder(membership: Membership, days_left: int, invoice: Invoice | None) -> None:
    notify(
        partners.recipients(membership.organisation),
        "renewal_reminder",
        subject=(
            lazy_ngettext(
                "Your membership renews in %(num)d day", "Your membership renews in %(num)d days", days_left
            )
            if membership.auto_renew
            else lazy_ngettext(
                "Your membership ends in %(num)d day", "Your membership ends in %(num)d days", days_left
            )
        ),
        membership=membership,
        days_left=days_left,
        invoice=invoice,
        # made text when each recipient's email is rendered, in their format
        amount=LazyString(format_money, invoice.total_cents, invoice.currency) if invoice else None,
        membership_url=link("membership.overview"),
    )
