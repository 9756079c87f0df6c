"""The licensee's side: their licences and reporting duties on /licences and the dashboard, never
another organisation's (404) nor a draft; a report marked as submitted, then received by staff;
the licence lists cost the same number of queries for 5 and for 50 licences."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal.extensions import db
from portal.innovation.models.licensing import LicenceReport, LicenceStatus, ReportStatus

from ..core.test_request_cost import recorded_queries
from ..support.browser import emails_to, text
from ..support.factories import commit, make_organisation, make_partner, make_staff, make_user
from .licensing_helpers import make_licence, make_technology


def _two_licensees():
    staff = make_staff()
    ours, theirs = make_organisation(legal_name="Ours GmbH"), make_organisation(legal_name="Theirs SA")
    owner = make_partner(organisation=ours)
    mine = make_licence(staff, ours, field_of_use="OUR-FIELD", start_on=date.today() - timedelta(days=200))
    other = make_licence(staff, theirs, field_of_use="THEIR-FIELD-CANARY")
    draft = make_licence(staff, ours, field_of_use="DRAFT-FIELD-CANARY", status=LicenceStatus.DRAFT)
    commit()
    return staff, owner, mine, other, draft


def test_partners_see_their_own_licences_only(app, ctx, browser):
    _staff, owner, mine, other, draft = _two_licensees()
    colleague = make_user(owner.organisation)
    commit()
    for person in (owner, colleague):
        browser.login(person.email)
        page = text(browser.get("/licences"))
        assert "OUR-FIELD" in page and "CANARY" not in page
        assert browser.get(f"/licences/{mine.id}").status_code == 200
        for probe in (other.id, draft.id, mine.id + 1000):
            assert browser.get(f"/licences/{probe}").status_code == 404, probe
        report = db.session.scalars(
            sa.select(LicenceReport).where(LicenceReport.licence_id == other.id)
        ).first()
        response = browser.post(f"/licences/{other.id}/reports", {"report_id": report.id, "note": "x"})
        assert response.status_code == 404
        mixed = browser.post(f"/licences/{mine.id}/reports", {"report_id": report.id, "note": "x"})
        assert mixed.status_code == 400 and "Choose the report you sent" in text(mixed)
        browser.logout()
    db.session.expire_all()
    assert db.session.get(LicenceReport, report.id).status is ReportStatus.DUE


def test_the_dashboard_card_lists_the_licences_and_the_next_report(app, ctx, browser):
    _staff, owner, mine, _other, _draft = _two_licensees()
    browser.login(owner.email)
    html = browser.get("/dashboard").get_data(as_text=True)
    assert "data-licences" in html and mine.reference in html and mine.technology.title in html
    first_due = min(r.due_on for r in mine.reports)
    assert "1 report to send" in html  # the first period is over; the later ones are not yet due
    assert f"/licences/{mine.id}" in html and str(first_due.year) in html
    assert "CANARY" not in html


def test_a_partner_without_licences_has_no_card_and_an_empty_licences_page(app, ctx, browser):
    owner = make_partner(organisation=make_organisation())
    commit()
    browser.login(owner.email)
    assert "data-licences" not in browser.get("/dashboard").get_data(as_text=True)
    assert "No licences yet" in text(browser.get("/licences"))


def test_the_licensee_marks_a_report_submitted_and_staff_mark_it_received(app, ctx, browser):
    staff, owner, mine, _other, _draft = _two_licensees()
    report, later = sorted(mine.reports, key=lambda r: r.due_on)[:2]
    browser.login(owner.email)
    early = browser.post(f"/licences/{mine.id}/reports", {"report_id": later.id, "note": "Sent"})
    assert early.status_code == 400 and "period has not ended yet" in text(early)
    empty = browser.post(f"/licences/{mine.id}/reports", {"report_id": report.id, "note": " "})
    assert empty.status_code == 400 and "Say how you sent the report" in text(empty)
    done = browser.post(
        f"/licences/{mine.id}/reports", {"report_id": report.id, "note": "Emailed to the TTO on 3 March"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    stored = db.session.get(LicenceReport, report.id)
    assert stored.status is ReportStatus.SUBMITTED and stored.submitted_by_id == owner.id
    assert "Emailed to the TTO" in text(browser.get(f"/licences/{mine.id}"))
    browser.logout()
    browser.login_staff(staff)
    assert "Emailed to the TTO" in text(browser.get(f"/admin/licences/{mine.id}"))
    browser.post(f"/admin/licences/{mine.id}/reports/received", {"row_id": report.id})
    db.session.expire_all()
    assert db.session.get(LicenceReport, report.id).status is ReportStatus.RECEIVED
    again = browser.post(f"/admin/licences/{mine.id}/reports/received", {"row_id": report.id})
    assert again.status_code == 400 and "already marked received" in text(again)
    told = [e for e in emails_to(app.config["CONTACT_EMAIL"]) if e.template == "licence_report_submitted"]
    assert len(told) == 1 and "Emailed to the TTO" in told[0].body_text  # no officer: the programme address


def _licences_for(organisation, staff, n: int) -> None:
    technology = make_technology(staff)
    for _ in range(n):
        make_licence(staff, organisation, technology)
    commit()


def _queries(browser, path: str) -> int:
    with recorded_queries() as (statements, lazy):
        response = browser.get(path)
    assert response.status_code == 200, path
    assert lazy == [], lazy
    return len(statements)


def test_the_licence_lists_cost_the_same_for_5_and_50_licences(app, ctx, make_browser):
    staff = make_staff()
    counts = {}
    for n in (5, 50):
        organisation = make_organisation()
        owner = make_partner(organisation=organisation)
        _licences_for(organisation, staff, n)
        partner, console = make_browser(), make_browser()
        partner.login(owner.email)
        console.login_staff(staff)
        counts[n] = (
            _queries(partner, "/licences"),
            _queries(partner, "/dashboard"),
            _queries(console, "/admin/licences"),
            _queries(console, f"/admin/licences?organisation={organisation.id}"),
        )
    assert counts[5] == counts[50], counts
