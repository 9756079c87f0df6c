"""A licence's reporting duties: the schedule made from its frequency (each period's report due
REPORT_DUE_DAYS after the period ends), the licensee's "submitted", staff's "received", and the
reminders to the licensee's users and the responsible officer REMINDER_DAYS before a report is
due, each sent once however often `flask --app wsgi portal send-licence-reminders` runs."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.orm import joinedload, selectinload

from ...auth.models import User
from ...catalog.services import leads as lead_rules
from ...core import audit
from ...core.database import insert_if_absent
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify
from ...core.types import utcnow
from ...extensions import db
from ...partners.models import Organisation
from ..models.licensing import (
    Licence,
    LicenceReminder,
    LicenceReport,
    LicenceStatus,
    ReportFrequency,
    ReportStatus,
)

REPORT_DUE_DAYS = 30  # a period's report is due 30 days after the period ends
OPEN_ENDED_YEARS = 5  # a licence without an end date: the schedule covers its first five years
REMINDER_DAYS = (30, 7)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day (31 August + 6 months = 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    due_on: date


def schedule(start: date, end: date | None, frequency: ReportFrequency) -> list[Period]:
    """The reporting periods from `start`, each `frequency.months` long, up to `end` (a last short
    period ends with the licence) or over OPEN_ENDED_YEARS without an end."""
    if frequency.months == 0:
        return []
    last = end or add_months(start, 12 * OPEN_ENDED_YEARS) - timedelta(days=1)
    periods = []
    n = 0
    while True:
        period_start = add_months(start, n * frequency.months)
        if period_start > last:
            break
        period_end = min(add_months(start, (n + 1) * frequency.months) - timedelta(days=1), last)
        periods.append(Period(period_start, period_end, period_end + timedelta(days=REPORT_DUE_DAYS)))
        n += 1
    return periods


def sync_schedule(licence: Licence) -> None:
    """Make the licence's reports match its schedule: reports already submitted or received stay;
    due ones the schedule no longer has go; missing ones are added."""
    wanted = {p.due_on: p for p in schedule(licence.start_on, licence.end_on, licence.report_frequency)}
    existing = {
        r.due_on: r
        for r in db.session.scalars(sa.select(LicenceReport).where(LicenceReport.licence_id == licence.id))
    }
    for due_on, report in existing.items():
        if due_on not in wanted and report.status is ReportStatus.DUE:
            db.session.delete(report)
        elif due_on in wanted and report.status is ReportStatus.DUE:
            report.period_start, report.period_end = wanted[due_on].start, wanted[due_on].end
    for due_on, period in wanted.items():
        if due_on not in existing:
            db.session.add(
                LicenceReport(
                    licence_id=licence.id, period_start=period.start, period_end=period.end, due_on=due_on
                )
            )
    db.session.flush()
    db.session.expire(licence, ["reports"])


def submit_report(actor: User, report: LicenceReport, note: str) -> None:
    """The licensee says the report is sent (how, where): staff then mark it received."""
    if actor.organisation_id != report.licence.organisation_id:
        raise DomainError(_("This report is not your organisation's."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say how you sent the report (for example by email, to whom)."), "note")
    if report.status is ReportStatus.RECEIVED:
        raise DomainError(_("The Technology Transfer Office already has this report."))
    if report.period_end >= date.today():
        raise DomainError(_("This report's period has not ended yet."))
    report.status = ReportStatus.SUBMITTED
    report.note = note
    report.submitted_at = utcnow()
    report.submitted_by_id = actor.id
    db.session.flush()
    audit.record(
        "licence.report_submitted",
        actor=actor,
        target=report.licence,
        due_on=report.due_on.isoformat(),
    )
    _officer, emails = _officer_recipients(report.licence)
    notify(
        emails,
        "licence_report_submitted",
        subject=_l("Licence report submitted: %(reference)s", reference=report.licence.reference),
        reference=report.licence.reference,
        organisation=report.licence.organisation.display_name,
        due_on=report.due_on,
        note=note,
        console_url=link("admin.licence_detail", licence_id=report.licence.id),
    )


def mark_received(actor: User, report: LicenceReport) -> None:
    if report.status is ReportStatus.RECEIVED:
        raise DomainError(_("This report is already marked received."), "report_id")
    before = report.status
    report.status = ReportStatus.RECEIVED
    report.received_at = utcnow()
    report.received_by_id = actor.id
    db.session.flush()
    audit.record(
        "licence.report_received",
        actor=actor,
        target=report.licence,
        due_on=report.due_on.isoformat(),
        before=before.value,
    )


# --- reminders --------------------------------------------------------------------------------


@dataclass
class ReminderReport:
    sent: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return f"licence report reminders sent {self.sent}, skipped {self.skipped}"


def _officer_recipients(licence: Licence) -> tuple[User | None, list[str]]:
    officer = licence.officer
    if officer is not None and officer.active and officer.is_staff:
        return officer, [officer.email]
    return lead_rules.staff_recipients(licence.organisation)


def _partner_recipients(licence: Licence) -> list[str]:
    return sorted({u.email for u in licence.organisation.users if u.active})


def send_reminders(today: date | None = None) -> ReminderReport:
    """Daily: a reminder 30 and 7 days before each open report of an active licence is due, to the
    licensee's users and the responsible officer. Each once (a missed earlier one is recorded as
    skipped when a nearer one is due); a run again, or at the same time, sends nothing more."""
    today = today or date.today()
    report = ReminderReport()
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    due = db.session.scalars(
        sa.select(LicenceReport)
        .join(Licence, Licence.id == LicenceReport.licence_id)
        .where(
            LicenceReport.status == ReportStatus.DUE,
            LicenceReport.due_on >= today,
            LicenceReport.due_on <= horizon,
            Licence.status == LicenceStatus.ACTIVE,
        )
        .options(
            joinedload(LicenceReport.licence).options(
                joinedload(Licence.technology),
                joinedload(Licence.officer),
                joinedload(Licence.organisation).options(
                    selectinload(Organisation.users), joinedload(Organisation.account_owner)
                ),
            )
        )
        .order_by(LicenceReport.due_on, LicenceReport.id)
    ).all()
    for duty in due:
        left = (duty.due_on - today).days
        windows = [d for d in REMINDER_DAYS if left <= d]
        if not windows:
            continue
        nearest = min(windows)
        for skipped in windows:
            if skipped != nearest and insert_if_absent(
                LicenceReminder, report_id=duty.id, days_before=skipped, sent=False
            ):
                report.skipped += 1
        if not insert_if_absent(LicenceReminder, report_id=duty.id, days_before=nearest, sent=True):
            continue
        _send_reminder(duty, left)
        report.sent += 1
    db.session.flush()
    return report


def _send_reminder(duty: LicenceReport, left: int) -> None:
    licence = duty.licence
    values = {
        "reference": licence.reference,
        "technology": f"{licence.technology.reference} {licence.technology.title}",
        "organisation": licence.organisation.display_name,
        "period_start": duty.period_start,
        "period_end": duty.period_end,
        "due_on": duty.due_on,
        "days": left,
    }
    notify(
        _partner_recipients(licence),
        "licence_report_due",
        subject=lazy_ngettext(
            "Licence report due in %(num)s day: %(reference)s",
            "Licence report due in %(num)s days: %(reference)s",
            left,
            reference=licence.reference,
        ),
        url=link("innovation.licence_detail", licence_id=licence.id),
        contact_email=(licence.officer.email if licence.officer else current_app.config["CONTACT_EMAIL"]),
        staff=False,
        **values,
    )
    _officer, emails = _officer_recipients(licence)
    notify(
        emails,
        "licence_report_due",
        subject=lazy_ngettext(
            "Licence report due in %(num)s day: %(reference)s",
            "Licence report due in %(num)s days: %(reference)s",
            left,
            reference=licence.reference,
        ),
        url=link("admin.licence_detail", licence_id=licence.id),
        staff=True,
        **values,
    )
