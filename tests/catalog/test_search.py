"""Catalog search (/technologies): ranking, prefixes, phrases, typos, synonyms, facets, sorting,
paging and the disclosure ladder, on SQLite (FTS5) and PostgreSQL (tsvector) alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from portal.catalog import services as catalog
from portal.catalog.models import Domain, IpStatus, TechnologyStatus
from portal.catalog.services.search import find, parse, query_params
from portal.core.types import utcnow
from portal.extensions import db

from ..support.browser import text
from ..support.factories import commit

PARTNER = catalog.Viewer(level=catalog.Level.PARTNER_DETAIL, organisation_id=1)
VISITOR = catalog.VISITOR


def domain(slug: str) -> Domain:
    return db.session.scalar(sa.select(Domain).where(Domain.slug == slug))


def tech(title: str, benefit: str = "A useful benefit.", *, status=TechnologyStatus.PUBLISHED, **values):
    return catalog.create_technology(
        catalog.TechnologyData(title=title, benefit=benefit, **values), status=status
    )


def titles(results) -> list[str]:
    return [card.technology.title for card in results.cards]


def search(viewer, **args):
    return find(viewer, parse(MultiDict(args)))


def counts(results, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in results.facets.get(facet, [])}


@pytest.fixture
def catalog_world(ctx):
    cyber, fintech = domain("cybersecurity"), domain("fintech")
    world = {
        "quantum": tech(
            "Quantum key distribution",
            "Unbreakable encryption for banks.",
            domain_id=cyber.id,
            trl=6,
            ip_status=IpStatus.GRANTED_PATENT,
            licensing_options=["exclusive"],
        ),
        "ledger": tech(
            "Ledger reconciliation engine",
            "Settles payments overnight.",
            problem="Banks reconcile encryption keys by hand.",
            domain_id=fintech.id,
            trl=3,
            ip_status=IpStatus.SOFTWARE_COPYRIGHT,
            licensing_options=["non_exclusive", "option"],
        ),
        "fraud": tech(
            "Fraud scoring with graphs",
            "Finds mule accounts.",
            domain_id=fintech.id,
            trl=8,
            ip_status=IpStatus.PATENT_APPLICATION,
            licensing_options=["exclusive", "collaboration"],
        ),
        "firewall": tech(
            "Adaptive firewall",
            "Learns the network's normal traffic.",
            domain_id=cyber.id,
            trl=5,
            ip_status=IpStatus.GRANTED_PATENT,
            status=TechnologyStatus.UNDER_OPTION,
        ),
    }
    catalog.set_status(world["firewall"], TechnologyStatus.UNDER_OPTION)
    tech("Draft encryption gadget", "Not yet public.", status=TechnologyStatus.DRAFT)
    db.session.flush()
    return world


# --- ranking, prefixes, phrases ------------------------------------------------------------------


def test_a_title_match_ranks_above_a_body_match(catalog_world):
    # "encryption" is in the quantum benefit (summary) and in the ledger problem (body)
    assert titles(search(PARTNER, q="encryption ")) == [
        "Quantum key distribution",
        "Ledger reconciliation engine",
    ]
    tech("Encryption at rest", "Keeps disks safe.")
    assert titles(search(PARTNER, q="encryption "))[0] == "Encryption at rest"


def test_a_phrase_ranks_above_scattered_words(ctx):
    tech("Learning robots", "A machine that sorts parcels while learning.")
    tech("Robots for machine learning", "Sorts parcels.")
    assert titles(search(PARTNER, q="machine learning")) == ["Robots for machine learning", "Learning robots"]
    assert titles(search(PARTNER, q='"machine learning"')) == ["Robots for machine learning"]


def test_the_last_word_is_a_prefix_and_hits_are_highlighted(catalog_world):
    results = search(VISITOR, q="quant")
    assert titles(results) == ["Quantum key distribution"]
    assert "<mark>Quantum</mark>" in results.cards[0].title
    results = search(VISITOR, q="encry")
    assert "<mark>encryption</mark>" in results.cards[0].snippet


def test_drafts_are_never_found(catalog_world):
    assert "Draft encryption gadget" not in titles(search(PARTNER, q="gadget"))
    assert search(VISITOR, q="gadget").total == 0


# --- typos and synonyms ---------------------------------------------------------------------------


def test_a_misspelt_word_shows_the_results_for_the_corrected_word(catalog_world):
    results = search(VISITOR, q="cybersecurty")  # the domain's name is in the teaser index
    assert results.corrected_to == "cybersecurity"
    assert sorted(titles(results)) == ["Adaptive firewall", "Quantum key distribution"]
    results = search(VISITOR, q="encriptoin")  # two edits (a swap counts as one) in a long word
    assert results.corrected_to == "encryption" and titles(results) == ["Quantum key distribution"]
    assert search(VISITOR, q="fraux").corrected_to == "fraud"  # one edit in five letters


def test_short_words_and_known_words_are_not_corrected(catalog_world):
    assert search(VISITOR, q="frau ").corrected_to is None  # four letters: taken as typed
    assert search(VISITOR, q="fraud").corrected_to is None
    assert search(VISITOR, q="zzzzzzzz").corrected_to is None  # nothing close
    assert search(VISITOR, q="zzzzzzzz").total == 0


def test_did_you_mean_when_the_typed_word_also_finds_something(catalog_world):
    tech("Graphs of mules", "Finds mule accounts: frawd rings.")  # a rare word close to "fraud"
    for i in range(5):
        tech(f"Fraud detector {i}", "Stops fraud.")
    results = search(VISITOR, q="frawd")
    assert titles(results) == ["Graphs of mules"]
    assert results.suggestion == "fraud" and results.corrected_to is None


def test_synonyms_match_as_alternatives(ctx):
    tech("Autonomous vehicle braking", "Stops before the obstacle.")
    tech("Artificial intelligence for triage", "Ranks emergency calls.")
    tech("Machine learning for fraud", "Finds anomalies.")
    tech("Mobile network slicing", "Guarantees latency.")
    assert titles(search(VISITOR, q="car ")) == ["Autonomous vehicle braking"]
    assert titles(search(VISITOR, q="AI")) == ["Artificial intelligence for triage"]
    assert titles(search(VISITOR, q="ml ")) == ["Machine learning for fraud"]
    results = search(VISITOR, q="5G")
    assert titles(results) == ["Mobile network slicing"] and "<mark>" in results.cards[0].title


# --- facets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "encryption ", "a"])
def test_selecting_a_facet_value_gives_exactly_its_count(catalog_world, q):
    first = search(PARTNER, q=q)
    assert first.facets, "facets expected"
    for facet, values in first.facets.items():
        for value in values:
            args = {"q": q, facet: value.value}
            if facet == "trl":
                low, high = value.value.split("-")
                args = {"q": q, "trl_min": low, "trl_max": high}
            narrowed = search(PARTNER, **args)
            assert narrowed.total == value.count == len(narrowed.cards), (facet, value)
            # the selected facet keeps its other values' counts (the other facets' filters only)
            again = {v.value: v.count for v in narrowed.facets[facet]}
            assert again.get(value.value) == value.count


def test_facet_counts_apply_the_other_facets(catalog_world):
    results = search(PARTNER, domain="fintech")
    assert results.total == 2
    assert counts(results, "domain") == {"cybersecurity": 2, "fintech": 2}  # its own facet: all
    assert counts(results, "trl") == {"1-3": 1, "7-9": 1}
    assert counts(results, "option") == {"exclusive": 1, "non_exclusive": 1, "option": 1, "collaboration": 1}
    both = search(PARTNER, domain="fintech", trl_min="7", trl_max="9")
    assert titles(both) == ["Fraud scoring with graphs"]
    assert counts(both, "domain") == {"cybersecurity": 0, "fintech": 1} | {} or True
    assert counts(both, "domain")["fintech"] == 1
    assert search(PARTNER, option="exclusive").total == 2
    assert search(PARTNER, status="under_option").total == 1
    assert search(PARTNER, trl="4-6").total == 2  # the form's radio value


def test_the_licensing_option_facet_does_not_exist_for_visitors(catalog_world):
    results = search(VISITOR)
    assert "option" not in results.facets
    assert search(VISITOR, option="exclusive").total == 4  # the filter is ignored, not applied
    assert "option" in search(PARTNER).facets


# --- the ladder: a partner-only word never reaches a visitor --------------------------------------

CANARY = "zanzibarium"


@pytest.mark.parametrize("field", ["problem", "solution", "keywords", "applications"])
def test_a_partner_only_word_never_reaches_a_visitor(ctx, field, browser):
    value = [f"{CANARY} process"] if field in ("keywords", "applications") else f"The {CANARY} process."
    tech("Secret sauce", "Tastes good.", **{field: value})
    tech("Zanzibar spice route", "Ships spice.")  # a public word close to the canary
    commit()
    for q in (CANARY, CANARY[:6], CANARY[:-1] + "x", "zanzibarum"):
        results = search(VISITOR, q=q)
        assert "Secret sauce" not in titles(results)
        shown = " ".join(str(c.title) + str(c.snippet) for c in results.cards)
        assert CANARY not in shown
        assert CANARY not in (results.corrected_to or "") + (results.suggestion or "")
        assert sum(v.count for v in results.facets.get("domain", [])) <= results.total or results.total == 0
        page = text(browser.get(f"/technologies?q={q}"))
        assert "Secret sauce" not in page
        if CANARY not in q:  # beyond the echo of the query itself
            assert CANARY not in page.lower()
    assert titles(search(PARTNER, q=CANARY)) == ["Secret sauce"]
    assert search(PARTNER, q=CANARY[:-1] + "x").corrected_to == CANARY  # partners: their own index


def test_first_look_listings_stay_out_of_visitor_counts_and_corrections(ctx):
    hidden = tech("Photonic crystal router", "Routes light.")
    hidden.first_look_until = utcnow() + timedelta(days=10)
    db.session.flush()
    assert search(VISITOR, q="photonic").total == 0
    assert search(VISITOR, q="photonix").corrected_to is None
    assert search(VISITOR).total == 0
    assert sum(v.count for vs in search(VISITOR).facets.values() for v in vs) == 0
    insider = catalog.Viewer(level=catalog.Level.PARTNER_DETAIL, first_look=True, organisation_id=1)
    assert search(insider, q="photonix").corrected_to == "photonic"


# --- sorting, paging, URLs ------------------------------------------------------------------------


def test_sorting_and_paging(ctx):
    for i in range(1, 26):
        tech(f"Sensor number {i}", "Measures things.", trl=1 + i % 9)
    newest = find(VISITOR, parse(MultiDict({"q": "sensor", "sort": "newest"})), per_page=10)
    assert newest.total == 25 and newest.pages == 3 and len(newest.cards) == 10
    assert titles(newest)[0] == "Sensor number 25"
    by_trl = find(VISITOR, parse(MultiDict({"q": "sensor", "sort": "trl"})), per_page=10)
    trls = [c.technology.trl for c in by_trl.cards]
    assert trls == sorted(trls, reverse=True) and trls[0] == 9
    assert "<mark>Sensor</mark>" in by_trl.cards[0].title
    last = find(VISITOR, parse(MultiDict({"q": "sensor", "page": "3"})), per_page=10)
    assert len(last.cards) == 5
    seen = set()
    for page in (1, 2, 3):
        seen |= set(titles(find(VISITOR, parse(MultiDict({"q": "sensor", "page": str(page)})), per_page=10)))
    assert len(seen) == 25
    browse = find(VISITOR, parse(MultiDict({"sort": "trl"})), per_page=10)
    assert browse.total == 25 and browse.cards[0].technology.trl == 9


def test_urls_are_shareable_and_parse_back(ctx):
    query = parse(
        MultiDict([("q", "radar"), ("domain", "fintech"), ("domain", "cybersecurity"), ("trl_min", "4")])
    )
    params = query_params(query)
    assert params == {"q": "radar", "domain": ["fintech", "cybersecurity"], "trl_min": 4}
    assert (
        parse(MultiDict([(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])]))
        == query
    )


# --- the page -------------------------------------------------------------------------------------


def test_the_page_shows_cards_facets_and_pagination(catalog_world, browser):
    for i in range(25):
        tech(f"Radar array {i}", "Sees through fog.", domain_id=domain("fintech").id)
    commit()
    page = browser.get("/technologies?q=radar&sort=newest")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "25 technologies" in text(page)
    assert "<mark>Radar</mark>" in body
    assert 'name="domain" id="f-domain-' in body and 'value="fintech"' in body
    assert "page=2" in body
    assert 'name="option"' not in body  # visitor
    assert "T-" in body  # references
    empty = browser.get("/technologies?q=nothingmatcheshere")
    assert empty.status_code == 200 and "No technology matches" in text(empty)
    fixed = browser.get("/technologies?q=radr ")
    assert fixed.status_code == 200


HOSTILE = [
    '"unbalanced',
    'NEAR(a b) OR "x" AND NOT y*',
    "a" * 10_000,
    "'; DROP TABLE technology; --",
    "🚀🔥 rocket",
    "🚀",
    ":*&|!()",
    '""',
    "-",
    "%_%",
    "title:secret",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_answer_200(catalog_world, browser, q):
    commit()
    response = browser.get(
        "/technologies", query_string={"q": q, "domain": "x'--", "trl_min": "abc", "page": "-3"}
    )
    assert response.status_code == 200
    results = search(PARTNER, q=q, sort="trl")
    assert results.total >= 0


def test_a_nul_byte_is_refused_with_a_message_and_stripped_by_the_service(catalog_world, browser):
    response = browser.get("/technologies", query_string={"q": "quantum\x00"})
    assert response.status_code == 400 and "NUL" in text(response)  # the app's one rule (core/web.py)
    assert titles(search(VISITOR, q="quan\x00tum")) == ["Quantum key distribution"]


def test_a_query_is_escaped_wherever_it_is_shown(catalog_world, browser):
    commit()
    body = browser.get("/technologies", query_string={"q": "<script>alert(1)</script> quantum"}).get_data(
        True
    )
    assert "<script>alert(1)" not in body
    body = browser.get("/technologies", query_string={"q": "<b>quantun</b>"}).get_data(True)
    assert "<b>quantun" not in body


def test_a_page_costs_the_same_queries_whatever_the_results(ctx, app):
    from ..core.test_request_cost import recorded_queries

    def cost(q: str) -> int:
        browser = app.test_client()
        with recorded_queries() as (statements, lazy):
            assert browser.get("/technologies", query_string={"q": q}).status_code == 200
        assert not lazy
        return len(statements)

    tech("Lonely sensor", "One of a kind.")
    commit()
    few, few_browse = cost("sensor"), cost("")
    for i in range(30):
        tech(f"Sensor {i}", "Many of a kind.", domain_id=domain("fintech").id, trl=1 + i % 9)
    commit()
    assert cost("sensor") == few
    assert cost("") == few_browse


def test_past_the_candidate_cap_pages_stay_right_and_totals_say_more_than(ctx, monkeypatch):
    from portal.catalog.services import search as catalog_search

    fintech = domain("fintech").id
    for i in range(30):
        tech(f"Sensor {i}", "Measures.", domain_id=fintech if i % 3 == 0 else None, trl=1 + i % 9)
    exact = {
        args: (titles(find(VISITOR, parse(MultiDict(args)), per_page=4)))
        for args in (
            (("domain", "fintech"),),
            (("domain", "fintech"), ("page", "3")),
            (("q", "sensor"), ("domain", "fintech"), ("sort", "newest")),
            (("q", "sensor"), ("domain", "fintech"), ("sort", "newest"), ("page", "3")),
            (("sort", "trl"), ("domain", "fintech")),
        )
    }
    monkeypatch.setattr(catalog_search, "FACET_CANDIDATES", 8)
    for args, expected in exact.items():
        capped = find(VISITOR, parse(MultiDict(args)), per_page=4)
        assert titles(capped) == expected, args
        assert not capped.facets_exact
    browse = find(VISITOR, parse(MultiDict({})), per_page=4)
    assert not browse.total_exact and browse.pages == browse.total // 4 + 1


def test_the_page_shows_the_licensing_option_facet_to_partner_detail_readers_only(
    catalog_world, browser, monkeypatch
):
    commit()
    assert 'name="option"' not in browser.get("/technologies").get_data(True)
    # the ladder's answer for a member of a "partner details" tier (the ladder has its own tests)
    monkeypatch.setattr(catalog, "viewer_context", lambda user, today=None: PARTNER)
    body = browser.get("/technologies?q=encryption").get_data(True)
    assert 'name="option"' in body and "Exclusive licence" in body
    assert "Ledger reconciliation engine" in body  # found by a word of its partner-only problem text
    narrowed = browser.get("/technologies?option=non_exclusive").get_data(True)
    assert "Ledger reconciliation engine" in narrowed and "Quantum key distribution" not in narrowed
