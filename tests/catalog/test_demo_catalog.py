"""Issue 11, point 10: the demo catalog. Idempotent, 60 technologies across the ten domains, 30
researchers in 6 groups, and Acme (Partner tier, first look) sees what the ladder allows."""

from __future__ import annotations

import re
from collections import Counter

import sqlalchemy as sa

from portal.auth.models import User
from portal.catalog import services as catalog
from portal.catalog.models import Domain, IpStatus, Researcher, SavedSearch, Technology, TechnologyStatus
from portal.core import search
from portal.core.types import utcnow
from portal.demo import seed
from portal.extensions import db

from ..support.browser import Browser, text


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        for model in (Technology, Researcher, SavedSearch)
    )


def test_the_demo_catalog_is_complete_and_idempotent(app, ctx):
    seed()
    db.session.commit()
    first = counts()
    seed()
    db.session.commit()
    assert counts() == first == (60, 30, 2)

    technologies = db.session.scalars(sa.select(Technology)).all()
    domains = {d.id: d.slug for d in db.session.scalars(sa.select(Domain))}
    assert len({domains[t.domain_id] for t in technologies}) == 10
    statuses = Counter(t.status for t in technologies)
    assert statuses[TechnologyStatus.DRAFT] == 2 and statuses[TechnologyStatus.ARCHIVED] == 1
    assert statuses[TechnologyStatus.UNDER_OPTION] >= 2 and statuses[TechnologyStatus.LICENSED] >= 2
    assert statuses[TechnologyStatus.PUBLISHED] > 40
    now = utcnow()
    in_first_look = [t for t in technologies if t.in_first_look(now)]
    assert 4 <= len(in_first_look) <= 5
    published = [t.published_at for t in technologies if t.published_at]
    assert (now - min(published)).days <= 18 * 31 and (now - min(published)).days > 365
    assert len({t.ip_status for t in technologies}) == len(IpStatus)
    assert len({t.trl for t in technologies}) >= 6 and min(t.trl for t in technologies) >= 2
    for t in technologies:
        assert re.search(r"\d", t.benefit), t.title
        assert 2 <= len(t.advantages) <= 4 and t.problem and t.solution and t.dossier_summary and t.lab
        assert 1 <= len(t.inventors) <= 3
        if t.ip_status is IpStatus.GRANTED_PATENT:
            assert re.fullmatch(r"EP \d \d{3} \d{3} B1", t.patent_numbers[0])
        if t.ip_status is IpStatus.PCT_APPLICATION:
            assert re.fullmatch(r"WO 20\d\d/\d{6}", t.patent_numbers[0])
    assert len({t.slug for t in technologies}) == 60

    researchers = db.session.scalars(sa.select(Researcher)).all()
    assert len({r.group for r in researchers}) == 6
    assert 3 <= sum(not r.public for r in researchers) <= 4
    assert all(r.role and r.expertise and r.profile for r in researchers)


def test_the_demo_technologies_are_searchable_under_the_ladder(app, ctx):
    seed()
    db.session.commit()
    # "SEPA Instant" is a keyword (partner detail) of the fraud-scoring listing, not in its teaser.
    fraud = db.session.scalar(sa.select(Technology).where(Technology.title.like("Graph neural network%")))
    teaser = search.search(catalog.TEASER_INDEX, "mule networks", ids=catalog.visible_ids(catalog.VISITOR))
    detail = search.search(catalog.DETAIL_INDEX, "mule networks", ids=catalog.visible_ids(catalog.VISITOR))
    assert fraud.id not in [h.doc_id for h in teaser.hits]
    assert fraud.id in [h.doc_id for h in detail.hits]

    acme = catalog.viewer_context(
        db.session.scalar(sa.select(User).where(User.email == "engineer@acme.example"))
    )
    assert acme.first_look and acme.level >= catalog.Level.PARTNER_DETAIL
    seen = catalog.find(acme, catalog.parse({}), per_page=100)
    public = catalog.find(catalog.VISITOR, catalog.parse({}), per_page=100)
    assert seen.total == 57 and public.total == 57 - len(
        [t for t in db.session.scalars(sa.select(Technology)) if t.in_first_look()]
    )


def test_acme_sees_first_look_technologies_and_a_visitor_does_not(app, ctx):
    seed()
    db.session.commit()
    fresh = next(t for t in db.session.scalars(sa.select(Technology)) if t.in_first_look())
    assert Browser(app).get(f"/technologies/{fresh.slug}").status_code == 404
    browser = Browser(app)
    browser.login("engineer@acme.example", password="liaison-demo-2026")
    page = text(browser.get(f"/technologies/{fresh.slug}"))
    assert fresh.title in page and fresh.problem in page
