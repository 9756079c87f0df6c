"""Card payment against a fake Stripe server, driven by the real stripe library; webhooks signed
with Stripe's real scheme. Figures for the closing note come from these tests."""

from __future__ import annotations

import itertools
import json
import time

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app
from portal.billing.models import CheckoutAttempt, StripeEvent
from portal.core.models import AuditEvent
from portal.extensions import db
from portal.membership import services as membership_services
from portal.membership.models import Invoice, InvoiceStatus, Membership, MembershipStatus, PaymentMethod

from ..support.browser import Browser, emails_to, location, text
from ..support.concurrency import run_simultaneously
from ..support.context import app_context
from ..support.factories import commit, make_partner
from ..support.stripe_fake import sign, signed_event
from ..support.stripe_support import SECRET, configure, deliver, make_approved, pay


def membership(approved) -> Membership:
    db.session.expire_all()
    return db.session.get(Membership, approved["membership"].id)


def effects(event_id: str) -> int:
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "stripe.subscription_synced")
    ).all()
    return sum(1 for e in events if e.details.get("event") == event_id)


# --- checkout ----------------------------------------------------------------------------------


def test_double_click_opens_one_checkout_session(stripe_app, fake, approved):
    browser = Browser(stripe_app)
    browser.login(approved["owner"].email)
    first = browser.post("/membership/pay/card")
    second = browser.post("/membership/pay/card")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(fake.checkout_sessions) == 1 and len(fake.customers) == 1
    keys = {r["idempotency_key"] for r in fake.requests_for("POST", "/v1/checkout/sessions")}
    attempt = db.session.scalar(sa.select(CheckoutAttempt))
    assert keys == {f"liaison-checkout-attempt-{attempt.id}"}
    session = next(iter(fake.checkout_sessions.values()))
    assert session["client_reference_id"] == str(approved["org"].id)
    assert session["metadata"]["membership_id"] == str(approved["membership"].id)


def test_the_success_page_grants_nothing(stripe_app, fake, approved):
    browser, *_ = pay(stripe_app, fake, approved)
    page = text(browser.get("/membership/card-return?session_id=cs_anything"))
    assert "we are confirming your payment" in page
    assert membership(approved).status is MembershipStatus.AWAITING_PAYMENT
    assert not membership_services.has_partner_access(approved["org"])


def test_checkout_completed_webhook_activates_and_voids_the_bank_invoice(stripe_app, fake, approved):
    browser, session_id, subscription, _ = pay(stripe_app, fake, approved)
    response = deliver(
        stripe_app, fake.event("checkout.session.completed", fake.checkout_sessions[session_id])
    )
    assert response.status_code == 200 and response.json == {"received": True, "duplicate": False}
    current = membership(approved)
    assert current.status is MembershipStatus.ACTIVE and current.payment_method is PaymentMethod.CARD
    assert current.stripe_subscription_id == subscription["id"]
    item = subscription["items"]["data"][0]
    assert current.period_end.isoformat() == time.strftime(
        "%Y-%m-%d", time.gmtime(item["current_period_end"])
    )
    assert membership_services.has_partner_access(approved["org"])
    assert db.session.scalar(sa.select(Invoice)).status is InvoiceStatus.VOID
    assert "Your membership is active" in emails_to("owner@acme.example")[-1].subject
    assert "active" in text(browser.get("/membership/card-return"))


def test_replaying_one_event_a_hundred_times_has_one_effect(stripe_app, fake, approved):
    _, session_id, *_ = pay(stripe_app, fake, approved)
    event = fake.event("checkout.session.completed", fake.checkout_sessions[session_id])
    answers = [deliver(stripe_app, event).json["duplicate"] for _ in range(100)]
    assert answers == [False] + [True] * 99
    db.session.expire_all()
    assert effects(event["id"]) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 1


FIVE = [
    "checkout.session.completed",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.updated",
    "customer.subscription.deleted",
]


@pytest.mark.parametrize(
    ("final_status", "expected"),
    [("canceled", MembershipStatus.CANCELLED), ("active", MembershipStatus.ACTIVE)],
)
def test_every_order_of_the_five_events_ends_in_stripes_last_state(
    stripe_app, fake, approved, final_status, expected
):
    _, session_id, subscription, invoice = pay(stripe_app, fake, approved)
    objects = {
        "checkout.session.completed": fake.checkout_sessions[session_id],
        "invoice.paid": invoice,
        "invoice.payment_failed": fake.invoice_for(subscription["id"], status="open"),
        "customer.subscription.updated": fake.subscriptions[subscription["id"]],
        "customer.subscription.deleted": fake.subscriptions[subscription["id"]],
    }
    fake.set_subscription(subscription["id"], status=final_status)  # Stripe's last state
    orders = list(itertools.permutations(FIVE))
    assert len(orders) == 120
    for order in orders:
        current = membership(approved)
        current.status, current.stripe_subscription_id, current.period_end = (
            MembershipStatus.AWAITING_PAYMENT,
            None,
            None,
        )
        commit()
        for kind in order:
            assert deliver(stripe_app, fake.event(kind, objects[kind])).status_code == 200
        assert membership(approved).status is expected, order


