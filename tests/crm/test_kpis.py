"""Issue 13, items 6 and 7: the KPI figures equal the hand-computed values of tests/crm/test_kpi_data.py
(medians of odd and even counts, the range's last day counted and the day after not), renewal rate,
the licensing funnel, document turnaround, targets' progress, the range filter's bad input, the CSV
of each table, and a number of queries that does not grow with the programme."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.challenges.models import ChallengeStatus
from portal.core.models import AuditEvent
from portal.crm.models.targets import ProgrammeTarget, TargetMetric
from portal.crm.services import kpis, turnaround
from portal.extensions import db
from portal.membership.models import MembershipStatus

from ..core.test_request_cost import recorded_queries
from ..support.browser import Browser, text
from ..support.factories import commit, make_staff, make_tier
from .test_kpi_data import T1_FEE, T2_FEE, add_partner, at, make_programme

YEAR = kpis.Period(date(2025, 1, 1), date(2025, 12, 31))
BEFORE_LAST_DAY = kpis.Period(date(2025, 1, 1), date(2025, 12, 30))
TODAY = date(2026, 6, 1)


@pytest.fixture
def programme(ctx):
    return make_programme()


@pytest.fixture
def console(app, ctx):
    admin = make_staff(admin=True)
    commit()
    browser = Browser(app)
    browser.login_staff(admin)
    return browser


def test_partnerships_by_tier_and_country_and_revenue_on_the_ranges_last_day(programme):
    board = kpis.dashboard(YEAR, TODAY)
    f = board.figures
    # active on 31 Dec 2025: A, B, C, E (activated 23:59 that day) and H (lapsed later, paid through)
    assert f.active == 5
    assert f.international == 4  # B (DE), C (FR), E (BE), H (US); A is at home (NL)
    assert f.international_share.value == pytest.approx(0.8)
    assert f.countries == 5
    assert [(t.name, t.count, t.arr.cents) for t in board.tiers] == [
        ("Associate T1", 4, 4 * T1_FEE),
        ("Partner T2", 1, T2_FEE),
    ]
    assert [(m.cents, m.currency) for m in board.arr] == [(4 * T1_FEE + T2_FEE, "EUR")]
    assert dict(board.countries) == {"NL": 1, "DE": 1, "FR": 1, "BE": 1, "US": 1}


def test_the_last_minute_of_the_range_counts_and_the_day_after_does_not(programme):
    year = kpis.dashboard(YEAR, TODAY).figures
    assert year.new_partners == 4  # B, C, D and E (31 Dec 23:59); F (1 Jan 00:00) is next year's
    shorter = kpis.dashboard(BEFORE_LAST_DAY, TODAY).figures
    assert shorter.new_partners == 3  # without E
    assert shorter.active == 4  # E was not active yet on 30 Dec
    next_year = kpis.dashboard(kpis.Period(date(2026, 1, 1), date(2026, 1, 31)), TODAY).figures
    assert next_year.new_partners == 1  # F


def test_median_days_from_sign_up_to_active_for_even_and_odd_counts(programme):
    # 10, 20, 40, 60 days: (20 + 40) / 2 = 30
    assert kpis.dashboard(YEAR, TODAY).figures.signup_to_active_days == pytest.approx(30, abs=0.01)
    # 10, 20, 40 days: 20
    assert kpis.dashboard(BEFORE_LAST_DAY, TODAY).figures.signup_to_active_days == pytest.approx(20, abs=0.01)


def test_renewal_rate_is_renewed_over_due(programme):
    f = kpis.dashboard(YEAR, TODAY).figures
    # due in 2025: A's first period (ended 30 Nov, renewed) and D's (ended 30 Sep, lapsed)
    assert (f.renewals_due, f.renewals_done) == (2, 1)
    assert f.renewal_rate.value == pytest.approx(0.5)
    # in January 2026: B's period ends on 10 Jan and is not renewed
    january = kpis.dashboard(kpis.Period(date(2026, 1, 1), date(2026, 1, 31)), TODAY).figures
    assert (january.renewals_due, january.renewals_done) == (1, 0)


def test_a_period_still_running_is_not_yet_due(programme):
    # B's period ends on 10 Jan 2026; seen on 5 Jan it is not due yet (nor renewed)
    f = kpis.dashboard(kpis.Period(date(2026, 1, 1), date(2026, 1, 31)), date(2026, 1, 5)).figures
    assert f.renewals_due == 0 and f.renewal_rate.value is None


def test_challenges_by_status_and_median_time_to_first_answer(programme):
    board = kpis.dashboard(YEAR, TODAY)
    assert board.figures.challenges == 4  # the one submitted on 1 Jan 2026 and the draft are not
    assert dict(board.challenges) == {
        ChallengeStatus.SUBMITTED: 1,
        ChallengeStatus.SCREENING: 1,
        ChallengeStatus.MATCHING: 1,
        ChallengeStatus.CLOSED: 1,
    }
    assert board.figures.first_answer_days == pytest.approx(3)  # 1, 3, 8 (odd count)
    first_half = kpis.dashboard(kpis.Period(date(2025, 1, 1), date(2025, 3, 31)), TODAY).figures
    assert first_half.first_answer_days == pytest.approx(2)  # 1, 3 (even count)


def test_the_licensing_funnel(programme):
    board = kpis.dashboard(YEAR, TODAY)
    assert [(name, count) for name, count, _ in board.funnel] == [
        ("Catalog views", 15),  # 10 + 5; the 7 of 1 Jan 2026 are not in
        ("Licensing interests", 2),
        ("Term sheets", 1),  # the agreement from lead:<id>, not the one from an application
        ("Licences", 1),
    ]
    conversions = [r.value for _, _, r in board.funnel]
    assert conversions[0] is None and conversions[1:] == [pytest.approx(2 / 15), 0.5, 1.0]


def test_turnaround_medians_of_the_steps_completed_in_the_range(programme):
    f = kpis.dashboard(YEAR, TODAY).figures
    assert f.issue_days == pytest.approx(2)  # 2, 4, 1
    assert f.sign_days == pytest.approx(5)  # 5, 1, 10
    assert f.countersign_days == pytest.approx(2)  # 1, 3


def test_turnaround_of_one_agreement_on_fixed_timestamps(programme):
    done = turnaround.of_agreement(programme.agreements["ag1"], now=at("2025-06-01 00:00"))
    assert [(s.key, s.holder, s.days(done.now)) for s in done.steps] == [
        ("issued", "institution", pytest.approx(2)),
        ("signed", "partner", pytest.approx(5)),
        ("countersigned", "institution", pytest.approx(1)),
    ]
    assert done.institution_days == pytest.approx(3) and done.partner_days == pytest.approx(5)
    waiting = turnaround.of_agreement(programme.agreements["ag3"], now=at("2025-05-15 00:00"))
    countersign = waiting.steps[-1]
    assert countersign.running and countersign.ended is None
    assert countersign.days(waiting.now) == pytest.approx(3)  # 12 May to "now", 15 May
    assert waiting.institution_days == pytest.approx(4) and waiting.partner_days == pytest.approx(10)


def test_the_agreement_page_shows_its_turnaround(console, programme):
    commit()
    html = text(console.get(f"/admin/agreements/{programme.agreements['ag1'].id}"))
    assert "data-turnaround" in html and "Signed by the partner" in html
    assert "With the institution: 3 days · with the partner: 5 days" in html


# --- targets ------------------------------------------------------------------------------------


def _target(**values) -> ProgrammeTarget:
    base = dict(
        metric=TargetMetric.PARTNERSHIPS,
        label="Plan",
        baseline_value=35,
        baseline_on=date(2026, 1, 1),
        target_value=70,
        target_on=date(2027, 1, 1),
    )
    base.update(values)
    return ProgrammeTarget(**base)


def test_target_progress_and_the_straight_line_expected_by_now():
    target = _target()
    halfway = kpis.progress_of(target, 50, date(2026, 7, 2))  # 182 of 365 days
    assert halfway.expected == pytest.approx(35 + 35 * 182 / 365)
    assert halfway.progress == pytest.approx(15 / 35)
    assert not halfway.on_track  # 50 < 52.5
    assert kpis.progress_of(target, 80, date(2027, 6, 1)).progress == 1.0  # past the target: full
    assert kpis.progress_of(target, 80, date(2027, 6, 1)).expected == 70  # the line stops at the date
    assert kpis.progress_of(target, 30, date(2025, 6, 1)).progress == 0.0  # below the baseline


def test_the_dashboard_measures_each_target_by_its_metric(programme):
    db.session.add_all(
        [
            _target(),
            _target(metric=TargetMetric.INTERNATIONAL_SHARE, baseline_value=30, target_value=50),
            _target(metric=TargetMetric.COUNTRIES, baseline_value=2, target_value=12),
        ]
    )
    db.session.flush()
    board = kpis.dashboard(YEAR, TODAY)
    assert {t.target.metric: t.current for t in board.targets} == {
        TargetMetric.PARTNERSHIPS: 5,
        TargetMetric.INTERNATIONAL_SHARE: 80,
        TargetMetric.COUNTRIES: 5,
    }


def test_admins_add_change_and_delete_targets_audited(console, ctx):
    response = console.post(
        "/admin/kpis/targets",
        {
            "metric": "partnerships",
            "label": "Plan 2027",
            "baseline_value": "35",
            "baseline_on": "2025-01-01",
            "target_value": "70",
            "target_on": "2027-12-31",
        },
    )
    assert response.status_code == 302
    target = db.session.scalar(sa.select(ProgrammeTarget))
    assert (target.baseline_value, target.target_value, target.target_on) == (35, 70, date(2027, 12, 31))
    assert "Active partnerships (Plan 2027)" in text(console.get("/admin/kpis/targets"))
    response = console.post(
        f"/admin/kpis/targets/{target.id}",
        {
            "metric": "partnerships",
            "label": "Plan 2027",
            "baseline_value": "35",
            "baseline_on": "2025-01-01",
            "target_value": "80",
            "target_on": "2027-12-31",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ProgrammeTarget, target.id).target_value == 80
    assert console.post(f"/admin/kpis/targets/{target.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammeTarget)) == 0
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("kpi.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["kpi.target_created", "kpi.target_changed", "kpi.target_deleted"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_on": "2024-12-31"}, "The target date must come after the baseline date."),
        ({"metric": "international_share", "target_value": "140"}, "A share is a percentage from 0 to 100."),
        ({"baseline_on": "2025-02-30"}, "There is no 30 February 2025"),
        ({"target_value": "lots"}, "Not a valid integer value."),
    ],
)
def test_a_target_with_bad_values_is_refused_with_a_message(console, ctx, changes, message):
    values = {
        "metric": "partnerships",
        "baseline_value": "35",
        "baseline_on": "2025-01-01",
        "target_value": "70",
        "target_on": "2027-12-31",
        **changes,
    }
    response = console.post("/admin/kpis/targets", values)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammeTarget)) == 0


# --- the dashboard page ----------------------------------------------------------------------


def test_the_dashboard_shows_the_figures_of_the_chosen_range_with_charts_and_tables(console, programme):
    db.session.add(_target(baseline_value=2, target_value=12, baseline_on=date(2025, 1, 1)))
    commit()
    html = text(console.get("/admin/?from=2025-01-01&to=2025-12-31"))
    assert 'data-kpi="active"' in html and "EUR 65,000.00" in html and "80%" in html
    assert html.count('role="img"') >= 6 and "<title" in html  # targets, tiers, countries, ...
    for key in ("targets", "tiers", "countries", "challenges", "funnel", "turnaround", "summary"):
        assert f'data-kpi-table="{key}"' in html, key
        assert f"/admin/kpis/{key}.csv?from=2025-01-01&amp;to=2025-12-31" in html
    assert "Waiting on staff" in html  # the work queue stays on the console home
    assert "Pipeline value by stage" in html and 'data-kpi-table="pipeline"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=garbage", "Enter a date as YYYY-MM-DD"),
        ("from=2025-12-31&to=2025-01-01", "The end of the range comes before its start."),
        ("from=2025-02-30&to=2025-03-01", "There is no 30 February 2025"),
        ("to=31/12/2025", "Enter a date as YYYY-MM-DD"),
        ("from=0001-01-01&to=2025-01-01", "at most twenty years"),
    ],
)
def test_a_bad_range_gives_a_message_and_this_years_figures(console, ctx, query, message):
    response = console.get(f"/admin/?{query}")
    assert response.status_code == 200
    html = text(response)
    assert message in html and 'aria-invalid="true"' in html
    assert f"/admin/kpis/summary.csv?from={date.today().year}-01-01" in html


def test_only_one_end_of_the_range(console, ctx):
    assert "1 Jan 2025 to 31 Dec 2025" in text(console.get("/admin/?from=2025-01-01"))
    assert "1 Jan 2025 to 30 Jun 2025" in text(console.get("/admin/?to=2025-06-30"))


def _rows(response):
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_each_table_exports_as_csv_with_the_same_range_audited(console, programme):
    commit()
    response = console.get("/admin/kpis/summary.csv?from=2025-01-01&to=2025-12-31")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = dict((row[0], row[1]) for row in _rows(response)[1:])
    assert rows["Active partnerships on 2025-12-31"] == "5"
    assert rows["Annual recurring revenue"] == "65000.00 EUR"
    assert rows["Renewal rate"] == "50.0%"
    assert rows["Median days from sign-up to active membership"] == "30.0"
    tiers = _rows(console.get("/admin/kpis/tiers.csv?from=2025-01-01&to=2025-12-31"))
    assert tiers == [
        ["Tier", "Partnerships", "Annual recurring revenue"],
        ["Associate T1", "4", "40000.00 EUR"],
        ["Partner T2", "1", "25000.00 EUR"],
    ]
    funnel = _rows(console.get("/admin/kpis/funnel.csv?from=2025-01-01&to=2025-12-31"))
    assert [row[:2] for row in funnel[1:]] == [
        ["Catalog views", "15"],
        ["Licensing interests", "2"],
        ["Term sheets", "1"],
        ["Licences", "1"],
    ]
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "console.exported").order_by(AuditEvent.id)
    ).first()
    assert event.details["list"] == "kpis-summary"
    assert event.details["filters"] == {"table": "summary", "from": "2025-01-01", "to": "2025-12-31"}


def test_exports_refuse_an_unknown_table_and_a_bad_range(console, ctx):
    assert console.get("/admin/kpis/secrets.csv").status_code == 404
    assert console.get("/admin/kpis/pipeline.csv").status_code == 200
    assert console.get("/admin/kpis/summary.csv?from=2025-13-01").status_code == 400


def _organisations(n: int, start: int) -> None:
    tier = make_tier()
    for i in range(n):
        add_partner(
            f"Q{start + i}",
            ["NL", "DE", "FR", "US"][i % 4],
            tier,
            "2025-01-01 00:00",
            f"2025-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00",
            MembershipStatus.ACTIVE,
            date(2026, 12, 31),
        )


def _count(browser, path) -> int:
    with recorded_queries() as (statements, lazy):
        response = browser.get(path)
    assert response.status_code == 200
    assert lazy == []
    return len(statements)


def test_the_dashboard_costs_the_same_queries_with_10_and_200_organisations(console, ctx):
    _organisations(10, 0)
    commit()
    path = "/admin/?from=2025-01-01&to=2025-12-31"
    few = _count(console, path)
    _organisations(190, 10)
    commit()
    assert _count(console, path) == few
    assert kpis.dashboard(kpis.Period(date(2025, 1, 1), date(2025, 12, 31)), TODAY).figures.active == 200


def test_the_dashboard_itself_is_six_queries(programme):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        kpis.dashboard(YEAR, TODAY)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    reads = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    # by tier and country; headline (WITH ...); challenges; targets; innovation per year; time to filing
    assert len(reads) == 6, reads


def test_period_bounds_are_whole_utc_days():
    period = kpis.Period(date(2025, 1, 1), date(2025, 12, 31))
    assert period.start_at == datetime(2025, 1, 1, tzinfo=UTC)
    assert period.end_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert kpis.last_twelve_months(date(2026, 12, 4)) == kpis.Period(date(2025, 12, 5), date(2026, 12, 4))
    assert kpis.last_twelve_months(date(2028, 2, 29)).start == date(2027, 3, 1)
