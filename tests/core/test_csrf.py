"""CSRF: every rule that accepts POST refuses a request without a token, or with a token of
another browser session, before anything changes; and no GET changes state.

The rules are enumerated from app.url_map at run time, so a new POST route is covered at once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.core.models import AuditEvent, Email
from portal.extensions import db
from portal.partners.models import Invitation, Organisation, OrgRole

from ..support.browser import CSRF_META, location, text
from ..support.factories import PASSWORD
from ..support.world import World, build_url, make_world, sign_in

NEW_PASSWORD = "Quiet-harbour-lantern-77"

# Form fields that would make each POST succeed if its token were valid, so that the missing
# or foreign token is the only reason for a refusal. Endpoints not listed are posted empty.
VALID_FORMS: dict[str, dict] = {
    "partners.signup": {
        "legal_name": "Gamma Sensors BV",
        "country": "NL",
        "full_name": "Daan de Vries",
        "job_title": "CEO",
        "email": "daan@gamma.example",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "accept": "y",
    },
    "auth.login": {"email": "{member_email}", "password": PASSWORD},
    "auth.two_factor": {"code": "123456"},
    "auth.two_factor_setup": {"code": "123456"},
    "auth.reset_request": {"email": "{member_email}"},
    "auth.reset_password": {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    "auth.change_password": {
        "pw-current_password": PASSWORD,
        "pw-password": NEW_PASSWORD,
        "pw-confirm": NEW_PASSWORD,
    },
    "auth.change_email": {"em-email": "moved@example.com", "em-current_password": PASSWORD},
    "partners.accept_invitation": {
        "full_name": "Ines Invitee",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    },
    "partners.update_profile": {"legal_name": "Renamed Ltd", "country": "FR"},
    "partners.invite": {"email": "colleague@example.com", "roles": [OrgRole.MEMBER.value]},
    "partners.change_roles": {"roles": [OrgRole.OWNER.value]},
}


def valid_form(endpoint: str, world: World) -> dict:
    form = VALID_FORMS.get(endpoint, {})
    return {
        key: value.format(member_email=world.member.email) if isinstance(value, str) else value
        for key, value in form.items()
    }


def rules_accepting(app, *methods: str) -> list:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if set(methods) <= rule.methods and rule.endpoint != "static"
        ),
        key=lambda rule: rule.rule,
    )


# The Stripe webhook is authenticated by its signature instead (tests/test_stripe_webhooks.py).
CSRF_EXEMPT = {"billing.webhook"}


def test_the_stripe_webhook_is_the_only_csrf_exempt_route(app):
    csrf = app.extensions["csrf"]
    exempt = {view for view in csrf._exempt_views} | {bp for bp in csrf._exempt_blueprints}
    assert exempt == {"portal.billing.webhooks.webhook"}


def post_endpoints(app) -> list[str]:
    endpoints = [rule.endpoint for rule in rules_accepting(app, "POST") if rule.endpoint not in CSRF_EXEMPT]
    # The enumeration itself must work: these are known POST routes.
    assert {"auth.login", "auth.logout", "partners.invite", "admin.set_user_active"} <= set(endpoints)
    return endpoints


def database_state() -> dict[str, list]:
    """Every row of every table of the application (user, organisation, invitation, audit...)."""
    db.session.expire_all()
    state = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        state[table.name] = [tuple(row) for row in db.session.execute(sa.select(table).order_by(*order))]
    return state


def counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (User, Organisation, Invitation, AuditEvent, Email)
    }


@pytest.fixture
def world(ctx) -> World:
    return make_world()


@pytest.fixture
def csrf_log(caplog) -> Iterator[pytest.LogCaptureFixture]:
    """The app logs every 400 with its reason; a refused CSRF token says "CSRF"."""
    with caplog.at_level(logging.INFO, logger="liaison.errors"):
        yield caplog


def csrf_refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "liaison.errors" and "CSRF" in r.getMessage()]


def token_of(browser) -> str:
    return browser.csrf_token()


def test_csrf_protection_is_on(app):
    assert app.config["WTF_CSRF_ENABLED"] is True
    assert "csrf" in app.extensions


# --- no token --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "owner"])
def test_every_post_without_a_token_is_refused(app, world, make_browser, csrf_log, who):
    browser = make_browser()
    sign_in(browser, world, who)
    browser.get("/")  # the session has its own token; we just do not send it
    before = database_state()

    wrong = []
    for endpoint in post_endpoints(app):
        url = build_url(app, endpoint, world)
        csrf_log.clear()
        response = browser.post(url, valid_form(endpoint, world), csrf=False)
        if response.status_code != 400 or not csrf_refusals(csrf_log):
            wrong.append(f"{endpoint} {url}: {response.status_code}")
        elif "could not be understood" not in text(response):
            wrong.append(f"{endpoint} {url}: 400 without the error page")

    assert not wrong, "POSTs without a CSRF token that were not refused: " + "; ".join(wrong)
    assert database_state() == before
    if who != "anonymous":  # /logout and /account/logout-everywhere did not sign them out
        assert browser.get("/dashboard").status_code == 200


def test_a_token_in_the_query_string_does_not_count(app, world, browser, csrf_log):
    token = token_of(browser)
    before = database_state()
    response = browser.post(f"/logout?csrf_token={token}", csrf=False)
    assert response.status_code == 400 and csrf_refusals(csrf_log)
    response = browser.post(f"/signup?csrf_token={token}", valid_form("partners.signup", world), csrf=False)
    assert response.status_code == 400
    assert database_state() == before


# --- a token from another session --------------------------------------------------------------


@pytest.mark.parametrize(("victim", "attacker"), [("anonymous", "anonymous"), ("owner", "member")])
def test_every_post_with_a_token_of_another_session_is_refused(
    app, world, make_browser, csrf_log, victim, attacker
):
    """The victim's browser posts with a token the attacker got from their own session."""
    attacker_browser = make_browser()
    sign_in(attacker_browser, world, attacker)
    foreign = token_of(attacker_browser)
    browser = make_browser()
    sign_in(browser, world, victim)
    own = token_of(browser)
    assert own != foreign
    before = database_state()

    wrong = []
    for endpoint in post_endpoints(app):
        url = build_url(app, endpoint, world)
        csrf_log.clear()
        response = browser.post(url, {**valid_form(endpoint, world), "csrf_token": foreign})
        if response.status_code != 400 or not csrf_refusals(csrf_log):
            wrong.append(f"{endpoint} {url}: {response.status_code}")

    assert not wrong, "POSTs with a foreign CSRF token that were not refused: " + "; ".join(wrong)
    assert database_state() == before
    if victim != "anonymous":
        assert browser.get("/dashboard").status_code == 200


