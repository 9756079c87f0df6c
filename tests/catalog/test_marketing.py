"""Public marketing carries the public teaser only (issue 11, point 7): the brief PDF, the Atom
feed, the sitemap. Canaries in every gated field never reach them, whoever asks."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from portal.catalog.models import TechnologyStatus
from portal.membership.models import CatalogAccess

from ..support.browser import Browser, text
from ..support.catalog import CANARIES, TEASER, accept_nda, make_canary_technology, make_member
from ..support.factories import commit

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse_xml(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 - the app's own response


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def assert_no_canary(body: str) -> None:
    leaked = [name for name, canary in CANARIES.items() if canary.lower() in body.lower()]
    assert not leaked, f"gated fields leaked: {leaked}"


@pytest.fixture
def published(app, ctx):
    technology = make_canary_technology()
    draft = make_canary_technology(title="Secret draft gadget", benefit="Drafted.")
    draft.status = TechnologyStatus.DRAFT
    archived = make_canary_technology(title="Old archived widget", benefit="Archived.")
    archived.status = TechnologyStatus.ARCHIVED
    early = make_canary_technology(title="First look lattice", benefit="Early.", first_look_days=14)
    member = make_member(CatalogAccess.DOSSIER, first_look_days=14)
    accept_nda(member)
    commit()
    return {"technology": technology, "draft": draft, "archived": archived, "early": early, "member": member}


def test_the_brief_is_a_one_page_teaser_whatever_the_readers_level(app, published):
    technology = published["technology"]
    visitor = Browser(app).get(f"/technologies/{technology.slug}/brief.pdf")
    member_browser = Browser(app)
    member_browser.login(published["member"].owner.email)
    member = member_browser.get(f"/technologies/{technology.slug}/brief.pdf")
    for response in (visitor, member):
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF-")
        assert len(PdfReader(io.BytesIO(response.data)).pages) == 1
        words = pdf_text(response.data)
        assert_no_canary(words)
        assert "Dr Public Inventor" not in words
        for expected in (
            TEASER["title"],
            technology.reference,
            "Cuts sensor network energy use by 40",
            "TRL 6",
            "Contact the Technology Transfer Office",
            "Northfield Institute of Technology",
            "partnerships@example.org",
        ):
            assert expected in words, expected
        assert f"portal.test/technologies/{technology.slug}" in words.replace(" ", "")


def test_no_brief_for_drafts_archived_or_first_look_listings(app, published):
    browser = Browser(app)
    browser.login(published["member"].owner.email)  # a first-look member: still no public brief
    for key in ("draft", "archived", "early"):
        assert browser.get(f"/technologies/{published[key].slug}/brief.pdf").status_code == 404, key


def test_the_feed_lists_public_listings_with_teaser_fields_only(app, published):
    technology = published["technology"]
    for browser in (Browser(app), None):
        if browser is None:
            browser = Browser(app)
            browser.login(published["member"].owner.email)
        response = browser.get("/technologies/feed.atom")
        assert response.status_code == 200 and response.mimetype == "application/atom+xml"
        body = text(response)
        assert_no_canary(body)
        feed = parse_xml(response.data)
        titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
        assert TEASER["title"] in titles
        for hidden in ("Secret draft gadget", "Old archived widget", "First look lattice"):
            assert hidden not in body
        entry = next(e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == TEASER["title"])
        assert entry.find(f"{ATOM}link").get("href") == f"http://portal.test/technologies/{technology.slug}"
        assert technology.reference in entry.findtext(f"{ATOM}summary")
        assert TEASER["benefit"] in entry.findtext(f"{ATOM}summary")


def test_the_feed_escapes_hostile_titles(app, ctx):
    make_canary_technology(title="<b>Bold</b> & </title><entry>", benefit="x < y")
    commit()
    response = Browser(app).get("/technologies/feed.atom")
    titles = [e.findtext(f"{ATOM}title") for e in parse_xml(response.data).iter(f"{ATOM}entry")]
    assert "<b>Bold</b> & </title><entry>" in titles


def test_the_sitemap_lists_public_pages_and_public_listings_only(app, published):
    response = Browser(app).get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    locations = [loc.text for loc in parse_xml(response.data).iter(f"{SITEMAP}loc")]
    assert "http://portal.test/" in locations and "http://portal.test/tiers" in locations
    assert "http://portal.test/technologies" in locations
    assert f"http://portal.test/technologies/{published['technology'].slug}" in locations
    for key in ("draft", "archived", "early"):
        assert f"http://portal.test/technologies/{published[key].slug}" not in locations
    assert_no_canary(text(response))
