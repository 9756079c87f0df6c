"""Console lists that cost the same at 100 rows and at 100,000.

`paginate` reads one page (and one row more, to know whether a next page exists) and counts at
most COUNT_CAP rows: past that the list says "more than 10,000", which is all a person paging
through needs, and the count no longer grows with the table. Logs that only grow (the audit log)
page by key instead (`keyset`): "older" continues below the last id shown (or "newer" above it when
the oldest come first), so a deep page costs what the first one does.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any

import sqlalchemy as sa

from ..extensions import db

COUNT_CAP = 10_000


@dataclass
class Page:
    """What the pagination macro reads (the attribute names Flask-SQLAlchemy's pages use)."""

    items: Sequence[Any]
    page: int
    per_page: int
    total: int
    capped: bool  # more rows than `total` (= COUNT_CAP) exist

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self) -> Iterator[int | None]:
        """1 2 … 7 8 [9] 10 11 12 13 … 39 40, with None for a gap."""
        last = self.pages
        shown = sorted({1, 2, last - 1, last, *range(self.page - 2, self.page + 5)} & set(range(1, last + 1)))
        previous = 0
        for number in shown:
            if number - previous > 1:
                yield None
            yield number
            previous = number


def bounded_count(
    stmt: sa.Select, cap: int | None = None, params: dict[str, Any] | None = None
) -> tuple[int, bool]:
    """The number of rows `stmt` selects, counting no further than `cap`. With `params`, `stmt` is
    a prepared statement (core.database.prepared) and these its values: the count is prepared too."""
    cap = COUNT_CAP if cap is None else cap
    counting = _prepared_count(stmt, cap) if params is not None else _count(stmt, cap)
    found = db.session.scalar(counting, params)
    return min(found, cap), found > cap


def _count(stmt: sa.Select, cap: int) -> sa.Select:
    rows = stmt.with_only_columns(sa.literal_column("1"), maintain_column_froms=True).order_by(None)
    return sa.select(sa.func.count()).select_from(rows.limit(cap + 1).subquery())


@functools.lru_cache(maxsize=64)  # prepared statements only: a few, living as long as the process
def _prepared_count(stmt: sa.Select, cap: int) -> sa.Select:
    return _count(stmt, cap)


@functools.lru_cache(maxsize=64)
def prepared_first(stmt: sa.Select, limit: int) -> sa.Select:
    """The first `limit` rows of a prepared statement, prepared too."""
    return stmt.limit(limit)


def paginate(stmt: sa.Select, page: int, per_page: int) -> Page:
    total, capped = bounded_count(stmt)
    last = max(1, ceil(total / per_page))
    page = min(page, last)  # past the end: the last page, not an empty one
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=items, page=page, per_page=per_page, total=total, capped=capped)


@dataclass
class KeysetPage:
    items: Sequence[Any]
    older_than: int | None  # the key to continue with, None at the end (newest first)
    first: bool  # the first page of this order
    newer_than: int | None = None  # the key to continue with when the oldest come first


def keyset(
    stmt: sa.Select,
    key: sa.ColumnElement[int],
    before: int | None,
    per_page: int,
    after: int | None = None,
    oldest_first: bool = False,
) -> KeysetPage:
    """Newest first by `key`, the page below `before` (the first page when None); or, with
    `oldest_first`, oldest first, the page above `after`."""
    cursor = after if oldest_first else before
    if cursor is not None:
        stmt = stmt.where(key > cursor if oldest_first else key < cursor)
    order = key.asc() if oldest_first else key.desc()
    rows = db.session.scalars(stmt.order_by(None).order_by(order).limit(per_page + 1)).all()
    more = len(rows) > per_page
    items = rows[:per_page]
    last = items[-1].id if more and items else None
    return KeysetPage(
        items=items,
        older_than=None if oldest_first else last,
        first=cursor is None,
        newer_than=last if oldest_first else None,
    )
