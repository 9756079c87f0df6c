"""The KPI dashboard's Innovation section (issue 14 item 7) against hand-computed values: disclosures
per year, median days from submission to the first patent filing (even and odd counts), licences
and spin-offs per year, licence income (upfront fees of licences started in the range, per
currency), the CSV, and a constant number of queries whatever the amount of innovation data."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from portal.crm.services import kpis
from portal.extensions import db
from portal.innovation.models import (
    ApplicationKind,
    Disclosure,
    DisclosureStatus,
    PatentApplication,
    PatentFamily,
)
from portal.innovation.models.licensing import LicenceStatus, SpinOff, SpinOffStatus

from ..core.test_request_cost import recorded_queries
from ..support.browser import Browser, text
from ..support.factories import commit, make_organisation, make_staff
from .licensing_helpers import make_licence, make_technology

_n = iter(range(1, 1_000_000))
RANGE = kpis.Period(date(2024, 1, 1), date(2025, 12, 31))
TODAY = date(2026, 6, 1)


def _disclosure(submitted: str | None, *filings: str, status=DisclosureStatus.SUBMITTED) -> Disclosure:
    d = Disclosure(
        reference=f"D-T-{next(_n):05d}",
        title="Invention",
        status=status,
        submitted_at=datetime.fromisoformat(submitted).replace(tzinfo=UTC) if submitted else None,
    )
    db.session.add(d)
    db.session.flush()
    if filings:
        family = PatentFamily(reference=f"PF-T-{next(_n):05d}", title="Family", disclosure_id=d.id)
        for i, day in enumerate(filings):
            family.applications.append(
                PatentApplication(
                    kind=ApplicationKind.PRIORITY if i == 0 else ApplicationKind.NATIONAL,
                    office="EP",
                    filing_date=date.fromisoformat(day),
                )
            )
        db.session.add(family)
        db.session.flush()
    return d


def _spin_off(day: date | None, status=SpinOffStatus.INCORPORATED) -> SpinOff:
    s = SpinOff(name=f"Spin {next(_n)}", incorporated_on=day, status=status)
    db.session.add(s)
    db.session.flush()
    return s


@pytest.fixture
def innovation_data(ctx):
    staff = make_staff()
    # days count from the submission's UTC day to the filing date (whole days).
    # disclosures: 2024: two (one filed 30 days later); 2025: three (filed 10 and 61 days later,
    # the latter's second application later still does not count); outside: 2023, 2026, a draft
    _disclosure("2024-03-01 10:00", "2024-03-31")  # 30 days
    _disclosure("2024-12-31 23:59")  # counts for 2024 (last minute), no filing
    _disclosure("2025-01-01 00:00", "2025-01-11", "2025-06-01")  # 10 days (first filing)
    _disclosure("2025-05-01 00:00", "2025-07-01")  # 61 days
    _disclosure("2025-08-01 00:00")
    _disclosure("2023-12-31 12:00", "2024-01-05")  # before the range
    _disclosure("2026-01-01 00:00", "2026-01-02")  # after the range
    _disclosure(None, "2025-02-01", status=DisclosureStatus.DRAFT)  # never submitted

    org = make_organisation(legal_name="KPI Licensee AG")
    tech = make_technology(staff)
    make_licence(staff, org, tech, start_on=date(2024, 6, 1), upfront_fee_cents=10_000_00)
    make_licence(staff, org, tech, start_on=date(2025, 2, 1), upfront_fee_cents=2_500_00)
    make_licence(staff, org, tech, start_on=date(2025, 12, 31), upfront_fee_cents=500_00, currency="USD")
    make_licence(
        staff, org, tech, start_on=date(2025, 3, 1), upfront_fee_cents=9_999_00, status=LicenceStatus.DRAFT
    )
    make_licence(staff, org, tech, start_on=date(2026, 1, 1), upfront_fee_cents=7_000_00)  # after
    _spin_off(date(2024, 9, 1))
    _spin_off(date(2025, 4, 1), SpinOffStatus.ACTIVE)
    _spin_off(date(2025, 5, 1), SpinOffStatus.PLANNED)  # not incorporated yet
    _spin_off(None)
    commit()
    return staff


def test_innovation_figures_per_year(innovation_data):
    inno = kpis.innovation(RANGE)
    assert [(y.year, y.disclosures, y.licences, y.spin_offs, y.income) for y in inno.years] == [
        (2024, 2, 1, 1, {"EUR": 10_000_00}),
        (2025, 3, 2, 1, {"EUR": 2_500_00, "USD": 500_00}),
    ]
    # 10, 30, 61 days: the median of three is 30
    assert inno.filed == 3
    assert inno.filing_days == pytest.approx(30, abs=0.01)
    assert [(m.cents, m.currency) for m in inno.income_total()] == [(12_500_00, "EUR"), (500_00, "USD")]


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(innovation_data):
    inno = kpis.innovation(kpis.Period(date(2025, 1, 1), date(2025, 12, 31)))
    assert inno.filed == 2  # 10 and 61 days
    assert inno.filing_days == pytest.approx(35.5, abs=0.01)
    assert [(y.year, y.disclosures) for y in inno.years] == [(2025, 3)]
    empty = kpis.innovation(kpis.Period(date(2020, 1, 1), date(2020, 12, 31)))
    assert empty.filing_days is None and empty.filed == 0
    assert [(y.disclosures, y.licences, y.spin_offs) for y in empty.years] == [(0, 0, 0)]


def test_the_dashboard_shows_the_section_and_the_csv(app, innovation_data):
    admin = make_staff(admin=True)
    commit()
    browser = Browser(app)
    browser.login_staff(admin)
    body = text(browser.get("/admin/?from=2024-01-01&to=2025-12-31"))
    assert 'data-kpi-section="innovation"' in body and 'data-kpi-table="innovation"' in body
    assert "upfront fees" in body
    response = browser.get("/admin/kpis/innovation.csv?from=2024-01-01&to=2025-12-31")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(text(response).lstrip("\ufeff"))))
    assert rows[1:] == [
        ["2024", "2", "1", "1", "10000.00 EUR", "0.00 USD"],
        ["2025", "3", "2", "1", "2500.00 EUR", "5.00 USD"]
        if False
        else ["2025", "3", "2", "1", "2500.00 EUR", "500.00 USD"],
    ]
    summary = text(browser.get("/admin/kpis/summary.csv?from=2024-01-01&to=2025-12-31"))
    assert "Median days from disclosure to first patent filing,30.0" in summary


def test_the_dashboard_costs_the_same_queries_with_more_innovation_data(app, ctx):
    admin = make_staff(admin=True)
    commit()
    browser = Browser(app)
    browser.login_staff(admin)
    path = "/admin/?from=2024-01-01&to=2025-12-31"

    def count() -> int:
        with recorded_queries() as (statements, lazy):
            assert browser.get(path).status_code == 200
        assert lazy == []
        return len(statements)

    few = count()
    org = make_organisation(legal_name="More KPI AG")
    tech = make_technology(admin)
    for i in range(8):
        _disclosure(f"2025-0{1 + i % 9}-01 10:00", f"2025-0{1 + i % 9}-20")
        make_licence(admin, org, tech, start_on=date(2024 + i % 2, 5, 1), upfront_fee_cents=100_00)
        _spin_off(date(2025, 1 + i, 1))
    commit()
    assert count() == few
