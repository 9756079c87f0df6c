"""IP deadline reminders to the responsible officer at 90, 30 and 7 days before each deadline.

Each (deadline key, threshold) is recorded in `ip_reminder_sent` with `INSERT ... ON CONFLICT DO
NOTHING` in the same transaction as the email, so however often (or concurrently) the job runs,
each reminder goes once. A deadline first seen inside a smaller threshold (the job did not run for
a while, or the application was recorded late) gets one reminder, for the smallest threshold
reached, and the larger thresholds are recorded as passed without a second email.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from ...auth.models import PlatformRole, User
from ...core.database import insert_if_absent
from ...core.links import link
from ...core.mail import notify
from ...extensions import db
from ..models import IpReminderSent, PatentFamily
from . import deadlines as rules
from .ip_records import open_deadlines


def officer_address(family: PatentFamily, admins: list[str]) -> list[str]:
    officer = family.officer
    if officer is not None and officer.active and officer.is_staff:
        return [officer.email]
    return [current_app.config["CONTACT_EMAIL"], *admins]


def send_ip_reminders(today: date | None = None) -> int:
    """Queue the reminders due today; returns how many emails were queued. The caller commits."""
    today = today or date.today()
    admins: list[str] | None = None
    sent = 0
    for deadline, family in open_deadlines(today, max(rules.REMINDER_DAYS)):
        threshold = rules.due_threshold(deadline, today)
        if threshold is None:
            continue
        if admins is None and (family.officer is None or not family.officer.active):
            admins = list(
                db.session.scalars(
                    sa.select(User.email).where(
                        User.platform_role == PlatformRole.ADMIN, User.active.is_(True)
                    )
                )
            )
        to = officer_address(family, admins or [])
        if not insert_if_absent(
            IpReminderSent, deadline_key=deadline.key, days=threshold, due=deadline.due, recipient=to[0]
        ):
            continue
        for larger in rules.REMINDER_DAYS:
            if larger > threshold:
                insert_if_absent(
                    IpReminderSent, deadline_key=deadline.key, days=larger, due=deadline.due, recipient=""
                )
        notify(
            to,
            "ip_deadline_reminder",
            subject=_l(
                "IP deadline in %(days)s days: %(reference)s %(deadline)s",
                days=deadline.days_left(today),
                reference=family.reference,
                deadline=deadline.label,
            ),
            family_reference=family.reference,
            family_title=family.title,
            deadline_label=deadline.label,
            due=deadline.due,
            days_left=deadline.days_left(today),
            family_url=link("admin.ip_family_detail", family_id=family.id),
            calendar_url=link("admin.ip_calendar"),
        )
        sent += 1
    return sent
