"""The deadline rules on fixed dates: month arithmetic at month ends and in leap years, the
priority year, the PCT national phase, annuities per office, reminder thresholds."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from portal.innovation.services import deadlines as rules


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2023, 8, 31), 30, date(2026, 2, 28)),
        (date(2025, 8, 31), 30, date(2028, 2, 29)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 5, 10), -5, date(2023, 12, 10)),
    ],
)
def test_months_keep_the_day_or_take_the_last_day_of_a_shorter_month(start, months, expected):
    assert rules.add_months(start, months) == expected


def test_the_priority_year_of_29_february_ends_on_28_february():
    assert rules.priority_year_end(date(2024, 2, 29)) == date(2025, 2, 28)
    assert rules.priority_year_end(date(2023, 3, 1)) == date(2024, 3, 1)


def test_the_pct_national_phase_is_30_months_from_priority():
    assert rules.national_phase_due(date(2023, 8, 31)) == date(2026, 2, 28)
    assert rules.national_phase_due(date(2024, 2, 29)) == date(2026, 8, 29)
    assert rules.national_phase_due(date(2022, 7, 31)) == date(2025, 1, 31)


def test_ep_renewal_fees_from_the_third_year_at_the_end_of_the_anniversary_month():
    dues = dict(rules.annuity_dues("EP", date(2024, 2, 29)))
    assert min(dues) == 3 and max(dues) == 20
    assert dues[3] == date(2026, 2, 28)  # the 2nd anniversary falls in February 2026
    assert dues[4] == date(2027, 2, 28)
    assert dues[6] == date(2029, 2, 28)
    assert dues[7] == date(2030, 2, 28)
    assert dict(rules.annuity_dues("EP", date(2023, 1, 10)))[3] == date(2025, 1, 31)
    assert rules.annuity_dues("EP", date(2023, 1, 10), granted=True) == []  # national fees after grant


def test_other_offices_rules():
    assert dict(rules.annuity_dues("GB", date(2023, 6, 5)))[5] == date(2027, 6, 30)
    assert min(dict(rules.annuity_dues("GB", date(2023, 6, 5)))) == 5
    assert dict(rules.annuity_dues("FR", date(2023, 6, 5)))[2] == date(2024, 6, 30)
    assert dict(rules.annuity_dues("JP", date(2024, 2, 29)))[3] == date(2026, 2, 28)  # the anniversary itself
    assert rules.annuity_dues("WO", date(2024, 2, 29)) == []
    assert rules.annuity_dues("US", date(2020, 1, 1)) == []  # nothing before grant
    assert rules.annuity_dues("US", date(2020, 1, 1), grant=date(2022, 8, 31)) == [
        (1, date(2026, 2, 28)),
        (2, date(2030, 2, 28)),
        (3, date(2034, 2, 28)),
    ]


def _app(id, kind, office, filing, priority=None, status="filed", number="N"):
    return SimpleNamespace(
        id=id, kind=kind, office=office, country="", application_number=number,
        filing_date=filing, priority_date=priority, grant_date=None, status=status,
    )  # fmt: skip


def test_a_family_with_only_its_priority_filing_has_a_priority_year_deadline():
    found = rules.family_deadlines(1, [_app(10, "priority", "LU", date(2024, 2, 29))])
    assert found[0].key == "fam:1:priority" and found[0].due == date(2025, 2, 28)


def test_a_pct_application_has_its_national_phase_and_no_priority_year_once_filed_abroad():
    apps = [
        _app(10, "priority", "EP", date(2023, 8, 31)),
        _app(11, "pct", "WO", date(2024, 8, 30), priority=date(2023, 8, 31)),
    ]
    found = {d.key: d for d in rules.family_deadlines(1, apps)}
    assert "fam:1:priority" not in found
    assert found["app:11:pct30"].due == date(2026, 2, 28)
    assert found["app:10:annuity:3"].due == date(2025, 8, 31)
    apps[1].status = "national_phase"
    assert "app:11:pct30" not in {d.key for d in rules.family_deadlines(1, apps)}
    apps[0].status = "abandoned"
    assert not any(d.application_id == 10 for d in rules.family_deadlines(1, apps))


@pytest.mark.parametrize(
    ("left", "threshold"),
    [(120, None), (91, None), (90, 90), (45, 90), (30, 30), (8, 30), (7, 7), (0, 7), (-1, None)],
)
def test_the_reminder_threshold_reached(left, threshold):
    today = date(2026, 1, 1)
    deadline = rules.Deadline("k", "annuity", date.fromordinal(today.toordinal() + left), "x", 1)
    assert rules.due_threshold(deadline, today) == threshold
