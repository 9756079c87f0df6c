"""Sorting a console list by a column: `?sort=key` (ascending) or `?sort=-key` (descending).

Each list declares the keys it accepts (`SortSpec`), each an indexed column, so that a sorted page
is read from an index as the default order is. The row id breaks ties in the same direction: equal
values keep one order from page to page, and the pair (column, id) is what the index holds (SQLite
stores the rowid in every index; PostgreSQL sorts the few equal values incrementally). A key that
is not on the list (a typo, an old bookmark, a column name probed from outside) falls back to the
list's default order: the page still answers, and nothing but the declared columns ever reaches
ORDER BY.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class Sorting:
    """The order a list is shown in."""

    key: str
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    def param_for(self, key: str) -> str:
        """The `sort` value of a column header: the other direction when the list is sorted by
        that column already, ascending otherwise."""
        if key == self.key:
            return key if self.descending else f"-{key}"
        return key

    def aria(self, key: str) -> str | None:
        if key != self.key:
            return None
        return "descending" if self.descending else "ascending"


@dataclass(frozen=True)
class SortSpec:
    columns: Mapping[str, sa.ColumnElement]
    default: str  # e.g. "-joined"
    tie: sa.ColumnElement  # the primary key

    def parse(self, raw: str | None) -> Sorting:
        value = (raw or "").strip()
        descending = value.startswith("-")
        key = value[1:] if descending else value
        if key not in self.columns:
            return self.parse(self.default) if value != self.default else Sorting(key, descending)
        return Sorting(key, descending)

    def apply(self, stmt: sa.Select, sorting: Sorting) -> sa.Select:
        column = self.columns[sorting.key]
        direction = sa.desc if sorting.descending else sa.asc
        order = [direction(column)]
        if column is not self.tie:
            order.append(direction(self.tie))
        return stmt.order_by(None).order_by(*order)
