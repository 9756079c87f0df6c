"""Login, throttling, enumeration, and every way a session must end."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.partners.models import OrgRole

from ..support.browser import Browser, location, text
from ..support.factories import PASSWORD, commit, make_partner, make_staff


@pytest.fixture
def partner(ctx):
    user = make_partner(email="clara@acme.example")
    commit()
    return user


def test_login_success_and_failure_messages(browser, partner):
    bad = browser.login(partner.email, "Wrong-password-123")
    assert bad.status_code == 200
    assert "Email or password is incorrect." in text(bad)
    assert 'value="clara@acme.example"' in text(bad)  # the email is kept
    good = browser.login(partner.email)
    assert location(good) == "/dashboard"
    assert browser.get("/dashboard").status_code == 200


def test_known_and_unknown_emails_get_the_same_answer(app, partner):
    known = Browser(app).login(partner.email, "Wrong-password-123")
    unknown = Browser(app).login("nobody@acme.example", "Wrong-password-123")
    assert known.status_code == unknown.status_code == 200

    def body(response, email):
        return text(response).replace(email, "EMAIL")

    import re

    signed_token = re.compile(r"[\w-]{20,}\.[\w-]+\.[\w-]+")  # the CSRF token differs per client
    assert signed_token.sub("TOKEN", body(known, partner.email)) == signed_token.sub(
        "TOKEN", body(unknown, "nobody@acme.example")
    )
    assert sorted(c.split("=")[0] for c in known.headers.getlist("Set-Cookie")) == sorted(
        c.split("=")[0] for c in unknown.headers.getlist("Set-Cookie")
    )


def test_deactivated_account_cannot_log_in(browser, partner, ctx):
    partner.active = False
    commit()
    response = browser.login(partner.email)
    assert "Email or password is incorrect." in text(response)


def test_sixth_failed_login_for_one_account_is_throttled(app, partner):
    # Different IPs each time: the per-account limit holds whatever the address.
    for attempt in range(5):
        client = Browser(app, REMOTE_ADDR=f"10.0.0.{attempt + 1}")
        assert client.login(partner.email, "Wrong-password-123").status_code == 200
    sixth = Browser(app, REMOTE_ADDR="10.0.0.99").login(partner.email, "Wrong-password-123")
    assert sixth.status_code == 429
    assert int(sixth.headers["Retry-After"]) > 0
    # Even the right password waits now: the account is protected, not just the address.
    assert Browser(app, REMOTE_ADDR="10.0.0.100").login(partner.email).status_code == 429
    # Another account is not affected.
    other = make_partner(email="other@acme.example")
    commit()
    assert location(Browser(app, REMOTE_ADDR="10.0.0.99").login(other.email)) == "/dashboard"


def test_rotating_x_forwarded_for_does_not_reset_the_account_limit(app, partner):
    for attempt in range(5):
        client = Browser(app, HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
        client.login(partner.email, "Wrong-password-123")
    client = Browser(app, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client.login(partner.email, "Wrong-password-123").status_code == 429


def test_successful_logins_do_not_count_against_the_account(app, partner):
    for _ in range(7):
        browser = Browser(app)
        assert browser.login(partner.email).status_code == 302


def test_next_parameter_is_followed_only_inside_the_site(app, partner):
    assert location(Browser(app).login(partner.email, next="/organisation")) == "/organisation"
    for hostile in ("//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = Browser(app).login(partner.email, next=hostile)
        assert location(response) == "/dashboard", hostile
        assert "evil" not in response.headers["Location"]


def test_anonymous_visitor_is_sent_to_login_with_next(browser):
    response = browser.get("/organisation")
    assert response.status_code == 302
    assert location(response).startswith("/login?next=")


# --- sessions end where they must -------------------------------------------------------


def capture(browser: Browser) -> dict[str, str | None]:
    return {name: browser.cookie(name) for name in ("liaison_session", "liaison_remember")}


def replay(app, cookies: dict[str, str | None]) -> Browser:
    thief = Browser(app)
    for name, value in cookies.items():
        if value:
            thief.set_cookie(name, value)
    return thief


def remember_only(app, cookies) -> Browser:
    return replay(app, {"liaison_remember": cookies["liaison_remember"]})


def test_captured_cookies_stop_working_after_logout(app, partner):
    browser = Browser(app)
    browser.login(partner.email, remember=True)
    stolen = capture(browser)
    assert stolen["liaison_remember"], "remember-me cookie was not set"
    assert replay(app, stolen).get("/dashboard").status_code == 200
    assert remember_only(app, stolen).get("/dashboard").status_code == 200

    browser.logout()
    assert browser.get("/dashboard").status_code == 302
    assert replay(app, stolen).get("/dashboard").status_code == 302
    assert remember_only(app, stolen).get("/dashboard").status_code == 302


def test_captured_cookies_stop_working_after_password_change(app, partner):
    browser = Browser(app)
    browser.login(partner.email, remember=True)
    stolen = capture(browser)
    new_password = "Brisk-heron-lantern-7"
    response = browser.post(
        "/account/password",
        {"pw-current_password": PASSWORD, "pw-password": new_password, "pw-confirm": new_password},
    )
    assert location(response) == "/account"
    assert browser.get("/dashboard").status_code == 200  # this session goes on
    assert replay(app, stolen).get("/dashboard").status_code == 302
    assert remember_only(app, stolen).get("/dashboard").status_code == 302
    assert location(Browser(app).login(partner.email, new_password)) == "/dashboard"


def test_captured_cookies_stop_working_after_deactivation(app, partner, ctx):
    browser = Browser(app)
    browser.login(partner.email, remember=True)
    stolen = capture(browser)
    admin = make_staff(admin=True)
    commit()
    staff = Browser(app)
    staff.login_staff(admin)
    assert location(staff.post(f"/admin/users/{partner.id}/deactivate")) == f"/admin/users/{partner.id}"
    assert browser.get("/dashboard").status_code == 302
    assert replay(app, stolen).get("/dashboard").status_code == 302
    assert remember_only(app, stolen).get("/dashboard").status_code == 302


def test_logout_everywhere_ends_other_sessions(app, partner):
    laptop, phone = Browser(app), Browser(app)
    laptop.login(partner.email)
    phone.login(partner.email, remember=True)
    laptop.post("/account/logout-everywhere")
    assert laptop.get("/dashboard").status_code == 302
    assert phone.get("/dashboard").status_code == 302


def test_logout_is_post_only(browser, partner):
    browser.login(partner.email)
    assert browser.get("/logout").status_code == 405
    assert browser.get("/dashboard").status_code == 200


def test_idle_session_expires(app, partner, monkeypatch):
    app.config["SESSION_IDLE_MINUTES"] = 0
    try:
        browser = Browser(app)
        browser.login(partner.email)
        import time

        real_time = time.time
        monkeypatch.setattr(time, "time", lambda: real_time() + 1.1)  # 1.1 s later, without waiting
        response = browser.get("/dashboard")
        assert response.status_code == 302 and location(response).startswith("/login")
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 120


def test_the_session_cookie_is_rewritten_once_a_minute_and_activity_keeps_the_session(
    app, partner, monkeypatch
):
    """The cookie is not re-signed on every answer (issue 15), yet an active user stays signed in past
    the idle limit and an idle one is still signed out."""
    import time

    app.config["SESSION_IDLE_MINUTES"] = 2
    try:
        browser = Browser(app)
        browser.login(partner.email)
        browser.get("/dashboard")  # the CSRF token of the page settles in the session
        quiet = browser.get("/dashboard")
        assert quiet.status_code == 200
        assert not any("liaison_session=" in h for h in quiet.headers.getlist("Set-Cookie"))

        real_time = time.time
        for minute in range(1, 6):  # a request every 61 s for five minutes: more than the idle limit
            monkeypatch.setattr(time, "time", lambda m=minute: real_time() + 61 * m)
            active = browser.get("/dashboard")
            assert active.status_code == 200, minute
            assert any("liaison_session=" in h for h in active.headers.getlist("Set-Cookie"))
        monkeypatch.setattr(time, "time", lambda: real_time() + 61 * 5 + 121)  # then 2 minutes idle
        idle = browser.get("/dashboard")
        assert idle.status_code == 302 and location(idle).startswith("/login")
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 120


def test_remember_me_is_never_given_to_staff(app, ctx):
    staff = make_staff()
    commit()
    browser = Browser(app)
    browser.post("/login", {"email": staff.email, "password": PASSWORD, "remember": "y"})
    from ..support.browser import next_totp_code

    browser.post("/login/2fa", {"code": next_totp_code(app, staff)})
    assert browser.get("/admin/").status_code == 200
    assert browser.cookie("liaison_remember") is None


def test_session_is_renewed_at_login(app, partner):
    browser = Browser(app)
    browser.get("/login")
    before = browser.cookie("liaison_session")
    browser.login(partner.email)
    assert browser.cookie("liaison_session") != before


def test_member_of_organisation_sees_roles_on_dashboard(browser, ctx):
    member = make_partner(roles={OrgRole.MEMBER})
    commit()
    browser.login(member.email)
    page = text(browser.get("/dashboard"))
    assert "Member" in page and "Invite colleagues" not in page
    db.session.expire_all()


def test_logs_carry_no_passwords_emails_or_tokens(app, partner, caplog):
    canary = "Canary-password-7f3a9"
    with caplog.at_level("DEBUG"):
        Browser(app).login(partner.email, canary)
        Browser(app).login("ghost@acme.example", canary)
        Browser(app).post("/reset-password", {"email": partner.email})
    logged = caplog.text
    assert canary not in logged
    assert "ghost@acme.example" not in logged and partner.email not in logged
    from ..support.browser import last_email_to, link_in

    token = link_in(last_email_to(partner.email), "/reset-password/").rsplit("/", 1)[1]
    assert token not in logged  # the memory mail backend logs nothing; the security log no token
    events = [r.getMessage() for r in caplog.records if r.name == "liaison.security"]
    assert any('"event": "login_failed"' in e and '"ip": "127.0.0.1"' in e for e in events)
    assert all('"request_id": "' in e for e in events)
