"""Matchmaking: the right technology and researcher come first, the reasons say why, and nothing
a reader may not see feeds a score or an explanation."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.catalog import services as catalog
from portal.catalog.models import Domain, Researcher, TechnologyStatus
from portal.catalog.services import Level, Viewer
from portal.core.types import utcnow
from portal.extensions import db
from portal.matching import services as matching

from ..support.browser import text
from ..support.factories import commit, make_staff

STAFF = Viewer(Level.DOSSIER, first_look=True, staff=True)
PARTNER = Viewer(Level.PARTNER_DETAIL, organisation_id=1)


def domain(slug: str) -> Domain:
    return db.session.scalar(sa.select(Domain).where(Domain.slug == slug))


def tech(title, benefit="", domain_slug=None, trl=5, status=TechnologyStatus.PUBLISHED, **fields):
    return catalog.create_technology(
        catalog.TechnologyData(
            title=title,
            benefit=benefit or f"{title}.",
            domain_id=domain(domain_slug).id if domain_slug else None,
            trl=trl,
            **fields,
        ),
        status=status,
    )


def corpus():
    ids = tech(
        "In-vehicle intrusion detection for CAN bus networks",
        "Flags attacks on a car's internal network within 5 ms.",
        "cybersecurity",
        trl=6,
        keywords=["intrusion detection", "CAN bus", "automotive"],
    )
    tech("Satellite image compression on board", "Halves downlink volume.", "space-systems", trl=4)
    tech("Fraud scoring for instant payments", "Scores payments in 2 ms.", "fintech", trl=7)
    tech("Robotic gripper for soft fruit", "Picks strawberries without bruising.", "robotics", trl=3)
    return ids


def test_the_technology_that_fits_comes_first_with_its_reasons(ctx):
    ids = corpus()
    result = matching.match_text(
        "We must detect attacks on the network inside our vehicles",
        viewer=STAFF,
        domain_id=domain("cybersecurity").id,
        target_trl=6,
    )
    first = result.technologies[0]
    assert first.obj.id == ids.id
    assert "car" in first.shared and "security" in first.shared  # vehicles ~ car, attacks ~ security
    reasons = " ".join(first.reasons)
    assert "Same domain: Cybersecurity" in reasons and "TRL 6 meets the target TRL 6" in reasons
    assert all(m.score <= first.score for m in result.technologies)
    assert "Fraud scoring" not in [m.obj.title for m in result.technologies][:1]


def test_a_technology_below_the_target_trl_says_so(ctx):
    corpus()
    result = matching.match_text("soft fruit picking robot", viewer=STAFF, target_trl=6)
    first = result.technologies[0]
    assert first.obj.title.startswith("Robotic gripper")
    assert "TRL 3 is below the target TRL 6" in first.reasons


def test_text_with_no_shared_term_matches_nothing(ctx):
    corpus()
    assert matching.match_text("the and of with", viewer=STAFF).technologies == []
    assert matching.match_text("zebra quilting", viewer=STAFF).technologies == []


def test_researchers_match_on_expertise_and_internal_ones_only_for_staff(ctx):
    db.session.add_all(
        [
            Researcher(name="Dr Ana Públic", expertise=["machine learning", "fraud detection"], public=True),
            Researcher(name="Dr Ivo Internal", expertise=["fraud detection", "payments"], public=False),
            Researcher(name="Dr Sam Orbit", expertise=["satellite communications"], public=True),
        ]
    )
    db.session.flush()
    for_staff = [
        m.obj.name for m in matching.match_text("AI to stop payment fraud", viewer=STAFF).researchers
    ]
    for_partner = [
        m.obj.name for m in matching.match_text("AI to stop payment fraud", viewer=PARTNER).researchers
    ]
    assert set(for_staff[:2]) == {"Dr Ana Públic", "Dr Ivo Internal"} and "Dr Sam Orbit" not in for_staff
    assert "Dr Ivo Internal" not in for_partner and for_partner[0] == "Dr Ana Públic"


def test_a_teaser_reader_is_never_matched_on_partner_only_words(ctx):
    canary = "zirconiumcanary"
    listing = tech("Quiet listing", "A public benefit.", keywords=[canary], problem=f"The {canary} problem.")
    assert matching.match_text(canary, viewer=PARTNER).technologies[0].obj.id == listing.id
    assert matching.match_text(canary, viewer=catalog.VISITOR).technologies == []
    teaser_view = matching.match_text(f"public benefit {canary}", viewer=catalog.VISITOR).technologies
    assert teaser_view and all(canary not in " ".join(m.reasons + m.shared) for m in teaser_view)


def test_hidden_listings_are_matched_for_no_one_but_staff_first_look_for_entitled_readers(ctx):
    tech("Draft quantum widget", status=TechnologyStatus.DRAFT)
    early = tech("Fresh quantum widget")
    early.first_look_until = utcnow() + timedelta(days=10)
    db.session.flush()

    def titles(viewer):
        return [m.obj.title for m in matching.match_text("quantum widget", viewer=viewer).technologies]

    assert titles(PARTNER) == []
    assert titles(Viewer(Level.PARTNER_DETAIL, first_look=True, organisation_id=1)) == [
        "Fresh quantum widget"
    ]
    assert titles(STAFF) == ["Fresh quantum widget"]  # drafts are not catalog listings, even for staff


def test_the_console_page_ranks_and_explains(app, ctx, browser):
    corpus()
    staff = make_staff()
    commit()
    browser.login_staff(staff)
    page = text(
        browser.get("/admin/matching", query_string={"text": "intrusion in car networks", "trl": "6"})
    )
    assert page.index("In-vehicle intrusion detection") < page.index("Shared terms")
    assert "TRL 6 meets the target TRL 6" in page
    long = browser.get("/admin/matching", query_string={"text": "x" * 4001})
    assert long.status_code == 200 and "At most 4000 characters" in text(long)
    odd = browser.get("/admin/matching", query_string={"text": "a", "domain": "abc", "trl": "99"})
    assert odd.status_code == 200
