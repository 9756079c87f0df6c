"""Regression tests for defects found in review: each failed before its fix."""

from __future__ import annotations

import time
from datetime import date, timedelta
from email import message_from_bytes

import sqlalchemy as sa

from portal.core.mail import deliver_pending, queue_email
from portal.core.models import Email, EmailStatus
from portal.extensions import db
from portal.membership import services, vat
from portal.membership.models import (
    Application,
    Invoice,
    InvoiceStatus,
    Membership,
    MembershipStatus,
    PaymentMethod,
)

from ..support.browser import Browser, emails_to, location
from ..support.context import app_context
from ..support.factories import APPLY, commit, make_organisation, make_partner, make_staff, make_tier
from ..support.smtp import smtp_server
from ..support.stripe_support import deliver, pay

TODAY = date.today()


def active_member(tier, **overrides):
    organisation = make_organisation(country="NO", legal_name="Nordlicht Energy AS")
    owner = make_partner(organisation=organisation, email="owner@nordlicht.example")
    values = {
        "organisation": organisation,
        "tier": tier,
        "status": MembershipStatus.ACTIVE,
        "period_start": TODAY - timedelta(days=300),
        "period_end": TODAY + timedelta(days=50),
    }
    values.update(overrides)
    membership = Membership(**values)
    db.session.add(membership)
    commit()
    return owner, membership


def test_a_non_eu_tax_number_is_kept_as_typed(app, ctx):
    make_tier(slug="partner", name="Partner")
    owner = make_partner(organisation=make_organisation(country="NO"))
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    response = browser.post("/membership/apply", {**APPLY, "vat_number": "no 923609016 mva"})
    assert location(response) == "/membership"
    assert db.session.scalar(sa.select(Application.vat_number)) == "NO 923609016 MVA"


def test_a_line_break_in_a_name_neither_breaks_headers_nor_blocks_other_mail(app, ctx):
    app.config.update(MAIL_BACKEND="smtp", MAIL_USE_TLS=False)
    try:
        with smtp_server(app) as inbox, app_context(app):
            bad = Email(
                to_address="x@example.com\nBcc: victim@example.com",
                subject="s",
                body_text="t",
                body_html="h",
                template="t",
            )
            db.session.add(bad)
            queue_email(
                "a@example.com",
                "Application from Evil\r\nBcc: victim@example.com",
                "password_changed",
                user=make_partner(),
                reset_url="http://x",
            )
            db.session.commit()
            sent, failed = deliver_pending()
    finally:
        app.config.update(MAIL_BACKEND="memory")
    assert (sent, failed) == (1, 1)
    (message,) = inbox.messages
    assert message.rcpt_tos == ["a@example.com"]
    parsed = message_from_bytes(message.content)
    assert " ".join(parsed["Subject"].split()) == (
        "[Industry Partnership Programme] Application from Evil Bcc: victim@example.com"
    )  # one header line (folded by the mailer), not an injected Bcc header
    assert parsed["Bcc"] is None
    db.session.expire_all()
    assert (
        db.session.get(Email, bad.id).status is EmailStatus.PENDING
        and db.session.get(Email, bad.id).attempts == 1
    )


def test_odd_amounts_in_the_payment_form_are_refused_without_a_500(app, ctx):
    staff = make_staff()
    organisation = make_organisation()
    invoice = Invoice(
        number="INV-T-1",
        organisation_id=organisation.id,
        issued_on=TODAY,
        due_on=TODAY,
        description="d",
        currency="EUR",
        net_cents=100,
        total_cents=100,
        vat_treatment=vat.VatTreatment.OUTSIDE_EU,
        payment_reference="r",
        buyer={},
        seller={},
    )
    db.session.add(invoice)
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    for amount in ("Infinity", "sNaN", "1e400", "-5"):
        response = browser.post(
            f"/admin/invoices/{invoice.id}", {"amount": amount, "received_on": TODAY.isoformat()}
        )
        assert response.status_code == 200, amount
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).payments == []


