"""A fake Stripe API server for the tests, driven by the real stripe library.

    with FakeStripe() as fake:
        fake.add_price("price_gold", 50000)
        client = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake.base_url},
                                     max_network_retries=0)
        customer = client.v1.customers.create(params={"email": "a@b.c"})

Responses start from Stripe's own example objects (`tests/stripe_fixtures.json`, a copy of the relevant
entries of stripe/openapi `openapi/fixtures3.json`) and are shaped like the current API version
(`2026-10-28.endive`): billing periods live on subscription items, an invoice's subscription is at
`parent.subscription_details.subscription` and the paid-for period at `lines.data[0].period`.

Requests are form-encoded with Stripe's bracket syntax; they are decoded into nested dicts/lists, with
"true"/"false" turned into booleans (except inside `metadata`, whose values stay strings). Every other
value stays a string, as sent.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import socket
import struct
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_VERSION = "2026-10-28.endive"
FIXTURES_PATH = Path(__file__).with_name("stripe_fixtures.json")
FIXTURES: dict[str, Any] = json.loads(FIXTURES_PATH.read_text(encoding="utf-8"))["resources"]

Json = dict[str, Any]


def fixture(name: str) -> Json:
    """A deep copy of Stripe's example object for `name` ("customer", "subscription", ...)."""
    return copy.deepcopy(FIXTURES[name])


