"""IP records and reminders: the officer is reminded at 90 / 30 / 7 days, each reminder once however
often the job runs; the calendar lists the next 12 months by month, overdue first; handled
deadlines drop off; the command runs twice without a second email."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.core.errors import DomainError
from portal.core.mail import Email
from portal.extensions import db
from portal.innovation.models import ApplicationKind, IpReminderSent
from portal.innovation.services import ip_records as ip
from portal.innovation.services.deadlines import add_months
from portal.innovation.services.reminders import send_ip_reminders

from ..support.browser import emails_to, text
from ..support.factories import commit, make_staff


def _family(officer, priority: date, reference="PF-2026-01"):
    family = ip.create_family(officer, ip.FamilyData(reference, "Coating family", officer_id=officer.id))
    ip.add_application(
        officer,
        family,
        ip.ApplicationData(ApplicationKind.PRIORITY, "LU", priority, application_number="LU1001"),
    )
    return family


def test_reminders_go_once_at_90_30_and_7_days(ctx):
    officer = make_staff()
    priority = date(2025, 6, 10)
    _family(officer, priority)
    due = add_months(priority, 12)  # the end of the priority year
    assert send_ip_reminders(due - timedelta(days=91)) == 0
    assert send_ip_reminders(due - timedelta(days=90)) == 1
    assert send_ip_reminders(due - timedelta(days=90)) == 0  # run twice the same day
    assert send_ip_reminders(due - timedelta(days=60)) == 0
    assert send_ip_reminders(due - timedelta(days=30)) == 1
    assert send_ip_reminders(due - timedelta(days=29)) == 0
    assert send_ip_reminders(due - timedelta(days=7)) == 1
    assert send_ip_reminders(due - timedelta(days=1)) == 0
    mails = [m for m in emails_to(officer.email) if "priority year" in m.subject]
    assert len(mails) == 3
    assert "in 90 days" in mails[0].subject and "in 7 days" in mails[2].subject
    rows = db.session.scalars(sa.select(IpReminderSent.days).order_by(IpReminderSent.days)).all()
    assert rows == [7, 30, 90]


def test_a_deadline_first_seen_late_gets_one_reminder(ctx):
    officer = make_staff()
    priority = date(2025, 6, 10)
    _family(officer, priority)
    due = add_months(priority, 12)
    assert send_ip_reminders(due - timedelta(days=5)) == 1
    assert send_ip_reminders(due - timedelta(days=4)) == 0
    assert sorted(db.session.scalars(sa.select(IpReminderSent.days))) == [7, 30, 90]


def test_a_handled_deadline_is_not_reminded_nor_listed(ctx):
    officer = make_staff()
    family = _family(officer, date(2025, 6, 10))
    key = ip.deadlines_of(family)[0].key
    assert ip.mark_done(officer, key) and not ip.mark_done(officer, key)
    assert send_ip_reminders(date(2026, 6, 1)) == 0


def test_the_command_sends_each_reminder_once(app, ctx):
    officer = make_staff()
    today = date.today()
    _family(officer, add_months(today, -12) + timedelta(days=30))  # the priority year ends in ~30 days
    commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["portal", "send-ip-reminders"])
    second = runner.invoke(args=["portal", "send-ip-reminders"])
    assert first.exit_code == 0 and "IP reminders sent: 1" in first.output, first.output
    assert "IP reminders sent: 0" in second.output
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Email).where(Email.to_address == officer.email)
        )
        == 1
    )


def test_the_calendar_lists_twelve_months_by_month_overdue_first(browser, ctx):
    officer = make_staff()
    today = date.today()
    _family(officer, add_months(today, -12) - timedelta(days=10), "PF-LATE")  # ended 10 days ago
    _family(officer, add_months(today, -12) + timedelta(days=40), "PF-SOON")
    _family(officer, add_months(today, 1), "PF-FAR")  # its priority year ends in 13 months
    commit()
    browser.login_staff(officer)
    page = text(browser.get("/admin/innovation/ip-calendar"))
    assert page.index("Overdue") < page.index("PF-LATE") < page.index("PF-SOON")
    assert "PF-FAR" not in page


def test_application_dates_are_checked(ctx):
    officer = make_staff()
    family = _family(officer, date(2025, 6, 10))
    with pytest.raises(DomainError, match="priority date"):
        ip.add_application(
            officer, family,
            ip.ApplicationData(
                ApplicationKind.NATIONAL, "DE", date(2025, 1, 1), priority_date=date(2025, 6, 10)
            ),
        )  # fmt: skip
    with pytest.raises(DomainError, match="WO"):
        ip.add_application(officer, family, ip.ApplicationData(ApplicationKind.PCT, "EP", date(2026, 1, 1)))
    with pytest.raises(DomainError, match="taken"):
        ip.create_family(officer, ip.FamilyData("PF-2026-01", "Again"))


def test_the_console_records_an_application_and_shows_its_deadlines(browser, ctx):
    officer = make_staff()
    family = ip.create_family(officer, ip.FamilyData("PF-2026-09", "Sensor family"))
    commit()
    browser.login_staff(officer)
    response = browser.post(
        f"/admin/innovation/ip/{family.id}/applications",
        {"kind": "priority", "office": "ep", "filing_date": "2024-02-29", "status": "filed",
         "application_number": "EP24000001.0"},
    )  # fmt: skip
    assert response.status_code == 302
    page = text(browser.get(f"/admin/innovation/ip/{family.id}"))
    assert "EP24000001.0" in page and "EP annuity, year" in page
    response = browser.post(
        f"/admin/innovation/ip/{family.id}/applications",
        {"kind": "priority", "office": "EP", "filing_date": "2025-02-30", "status": "filed"},
    )
    assert response.status_code == 400 and "There is no 30 February 2025" in text(response)
