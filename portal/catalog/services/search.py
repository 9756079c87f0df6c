"""Catalog search: one service over core/search.py's two engines, one results contract.

    query = parse(request.args)                 # never raises; unknown values are dropped
    results = find(viewer, query)               # hits, total, facets, under the ladder
    url_for("catalog.index", **query_params(query))   # shareable URL / saved search

Readers below partner detail search the teaser index only (services/listings.py), so a word in
a partner-only field never finds, highlights or counts a listing for them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload

from ...core import search
from ...extensions import db
from ..models import LISTED_STATUSES, Domain, IpStatus, LicensingOption, Technology, TechnologyStatus
from .ladder import Level, Viewer, listed_filter
from .listings import DETAIL_INDEX, TEASER_INDEX

PER_PAGE = 20
MAX_PAGE = 100
SORTS = ("relevance", "newest", "trl")


@dataclass(frozen=True)
class CatalogQuery:
    q: str = ""
    domains: tuple[str, ...] = ()  # domain slugs
    trl_min: int | None = None
    trl_max: int | None = None
    ip_status: tuple[str, ...] = ()
    options: tuple[str, ...] = ()  # licensing option values (partner detail and above)
    statuses: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1

    @property
    def is_empty(self) -> bool:
        return self == CatalogQuery(sort=self.sort, page=self.page)


def _int(value: Any, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def _values(args: Mapping[str, Any], key: str, allowed: Collection[str] | None = None) -> tuple[str, ...]:
    getlist = getattr(args, "getlist", None)
    raw = getlist(key) if getlist else ([args[key]] if key in args else [])
    if raw and isinstance(raw[0], list | tuple):
        raw = list(raw[0])
    out: list[str] = []
    for value in raw:
        for part in str(value).split(","):
            part = part.strip()[:80]
            if part and (allowed is None or part in allowed) and part not in out:
                out.append(part)
    return tuple(out[:20])


_IP_VALUES = {s.value for s in IpStatus}
_OPTION_VALUES = {o.value for o in LicensingOption}
_STATUS_VALUES = {s.value for s in LISTED_STATUSES}


def parse(args: Mapping[str, Any]) -> CatalogQuery:
    """The query of a /technologies URL (or a saved search's params). Never raises."""
    q = str(args.get("q") or "").replace("\x00", "")[: search.MAX_QUERY_CHARS]
    sort = str(args.get("sort") or "relevance")
    trl_min, trl_max = _int(args.get("trl_min"), 1, 9), _int(args.get("trl_max"), 1, 9)
    if trl_min and trl_max and trl_min > trl_max:
        trl_min, trl_max = trl_max, trl_min
    return CatalogQuery(
        q=q.strip(),
        domains=_values(args, "domain"),
        trl_min=trl_min,
        trl_max=trl_max,
        ip_status=_values(args, "ip", _IP_VALUES),
        options=_values(args, "option", _OPTION_VALUES),
        statuses=_values(args, "status", _STATUS_VALUES),
        sort=sort if sort in SORTS else "relevance",
        page=_int(args.get("page"), 1, MAX_PAGE) or 1,
    )


def query_params(query: CatalogQuery, **changes: Any) -> dict[str, Any]:
    """URL parameters of `query` (with `changes`), defaults left out: short, shareable URLs."""
    query = replace(query, **changes)
    params: dict[str, Any] = {}
    if query.q:
        params["q"] = query.q
    for key, values in (("domain", query.domains), ("ip", query.ip_status), ("option", query.options),
                        ("status", query.statuses)):  # fmt: skip
        if values:
            params[key] = list(values)
    if query.trl_min:
        params["trl_min"] = query.trl_min
    if query.trl_max:
        params["trl_max"] = query.trl_max
    if query.sort != "relevance":
        params["sort"] = query.sort
    if query.page > 1:
        params["page"] = query.page
    return params


@dataclass(frozen=True)
class Card:
    technology: Technology
    title: Markup
    snippet: Markup


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class CatalogResults:
    query: CatalogQuery
    cards: list[Card] = field(default_factory=list)
    total: int = 0
    total_exact: bool = True
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    message: str | None = None
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.total // self.per_page)))


def index_for(viewer: Viewer) -> str:
    return DETAIL_INDEX if viewer.level >= Level.PARTNER_DETAIL else TEASER_INDEX


def _filtered(viewer: Viewer, query: CatalogQuery, now: datetime | None) -> sa.Select:
    stmt = sa.select(Technology.id).where(listed_filter(viewer, now))
    if query.domains:
        stmt = stmt.join(Domain, Domain.id == Technology.domain_id).where(Domain.slug.in_(query.domains))
    if query.trl_min:
        stmt = stmt.where(Technology.trl >= query.trl_min)
    if query.trl_max:
        stmt = stmt.where(Technology.trl <= query.trl_max)
    if query.ip_status:
        stmt = stmt.where(Technology.ip_status.in_([IpStatus(v) for v in query.ip_status]))
    if query.statuses:
        stmt = stmt.where(Technology.status.in_([TechnologyStatus(v) for v in query.statuses]))
    return stmt


def find(
    viewer: Viewer,
    query: CatalogQuery,
    *,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
    within_ids: Collection[int] | None = None,
) -> CatalogResults:
    """The listings `viewer` may see that match `query`, one page of them."""
    ids = _filtered(viewer, query, now)
    if within_ids is not None:
        ids = ids.where(Technology.id.in_(list(within_ids)))
    offset = (query.page - 1) * per_page
    results = CatalogResults(query=query, per_page=per_page)
    if query.q:
        found = search.search(index_for(viewer), query.q, ids=ids, limit=per_page, offset=offset)
        if not found.terms:
            results.message = "Type a word to search for."
        technologies = _load([hit.doc_id for hit in found.hits])
        results.cards = [
            Card(technologies[hit.doc_id], hit.title, hit.snippet)
            for hit in found.hits
            if hit.doc_id in technologies
        ]
        results.total, results.total_exact = found.total, found.total_exact
        return results
    order = _ORDERS[query.sort]
    page_ids = list(db.session.scalars(ids.order_by(*order).limit(per_page).offset(offset)))
    technologies = _load(page_ids)
    results.cards = [
        Card(technologies[i], escape(technologies[i].title), escape(technologies[i].benefit))
        for i in page_ids
    ]
    results.total = db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery())) or 0
    return results


_ORDERS = {
    "relevance": (Technology.published_at.desc(), Technology.id.desc()),
    "newest": (Technology.published_at.desc(), Technology.id.desc()),
    "trl": (Technology.trl.desc(), Technology.id.desc()),
}


def _load(ids: list[int]) -> dict[int, Technology]:
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(Technology).where(Technology.id.in_(ids)).options(selectinload(Technology.domain))
    )
    return {t.id: t for t in rows}
