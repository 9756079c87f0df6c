"""Lineage (issue 14 item 7): the tree and timeline of a technology from its disclosure to its
licences and spin-offs, the reverse chain from a licence, the console pages, and the constant number
of queries whatever the number of leads, licences and applications."""

from __future__ import annotations

from datetime import UTC, date, datetime

from portal.catalog.models import Lead, LeadStatus
from portal.catalog.services import leads as lead_rules
from portal.extensions import db
from portal.innovation.models import (
    ApplicationKind,
    Disclosure,
    DisclosureStatus,
    PatentApplication,
    PatentFamily,
)
from portal.innovation.models.licensing import SpinOff, SpinOffStatus
from portal.innovation.services import lineage

from ..core.test_platform import count_queries
from ..support.browser import Browser, text
from ..support.factories import commit, make_organisation, make_staff
from .licensing_helpers import executed_term_sheet, make_licence

_n = iter(range(1, 1_000_000))


def _chain(staff):
    """disclosure -> patent family (one priority filing) -> listing -> lead -> executed term sheet ->
    licence -> spin-off, on fixed dates."""
    _owner, lead, sheet = executed_term_sheet(staff, legal_name=f"Chain Licensee {next(_n)} AG")
    technology = lead.technology
    technology.published_at = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
    lead.created_at = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)
    sheet.executed_at = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
    disclosure = Disclosure(
        reference=f"D-2025-{next(_n):04d}",
        title="Self-healing coating",
        status=DisclosureStatus.ASSESSED,
        submitted_at=datetime(2025, 1, 10, 9, 0, tzinfo=UTC),
        technology_id=technology.id,
    )
    db.session.add(disclosure)
    db.session.flush()
    family = PatentFamily(
        reference=f"PF-2025-{next(_n):02d}", title="Coating family", disclosure_id=disclosure.id
    )
    family.applications.append(
        PatentApplication(
            kind=ApplicationKind.PRIORITY,
            office="EP",
            application_number="EP25100001",
            filing_date=date(2025, 3, 3),
        )
    )
    db.session.add(family)
    db.session.flush()
    licence = make_licence(
        staff,
        lead.organisation,
        technology,
        start_on=date(2025, 10, 1),
        term_sheet_id=sheet.id,
        lead_id=lead.id,
        patent_family_id=family.id,
    )
    spin_off = SpinOff(
        name=f"Coating Spin {next(_n)} GmbH",
        incorporated_on=date(2025, 11, 15),
        licence_id=licence.id,
        status=SpinOffStatus.INCORPORATED,
    )
    db.session.add(spin_off)
    db.session.flush()
    return {
        "technology": technology,
        "disclosure": disclosure,
        "family": family,
        "lead": lead,
        "sheet": sheet,
        "licence": licence,
        "spin_off": spin_off,
    }


def _path(node, kinds=()):
    """Every root-to-leaf path of kinds."""
    kinds = (*kinds, node.kind)
    if not node.children:
        return [kinds]
    return [p for child in node.children for p in _path(child, kinds)]


def test_the_tree_runs_from_the_disclosure_to_the_spin_off(app, ctx):
    staff = make_staff()
    c = _chain(staff)
    commit()
    with app.test_request_context():
        result = lineage.technology_lineage(c["technology"])
    [root] = result.tree
    assert root.kind == "disclosure" and c["disclosure"].reference in root.label
    assert ("disclosure", "listing", "lead", "term_sheet", "licence", "spin_off") in _path(root)
    assert ("disclosure", "patent_family", "application") in _path(root)
    [licence_node] = result.nodes("licence")
    assert licence_node.url == f"/admin/licences/{c['licence'].id}"
    assert licence_node.date == date(2025, 10, 1)
    [family_node] = result.nodes("patent_family")
    assert family_node.date == date(2025, 3, 3)  # the priority date
    [listing] = result.nodes("listing")
    assert listing.date == date(2025, 6, 1)  # published
    assert [s.id for s in result.spin_offs] == [c["spin_off"].id]

    days = [e.date for e in result.timeline]
    assert days == sorted(days)
    kinds = [e.kind for e in result.timeline if e.date >= date(2025, 1, 10)]
    order = ["disclosure", "application", "listing", "lead", "term_sheet", "licence", "spin_off"]
    firsts = [kinds.index(k) for k in order]
    assert firsts == sorted(firsts), kinds
    texts = " | ".join(e.text for e in result.timeline)
    assert "EP EP25100001" in texts and "Term sheet executed" in texts and "incorporated" in texts


