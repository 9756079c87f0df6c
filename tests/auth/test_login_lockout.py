"""Issue 9, point 14 (second half): the per-account sign-in limit stays, but it cannot lock the owner
out. Five wrong passwords make passwords alone wait; a correct password with a valid second-factor
code signs in at once, a fresh reset starts a new count, and a guesser learns nothing from the
answers while the account is locked."""

from __future__ import annotations

import re

import pytest

from ..support.browser import Browser, last_email_to, link_in, location, next_totp_code, text
from ..support.factories import PASSWORD, commit, make_partner, make_staff

WRONG = "Wrong-password-123"
NEW = "Brisk-heron-lantern-7"


@pytest.fixture
def staff(ctx):
    user = make_staff(email="ines@tto.example")
    commit()
    return user


@pytest.fixture
def partner(ctx):
    user = make_partner(email="clara@acme.example")
    commit()
    return user


def lock(app, email: str) -> None:
    for attempt in range(5):
        response = Browser(app, REMOTE_ADDR=f"10.0.0.{attempt + 1}").login(email, WRONG)
        assert response.status_code == 200
    assert Browser(app, REMOTE_ADDR="10.0.0.50").login(email).status_code == 429  # the right one waits too


def login_with_code(app, email: str, password: str, code: str, ip: str = "10.0.1.1"):
    return Browser(app, REMOTE_ADDR=ip).post("/login", {"email": email, "password": password, "code": code})


def error_of(response) -> str:
    match = re.search(r"The password or the code is not valid\.", text(response))
    return match.group(0) if match else ""


def test_while_locked_the_page_says_why_and_offers_the_code_and_a_reset(app, staff):
    lock(app, staff.email)
    response = Browser(app, REMOTE_ADDR="10.0.0.60").login(staff.email)
    page = text(response)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed attempts for this account" in page
    assert 'name="code"' in response.get_data(as_text=True)
    assert "reset your password" in page


def test_a_correct_password_with_a_valid_code_signs_in_while_the_account_is_locked(app, staff):
    lock(app, staff.email)
    response = login_with_code(app, staff.email, PASSWORD, next_totp_code(app, staff))
    assert response.status_code == 302
    assert location(response).startswith("/admin")


def test_while_locked_a_wrong_password_and_a_wrong_code_give_the_same_answer(app, staff):
    lock(app, staff.email)
    wrong_password = login_with_code(app, staff.email, WRONG, next_totp_code(app, staff))
    wrong_code = login_with_code(app, staff.email, PASSWORD, "000000")
    assert wrong_password.status_code == wrong_code.status_code == 429
    assert error_of(wrong_password) == error_of(wrong_code) != ""


def test_password_and_code_attempts_while_locked_are_limited_too(app, staff):
    lock(app, staff.email)
    for attempt in range(5):
        wrong = login_with_code(app, staff.email, PASSWORD, "000000", ip=f"10.0.2.{attempt}")
        assert wrong.status_code == 429
    late = login_with_code(app, staff.email, PASSWORD, next_totp_code(app, staff), ip="10.0.2.99")
    assert late.status_code == 429  # even the right pair waits once those are spent


def test_a_partner_without_a_second_factor_gets_in_at_once_after_a_fresh_reset(app, partner):
    lock(app, partner.email)
    Browser(app).post("/reset-password", {"email": partner.email})
    path = link_in(last_email_to(partner.email), "/reset-password/")
    assert location(Browser(app).post(path, {"password": NEW, "confirm": NEW})) == "/login"
    assert location(Browser(app, REMOTE_ADDR="10.0.3.1").login(partner.email, NEW)) == "/dashboard"


def test_a_code_does_not_help_an_account_without_a_second_factor(app, partner):
    lock(app, partner.email)
    assert login_with_code(app, partner.email, PASSWORD, "123456").status_code == 429
