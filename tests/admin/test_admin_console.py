"""The staff console: second factor, guard, lists, deactivation, audit log."""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa

from portal.auth.models import PlatformRole, User
from portal.core.models import AuditEvent
from portal.extensions import db
from portal.partners.models import OrgRole

from ..support.browser import Browser, location, next_totp_code, text
from ..support.factories import PASSWORD, commit, make_organisation, make_partner, make_staff


@pytest.fixture
def staff(ctx):
    user = make_staff(email="officer@tto.example", full_name="Oscar Mbeki")
    commit()
    return user


@pytest.fixture
def admin(ctx):
    user = make_staff(admin=True, email="admin@tto.example", full_name="Ada Lindqvist")
    commit()
    return user


def test_staff_password_alone_does_not_open_the_console(app, staff):
    browser = Browser(app)
    response = browser.login(staff.email)
    assert location(response) == "/login/2fa"
    assert location(browser.get("/admin/")).startswith("/login")
    assert browser.get("/admin/users").status_code == 302
    wrong = browser.post("/login/2fa", {"code": "000000"})
    assert wrong.status_code == 200 and "not valid" in text(wrong)
    assert location(browser.post("/login/2fa", {"code": next_totp_code(app, staff)})) == "/admin/"
    assert browser.get("/admin/").status_code == 200


def test_totp_code_cannot_be_replayed(app, staff):
    first = Browser(app)
    first.login(staff.email)
    code = next_totp_code(app, staff)
    assert location(first.post("/login/2fa", {"code": code})) == "/admin/"
    second = Browser(app)
    second.login(staff.email)
    replay = second.post("/login/2fa", {"code": code})
    assert replay.status_code == 200
    assert second.get("/admin/").status_code == 302


def test_second_factor_attempts_are_throttled(app, staff):
    browser = Browser(app)
    browser.login(staff.email)
    for _ in range(5):
        browser.post("/login/2fa", {"code": "123456"})
    assert browser.post("/login/2fa", {"code": next_totp_code(app, staff)}).status_code == 429


def test_new_staff_enrols_a_second_factor_and_gets_recovery_codes(app, ctx):
    newcomer = make_staff(with_totp=False, email="new@tto.example")
    commit()
    browser = Browser(app)
    assert location(browser.login(newcomer.email)) == "/login/2fa/setup"
    page = text(browser.get("/login/2fa/setup"))
    assert "data:image/svg+xml" in page  # the QR code
    secret = re.search(r'<p class="secret[^"]*">([A-Z2-7]+)</p>', page).group(1)
    assert browser.post("/login/2fa/setup", {"code": "000000"}).status_code == 200
    response = browser.post("/login/2fa/setup", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r"<li>([0-9a-f]{6}-[0-9a-f]{6})</li>", text(response))
    assert len(codes) == 10
    assert browser.get("/admin/").status_code == 200

    # A recovery code signs in once.
    other = Browser(app)
    other.login(newcomer.email)
    assert location(other.post("/login/2fa", {"code": codes[0]})) == "/admin/"
    again = Browser(app)
    again.login(newcomer.email)
    assert again.post("/login/2fa", {"code": codes[0]}).status_code == 200
    assert again.get("/admin/").status_code == 302


def test_partners_get_403_and_visitors_the_login_page(app, ctx):
    partner = make_partner()
    commit()
    assert location(Browser(app).get("/admin/users")).startswith("/login?next=")
    browser = Browser(app)
    browser.login(partner.email)
    assert browser.get("/admin/").status_code == 403
    assert browser.get("/admin/users").status_code == 403


def test_users_list_search_and_filters(app, staff, ctx):
    acme = make_organisation(legal_name="Acme Robotics GmbH")
    make_partner(organisation=acme, email="clara@acme.example", full_name="Clara Becker")
    make_partner(email="ingrid@nordlicht.example", full_name="Ingrid Solberg", verified=False)
    commit()
    browser = Browser(app)
    browser.login_staff(staff)

    page = text(browser.get("/admin/users?q=acme"))
    assert "clara@acme.example" in page and "ingrid@nordlicht.example" not in page
    page = text(browser.get("/admin/users?status=unverified"))
    assert "ingrid@nordlicht.example" in page and "clara@acme.example" not in page
    page = text(browser.get("/admin/users?role=staff"))
    assert "officer@tto.example" in page and "clara@acme.example" not in page
    page = text(browser.get("/admin/users?q=%25"))  # a literal %, not a wildcard
    assert "No users match" in page
    assert browser.get("/admin/users?page=999").status_code == 200


