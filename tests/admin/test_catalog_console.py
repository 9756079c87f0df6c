"""Issue 11, points 8 and 9 (staff side): the console's catalog section."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.catalog import services as catalog
from portal.catalog.models import (
    DigestEntry,
    Domain,
    Lead,
    Researcher,
    SavedSearch,
    Technology,
    TechnologyDailyStat,
    TechnologyStatus,
)
from portal.core.models import AuditEvent
from portal.extensions import db

from ..support.browser import Browser, location, text
from ..support.factories import commit, make_partner, make_staff

CANARY = "CANARY-PARTNER-7f3a"
DOSSIER_CANARY = "CANARY-DOSSIER-91bc"


@pytest.fixture
def staff(ctx):
    user = make_staff(email="cat-staff@tto.example", full_name="Stella Staff")
    commit()
    return user


@pytest.fixture
def admin(ctx):
    user = make_staff(admin=True, email="cat-admin@tto.example", full_name="Adam Admin")
    commit()
    return user


@pytest.fixture
def console(app, staff):
    browser = Browser(app)
    browser.login_staff(staff)
    return browser


@pytest.fixture
def admin_console(app, admin):
    browser = Browser(app)
    browser.login_staff(admin)
    return browser


@pytest.fixture
def researcher(ctx):
    person = Researcher(name="Dr Iris Inventor", group="Optics Lab", public=True)
    hidden = Researcher(name="Dr Internal Only", group="Optics Lab", public=False)
    db.session.add_all([person, hidden])
    commit()
    return person


@pytest.fixture
def listing(ctx, staff, researcher):
    technology = catalog.create_technology(
        catalog.TechnologyData(
            title="Photonic lattice filter",
            benefit="Filters light without loss.",
            problem=f"Lossy filters. {CANARY}",
            solution="A lattice.",
            dossier_summary=f"Measurements. {DOSSIER_CANARY}",
            trl=5,
            inventor_ids=[researcher.id],
        ),
        actor=staff,
    )
    commit()
    return technology


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def form_values(**changes) -> dict:
    values = {
        "title": "Adaptive antenna",
        "benefit": "Doubles range.",
        "domain_id": "",
        "trl": "4",
        "ip_status": "patent_application",
        "problem": "Weak signals.",
        "solution": "Adaptive beams.",
        "advantages": "Range\r\n\r\nPower",
        "applications": "Drones",
        "keywords": "antenna\nbeam",
        "patent_numbers": "EP1",
        "licensing_options": ["exclusive", "option"],
        "lab": "RF Lab",
        "dossier_summary": "",
        "first_look_days": "",
    }
    values.update(changes)
    return values


def test_staff_create_and_edit_a_listing_with_every_field(console, researcher):
    domain = db.session.scalar(sa.select(Domain).where(Domain.active.is_(True)).limit(1))
    response = console.post(
        "/admin/technologies/new", form_values(domain_id=str(domain.id), inventors=[str(researcher.id)])
    )
    assert response.status_code == 302
    technology = db.session.scalar(sa.select(Technology).where(Technology.title == "Adaptive antenna"))
    assert location(response) == f"/admin/technologies/{technology.id}"
    assert technology.status is TechnologyStatus.DRAFT and technology.published_at is None
    assert technology.advantages == ["Range", "Power"] and technology.keywords == ["antenna", "beam"]
    assert technology.licensing_options == ["exclusive", "option"] and technology.domain_id == domain.id
    assert [r.id for r in technology.inventors] == [researcher.id] and technology.trl == 4
    edit = console.get(f"/admin/technologies/{technology.id}/edit")
    assert "Range\nPower" in text(edit)
    assert re.search(r'<input checked[^>]*value="exclusive"', text(edit))
    assert not re.search(r'<input checked[^>]*value="field_of_use"', text(edit))
    saved = console.post(f"/admin/technologies/{technology.id}/edit", form_values(title="Adaptive antenna 2"))
    assert saved.status_code == 302
    assert actions()[-2:] == ["technology.created", "technology.updated"]


def test_bad_input_comes_back_whole_with_a_message_and_nothing_is_saved(console):
    long_title = "T" * 201
    response = console.post(
        "/admin/technologies/new", form_values(title=long_title, trl="12", domain_id="99999")
    )
    assert response.status_code == 400
    page = text(response)
    assert "At most 200 characters; this has 201." in page and long_title in page
    assert "Not a valid choice" in page or "Choose a domain" in page
    assert (
        db.session.scalar(sa.select(sa.func.count(Technology.id)).where(Technology.title == long_title)) == 0
    )


def test_publish_sets_the_publication_date_and_first_look_and_is_audited(console, listing):
    response = console.post(
        f"/admin/technologies/{listing.id}/status", {"status": "published", "first_look_days": "14"}
    )
    assert location(response) == f"/admin/technologies/{listing.id}"
    db.session.expire_all()
    technology = db.session.get(Technology, listing.id)
    assert technology.status is TechnologyStatus.PUBLISHED and technology.published_at is not None
    assert technology.first_look_until - technology.published_at == timedelta(days=14)
    assert technology.in_first_look()
    event = db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "technology.status_changed")
        .order_by(AuditEvent.id.desc())
    )
    assert event.details == {"before": "draft", "after": "published"}
    for status in ("under_option", "licensed", "archived", "draft"):
        assert console.post(f"/admin/technologies/{listing.id}/status", {"status": status}).status_code == 302
        db.session.expire_all()
        assert db.session.get(Technology, listing.id).status.value == status
    published_at = technology.published_at
    console.post(f"/admin/technologies/{listing.id}/status", {"status": "published", "first_look_days": "3"})
    db.session.expire_all()
    assert db.session.get(Technology, listing.id).published_at == published_at  # the first publication stays


def test_an_impossible_action_or_a_listing_without_benefit_is_refused(console, staff):
    draft = catalog.create_technology(catalog.TechnologyData(title="No benefit yet"), actor=staff)
    commit()
    refused = console.post(f"/admin/technologies/{draft.id}/status", {"status": "licensed"})
    assert refused.status_code == 400 and "not possible for this listing now" in text(refused)
    response = console.post(f"/admin/technologies/{draft.id}/status", {"status": "published"})
    assert response.status_code == 302
    assert "Write the one-line benefit before publishing." in text(console.get(location(response)))
    db.session.expire_all()
    assert db.session.get(Technology, draft.id).status is TechnologyStatus.DRAFT


def test_the_visitor_preview_hides_partner_fields_and_the_partner_preview_shows_them(console, listing):
    visitor = text(console.get(f"/admin/technologies/{listing.id}/preview?as=visitor"))
    partner = text(console.get(f"/admin/technologies/{listing.id}/preview?as=partner"))
    dossier = text(console.get(f"/admin/technologies/{listing.id}/preview?as=dossier"))
    assert "Photonic lattice filter" in visitor and "Filters light without loss." in visitor
    assert CANARY not in visitor and "Dr Iris Inventor" not in visitor and DOSSIER_CANARY not in visitor
    assert CANARY in partner and "Dr Iris Inventor" in partner and DOSSIER_CANARY not in partner
    assert DOSSIER_CANARY in dossier and "as a visitor sees it" in visitor and "Back to" in visitor


def test_the_listing_page_shows_views_interests_and_saved_search_hits(console, listing):
    partner = make_partner()
    today = date.today()
    db.session.add_all(
        [
            TechnologyDailyStat(technology_id=listing.id, day=today, views=3),
            TechnologyDailyStat(technology_id=listing.id, day=today - timedelta(days=29), views=4),
            TechnologyDailyStat(technology_id=listing.id, day=today - timedelta(days=45), views=5),
            Lead(technology_id=listing.id, organisation_id=partner.organisation_id),
        ]
    )
    searches = [
        SavedSearch(user_id=partner.id, organisation_id=partner.organisation_id, name=f"s{n}")
        for n in range(2)
    ]
    db.session.add_all(searches)
    db.session.flush()
    db.session.add_all([DigestEntry(saved_search_id=s.id, technology_id=listing.id) for s in searches])
    commit()
    page = " ".join(text(console.get(f"/admin/technologies/{listing.id}")).split())
    assert 'Views, last 30 days</dt><dd class="col-4 text-end">7<' in page
    assert 'Views, all time</dt><dd class="col-4 text-end">12<' in page
    assert 'Licensing interests</dt><dd class="col-4 text-end">1<' in page
    assert 'Saved-search hits</dt><dd class="col-4 text-end">2<' in page


def test_the_list_filters_by_status_domain_and_text_and_exports_the_same(console, listing, staff):
    domain = db.session.scalar(sa.select(Domain).limit(1))
    other = catalog.create_technology(
        catalog.TechnologyData(title="Granite drill", benefit="Drills.", domain_id=domain.id),
        actor=staff,
        status=TechnologyStatus.PUBLISHED,
    )
    commit()
    assert "Granite drill" in text(console.get("/admin/technologies?status=published"))
    assert "Photonic lattice filter" not in text(console.get("/admin/technologies?status=published"))
    by_domain = text(console.get(f"/admin/technologies?domain={domain.id}"))
    assert "Granite drill" in by_domain and "Photonic" not in by_domain
    assert "Photonic" in text(console.get("/admin/technologies?domain=none&q=lattice"))
    assert "No technologies match" in text(console.get("/admin/technologies?q=nothing-like-this"))
    sorted_page = console.get("/admin/technologies?sort=-trl&status=bogus")
    assert sorted_page.status_code == 200
    export = console.get(f"/admin/technologies.csv?domain={domain.id}")
    assert other.reference in export.get_data(as_text=True) and listing.reference not in export.get_data(
        as_text=True
    )


def test_staff_keep_the_researcher_directory(console, listing, researcher):
    created = console.post(
        "/admin/researchers/new",
        {
            "name": "Dr New Person",
            "email": "new@uni.example",
            "group": "Lab X",
            "expertise": "optics\nlasers",
        },
    )
    assert location(created) == "/admin/researchers"
    person = db.session.scalar(sa.select(Researcher).where(Researcher.name == "Dr New Person"))
    assert person.expertise == ["optics", "lasers"] and person.public is False  # the box was not ticked
    bad = console.post(f"/admin/researchers/{person.id}", {"name": "Dr New Person", "email": "not-an-email"})
    assert bad.status_code == 400 and "Enter an email address" in text(bad)
    listed = text(console.get("/admin/researchers?q=optics lab"))
    assert "Dr Iris Inventor" in listed and "Dr New Person" not in listed
    refused = console.post(f"/admin/researchers/{researcher.id}/delete")
    assert refused.status_code == 400 and listing.reference in text(refused)
    assert location(console.post(f"/admin/researchers/{person.id}/delete")) == "/admin/researchers"
    assert db.session.scalar(sa.select(Researcher.id).where(Researcher.id == person.id)) is None
    assert {"researcher.created", "researcher.deleted"} <= set(actions())


def test_domains_are_for_admins(console, admin_console, listing):
    assert console.get("/admin/domains").status_code == 200
    assert console.get("/admin/domains/new").status_code == 403
    values = {
        "name": "Quantum",
        "slug": "quantum",
        "name_fr": "Quantique",
        "name_de": "Quanten",
        "display_order": "5",
    }
    assert console.post("/admin/domains/new", values).status_code == 403
    response = admin_console.post("/admin/domains/new", {**values, "active": "y"})
    assert location(response) == "/admin/domains"
    domain = db.session.scalar(sa.select(Domain).where(Domain.slug == "quantum"))
    assert domain.translations == {"fr": "Quantique", "de": "Quanten"} and domain.active
    clash = admin_console.post("/admin/domains/new", {**values, "name": "Other"})
    assert clash.status_code == 400 and "The slug quantum is taken by Quantum." in text(clash)
    bad_slug = admin_console.post(f"/admin/domains/{domain.id}", {**values, "slug": "Not A Slug"})
    assert bad_slug.status_code == 400 and "lower-case letters" in text(bad_slug)
    db.session.get(Technology, listing.id).domain_id = domain.id
    commit()
    refused = admin_console.post(f"/admin/domains/{domain.id}/delete")
    assert refused.status_code == 400 and "1 listing(s) are in Quantum" in text(refused)
    db.session.get(Technology, listing.id).domain_id = None
    commit()
    assert location(admin_console.post(f"/admin/domains/{domain.id}/delete")) == "/admin/domains"
    assert {"domain.created", "domain.deleted"} <= set(actions())


def test_catalog_actions_read_as_sentences_in_the_audit_log(console, listing):
    console.post(f"/admin/technologies/{listing.id}/status", {"status": "published"})
    page = " ".join(text(console.get("/admin/audit")).split())
    assert "created the listing</span>" not in page
    assert "Stella Staff</a> created the listing" in page
    assert f'moved the listing <a href="/admin/technologies/{listing.id}">{listing.reference}' in page
    assert "from draft to published" in page
