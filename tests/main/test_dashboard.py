"""The partner dashboard shows what the tier gives and whom to talk to (issue 10, point 21)."""

from __future__ import annotations

from datetime import date, timedelta

from portal.extensions import db
from portal.membership.models import Membership, MembershipStatus, PaymentMethod

from ..support.browser import Browser, text
from ..support.factories import commit, make_organisation, make_partner, make_staff, make_tier


def test_the_dashboard_shows_the_tiers_benefits_and_the_officers_contact(app, ctx):
    officer = make_staff(email="priya@tto.example", full_name="Priya Natarajan")
    organisation = make_organisation(legal_name="Benefit Optics GmbH", account_owner_id=officer.id)
    owner = make_partner(organisation=organisation, email="owner@benefit.example")
    tier = make_tier(
        name="Partner", slug="partner", benefits=["Two seats at the research day", "Quarterly briefings"]
    )
    db.session.add(
        Membership(
            organisation=organisation,
            tier=tier,
            status=MembershipStatus.ACTIVE,
            payment_method=PaymentMethod.INVOICE,
            period_start=date.today(),
            period_end=date.today() + timedelta(days=365),
        )
    )
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    page = " ".join(text(browser.get("/dashboard")).split())
    assert "Priya Natarajan" in page and 'href="mailto:priya@tto.example"' in page
    assert "What Partner gives you" in page
    assert "Two seats at the research day" in page and "Quarterly briefings" in page


def test_without_an_officer_the_dashboard_names_the_partnerships_team(app, ctx):
    owner = make_partner(
        organisation=make_organisation(legal_name="Lonely Labs Ltd"), email="o@lonely.example"
    )
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    page = text(browser.get("/dashboard"))
    assert f'href="mailto:{app.config["CONTACT_EMAIL"]}"' in page
    assert "data-benefits" not in page  # no membership, no benefits card
