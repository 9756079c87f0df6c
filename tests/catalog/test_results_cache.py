"""The cache of rendered search results (catalog/services/results_cache.py): a repeated search runs
no search query, a change of the catalog shows at once, a partner's results never serve a visitor,
languages do not mix, and an entry lives at most a minute (first look ends by the clock)."""

from __future__ import annotations

import sqlalchemy as sa

from portal.catalog import services as catalog
from portal.catalog.models import Technology, TechnologyStatus
from portal.catalog.services import results_cache
from portal.extensions import db

from ..core.test_platform import count_queries
from ..support.browser import text
from ..support.catalog import PARTNER_CANARIES, make_canary_technology, make_member
from ..support.factories import commit

SEARCH = "/technologies?q=sensor"


def test_a_repeated_search_is_answered_from_the_cache_with_the_same_results(app, ctx, browser, staff):
    make_canary_technology(staff)
    commit()
    first = count_queries(app, lambda: browser.get(SEARCH))
    page = text(browser.get(SEARCH))
    again = count_queries(app, lambda: browser.get(SEARCH))
    assert "Quantum-safe" in page  # the title ("sensor" is highlighted)
    assert again < first and again <= 2, (first, again)  # the token, and nothing of the search


def test_a_change_of_the_catalog_shows_on_the_next_search(app, ctx, browser, staff):
    make_canary_technology(staff)
    commit()
    assert "for bridges" not in text(browser.get(SEARCH))
    catalog.create_technology(
        catalog.TechnologyData(title="Lattice sensor for bridges", benefit="Hears cracks.", trl=5),
        actor=staff,
        status=TechnologyStatus.PUBLISHED,
    )
    commit()
    assert "for bridges" in text(browser.get(SEARCH))
    technology = db.session.scalar(
        sa.select(Technology).where(Technology.title == "Lattice sensor for bridges")
    )
    catalog.set_status(technology, TechnologyStatus.ARCHIVED, actor=staff)
    commit()
    assert "for bridges" not in text(browser.get(SEARCH))


def test_a_partners_cached_results_never_reach_a_visitor(app, ctx, browser, staff):
    make_canary_technology(staff)
    member = make_member()
    commit()
    query = f"/technologies?q={PARTNER_CANARIES['keywords']}"
    browser.login(member.owner.email)
    assert PARTNER_CANARIES["keywords"] in browser.get(query).get_data(as_text=True)  # cached for partners
    browser.logout()
    visitor = browser.get(query).get_data(as_text=True)
    assert "No technology matches this search" in visitor  # partner fields are not a visitor's index
    for field, canary in PARTNER_CANARIES.items():
        assert field == "keywords" or canary not in visitor  # (the keyword is the query's own echo)
    assert "Quantum-safe" not in visitor


def test_languages_are_cached_apart(app, ctx, browser, staff):
    make_canary_technology(staff)
    commit()
    english = text(browser.get(SEARCH + "&lang=en"))
    french = text(browser.get(SEARCH, headers={"Accept-Language": "fr"}))
    assert "Technologies available for licensing" in english
    assert "Technologies available for licensing" not in french


def test_an_entry_lives_at_most_a_minute(app, ctx, browser, staff, monkeypatch):
    make_canary_technology(staff)
    commit()
    now = [1000.0]
    monkeypatch.setattr(results_cache, "clock", lambda: now[0])
    assert "Quantum-safe" in text(browser.get(SEARCH))
    # A change the token does not see (here: SQL behind the ORM's back; in life: a first look ending).
    db.session.execute(sa.update(Technology).values(title="Renamed behind the cache"))
    commit()
    now[0] += results_cache.TTL_SECONDS - 1
    assert "Quantum-safe" in text(browser.get(SEARCH))  # still the cached page: it is a cache
    now[0] += 2
    assert "Quantum-safe" not in text(browser.get(SEARCH))


def test_the_cache_can_be_switched_off(app, ctx, browser, staff):
    make_canary_technology(staff)
    commit()
    app.config["CATALOG_RESULTS_CACHE"] = 0
    try:
        first = count_queries(app, lambda: browser.get(SEARCH))
        again = count_queries(app, lambda: browser.get(SEARCH))
    finally:
        app.config.pop("CATALOG_RESULTS_CACHE")
    assert again == first


def test_another_instances_change_is_seen_within_a_second(app, ctx, browser, staff, monkeypatch):
    from portal.catalog.models import CatalogState

    make_canary_technology(staff)
    commit()
    now = [5000.0]
    monkeypatch.setattr(results_cache, "clock", lambda: now[0])
    assert "Quantum-safe" in text(browser.get(SEARCH))
    # Another instance renames the listing and replaces the token (its own flush hook), by SQL here.
    db.session.execute(sa.update(Technology).values(title="Renamed elsewhere"))
    db.session.execute(sa.update(CatalogState).values(token="changed-elsewhere"))
    commit()
    now[0] += results_cache.TOKEN_SECONDS / 2
    assert "Quantum-safe" in text(browser.get(SEARCH))  # this process read the token half a second ago
    now[0] += results_cache.TOKEN_SECONDS
    assert "Quantum-safe" not in text(browser.get(SEARCH))
