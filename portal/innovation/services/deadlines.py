"""IP deadlines, computed from dates: pure functions, no database, no clock (the caller passes today).

Month arithmetic: adding months keeps the day of the month, or the month's last day when the target
month is shorter (31 Jan + 1 month = 28 Feb, or 29 Feb in a leap year; 29 Feb 2024 + 12 months =
28 Feb 2025). This is how the EPO and WIPO compute periods in months (Rule 131(4) EPC, PCT Rule
80.3): the period ends on the same day of the later month or, when there is none, on its last day.

Rules applied, per kind of deadline:

- **Priority year** (Paris Convention art. 4C): 12 months from the family's earliest priority date,
  to file abroad or a PCT application claiming it. Shown while the family has no application other
  than its priority filings.
- **PCT national phase**: 30 months from the priority date (PCT art. 22 / 39; 31 months at the EPO,
  but 30 is the common limit and the one we remind of). Shown for a live PCT application until it
  is marked "national phase entered".
- **Annuities / renewal fees**, per office, while the application or patent is alive, up to 20 years
  from filing:
  - EP: the renewal fee for the 3rd year and each later year is due on the last day of the month of
    the filing anniversary that begins that year (Rule 51(1) EPC: the 3rd-year fee at the end of
    the month of the 2nd anniversary). Paid to the EPO until grant; after grant, to each validated
    country (record those as national applications).
  - DE, LU, CH, IT, ES, AT, NL, BE: yearly from the 3rd year, due at the end of the month of the
    anniversary (DE: PatKostG § 3(2)); FR: from the 2nd year, at the end of the month of the
    anniversary; GB: from the 5th year, at the end of the month of the 4th anniversary.
  - US: maintenance fees at 3.5, 7.5 and 11.5 years from grant (37 CFR 1.362), only once granted.
  - PCT (WO): none.
  - Any other office: yearly from the 3rd year on the anniversary date itself.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Protocol

PRIORITY_MONTHS = 12
NATIONAL_PHASE_MONTHS = 30
PATENT_TERM_YEARS = 20
REMINDER_DAYS = (90, 30, 7)

# office -> (first year an annuity is due for, due at the end of the anniversary's month)
ANNUITY_RULES: dict[str, tuple[int, bool]] = {
    "EP": (3, True),
    "DE": (3, True),
    "LU": (3, True),
    "CH": (3, True),
    "IT": (3, True),
    "ES": (3, True),
    "AT": (3, True),
    "NL": (3, True),
    "BE": (3, True),
    "FR": (2, True),
    "GB": (5, True),
}
DEFAULT_ANNUITY_RULE = (3, False)
NO_ANNUITIES = {"WO", "PCT"}
US_MAINTENANCE_MONTHS = (42, 90, 138)  # 3.5, 7.5, 11.5 years after grant


def add_months(start: date, months: int) -> date:
    """`start` plus `months` calendar months; the month's last day when the day does not exist."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def end_of_month(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def priority_year_end(priority: date) -> date:
    return add_months(priority, PRIORITY_MONTHS)


def national_phase_due(priority: date) -> date:
    return add_months(priority, NATIONAL_PHASE_MONTHS)


def annuity_dues(
    office: str, filing: date, *, grant: date | None = None, granted: bool = False
) -> list[tuple[int, date]]:
    """(year number, due date) of every annuity of an application at `office`, in order. For the US,
    (1, 2, 3) are the three maintenance fees after grant."""
    office = office.upper()
    if office in NO_ANNUITIES:
        return []
    if office == "US":
        if grant is None:
            return []
        return [(n, add_months(grant, months)) for n, months in enumerate(US_MAINTENANCE_MONTHS, 1)]
    if office == "EP" and granted:
        return []  # after grant, renewal fees go to the validated countries
    first_year, month_end = ANNUITY_RULES.get(office, DEFAULT_ANNUITY_RULE)
    dues = []
    for year in range(first_year, PATENT_TERM_YEARS + 1):
        anniversary = add_months(filing, 12 * (year - 1))
        dues.append((year, end_of_month(anniversary) if month_end else anniversary))
    return dues


@dataclass(frozen=True)
class Deadline:
    key: str  # stable: "fam:3:priority", "app:7:pct30", "app:9:annuity:4"
    kind: str  # priority | national_phase | annuity | maintenance
    due: date
    label: str
    family_id: int
    application_id: int | None = None

    def days_left(self, today: date) -> int:
        return (self.due - today).days


class _Application(Protocol):
    id: int
    kind: object
    office: str
    country: str
    application_number: str
    filing_date: date
    priority_date: date | None
    grant_date: date | None
    status: object


def _value(x: object) -> str:
    return getattr(x, "value", x)  # an enum member or its value


def family_deadlines(family_id: int, applications: list[_Application]) -> list[Deadline]:
    """Every deadline of one family from its applications (any objects with the fields above),
    in date order."""
    alive = [a for a in applications if _value(a.status) not in ("abandoned", "lapsed")]
    dated = [a.priority_date or a.filing_date for a in applications if a.filing_date]
    out: list[Deadline] = []
    if dated:
        priority = min(dated)
        only_priority = all(_value(a.kind) == "priority" for a in applications)
        if only_priority and alive:
            out.append(
                Deadline(
                    f"fam:{family_id}:priority",
                    "priority",
                    priority_year_end(priority),
                    "End of the priority year: file abroad or PCT",
                    family_id,
                )
            )
    for a in alive:
        number = a.application_number or "number pending"
        if _value(a.kind) == "pct" and _value(a.status) in ("filed", "published"):
            out.append(
                Deadline(
                    f"app:{a.id}:pct30",
                    "national_phase",
                    national_phase_due(a.priority_date or a.filing_date),
                    f"PCT national phase (30 months), {number}",
                    family_id,
                    a.id,
                )
            )
            continue
        granted = _value(a.status) == "granted"
        for year, due in annuity_dues(a.office, a.filing_date, grant=a.grant_date, granted=granted):
            if a.office.upper() == "US":
                label = f"US maintenance fee {year} of 3, {number}"
                kind = "maintenance"
            else:
                label = f"{a.office.upper()} annuity, year {year}, {number}"
                kind = "annuity"
            out.append(Deadline(f"app:{a.id}:annuity:{year}", kind, due, label, family_id, a.id))
    out.sort(key=lambda d: (d.due, d.key))
    return out


def due_threshold(deadline: Deadline, today: date) -> int | None:
    """The reminder threshold (90, 30 or 7 days) a deadline has reached today, the smallest one
    reached; None when it is more than 90 days away or already past."""
    left = deadline.days_left(today)
    if left < 0:
        return None
    reached = [days for days in REMINDER_DAYS if left <= days]
    return min(reached) if reached else None
