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