def test_a_forged_token_is_refused(app, world, browser, csrf_log):
    own = token_of(browser)
    forged = own[:-4] + ("AAAA" if not own.endswith("AAAA") else "BBBB")
    before = counts()
    response = browser.post("/signup", {**valid_form("partners.signup", world), "csrf_token": forged})
    assert response.status_code == 400 and csrf_refusals(csrf_log)
    assert counts() == before


def test_control_the_same_posts_with_the_sessions_own_token_pass_the_csrf_check(
    app, world, make_browser, csrf_log
):
    """Without this, the refusals above could come from something other than the token."""
    wrong = []
    for endpoint in post_endpoints(app):
        browser = make_browser()  # a fresh visitor each time: some of these posts sign in or out
        url = build_url(app, endpoint, world)
        csrf_log.clear()
        response = browser.post(url, valid_form(endpoint, world))
        if csrf_refusals(csrf_log):
            wrong.append(f"{endpoint} {url}: {response.status_code}")
    assert not wrong, "POSTs with a valid token refused as CSRF: " + "; ".join(wrong)


def test_control_an_owner_post_with_a_valid_token_changes_state(world, browser):
    sign_in(browser, world, "owner")
    before = counts()
    response = browser.post("/organisation/invitations", valid_form("partners.invite", world))
    assert location(response) == "/organisation"
    assert counts()["invitation"] == before["invitation"] + 1


def test_the_token_in_the_page_meta_is_the_one_the_forms_carry(browser):
    """The tests (and site.js) take the token from the meta tag; the forms carry the same one."""
    page = text(browser.get("/login"))
    meta = CSRF_META.search(page)
    assert meta is not None
    hidden = re.findall(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', page)
    assert len(hidden) == 2  # the sign-in form and the language switcher
    assert set(hidden) == {meta.group(1)}


# --- GET never changes state ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "owner"])
def test_get_on_rules_that_also_accept_post_changes_nothing(app, world, make_browser, who):
    browser = make_browser()
    sign_in(browser, world, who)
    token = token_of(browser)
    rules = rules_accepting(app, "GET", "POST")
    assert {"auth.verify_email", "partners.accept_invitation"} <= {rule.endpoint for rule in rules}
    before_rows, before_counts = database_state(), counts()

    for rule in rules:
        url = build_url(app, rule.endpoint, world)
        # The would-be form, token included, sent as a query string: GET must still only show it.
        query = {**valid_form(rule.endpoint, world), "csrf_token": token}
        response = browser.get(url, query_string=query)
        assert response.status_code in (200, 302, 403), f"{rule.endpoint}: {response.status_code}"

    assert counts() == before_counts
    assert database_state() == before_rows
    db.session.expire_all()
    assert db.session.get(Invitation, world.invitation_a.id).accepted_at is None
    assert db.session.get(User, world.member.id).email == world.member.email
