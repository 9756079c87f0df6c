"""Licensing interest (issue 11, point 5): a partner with partner detail states its interest; it
becomes a lead for the organisation's account owner, emailed, confirmed, audited, shown on the
dashboard and the listing page; staff move it through the console and issue a term sheet."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.admin import audit_words
from portal.agreements.models import Agreement, AgreementKind, AgreementStatus
from portal.catalog.models import Lead, LeadStatus
from portal.catalog.services import leads as lead_services
from portal.catalog.services.ladder import viewer_context
from portal.core.errors import DomainError
from portal.core.models import AuditEvent
from portal.extensions import db
from portal.membership.models import CatalogAccess
from portal.partners.models import OrgRole

from ..support.browser import Browser, emails_to, last_email_to, location, text
from ..support.catalog import CANARIES, make_canary_technology, make_member
from ..support.factories import commit, make_partner, make_staff

INTEREST = {
    "intended_use": "Low-power monitoring of our warehouses.",
    "field_of_use": "Logistics buildings",
    "territory": "EU and Switzerland",
    "timeline": "Pilot in Q3, market in 2028",
    "message": "Could we start with an option?",
}


def assert_no_canary(body: str) -> None:
    leaked = [name for name, canary in CANARIES.items() if canary.lower() in body.lower()]
    assert not leaked, f"gated fields leaked: {leaked}"


@pytest.fixture
def setting(app, ctx):
    officer = make_staff(email="officer@tto.example", full_name="Olivia Officer")
    admin = make_staff(admin=True, email="admin@tto.example")
    technology = make_canary_technology(officer)
    member = make_member(CatalogAccess.DETAILS, legal_name="Lead Labs GmbH", account_owner_id=officer.id)
    commit()
    browser = Browser(app)
    browser.login(member.owner.email)
    return {
        "officer": officer,
        "admin": admin,
        "technology": technology,
        "member": member,
        "browser": browser,
        "url": f"/technologies/{technology.slug}/interest",
    }


def leads_of(organisation_id: int) -> list[Lead]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Lead).where(Lead.organisation_id == organisation_id)))


def test_an_entitled_partner_expresses_interest_and_the_account_owner_gets_the_lead(app, setting):
    member, technology, browser = setting["member"], setting["technology"], setting["browser"]
    assert "Express licensing interest" in text(browser.get(f"/technologies/{technology.slug}"))
    response = browser.post(setting["url"], INTEREST)
    assert location(response) == f"/technologies/{technology.slug}"

    (lead,) = leads_of(member.organisation.id)
    assert lead.status is LeadStatus.NEW and lead.assigned_to_id == setting["officer"].id
    assert (lead.technology_id, lead.created_by_id) == (technology.id, member.owner.id)
    assert (lead.field_of_use, lead.territory, lead.timeline) == (
        "Logistics buildings",
        "EU and Switzerland",
        "Pilot in Q3, market in 2028",
    )
    staff_mail = last_email_to("officer@tto.example")
    assert staff_mail.template == "lead_received"
    assert "Lead Labs GmbH" in staff_mail.body_text and f"/admin/leads/{lead.id}" in staff_mail.body_text
    confirmation = last_email_to(member.owner.email)
    assert confirmation.template == "lead_confirmation"
    assert technology.reference in confirmation.body_text and "Olivia Officer" in confirmation.body_text
    for body in (confirmation.body_text, confirmation.body_html, confirmation.subject):
        assert_no_canary(body)
    assert emails_to("admin@tto.example") == []  # the account owner handles it
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "lead.created"))
    assert event.target_id == lead.id and event.organisation_id == member.organisation.id
    with app.test_request_context():
        (entry,) = audit_words.describe([event])
    assert "expressed licensing interest for Lead Labs GmbH" in entry.sentence

    page = " ".join(text(browser.get(f"/technologies/{technology.slug}")).split())
    assert "You expressed interest on" in page and ": New." in page
    assert "Express licensing interest</a>" not in page
    dashboard = text(browser.get("/dashboard"))
    assert "Your licensing interests" in dashboard and technology.title in dashboard
    assert f"/technologies/{technology.slug}" in dashboard


def test_one_open_lead_per_organisation_and_technology(app, setting):
    member, browser = setting["member"], setting["browser"]
    browser.post(setting["url"], INTEREST)
    page = " ".join(text(browser.get(setting["url"])).split())
    assert "Your organisation already expressed interest in this technology on" in page
    assert 'name="intended_use"' not in page
    again = browser.post(setting["url"], INTEREST)
    assert again.status_code == 200
    assert len(leads_of(member.organisation.id)) == 1
    # the service refuses too (a second tab, an API caller)
    viewer = viewer_context(member.owner)
    with pytest.raises(DomainError, match="already expressed interest"):
        lead_services.express_interest(
            member.owner,
            member.organisation,
            setting["technology"],
            viewer,
            lead_services.InterestData(**INTEREST),
        )
    # a closed lead allows a new interest
    (lead,) = leads_of(member.organisation.id)
    lead.status = LeadStatus.DECLINED
    commit()
    assert location(browser.post(setting["url"], INTEREST)) == f"/technologies/{setting['technology'].slug}"
    assert len(leads_of(member.organisation.id)) == 2


def test_the_intended_use_is_required_and_entries_come_back(app, setting):
    response = setting["browser"].post(setting["url"], {**INTEREST, "intended_use": "  "})
    assert response.status_code == 400
    page = text(response)
    assert "Say what you would use the technology for." in page and "EU and Switzerland" in page
    assert leads_of(setting["member"].organisation.id) == []


def test_without_partner_detail_there_is_no_form_and_nothing_is_saved(app, setting):
    teaser = make_member(CatalogAccess.TEASER, legal_name="Teaser Only Ltd")
    commit()
    browser = Browser(app)
    browser.login(teaser.owner.email)
    page = text(browser.get(setting["url"]))
    assert 'name="intended_use"' not in page and 'href="/tiers"' in page
    assert browser.post(setting["url"], INTEREST).status_code == 200
    assert leads_of(teaser.organisation.id) == []


def test_without_an_account_owner_the_programme_address_and_admins_hear_of_it(app, setting):
    member = make_member(CatalogAccess.DETAILS, legal_name="Ownerless Org")
    commit()
    browser = Browser(app)
    browser.login(member.owner.email)
    browser.post(setting["url"], INTEREST)
    (lead,) = leads_of(member.organisation.id)
    assert lead.assigned_to_id is None
    assert last_email_to(app.config["CONTACT_EMAIL"]).template == "lead_received"
    assert last_email_to("admin@tto.example").template == "lead_received"
    assert "Your contact is the partnerships team" in last_email_to(member.owner.email).body_text


def staff_browser(app, user) -> Browser:
    browser = Browser(app)
    browser.login_staff(user)
    return browser


def test_staff_work_the_lead_through_the_console(app, setting):
    member, technology = setting["member"], setting["technology"]
    setting["browser"].post(setting["url"], INTEREST)
    (lead,) = leads_of(member.organisation.id)
    console = staff_browser(app, setting["officer"])

    queue = text(console.get("/admin/leads"))
    assert f"/admin/leads/{lead.id}" in queue and "Lead Labs GmbH" in queue and technology.reference in queue
    overview = text(console.get("/admin/"))
    assert "Licensing leads" in overview  # the navigation entry, with the count of new leads
    assert "new: </span>1</span>" in text(console.get("/admin/users"))
    assert "Licensing interest to answer" in overview and f"/admin/leads/{lead.id}" in overview
    detail = text(console.get(f"/admin/leads/{lead.id}"))
    assert "Low-power monitoring of our warehouses." in detail and "Issue a term sheet" in detail

    before = len(emails_to(member.owner.email))
    response = console.post(
        f"/admin/leads/{lead.id}/status", {"status": "in_discussion", "note": "Call on Monday?"}
    )
    assert location(response) == f"/admin/leads/{lead.id}"
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status is LeadStatus.IN_DISCUSSION
    mail = last_email_to(member.owner.email)
    assert len(emails_to(member.owner.email)) == before + 1
    assert mail.template == "lead_status_changed" and "In discussion" in mail.body_text
    assert "Call on Monday?" in mail.body_text
    assert_no_canary(mail.body_text + mail.body_html)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "lead.status_changed"))
    with app.test_request_context():
        (entry,) = audit_words.describe([event])
    assert "from new to in discussion" in entry.sentence and "Call on Monday?" in entry.note

    # a move the workflow does not allow is refused, nothing changes
    console.post(f"/admin/leads/{lead.id}/status", {"status": "new"})
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status is LeadStatus.IN_DISCUSSION


def test_the_leads_export_keeps_the_filters_and_leaves_the_message_out(app, setting):
    technology = setting["technology"]
    setting["browser"].post(setting["url"], INTEREST)
    console = staff_browser(app, setting["officer"])
    body = text(console.get("/admin/leads.csv?status=open"))
    header, *rows = body.lstrip("\ufeff").strip().splitlines()
    assert header.startswith("Technology,Title,Organisation,Status")
    assert len(rows) == 1 and technology.reference in rows[0] and "Lead Labs GmbH" in rows[0]
    assert INTEREST["message"] not in body and INTEREST["intended_use"] not in body
    assert_no_canary(body)
    assert text(console.get("/admin/leads.csv?status=declined")).lstrip("\ufeff").strip() == header
    exported = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "console.exported")).all()
    assert [e.details["list"] for e in exported] == ["leads", "leads"]


def test_issuing_a_term_sheet_is_idempotent_and_prefilled(app, setting):
    member, technology = setting["member"], setting["technology"]
    setting["browser"].post(setting["url"], INTEREST)
    (lead,) = leads_of(member.organisation.id)
    console = staff_browser(app, setting["officer"])

    for _ in range(2):
        assert location(console.post(f"/admin/leads/{lead.id}/term-sheet")) == f"/admin/leads/{lead.id}"
    db.session.expire_all()
    agreements = db.session.scalars(sa.select(Agreement).where(Agreement.source == f"lead:{lead.id}")).all()
    assert len(agreements) == 1
    (agreement,) = agreements
    lead = db.session.get(Lead, lead.id)
    assert lead.agreement_id == agreement.id and lead.status is LeadStatus.TERM_SHEET
    assert agreement.kind is AgreementKind.LICENCE and agreement.status is AgreementStatus.DRAFT
    assert agreement.organisation_id == member.organisation.id
    terms = agreement.params["terms"]
    assert terms["subject"] == f"{technology.reference} {technology.title}"
    assert (terms["field_of_use"], terms["territory"]) == ("Logistics buildings", "EU and Switzerland")
    assert terms["exclusive"] is True  # the listing offers an exclusive licence
    assert technology.title in agreement.title
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.target_type == "lead", AuditEvent.target_id == lead.id)
    ).all()
    assert actions.count("lead.term_sheet_issued") == 1
    assert "Term sheet" in last_email_to(member.owner.email).body_text
    page = text(console.get(f"/admin/leads/{lead.id}"))
    assert agreement.number in page and "Issue a term sheet</button>" not in page
    dashboard = text(setting["browser"].get("/dashboard"))
    assert "Term sheet" in dashboard


def test_a_lead_whose_author_left_is_told_to_the_organisations_owners(app, setting):
    member = setting["member"]
    colleague = make_partner(
        organisation=member.organisation, roles={OrgRole.MEMBER}, email="col@lead.example"
    )
    commit()
    browser = Browser(app)
    browser.login(colleague.email)
    browser.post(setting["url"], INTEREST)
    (lead,) = leads_of(member.organisation.id)
    colleague = db.session.get(type(colleague), colleague.id)
    colleague.active = False
    commit()
    lead_services.set_status(setting["officer"], lead, LeadStatus.DECLINED, "Not available in your field.")
    commit()
    assert last_email_to(member.owner.email).template == "lead_status_changed"


# --- simultaneous clicks, with real commits ---------------------------------------------------


def test_simultaneous_submissions_and_term_sheet_clicks_make_one_of_each(scratch_database, monkeypatch):
    from flask_migrate import upgrade

    from portal import create_app

    from ..support.concurrency import post_simultaneously
    from ..support.context import app_context

    app = create_app("testing", {"DATABASE_URL": scratch_database, "RATELIMIT_ENABLED": False})
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))  # real transactions
    with app_context(app):
        upgrade()
        officer = make_staff(email="race-officer@tto.example")
        technology = make_canary_technology(officer)
        member = make_member(CatalogAccess.DETAILS, legal_name="Race Labs", account_owner_id=officer.id)
        db.session.commit()
        slug, owner_email, organisation_id = technology.slug, member.owner.email, member.organisation.id
        officer_id = officer.id

    partner = Browser(app)
    assert location(partner.login(owner_email)) == "/dashboard"
    form = {**INTEREST, "csrf_token": partner.csrf_token()}
    cookie = partner.client.get_cookie("liaison_session").value
    statuses = post_simultaneously(app, 8, f"/technologies/{slug}/interest", form, cookie)
    # SQLite queues writers for 5 s (busy_timeout); on a loaded machine a click may wait longer and
    # get the 503 "try again" page (nothing half-done). PostgreSQL row locks always answer.
    busy = (503,) if scratch_database.startswith("sqlite") else ()
    assert statuses.count(302) == 1 and all(s in (200, 302, 400, *busy) for s in statuses), statuses

    with app_context(app):
        (lead_id,) = db.session.scalars(sa.select(Lead.id).where(Lead.organisation_id == organisation_id))
        officer = db.session.get(type(member.owner), officer_id)
    console = Browser(app)
    console.login_staff(officer)
    token = console.csrf_token()
    cookie = console.client.get_cookie("liaison_session").value
    statuses = post_simultaneously(
        app, 8, f"/admin/leads/{lead_id}/term-sheet", {"csrf_token": token}, cookie
    )
    assert 302 in statuses and set(statuses) <= {302, *busy}, statuses
    with app_context(app):
        agreements = db.session.scalars(
            sa.select(Agreement).where(Agreement.source == f"lead:{lead_id}")
        ).all()
        assert len(agreements) == 1
        assert db.session.get(Lead, lead_id).agreement_id == agreements[0].id
        db.session.remove()
        db.engine.dispose()
