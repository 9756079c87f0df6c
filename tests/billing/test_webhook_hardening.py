"""Issue 9, points 2 and 3: events about objects Stripe no longer knows, malformed events, a
reconciliation that meets a bad membership, and late events about an old subscription."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.billing.models import StripeEvent
from portal.extensions import db
from portal.membership import services as membership_services
from portal.membership.models import Membership, MembershipStatus

from ..support.context import app_context
from ..support.factories import commit, make_application, make_staff
from ..support.stripe_support import deliver, pay


def current(approved) -> Membership:
    db.session.expire_all()
    return db.session.get(Membership, approved["membership"].id)


def missing_subscription_event(fake, kind: str) -> dict:
    if kind == "checkout.session.completed":
        obj = {"id": "cs_gone", "object": "checkout.session", "subscription": "sub_gone", "metadata": {}}
    elif kind == "invoice.paid":
        obj = {
            "id": "in_gone",
            "object": "invoice",
            "parent": {"subscription_details": {"subscription": "sub_gone"}},
        }
    else:
        obj = {"id": "sub_gone", "object": "subscription", "customer": "cus_gone", "metadata": {}}
    return fake.event(kind, obj)


@pytest.mark.parametrize(
    "kind",
    [
        "invoice.paid",
        "checkout.session.completed",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    ],
)
def test_an_event_about_a_subscription_stripe_answers_404_for_is_acknowledged_and_changes_nothing(
    stripe_app, fake, approved, kind
):
    before = current(approved).status
    event = missing_subscription_event(fake, kind)
    first = deliver(stripe_app, event)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.get_json().get("ignored")  # says why nothing happened
    assert deliver(stripe_app, event).status_code == 200  # and again: Stripe stops retrying
    assert current(approved).status is before
    assert db.session.get(StripeEvent, event["id"]) is not None


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.pop("data"),
        lambda e: e.update(data=[1, 2]),
        lambda e: e["data"].update(object="sub_123"),
        lambda e: e["data"]["object"].update(metadata=["membership_id", "1"]),
        lambda e: e.update(created="yesterday"),
        lambda e: e.update(type=["customer.subscription.updated"]),
    ],
    ids=["no data", "data a list", "object a string", "metadata a list", "created a string", "type a list"],
)
def test_a_correctly_signed_but_malformed_event_answers_400(stripe_app, fake, approved, change):
    event = fake.event(
        "customer.subscription.updated", {"id": "sub_x", "object": "subscription", "metadata": {}}
    )
    change(event)
    response = deliver(stripe_app, event)
    assert response.status_code == 400
    assert "malformed" in response.get_json()["error"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0


def test_reconcile_goes_past_a_membership_whose_subscription_is_gone_and_reports_it(
    stripe_app, fake, approved
):
    from ..support.stripe_support import make_second_card_member

    gone = make_second_card_member(stripe_app, subscription_id="sub_gone", customer_id="cus_gone")
    pay(stripe_app, fake, approved)  # paid at Stripe, webhook never arrived
    result = stripe_app.test_cli_runner().invoke(args=["portal", "reconcile-stripe"])
    assert "failed 1" in result.output and "linked 1" in result.output, result.output
    assert f"membership {gone.id}" in result.output  # which one, for the operator
    assert result.exit_code == 1  # the job tells cron something needs a look
    assert current(approved).status is MembershipStatus.ACTIVE  # the good one was reconciled


def test_a_late_cancellation_of_an_old_subscription_leaves_a_re_approved_membership_alone(
    stripe_app, fake, approved
):
    browser, session_id, subscription, _ = pay(stripe_app, fake, approved)
    deliver(stripe_app, fake.event("checkout.session.completed", fake.checkout_sessions[session_id]))
    assert current(approved).status is MembershipStatus.ACTIVE
    # The company applies again and is approved again: no current subscription, awaiting payment.
    staff = make_staff()
    with app_context(stripe_app):
        membership_services.approve_application(
            staff, make_application(approved["org"], approved["tier"]), staff
        )
    commit()
    assert current(approved).status is MembershipStatus.AWAITING_PAYMENT
    fake.subscriptions[subscription["id"]]["status"] = "canceled"
    late = deliver(
        stripe_app, fake.event("customer.subscription.deleted", fake.subscriptions[subscription["id"]])
    )
    assert late.status_code == 200
    after = current(approved)
    assert after.status is MembershipStatus.AWAITING_PAYMENT
    assert after.stripe_subscription_id is None
    pay_again = browser.post("/membership/pay/card")
    assert pay_again.status_code == 303 and pay_again.headers["Location"].startswith(
        "https://checkout.stripe.test/"
    )