def test_organisations_list_and_detail(app, staff, ctx):
    acme = make_organisation(legal_name="Acme Robotics GmbH", country="DE")
    make_organisation(legal_name="Kumo Materials K.K.", country="JP")
    make_partner(organisation=acme, email="clara@acme.example", roles={OrgRole.OWNER})
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    page = text(browser.get("/admin/organisations?country=JP"))
    assert "Kumo Materials" in page and "Acme Robotics" not in page
    page = text(browser.get(f"/admin/organisations/{acme.id}"))
    assert "clara@acme.example" in page and "Germany" in page
    assert browser.get("/admin/organisations/999999").status_code == 404


def test_deactivate_and_reactivate_are_audited(app, staff, ctx):
    partner = make_partner(email="clara@acme.example")
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    response = browser.post(f"/admin/users/{partner.id}/deactivate")
    assert location(response) == f"/admin/users/{partner.id}"
    db.session.expire_all()
    assert not db.session.get(User, partner.id).active
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.deactivated"))
    assert event.actor_id == staff.id and event.target_id == partner.id and event.ip == "127.0.0.1"
    said = f'Oscar Mbeki</a> deactivated the account of <a href="/admin/users/{partner.id}">'
    assert said in text(browser.get("/admin/audit"))
    assert said in text(browser.get("/admin/audit?action=user.deactivated"))
    assert said not in text(browser.get("/admin/audit?action=user.reactivated"))

    browser.post(f"/admin/users/{partner.id}/reactivate")
    db.session.expire_all()
    assert db.session.get(User, partner.id).active
    assert location(Browser(app).login(partner.email)) == "/dashboard"


def test_only_admins_deactivate_staff_and_nobody_deactivates_themselves(app, staff, admin):
    browser = Browser(app)
    browser.login_staff(staff)
    browser.post(f"/admin/users/{admin.id}/deactivate")
    browser.post(f"/admin/users/{staff.id}/deactivate")
    db.session.expire_all()
    assert db.session.get(User, admin.id).active and db.session.get(User, staff.id).active
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "user.deactivated")
        )
        == 0
    )

    boss = Browser(app)
    boss.login_staff(admin)
    boss.post(f"/admin/users/{staff.id}/deactivate")
    db.session.expire_all()
    assert not db.session.get(User, staff.id).active
    assert browser.get("/admin/").status_code == 302  # their session ended


def test_audit_rows_cannot_be_changed(ctx, staff):
    from portal.core import audit

    event = audit.record("test.event", actor=staff)
    commit()
    event.action = "tampered"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_staff_is_not_in_an_organisation_and_has_no_partner_pages(app, staff):
    browser = Browser(app)
    browser.login_staff(staff)
    assert browser.get("/dashboard").status_code == 403
    assert staff.platform_role is PlatformRole.STAFF
    assert PASSWORD  # the factory password logs staff in


def test_staff_assign_an_account_owner_and_the_queue_shrinks(app, staff, ctx):
    organisation = make_organisation(legal_name="Kumo Materials K.K.")
    partner = make_partner()
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    overview = text(browser.get("/admin/"))
    assert "signed up without an account owner" in overview
    queue = text(browser.get("/admin/organisations?owner=none"))
    assert "Kumo Materials" in queue

    response = browser.post(
        f"/admin/organisations/{organisation.id}/account-owner", {"account_owner_id": staff.id}
    )
    assert location(response) == f"/admin/organisations/{organisation.id}"
    db.session.expire_all()
    assert db.session.get(type(organisation), organisation.id).account_owner_id == staff.id
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "organisation.account_owner_set")
    )
    assert event.actor_id == staff.id and event.details["after"] == staff.email
    assert "now looks after Kumo Materials" in text(browser.get(f"/admin/organisations/{organisation.id}"))
    assert "Kumo Materials" not in text(browser.get("/admin/organisations?owner=none"))

    # A partner user cannot be made account owner.
    browser.post(f"/admin/organisations/{organisation.id}/account-owner", {"account_owner_id": partner.id})
    db.session.expire_all()
    assert db.session.get(type(organisation), organisation.id).account_owner_id == staff.id
    assert "must be an active member of the TTO staff" in text(
        browser.get(f"/admin/organisations/{organisation.id}")
    )


