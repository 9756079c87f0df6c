"""Renewal reminders (each once), renewal invoices, past due and lapsed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.membership import services
from portal.membership.models import Invoice, Membership, MembershipStatus, PaymentMethod
from portal.partners.models import OrganisationStatus

from ..support.browser import emails_to
from ..support.context import app_context
from ..support.factories import (
    commit,
    make_executed_partnership,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)

END = date(2027, 3, 31)


@pytest.fixture
def member(ctx):
    organisation = make_organisation(
        legal_name="Acme Robotics GmbH", country="NO", status=OrganisationStatus.MEMBER
    )
    make_partner(organisation=organisation, email="owner@acme.example")
    membership = Membership(
        organisation=organisation,
        tier=make_tier(annual_fee_cents=5_000_00),
        status=MembershipStatus.ACTIVE,
        payment_method=PaymentMethod.INVOICE,
        period_start=date(2026, 4, 1),
        period_end=END,
    )
    db.session.add(membership)
    make_executed_partnership(organisation)
    commit()
    return membership


def run(app, day: date) -> str:
    result = app.test_cli_runner().invoke(args=["portal", "send-reminders", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def reminders() -> list[str]:
    return [e.subject for e in emails_to("owner@acme.example") if "renews in" in e.subject]


def test_each_reminder_is_sent_once_however_often_the_job_runs(app, member):
    day = END - timedelta(days=75)
    while day <= END:
        run(app, day)
        run(app, day)  # twice a day
        day += timedelta(days=1)
    assert reminders() == [
        "[Industry Partnership Programme] Your membership renews in 60 days",
        "[Industry Partnership Programme] Your membership renews in 30 days",
        "[Industry Partnership Programme] Your membership renews in 7 days",
    ]
    invoices = db.session.scalars(sa.select(Invoice)).all()
    assert len(invoices) == 1  # the renewal invoice, issued once, with the first reminder
    assert invoices[0].period_start == END + timedelta(days=1)
    assert invoices[0].period_end == date(2028, 3, 31)


def test_a_late_first_run_sends_only_the_nearest_reminder(app, member):
    run(app, END - timedelta(days=5))
    assert reminders() == ["[Industry Partnership Programme] Your membership renews in 5 days"]
    run(app, END - timedelta(days=4))
    assert len(reminders()) == 1


def test_unpaid_renewal_goes_past_due_then_lapses_after_the_grace_period(app, member):
    run(app, END - timedelta(days=60))
    output = run(app, END + timedelta(days=1))
    assert "past due 1" in output
    assert member.status is MembershipStatus.PAST_DUE
    assert services.has_partner_access(member.organisation, today=END + timedelta(days=1))  # grace
    run(app, END + timedelta(days=30))
    assert member.status is MembershipStatus.PAST_DUE
    output = run(app, END + timedelta(days=31))
    assert "lapsed 1" in output
    assert member.status is MembershipStatus.LAPSED
    assert member.organisation.status is OrganisationStatus.LAPSED
    assert not services.has_partner_access(member.organisation, today=END + timedelta(days=31))


def test_paying_the_renewal_invoice_extends_the_period(app, member, ctx):
    run(app, END - timedelta(days=60))
    invoice = db.session.scalar(sa.select(Invoice))
    staff = make_staff()
    commit()
    with app_context(app):
        services.record_payment(staff, invoice, invoice.total_cents, date.today(), "renewal")
        commit()
    db.session.expire_all()
    assert member.status is MembershipStatus.ACTIVE
    assert member.period_start == date(2026, 4, 1) and member.period_end == date(2028, 3, 31)
    assert "past due 0" in run(app, END + timedelta(days=1))


def test_a_membership_without_auto_renew_ends_with_its_period(app, member):
    member.auto_renew = False
    commit()
    run(app, END - timedelta(days=30))
    assert db.session.scalars(sa.select(Invoice)).all() == []
    assert "ends in 30 days" in emails_to("owner@acme.example")[-1].subject
    assert "ended 1" in run(app, END + timedelta(days=1))
    assert member.status is MembershipStatus.CANCELLED
