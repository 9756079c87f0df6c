"""Owners invite colleagues, colleagues join, owners manage roles and remove people."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.core.models import AuditEvent
from portal.core.types import utcnow
from portal.extensions import db
from portal.partners.models import Invitation, OrgRole

from ..support.browser import Browser, last_email_to, link_in, location, text
from ..support.factories import commit, make_partner, make_staff

JOIN = {
    "full_name": "Mia Schulz",
    "job_title": "Engineer",
    "password": "Quiet-meadow-bridge-5",
    "confirm": "Quiet-meadow-bridge-5",
    "accept": "y",
}


@pytest.fixture
def owner(ctx):
    user = make_partner(email="owner@acme.example", full_name="Clara Becker")
    commit()
    return user


def invite(browser, email="mia@acme.example", roles=("member",)):
    return browser.post("/organisation/invitations", {"email": email, "roles": list(roles)})


def test_owner_invites_and_colleague_joins_with_the_roles_given(app, owner):
    browser = Browser(app)
    browser.login(owner.email)
    response = invite(browser, "Mia@Acme.example", roles=("member", "billing"))
    assert location(response) == "/organisation"
    mail = last_email_to("mia@acme.example")
    assert "Clara Becker invited you" in mail.subject
    path = link_in(mail, "/invitations/")
    assert "mia@acme.example" in text(browser.get("/organisation"))  # listed as pending

    colleague = Browser(app)
    page = colleague.get(path)
    assert page.status_code == 200 and "Join" in text(page)
    response = colleague.post(path, JOIN)
    assert location(response) == "/dashboard"
    assert "Mia Schulz" in text(colleague.get("/dashboard")) or colleague.get("/dashboard").status_code == 200

    joined = db.session.scalar(sa.select(User).where(User.email == "mia@acme.example"))
    assert joined.organisation_id == owner.organisation_id
    assert joined.org_roles == {OrgRole.MEMBER, OrgRole.BILLING}
    assert joined.email_verified_at is not None
    assert "Mia Schulz" in text(browser.get("/organisation"))
    # The link is spent.
    assert Browser(app).get(path).status_code == 404


def test_invitation_bad_inputs(app, owner):
    browser = Browser(app)
    browser.login(owner.email)
    no_role = browser.post("/organisation/invitations", {"email": "a@acme.example"})
    assert no_role.status_code == 400 and "Choose at least one role" in text(no_role)
    bad_email = invite(browser, "not an email")
    assert bad_email.status_code == 400 and "Enter a valid email address" in text(bad_email)
    already = invite(browser, owner.email)
    assert already.status_code == 400 and "already a member" in text(already)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_members_cannot_invite(app, owner, ctx):
    member = make_partner(roles={OrgRole.MEMBER}, organisation=owner.organisation)
    commit()
    browser = Browser(app)
    browser.login(member.email)
    assert invite(browser).status_code == 403
    assert "Invite a colleague" not in text(browser.get("/organisation"))


def test_expired_and_revoked_invitations_cannot_be_used(app, owner):
    browser = Browser(app)
    browser.login(owner.email)
    invite(browser, "late@acme.example")
    late_path = link_in(last_email_to("late@acme.example"), "/invitations/")
    invite(browser, "gone@acme.example")
    gone_path = link_in(last_email_to("gone@acme.example"), "/invitations/")

    db.session.expire_all()
    late = db.session.scalar(sa.select(Invitation).where(Invitation.email == "late@acme.example"))
    late.expires_at = utcnow() - timedelta(minutes=1)
    gone = db.session.scalar(sa.select(Invitation).where(Invitation.email == "gone@acme.example"))
    commit()
    assert location(browser.post(f"/organisation/invitations/{gone.id}/revoke")) == "/organisation"

    for path in (late_path, gone_path, "/invitations/not-a-real-token"):
        response = Browser(app).post(path, JOIN)
        assert response.status_code == 404
        assert "invalid, expired or already used" in text(response)
    assert (
        db.session.scalar(sa.select(User).where(User.email.in_(["late@acme.example", "gone@acme.example"])))
        is None
    )


def test_a_new_invitation_replaces_the_old_link(app, owner):
    browser = Browser(app)
    browser.login(owner.email)
    invite(browser)
    first = link_in(last_email_to("mia@acme.example"), "/invitations/")
    invite(browser)
    second = link_in(last_email_to("mia@acme.example"), "/invitations/")
    assert Browser(app).get(first).status_code == 404
    assert Browser(app).get(second).status_code == 200


def test_invitation_for_an_address_that_has_an_account(app, owner, ctx):
    make_partner(email="mia@acme.example")
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    invite(browser)
    path = link_in(last_email_to("mia@acme.example"), "/invitations/")
    response = Browser(app).post(path, JOIN)
    assert response.status_code == 200
    assert "already exists" in text(response)


def test_owner_changes_roles_but_never_removes_the_last_owner(app, owner, ctx):
    colleague = make_partner(roles={OrgRole.MEMBER}, organisation=owner.organisation)
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    browser.post(f"/organisation/members/{colleague.id}/roles", {"roles": ["member", "signatory"]})
    db.session.expire_all()
    assert db.session.get(User, colleague.id).org_roles == {OrgRole.MEMBER, OrgRole.SIGNATORY}
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "member.roles_changed"))
    assert audit.actor_id == owner.id and audit.details["after"] == ["member", "signatory"]

    browser.post(f"/organisation/members/{owner.id}/roles", {"roles": ["member"]})
    db.session.expire_all()
    assert OrgRole.OWNER in db.session.get(User, owner.id).org_roles
    assert "at least one owner" in text(browser.get("/organisation"))


def test_removing_a_colleague_ends_their_sessions(app, owner, ctx):
    colleague = make_partner(roles={OrgRole.MEMBER}, organisation=owner.organisation)
    commit()
    their_browser = Browser(app)
    their_browser.login(colleague.email)
    browser = Browser(app)
    browser.login(owner.email)
    assert location(browser.post(f"/organisation/members/{colleague.id}/remove")) == "/organisation"
    assert their_browser.get("/dashboard").status_code == 302
    assert "Email or password is incorrect" in text(Browser(app).login(colleague.email))
    page = text(browser.get("/organisation"))
    assert "no longer has access" in page  # the flash
    assert f"/organisation/members/{colleague.id}/remove" not in page  # gone from the list
    # The owner cannot remove themselves.
    browser.post(f"/organisation/members/{owner.id}/remove")
    db.session.expire_all()
    assert db.session.get(User, owner.id).active


def test_a_removed_colleague_can_be_invited_back_and_returns_with_the_new_roles(app, owner, ctx):
    """Issue 9, point 12: re-inviting someone the owner removed reactivates the same account."""
    colleague = make_partner(
        roles={OrgRole.MEMBER}, organisation=owner.organisation, email="mia@acme.example"
    )
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    assert location(browser.post(f"/organisation/members/{colleague.id}/remove")) == "/organisation"
    assert location(invite(browser, "mia@acme.example", roles=("billing",))) == "/organisation"
    path = link_in(last_email_to("mia@acme.example"), "/invitations/")
    returning = Browser(app)
    assert location(returning.post(path, JOIN)) == "/dashboard"
    db.session.expire_all()
    back = db.session.get(User, colleague.id)  # the same account, not a second one
    assert back.active and back.org_roles == {OrgRole.BILLING}
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "mia@acme.example")) == 1
    assert location(Browser(app).login("mia@acme.example", JOIN["password"])) == "/dashboard"


def test_an_account_the_tto_deactivated_is_not_brought_back_by_an_invitation(app, owner, ctx):
    from portal.auth import services as accounts

    colleague = make_partner(
        roles={OrgRole.MEMBER}, organisation=owner.organisation, email="mia@acme.example"
    )
    staff = make_staff(admin=True)
    accounts.set_active(staff, colleague, active=False)
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    response = invite(browser, "mia@acme.example")
    assert response.status_code == 400
    assert "deactivated by the" in text(response)
    db.session.expire_all()
    assert not db.session.get(User, colleague.id).active


def test_names_in_an_invitation_are_quoted_as_data_and_never_become_links(app, ctx):
    """Issue 9, point 15: the institution's address never carries a clickable name."""
    from portal.partners.models import Organisation

    hostile = "Northfield TTO: your account is suspended, see evil.example"
    owner = make_partner(email="owner@hostile.example", full_name="Security Team http://evil.example")
    db.session.get(Organisation, owner.organisation_id).legal_name = hostile
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    assert location(invite(browser, "target@victim.example")) == "/organisation"
    mail = last_email_to("target@victim.example")
    assert "“Northfield TTO: your account is suspended, see evil.\u200bexample”" in mail.subject
    for part in (mail.subject, mail.body_text, mail.body_html):
        assert "evil.example" not in part and "http://evil" not in part
    assert 'href="http://evil' not in mail.body_html
