"""Issue 11, point 6: saved searches and their email digests, under the disclosure ladder and
first look; each technology announced once per saved search; unsubscribe by a signed link."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.catalog import services as catalog
from portal.catalog.models import DigestEntry, DigestFrequency, SavedSearch, TechnologyStatus
from portal.catalog.services import saved as saved_searches
from portal.core.types import utcnow
from portal.extensions import db
from portal.membership.models import CatalogAccess, Membership, MembershipStatus, PaymentMethod
from portal.partners.models import OrgRole

from ..support.browser import Browser, emails_to, link_in, location, text
from ..support.factories import (
    commit,
    make_executed_partnership,
    make_organisation,
    make_partner,
    make_tier,
    make_user,
)

T0 = utcnow().replace(microsecond=0)


def member(access: CatalogAccess = CatalogAccess.DETAILS, first_look_days: int = 0, **user):
    """A partner user whose organisation has partner access (active, paid, agreement executed)."""
    organisation = make_organisation()
    tier = make_tier(catalog_access=access, first_look_days=first_look_days)
    db.session.add(
        Membership(
            organisation=organisation,
            tier=tier,
            status=MembershipStatus.ACTIVE,
            payment_method=PaymentMethod.INVOICE,
            period_start=date.today() - timedelta(days=30),
            period_end=date.today() + timedelta(days=365),
        )
    )
    make_executed_partnership(organisation)
    return make_partner(organisation=organisation, **user)


def technology(title: str, *, benefit: str = "Halves the cost.", published: bool = True, at=None, **fields):
    first_look_days = fields.pop("first_look_days", None)
    tech = catalog.create_technology(
        catalog.TechnologyData(title=title, benefit=benefit, trl=5, **fields),
        status=TechnologyStatus.DRAFT,
    )
    if published:
        catalog.set_status(tech, TechnologyStatus.PUBLISHED, now=at or T0, first_look_days=first_look_days)
    return tech


def saved_search(user, q: str = "", frequency=DigestFrequency.WEEKLY, created=None, **params):
    saved = saved_searches.save_search(user, f"Search {q}", {"q": q, **params}, frequency)
    saved.created_at = created or T0 - timedelta(hours=1)
    db.session.flush()
    return saved


def digest_titles(user) -> list[list[str]]:
    """The technology titles of each digest the user received, oldest first."""
    return [
        [line[2:].rsplit(" (", 1)[0] for line in email.body_text.splitlines() if line.startswith("* ")]
        for email in emails_to(user.email)
        if email.template == "saved_search_digest"
    ]


def test_a_digest_lists_only_new_matching_technologies_once_across_runs(app, ctx):
    user = member()
    technology("Lidar odometry for tunnels", at=T0 - timedelta(days=3))  # before the search was saved
    saved = saved_search(user, "lidar")
    technology("Solid-state lidar calibration", at=T0 + timedelta(minutes=5))
    technology("Payment fraud graph scoring", at=T0 + timedelta(minutes=5))  # does not match
    technology("Lidar draft", published=False)
    commit()

    report = saved_searches.send_digests(T0 + timedelta(minutes=10))
    assert (report.sent, report.announced) == (1, 1)
    assert digest_titles(user) == [["Solid-state lidar calibration"]]

    again = saved_searches.send_digests(T0 + timedelta(days=8))  # due again, nothing new
    assert (again.checked, again.sent) == (1, 0)
    assert len(digest_titles(user)) == 1

    technology("Lidar point-cloud compression", at=T0 + timedelta(days=9))
    commit()
    saved_searches.send_digests(T0 + timedelta(days=16))
    assert digest_titles(user) == [["Solid-state lidar calibration"], ["Lidar point-cloud compression"]]
    entries = db.session.scalars(sa.select(DigestEntry).where(DigestEntry.saved_search_id == saved.id)).all()
    assert len(entries) == 2


def test_recording_entries_twice_inserts_nothing_the_second_time(app, ctx):
    """The ON CONFLICT DO NOTHING step a concurrent second run meets: it announces nothing."""
    user = member()
    saved = saved_search(user, "lidar")
    tech = technology("Lidar for docks", at=T0)
    commit()
    assert saved_searches._record(saved, [tech.id], T0) == {tech.id}
    assert saved_searches._record(saved, [tech.id], T0) == set()
    commit()
    assert saved_searches.send_digests(T0 + timedelta(hours=1)).sent == 0


def test_the_email_carries_teaser_fields_only_and_links(app, ctx):
    user = member()
    saved_search(user, "lidar")
    technology(
        "Lidar odometry",
        benefit="Cuts drift by 40 %.",
        problem="SECRET-PROBLEM text",
        at=T0 + timedelta(minutes=1),
    )
    commit()
    saved_searches.send_digests(T0 + timedelta(minutes=2))
    (email,) = emails_to(user.email)
    assert "1 new technology" in email.subject and "Search lidar" in email.subject
    assert "Cuts drift by 40 %." in email.body_text and "Cuts drift by 40 %." in email.body_html
    assert "SECRET-PROBLEM" not in email.body_text + email.body_html
    assert link_in(email, "/technologies/lidar-odometry")
    assert link_in(email, "/technologies/saved/unsubscribe/")


def test_the_digest_is_written_in_the_readers_language(app, ctx):
    user = member(locale="de")
    saved_search(user, "lidar")
    technology("Lidar odometry", at=T0 + timedelta(minutes=1))
    commit()
    saved_searches.send_digests(T0 + timedelta(minutes=2))
    (email,) = emails_to(user.email)
    assert '<html lang="de"' in email.body_html


def test_first_look_technologies_reach_a_tier_without_first_look_only_after_the_window(app, ctx):
    early = member(first_look_days=14)
    late = member(first_look_days=0)
    saved_search(early, "quantum")
    saved_search(late, "quantum")
    technology("Quantum key relay", at=T0, first_look_days=14)
    commit()

    saved_searches.send_digests(T0 + timedelta(hours=1))
    assert digest_titles(early) == [["Quantum key relay"]]
    assert digest_titles(late) == []

    saved_searches.send_digests(T0 + timedelta(days=8))  # still in first look
    assert digest_titles(late) == []
    saved_searches.send_digests(T0 + timedelta(days=15))
    assert digest_titles(late) == [["Quantum key relay"]]
    assert len(digest_titles(early)) == 1


def test_a_word_only_in_a_partner_field_announces_nothing_to_a_teaser_reader(app, ctx):
    entitled = member(CatalogAccess.DETAILS)
    associate = member(CatalogAccess.TEASER)
    lapsed = make_partner()  # no membership: reads the catalog as a visitor
    for user in (entitled, associate, lapsed):
        saved_search(user, "zeolite")
    technology(
        "Sorbent bed for server rooms", problem="Uses a zeolite lattice.", at=T0 + timedelta(minutes=1)
    )
    commit()
    saved_searches.send_digests(T0 + timedelta(minutes=2))
    assert digest_titles(entitled) == [["Sorbent bed for server rooms"]]
    assert digest_titles(associate) == [] and digest_titles(lapsed) == []


@pytest.mark.parametrize(
    ("frequency", "too_soon", "due"),
    [(DigestFrequency.DAILY, timedelta(hours=12), timedelta(days=1)),
     (DigestFrequency.WEEKLY, timedelta(days=6), timedelta(days=7))],
)  # fmt: skip
def test_daily_and_weekly_cadence(app, ctx, frequency, too_soon, due):
    user = member()
    saved_search(user, "radar", frequency)
    technology("Radar one", at=T0)
    commit()
    saved_searches.send_digests(T0 + timedelta(minutes=1))
    technology("Radar two", at=T0 + timedelta(hours=2))
    commit()
    saved_searches.send_digests(T0 + timedelta(minutes=1) + too_soon)
    assert digest_titles(user) == [["Radar one"]]
    saved_searches.send_digests(T0 + timedelta(minutes=1) + due)
    assert digest_titles(user) == [["Radar one"], ["Radar two"]]


def test_a_paused_search_sends_nothing(app, ctx):
    user = member()
    saved = saved_search(user, "radar")
    saved_searches.set_active(saved, False)
    technology("Radar one", at=T0)
    commit()
    assert saved_searches.send_digests(T0 + timedelta(minutes=1)).checked == 0


def test_the_command_runs_the_job(app, ctx):
    user = member()
    saved_search(user, "")
    technology("Anything new", at=utcnow() - timedelta(minutes=1))
    commit()
    result = app.test_cli_runner().invoke(args=["portal", "send-digests"])
    assert result.exit_code == 0, result.output
    assert "sent 1 digests" in result.output
    assert digest_titles(user) == [["Anything new"]]


def test_unsubscribe_by_link_without_signing_in(app, ctx):
    user = member()
    saved = saved_search(user, "lidar")
    technology("Lidar odometry", at=T0 + timedelta(minutes=1))
    commit()
    saved_searches.send_digests(T0 + timedelta(minutes=2))
    url = link_in(emails_to(user.email)[0], "/technologies/saved/unsubscribe/")
    browser = Browser(app)  # not signed in

    page = browser.get(url)  # a mail scanner's prefetch changes nothing
    assert page.status_code == 200 and "Stop this digest?" in text(page)
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved.id).active

    done = browser.post(url)
    assert done.status_code == 200 and "Digest stopped" in text(done)
    db.session.expire_all()
    assert not db.session.get(SavedSearch, saved.id).active

    forged = browser.post(url[:-3] + "xyz")
    assert forged.status_code == 404 and "invalid" in text(forged)


def test_a_forged_or_foreign_token_changes_nothing(app, ctx):
    user = member()
    saved = saved_search(user, "lidar")
    commit()
    token = saved_searches.unsubscribe_token(saved)
    browser = Browser(app)
    assert browser.post(f"/technologies/saved/unsubscribe/{token}x").status_code == 404
    from portal.auth import tokens

    other_purpose = tokens.make_token("verify-email", {"sid": saved.id, "uid": user.id})
    assert browser.post(f"/technologies/saved/unsubscribe/{other_purpose}").status_code == 404
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved.id).active


def test_save_the_current_search_from_the_search_page(app, ctx):
    user = member()
    commit()
    browser = Browser(app)
    browser.login(user.email)
    page = text(browser.get("/technologies?q=drone&trl_min=4&page=2"))
    assert "data-save-search" in page and 'name="q" value="drone"' in page
    assert 'name="page"' not in page
    response = browser.post(
        "/technologies/saved/new",
        {"q": "drone", "trl_min": "4", "name": "Drones TRL 4+", "frequency": "daily"},
    )
    assert location(response) == "/technologies/saved"
    saved = db.session.scalar(sa.select(SavedSearch).where(SavedSearch.user_id == user.id))
    assert saved.params == {"q": "drone", "trl_min": 4}
    assert saved.frequency is DigestFrequency.DAILY and saved.name == "Drones TRL 4+"
    listing = text(browser.get("/technologies/saved"))
    assert "Drones TRL 4+" in listing and "/technologies?q=drone&amp;trl_min=4" in listing

    refused = browser.post("/technologies/saved/new", {"q": "drone", "name": "x" * 121, "frequency": "daily"})
    assert refused.status_code == 400 and "At most 120 characters; this has 121." in text(refused)


def test_a_visitor_is_asked_to_sign_in_to_save(app, ctx):
    page = text(Browser(app).get("/technologies?q=drone"))
    assert "data-save-search" not in page and "/login?next=" in page


def test_another_users_saved_search_answers_404_and_stays(app, ctx):
    owner = member()
    colleague = make_user(owner.organisation, {OrgRole.MEMBER})
    saved = saved_search(owner, "lidar")
    commit()
    browser = Browser(app)
    browser.login(colleague.email)
    for action in ("delete", "pause", "frequency"):
        assert (
            browser.post(f"/technologies/saved/{saved.id}/{action}", {"frequency": "daily"}).status_code
            == 404
        )
    assert "Search lidar" not in text(browser.get("/technologies/saved"))
    db.session.expire_all()
    kept = db.session.get(SavedSearch, saved.id)
    assert kept.active and kept.frequency is DigestFrequency.WEEKLY


def test_the_owner_changes_cadence_pauses_and_deletes(app, ctx):
    owner = member()
    saved = saved_search(owner, "lidar")
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    browser.post(f"/technologies/saved/{saved.id}/frequency", {"frequency": "daily"})
    browser.post(f"/technologies/saved/{saved.id}/pause")
    db.session.expire_all()
    changed = db.session.get(SavedSearch, saved.id)
    assert changed.frequency is DigestFrequency.DAILY and not changed.active
    assert "Paused" in text(browser.get("/technologies/saved"))
    browser.post(f"/technologies/saved/{saved.id}/pause")
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved.id).active
    saved_id = saved.id
    assert location(browser.post(f"/technologies/saved/{saved_id}/delete")) == "/technologies/saved"
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved_id) is None


@pytest.fixture
def real_app(scratch_database, monkeypatch):
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app("testing", {"DATABASE_URL": scratch_database, "RATELIMIT_ENABLED": False})
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))  # real transactions
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_simultaneous_runs_announce_each_technology_once(real_app):
    """Two (here four) digest jobs at the same instant on separate connections: one email."""
    from ..support.concurrency import run_simultaneously

    with real_app.app_context():
        user = member()
        saved_search(user, "lidar")
        technology("Lidar odometry", at=T0 + timedelta(minutes=1))
        db.session.commit()
        email = user.email

    def run(_: int) -> int:
        with real_app.app_context():
            try:
                return saved_searches.send_digests(T0 + timedelta(minutes=2)).announced
            finally:
                db.session.remove()

    assert sorted(run_simultaneously(4, run)) == [0, 0, 0, 1]
    with real_app.app_context():
        assert len(digest_titles_of(email)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DigestEntry)) == 1


def digest_titles_of(address: str) -> list:
    return [e for e in emails_to(address) if e.template == "saved_search_digest"]
