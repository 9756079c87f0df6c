"""Issue 9, points 5 and 6: simultaneous writes on one database (real commits on separate
connections; SQLite by default, PostgreSQL in CI) give the ordinary answers, never a 500."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app
from portal.auth.models import User
from portal.extensions import db

from ..support.concurrency import run_simultaneously
from ..support.factories import PASSWORD, make_partner
from ..support.world import make_invitation

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
N = 8


@pytest.fixture
def real_app(scratch_database, monkeypatch):
    app = create_app("testing", {"DATABASE_URL": scratch_database, "RATELIMIT_ENABLED": False})
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))  # real transactions
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def clients_with_tokens(app, path: str, n: int = N):
    prepared = []
    for _ in range(n):
        client = app.test_client()
        token = CSRF.search(client.get(path).get_data(as_text=True)).group(1)
        prepared.append((client, token))
    return prepared


def test_simultaneous_sign_ups_with_one_address_give_the_same_answer_and_one_account(real_app):
    prepared = clients_with_tokens(real_app, "/signup")
    form = {
        "legal_name": "Twin Robotics GmbH",
        "country": "DE",
        "full_name": "Tom Twin",
        "email": "tom@twin.example",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "accept": "y",
    }

    def sign_up(i: int) -> int:
        client, token = prepared[i]
        return client.post("/signup", data={**form, "csrf_token": token}).status_code

    statuses = run_simultaneously(N, sign_up)
    assert statuses == [302] * N, statuses  # everyone is told to check their mailbox
    with real_app.app_context():
        count = db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "tom@twin.example"))
    assert count == 1


def test_simultaneous_acceptances_of_one_invitation_make_one_account_and_no_error(real_app):
    with real_app.app_context():
        owner = make_partner(email="owner@acme.example")
        _, token = make_invitation(owner.organisation, owner, email="mia@acme.example")
        db.session.commit()
    path = f"/invitations/{token}"
    prepared = clients_with_tokens(real_app, path)
    form = {"full_name": "Mia Schulz", "password": PASSWORD, "confirm": PASSWORD, "accept": "y"}

    def accept(i: int) -> int:
        client, csrf = prepared[i]
        return client.post(path, data={**form, "csrf_token": csrf}).status_code

    statuses = run_simultaneously(N, accept)
    assert 500 not in statuses, statuses
    assert statuses.count(302) == 1, statuses  # one joins; the others hear the link was used
    with real_app.app_context():
        count = db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "mia@acme.example"))
    assert count == 1


def test_simultaneous_upgrade_clicks_issue_one_upgrade_invoice(real_app):
    """Issue 9, point 4: one open upgrade invoice at a time, under a lock."""
    from datetime import date, timedelta

    from portal.membership.models import Invoice, Membership, MembershipStatus

    from ..support.factories import make_executed_partnership, make_organisation, make_tier

    with real_app.app_context():
        organisation = make_organisation(legal_name="Nordlicht Energy AS", country="NO")
        owner = make_partner(organisation=organisation, email="owner@nordlicht.example")
        make_tier(slug="strategic", name="Strategic", annual_fee_cents=100_000_00)
        start = date.today() - timedelta(days=100)
        db.session.add(
            Membership(
                organisation=organisation,
                tier=make_tier(slug="partner", name="Partner", annual_fee_cents=25_000_00),
                status=MembershipStatus.ACTIVE,
                period_start=start,
                period_end=start + timedelta(days=364),
            )
        )
        make_executed_partnership(organisation)
        db.session.commit()
        email = owner.email
    prepared = []
    for _ in range(N):
        client = real_app.test_client()
        token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
        client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        page = client.get("/membership/change?tier=strategic").get_data(as_text=True)
        prepared.append((client, CSRF.search(page).group(1)))

    def upgrade(i: int) -> int:
        client, token = prepared[i]
        return client.post("/membership/change", data={"tier": "strategic", "csrf_token": token}).status_code

    statuses = run_simultaneously(N, upgrade)
    assert statuses == [302] * N, statuses  # each click lands on the membership page with a message
    with real_app.app_context():
        upgrades = db.session.scalars(sa.select(Invoice).where(Invoice.purpose == "upgrade")).all()
    assert len(upgrades) == 1


def test_simultaneous_invitations_never_exceed_the_seats(real_app):
    """Issue 9, point 7: the seat check runs under a lock on the organisation."""
    from datetime import date, timedelta

    from portal.membership.models import Membership, MembershipStatus
    from portal.partners.invitations import seats_used
    from portal.partners.models import Organisation

    from ..support.factories import make_executed_partnership, make_organisation, make_tier

    with real_app.app_context():
        organisation = make_organisation(legal_name="Seated Optics GmbH")
        owner = make_partner(organisation=organisation, email="owner@seated.example")
        db.session.add(
            Membership(
                organisation=organisation,
                tier=make_tier(slug="small", name="Small", seat_limit=3),
                status=MembershipStatus.ACTIVE,
                period_start=date.today() - timedelta(days=10),
                period_end=date.today() + timedelta(days=300),
            )
        )
        make_executed_partnership(organisation)
        db.session.commit()
        email, organisation_id = owner.email, organisation.id
    prepared = []
    for _ in range(N):
        client = real_app.test_client()
        token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
        client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        prepared.append((client, CSRF.search(client.get("/organisation").get_data(as_text=True)).group(1)))

    def invite(i: int) -> int:
        client, token = prepared[i]
        data = {"email": f"colleague{i}@seated.example", "roles": ["member"], "csrf_token": token}
        return client.post("/organisation/invitations", data=data).status_code

    statuses = run_simultaneously(N, invite)
    assert 500 not in statuses, statuses
    assert statuses.count(302) == 2, statuses  # the owner holds one of the three seats
    with real_app.app_context():
        assert seats_used(db.session.get(Organisation, organisation_id)) == 3
