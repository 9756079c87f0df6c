"""Password reset, change of password and email, and the account page."""

from __future__ import annotations

import time

import pytest

from portal.auth.models import User
from portal.extensions import db

from ..support.browser import Browser, emails_to, last_email_to, link_in, location, text
from ..support.factories import PASSWORD, commit, make_partner

NEW = "Brisk-heron-lantern-7"


@pytest.fixture
def partner(ctx):
    user = make_partner(email="clara@acme.example", full_name="Clara Becker")
    commit()
    return user


def request_reset(app, email, **environ):
    return Browser(app, **environ).post("/reset-password", {"email": email})


def test_reset_answers_the_same_for_known_and_unknown_addresses(app, partner):
    known = request_reset(app, partner.email)
    unknown = request_reset(app, "nobody@acme.example")
    assert known.status_code == unknown.status_code == 302
    assert location(known) == location(unknown) == "/login"
    assert len(emails_to(partner.email)) == 1
    assert emails_to("nobody@acme.example") == []


def test_reset_link_works_once_and_ends_every_session(app, partner):
    other_device = Browser(app)
    other_device.login(partner.email, remember=True)
    request_reset(app, partner.email)
    path = link_in(last_email_to(partner.email), "/reset-password/")

    browser = Browser(app)
    assert browser.get(path).status_code == 200
    response = browser.post(path, {"password": NEW, "confirm": NEW})
    assert location(response) == "/login"
    assert other_device.get("/dashboard").status_code == 302  # sessions ended
    assert "password was changed" in last_email_to(partner.email).subject
    assert location(Browser(app).login(partner.email, NEW)) == "/dashboard"

    # Single use: the token is bound to the old password hash.
    again = Browser(app).post(path, {"password": "Another-fine-pass-99", "confirm": "Another-fine-pass-99"})
    assert again.status_code == 400
    assert "invalid, expired or already used" in text(again)


def test_reset_link_expires_after_an_hour(app, partner, monkeypatch):
    request_reset(app, partner.email)
    path = link_in(last_email_to(partner.email), "/reset-password/")
    real_time = time.time
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real_time() + 3601)
    response = Browser(app).post(path, {"password": NEW, "confirm": NEW})
    assert response.status_code == 400
    assert location(Browser(app).login(partner.email, PASSWORD)) == "/dashboard"


def test_reset_link_is_built_from_base_url_not_from_the_host_header(app, partner):
    request_reset(app, partner.email, HTTP_HOST="evil.example")
    mail = last_email_to(partner.email)
    assert "evil.example" not in mail.body_text
    assert "http://portal.test/reset-password/" in mail.body_text


def test_untrusted_host_header_is_refused_when_trusted_hosts_are_set(app, partner):
    app.config["TRUSTED_HOSTS"] = ["portal.test"]
    try:
        response = Browser(app).get("/login", headers={"Host": "evil.example"})
        assert response.status_code == 400
        assert Browser(app).get("/login", headers={"Host": "portal.test"}).status_code == 200
    finally:
        app.config["TRUSTED_HOSTS"] = None