def test_a_late_invoice_paid_never_revives_a_cancelled_subscription(stripe_app, fake, approved):
    _, session_id, subscription, invoice = pay(stripe_app, fake, approved)
    deliver(stripe_app, fake.event("checkout.session.completed", fake.checkout_sessions[session_id]))
    fake.set_subscription(subscription["id"], status="canceled")
    deliver(stripe_app, fake.event("customer.subscription.deleted", fake.subscriptions[subscription["id"]]))
    assert membership(approved).status is MembershipStatus.CANCELLED
    deliver(stripe_app, fake.event("invoice.paid", invoice, created=fake.now() - 3600))
    assert membership(approved).status is MembershipStatus.CANCELLED
    assert not membership_services.has_partner_access(approved["org"])


@pytest.mark.parametrize("case", ["stale", "wrong secret", "changed byte", "missing header", "not json"])
def test_bad_signatures_answer_400_and_change_nothing(stripe_app, fake, approved, case):
    _, session_id, *_ = pay(stripe_app, fake, approved)
    event = fake.event("checkout.session.completed", fake.checkout_sessions[session_id])
    if case == "stale":
        response = deliver(stripe_app, event, timestamp=int(time.time()) - 301)
    elif case == "wrong secret":
        response = deliver(stripe_app, event, secret="whsec_other")
    elif case == "missing header":
        response = deliver(stripe_app, event, header="")
    else:
        payload, header = signed_event(event, SECRET)
        if case == "changed byte":
            payload = payload.replace(b'"checkout.session.completed"', b'"checkout.session.complete!"')
        else:
            payload = b"not json at all"
            header = sign(payload, SECRET)
        with stripe_app.app_context():
            response = stripe_app.test_client().post(
                "/billing/webhook",
                data=payload,
                headers={"Stripe-Signature": header},
                content_type="application/json",
            )
    assert response.status_code == 400
    assert membership(approved).status is MembershipStatus.AWAITING_PAYMENT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0


def test_unknown_event_types_answer_200(stripe_app, fake, approved):
    response = deliver(stripe_app, fake.event("charge.refunded", {"id": "ch_1", "object": "charge"}))
    assert response.status_code == 200
    assert membership(approved).status is MembershipStatus.AWAITING_PAYMENT


# --- Stripe down -------------------------------------------------------------------------


def test_stripe_unreachable_checkout_says_so_and_changes_nothing(stripe_app, fake, approved):
    browser = Browser(stripe_app)
    browser.login(approved["owner"].email)
    fake.set_unreachable()
    response = browser.post("/membership/pay/card")
    assert response.status_code == 503
    assert "Payments are temporarily unavailable" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckoutAttempt)) == 0
    assert membership(approved).stripe_customer_id is None
    page = browser.get("/membership")  # browsing works from local state
    assert page.status_code == 200 and "Pay by card" in text(page)


def test_webhook_while_stripe_is_unreachable_answers_503_then_succeeds_on_retry(stripe_app, fake, approved):
    _, session_id, *_ = pay(stripe_app, fake, approved)
    event = fake.event("checkout.session.completed", fake.checkout_sessions[session_id])
    fake.set_unreachable()
    assert deliver(stripe_app, event).status_code == 503
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0
    fake.set_reachable()
    assert deliver(stripe_app, event).json == {"received": True, "duplicate": False}
    assert membership(approved).status is MembershipStatus.ACTIVE


# --- other card actions ------------------------------------------------------------------


def test_reconcile_heals_a_missed_webhook_and_is_idempotent(stripe_app, fake, approved):
    pay(stripe_app, fake, approved)  # paid at Stripe, but no webhook ever arrived
    assert membership(approved).status is MembershipStatus.AWAITING_PAYMENT
    runner = stripe_app.test_cli_runner()
    first = runner.invoke(args=["portal", "reconcile-stripe"])
    assert first.exit_code == 0, first.output
    assert "linked 1" in first.output and "changed 1" in first.output
    assert membership(approved).status is MembershipStatus.ACTIVE
    second = runner.invoke(args=["portal", "reconcile-stripe"])
    assert "changed 0" in second.output