def sign(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header value for a webhook body:
    `t={ts},v1={hex hmac_sha256(secret, "{ts}.{body}")}`."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    body = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
    digest = hmac.new(secret.encode("utf-8"), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def signed_event(event: Json, secret: str, timestamp: int | None = None) -> tuple[bytes, str]:
    """(raw JSON body, Stripe-Signature header) for posting `event` to a webhook endpoint."""
    payload = json.dumps(event).encode("utf-8")
    return payload, sign(payload, secret, timestamp)


def decode_form(pairs: list[tuple[str, str]]) -> Json:
    """Decode Stripe's bracket syntax (`a[b][0][c]=v`) into nested dicts and lists."""
    root: Json = {}
    for key, value in pairs:
        parts = _split_key(key)
        node = root
        for part in parts[:-1]:
            name = part if part != "" else str(len(node))
            child = node.get(name)
            if not isinstance(child, dict):
                child = {}
                node[name] = child
            node = child
        last = parts[-1] if parts[-1] != "" else str(len(node))
        node[last] = value
    return _finish(root, in_metadata=False)


def _split_key(key: str) -> list[str]:
    head = key.split("[", 1)[0]
    return [head, *re.findall(r"\[([^\]]*)\]", key[len(head) :])]


def _finish(node: Any, in_metadata: bool) -> Any:
    if isinstance(node, dict):
        out = {k: _finish(v, in_metadata or k == "metadata") for k, v in node.items()}
        if out and not in_metadata and all(k.isdigit() for k in out):
            return [out[k] for k in sorted(out, key=int)]
        return out
    if not in_metadata and node in ("true", "false"):
        return node == "true"
    return node


def _plain(obj: Any) -> Any:
    """A deep, JSON-only copy of a dict or StripeObject."""
    if hasattr(obj, "to_dict"):
        obj = obj.to_dict()
    return json.loads(json.dumps(obj))


def _rand(prefix: str, nbytes: int = 12) -> str:
    return prefix + secrets.token_hex(nbytes)


def add_interval(ts: int, interval: str, count: int = 1) -> int:
    """`ts` plus `count` calendar intervals (day, week, month, year), in UTC; month ends are clamped."""
    start = dt.datetime.fromtimestamp(ts, dt.UTC)
    if interval == "day":
        return int((start + dt.timedelta(days=count)).timestamp())
    if interval == "week":
        return int((start + dt.timedelta(weeks=count)).timestamp())
    months = count * (12 if interval == "year" else 1)
    if interval not in ("month", "year"):
        raise ValueError(f"unknown interval {interval!r}")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return int(start.replace(year=year, month=month, day=day).timestamp())


class StripeError(Exception):
    """Raised by route handlers; answered as Stripe's error shape."""

    def __init__(
        self, status: int, type_: str, message: str, param: str | None = None, code: str | None = None
    ):
        super().__init__(message)
        self.status, self.type, self.message, self.param, self.code = status, type_, message, param, code

    def body(self) -> Json:
        error: Json = {"type": self.type, "message": self.message}
        if self.param is not None:
            error["param"] = self.param
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        return {"error": error}


def _missing(kind: str, object_id: str, param: str = "id", status: int = 404) -> StripeError:
    return StripeError(
        status, "invalid_request_error", f"No such {kind}: '{object_id}'", param, "resource_missing"
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeStripe


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FakeStripe/1.0"

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def do_DELETE(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeStripe:
    """An in-process Stripe API on 127.0.0.1 (random free port); state lives in dicts keyed by id."""

    def __init__(self, api_version: str = API_VERSION) -> None:
        self.api_version = api_version
        self.down = False  # True: every request is answered by resetting the connection
        self.frozen_now: int | None = None  # set to pin "now" (epoch seconds) for every computation
        self.requests: list[Json] = []
        self.errors: list[Exception] = []  # exceptions raised inside the fake while answering
        self.customers: dict[str, Json] = {}
        self.checkout_sessions: dict[str, Json] = {}
        self.portal_sessions: dict[str, Json] = {}
        self.subscriptions: dict[str, Json] = {}
        self.invoices: dict[str, Json] = {}
        self.prices: dict[str, Json] = {}
        self.products: dict[str, Json] = {}
        self.events: dict[str, Json] = {}
        self._session_extras: dict[str, Json] = {}
        self._idempotency: dict[str, tuple[tuple[str, str, Json], int, Json]] = {}
        self._failures: list[StripeError] = []
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self._port_holder: socket.socket | None = None  # keeps the port while unreachable
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Json]]] = [
            ("POST", re.compile(r"/v1/customers"), self._create_customer),
            ("GET", re.compile(r"/v1/customers/([^/]+)"), self._get_customer),
            ("POST", re.compile(r"/v1/customers/([^/]+)"), self._update_customer),
            ("POST", re.compile(r"/v1/checkout/sessions"), self._create_checkout_session),
            ("GET", re.compile(r"/v1/checkout/sessions/([^/]+)"), self._get_checkout_session),
            ("POST", re.compile(r"/v1/billing_portal/sessions"), self._create_portal_session),
            ("GET", re.compile(r"/v1/subscriptions"), self._list_subscriptions),
            ("GET", re.compile(r"/v1/subscriptions/([^/]+)"), self._get_subscription),
            ("POST", re.compile(r"/v1/subscriptions/([^/]+)"), self._update_subscription),
            ("DELETE", re.compile(r"/v1/subscriptions/([^/]+)"), self._cancel_subscription),
            ("POST", re.compile(r"/v1/invoices/create_preview"), self._create_preview),
            ("GET", re.compile(r"/v1/invoices"), self._list_invoices),
            ("GET", re.compile(r"/v1/invoices/([^/]+)"), self._get_invoice),
            ("GET", re.compile(r"/v1/prices/([^/]+)"), self._get_price),
            ("GET", re.compile(r"/v1/events/([^/]+)"), self._get_event),
        ]

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        if not self._port:
            raise RuntimeError("FakeStripe is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    def start(self) -> FakeStripe:
        if self._server is None:
            server = _Server(("127.0.0.1", self._port), _Handler)
            server.fake = self
            self._port = server.server_address[1]
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-stripe", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def set_unreachable(self) -> None:
        """Close the listener: the port refuses connections (stripe raises APIConnectionError).
        The port stays bound, without listening, so that nothing else (another xdist worker's
        server, say) can take it before `set_reachable()`."""
        self.stop()
        holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", self._port))
        self._port_holder = holder

    def set_reachable(self) -> None:
        """Listen again on the same port after `set_unreachable()` (state is kept)."""
        self._release_port()
        self.start()

    def _release_port(self) -> None:
        holder, self._port_holder = self._port_holder, None
        if holder is not None:
            holder.close()

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self._release_port()

    def reset(self) -> None:
        """Forget requests, idempotency keys and every object except prices and products."""
        with self._lock:
            self.requests.clear()
            for store in (
                self.customers,
                self.checkout_sessions,
                self.portal_sessions,
                self.subscriptions,
                self.invoices,
                self.events,
                self._session_extras,
                self._idempotency,
            ):
                store.clear()
            self._failures.clear()
            self.down = False

    def now(self) -> int:
        return self.frozen_now if self.frozen_now is not None else int(time.time())

    def fail_next(
        self,
        status: int = 500,
        type: str = "api_error",
        message: str = "Fake Stripe failure",
        code: str | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` requests answer `status` with Stripe's error shape (before auth and routing)."""
        with self._lock:
            self._failures.extend(StripeError(status, type, message, None, code) for _ in range(times))

    def requests_for(self, method: str | None = None, path: str | None = None) -> list[Json]:
        """Recorded requests filtered by method and exact path."""
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r["method"] == method) and (path is None or r["path"] == path)
            ]

    # ------------------------------------------------------------------ HTTP plumbing

    def _handle(self, handler: _Handler) -> None:
        method = handler.command
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode("utf-8") if length else ""
        raw = body if method == "POST" else url.query
        params = decode_form(parse_qsl(raw, keep_blank_values=True))
        idempotency_key = handler.headers.get("Idempotency-Key")
        with self._lock:
            self.requests.append(
                {"method": method, "path": url.path, "params": params, "idempotency_key": idempotency_key}
            )
            if self.down:
                self._reset_connection(handler)
                return
            status, payload, headers = self._dispatch(
                method, url.path, params, idempotency_key, handler.headers.get("Authorization") or ""
            )
        data = json.dumps(payload).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Request-Id", _rand("req_", 7))
        handler.send_header("Stripe-Version", handler.headers.get("Stripe-Version") or self.api_version)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    @staticmethod
    def _reset_connection(handler: _Handler) -> None:
        handler.close_connection = True
        # linger 0: closing sends a TCP reset instead of a response
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _dispatch(
        self, method: str, path: str, params: Json, key: str | None, authorization: str
    ) -> tuple[int, Json, dict[str, str]]:
        try:
            if self._failures:
                raise self._failures.pop(0)
            self._check_auth(authorization)
            if method == "POST" and key:
                stored = self._idempotency.get(key)
                if stored is not None:
                    request, status, payload = stored
                    if request != (method, path, params):
                        raise StripeError(
                            400,
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with the same parameters they "
                            f"were first used with. Try using a key other than '{key}' if you meant to "
                            "execute a different request.",
                        )
                    return (
                        status,
                        copy.deepcopy(payload),
                        {"Idempotent-Replayed": "true", "Idempotency-Key": key},
                    )
            for route_method, pattern, func in self._routes:
                match = pattern.fullmatch(path)
                if match and route_method == method:
                    payload = func(params, *match.groups())
                    break
            else:
                raise StripeError(
                    404,
                    "invalid_request_error",
                    f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
                    "or we can help at https://support.stripe.com/.",
                )
            payload = self._expand(payload, params.get("expand"))
            if method == "POST" and key:
                self._idempotency[key] = ((method, path, params), 200, copy.deepcopy(payload))
            return 200, payload, ({"Idempotency-Key": key} if key else {})
        except StripeError as exc:
            return exc.status, exc.body(), {}
        except Exception as exc:  # a bug in the fake: answer 500 and keep it for the test to see
            self.errors.append(exc)
            return 500, StripeError(500, "api_error", f"FakeStripe crashed: {exc!r}").body(), {}

    @staticmethod
    def _check_auth(authorization: str) -> None:
        scheme, _, token = authorization.partition(" ")
        if not token:
            raise StripeError(
                401,
                "invalid_request_error",
                "You did not provide an API key. You need to provide your API key in the Authorization "
                "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        if scheme != "Bearer" or not token.startswith("sk_"):
            raise StripeError(
                401,
                "invalid_request_error",
                f"Invalid API Key provided: {token[:8]}***",
                code="api_key_invalid",
            )

    def _lookup_any(self, object_id: str) -> Json | None:
        for store in (
            self.customers,
            self.subscriptions,
            self.invoices,
            self.checkout_sessions,
            self.prices,
            self.products,
            self.portal_sessions,
            self.events,
        ):
            if object_id in store:
                return copy.deepcopy(store[object_id])
        return None

    def _expand(self, payload: Json, expand: Any) -> Json:
        paths = expand if isinstance(expand, list) else [expand] if isinstance(expand, str) else []
        for path in paths:
            self._expand_path(payload, path.split("."))
        return payload

    def _expand_path(self, obj: Any, parts: list[str]) -> None:
        if not isinstance(obj, dict) or not parts:
            return
        head, rest = parts[0], parts[1:]
        value = obj.get(head)
        if head == "data" and isinstance(value, list):
            for element in value:
                self._expand_path(element, rest)
        elif not rest and isinstance(value, str):
            found = self._lookup_any(value)
            if found is not None:
                obj[head] = found
        else:
            self._expand_path(value, rest)

    # ------------------------------------------------------------------ builders

    def add_price(
        self,
        price_id: str,
        unit_amount: int,
        currency: str = "eur",
        interval: str | None = "year",
        *,
        interval_count: int = 1,
        product: str | None = None,
        product_name: str | None = None,
        nickname: str | None = None,
    ) -> Json:
        """Register a price (recurring unless `interval` is None) and its product; returns the price."""
        with self._lock:
            product_id = product or f"prod_{price_id.removeprefix('price_')}"
            if product_id not in self.products:
                prod = fixture("product")
                prod.update(
                    id=product_id,
                    name=product_name or nickname or product_id,
                    description=None,
                    default_price=price_id,
                    created=self.now(),
                    updated=self.now(),
                    package_dimensions=None,
                    shippable=None,
                    type="service",
                )
                self.products[product_id] = prod
            price = fixture("price")
            price.update(
                id=price_id,
                unit_amount=unit_amount,
                unit_amount_decimal=str(unit_amount),
                currency=currency,
                created=self.now(),
                product=product_id,
                nickname=nickname,
                transform_quantity=None,
            )
            if interval is None:
                price.update(type="one_time", recurring=None)
            else:
                price["recurring"].update(interval=interval, interval_count=interval_count)
            self.prices[price_id] = price
            return copy.deepcopy(price)

    def _price(self, price_id: Any, param: str) -> Json:
        if not isinstance(price_id, str) or price_id not in self.prices:
            raise _missing("price", str(price_id), param, 400)
        return copy.deepcopy(self.prices[price_id])

    def _plan(self, price: Json) -> Json:
        plan = fixture("subscription_item")["plan"]
        recurring = price.get("recurring") or {}
        plan.update(
            id=price["id"],
            amount=price["unit_amount"],
            amount_decimal=str(price["unit_amount"]),
            billing_scheme="per_unit",
            created=price["created"],
            currency=price["currency"],
            interval=recurring.get("interval"),
            interval_count=recurring.get("interval_count", 1),
            livemode=False,
            metadata={},
            product=price["product"],
            transform_usage=None,
            nickname=price.get("nickname"),
        )
        return plan

    def _new_customer(self, params: Json) -> Json:
        customer = fixture("customer")
        customer.update(
            id=_rand("cus_", 7),
            created=self.now(),
            currency="eur",
            discount=None,
            invoice_prefix=secrets.token_hex(4).upper(),
            shipping=None,
            metadata={},
        )
        self._apply_customer_params(customer, params)
        self.customers[customer["id"]] = customer
        return customer

    @staticmethod
    def _apply_metadata(target: Json, metadata: Any) -> None:
        if metadata == "":
            target["metadata"] = {}
            return
        for k, v in (metadata or {}).items():
            if v == "":
                target["metadata"].pop(k, None)
            else:
                target["metadata"][k] = v

    def _apply_customer_params(self, customer: Json, params: Json) -> None:
        for field in ("email", "name", "description", "phone", "preferred_locales", "tax_exempt"):
            if field in params:
                customer[field] = params[field] if params[field] != "" else None
        if isinstance(params.get("address"), dict):
            customer["address"].update(params["address"])
        self._apply_metadata(customer, params.get("metadata"))

    def _new_item(self, sub_id: str, price: Json, quantity: int, start: int, end: int) -> Json:
        item = fixture("subscription_item")
        item.update(
            id=_rand("si_", 7),
            created=self.now(),
            price=price,
            plan=self._plan(price),
            quantity=quantity,
            subscription=sub_id,
            current_period_start=start,
            current_period_end=end,
            billing_thresholds=None,
            metadata={},
        )
        return item

    def _period_end(self, price: Json, start: int) -> int:
        recurring = price.get("recurring") or {"interval": "year", "interval_count": 1}
        return add_interval(start, recurring["interval"], recurring.get("interval_count") or 1)

    def _new_subscription(
        self, customer: str, price: Json, quantity: int, period_start: int, metadata: Json
    ) -> Json:
        sub = fixture("subscription")
        sub_id = _rand("sub_", 12)
        end = self._period_end(price, period_start)
        sub.update(
            id=sub_id,
            customer=customer,
            status="active",
            created=self.now(),
            start_date=period_start,
            billing_cycle_anchor=period_start,
            billing_cycle_anchor_config=None,
            cancel_at=None,
            canceled_at=None,
            ended_at=None,
            cancel_at_period_end=False,
            currency=price["currency"],
            latest_invoice=None,
            metadata=dict(metadata),
            next_pending_invoice_item_invoice=None,
            pause_collection=None,
            pending_invoice_item_interval=None,
            pending_update=None,
            trial_end=None,
            trial_start=None,
            transfer_data=None,
            billing_thresholds=None,
            billing_schedules=[],
            description=None,
            discounts=[],
        )
        sub["cancellation_details"] = {"comment": None, "feedback": None, "reason": None}
        sub["items"] = {
            "object": "list",
            "data": [self._new_item(sub_id, price, quantity, period_start, end)],
            "has_more": False,
            "url": f"/v1/subscription_items?subscription={sub_id}",
        }
        self.subscriptions[sub_id] = sub
        return sub

    def _line(
        self,
        invoice_id: str | None,
        sub: Json,
        item: Json,
        price: Json,
        *,
        amount: int,
        quantity: int,
        start: int,
        end: int,
        description: str,
        proration: bool,
    ) -> Json:
        line = fixture("line_item")
        line.update(
            id=_rand("il_", 12),
            invoice=invoice_id,
            amount=amount,
            subtotal=amount,
            currency=price["currency"],
            description=description,
            period={"start": start, "end": end},
            quantity=quantity,
            subscription=sub["id"],
            metadata={},
            discount_amounts=[],
            discounts=[],
            taxes=[],
            pretax_credit_amounts=[],
        )
        line["parent"] = {
            "type": "subscription_item_details",
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": proration,
                "proration_details": {"credited_items": None},
                "subscription": sub["id"],
                "subscription_item": item["id"],
            },
        }
        line["pricing"] = {
            "type": "price_details",
            "unit_amount_decimal": str(price["unit_amount"]),
            "price_details": {"price": price["id"], "product": price["product"]},
        }
        return line

    def _describe(self, price: Json, quantity: int) -> str:
        product = self.products.get(price["product"], {}).get("name", price["product"])
        interval = (price.get("recurring") or {}).get("interval")
        amount = f"{price['unit_amount'] / 100:.2f} {price['currency'].upper()}"
        return f"{quantity} \u00d7 {product} (at {amount}{' / ' + interval if interval else ''})"

    def _new_invoice(
        self,
        sub: Json,
        lines: list[Json],
        *,
        status: str,
        billing_reason: str,
        preview: bool = False,
        created: int | None = None,
    ) -> Json:
        invoice = fixture("invoice")
        invoice.pop("subscription", None)  # gone from the current API; lives under parent
        invoice_id = _rand("upcoming_in_" if preview else "in_", 12)
        now = self.now() if created is None else created
        total = sum(line["amount"] for line in lines)
        due = max(total, 0)
        paid = status == "paid"
        customer = self.customers.get(sub["customer"], {})
        for line in lines:
            line["invoice"] = invoice_id
        first_start = lines[0]["period"]["start"] if lines else now
        invoice.update(
            id=invoice_id,
            status=status,
            customer=sub["customer"],
            currency=sub["currency"],
            created=now,
            amount_due=due,
            amount_paid=due if paid else 0,
            amount_remaining=0 if paid else due,
            amount_overpaid=0,
            subtotal=total,
            subtotal_excluding_tax=total,
            total=total,
            total_excluding_tax=total,
            starting_balance=0,
            ending_balance=None if preview else min(total, 0),
            billing_reason=billing_reason,
            attempted=paid,
            attempt_count=1 if paid else 0,
            auto_advance=not paid,
            period_start=first_start,
            period_end=first_start,
            account_country="NL",
            customer_email=customer.get("email"),
            customer_name=customer.get("name"),
            due_date=None,
            effective_at=None if preview else now,
            from_invoice=None,
            last_finalization_error=None,
            next_payment_attempt=None if paid or preview else add_interval(now, "day"),
            number=None
            if preview
            else f"{customer.get('invoice_prefix', 'FAKE')}-{len(self.invoices) + 1:04d}",
            hosted_invoice_url=None if preview else f"https://invoice.stripe.test/i/{invoice_id}",
            invoice_pdf=None if preview else f"https://invoice.stripe.test/i/{invoice_id}/pdf",
            shipping_cost=None,
            shipping_details=None,
            webhooks_delivered_at=None if preview else now,
            total_taxes=[],
            total_pretax_credit_amounts=[],
            metadata={},
        )
        invoice["status_transitions"] = {
            "finalized_at": None if preview or status == "draft" else now,
            "marked_uncollectible_at": None,
            "paid_at": now if paid else None,
            "voided_at": None,
        }
        invoice["parent"] = {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {"metadata": dict(sub["metadata"]), "subscription": sub["id"]},
        }
        invoice["lines"] = {
            "object": "list",
            "data": lines,
            "has_more": False,
            "url": f"/v1/invoices/{invoice_id}/lines",
        }
        if not preview:
            self.invoices[invoice_id] = invoice
        return invoice

    def _proration_lines(
        self, sub: Json, item: Json, new_price: Json, new_quantity: int, at: int
    ) -> list[Json]:
        old_price, old_quantity = item["price"], item["quantity"]
        start, end = item["current_period_start"], item["current_period_end"]
        fraction = min(max((end - at) / (end - start), 0.0), 1.0) if end > start else 0.0
        when = dt.datetime.fromtimestamp(at, dt.UTC).strftime("%d %b %Y")
        credit = self._line(
            None,
            sub,
            item,
            old_price,
            amount=-round(old_price["unit_amount"] * old_quantity * fraction),
            quantity=old_quantity,
            start=at,
            end=end,
            proration=True,
            description=f"Unused time on {self._describe(old_price, old_quantity)} after {when}",
        )
        debit = self._line(
            None,
            sub,
            item,
            new_price,
            amount=round(new_price["unit_amount"] * new_quantity * fraction),
            quantity=new_quantity,
            start=at,
            end=end,
            proration=True,
            description=f"Remaining time on {self._describe(new_price, new_quantity)} after {when}",
        )
        return [credit, debit]

    # ------------------------------------------------------------------ routes

    def _create_customer(self, params: Json) -> Json:
        return copy.deepcopy(self._new_customer(params))

    def _customer(self, customer_id: str, param: str = "id", status: int = 404) -> Json:
        if customer_id not in self.customers:
            raise _missing("customer", customer_id, param, status)
        return self.customers[customer_id]

    def _get_customer(self, params: Json, customer_id: str) -> Json:
        return copy.deepcopy(self._customer(customer_id))

    def _update_customer(self, params: Json, customer_id: str) -> Json:
        customer = self._customer(customer_id)
        self._apply_customer_params(customer, params)
        return copy.deepcopy(customer)

    def _create_checkout_session(self, params: Json) -> Json:
        mode = params.get("mode") or "payment"
        customer_id = params.get("customer")
        if customer_id is not None:
            self._customer(customer_id, "customer", 400)
        line_items = params.get("line_items") or []
        if mode == "subscription" and not line_items:
            raise StripeError(
                400,
                "invalid_request_error",
                "You must provide at least one recurring price in `subscription` mode when using prices.",
                "line_items",
            )
        lines = []
        total = 0
        for index, line in enumerate(line_items):
            price = self._price(line.get("price"), f"line_items[{index}][price]")
            if mode == "subscription" and price.get("recurring") is None:
                raise StripeError(
                    400,
                    "invalid_request_error",
                    "You must provide at least one recurring price in `subscription` mode when using prices.",
                    f"line_items[{index}][price]",
                )
            quantity = int(line.get("quantity") or 1)
            lines.append({"price": price["id"], "quantity": quantity})
            total += price["unit_amount"] * quantity
        session = fixture("checkout.session")
        session_id = _rand("cs_test_", 24)
        now = self.now()
        session.update(
            id=session_id,
            mode=mode,
            status="open",
            payment_status="unpaid",
            created=now,
            expires_at=now + 24 * 3600,
            currency="eur",
            customer=customer_id,
            customer_email=params.get("customer_email"),
            client_reference_id=params.get("client_reference_id"),
            success_url=params.get("success_url"),
            cancel_url=params.get("cancel_url"),
            metadata={},
            url=f"https://checkout.stripe.test/pay/{session_id}",
            subscription=None,
            invoice=None,
            payment_intent=None,
            amount_subtotal=total,
            amount_total=total,
            customer_details=None,
            after_expiration=None,
            shipping_cost=None,
            shipping_address_collection=None,
            collected_information=None,
            currency_conversion=None,
            payment_method_configuration_details=None,
            locale=params.get("locale"),
            allow_promotion_codes=params.get("allow_promotion_codes"),
            billing_address_collection=params.get("billing_address_collection"),
            invoice_creation=None,
        )
        session["total_details"] = {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0}
        session["custom_text"] = {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        }
        self._apply_metadata(session, params.get("metadata"))
        self.checkout_sessions[session_id] = session
        self._session_extras[session_id] = {
            "line_items": lines,
            "subscription_data": params.get("subscription_data") or {},
        }
        return copy.deepcopy(session)

    def _get_checkout_session(self, params: Json, session_id: str) -> Json:
        if session_id not in self.checkout_sessions:
            raise _missing("checkout.session", session_id)
        return copy.deepcopy(self.checkout_sessions[session_id])

    def _create_portal_session(self, params: Json) -> Json:
        customer_id = params.get("customer")
        if not customer_id:
            raise StripeError(
                400,
                "invalid_request_error",
                "Missing required param: customer.",
                "customer",
                "parameter_missing",
            )
        self._customer(customer_id, "customer", 400)
        session = fixture("billing_portal.session")
        session_id = _rand("bps_", 12)
        session.update(
            id=session_id,
            customer=customer_id,
            created=self.now(),
            livemode=False,
            flow=None,
            configuration=_rand("bpc_", 12),
            return_url=params.get("return_url"),
            locale=params.get("locale"),
            on_behalf_of=None,
            url=f"https://billing.stripe.test/session/{session_id}",
        )
        self.portal_sessions[session_id] = session
        return copy.deepcopy(session)

    def _subscription(self, sub_id: str, param: str = "id", status: int = 404) -> Json:
        if sub_id not in self.subscriptions:
            raise _missing("subscription", sub_id, param, status)
        return self.subscriptions[sub_id]

    def _get_subscription(self, params: Json, sub_id: str) -> Json:
        return copy.deepcopy(self._subscription(sub_id))

    def _update_subscription(self, params: Json, sub_id: str) -> Json:
        sub = self._subscription(sub_id)
        if sub["status"] in ("canceled", "incomplete_expired"):
            allowed = {"metadata", "cancellation_details", "expand"}
            if set(params) - allowed:
                raise StripeError(
                    400,
                    "invalid_request_error",
                    "A canceled subscription can only update its cancellation_details and metadata.",
                )
        at = self.now()
        changes: list[tuple[Json, Json, int]] = []
        for index, change in enumerate(params.get("items") or []):
            item = next((i for i in sub["items"]["data"] if i["id"] == change.get("id")), None)
            if change.get("id") is not None and item is None:
                raise _missing("subscription item", str(change["id"]), f"items[{index}][id]", 400)
            price = (
                self._price(change["price"], f"items[{index}][price]")
                if "price" in change
                else item["price"]
                if item
                else None
            )
            if price is None:
                raise StripeError(
                    400,
                    "invalid_request_error",
                    "Missing required param: items[price].",
                    f"items[{index}][price]",
                    "parameter_missing",
                )
            quantity = int(change.get("quantity") or (item["quantity"] if item else 1))
            if item is None:
                first = sub["items"]["data"][0]
                sub["items"]["data"].append(
                    self._new_item(
                        sub_id, price, quantity, first["current_period_start"], first["current_period_end"]
                    )
                )
            else:
                changes.append((item, price, quantity))
        behavior = params.get("proration_behavior", "create_prorations")
        lines: list[Json] = []
        for item, price, quantity in changes:
            if behavior != "none" and (price["id"] != item["price"]["id"] or quantity != item["quantity"]):
                lines.extend(self._proration_lines(sub, item, price, quantity, at))
            item.update(price=price, plan=self._plan(price), quantity=quantity)
        if behavior == "always_invoice" and lines:
            invoice = self._new_invoice(sub, lines, status="paid", billing_reason="subscription_update")
            sub["latest_invoice"] = invoice["id"]
        if "cancel_at_period_end" in params:
            cancel = params["cancel_at_period_end"] is True
            sub["cancel_at_period_end"] = cancel
            sub["cancel_at"] = sub["items"]["data"][0]["current_period_end"] if cancel else None
            sub["canceled_at"] = at if cancel else None
            sub["cancellation_details"]["reason"] = "cancellation_requested" if cancel else None
        if "cancel_at" in params:
            sub["cancel_at"] = int(params["cancel_at"]) if params["cancel_at"] != "" else None
        if isinstance(params.get("cancellation_details"), dict):
            sub["cancellation_details"].update(params["cancellation_details"])
        for field in ("description", "default_payment_method", "collection_method"):
            if field in params:
                sub[field] = params[field] or None
        self._apply_metadata(sub, params.get("metadata"))
        return copy.deepcopy(sub)

    def _cancel_subscription(self, params: Json, sub_id: str) -> Json:
        sub = self._subscription(sub_id)
        if sub["status"] != "canceled":
            now = self.now()
            sub.update(status="canceled", canceled_at=now, ended_at=now)
            sub["cancellation_details"]["reason"] = "cancellation_requested"
        return copy.deepcopy(sub)

    def _list(self, url: str, objects: list[Json], params: Json) -> Json:
        objects = list(reversed(objects))  # newest first
        if params.get("starting_after"):
            ids = [o["id"] for o in objects]
            if params["starting_after"] in ids:
                objects = objects[ids.index(params["starting_after"]) + 1 :]
        limit = int(params.get("limit") or 10)
        return {
            "object": "list",
            "data": copy.deepcopy(objects[:limit]),
            "has_more": len(objects) > limit,
            "url": url,
        }

    def _list_subscriptions(self, params: Json) -> Json:
        status = params.get("status")
        subs = []
        for sub in self.subscriptions.values():
            if params.get("customer") and sub["customer"] != params["customer"]:
                continue
            if params.get("price") and all(i["price"]["id"] != params["price"] for i in sub["items"]["data"]):
                continue
            if status is None and sub["status"] in ("canceled", "incomplete_expired"):
                continue
            if status == "ended" and sub["status"] not in ("canceled", "incomplete_expired"):
                continue
            if status not in (None, "all", "ended") and sub["status"] != status:
                continue
            subs.append(sub)
        return self._list("/v1/subscriptions", subs, params)

    def _create_preview(self, params: Json) -> Json:
        details = params.get("subscription_details") or {}
        at = int(details.get("proration_date") or self.now())
        behavior = details.get("proration_behavior", "create_prorations")
        sub_id = params.get("subscription")
        customer_id = params.get("customer")
        if customer_id is not None:
            self._customer(customer_id, "customer", 400)
        if sub_id is None:
            raise StripeError(
                400,
                "invalid_request_error",
                f"No upcoming invoices for customer: {customer_id}",
                code="invoice_upcoming_none",
            )
        sub = copy.deepcopy(self._subscription(sub_id, "subscription", 400))
        if customer_id is not None and sub["customer"] != customer_id:
            raise StripeError(
                400,
                "invalid_request_error",
                f"The subscription {sub_id} does not belong to customer {customer_id}.",
                "subscription",
            )
        if sub["status"] == "canceled":
            raise StripeError(
                400,
                "invalid_request_error",
                f"No upcoming invoices for customer: {sub['customer']}",
                code="invoice_upcoming_none",
            )
        lines: list[Json] = []
        targets = {item["id"]: (item["price"], item["quantity"]) for item in sub["items"]["data"]}
        for index, change in enumerate(details.get("items") or []):
            item = next((i for i in sub["items"]["data"] if i["id"] == change.get("id")), None)
            if item is None:
                raise _missing(
                    "subscription item",
                    str(change.get("id")),
                    f"subscription_details[items][{index}][id]",
                    400,
                )
            price = (
                self._price(change["price"], f"subscription_details[items][{index}][price]")
                if "price" in change
                else item["price"]
            )
            quantity = int(change.get("quantity") or item["quantity"])
            targets[item["id"]] = (price, quantity)
            if behavior != "none" and (price["id"] != item["price"]["id"] or quantity != item["quantity"]):
                lines.extend(self._proration_lines(sub, item, price, quantity, at))
        if not lines:  # nothing prorated: the next regular invoice
            for item in sub["items"]["data"]:
                price, quantity = targets[item["id"]]
                start = item["current_period_end"]
                end = self._period_end(price, start)
                lines.append(
                    self._line(
                        None,
                        sub,
                        item,
                        price,
                        amount=price["unit_amount"] * quantity,
                        quantity=quantity,
                        start=start,
                        end=end,
                        proration=False,
                        description=self._describe(price, quantity),
                    )
                )
        reason = (
            "subscription_update"
            if lines[0]["parent"]["subscription_item_details"]["proration"]
            else "upcoming"
        )
        return self._new_invoice(sub, lines, status="draft", billing_reason=reason, preview=True, created=at)

    def _get_invoice(self, params: Json, invoice_id: str) -> Json:
        if invoice_id not in self.invoices:
            raise _missing("invoice", invoice_id)
        return copy.deepcopy(self.invoices[invoice_id])

    def _list_invoices(self, params: Json) -> Json:
        invoices = [
            inv
            for inv in self.invoices.values()
            if (not params.get("customer") or inv["customer"] == params["customer"])
            and (not params.get("status") or inv["status"] == params["status"])
            and (
                not params.get("subscription")
                or inv["parent"]["subscription_details"]["subscription"] == params["subscription"]
            )
        ]
        return self._list("/v1/invoices", invoices, params)

    def _get_price(self, params: Json, price_id: str) -> Json:
        if price_id not in self.prices:
            raise _missing("price", price_id)
        return copy.deepcopy(self.prices[price_id])

    def _get_event(self, params: Json, event_id: str) -> Json:
        if event_id not in self.events:
            raise _missing("event", event_id)
        return copy.deepcopy(self.events[event_id])

    # ------------------------------------------------------------------ test-side helpers

    def complete_checkout(self, session_id: str, period_start: int | None = None) -> tuple[Json, Json]:
        """The customer paid: an active subscription and a paid invoice; the session becomes complete."""
        with self._lock:
            session = self.checkout_sessions[session_id]
            if session["status"] != "open":
                raise ValueError(f"checkout session {session_id} is {session['status']}, not open")
            extras = self._session_extras[session_id]
            if not extras["line_items"]:
                raise ValueError(f"checkout session {session_id} has no line items")
            if session["customer"] is None:
                session["customer"] = self._new_customer({"email": session["customer_email"]})["id"]
            customer = self.customers[session["customer"]]
            line = extras["line_items"][0]
            price = copy.deepcopy(self.prices[line["price"]])
            start = self.now() if period_start is None else int(period_start)
            metadata = dict(session["metadata"])
            metadata.update((extras["subscription_data"] or {}).get("metadata") or {})
            sub = self._new_subscription(customer["id"], price, line["quantity"], start, metadata)
            item = sub["items"]["data"][0]
            invoice_line = self._line(
                None,
                sub,
                item,
                price,
                amount=price["unit_amount"] * line["quantity"],
                quantity=line["quantity"],
                start=start,
                end=item["current_period_end"],
                proration=False,
                description=self._describe(price, line["quantity"]),
            )
            invoice = self._new_invoice(
                sub, [invoice_line], status="paid", billing_reason="subscription_create"
            )
            sub["latest_invoice"] = invoice["id"]
            session.update(
                status="complete", payment_status="paid", subscription=sub["id"], invoice=invoice["id"]
            )
            session["customer_details"] = {
                "address": copy.deepcopy(customer["address"]),
                "email": customer["email"],
                "name": customer["name"],
                "phone": customer["phone"],
                "tax_exempt": customer["tax_exempt"],
                "tax_ids": [],
                "business_name": None,
                "individual_name": None,
            }
            return copy.deepcopy(sub), copy.deepcopy(invoice)

    def expire_checkout(self, session_id: str) -> Json:
        """The customer never paid: the session expires."""
        with self._lock:
            session = self.checkout_sessions[session_id]
            session.update(status="expired", url=None)
            return copy.deepcopy(session)

    ITEM_FIELDS = ("current_period_start", "current_period_end", "quantity")

    def set_subscription(self, sub_id: str, **changes: Any) -> Json:
        """Change stored state. `current_period_start/end`, `quantity` and `price` (an id) go to the first
        item; other keys must be existing top-level fields. Setting status "canceled" also fills
        canceled_at/ended_at, and cancel_at_period_end=True fills cancel_at, unless given."""
        with self._lock:
            sub = self.subscriptions[sub_id]
            item = sub["items"]["data"][0]
            for key, value in changes.items():
                if key in self.ITEM_FIELDS:
                    item[key] = value
                elif key == "price":
                    price = copy.deepcopy(self.prices[value])
                    item.update(price=price, plan=self._plan(price))
                elif key in sub:
                    sub[key] = copy.deepcopy(value)
                else:
                    raise KeyError(f"subscription has no field {key!r}")
            if changes.get("status") == "canceled":
                for field in ("canceled_at", "ended_at"):
                    if field not in changes and sub[field] is None:
                        sub[field] = self.now()
            if "cancel_at_period_end" in changes and "cancel_at" not in changes:
                sub["cancel_at"] = item["current_period_end"] if changes["cancel_at_period_end"] else None
            return copy.deepcopy(sub)

    def invoice_for(
        self,
        sub_id: str,
        status: str = "paid",
        period_start: int | None = None,
        period_end: int | None = None,
        *,
        amount: int | None = None,
        billing_reason: str = "subscription_cycle",
    ) -> Json:
        """A stored invoice for the subscription's first item (default: its current period and price);
        it becomes the subscription's latest_invoice."""
        with self._lock:
            sub = self.subscriptions[sub_id]
            item = sub["items"]["data"][0]
            start = item["current_period_start"] if period_start is None else int(period_start)
            end = item["current_period_end"] if period_end is None else int(period_end)
            price, quantity = item["price"], item["quantity"]
            line = self._line(
                None,
                sub,
                item,
                price,
                amount=price["unit_amount"] * quantity if amount is None else amount,
                quantity=quantity,
                start=start,
                end=end,
                proration=False,
                description=self._describe(price, quantity),
            )
            invoice = self._new_invoice(sub, [line], status=status, billing_reason=billing_reason)
            sub["latest_invoice"] = invoice["id"]
            return copy.deepcopy(invoice)

    def set_invoice(self, invoice_id: str, **changes: Any) -> Json:
        """Change a stored invoice; status "paid" also settles amount_paid/amount_remaining/paid_at."""
        with self._lock:
            invoice = self.invoices[invoice_id]
            for key, value in changes.items():
                if key not in invoice:
                    raise KeyError(f"invoice has no field {key!r}")
                invoice[key] = copy.deepcopy(value)
            if changes.get("status") == "paid":
                invoice.update(amount_paid=invoice["amount_due"], amount_remaining=0, attempted=True)
                invoice["status_transitions"]["paid_at"] = (
                    invoice["status_transitions"]["paid_at"] or self.now()
                )
            return copy.deepcopy(invoice)

    def event(
        self, type: str, obj: Any, created: int | None = None, previous_attributes: Json | None = None
    ) -> Json:
        """A Stripe event (from the example event) carrying a deep copy of `obj` (dict or StripeObject)."""
        event = fixture("event")
        event.update(
            id=_rand("evt_", 12),
            type=type,
            created=self.now() if created is None else int(created),
            api_version=self.api_version,
            livemode=False,
            pending_webhooks=1,
            request={"id": None, "idempotency_key": None},
        )
        event["data"] = {"object": _plain(obj)}
        if previous_attributes is not None:
            event["data"]["previous_attributes"] = _plain(previous_attributes)
        with self._lock:
            self.events[event["id"]] = copy.deepcopy(event)
        return event
