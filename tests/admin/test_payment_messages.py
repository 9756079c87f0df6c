"""Staff messages tell the truth (issue 10, point 6): recording the payment of an invoice says the
membership is active only when it is; while the agreement waits, it says for whom."""

from __future__ import annotations

import sqlalchemy as sa

from portal.agreements.models import Agreement, AgreementStatus
from portal.extensions import db
from portal.membership import services as membership_services
from portal.membership.models import Invoice, InvoiceStatus

from ..support.browser import Browser, text
from ..support.context import app_context
from ..support.factories import (
    commit,
    make_application,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)


def approved(app):
    organisation = make_organisation(legal_name="Truthful Instruments SARL", country="FR")
    make_partner(organisation=organisation, email="owner@truthful.example")
    officer = make_staff(email="officer@tto.example")
    admin = make_staff(admin=True, email="director@tto.example")
    tier = make_tier(name="Partner", slug="partner")
    application = make_application(organisation, tier)
    with app_context(app):
        membership_services.approve_application(officer, application, officer)
    commit()
    invoice = db.session.scalar(sa.select(Invoice).where(Invoice.organisation_id == organisation.id))
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.organisation_id == organisation.id))
    return admin, invoice, agreement


def pay(app, admin, invoice):
    browser = Browser(app)
    browser.login_staff(admin)
    page = browser.post(
        f"/admin/invoices/{invoice.id}",
        {"amount": f"{invoice.total_cents / 100:.2f}", "received_on": "2026-12-01", "reference": "SEPA"},
        follow_redirects=True,
    )
    return " ".join(text(page).split())


def test_paying_before_the_partner_signs_says_who_is_waited_for(app, ctx):
    admin, invoice, agreement = approved(app)
    assert agreement.status is AgreementStatus.ISSUED
    page = pay(app, admin, invoice)
    assert f"Invoice {invoice.number} is paid." in page
    assert f"when the partner signs agreement {agreement.number} and it is countersigned" in page
    assert "the membership is active" not in page


def test_paying_while_the_agreement_awaits_countersignature_says_so(app, ctx):
    admin, invoice, agreement = approved(app)
    agreement.status = AgreementStatus.PARTNER_SIGNED
    commit()
    page = pay(app, admin, invoice)
    assert f"when an administrator countersigns agreement {agreement.number}" in page
    assert "the membership is active" not in page
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).status is InvoiceStatus.PAID


def test_amounts_are_read_as_people_write_them_and_mistakes_get_their_own_message(app, ctx):
    """Issue 10, point 12: "6050,00", "6,050.00" and "6 050,00" are one amount; "10.005" (ten
    thousand and five, or ten?) and "0" are refused, each with its own message, and nothing is
    recorded."""
    import pytest

    from portal.core.forms import AmountError, parse_amount

    for typed in ("6050,00", "6,050.00", "6 050,00", "6.050,00", "6\u202f050,00", "6050"):
        assert parse_amount(typed) == 6050
    for typed, message in (
        ("10.005", "could mean two amounts"),
        ("12,5,00", "Group the thousands in threes"),
        ("1.234", "could mean two amounts"),
        ("3.141", "could mean two amounts"),
        ("12.345,678", "at most two decimals"),
        ("ten", "digits only"),
    ):
        with pytest.raises(AmountError, match=message):
            parse_amount(typed)

    admin, invoice, _agreement = approved(app)
    browser = Browser(app)
    browser.login_staff(admin)
    for typed, message in (("10.005", "could mean two amounts"), ("0", "more than zero")):
        page = browser.post(
            f"/admin/invoices/{invoice.id}", {"amount": typed, "received_on": "2026-12-01", "reference": "x"}
        )
        assert page.status_code == 200 and message in text(page)
    paid = browser.post(
        f"/admin/invoices/{invoice.id}",
        {"amount": "1 000,50", "received_on": "2026-12-01", "reference": "SEPA"},
    )
    assert paid.status_code == 302
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).paid_cents == 1_000_50
