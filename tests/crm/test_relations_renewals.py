"""Issue 13, item 5: renewals ending in 30 / 60 / 90 days (fixed dates), the engagement over the
last 90 days from the shared `engagement(organisation_ids, since)`, the risk flag with its reasons,
and the page's constant cost from 10 to 100 organisations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.agreements.models import AgreementSignature, SignatoryParty
from portal.crm.services import engagement as service
from portal.extensions import db
from portal.membership.models import InvoiceStatus, Membership, MembershipStatus
from portal.partners.models import Organisation

from ..support.browser import Browser, text
from ..support.factories import (
    commit,
    make_agreement,
    make_invoice,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)
from ..support.world_relations import make_challenge, make_interaction, make_lead, make_technology
from .test_organisation_page import page_cost, populate

TODAY = date(2026, 6, 1)
SINCE = TODAY - timedelta(days=90)  # 3 March 2026


def moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


@pytest.fixture
def officer(ctx):
    user = make_staff(full_name="Oscar Officer")
    commit()
    return user


def member(name: str, ends: date, tier, **values) -> Membership:
    organisation = make_organisation(legal_name=name)
    membership = Membership(
        organisation_id=organisation.id,
        tier_id=tier.id,
        status=values.pop("status", MembershipStatus.ACTIVE),
        period_start=ends - timedelta(days=364),
        period_end=ends,
        **values,
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def test_engagement_counts_each_source_since_the_day_for_many_organisations_at_once(officer):
    busy, quiet = make_organisation(), make_organisation()
    make_partner(organisation=busy, last_login_at=moment(SINCE + timedelta(days=1)))
    make_partner(organisation=busy, last_login_at=moment(SINCE - timedelta(days=1)))  # before: not counted
    make_partner(organisation=quiet)  # never signed in
    make_challenge(busy, submitted_at=moment(TODAY - timedelta(days=3)))
    make_challenge(busy, submitted_at=moment(SINCE - timedelta(days=5)))
    technology = make_technology(officer)
    make_lead(busy, technology, created_at=moment(TODAY - timedelta(days=10)))
    agreement = make_agreement(busy)
    for party in SignatoryParty:
        db.session.add(
            AgreementSignature(
                agreement_id=agreement.id,
                party=party,
                user_email="x@example.com",
                full_name="X",
                title="T",
                statement="s",
                signed_at=moment(TODAY - timedelta(days=20)),
                document_sha256="0" * 64,
            )
        )
    make_interaction(busy, SINCE)  # on the first day: counted
    make_interaction(busy, SINCE - timedelta(days=1))  # the day before: not counted, but the latest before
    make_interaction(busy, TODAY - timedelta(days=2))
    commit()
    figures = service.engagement([busy.id, quiet.id], SINCE)
    b, q = figures[busy.id], figures[quiet.id]
    assert (b.logins, b.challenges, b.interests, b.agreements, b.interactions) == (1, 1, 1, 1, 2)
    assert b.last_interaction == TODAY - timedelta(days=2)
    assert b.last_login == moment(SINCE + timedelta(days=1))
    assert b.catalog_views is None  # not recorded per organisation
    assert (q.logins, q.challenges, q.interests, q.agreements, q.interactions, q.last_login) == (
        0,
        0,
        0,
        0,
        0,
        None,
    )
    assert service.engagement([], SINCE) == {}


def test_renewal_windows_on_fixed_dates(officer):
    tier = make_tier()
    ends = {
        "today": TODAY,
        "in 30": TODAY + timedelta(days=30),
        "in 31": TODAY + timedelta(days=31),
        "in 60": TODAY + timedelta(days=60),
        "in 61": TODAY + timedelta(days=61),
        "in 90": TODAY + timedelta(days=90),
        "in 91": TODAY + timedelta(days=91),
        "yesterday": TODAY - timedelta(days=1),
    }
    for name, day in ends.items():
        member(name, day, tier)
    member("cancelled in 10", TODAY + timedelta(days=10), tier, status=MembershipStatus.CANCELLED)
    member("past due in 5", TODAY + timedelta(days=5), tier, status=MembershipStatus.PAST_DUE)
    commit()

    def listed(within: int) -> list[tuple[str, int, int]]:
        memberships = db.session.scalars(service.renewals_query(TODAY, within)).unique().all()
        rows = service.assess(memberships, TODAY)
        return [(r.membership.organisation.legal_name, r.days_left, r.window) for r in rows]

    assert listed(30) == [("today", 0, 30), ("past due in 5", 5, 30), ("in 30", 30, 30)]
    assert [n for n, *_ in listed(60)] == ["today", "past due in 5", "in 30", "in 31", "in 60"]
    assert listed(90)[-3:] == [("in 60", 60, 60), ("in 61", 61, 90), ("in 90", 90, 90)]


def test_risk_reasons(officer):
    tier = make_tier()
    silent = member("Silent", TODAY + timedelta(days=20), tier)
    logged_in = member("Logged in only", TODAY + timedelta(days=20), tier)
    make_partner(
        organisation=db.session.get(Organisation, logged_in.organisation_id), last_login_at=moment(TODAY)
    )
    warm = member("Warm", TODAY + timedelta(days=20), tier)
    make_interaction(db.session.get(Organisation, warm.organisation_id), TODAY - timedelta(days=7))
    make_partner(organisation=db.session.get(Organisation, warm.organisation_id), last_login_at=moment(TODAY))
    unpaid = member("Unpaid", TODAY + timedelta(days=20), tier)
    unpaid_org = db.session.get(Organisation, unpaid.organisation_id)
    make_interaction(unpaid_org, TODAY - timedelta(days=7))
    make_partner(organisation=unpaid_org, last_login_at=moment(TODAY))
    make_invoice(
        unpaid_org,
        number="INV-RENEW-1",
        membership_id=unpaid.id,
        period_start=unpaid.period_end + timedelta(days=1),
        due_on=TODAY - timedelta(days=1),
        status=InvoiceStatus.OPEN,
    )
    paid = member("Paid renewal", TODAY + timedelta(days=20), tier)
    paid_org = db.session.get(Organisation, paid.organisation_id)
    make_interaction(paid_org, TODAY - timedelta(days=7))
    make_partner(organisation=paid_org, last_login_at=moment(TODAY))
    make_invoice(
        paid_org,
        membership_id=paid.id,
        period_start=paid.period_end + timedelta(days=1),
        status=InvoiceStatus.PAID,
    )
    ending = member(
        "Ending", TODAY + timedelta(days=20), tier, auto_renew=False, status=MembershipStatus.PAST_DUE
    )
    commit()
    rows = {
        r.membership.organisation.legal_name: r
        for r in service.assess(db.session.scalars(service.renewals_query(TODAY, 90)).unique().all(), TODAY)
    }
    assert rows["Silent"].reasons == ["No interaction and no login in 90 days"]
    assert rows["Logged in only"].reasons == ["No interaction in 90 days"]
    assert rows["Warm"].reasons == [] and not rows["Warm"].at_risk
    assert rows["Unpaid"].reasons == ["Renewal invoice INV-RENEW-1 unpaid and overdue"]
    assert rows["Paid renewal"].reasons == []
    assert rows["Ending"].reasons == [
        "No interaction and no login in 90 days",
        "Payment past due",
        "Set to end at the end of the period (no automatic renewal)",
    ]
    assert ending.id and silent.id


def test_the_renewals_page_lists_windows_with_engagement_and_risk(app, officer):
    tier = make_tier(name="Gold")
    soon = member("Soon Renewing GmbH", date.today() + timedelta(days=12), tier)
    soon_org = db.session.get(Organisation, soon.organisation_id)
    soon_org.account_owner_id = officer.id
    member("Later Renewing SA", date.today() + timedelta(days=75), tier)
    commit()
    console = Browser(app)
    console.login_staff(officer)
    html = text(console.get("/admin/renewals"))
    assert "Soon Renewing GmbH" in html and "Later Renewing SA" in html
    assert html.index("Soon Renewing GmbH") < html.index("Later Renewing SA")
    assert "No interaction and no login in 90 days" in html and "At risk" in html
    assert "in 12 days" in html
    html30 = text(console.get("/admin/renewals?within=30"))
    assert "Soon Renewing GmbH" in html30 and "Later Renewing SA" not in html30
    assert "Later Renewing SA" not in text(console.get("/admin/renewals?within=30&owner=me"))
    assert "Soon Renewing GmbH" in text(console.get("/admin/renewals?within=oops&owner=me"))  # odd -> 90


def test_the_renewals_page_costs_the_same_at_10_and_100_organisations(app, officer):
    tier = make_tier()
    populate(10, officer, tier)  # memberships ending in 40 days, with engagement
    commit()
    console = Browser(app)
    console.login_staff(officer)
    few = page_cost(console, "/admin/renewals")
    populate(90, officer, tier)
    commit()
    assert page_cost(console, "/admin/renewals") == few
    assert "Company" in text(console.get("/admin/renewals?page=4"))
