"""Changing tier: upgrades are prorated and start when paid; downgrades start at the next period."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.core.money import format_money
from portal.extensions import db
from portal.membership import services
from portal.membership.models import Invoice, InvoiceStatus, Membership, MembershipStatus, PaymentMethod

from ..support.browser import Browser, location, text
from ..support.context import app_context
from ..support.factories import (
    commit,
    make_executed_partnership,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)
from ..support.stripe_support import deliver, make_approved, pay

TODAY = date.today()


@pytest.fixture
def member(ctx):
    organisation = make_organisation(legal_name="Nordlicht Energy AS", country="NO")
    owner = make_partner(organisation=organisation, email="owner@nordlicht.example")
    low = make_tier(slug="associate", name="Associate", annual_fee_cents=5_000_00)
    high = make_tier(slug="strategic", name="Strategic", annual_fee_cents=100_000_00)
    start = TODAY - timedelta(days=100)
    membership = Membership(
        organisation=organisation,
        tier=make_tier(slug="partner", name="Partner", annual_fee_cents=25_000_00),
        status=MembershipStatus.ACTIVE,
        period_start=start,
        period_end=start.replace(year=start.year + 1) - timedelta(days=1),
    )
    db.session.add(membership)
    make_executed_partnership(organisation)
    commit()
    return {"owner": owner, "membership": membership, "low": low, "high": high}


def fresh(membership) -> Membership:
    db.session.expire_all()
    return db.session.get(Membership, membership.id)


def test_invoice_payer_upgrade_is_prorated_and_starts_when_paid(app, member):
    m = member["membership"]
    browser = Browser(app)
    browser.login(member["owner"].email)
    preview = text(browser.get("/membership/change?tier=strategic"))
    days_left = (m.period_end - TODAY).days + 1
    period_days = (m.period_end - m.period_start).days + 1
    expected = round((100_000_00 - 25_000_00) * days_left / period_days)
    assert format_money(expected, "EUR") in preview
    assert location(browser.post("/membership/change", {"tier": "strategic"})) == "/membership"
    invoice = db.session.scalar(sa.select(Invoice))
    assert invoice.purpose == "upgrade" and invoice.net_cents == expected
    assert (invoice.period_start, invoice.period_end) == (TODAY, m.period_end)
    assert fresh(m).tier.slug == "partner"  # not before payment

    staff = make_staff()
    commit()
    with app_context(app):
        services.record_payment(staff, invoice, invoice.total_cents, TODAY, "upgrade")
        commit()
    current = fresh(m)
    assert current.tier.slug == "strategic" and current.period_end == m.period_end
    assert db.session.get(Invoice, invoice.id).status is InvoiceStatus.PAID


def test_invoice_payer_downgrade_waits_for_the_next_period(app, member):
    m = member["membership"]
    browser = Browser(app)
    browser.login(member["owner"].email)
    page = text(browser.get("/membership/change?tier=associate"))
    assert "Nothing is charged now" in page
    browser.post("/membership/change", {"tier": "associate"})
    current = fresh(m)
    assert current.tier.slug == "partner" and current.pending_tier.slug == "associate"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0
    assert "Moves to <strong>Associate</strong>" in text(browser.get("/membership"))

    # The renewal invoice is at the new tier's fee, and paying it switches the tier.
    result = app.test_cli_runner().invoke(
        args=["portal", "send-reminders", "--today", (m.period_end - timedelta(days=60)).isoformat()]
    )
    assert result.exit_code == 0, result.output
    renewal = db.session.scalar(sa.select(Invoice))
    assert renewal.net_cents == 5_000_00 and renewal.period_start == m.period_end + timedelta(days=1)
    staff = make_staff()
    commit()
    with app_context(app):
        services.record_payment(staff, renewal, renewal.total_cents, TODAY, "renewal")
        commit()
    current = fresh(m)
    assert current.tier.slug == "associate" and current.pending_tier_id is None


def test_a_scheduled_downgrade_can_be_undone(app, member):
    browser = Browser(app)
    browser.login(member["owner"].email)
    browser.post("/membership/change", {"tier": "associate"})
    browser.post("/membership/change/cancel")
    assert fresh(member["membership"]).pending_tier_id is None


def test_tier_change_refusals(app, member):
    browser = Browser(app)
    browser.login(member["owner"].email)
    same = browser.post("/membership/change", {"tier": "partner"})
    assert location(same) == "/membership"
    assert "already your tier" in text(browser.get("/membership"))
    fresh(member["membership"]).status = MembershipStatus.AWAITING_PAYMENT
    commit()
    browser.post("/membership/change", {"tier": "strategic"})
    assert "Only an active membership" in text(browser.get("/membership"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0


@pytest.fixture
def card_member(stripe_app, fake, ctx):
    """An active Partner membership paid by card, with Strategic and Associate tiers on offer."""
    for slug, fee in (("strategic", 100_000_00), ("associate", 5_000_00)):
        fake.add_price(f"price_{slug}", fee)
    approved = make_approved(stripe_app)
    make_tier(
        slug="strategic", name="Strategic", annual_fee_cents=100_000_00, stripe_price_id="price_strategic"
    )
    make_tier(
        slug="associate", name="Associate", annual_fee_cents=5_000_00, stripe_price_id="price_associate"
    )
    commit()
    browser, session_id, subscription, _ = pay(stripe_app, fake, approved)
    deliver(stripe_app, fake.event("checkout.session.completed", fake.checkout_sessions[session_id]))
    return {"browser": browser, "subscription": subscription, "membership": approved["membership"]}


def test_card_upgrade_previews_the_proration_and_charges_at_once(fake, card_member):
    browser, subscription = card_member["browser"], card_member["subscription"]
    page = text(browser.get("/membership/change?tier=strategic"))
    assert "To pay now" in page
    assert fake.requests_for("POST", "/v1/invoices/create_preview")
    browser.post("/membership/change", {"tier": "strategic"})
    update = fake.requests_for("POST", f"/v1/subscriptions/{subscription['id']}")[-1]
    assert update["params"]["proration_behavior"] == "always_invoice"
    assert update["idempotency_key"].startswith("liaison-upgrade-")
    current = fresh(card_member["membership"])
    assert current.tier.slug == "strategic" and current.payment_method is PaymentMethod.CARD


def test_card_downgrade_is_applied_the_day_before_renewal_without_proration(stripe_app, fake, card_member):
    browser, subscription = card_member["browser"], card_member["subscription"]
    browser.post("/membership/change", {"tier": "associate"})
    m = fresh(card_member["membership"])
    assert m.pending_tier.slug == "associate" and m.tier.slug == "partner"
    runner = stripe_app.test_cli_runner()
    runner.invoke(
        args=["portal", "send-reminders", "--today", (m.period_end - timedelta(days=5)).isoformat()]
    )
    assert fresh(m).tier.slug == "partner"  # not yet
    result = runner.invoke(
        args=["portal", "send-reminders", "--today", (m.period_end - timedelta(days=1)).isoformat()]
    )
    assert result.exit_code == 0, result.output
    update = fake.requests_for("POST", f"/v1/subscriptions/{subscription['id']}")[-1]
    assert update["params"]["proration_behavior"] == "none"
    assert fake.subscriptions[subscription["id"]]["items"]["data"][0]["price"]["id"] == "price_associate"
    current = fresh(m)
    assert current.tier.slug == "associate" and current.pending_tier_id is None
