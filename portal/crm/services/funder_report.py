"""The funder report: one calendar year of programme figures as a PDF (through core/pdf.py, the
module that owns WeasyPrint, with the dashboard's SVG charts) and as CSV (every table of the
dashboard, one after the other, with the table's name in the first column).

The figures are the dashboard's for 1 January to 31 December of the year (`kpis.dashboard`);
for the current year they run to today, and the report says so."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...core import pdf
from .kpis import Dashboard, Days, StageSummary, csv_cell, dashboard, year_period
from .presentation import charts, display, plain_table

FIRST_YEAR = 2000


def valid_year(year: int, today: date) -> bool:
    return FIRST_YEAR <= year <= today.year


def figures(year: int, today: date, stage_summary: StageSummary | None = None) -> Dashboard:
    return dashboard(year_period(year), today, stage_summary=stage_summary)


def context(d: Dashboard) -> dict[str, Any]:
    """Plain values for templates/pdf/funder_report.html."""
    cfg = current_app.config
    f = d.figures
    year = d.period.start.year
    partial = d.today < d.period.end
    headline = [
        (str(_l("Active partnerships")), display(f.active)),
        (str(_l("New partners in %(year)s", year=year)), display(f.new_partners)),
        (str(_l("International partners")), display(f.international_share)),
        (str(_l("Countries")), display(f.countries)),
        *[(str(_l("Annual recurring revenue")), display(money)) for money in d.arr],
        (str(_l("Renewal rate")), display(f.renewal_rate)),
        (str(_l("Challenges submitted")), display(f.challenges)),
        (str(_l("Licences")), display(f.licences)),
    ]
    tables = d.tables()
    return {
        "institution": cfg["INSTITUTION_NAME"],
        "programme": cfg["PROGRAMME_NAME"],
        "year": year,
        "partial": partial,
        "as_of": display(d.snapshot_day),
        "generated_on": display(d.today),
        "headline": headline,
        "targets": [
            {
                "metric": t.target.metric.label,
                "state": str(_l("on track") if t.on_track else _l("behind plan")),
            }
            for t in d.targets
        ],
        "charts": charts(d),  # Markup (escaped SVG): a str, so a plain value
        "tables": {key: plain_table(table) for key, table in tables.items()},
        "order": [
            key
            for key in (
                "targets",
                "tiers",
                "countries",
                "pipeline",
                "challenges",
                "funnel",
                "innovation",
                "turnaround",
            )
            if key in tables
        ],
        "medians": [
            (
                str(_l("Median days to a first staff answer on a challenge")),
                display(Days(f.first_answer_days)),
            ),
            (
                str(_l("Median days from sign-up to active membership")),
                display(Days(f.signup_to_active_days)),
            ),
        ],
    }


def render(d: Dashboard) -> bytes:
    return pdf.render_pdf("funder_report.html", context(d))


CSV_HEADER = ["table", "row", "column", "value"]


def csv_rows(d: Dashboard) -> list[list[Any]]:
    """Every table of the report in one long sheet: table, row label, column, value."""
    rows: list[list[Any]] = []
    for key, table in d.tables().items():
        for row in table.rows:
            for column, cell in zip(table.header[1:], row[1:], strict=False):
                rows.append([key, csv_cell(row[0]), column, csv_cell(cell)])
    return rows