def test_reset_with_a_weak_password_keeps_the_token_usable(app, partner):
    request_reset(app, partner.email)
    path = link_in(last_email_to(partner.email), "/reset-password/")
    weak = Browser(app).post(path, {"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 200 and "too common" in text(weak)
    assert location(Browser(app).post(path, {"password": NEW, "confirm": NEW})) == "/login"


def test_reset_is_throttled_per_account(app, partner):
    for i in range(3):
        assert request_reset(app, partner.email, REMOTE_ADDR=f"10.1.0.{i}").status_code == 302
    assert request_reset(app, partner.email, REMOTE_ADDR="10.1.0.9").status_code == 429


# --- account page ------------------------------------------------------------------------


def test_change_password_needs_the_current_password(app, partner):
    browser = Browser(app)
    browser.login(partner.email)
    response = browser.post(
        "/account/password", {"pw-current_password": "Wrong-pass-000", "pw-password": NEW, "pw-confirm": NEW}
    )
    assert response.status_code == 400
    assert "current password is not correct" in text(response)
    db.session.expire_all()
    assert location(Browser(app).login(partner.email, PASSWORD)) == "/dashboard"


def test_change_email_confirms_the_new_address_and_tells_the_old_one(app, partner):
    browser = Browser(app)
    browser.login(partner.email)
    response = browser.post(
        "/account/email", {"em-email": "Clara.Becker@new.example", "em-current_password": PASSWORD}
    )
    assert location(response) == "/account"
    confirm = link_in(last_email_to("clara.becker@new.example"), "/account/email/confirm/")
    assert browser.get(confirm).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, partner.id).email == "clara@acme.example"  # not before confirming

    assert location(browser.post(confirm)) == "/login"
    db.session.expire_all()
    assert db.session.get(User, partner.id).email == "clara.becker@new.example"
    notice = last_email_to("clara@acme.example")
    assert "email address was changed" in notice.subject
    assert "clara.becker@new.example" in notice.body_text
    assert location(Browser(app).login("clara.becker@new.example")) == "/dashboard"
    assert Browser(app).post(confirm).status_code == 400  # used once


def test_change_email_refuses_wrong_password_and_taken_address(app, partner, ctx):
    make_partner(email="taken@acme.example")
    commit()
    browser = Browser(app)
    browser.login(partner.email)
    wrong = browser.post(
        "/account/email", {"em-email": "x@new.example", "em-current_password": "nope-nope-nope"}
    )
    assert wrong.status_code == 400 and "current password is not correct" in text(wrong)
    assert emails_to("x@new.example") == []

    browser.post("/account/email", {"em-email": "taken@acme.example", "em-current_password": PASSWORD})
    confirm = link_in(last_email_to("taken@acme.example"), "/account/email/confirm/")
    response = browser.post(confirm)
    assert response.status_code == 400 and "another account" in text(response)
    db.session.expire_all()
    assert db.session.get(User, partner.id).email == "clara@acme.example"


# --- issue 9, point 1: an email change does not outlive the end of an intrusion ---------------


def request_change(browser, new="intruder@evil.example"):
    response = browser.post("/account/email", {"em-email": new, "em-current_password": PASSWORD})
    assert location(response) == "/account"
    return link_in(last_email_to(new), "/account/email/confirm/")


def test_the_current_address_hears_of_a_requested_change_at_once_and_can_cancel_it(app, partner):
    intruder = Browser(app)
    intruder.login(partner.email)
    confirm = request_change(intruder)
    notice = last_email_to("clara@acme.example")
    assert "change" in notice.subject.lower() and "intruder@evil.example" in notice.body_text
    cancel = link_in(notice, "/account/email/cancel/")
    owner = Browser(app)
    assert owner.get(cancel).status_code == 200
    assert location(owner.post(cancel)) == "/login"
    assert intruder.post(confirm).status_code == 400  # the change is void
    assert intruder.get("/dashboard").status_code == 302  # and the intruder's session ended
    db.session.expire_all()
    assert db.session.get(User, partner.id).email == "clara@acme.example"


@pytest.mark.parametrize("recovery", ["password change", "sign out everywhere", "reset"])
def test_the_owner_recovering_the_account_voids_a_pending_email_change(app, partner, recovery):
    intruder = Browser(app)
    intruder.login(partner.email)
    confirm = request_change(intruder)
    owner = Browser(app)
    if recovery == "reset":
        request_reset(app, partner.email)
        reset = link_in(last_email_to("clara@acme.example"), "/reset-password/")
        owner.post(reset, {"password": NEW, "confirm": NEW})
    else:
        owner.login(partner.email)
        if recovery == "password change":
            form = {"pw-current_password": PASSWORD, "pw-password": NEW, "pw-confirm": NEW}
            assert location(owner.post("/account/password", form)) in ("/account", "/login")
        else:
            assert location(owner.post("/account/logout-everywhere")) == "/login"
    response = Browser(app).post(confirm)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, partner.id).email == "clara@acme.example"


def test_an_email_change_link_lasts_an_hour(app, partner, monkeypatch):
    browser = Browser(app)
    browser.login(partner.email)
    confirm = request_change(browser, "clara.new@acme.example")
    real_time = time.time
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real_time() + 3601)
    assert Browser(app).post(confirm).status_code == 400


def test_a_reset_link_sent_to_the_old_address_stops_working_once_the_address_changes(app, partner):
    request_reset(app, partner.email)
    reset = link_in(last_email_to("clara@acme.example"), "/reset-password/")
    browser = Browser(app)
    browser.login(partner.email)
    confirm = request_change(browser, "clara.new@acme.example")
    assert location(browser.post(confirm)) == "/login"
    response = Browser(app).post(reset, {"password": NEW, "confirm": NEW})
    assert response.status_code in (400, 404) or "invalid, expired or already used" in text(response)
    assert location(Browser(app).login("clara.new@acme.example")) == "/dashboard"  # old password holds