def test_cancel_at_period_end_and_billing_portal(stripe_app, fake, approved):
    browser, session_id, subscription, _ = pay(stripe_app, fake, approved)
    deliver(stripe_app, fake.event("checkout.session.completed", fake.checkout_sessions[session_id]))
    portal = browser.post("/membership/billing-portal")
    assert portal.status_code == 303 and portal.headers["Location"].startswith("https://billing.stripe.test/")
    response = browser.post("/membership/cancel")
    assert location(response) == "/membership"
    assert fake.subscriptions[subscription["id"]]["cancel_at_period_end"] is True
    current = membership(approved)
    assert current.auto_renew is False and current.status is MembershipStatus.ACTIVE
    assert "will not renew" in text(browser.get("/membership"))
    assert location(browser.post("/membership/resume")) == "/membership"  # changed their mind
    assert fake.subscriptions[subscription["id"]]["cancel_at_period_end"] is False
    assert membership(approved).auto_renew is True


def test_card_payment_is_hidden_without_stripe_keys(app, ctx):
    approved = make_approved(app)
    browser = Browser(app)
    browser.login(approved["owner"].email)
    assert "Pay by card" not in text(browser.get("/membership"))
    assert location(browser.post("/membership/pay/card")) == "/membership"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckoutAttempt)) == 0


def test_members_cannot_pay_or_cancel(stripe_app, fake, approved):
    from portal.partners.models import OrgRole

    member = make_partner(organisation=approved["org"], roles={OrgRole.MEMBER})
    commit()
    browser = Browser(stripe_app)
    browser.login(member.email)
    assert browser.post("/membership/pay/card").status_code == 403
    assert browser.post("/membership/cancel").status_code == 403


# --- 32 simultaneous deliveries, with real commits -------------------------------------------


def test_32_simultaneous_deliveries_of_one_event_have_one_effect(scratch_database, fake, monkeypatch):
    app = create_app("testing", {"DATABASE_URL": scratch_database})
    configure(app, fake)
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))  # real transactions
    with app_context(app):
        upgrade()
        approved = make_approved(app)
        db.session.commit()
        membership_id = approved["membership"].id
        with app_context(app):
            from portal.membership import card as billing

            url = billing.start_checkout(approved["owner"], approved["org"])
            db.session.commit()
    session_id = url.rsplit("/", 1)[1]
    fake.complete_checkout(session_id)
    payload, header = signed_event(
        fake.event("checkout.session.completed", fake.checkout_sessions[session_id]), SECRET
    )
    event_id = json.loads(payload)["id"]

    def deliver_once(_: int) -> int:
        headers = {"Stripe-Signature": header}
        response = app.test_client().post("/billing/webhook", data=payload, headers=headers)
        return response.status_code

    statuses = run_simultaneously(32, deliver_once)
    with app_context(app):
        synced = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "stripe.subscription_synced")
        ).all()
        assert sum(1 for e in synced if e.details.get("event") == event_id) == 1
        assert db.session.get(Membership, membership_id).status is MembershipStatus.ACTIVE
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 1
        db.session.remove()
        db.engine.dispose()
    assert statuses == [200] * 32  # every delivery acknowledged, one of them with the effect


def test_a_database_failure_answers_500_and_keeps_nothing_so_stripe_retries(
    stripe_app, fake, approved, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    from portal.membership import card as billing

    _, session_id, *_ = pay(stripe_app, fake, approved)
    event = fake.event("checkout.session.completed", fake.checkout_sessions[session_id])
    real = billing.handle_event

    def broken(evt):
        real(evt)  # the effect happens in the transaction...
        raise OperationalError(
            "UPDATE membership", {}, Exception("database went away")
        )  # ...then the DB fails

    monkeypatch.setattr(billing, "handle_event", broken)
    assert deliver(stripe_app, event).status_code == 500
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0
    assert membership(approved).status is MembershipStatus.AWAITING_PAYMENT  # all or nothing
    monkeypatch.setattr(billing, "handle_event", real)
    assert deliver(stripe_app, event).json == {"received": True, "duplicate": False}  # Stripe's retry
    assert membership(approved).status is MembershipStatus.ACTIVE


def test_the_csp_lets_the_pay_button_lead_to_stripe(stripe_app, fake, approved):
    from urllib.parse import urlsplit

    stripe_app.config["CSP_FORM_ACTION_EXTRA"] = ["https://checkout.stripe.test"]
    try:
        browser = Browser(stripe_app)
        browser.login(approved["owner"].email)
        page = browser.get("/membership")
        policy = page.headers["Content-Security-Policy"]
        form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action")).split()[1:]
        assert "https://checkout.stripe.com" in form_action and "https://billing.stripe.com" in form_action
        target = urlsplit(browser.post("/membership/pay/card").headers["Location"])
        assert f"{target.scheme}://{target.netloc}" in form_action
    finally:
        stripe_app.config["CSP_FORM_ACTION_EXTRA"] = None
    plain = Browser(stripe_app).get("/")
    assert "stripe" in plain.headers["Content-Security-Policy"]  # card payment is on in this app


def test_without_card_payment_forms_post_only_to_the_portal(app):
    policy = Browser(app).get("/").headers["Content-Security-Policy"]
    assert "form-action 'self';" in policy
