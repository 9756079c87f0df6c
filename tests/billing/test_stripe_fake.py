"""The fake Stripe server, driven by the real stripe library (StripeClient, v1 namespace)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
import stripe

from ..support.stripe_fake import API_VERSION, FakeStripe, add_interval, decode_form, sign, signed_event

YEAR_START = 1_767_225_600  # 2026-01-01T00:00:00Z
WHSEC = "whsec_test_secret"


@pytest.fixture
def fake():
    with FakeStripe() as server:
        server.add_price("price_silver", 20_000, product_name="Silver membership")
        server.add_price("price_gold", 50_000, product_name="Gold membership")
        yield server


@pytest.fixture
def client(fake):
    return stripe.StripeClient(
        "sk_test_fake",
        base_addresses={"api": fake.base_url},
        max_network_retries=0,
        stripe_version=API_VERSION,
    )


def checkout(client, customer_id: str, price: str = "price_silver"):
    return client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": customer_id,
            "line_items": [{"price": price, "quantity": 1}],
            "client_reference_id": "membership-7",
            "metadata": {"organisation_id": "7", "membership_id": "12"},
            "subscription_data": {"metadata": {"membership_id": "12"}},
            "success_url": "https://portal.test/billing/done?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": "https://portal.test/billing/cancelled",
        },
        options={"idempotency_key": f"checkout-{customer_id}-{price}"},
    )


def subscribed(fake, client, period_start: int | None = None):
    customer = client.v1.customers.create(params={"email": "a@b.c", "name": "Acme"})
    session = checkout(client, customer.id)
    return fake.complete_checkout(session.id, period_start=period_start)


def raw(fake, method: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(fake.base_url + path, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def test_decode_form_bracket_syntax():
    pairs = [
        ("line_items[0][price]", "price_x"),
        ("line_items[0][quantity]", "1"),
        ("line_items[1][price]", "price_y"),
        ("metadata[organisation_id]", "7"),
        ("metadata[flag]", "true"),
        ("subscription_data[metadata][k]", "v"),
        ("cancel_at_period_end", "true"),
        ("expand[0]", "latest_invoice"),
        ("email", "a@b.c"),
    ]
    assert decode_form(pairs) == {
        "line_items": [{"price": "price_x", "quantity": "1"}, {"price": "price_y"}],
        "metadata": {"organisation_id": "7", "flag": "true"},
        "subscription_data": {"metadata": {"k": "v"}},
        "cancel_at_period_end": True,
        "expand": ["latest_invoice"],
        "email": "a@b.c",
    }


def test_add_interval_is_calendar_aware():
    assert add_interval(YEAR_START, "year") == 1_798_761_600  # 2027-01-01
    leap_day = 1_709_164_800  # 2024-02-29
    assert add_interval(leap_day, "year") == 1_740_700_800  # 2025-02-28
    assert add_interval(1_769_817_600, "month") == 1_772_236_800  # 2026-01-31 -> 2026-02-28


def test_customer_create_and_idempotent_replay(fake, client):
    params = {"email": "a@b.c", "name": "Acme", "metadata": {"organisation_id": "7"}}
    first = client.v1.customers.create(params=params, options={"idempotency_key": "customer-org-7"})
    again = client.v1.customers.create(params=params, options={"idempotency_key": "customer-org-7"})

    assert first.id.startswith("cus_")
    assert again.id == first.id
    assert len(fake.customers) == 1
    assert first.email == "a@b.c" and first.name == "Acme"
    assert first.metadata.to_dict() == {"organisation_id": "7"}
    assert first.currency == "eur" and isinstance(first.created, int) and first.livemode is False
    assert fake.requests[0] == {
        "method": "POST",
        "path": "/v1/customers",
        "params": params,
        "idempotency_key": "customer-org-7",
    }
    assert client.v1.customers.retrieve(first.id).email == "a@b.c"


def test_same_idempotency_key_with_other_params_is_refused(fake, client):
    client.v1.customers.create(params={"email": "a@b.c"}, options={"idempotency_key": "customer-org-7"})
    with pytest.raises(stripe.IdempotencyError) as info:
        client.v1.customers.create(params={"email": "x@y.z"}, options={"idempotency_key": "customer-org-7"})
    assert info.value.http_status == 400
    assert info.value.error.type == "idempotency_error"
    assert len(fake.customers) == 1


def test_posts_without_own_key_get_a_random_one(fake, client):
    a = client.v1.customers.create(params={"email": "a@b.c"})
    b = client.v1.customers.create(params={"email": "a@b.c"})
    assert a.id != b.id
    keys = [r["idempotency_key"] for r in fake.requests_for("POST", "/v1/customers")]
    assert all(keys) and keys[0] != keys[1]


def test_checkout_session_round_trip(fake, client):
    customer = client.v1.customers.create(params={"email": "a@b.c"})
    session = checkout(client, customer.id)

    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert session.url == f"https://checkout.stripe.test/pay/{session.id}"
    assert (session.status, session.payment_status, session.mode) == ("open", "unpaid", "subscription")
    assert session.customer == customer.id
    assert session.client_reference_id == "membership-7"
    assert session.metadata.to_dict() == {"organisation_id": "7", "membership_id": "12"}
    assert session.success_url.endswith("session_id={CHECKOUT_SESSION_ID}")
    assert session.cancel_url == "https://portal.test/billing/cancelled"
    assert session.subscription is None
    assert session.amount_total == 20_000 and session.currency == "eur"

    sent = fake.requests[-1]["params"]
    assert sent["line_items"] == [{"price": "price_silver", "quantity": "1"}]
    assert sent["subscription_data"] == {"metadata": {"membership_id": "12"}}
    assert client.v1.checkout.sessions.retrieve(session.id).to_dict() == session.to_dict()


def test_complete_checkout_then_retrieve_subscription(fake, client):
    sub, invoice = subscribed(fake, client, period_start=YEAR_START)
    assert isinstance(sub, dict) and isinstance(invoice, dict)

    live = client.v1.subscriptions.retrieve(sub["id"])
    assert live.id.startswith("sub_") and live.status == "active"
    assert live.cancel_at_period_end is False
    item = live["items"].data[0]
    assert item.id.startswith("si_")
    assert item.price.id == "price_silver" and item.price.unit_amount == 20_000
    assert item.current_period_start == YEAR_START
    assert item.current_period_end == add_interval(YEAR_START, "year")
    assert item.quantity == 1
    assert "current_period_end" not in live.to_dict()
    assert live.metadata.to_dict() == {"organisation_id": "7", "membership_id": "12"}
    assert live.latest_invoice == invoice["id"]

    stored = client.v1.checkout.sessions.retrieve(next(iter(fake.checkout_sessions)))
    assert (stored.status, stored.payment_status, stored.subscription) == ("complete", "paid", sub["id"])

    paid = client.v1.invoices.retrieve(invoice["id"])
    assert paid.id.startswith("in_") and paid.status == "paid"
    assert paid.amount_paid == paid.total == 20_000 and paid.currency == "eur"
    assert paid.parent.subscription_details.subscription == sub["id"]
    assert paid.lines.data[0].period.to_dict() == {"start": YEAR_START, "end": item.current_period_end}
    assert paid.customer == sub["customer"]
    assert "subscription" not in paid.to_dict()


def test_expand_latest_invoice(fake, client):
    sub, invoice = subscribed(fake, client)
    live = client.v1.subscriptions.retrieve(sub["id"], params={"expand": ["latest_invoice"]})
    assert live.latest_invoice.id == invoice["id"]
    assert fake.requests[-1]["params"] == {"expand": ["latest_invoice"]}


def test_cancel_at_period_end_and_undo(fake, client):
    sub, _ = subscribed(fake, client)
    updated = client.v1.subscriptions.update(
        sub["id"], params={"cancel_at_period_end": True}, options={"idempotency_key": "cancel-1"}
    )
    assert updated.cancel_at_period_end is True
    assert updated.cancel_at == updated["items"].data[0].current_period_end
    assert updated.status == "active"
    assert fake.requests[-1]["params"] == {"cancel_at_period_end": True}

    undone = client.v1.subscriptions.update(sub["id"], params={"cancel_at_period_end": False})
    assert undone.cancel_at_period_end is False and undone.cancel_at is None


def test_update_price_and_metadata(fake, client):
    sub, _ = subscribed(fake, client)
    item_id = sub["items"]["data"][0]["id"]
    updated = client.v1.subscriptions.update(
        sub["id"],
        params={
            "items": [{"id": item_id, "price": "price_gold"}],
            "proration_behavior": "always_invoice",
            "metadata": {"tier": "gold", "membership_id": ""},
        },
    )
    assert updated["items"].data[0].price.id == "price_gold"
    assert updated.metadata.to_dict() == {"organisation_id": "7", "tier": "gold"}
    proration = client.v1.invoices.retrieve(updated.latest_invoice)
    assert proration.billing_reason == "subscription_update"
    assert proration.amount_due > 0


def test_delete_cancels(fake, client):
    sub, _ = subscribed(fake, client)
    canceled = client.v1.subscriptions.cancel(sub["id"])
    assert canceled.status == "canceled"
    assert isinstance(canceled.canceled_at, int) and isinstance(canceled.ended_at, int)
    assert fake.subscriptions[sub["id"]]["status"] == "canceled"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.update(sub["id"], params={"cancel_at_period_end": True})


def test_list_by_customer_and_status(fake, client):
    first, _ = subscribed(fake, client)
    second, _ = subscribed(fake, client)
    customer = first["customer"]
    fake.set_subscription(first["id"], status="canceled")

    listed = client.v1.subscriptions.list(params={"customer": customer, "status": "all"})
    assert listed.object == "list" and listed.has_more is False and listed.url == "/v1/subscriptions"
    assert [s.id for s in listed.data] == [first["id"]]
    assert client.v1.subscriptions.list(params={"customer": customer}).data == []
    assert [s.id for s in client.v1.subscriptions.list(params={"status": "active"}).data] == [second["id"]]
    assert len(client.v1.subscriptions.list(params={"status": "all"}).data) == 2


def test_create_preview_for_an_upgrade(fake, client):
    start = int(time.time()) - 100 * 86_400
    sub, _ = subscribed(fake, client, period_start=start)
    fake.frozen_now = start + 100 * 86_400
    item = sub["items"]["data"][0]
    end = item["current_period_end"]

    preview = client.v1.invoices.create_preview(
        params={
            "customer": sub["customer"],
            "subscription": sub["id"],
            "subscription_details": {
                "items": [{"id": item["id"], "price": "price_gold"}],
                "proration_behavior": "always_invoice",
            },
        }
    )
    fraction = (end - fake.frozen_now) / (end - start)
    expected = round(50_000 * fraction) - round(20_000 * fraction)
    assert preview.amount_due == expected == preview.total
    assert 0 < expected < 30_000
    assert preview.status == "draft" and preview.id.startswith("upcoming_in_")
    assert preview.parent.subscription_details.subscription == sub["id"]
    lines = preview.lines.data
    assert [line.parent.subscription_item_details.proration for line in lines] == [True, True]
    assert lines[0].amount < 0 < lines[1].amount
    assert lines[1].period.end == end
    assert fake.requests[-1]["params"]["subscription_details"]["items"] == [
        {"id": item["id"], "price": "price_gold"}
    ]
    assert fake.subscriptions[sub["id"]]["items"]["data"][0]["price"]["id"] == "price_silver"


def test_billing_portal_session(fake, client):
    customer = client.v1.customers.create(params={"email": "a@b.c"})
    portal = client.v1.billing_portal.sessions.create(
        params={"customer": customer.id, "return_url": "https://portal.test/membership"}
    )
    assert portal.id.startswith("bps_")
    assert portal.url == f"https://billing.stripe.test/session/{portal.id}"
    assert portal.return_url == "https://portal.test/membership"
    assert portal.customer == customer.id


def test_unknown_price_is_an_invalid_request(fake, client):
    customer = client.v1.customers.create(params={"email": "a@b.c"})
    with pytest.raises(stripe.InvalidRequestError) as info:
        checkout(client, customer.id, price="price_missing")
    assert info.value.http_status == 400
    assert "No such price" in info.value.user_message
    assert info.value.param == "line_items[0][price]"
    assert fake.checkout_sessions == {}


def test_unknown_objects_and_routes(fake, client):
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.subscriptions.retrieve("sub_missing")
    assert info.value.http_status == 404 and info.value.code == "resource_missing"
    status, body = raw(fake, "GET", "/v1/nothing_here", {"Authorization": "Bearer sk_test_fake"})
    assert status == 404 and body["error"]["type"] == "invalid_request_error"


def test_missing_or_wrong_auth(fake):
    wrong = stripe.StripeClient("pk_test_fake", base_addresses={"api": fake.base_url}, max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError):
        wrong.v1.customers.create(params={"email": "a@b.c"})
    status, body = raw(fake, "GET", "/v1/customers/cus_x")
    assert status == 401 and body["error"]["type"] == "invalid_request_error"
    assert fake.customers == {}


def test_signed_event_verifies_and_tampering_fails(fake, client):
    sub, _ = subscribed(fake, client)
    event = fake.event("customer.subscription.updated", sub)
    assert event["id"].startswith("evt_") and event["type"] == "customer.subscription.updated"
    assert event["api_version"] == API_VERSION and event["pending_webhooks"] == 1
    assert event["request"] == {"id": None, "idempotency_key": None} and event["livemode"] is False
    assert event["data"]["object"] == sub and event["data"]["object"] is not sub

    payload = json.dumps(event).encode()
    header = sign(payload, WHSEC)
    verified = stripe.Webhook.construct_event(payload, header, WHSEC)
    assert verified.id == event["id"]
    assert verified.data.object.id == sub["id"]

    tampered = payload.replace(b'"active"', b'"Active"', 1)
    assert tampered != payload
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, header, WHSEC)
    old_body, old_header = signed_event(event, WHSEC, timestamp=int(time.time()) - 3600)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(old_body, old_header, WHSEC)


def test_unreachable_and_back(fake, client):
    fake.set_unreachable()
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.create(params={"email": "a@b.c"})
    fake.set_reachable()
    assert client.v1.customers.create(params={"email": "a@b.c"}).id.startswith("cus_")


def test_down_resets_connections(fake, client):
    fake.down = True
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.create(params={"email": "a@b.c"})
    assert fake.customers == {}
    fake.down = False
    assert client.v1.customers.create(params={"email": "a@b.c"}).id.startswith("cus_")


def test_fail_next_answers_a_stripe_api_error(fake, client):
    fake.fail_next(500)
    with pytest.raises(stripe.APIError):
        client.v1.customers.create(params={"email": "a@b.c"})
    assert client.v1.customers.create(params={"email": "a@b.c"}).id.startswith("cus_")


def test_invoice_for_and_set_subscription(fake, client):
    sub, _ = subscribed(fake, client, period_start=YEAR_START)
    next_start = add_interval(YEAR_START, "year")
    next_end = add_interval(next_start, "year")
    changed = fake.set_subscription(
        sub["id"], status="past_due", current_period_start=next_start, current_period_end=next_end
    )
    assert changed["status"] == "past_due"
    assert changed["items"]["data"][0]["current_period_end"] == next_end

    invoice = fake.invoice_for(sub["id"], status="open", period_start=next_start, period_end=next_end)
    assert invoice["status"] == "open" and invoice["amount_paid"] == 0 and invoice["amount_due"] == 20_000
    assert invoice["lines"]["data"][0]["period"] == {"start": next_start, "end": next_end}
    assert client.v1.subscriptions.retrieve(sub["id"]).latest_invoice == invoice["id"]
    assert fake.errors == []
