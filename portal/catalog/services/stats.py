"""Listing statistics: views per listing and day, one row each, incremented in place."""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite

from ...extensions import db
from ..models import TechnologyDailyStat


def count_view(technology_id: int, day: date | None = None) -> None:
    """One more view of the listing today: `INSERT ... ON CONFLICT DO UPDATE` on both engines, so
    simultaneous first views of the day make one row, never a duplicate-key error."""
    dialect = sqlite if db.session.get_bind().dialect.name == "sqlite" else postgresql
    table = TechnologyDailyStat.__table__
    statement = dialect.insert(table).values(technology_id=technology_id, day=day or date.today(), views=1)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.technology_id, table.c.day], set_={"views": table.c.views + 1}
    )
    db.session.execute(statement)


def views_of(technology_id: int) -> int:
    import sqlalchemy as sa

    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(TechnologyDailyStat.views), 0)).where(
                TechnologyDailyStat.technology_id == technology_id
            )
        )
        or 0
    )