def test_the_reverse_chain_goes_from_the_licence_back_to_the_disclosure(app, ctx):
    staff = make_staff()
    c = _chain(staff)
    commit()
    with app.test_request_context():
        result = lineage.licence_lineage(lineage.load_licence(c["licence"].id))
    [root] = result.tree
    assert root.kind == "licence"
    assert ("licence", "term_sheet", "lead", "listing", "disclosure") in _path(root)
    assert ("licence", "term_sheet", "lead", "listing", "patent_family", "application") in _path(root)
    assert ("licence", "spin_off") in _path(root)
    assert [d.id for d in result.disclosures] == [c["disclosure"].id]
    assert [f.id for f in result.families] == [c["family"].id]
    assert [a.id for a in result.term_sheets] == [c["sheet"].id]


def test_a_licence_entered_by_staff_hangs_under_the_listing(app, ctx):
    staff = make_staff()
    c = _chain(staff)
    other = make_licence(staff, make_organisation(legal_name="Direct Licensee SA"), c["technology"])
    commit()
    with app.test_request_context():
        result = lineage.technology_lineage(c["technology"])
        reverse = lineage.licence_lineage(lineage.load_licence(other.id))
    paths = _path(result.tree[0])
    assert ("disclosure", "listing", "licence") in paths
    assert ("licence", "listing", "disclosure") in _path(reverse.tree[0])


def _add(staff, c, n):
    """n more leads (each with its term sheet), licences and patent applications."""
    tech = c["technology"]
    for i in range(n):
        org = make_organisation(legal_name=f"More Licensee {next(_n)} BV")
        lead = Lead(technology_id=tech.id, organisation_id=org.id, status=LeadStatus.IN_DISCUSSION)
        db.session.add(lead)
        db.session.flush()
        sheet, _ = lead_rules.issue_term_sheet(staff, lead)
        make_licence(staff, org, tech, start_on=date(2026, 1, 1 + i), term_sheet_id=sheet.id, lead_id=lead.id)
        c["family"].applications.append(
            PatentApplication(
                kind=ApplicationKind.NATIONAL, office="US", country="US", filing_date=date(2026, 2, 1 + i)
            )
        )
    db.session.flush()


def test_the_lineage_costs_the_same_queries_with_more_leads_licences_and_applications(app, ctx):
    staff = make_staff()
    c = _chain(staff)
    commit()
    tid = c["technology"].id
    lid = c["licence"].id

    def load():
        with app.test_request_context():
            db.session.expire_all()
            result = lineage.technology_lineage(db.session.get(type(c["technology"]), tid))
            reverse = lineage.licence_lineage(lineage.load_licence(lid))
            return result, reverse

    few = count_queries(app, load)
    _add(staff, c, 4)
    commit()
    many = count_queries(app, load)
    assert few == many, (few, many)
    result, _ = load()
    assert len(result.leads) == 5 and len(result.licences) == 5 and len(result.nodes("application")) == 5
    assert len(result.nodes("term_sheet")) == 5


def test_the_console_pages_show_the_chain_in_constant_queries(app, ctx):
    staff = make_staff()
    c = _chain(staff)
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    page = f"/admin/innovation/technologies/{c['technology'].id}/lineage"
    reverse = f"/admin/licences/{c['licence'].id}/lineage"
    body = text(browser.get(page))
    for needle in (
        c["disclosure"].reference,
        c["family"].reference,
        c["technology"].reference,
        c["spin_off"].name,
    ):
        assert needle in body
    assert 'data-lineage-kind="term_sheet"' in body and "data-lineage-timeline" in body
    body = text(browser.get(reverse))
    assert c["licence"].reference in body and c["disclosure"].reference in body
    few = count_queries(app, lambda: (browser.get(page), browser.get(reverse)))
    _add(staff, c, 4)
    commit()
    many = count_queries(app, lambda: (browser.get(page), browser.get(reverse)))
    assert few == many, (few, many)
    assert browser.get("/admin/licences/999999/lineage").status_code == 404
    assert browser.get("/admin/innovation/technologies/999999/lineage").status_code == 404
    # the links to the pages
    assert page in text(browser.get(f"/admin/technologies/{c['technology'].id}"))
    assert reverse in text(browser.get(f"/admin/licences/{c['licence'].id}"))
    assert page in text(browser.get(f"/admin/innovation/disclosures/{c['disclosure'].id}"))
