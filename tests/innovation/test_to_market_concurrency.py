"""Simultaneous clicks on "Create the catalog listing" (double clicks, two officers) make exactly one
listing, with real commits on both engines."""

from __future__ import annotations

import sqlalchemy as sa

from portal.catalog.models import Technology
from portal.extensions import db
from portal.innovation.models import Disclosure

from ..support.browser import Browser, location
from ..support.factories import make_staff
from .helpers import assessed, researcher_account, submitted


def test_simultaneous_clicks_make_one_listing(scratch_database, monkeypatch):
    from flask_migrate import upgrade

    from portal import create_app

    from ..support.concurrency import post_simultaneously
    from ..support.context import app_context

    app = create_app("testing", {"DATABASE_URL": scratch_database, "RATELIMIT_ENABLED": False})
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))  # real transactions
    with app_context(app):
        upgrade()
        staff = make_staff(email="race-officer@tto.example")
        user, entry = researcher_account("Dr Race Inventor")
        disclosure = submitted(user, (entry.id, "100"))
        assessed(staff, disclosure)
        db.session.commit()
        disclosure_id = disclosure.id
        db.session.expunge_all()
        browser = Browser(app)
        assert location(browser.login_staff(db.session.merge(staff))) == "/admin/"

    form = {"csrf_token": browser.csrf_token()}
    cookie = browser.client.get_cookie("liaison_session").value
    busy = (503,) if scratch_database.startswith("sqlite") else ()
    path = f"/admin/innovation/disclosures/{disclosure_id}/to-market"
    statuses = post_simultaneously(app, 6, path, form, cookie)
    assert 302 in statuses and set(statuses) <= {302, *busy}, statuses

    with app_context(app):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Technology)) == 1
        technology = db.session.scalar(sa.select(Technology))
        assert db.session.get(Disclosure, disclosure_id).technology_id == technology.id
        db.session.remove()
        db.engine.dispose()
