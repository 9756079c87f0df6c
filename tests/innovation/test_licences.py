"""Licences: recorded from an executed term sheet (prefilled, once, the lead becomes licensed) or
entered by staff; the reporting schedule on fixed dates; reminders once; the batched lineage reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.agreements.models import AgreementStatus
from portal.catalog.models import LeadStatus
from portal.core.errors import DomainError
from portal.core.models import AuditEvent, Email
from portal.extensions import db
from portal.innovation.models.licensing import (
    Exclusivity,
    Licence,
    LicenceReminder,
    LicenceReport,
    LicenceStatus,
    ReportFrequency,
    ReportStatus,
)
from portal.innovation.services import licences, reporting, spinoffs

from ..support.browser import emails_to
from ..support.factories import make_organisation, make_staff, make_user
from .licensing_helpers import executed_term_sheet, make_licence, make_researcher, make_technology

# --- from an executed term sheet --------------------------------------------------------------


def test_the_licence_of_an_executed_term_sheet_is_prefilled_recorded_once_and_licenses_the_lead(ctx):
    staff = make_staff()
    owner, lead, agreement = executed_term_sheet(staff, legal_name="Fjord Coatings AS")
    prefill = licences.prefill_from_term_sheet(agreement)
    assert prefill.organisation_id == owner.organisation_id
    assert prefill.technology_id == lead.technology_id
    assert (prefill.field_of_use, prefill.territory) == ("Marine coatings", "Nordic countries")
    assert prefill.start_on is not None and prefill.end_on == reporting.add_months(prefill.start_on, 12)
    assert prefill.lead_id == lead.id and prefill.term_sheet_id == agreement.id

    licence, created = licences.record_from_term_sheet(staff, agreement)
    again, created_again = licences.record_from_term_sheet(staff, agreement)
    assert created and not created_again and again.id == licence.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Licence)) == 1
    assert licence.status is LicenceStatus.ACTIVE and licence.lead_id == lead.id
    db.session.refresh(lead)
    assert lead.status is LeadStatus.LICENSED
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"licence.created", "lead.status_changed"} <= actions
    assert any("licensing interest" in e.subject.lower() for e in emails_to(owner.email))


def test_a_term_sheet_that_is_not_executed_does_not_become_a_licence(ctx):
    staff = make_staff()
    _owner, _lead, agreement = executed_term_sheet(staff)
    agreement.status = AgreementStatus.ISSUED
    with pytest.raises(DomainError, match="executed"):
        licences.record_from_term_sheet(staff, agreement)


def test_the_console_records_the_licence_from_the_term_sheet_once(app, ctx, browser):
    staff = make_staff()
    owner, lead, agreement = executed_term_sheet(staff, legal_name="Fjord Coatings AS")
    db.session.commit()
    browser.login_staff(staff)
    page = browser.get(f"/admin/licences/new?lead={lead.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Marine coatings" in html and agreement.number in html
    assert "Executed term sheets without a licence" in browser.get("/admin/licences").get_data(as_text=True)
    form = {
        "organisation_id": str(owner.organisation_id),
        "technology_id": str(lead.technology_id),
        "exclusivity": "exclusive",
        "start_on": "2026-03-01",
        "currency": "EUR",
        "upfront_fee": "15 000,00",
        "royalty_rate": "3,5 %",
        "report_frequency": "half_yearly",
        "field_of_use": "Marine coatings",
    }
    response = browser.post(f"/admin/licences/new?term_sheet={agreement.id}", form)
    assert response.status_code == 302
    licence = db.session.scalar(sa.select(Licence))
    assert licence.upfront_fee_cents == 1_500_000 and licence.royalty_rate == Decimal("3.5")
    assert licence.term_sheet_id == agreement.id
    # a second visit goes to the licence; a second post records nothing new
    assert (
        browser.get(f"/admin/licences/new?term_sheet={agreement.id}")
        .headers["Location"]
        .endswith(f"/admin/licences/{licence.id}")
    )
    browser.post(f"/admin/licences/new?term_sheet={agreement.id}", form)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Licence)) == 1
    db.session.refresh(lead)
    assert lead.status is LeadStatus.LICENSED


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("upfront_fee", "12,345", "could mean two amounts"),
        ("upfront_fee", "ten euros", "digits only"),
        ("upfront_fee", "-5.00", "zero or more"),
        ("minimum_annual_royalty", "1.234", "could mean two amounts"),
        ("royalty_rate", "150", "between 0 and 100"),
        ("royalty_rate", "three", "digits only"),
        ("royalty_rate", "3.14159", "at most 3 decimals"),
        ("start_on", "2026-02-30", "no 30 February"),
        ("end_on", "2020-01-01", "must end after it starts"),
    ],
)
def test_bad_money_percent_and_dates_get_a_message_not_a_500(app, ctx, browser, field, value, message):
    staff = make_staff()
    organisation = make_organisation()
    technology = make_technology(staff)
    db.session.commit()
    browser.login_staff(staff)
    form = {
        "organisation_id": str(organisation.id),
        "technology_id": str(technology.id),
        "exclusivity": "non_exclusive",
        "start_on": "2026-03-01",
        "currency": "EUR",
        "report_frequency": "yearly",
        field: value,
    }
    response = browser.post("/admin/licences/new", form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Licence)) == 0


def test_staff_enter_a_licence_edit_it_and_every_action_is_audited(app, ctx, browser):
    staff = make_staff()
    organisation = make_organisation()
    licence = make_licence(staff, organisation, status=LicenceStatus.DRAFT)
    db.session.commit()
    browser.login_staff(staff)
    assert browser.post(f"/admin/licences/{licence.id}/status", {"status": "active"}).status_code == 302
    assert browser.post(f"/admin/licences/{licence.id}/status", {"status": "draft"}).status_code == 400
    response = browser.post(
        f"/admin/licences/{licence.id}/milestones",
        {"description": "First sale", "amount": "50,000.00", "due_on": "2027-06-30"},
    )
    assert response.status_code == 302
    bad = browser.post(f"/admin/licences/{licence.id}/milestones", {"description": "X", "amount": "lots"})
    assert bad.status_code == 400 and "digits only" in bad.get_data(as_text=True)
    page = browser.get(f"/admin/licences/{licence.id}").get_data(as_text=True)
    assert "First sale" in page and "50,000.00" in page
    db.session.expire_all()
    milestone_id = db.session.get(Licence, licence.id).milestones[0].id
    assert (
        browser.post(f"/admin/licences/{licence.id}/milestones/remove", {"row_id": milestone_id}).status_code
        == 302
    )
    report = db.session.scalars(
        sa.select(LicenceReport).where(LicenceReport.licence_id == licence.id)
    ).first()
    assert (
        browser.post(f"/admin/licences/{licence.id}/reports/received", {"row_id": report.id}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(LicenceReport, report.id).status is ReportStatus.RECEIVED
    actions = list(
        db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.target_type == "licence").order_by(AuditEvent.id)
        )
    )
    assert actions == [
        "licence.created",
        "licence.status_changed",
        "licence.milestone_added",
        "licence.milestone_removed",
        "licence.report_received",
    ]


def test_the_console_list_filters_by_status_organisation_and_technology(app, ctx, browser):
    staff = make_staff()
    alpha, beta = (
        make_organisation(legal_name="Alpha Licensee"),
        make_organisation(legal_name="Beta Licensee"),
    )
    one = make_licence(staff, alpha)
    make_licence(staff, beta, status=LicenceStatus.DRAFT)
    db.session.commit()
    browser.login_staff(staff)

    def shown(query: str) -> set[str]:
        html = browser.get(f"/admin/licences?{query}").get_data(as_text=True)
        return {name for name in ("Alpha Licensee", "Beta Licensee") if f"<td>{name}</td>" in html}

    assert shown("") == {"Alpha Licensee", "Beta Licensee"}
    assert shown("status=draft") == {"Beta Licensee"}
    assert shown(f"organisation={alpha.id}") == {"Alpha Licensee"}
    assert shown(f"technology={one.technology_id}") == {"Alpha Licensee"}


# --- the schedule -----------------------------------------------------------------------------


def test_months_are_added_to_the_end_of_shorter_months():
    assert reporting.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert reporting.add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)  # leap year
    assert reporting.add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)


def test_a_half_yearly_schedule_on_fixed_dates():
    periods = reporting.schedule(date(2026, 1, 15), date(2027, 9, 30), ReportFrequency.HALF_YEARLY)
    assert [(p.start, p.end, p.due_on) for p in periods] == [
        (date(2026, 1, 15), date(2026, 7, 14), date(2026, 8, 13)),
        (date(2026, 7, 15), date(2027, 1, 14), date(2027, 2, 13)),
        (date(2027, 1, 15), date(2027, 7, 14), date(2027, 8, 13)),
        (date(2027, 7, 15), date(2027, 9, 30), date(2027, 10, 30)),  # the last, short period
    ]
    assert reporting.schedule(date(2026, 1, 1), None, ReportFrequency.NONE) == []
    open_ended = reporting.schedule(date(2026, 1, 1), None, ReportFrequency.QUARTERLY)
    assert len(open_ended) == 20 and open_ended[-1].end == date(2030, 12, 31)


def test_a_changed_term_keeps_the_reports_already_sent_and_redraws_the_due_ones(ctx):
    staff = make_staff()
    licence = make_licence(staff, make_organisation(), start_on=date(2026, 1, 15), end_on=date(2028, 1, 14))
    reports = sorted(licence.reports, key=lambda r: r.due_on)
    assert len(reports) == 4
    reporting.mark_received(staff, reports[0])
    data = licences.LicenceData(**{name: getattr(licence, name) for name in licences.FIELDS})
    data.report_frequency = ReportFrequency.YEARLY
    licences.update_licence(staff, licence, data)
    due = sorted((r.due_on, r.status) for r in licence.reports)
    assert due == [
        (date(2026, 8, 13), ReportStatus.RECEIVED),
        (date(2027, 2, 13), ReportStatus.DUE),
        (date(2028, 2, 13), ReportStatus.DUE),
    ]


# --- reminders --------------------------------------------------------------------------------


def test_reminders_go_once_at_30_and_7_days_to_the_licensees_users_and_the_officer(ctx):
    staff = make_staff()
    organisation = make_organisation()
    colleague = make_user(organisation)
    owner = make_user(organisation)
    licence = make_licence(
        staff, organisation, start_on=date(2026, 1, 15), end_on=date(2026, 7, 14), officer_id=staff.id
    )
    assert [r.due_on for r in licence.reports] == [date(2026, 8, 13)]
    assert str(reporting.send_reminders(date(2026, 7, 13))).endswith("sent 0, skipped 0")  # 31 days
    first = reporting.send_reminders(date(2026, 7, 14))
    again = reporting.send_reminders(date(2026, 7, 14))
    later = reporting.send_reminders(date(2026, 7, 20))
    assert (first.sent, again.sent, later.sent) == (1, 0, 0)
    for person in (colleague, owner, staff):
        assert len([e for e in emails_to(person.email) if "due in 30 days" in e.subject]) == 1
    assert reporting.send_reminders(date(2026, 8, 6)).sent == 1  # 7 days before
    assert reporting.send_reminders(date(2026, 8, 7)).sent == 0
    assert len([e for e in emails_to(owner.email) if "Licence report due" in e.subject]) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LicenceReminder)) == 2


def test_a_late_first_run_sends_the_nearest_reminder_only_and_received_reports_none(ctx):
    staff = make_staff()
    organisation = make_organisation()
    person = make_user(organisation)
    licence = make_licence(staff, organisation, start_on=date(2026, 1, 15), end_on=date(2027, 1, 14))
    _first, second = sorted(licence.reports, key=lambda r: r.due_on)
    reporting.mark_received(staff, second)
    report = reporting.send_reminders(date(2026, 8, 10))  # 3 days before the first: the 30 was missed
    assert (report.sent, report.skipped) == (1, 1)
    subjects = [e.subject for e in emails_to(person.email)]
    assert len(subjects) == 1 and subjects[0].endswith(f"Licence report due in 3 days: {licence.reference}")
    assert reporting.send_reminders(date(2027, 2, 1)).sent == 0  # the second is received


def test_terminated_licences_are_not_reminded(ctx):
    staff = make_staff()
    organisation = make_organisation()
    make_user(organisation)
    licence = make_licence(staff, organisation, start_on=date(2026, 1, 15), end_on=date(2026, 7, 14))
    licences.set_status(staff, licence, LicenceStatus.TERMINATED)
    assert reporting.send_reminders(date(2026, 8, 1)).sent == 0


def test_the_reminder_command_is_safe_to_run_twice(app, ctx):
    staff = make_staff()
    organisation = make_organisation()
    make_user(organisation)
    licence = make_licence(staff, organisation, start_on=date(2026, 1, 15), end_on=date(2026, 7, 14))
    db.session.commit()
    runner = app.test_cli_runner()
    outputs = [
        runner.invoke(args=["portal", "send-licence-reminders", "--today", "2026-08-01"]).output for _ in "ab"
    ]
    assert "sent 1" in outputs[0] and "sent 0" in outputs[1]
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Email).where(Email.template == "licence_report_due")
    )
    assert count == 2  # the licensee's user, and the programme address (no officer, no admin)
    assert [
        e.to_address
        for e in db.session.scalars(sa.select(Email).where(Email.template == "licence_report_due"))
    ][-1] == app.config["CONTACT_EMAIL"]
    assert licence.officer_id is None


# --- what the lineage reads -------------------------------------------------------------------


def test_licences_and_spin_offs_for_technologies_in_a_constant_number_of_queries(ctx):
    from ..core.test_request_cost import recorded_queries

    staff = make_staff()

    def build(n: int) -> list[int]:
        ids = []
        for _ in range(n):
            technology = make_technology(staff)
            licence = make_licence(staff, make_organisation(), technology, exclusivity=Exclusivity.EXCLUSIVE)
            spinoffs.create_spin_off(
                staff,
                spinoffs.SpinOffData(
                    name=f"Spin {technology.id}", founder_ids=[make_researcher().id], licence_id=licence.id
                ),
            )
            ids.append(technology.id)
        db.session.commit()
        db.session.expire_all()
        return ids

    def cost(ids: list[int]) -> int:
        db.session.expire_all()
        with recorded_queries() as (statements, lazy):
            found = licences.licences_for_technologies(ids)
            spun = licences.spinoffs_for_technologies(ids)
            names = [(x.organisation.legal_name, x.term_sheet) for ls in found.values() for x in ls]
            founders = [r.name for ss in spun.values() for s in ss for r in s.founders]
        assert lazy == []
        assert len(names) == len(ids) and len(founders) == len(ids)
        assert all(len(spun[i]) == 1 for i in ids)
        return len(statements)

    assert cost(build(2)) == cost(build(12))
    assert licences.licences_for_technologies([]) == {}
