"""core.links builds absolute links from BASE_URL with an app context only; core.mail.notify queues
one message per distinct address; core.signals carries events upward without imports."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import has_request_context

from portal.core import signals
from portal.core.links import link
from portal.core.mail import notify
from portal.core.models import Email
from portal.extensions import db
from portal.partners.invitations import seat_limit

from ..support.factories import make_organisation


def test_link_needs_no_request_and_ignores_the_request_host(app, ctx):
    assert not has_request_context()
    saved = app.config["BASE_URL"]
    app.config["BASE_URL"] = "https://partners.example.edu/portal/"
    try:
        assert link("agreements.detail", agreement_id=7) == "https://partners.example.edu/portal/agreements/7"
        assert link("auth.login") == "https://partners.example.edu/portal/login"
        with app.test_request_context(base_url="http://evil.example"):
            assert link("auth.login").startswith("https://partners.example.edu/portal/")
    finally:
        app.config["BASE_URL"] = saved


def test_link_refuses_an_unknown_endpoint(ctx):
    with pytest.raises(Exception, match="nowhere"):
        link("nowhere.at_all")


def test_notify_sends_one_message_per_distinct_address_and_skips_empty_ones(ctx):
    before = db.session.scalar(sa.select(sa.func.count(Email.id)))
    queued = notify(
        ["a@example.com", "", "b@example.com", "a@example.com"],
        "signup_existing",
        subject="Someone tried to sign up",
        user=None,
        login_url=link("auth.login"),
        reset_url=link("auth.reset_request"),
    )
    assert [email.to_address for email in queued] == ["a@example.com", "b@example.com"]
    assert db.session.scalar(sa.select(sa.func.count(Email.id))) == before + 2
    assert all("Someone tried to sign up" in email.subject for email in queued)


def test_signal_values_collects_answers_and_leaves_out_none(ctx):
    organisation = make_organisation()  # no membership: membership's receiver has no opinion

    def no_opinion(sender, **_):
        return None

    def five(sender, **_):
        return 5

    assert signals.values(signals.partners.seat_limit, organisation) == []
    signals.partners.seat_limit.connect(no_opinion)
    signals.partners.seat_limit.connect(five)
    try:
        assert signals.values(signals.partners.seat_limit, organisation) == [5]
        assert seat_limit(organisation) == 5
    finally:
        signals.partners.seat_limit.disconnect(no_opinion)
        signals.partners.seat_limit.disconnect(five)


@pytest.mark.parametrize(("configured", "shown"), [("#7a1f5c", "#7a1f5c"), ("red;}</style><x", "#0b4f6c")])
def test_emails_carry_the_brand_colour_and_only_a_hex_one(app, ctx, configured, shown):
    saved = app.config["BRAND_PRIMARY"]
    app.config["BRAND_PRIMARY"] = configured
    try:
        (email,) = notify(
            ["a@example.com"], "verify_email", subject="Confirm", user=None, verify_url=link("auth.login")
        )
    finally:
        app.config["BRAND_PRIMARY"] = saved
    assert f"background:{shown}" in email.body_html
    assert "</style><x" not in email.body_html
