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
