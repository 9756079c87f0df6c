"""Issue 13, item 8: the funder report of a year as a PDF (the real PDF's text holds the headline
figures) and as CSV, downloaded from the console, audited; staff only (the access matrix)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.core.models import AuditEvent
from portal.extensions import db

from ..support.browser import Browser, text
from ..support.factories import commit, make_staff
from .test_kpi_data import make_programme


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


@pytest.fixture
def console(app, ctx):
    staff = make_staff()
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    return browser


def test_the_funder_pdf_has_the_cover_line_headline_figures_charts_and_tables(app, console, ctx):
    make_programme()
    commit()
    response = console.get("/admin/reports/funder/2025.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="funder-report-2025.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    words = pdf_text(response.data)
    assert app.config["INSTITUTION_NAME"].upper() in words.upper()
    assert f"{app.config['PROGRAMME_NAME']}: report 2025" in words
    assert "Figures for the calendar year 2025." in words
    for figure in ("Active partnerships", "New partners in 2025", "EUR 65,000.00", "80%", "50%"):
        assert figure in words, figure
    assert "Associate T1" in words and "Licensing funnel" in words and "Document turnaround" in words
    assert "Innovation by year" in words  # disclosures, licences, spin-offs and licence income
    assert "30 days" in words  # median sign-up to active
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "console.funder_report"))
    assert event.details == {"year": 2025, "format": "pdf"}


def test_the_current_years_report_says_it_runs_to_today(console, ctx):
    year = date.today().year
    words = pdf_text(console.get(f"/admin/reports/funder/{year}.pdf").data)
    if date.today() < date(year, 12, 31):
        assert "(the year is not over)" in words


def test_the_funder_csv_lists_every_table_audited(console, ctx):
    make_programme()
    commit()
    response = console.get("/admin/reports/funder/2025.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["table", "row", "column", "value"]
    assert ["summary", "Active partnerships on 2025-12-31", "Value", "5"] in rows
    assert ["tiers", "Partner T2", "Annual recurring revenue", "25000.00 EUR"] in rows
    assert ["funnel", "Licences", "Count", "1"] in rows
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "console.exported"))
    assert event.details["list"] == "funder-report-2025"


@pytest.mark.parametrize("year", [1999, date.today().year + 1])
def test_a_year_outside_the_programme_answers_404(console, ctx, year):
    assert console.get(f"/admin/reports/funder/{year}.pdf").status_code == 404
    assert console.get(f"/admin/reports/funder/{year}.csv").status_code == 404


def test_the_console_home_links_this_and_last_years_reports(console, ctx):
    year = date.today().year
    html = text(console.get("/admin/"))
    assert f"/admin/reports/funder/{year}.pdf" in html and f"/admin/reports/funder/{year - 1}.csv" in html


def test_hostile_tier_names_render_literally_in_the_pdf(console, ctx):
    from portal.membership.models import MembershipStatus

    from ..support.factories import make_tier
    from .test_kpi_data import add_partner

    tier = make_tier(name="<script>x</script> & Co")
    add_partner(
        "Z", "DE", tier, "2025-01-01 00:00", "2025-02-01 00:00", MembershipStatus.ACTIVE, date(2026, 12, 31)
    )
    commit()
    words = pdf_text(console.get("/admin/reports/funder/2025.pdf").data)
    assert "<script>x</script> & Co" in words