def test_staff_make_new_recovery_codes_and_old_ones_stop_working(app, staff):
    from portal.auth import twofactor

    with app.app_context():
        user = db.session.get(User, staff.id)
        old_codes = twofactor.regenerate_recovery_codes(user)
        db.session.commit()
    browser = Browser(app)
    browser.login_staff(staff)
    page = text(browser.post("/account/recovery-codes"))
    new_codes = re.findall(r"<li>([0-9a-f]{6}-[0-9a-f]{6})</li>", page)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    other = Browser(app)
    other.login(staff.email)
    assert other.post("/login/2fa", {"code": old_codes[0]}).status_code == 200  # refused
    assert location(other.post("/login/2fa", {"code": new_codes[0]})) == "/admin/"


def test_partners_without_two_factor_cannot_make_recovery_codes(app, ctx):
    partner = make_partner()
    commit()
    browser = Browser(app)
    browser.login(partner.email)
    assert browser.post("/account/recovery-codes").status_code == 403


def test_partners_may_turn_two_factor_on_and_off(app, ctx):
    partner = make_partner(email="careful@acme.example")
    commit()
    browser = Browser(app)
    browser.login(partner.email)
    page = text(browser.get("/account/2fa"))
    secret = re.search(r'<p class="secret[^"]*">([A-Z2-7]+)</p>', page).group(1)
    assert browser.post("/account/2fa", {"code": "000000"}).status_code == 200
    codes_page = text(browser.post("/account/2fa", {"code": pyotp.TOTP(secret).now()}))
    assert len(re.findall(r"<li>([0-9a-f]{6}-[0-9a-f]{6})</li>", codes_page)) == 10
    assert browser.get("/dashboard").status_code == 200  # this session goes on

    # From now on the password alone is not enough.
    other = Browser(app)
    assert location(other.login(partner.email)) == "/login/2fa"
    assert other.get("/dashboard").status_code == 302
    assert location(other.post("/login/2fa", {"code": next_totp_code(app, partner)})) == "/dashboard"

    # Off again, with the password.
    wrong = browser.post("/account/2fa/disable", {"password": "not-my-password"})
    assert location(wrong) == "/account"
    db.session.expire_all()
    assert db.session.get(User, partner.id).totp_enabled_at is not None
    browser.post("/account/2fa/disable", {"password": PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, partner.id).totp_enabled_at is None
    assert location(Browser(app).login(partner.email)) == "/dashboard"


def test_staff_cannot_turn_two_factor_off(app, staff):
    browser = Browser(app)
    browser.login_staff(staff)
    assert browser.post("/account/2fa/disable", {"password": PASSWORD}).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, staff.id).totp_enabled_at is not None


@pytest.mark.parametrize(
    ("path", "title", "column"),
    [
        ("/admin/users", "Users", "Last sign-in"),
        ("/admin/organisations", "Organisations", "Account owner"),
        ("/admin/applications?status=", "Applications", "Waiting"),
        ("/admin/invoices", "Invoices", "Still due"),
        ("/admin/agreements", "Agreements", "Created"),
    ],
)
def test_every_console_list_keeps_the_page_frame_around_its_table(app, staff, ctx, path, title, column):
    """The lists share one layout: the site's navigation, the breadcrumb, one heading, the filter form,
    the table's own columns, and the rows (staff themselves are listed on the users page)."""
    make_organisation(legal_name="Framed Optics GmbH")
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    html = browser.get(path).get_data(as_text=True)
    assert html.count('aria-label="Main"') == 1  # the navigation bar, once
    assert f'<li class="breadcrumb-item active" aria-current="page">{title}</li>' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1 and f">{title}" in html
    assert '<form method="get"' in html
    assert f">{column}</th>" in html or html.count("<table") == 0
