"""The listing page /technologies/<slug> as the disclosure ladder allows it (issue 11), with
canary strings in every gated field, first look, the page's public metadata, the view counter
and the file routes (public image, NDA-gated dossier downloads)."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from portal.catalog.models import FileKind, TechnologyDailyStat, TechnologyStatus
from portal.extensions import db
from portal.membership.models import CatalogAccess

from ..support.browser import Browser, text
from ..support.catalog import (
    CANARIES,
    PARTNER_CANARIES,
    PNG,
    TEASER,
    accept_nda,
    make_canary_technology,
    make_member,
    store_file,
)
from ..support.factories import commit, make_staff


def browser_for(app, user=None) -> Browser:
    browser = Browser(app)
    if user is not None:
        if user.is_staff:
            browser.login_staff(user)
        else:
            browser.login(user.email)
    return browser


def assert_no_canary(page: str, canaries=CANARIES) -> None:
    leaked = [name for name, canary in canaries.items() if canary.lower() in page.lower()]
    assert not leaked, f"gated fields leaked: {leaked}"


def head_of(page: str) -> str:
    return page[page.index("<head>") : page.index("</head>")]


@pytest.fixture
def listing(app, ctx):
    """A canary listing, members of each catalog level, a staff user."""
    staff = make_staff()
    technology = make_canary_technology(staff)
    teaser = make_member(CatalogAccess.TEASER, legal_name="Teaser Tools Ltd")
    details = make_member(CatalogAccess.DETAILS, legal_name="Detail Devices GmbH")
    dossier = make_member(CatalogAccess.DOSSIER, legal_name="Dossier Dynamics SA")
    image = store_file(technology, FileKind.IMAGE, PNG, "mesh.png", "image/png")
    document = store_file(
        technology,
        FileKind.DOSSIER,
        b"%PDF-1.4 confidential results",
        "Résultats confidentiels.pdf",
        "application/pdf",
    )
    commit()
    return {
        "technology": technology,
        "url": f"/technologies/{technology.slug}",
        "staff": staff,
        "teaser": teaser,
        "details": details,
        "dossier": dossier,
        "image": image,
        "document": document,
    }


def test_a_visitor_sees_the_teaser_and_what_joining_gives_and_no_gated_field(app, listing):
    technology = listing["technology"]
    response = Browser(app).get(listing["url"])
    assert response.status_code == 200
    page = text(response)
    assert TEASER["title"] in page and TEASER["benefit"] in page and technology.reference in page
    assert "TRL 6" in page and "technology demonstrated in a relevant environment" in page
    assert "Patent application" in page or technology.ip_status.label in page
    assert_no_canary(page)
    assert "Dr Public Inventor" not in page  # inventors are partner detail
    cheapest = listing["details"].tier.name
    assert f"members of {cheapest} tier and above" in " ".join(page.split())
    assert 'href="/tiers"' in page
    assert f"/technologies/{technology.slug}/interest" not in page
    assert f"/technologies/{technology.slug}/dossier/" not in page
    assert f"/technologies/{technology.slug}/images/{listing['image'].id}" in page


def test_a_teaser_tier_member_sees_no_more_than_a_visitor(app, listing):
    page = text(browser_for(app, listing["teaser"].owner).get(listing["url"]))
    assert TEASER["title"] in page
    assert_no_canary(page)
    assert "tier and above" in page


def test_an_entitled_member_sees_partner_detail_but_not_the_dossier_nor_internal_inventors(app, listing):
    page = text(browser_for(app, listing["details"].owner).get(listing["url"]))
    missing = [name for name, canary in PARTNER_CANARIES.items() if canary not in page]
    assert not missing, f"partner detail not shown: {missing}"  # the canary test can fail
    assert "Dr Public Inventor" in page
    assert_no_canary(page, {k: CANARIES[k] for k in ("dossier_summary", "internal_researcher")})
    assert "Exclusive licence" in page and "Field-of-use licence" in page
    assert f"/technologies/{listing['technology'].slug}/interest" in page
    assert "/dossier/" not in page
    assert "/nda" not in page  # a details tier: no NDA offer, the dossier tiers instead
    assert listing["dossier"].tier.name in page


def test_the_page_metadata_carries_teaser_fields_only_even_for_an_entitled_member(app, listing):
    technology = listing["technology"]
    for user in (None, listing["details"].owner):
        page = text(browser_for(app, user).get(listing["url"]))
        head = head_of(page)
        assert_no_canary(head)
        assert f'<link rel="canonical" href="http://portal.test/technologies/{technology.slug}">' in head
        assert f'<meta property="og:title" content="{TEASER["title"]}">' in head
        (ld,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)
        data = json.loads(ld)
        assert data["@type"] == "Product" and data["identifier"] == technology.reference
        assert data["name"] == TEASER["title"] and data["description"] == TEASER["benefit"]
        assert data["url"] == f"http://portal.test/technologies/{technology.slug}"


def test_json_ld_is_escaped_inside_its_script_element(app, ctx):
    technology = make_canary_technology(
        title="Evil </script><script>alert(1)</script> & co", benefit="</SCRIPT> 'quoted' <!-- x"
    )
    commit()
    head = head_of(text(Browser(app).get(f"/technologies/{technology.slug}")))
    (ld,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)
    assert "<" not in ld and ">" not in ld  # \u003c, never a closing tag inside the data
    assert json.loads(ld)["name"] == "Evil </script><script>alert(1)</script> & co"
    assert head.count("<script") == head.count("</script>")


def test_a_dossier_member_is_offered_the_nda_then_sees_the_dossier(app, listing):
    member, technology = listing["dossier"], listing["technology"]
    browser = browser_for(app, member.owner)
    page = text(browser.get(listing["url"]))
    assert CANARIES["problem"] in page
    assert CANARIES["dossier_summary"] not in page
    assert "/nda?next=" in page and "Read and accept the NDA" in page
    download = f"/technologies/{technology.slug}/dossier/{listing['document'].id}"
    assert download not in page
    assert browser.get(download).status_code == 404

    accept_nda(member)
    commit()
    page = text(browser.get(listing["url"]))
    assert CANARIES["dossier_summary"] in page and download in page
    response = browser.get(download)
    assert response.status_code == 200
    assert response.data == b"%PDF-1.4 confidential results"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="Resultats confidentiels.pdf"'
    )
    assert "filename*=UTF-8''R%C3%A9sultats%20confidentiels.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"


def test_dossier_downloads_are_404_for_everyone_below_the_dossier_level(app, listing):
    technology = listing["technology"]
    download = f"/technologies/{technology.slug}/dossier/{listing['document'].id}"
    for user in (None, listing["teaser"].owner, listing["details"].owner):
        assert browser_for(app, user).get(download).status_code == 404
    # the image's id under the dossier path, and the dossier's id under the image path: 404
    assert (
        browser_for(app, listing["staff"])
        .get(f"/technologies/{technology.slug}/dossier/{listing['image'].id}")
        .status_code
        == 404
    )
    assert (
        Browser(app).get(f"/technologies/{technology.slug}/images/{listing['document'].id}").status_code
        == 404
    )
    # staff may read it (the console)
    assert browser_for(app, listing["staff"]).get(download).status_code == 200


def test_the_public_image_is_served_cacheable_with_its_content_type(app, listing):
    technology = listing["technology"]
    response = Browser(app).get(f"/technologies/{technology.slug}/images/{listing['image'].id}")
    assert response.status_code == 200 and response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"].startswith("public")
    assert "attachment" not in response.headers.get("Content-Disposition", "")


def test_an_image_of_a_hidden_listing_or_of_an_unsafe_type_is_404(app, listing):
    technology = listing["technology"]
    svg = store_file(technology, FileKind.IMAGE, b"<svg onload=alert(1)/>", "x.svg", "image/svg+xml")
    draft = make_canary_technology(title="Draft device", benefit="Not yet")
    draft.status = TechnologyStatus.DRAFT
    draft_image = store_file(draft, FileKind.IMAGE, PNG, "d.png", "image/png")
    commit()
    browser = Browser(app)
    assert browser.get(f"/technologies/{technology.slug}/images/{svg.id}").status_code == 404
    assert browser.get(f"/technologies/{draft.slug}/images/{draft_image.id}").status_code == 404
    assert browser.get(f"/technologies/{draft.slug}").status_code == 404


def test_staff_see_everything_including_internal_inventors_and_are_not_counted(app, listing):
    page = text(browser_for(app, listing["staff"]).get(listing["url"]))
    missing = [name for name, canary in CANARIES.items() if canary not in page]
    assert not missing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TechnologyDailyStat)) == 0


def test_views_are_counted_once_per_listing_and_day(app, listing):
    technology = listing["technology"]
    Browser(app).get(listing["url"])
    Browser(app).get(listing["url"])
    browser_for(app, listing["details"].owner).get(listing["url"])
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(TechnologyDailyStat).where(TechnologyDailyStat.technology_id == technology.id)
    ).all()
    assert len(rows) == 1 and rows[0].views == 3


def test_first_look_is_for_first_look_tiers_only(app, ctx):
    technology = make_canary_technology(first_look_days=30, title="Early bird sensor", benefit="Sees first.")
    plain = make_member(CatalogAccess.DETAILS, legal_name="Plain Partner Ltd")
    early = make_member(CatalogAccess.DETAILS, first_look_days=30, legal_name="Early Partner Ltd")
    commit()
    url = f"/technologies/{technology.slug}"
    assert Browser(app).get(url).status_code == 404
    assert browser_for(app, plain.owner).get(url).status_code == 404
    page = text(browser_for(app, early.owner).get(url))
    assert "Early bird sensor" in page and CANARIES["problem"] in page
    assert Browser(app).get(f"{url}/brief.pdf").status_code == 404  # no public brief yet
    for path in ("/technologies/feed.atom", "/sitemap.xml"):
        body = text(Browser(app).get(path))
        assert technology.slug not in body and "Early bird sensor" not in body


def test_the_template_renders_with_only_the_previews_context(app, listing):
    """The console's preview renders detail.html with technology, level, Level, viewer and
    detail_tiers only (a forced level): it must not need what the listing page adds."""
    from flask import render_template

    from portal.catalog.services.ladder import Level, Viewer

    with app.test_request_context("/admin/preview"):
        for level in (Level.TEASER, Level.PARTNER_DETAIL, Level.DOSSIER):
            page = render_template(
                "catalog/detail.html",
                technology=listing["technology"],
                level=level,
                Level=Level,
                viewer=Viewer(level=level, staff=True, tier_level=Level.DOSSIER),
                detail_tiers=[listing["details"].tier] if level < Level.PARTNER_DETAIL else [],
            )
            assert TEASER["title"] in page
            assert (CANARIES["problem"] in page) is (level >= Level.PARTNER_DETAIL)
            assert (CANARIES["dossier_summary"] in page) is (level >= Level.DOSSIER)
            assert "application/ld+json" not in page  # the page's metadata is the listing page's
