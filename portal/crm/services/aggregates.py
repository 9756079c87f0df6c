"""SQL building blocks for the KPIs, the same on SQLite and PostgreSQL.

- `days_between(a, b)`: the time from timestamp `a` to timestamp `b` in days, as a fraction
  (SQLite: julianday difference; PostgreSQL: the interval's epoch seconds / 86,400).
- `median(values)`: the median of a one-column SELECT, in SQL (window functions: the middle row
  of an odd count, the mean of the two middle rows of an even count; NULL for no rows), as a
  scalar subquery, so that many figures come back from one statement.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class days_between(FunctionElement):
    """Days (a float) from the first timestamp to the second."""

    type = sa.Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)})) / 86400.0)"
    )


def median(values: sa.Select) -> sa.ScalarSelect:
    """The median of the first column of `values` (rows whose value is NULL are left out)."""
    inner = values.subquery()
    value = next(iter(inner.c))
    ranked = (
        sa.select(
            value.label("v"),
            sa.func.row_number().over(order_by=value).label("rn"),
            sa.func.count().over().label("n"),
        )
        .where(value.is_not(None))
        .subquery()
    )
    # rn is a middle row when n <= 2 rn <= n + 2: the one middle row of 5 (3), both of 4 (2 and 3).
    return (
        sa.select(sa.func.avg(ranked.c.v))
        .where(ranked.c.rn * 2 >= ranked.c.n, ranked.c.rn * 2 <= ranked.c.n + 2)
        .scalar_subquery()
    )


class days_to_date(FunctionElement):
    """Whole days from a timestamp's UTC day to a date (a filing date, a start date): the same
    day is 0, whatever the hour of the timestamp."""

    type = sa.Float()
    inherit_cache = True
    name = "days_to_date"


@compiles(days_to_date)
def _days_to_date_default(element: days_to_date, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"(julianday({compiler.process(end, **kw)}) - julianday(date({compiler.process(start, **kw)})))"


@compiles(days_to_date, "postgresql")
def _days_to_date_postgresql(element: days_to_date, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    day = f"CAST(({compiler.process(start, **kw)}) AT TIME ZONE 'UTC' AS DATE)"
    return f"(({compiler.process(end, **kw)}) - {day})"


class utc_year(FunctionElement):
    """The calendar year of a timestamp in UTC (or of a date), whatever the session's time zone."""

    type = sa.Integer()
    inherit_cache = True
    name = "utc_year"


@compiles(utc_year)
def _utc_year_default(element: utc_year, compiler: Any, **kw: Any) -> str:
    (value,) = list(element.clauses)
    return f"CAST(strftime('%Y', {compiler.process(value, **kw)}) AS INTEGER)"


@compiles(utc_year, "postgresql")
def _utc_year_postgresql(element: utc_year, compiler: Any, **kw: Any) -> str:
    (value,) = list(element.clauses)
    return f"CAST(EXTRACT(YEAR FROM ({compiler.process(value, **kw)}) AT TIME ZONE 'UTC') AS INTEGER)"
