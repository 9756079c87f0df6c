"""Sign-up, email verification, and the first login."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.extensions import db
from portal.partners.models import Organisation, OrgRole

from ..support.browser import emails_to, last_email_to, link_in, location, text
from ..support.factories import PASSWORD, commit, make_partner

GOOD = {
    "legal_name": "Helios Photonics S.r.l.",
    "country": "IT",
    "full_name": "Giulia Rossi",
    "job_title": "CTO",
    "email": "Giulia.Rossi@Helios.example",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "accept": "y",
}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_signup_creates_organisation_and_owner_and_sends_verification(browser, ctx):
    response = browser.post("/signup", GOOD)
    assert response.status_code == 302
    assert location(response) == "/signup/check-email"
    assert "giulia.rossi@helios.example" in text(browser.get("/signup/check-email"))

    user = db.session.scalar(sa.select(User).where(User.email == "giulia.rossi@helios.example"))
    assert user is not None and user.email_verified_at is None
    assert user.organisation.legal_name == "Helios Photonics S.r.l."
    assert user.organisation.country == "IT"
    assert user.org_roles == {OrgRole.OWNER, OrgRole.BILLING, OrgRole.SIGNATORY}
    assert user.password_hash.startswith("$argon2id$")

    mail = last_email_to(user.email)
    assert "Industry Partnership Programme" in mail.subject
    assert mail.status.value == "sent"
    verify_path = link_in(mail, "/verify-email/")

    # Not verified yet: the right password does not open a session, and a new link is sent.
    response = browser.login(user.email)
    assert response.status_code == 200
    assert "not confirmed yet" in text(response)
    assert browser.get("/dashboard").status_code == 302
    assert len(emails_to(user.email)) == 2

    # The link shows a confirmation button (no state change on GET); the POST confirms.
    assert browser.get(verify_path).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is None
    response = browser.post(verify_path)
    assert location(response) == "/dashboard"  # confirming signs the new owner in
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None
    browser.logout()

    response = browser.login("GIULIA.ROSSI@helios.example")
    assert location(response) == "/dashboard"
    page = text(browser.get("/dashboard"))
    assert "Welcome, Giulia" in page and "Helios Photonics" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"legal_name": ""}, "This field is required"),
        ({"country": ""}, "Choose the country"),
        ({"country": "XX"}, "Choose the country"),
        ({"full_name": ""}, "This field is required"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"password": "short-pw", "confirm": "short-pw"}, "between 12 and 128 characters"),
        ({"password": "passwordpassword", "confirm": "passwordpassword"}, "too common"),
        ({"password": "123456789012", "confirm": "123456789012"}, "too common"),
        ({"password": "helios photonics", "confirm": "helios photonics"}, "built from your name"),
        ({"password": "Giulia.Rossi2024!", "confirm": "Giulia.Rossi2024!"}, "built from your name"),
        ({"password": "x" * 129, "confirm": "x" * 129}, "128 characters"),
        ({"confirm": "Vivid-otter-canal-43"}, "The two passwords differ"),
        ({"accept": ""}, "Please agree"),
    ],
)
def test_signup_bad_input_shows_message_and_saves_nothing(browser, ctx, change, message):
    before = (count(User), count(Organisation))
    response = browser.post("/signup", {**GOOD, **change})
    assert response.status_code == 200
    body = text(response)
    assert message in body
    assert "Please correct the following" in body or "alert-danger" in body
    assert 'value="Helios Photonics S.r.l."' in body or change.get("legal_name") == ""  # values kept
    assert (count(User), count(Organisation)) == before


def test_long_passwords_up_to_128_are_accepted(browser, ctx):
    long_password = "correct horse battery staple " * 4 + "x" * 12  # 128 characters
    assert len(long_password) == 128
    response = browser.post("/signup", {**GOOD, "password": long_password, "confirm": long_password})
    assert response.status_code == 302


def test_signup_with_existing_email_answers_the_same_and_warns_the_owner(app, ctx, make_browser):
    existing = make_partner(email="taken@example.com")
    commit()
    users_before = count(User)

    fresh = make_browser().post("/signup", {**GOOD, "email": "new-person@example.com"})
    taken = make_browser().post("/signup", {**GOOD, "email": "Taken@example.com"})

    assert fresh.status_code == taken.status_code == 302
    assert location(fresh) == location(taken)
    assert {c.split("=")[0] for c in fresh.headers.getlist("Set-Cookie")} == {
        c.split("=")[0] for c in taken.headers.getlist("Set-Cookie")
    }
    assert count(User) == users_before + 1  # only the fresh address got an account
    warning = last_email_to(existing.email)
    assert "tried to sign up" in warning.subject


def test_signup_is_throttled_per_ip(browser, ctx):
    for i in range(10):
        browser.post("/signup", {**GOOD, "email": f"p{i}@example.com"})
    response = browser.post("/signup", {**GOOD, "email": "p11@example.com"})
    assert response.status_code == 429
    assert response.headers.get("Retry-After")


def test_verification_link_forged_or_reused_for_another_purpose(browser, ctx):
    browser.post("/signup", GOOD)
    mail = last_email_to("giulia.rossi@helios.example")
    path = link_in(mail, "/verify-email/")
    response = browser.post(path[:-3] + "abc")
    assert response.status_code == 400
    assert "invalid or has expired" in text(response)
    # The same token presented as a reset token is refused (different salt).
    token = path.rsplit("/", 1)[1]
    assert browser.get(f"/reset-password/{token}").status_code == 400


HOSTILE = {
    "legal_name": "<script>alert('x')</script> Evil & Co {{ 7*7 }}",
    "full_name": "<img src=x onerror=alert(1)> Eve",
}


def test_hostile_names_come_out_literally(app, ctx):
    from ..support.browser import Browser

    browser = Browser(app)
    browser.post("/signup", {**GOOD, **HOSTILE})
    verify = link_in(last_email_to("giulia.rossi@helios.example"), "/verify-email/")
    browser.post(verify)
    browser.login(GOOD["email"])
    for page in ("/dashboard", "/organisation", "/account"):
        body = text(browser.get(page))
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "49" not in body.split("Evil &amp; Co")[-1][:10]  # {{ 7*7 }} is not evaluated
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Evil &amp; Co {{ 7*7 }}" in text(
        browser.get("/organisation")
    )
    mail = last_email_to("giulia.rossi@helios.example")
    assert "<img src=x" not in mail.body_html


def test_a_request_body_over_the_limit_gets_413(app, browser):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = browser.post("/signup", {**GOOD, "job_title": "x" * 5000})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    assert response.status_code == 413
    assert "larger than we accept" in text(response)


def test_the_tier_chosen_on_the_tiers_page_survives_sign_up_and_confirming_signs_in(browser, ctx):
    """Journey points 1 and 2 (issue 10): "Start with Partner" -> /signup?tier=partner -> the
    confirmation link signs the new owner in (a fresh session) and opens the Partner application."""
    from ..support.factories import make_tier

    make_tier(name="Partner", slug="partner")
    make_tier(name="Associate", slug="associate")
    commit()
    page = text(browser.get("/tiers"))
    assert 'href="/signup?tier=partner"' in page
    assert 'data-chosen-tier="partner"' in text(browser.get("/signup?tier=partner"))
    assert "data-chosen-tier" not in text(browser.get("/signup?tier=no-such-tier"))

    assert location(browser.post("/signup?tier=partner", GOOD)) == "/signup/check-email"
    before = browser.cookie("liaison_session")
    verify_path = link_in(last_email_to("giulia.rossi@helios.example"), "/verify-email/")
    response = browser.post(verify_path)
    assert location(response) == "/membership/apply?tier=partner"
    assert browser.cookie("liaison_session") != before  # a new session
    apply_page = text(browser.get(location(response)))
    assert '<option selected value="partner">' in apply_page or 'value="partner" selected' in apply_page

    # The link used again (in another browser) confirms nothing new and signs nobody else in.
    from ..support.browser import Browser

    other = Browser(browser.app)
    again = other.post(verify_path)
    assert location(again) == "/membership/apply?tier=partner"


def test_confirming_the_email_of_an_account_with_a_second_factor_does_not_sign_it_in(app, ctx):
    from ..support.browser import Browser

    user = make_partner(email="two-steps@acme.example")
    user.email_verified_at = None
    user.totp_secret = "JBSWY3DPEHPK3PXP"
    from portal.core.types import utcnow

    user.totp_enabled_at = utcnow()
    commit()
    from portal.auth import services as accounts

    with app.test_request_context():
        accounts.send_verification(user, then="/membership")
        db.session.commit()
    browser = Browser(app)
    response = browser.post(link_in(last_email_to(user.email), "/verify-email/"))
    assert location(response).startswith("/login")
    assert browser.get("/dashboard").status_code == 302  # not signed in: the password and code are asked
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None


def test_an_email_address_with_spaces_around_it_is_accepted_everywhere(browser, ctx):
    """Pasted addresses often carry a space or a tab (issue 10, point 12): trimmed, never refused."""
    form = dict(GOOD, email="  \tGiulia.Rossi@Helios.example  ")
    assert location(browser.post("/signup", form)) == "/signup/check-email"
    user = db.session.scalar(sa.select(User).where(User.email == "giulia.rossi@helios.example"))
    assert user is not None
    browser.post(link_in(last_email_to(user.email), "/verify-email/"))
    browser.logout()
    assert location(browser.login("  giulia.rossi@helios.example ")) == "/dashboard"
    browser.logout()
    reset = browser.post("/reset-password", {"email": " giulia.rossi@helios.example\t"})
    assert reset.status_code in (200, 302) and "Enter a valid email address" not in text(reset)
