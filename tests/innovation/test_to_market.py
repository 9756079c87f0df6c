"""To the market: one action makes a draft listing prefilled from the disclosure and its IP records,
keeps the link both ways, and a second click opens the same listing."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.catalog.models import IpStatus, Technology, TechnologyStatus
from portal.core.errors import DomainError
from portal.extensions import db
from portal.innovation.models import ApplicationKind, ApplicationStatus, Disclosure, IpRecordKind
from portal.innovation.services import ip_records as ip
from portal.innovation.services.to_market import to_market

from ..support.browser import location, text
from ..support.factories import commit, make_staff
from .helpers import assessed, researcher_account, submitted


def _family(staff, disclosure):
    family = ip.create_family(
        staff, ip.FamilyData("PF-2026-01", "Coating family", disclosure_id=disclosure.id)
    )
    ip.add_application(
        staff,
        family,
        ip.ApplicationData(
            ApplicationKind.PRIORITY, "EP", date(2025, 3, 1), application_number="EP25160001.2",
            publication_number="EP4500001A1", status=ApplicationStatus.PUBLISHED,
        ),
    )  # fmt: skip
    ip.add_application(
        staff,
        family,
        ip.ApplicationData(ApplicationKind.PCT, "WO", date(2026, 2, 27), priority_date=date(2025, 3, 1),
                           application_number="PCT/EP2026/050001"),
    )  # fmt: skip
    return family


def test_the_listing_is_prefilled_from_the_disclosure_and_its_ip(ctx):
    alice, a = researcher_account("Dr Alice Ray")
    _bob, b = researcher_account("Dr Bob Kay")
    staff = make_staff()
    disclosure = submitted(alice, (a.id, "30"), (b.id, "70"))
    assessed(staff, disclosure)
    _family(staff, disclosure)
    technology, created = to_market(staff, disclosure)
    assert created and technology.status is TechnologyStatus.DRAFT
    assert technology.title == disclosure.title
    assert technology.problem == disclosure.problem and technology.solution == disclosure.description
    assert [r.id for r in technology.inventors] == [b.id, a.id]  # largest share first
    assert technology.ip_status is IpStatus.PCT_APPLICATION
    assert technology.patent_numbers == ["EP4500001A1", "PCT/EP2026/050001"]
    assert disclosure.technology_id == technology.id


def test_copyright_only_gives_a_software_copyright_listing(ctx):
    alice, a = researcher_account("Dr Alice Ray")
    staff = make_staff()
    disclosure = submitted(alice, (a.id, "100"))
    assessed(staff, disclosure)
    ip.add_record(staff, IpRecordKind.SOFTWARE_COPYRIGHT, "Solver v2", disclosure=disclosure)
    technology, _ = to_market(staff, disclosure)
    assert technology.ip_status is IpStatus.SOFTWARE_COPYRIGHT and technology.patent_numbers == []


def test_only_an_assessed_disclosure_goes_to_the_market(ctx):
    alice, a = researcher_account("Dr Alice Ray")
    with pytest.raises(DomainError):
        to_market(make_staff(), submitted(alice, (a.id, "100")))


def test_a_second_click_opens_the_same_listing_and_the_pages_link_both_ways(browser, ctx):
    alice, a = researcher_account("Dr Alice Ray")
    staff = make_staff()
    disclosure = submitted(alice, (a.id, "100"))
    assessed(staff, disclosure)
    commit()
    browser.login_staff(staff)
    first = browser.post(f"/admin/innovation/disclosures/{disclosure.id}/to-market")
    second = browser.post(f"/admin/innovation/disclosures/{disclosure.id}/to-market")
    assert location(first) == location(second)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Technology)) == 1
    technology = db.session.scalar(sa.select(Technology))
    assert location(first) == f"/admin/technologies/{technology.id}"
    assert "From disclosure" in text(browser.get(location(first))) and disclosure.reference in text(
        browser.get(location(first))
    )
    page = text(browser.get(f"/admin/innovation/disclosures/{disclosure.id}"))
    assert f"Listing {technology.reference}" in page
    db.session.expire_all()
    assert db.session.get(Disclosure, disclosure.id).technology_id == technology.id
