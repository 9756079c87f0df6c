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


def _steps(page: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', page))


def test_the_tracker_follows_the_path_and_asks_each_person_only_their_steps(app, ctx):
    """Issue 10, point 4: applied -> approved -> signed -> paid -> countersigned -> active, who is
    waited on, and a link only for the person who can do the step."""
    import sqlalchemy as sa

    from portal.agreements.models import Agreement
    from portal.membership import services as membership_services
    from portal.partners.models import OrgRole

    from ..support.context import app_context
    from ..support.factories import make_application

    organisation = make_organisation(legal_name="Tracker Tools GmbH", country="DE")
    owner = make_partner(organisation=organisation, email="owner@tracker.example", full_name="Tara Owner")
    member = make_partner(organisation=organisation, roles={OrgRole.MEMBER}, email="mo@tracker.example")
    officer = make_staff(email="officer@tto.example")
    tier = make_tier(name="Partner", slug="partner")
    commit()
    owner_browser, member_browser = Browser(app), Browser(app)
    owner_browser.login(owner.email)
    member_browser.login(member.email)

    page = text(owner_browser.get("/dashboard"))
    assert _steps(page)["applied"] == "waiting" and 'href="/tiers"' in page.split("data-tracker", 1)[1]

    application = make_application(organisation, tier)
    commit()
    page = " ".join(text(owner_browser.get("/dashboard")).split())
    assert _steps(page) == {
        "applied": "done",
        "approved": "waiting",
        "signed": "later",
        "paid": "later",
        "countersigned": "later",
        "active": "later",
    }
    assert "waiting on the partnerships team" in page

    with app_context(app):
        membership_services.approve_application(officer, application, officer)
    commit()
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.organisation_id == organisation.id))
    owner_page = " ".join(text(owner_browser.get("/dashboard")).split())
    member_page = " ".join(text(member_browser.get("/dashboard")).split())
    assert _steps(owner_page)["approved"] == "done"
    assert _steps(owner_page)["signed"] == _steps(owner_page)["paid"] == "waiting"
    tracker = owner_page.split("data-tracker", 1)[1].split("</ol>", 1)[0]
    assert f'href="/agreements/{agreement.id}"' in tracker and "waiting on you" in tracker
    member_tracker = member_page.split("data-tracker", 1)[1].split("</ol>", 1)[0]
    assert (
        "waiting on your signatory" in member_tracker and "waiting on your billing contact" in member_tracker
    )
    assert "Do it now" not in member_tracker  # a plain member is not asked to sign or pay


def test_the_membership_page_shows_the_same_tracker(app, ctx):
    owner = make_partner(organisation=make_organisation(legal_name="Same Steps SA"), email="o@same.example")
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    dashboard, membership = text(browser.get("/dashboard")), text(browser.get("/membership"))
    assert _steps(membership) == _steps(dashboard) and _steps(membership)["applied"] == "waiting"
