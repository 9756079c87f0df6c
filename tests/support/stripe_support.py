"""Card payment test support: settings pointing the app at the fake Stripe server, and the steps
a payer takes (approve, pay by card, webhook delivery)."""

from __future__ import annotations

from portal.extensions import db
from portal.membership import services as membership_services

from .browser import Browser
from .context import app_context
from .factories import (
    commit,
    execute_partnership,
    make_application,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)
from .stripe_fake import signed_event

SECRET = "whsec_test_liaison"
PRICE = "price_partner_yearly"


def configure(app, fake) -> dict:
    saved = {
        k: app.config.get(k)
        for k in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "STRIPE_MAX_RETRIES")
    }
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_liaison",
        STRIPE_WEBHOOK_SECRET=SECRET,
        STRIPE_API_BASE=fake.base_url,
        STRIPE_MAX_RETRIES=0,
    )
    app.extensions.pop("stripe_client", None)
    return saved


def make_approved(app, executed: bool = True):
    """An approved application: the membership awaits payment and an invoice is open; the
    partnership agreement is executed unless asked otherwise (so payment alone activates)."""
    organisation = make_organisation(legal_name="Acme Robotics GmbH", country="DE", vat_number="DE136695976")
    owner = make_partner(organisation=organisation, email="owner@acme.example")
    staff = make_staff()
    tier = make_tier(slug="partner", name="Partner", stripe_price_id=PRICE)
    application = make_application(organisation, tier, vat_number="DE136695976")
    with app_context(app):
        membership = membership_services.approve_application(staff, application, staff)
    commit()
    if executed:
        execute_partnership(organisation)
    return {"org": organisation, "owner": owner, "membership": membership, "tier": tier}


def deliver(app, event: dict, secret: str = SECRET, timestamp: int | None = None, header: str | None = None):
    payload, signature = signed_event(event, secret, timestamp)
    headers = {"Stripe-Signature": header if header is not None else signature}
    with app_context(app):
        return app.test_client().post(
            "/billing/webhook", data=payload, headers=headers, content_type="application/json"
        )


def pay(app, fake, approved) -> tuple[Browser, str, dict, dict]:
    """The owner clicks "Pay by card" and completes Stripe Checkout (no webhook delivered yet)."""
    browser = Browser(app)
    browser.login(approved["owner"].email)
    response = browser.post("/membership/pay/card")
    assert response.status_code == 303 and response.headers["Location"].startswith(
        "https://checkout.stripe.test/"
    )
    session_id = response.headers["Location"].rsplit("/", 1)[1]
    subscription, invoice = fake.complete_checkout(session_id)
    return browser, session_id, subscription, invoice


def make_second_card_member(app, subscription_id: str, customer_id: str):
    """Another organisation's membership that pays by card through a subscription Stripe may no
    longer know."""
    from portal.membership.models import Membership, MembershipStatus, PaymentMethod

    organisation = make_organisation(legal_name="Gone Card Ltd", country="GB")
    tier = make_tier(slug="gone-tier", name="Gone tier")
    membership = Membership(
        organisation=organisation,
        tier=tier,
        status=MembershipStatus.ACTIVE,
        payment_method=PaymentMethod.CARD,
        stripe_customer_id=customer_id,
        stripe_subscription_id=subscription_id,
    )
    db.session.add(membership)
    commit()
    return membership
