"""CSV exports of console lists: the list's own query (its filters and order), streamed.

The export is audited (who, which list, which filters) and committed before the first byte goes
out. Rows are read in batches of BATCH (one query per batch and per eager-loaded relationship), so
memory stays flat for the whole audit log. A cell a spreadsheet would take for a formula (starting
with = + - @, a tab or a carriage return) is written with a leading apostrophe: a company called
`=HYPERLINK(...)` is shown as text, never run (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, stream_with_context
from flask_login import current_user

from ..core import audit
from ..extensions import db

BATCH = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Rows = Callable[[Sequence[Any]], Iterable[Sequence[Any]]]  # one batch of objects -> their rows


def neutralise(value: Any) -> str:
    """A cell as text, with formula-starting cells defused."""
    if value is None:
        text = ""
    elif isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S UTC")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def amount(cents: int | None) -> str:
    """Cents as a plain decimal for a spreadsheet (the currency has its own column)."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _lines(header: Sequence[str], batches: Iterator[Sequence[Any]], rows: Rows) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # spreadsheets read the file as UTF-8 (umlauts, accents) with it
    writer.writerow(header)
    for batch in batches:
        for row in rows(batch):
            writer.writerow([neutralise(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def csv_export(
    name: str,
    stmt: sa.Select,
    header: Sequence[str],
    rows: Rows,
    filters: dict[str, Any],
    sort: str = "",
) -> Response:
    """Audit the export, then stream the rows of `stmt` as `<name>-<date>.csv`."""
    audit.record(
        "console.exported",
        actor=current_user,
        list=name,
        filters={key: value for key, value in filters.items() if value},
        sort=sort,
    )
    db.session.commit()

    def batches() -> Iterator[Sequence[Any]]:
        result = db.session.scalars(stmt.execution_options(yield_per=BATCH))
        yield from result.partitions()

    response = Response(stream_with_context(_lines(header, batches(), rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{date.today().isoformat()}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
