"""The public collaboration pages: the seeded models, the enquiry form (bad input, honeypot, throttle),
the prospect it creates and the two emails."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.core.models import AuditEvent, Email
from portal.crm.models import CollaborationModel, Prospect, ProspectMove, ProspectSource, ProspectStage
from portal.extensions import db

from ..support.browser import Browser, emails_to, last_email_to, location, text
from ..support.factories import commit, make_staff

GOOD = {
    "company": "Fjord Analytics AS",
    "country": "NO",
    "contact_name": "Sigrid Hansen",
    "email": "sigrid@fjord-analytics.example",
    "interest": "A joint lab on maritime data",
    "message": "We have a team of six and a budget for three years.",
}

SEEDED = [
    "membership",
    "contract-research",
    "bilateral-project",
    "joint-lab",
    "industrial-fellowship",
    "licence",
    "spin-off",
    "events-training",
]


def prospects() -> list[Prospect]:
    return list(db.session.scalars(sa.select(Prospect).order_by(Prospect.id)))


def test_a_fresh_install_lists_the_eight_seeded_models_in_order(browser, ctx):
    response = browser.get("/collaborate")
    assert response.status_code == 200
    html = text(response)
    positions = [html.index(f'href="/collaborate/{slug}"') for slug in SEEDED]
    assert positions == sorted(positions)
    for title in (
        "Membership of the programme",
        "Joint lab",
        "Industrial fellowship or PhD",
        "Spin-off support",
    ):
        assert title in html


def test_the_landing_page_and_the_navigation_link_to_collaborate(browser, ctx):
    assert 'href="/collaborate"' in text(browser.get("/"))


def test_a_model_page_shows_its_facts_and_the_form(browser, ctx):
    html = text(browser.get("/collaborate/joint-lab"))
    assert "Who it suits" in html and "Typical duration" in html and "What you get" in html
    assert 'name="company"' in html and 'name="extra_reference"' in html


def test_an_unpublished_or_unknown_model_is_404(browser, ctx):
    model = db.session.scalar(sa.select(CollaborationModel).where(CollaborationModel.slug == "licence"))
    model.published = False
    commit()
    assert browser.get("/collaborate/licence").status_code == 404
    assert browser.post("/collaborate/licence", GOOD).status_code == 404
    assert browser.get("/collaborate/no-such-model").status_code == 404
    assert 'href="/collaborate/licence"' not in text(browser.get("/collaborate"))


def test_a_model_page_reads_in_french_where_translated(app, ctx):
    browser = Browser(app)
    browser.post("/language", {"language": "fr"})
    html = text(browser.get("/collaborate/joint-lab"))
    assert "Laboratoire commun" in html


def test_an_enquiry_creates_an_enquiry_prospect_and_emails_staff_and_sender(browser, ctx):
    admin = make_staff(admin=True)
    commit()
    response = browser.post("/collaborate/joint-lab", GOOD)
    assert response.status_code == 302
    assert location(response) == "/collaborate/joint-lab/thanks"
    assert "Thank you for your enquiry" in text(browser.get(location(response)))

    [prospect] = prospects()
    model = db.session.scalar(sa.select(CollaborationModel).where(CollaborationModel.slug == "joint-lab"))
    assert prospect.source is ProspectSource.ENQUIRY and prospect.model_id == model.id
    assert prospect.stage is ProspectStage.IDENTIFIED and prospect.owner_id is None
    assert (prospect.company, prospect.country, prospect.contact_email) == (
        "Fjord Analytics AS",
        "NO",
        "sigrid@fjord-analytics.example",
    )
    assert prospect.interest == "A joint lab on maritime data" and "three years" in prospect.message
    [first] = db.session.scalars(sa.select(ProspectMove).where(ProspectMove.prospect_id == prospect.id)).all()
    assert first.from_stage is None and first.to_stage is ProspectStage.IDENTIFIED

    staff_mail = last_email_to(app_contact(ctx))
    assert "New enquiry: Fjord Analytics AS, Joint lab" in staff_mail.subject
    assert f"/admin/prospects/{prospect.id}" in staff_mail.body_text
    assert "maritime data" in staff_mail.body_text
    assert emails_to(admin.email), "the active admins hear of it too"
    confirmation = last_email_to("sigrid@fjord-analytics.example")
    assert "We received your enquiry" in confirmation.subject
    assert "Joint lab" in confirmation.body_text and "three years" in confirmation.body_text
    actions = set(
        db.session.scalars(
            sa.select(AuditEvent.action).where(
                AuditEvent.target_type == "prospect", AuditEvent.target_id == prospect.id
            )
        )
    )
    assert {"prospect.created", "prospect.enquiry_received"} <= actions


def app_contact(ctx) -> str:
    from flask import current_app

    return current_app.config["CONTACT_EMAIL"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"company": ""}, "Enter your company"),
        ({"country": ""}, "Choose the country where your company is registered."),
        ({"country": "XX"}, "Choose the country where your company is registered."),
        ({"contact_name": "  "}, "Enter your name."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"interest": ""}, "Say in a few words what interests you."),
        ({"company": "x" * 201}, "At most 200 characters; this has 201."),
        ({"message": "y" * 4001}, "At most 4,000 characters; this has 4,001."),
    ],
)
def test_bad_input_says_what_is_wrong_keeps_the_values_and_saves_nothing(browser, ctx, changes, message):
    response = browser.post("/collaborate/contract-research", {**GOOD, **changes})
    assert response.status_code == 400
    html = text(response)
    assert message in html
    assert "Please correct the following" in html
    if "company" not in changes:
        assert 'value="Fjord Analytics AS"' in html
    assert prospects() == []
    assert db.session.scalar(sa.select(sa.func.count(Email.id))) == 0


def test_the_honeypot_thanks_a_bot_and_keeps_nothing(browser, ctx):
    response = browser.post("/collaborate/licence", {**GOOD, "extra_reference": "http://spam.example"})
    assert response.status_code == 302 and location(response) == "/collaborate/licence/thanks"
    assert prospects() == []
    assert db.session.scalar(sa.select(sa.func.count(Email.id))) == 0


def test_enquiries_are_throttled_per_address(app, ctx):
    browser = Browser(app, REMOTE_ADDR="10.9.0.1")
    for i in range(5):
        assert (
            browser.post("/collaborate/licence", {**GOOD, "email": f"p{i}@fjord.example"}).status_code == 302
        )
    refused = browser.post("/collaborate/licence", {**GOOD, "email": "p6@fjord.example"})
    assert refused.status_code == 429 and refused.headers.get("Retry-After")
    assert len(prospects()) == 5
    assert browser.get("/collaborate/licence").status_code == 200  # reading is not throttled
    other = Browser(app, REMOTE_ADDR="10.9.0.2")
    assert other.post("/collaborate/licence", GOOD).status_code == 302


def test_an_enquiry_without_csrf_token_is_refused(browser, ctx):
    response = browser.post("/collaborate/licence", GOOD, csrf=False)
    assert response.status_code == 400
    assert prospects() == []
