"""A partner's simultaneous clicks on "Interested" (double clicks, two tabs, two colleagues) turn a
proposal into exactly one lead or one collaboration agreement, with real commits on both engines."""

from __future__ import annotations

import sqlalchemy as sa

from portal.agreements.models import Agreement
from portal.catalog import services as catalog
from portal.catalog.models import Lead, Researcher, TechnologyStatus
from portal.challenges import services
from portal.challenges.models import ChallengeStatus, ProposalKind
from portal.extensions import db

from ..support.browser import Browser, location
from ..support.factories import make_staff
from .helpers import entitled, submitted


def test_simultaneous_accepts_make_one_lead_and_one_agreement(scratch_database, monkeypatch):
    from flask_migrate import upgrade

    from portal import create_app

    from ..support.concurrency import post_simultaneously
    from ..support.context import app_context

    app = create_app("testing", {"DATABASE_URL": scratch_database, "RATELIMIT_ENABLED": False})
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))  # real transactions
    with app_context(app):
        upgrade()
        staff = make_staff(email="race-officer@tto.example")
        partner = entitled(legal_name="Race Logistics", account_owner_id=staff.id)
        challenge = submitted(partner, ChallengeStatus.MATCHING)
        technology = catalog.create_technology(
            catalog.TechnologyData(
                title="Indoor positioning", benefit="Finds pallets.", problem="Lost pallets."
            ),
            status=TechnologyStatus.PUBLISHED,
        )
        expert = Researcher(name="Dr Race Expert", group="Positioning lab", public=True)
        db.session.add(expert)
        db.session.flush()
        tech = services.propose(staff, challenge, ProposalKind.TECHNOLOGY, technology.id)
        person = services.propose(staff, challenge, ProposalKind.RESEARCHER, expert.id)
        services.transition(staff, challenge, ChallengeStatus.PROPOSAL)
        db.session.commit()
        ids = challenge.id, tech.id, person.id, partner.email, partner.organisation_id

    challenge_id, tech_id, person_id, email, organisation_id = ids
    browser = Browser(app)
    assert location(browser.login(email)) == "/dashboard"
    form = {"answer": "interested", "csrf_token": browser.csrf_token()}
    cookie = browser.client.get_cookie("liaison_session").value
    # SQLite queues writers for 5 s (busy_timeout): on a loaded machine a click may get the 503 "try
    # again" page (nothing half-done). PostgreSQL row locks always answer.
    busy = (503,) if scratch_database.startswith("sqlite") else ()
    for proposal_id in (tech_id, person_id):
        path = f"/challenges/{challenge_id}/proposals/{proposal_id}"
        statuses = post_simultaneously(app, 6, path, form, cookie)
        assert 302 in statuses and set(statuses) <= {302, *busy}, statuses

    with app_context(app):
        leads = db.session.scalars(sa.select(Lead).where(Lead.organisation_id == organisation_id)).all()
        agreements = db.session.scalars(
            sa.select(Agreement).where(Agreement.source == f"challenge:{challenge_id}")
        ).all()
        assert len(leads) == 1 and leads[0].technology_id is not None
        assert len(agreements) == 1
        db.session.remove()
        db.engine.dispose()  # close the threads' pooled connections before the interpreter does