def test_a_failed_card_renewal_keeps_the_last_paid_period_end(stripe_app, fake, approved):
    _, session_id, subscription, _ = pay(stripe_app, fake, approved)
    deliver(stripe_app, fake.event("checkout.session.completed", fake.checkout_sessions[session_id]))
    db.session.expire_all()
    paid_end = db.session.get(Membership, approved["membership"].id).period_end
    next_end = int(time.time()) + 2 * 365 * 86400
    fake.set_subscription(subscription["id"], status="past_due", current_period_end=next_end)
    failed = fake.invoice_for(subscription["id"], status="open")
    deliver(stripe_app, fake.event("invoice.payment_failed", failed))
    db.session.expire_all()
    membership = db.session.get(Membership, approved["membership"].id)
    assert membership.status is MembershipStatus.PAST_DUE and membership.period_end == paid_end
    assert not services.has_partner_access(approved["org"], today=paid_end + timedelta(days=31))


def test_paying_the_renewal_after_an_upgrade_keeps_the_upgrade(app, ctx):
    low, high = (
        make_tier(slug="partner", annual_fee_cents=25_000_00),
        make_tier(slug="strategic", annual_fee_cents=100_000_00),
    )
    owner, membership = active_member(low)
    staff = make_staff()
    commit()
    with app_context(app):
        from portal.membership import changes, renewals

        renewals.run_renewals(TODAY)  # the renewal invoice, at the old tier
        upgrade = changes.change_tier(owner, membership, high)
        services.record_payment(staff, upgrade, upgrade.total_cents, TODAY, "upgrade")
        renewal = db.session.scalar(sa.select(Invoice).where(Invoice.purpose == "membership"))
        services.record_payment(staff, renewal, renewal.total_cents, TODAY, "renewal")
        commit()
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).tier.slug == "strategic"


def test_stopping_and_resuming_renewal_voids_then_reissues_the_renewal_invoice(app, ctx):
    owner, _ = active_member(make_tier(slug="partner"))
    browser = Browser(app)
    browser.login(owner.email)
    runner = app.test_cli_runner()
    runner.invoke(args=["portal", "send-reminders", "--today", TODAY.isoformat()])
    assert db.session.scalar(sa.select(Invoice)).status is InvoiceStatus.OPEN
    browser.post("/membership/cancel")
    db.session.expire_all()
    assert db.session.scalar(sa.select(Invoice)).status is InvoiceStatus.VOID
    browser.post("/membership/resume")
    runner.invoke(args=["portal", "send-reminders", "--today", (TODAY + timedelta(days=1)).isoformat()])
    db.session.expire_all()
    statuses = sorted(i.status.value for i in db.session.scalars(sa.select(Invoice)))
    assert statuses == ["open", "void"]
    assert len([e for e in emails_to("owner@nordlicht.example") if "renews in" in e.subject]) == 1


def test_a_returning_member_starts_clean(app, ctx):
    low, high = make_tier(slug="partner"), make_tier(slug="associate", annual_fee_cents=1_000_00)
    _, membership = active_member(
        low,
        status=MembershipStatus.CANCELLED,
        auto_renew=False,
        pending_tier=high,
        payment_method=PaymentMethod.CARD,
        stripe_subscription_id="sub_old",
    )
    staff = make_staff()
    application = Application(
        organisation=membership.organisation,
        tier=low,
        signatory_name="I",
        signatory_title="CTO",
        billing_name="I",
        billing_email="b@example.com",
        billing_address="Oslo",
    )
    db.session.add(application)
    commit()
    with app_context(app):
        services.approve_application(staff, application, staff)
        commit()
    db.session.expire_all()
    current = db.session.get(Membership, membership.id)
    assert current.pending_tier_id is None and current.auto_renew and current.stripe_subscription_id is None
    invoice = db.session.scalar(sa.select(Invoice))
    assert invoice.tier_id == low.id and invoice.net_cents == low.annual_fee_cents
