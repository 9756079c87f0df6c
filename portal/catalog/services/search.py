"""Catalog search: one service over core/search.py's two engines, one results contract.

    query = parse(request.args)                 # never raises; unknown values are dropped
    results = find(viewer, query)               # cards, total, facets, corrections, under the ladder
    url_for("catalog.index", **query_params(query))   # shareable URL / saved search

What it does with `q` (core/search.py does the matching, ranking and highlighting):
- every word must match (AND); the last word is a prefix while typed; "quoted phrases";
  a title match beats a benefit match beats a body match (bm25 / ts_rank weights), and a query of
  several words ranks the documents holding them as a phrase first (core.search.PHRASE_BONUS);
- SYNONYMS: a word of the list also matches its alternatives (car -> vehicle, AI -> artificial
  intelligence), as OR inside that word's term;
- typos: a word of 5+ letters the index does not contain is corrected to the most frequent word
  of the *same index's* vocabulary within 1 edit (2 from 8 letters). No hits: the page shows the
  corrected results ("Showing results for ..."); hits: it offers "Did you mean ...?". A correction
  is offered only if the corrected query finds something the reader may see.

The ladder: readers below partner detail search the teaser index only (services/listings.py), and
its vocabulary only, so a word in a partner-only field never finds, highlights, counts or corrects
anything for them. The licensing-option facet and filter exist only from partner detail up.

Facets (domain, TRL range, IP status, licensing option, status) count, for each value, the results
that the other facets' selections allow (OR inside a facet, AND between facets), so selecting a
value gives exactly its count. Without `q` they are exact (one GROUP BY over the listed catalog);
with `q` they are counted over the first FACET_CANDIDATES matches (exact whenever the query matches
fewer, i.e. whenever `total` is exact), which bounds their cost like the ranking's.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ...core import search
from ...extensions import db
from ..models import (
    LISTED_STATUSES,
    OPTION_VALUES,
    Domain,
    IpStatus,
    LicensingOption,
    Technology,
    TechnologyStatus,
)
from .ladder import Level, Viewer, listed_filter
from .listings import DETAIL_INDEX, TEASER_INDEX

PER_PAGE = 20
MAX_PAGE = 100
SORTS = ("relevance", "newest", "trl")
TRL_RANGES = {"1-3": (1, 3), "4-6": (4, 6), "7-9": (7, 9)}
FACET_CANDIDATES = search.RANK_CANDIDATES or 2000

# Domain synonyms: a word (folded, as core.search folds it) -> the word sequences it also matches.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "car": ("vehicle", "automotive"),
    "cars": ("vehicles", "automotive"),
    "vehicle": ("car",),
    "automotive": ("vehicle", "car"),
    "ai": ("artificial intelligence",),
    "ml": ("machine learning",),
    "5g": ("mobile network", "cellular network"),
    "iot": ("internet of things",),
    "drone": ("uav", "unmanned aerial vehicle"),
    "uav": ("drone", "unmanned aerial vehicle"),
    "ev": ("electric vehicle",),
    "llm": ("large language model",),
    "nlp": ("natural language processing",),
    "vr": ("virtual reality",),
    "ar": ("augmented reality",),
    "blockchain": ("distributed ledger",),
    "crypto": ("cryptography",),
    "solar": ("photovoltaic",),
    "photovoltaic": ("solar",),
    "fintech": ("financial technology",),
    "hpc": ("high performance computing", "supercomputing"),
}


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
_STATUS_VALUES = {s.value for s in LISTED_STATUSES}


def parse(args: Mapping[str, Any]) -> CatalogQuery:
    """The query of a /technologies URL (or a saved search's params). Never raises."""
    q = str(args.get("q") or "").replace("\x00", "")[: search.MAX_QUERY_CHARS]
    sort = str(args.get("sort") or "relevance")
    trl_min, trl_max = _int(args.get("trl_min"), 1, 9), _int(args.get("trl_max"), 1, 9)
    if trl_min and trl_max and trl_min > trl_max:
        trl_min, trl_max = trl_max, trl_min
    trl_range = str(args.get("trl") or "")
    if trl_min is None and trl_max is None and trl_range in TRL_RANGES:
        trl_min, trl_max = TRL_RANGES[trl_range]
    return CatalogQuery(
        q=q.strip(),
        domains=_values(args, "domain"),
        trl_min=trl_min,
        trl_max=trl_max,
        ip_status=_values(args, "ip", _IP_VALUES),
        options=_values(args, "option", OPTION_VALUES),
        statuses=_values(args, "status", _STATUS_VALUES),
        sort=sort if sort in SORTS else "relevance",
        page=_int(args.get("page"), 1, MAX_PAGE) or 1,
    )


def with_synonyms(terms: list[search.Term]) -> list[search.Term]:
    """Each one-word term of the list gains its synonyms as alternatives."""
    out = []
    for term in terms:
        alternatives = SYNONYMS.get(term.words[0]) if len(term.words) == 1 else None
        if alternatives:
            alts = tuple(tuple(search.fold_words(a)) for a in alternatives)
            term = replace(term, alternatives=tuple(a for a in alts if a and a != term.words))
        out.append(term)
    return out


def query_text(terms: list[search.Term]) -> str:
    """Terms written back as a query a user could type (phrases quoted)."""
    return " ".join(" ".join(t.words) if len(t.words) == 1 else '"' + " ".join(t.words) + '"' for t in terms)


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
    domain: Domain | None = None  # loaded with the page's domains (no lazy load)


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
    facets_exact: bool = True  # False: counted over the first FACET_CANDIDATES matches
    corrected_to: str | None = None  # "Showing results for ..." (the original query found nothing)
    suggestion: str | None = None  # "Did you mean ...?"
    domains: list[Domain] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """Pages of `total`; when it is a lower bound, one more (the engine answers it)."""
        pages = -(-self.total // self.per_page) + (0 if self.total_exact else 1)
        return max(1, min(MAX_PAGE, pages))


def index_for(viewer: Viewer) -> str:
    return DETAIL_INDEX if viewer.level >= Level.PARTNER_DETAIL else TEASER_INDEX


FACETS = ("domain", "trl", "ip", "option", "status")


_OPTION_SETS: dict[str, frozenset[str]] = {}


def _option_set(raw: Any) -> frozenset[str]:
    """The licensing options of a row's raw JSON text (few distinct texts: decoded once each)."""
    if not raw:
        return frozenset()
    if isinstance(raw, list):  # PostgreSQL's driver decodes JSON itself
        return frozenset(str(v) for v in raw)
    found = _OPTION_SETS.get(raw)
    if found is None:
        try:
            value = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            value = []
        found = frozenset(str(v) for v in value) if isinstance(value, list) else frozenset()
        if len(_OPTION_SETS) < 10_000:
            _OPTION_SETS[raw] = found
    return found


class _Row:
    """A listing's facet values (raw column values: no enum or JSON conversion per row)."""

    __slots__ = ("count", "domain", "id", "ip", "options", "published", "rank", "status", "trl")

    def __init__(
        self,
        domain_id: int | None,
        trl: int,
        ip: str,
        status: str,
        options: Any,
        id: int = 0,
        rank: float = 0.0,
        published: datetime | None = None,
        count: int = 1,
    ):
        self.domain = str(domain_id) if domain_id is not None else ""
        self.trl = trl
        self.ip = ip
        self.status = status
        self.options = _option_set(options)
        self.id = id
        self.rank = float(rank or 0.0)
        self.published = published
        self.count = count


_TRL_BUCKETS = {trl: key for key, (low, high) in TRL_RANGES.items() for trl in range(low, high + 1)}


class _Selection:
    """The query's facet selections, as SQL conditions and as a test of a _Row."""

    def __init__(self, query: CatalogQuery, domains: list[Domain], partner: bool) -> None:
        by_slug = {d.slug: d for d in domains}
        self.domain_ids = (
            {str(by_slug[s].id) for s in query.domains if s in by_slug} if query.domains else None
        )
        self.trl = (query.trl_min or 1, query.trl_max or 9) if (query.trl_min or query.trl_max) else None
        self.ip = set(query.ip_status) or None
        self.options = (set(query.options) or None) if partner else None
        self.statuses = set(query.statuses) or None

    def conditions(self, skip: str | None = None) -> list[sa.ColumnElement[bool]]:
        out: list[sa.ColumnElement[bool]] = []
        if self.domain_ids is not None and skip != "domain":
            out.append(Technology.domain_id.in_(sorted(int(i) for i in self.domain_ids)))
        if self.trl is not None and skip != "trl":
            out.append(Technology.trl.between(*self.trl))
        if self.ip is not None and skip != "ip":
            out.append(Technology.ip_status.in_([IpStatus(v) for v in sorted(self.ip)]))
        if self.options is not None and skip != "option":
            text = sa.cast(Technology.licensing_options, sa.Text)
            out.append(sa.or_(*(text.like(f'%"{value}"%') for value in sorted(self.options))))
        if self.statuses is not None and skip != "status":
            out.append(Technology.status.in_([TechnologyStatus(v) for v in sorted(self.statuses)]))
        return out

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.domain_ids, self.trl, self.ip, self.options, self.statuses))

    def failing(self, row: _Row) -> list[str]:
        """The facets whose selection `row` does not meet."""
        out = []
        if self.domain_ids is not None and row.domain not in self.domain_ids:
            out.append("domain")
        if self.trl is not None and not self.trl[0] <= row.trl <= self.trl[1]:
            out.append("trl")
        if self.ip is not None and row.ip not in self.ip:
            out.append("ip")
        if self.options is not None and not row.options & self.options:
            out.append("option")
        if self.statuses is not None and row.status not in self.statuses:
            out.append("status")
        return out

    def allows(self, row: _Row, skip: str | None = None) -> bool:
        return (
            (skip == "domain" or self.domain_ids is None or row.domain in self.domain_ids)
            and (skip == "trl" or self.trl is None or self.trl[0] <= row.trl <= self.trl[1])
            and (skip == "ip" or self.ip is None or row.ip in self.ip)
            and (skip == "option" or self.options is None or bool(row.options & self.options))
            and (skip == "status" or self.statuses is None or row.status in self.statuses)
        )


def _facets(
    rows: list[_Row], selection: _Selection, query: CatalogQuery, domains: list[Domain], partner: bool
) -> dict[str, list[FacetValue]]:
    """Each facet's values with the number of rows the other facets' selections allow."""
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for row in rows:
        failing = selection.failing(row)
        if len(failing) > 1:
            continue  # counts in no facet: two selections exclude it
        for name in failing or FACETS:  # one failing facet: counted in that facet only
            if name == "option":
                for option in row.options:
                    counters[name][option] += row.count
            elif name == "trl":
                counters[name][_TRL_BUCKETS.get(row.trl, "")] += row.count
            else:
                counters[name][getattr(row, name)] += row.count
    selected_trl = next((k for k, v in TRL_RANGES.items() if (query.trl_min, query.trl_max) == v), None)
    facets = {
        "domain": [
            FacetValue(d.slug, d.shown_name, counters["domain"][str(d.id)], d.slug in query.domains)
            for d in domains
        ],
        "trl": [
            FacetValue(
                key, _("TRL %(low)s-%(high)s", low=low, high=high), counters["trl"][key], key == selected_trl
            )
            for key, (low, high) in TRL_RANGES.items()
        ],
        "ip": [
            FacetValue(s.value, s.label, counters["ip"][s.value], s.value in query.ip_status)
            for s in IpStatus
        ],
        "status": [
            FacetValue(s.value, s.label, counters["status"][s.value], s.value in query.statuses)
            for s in LISTED_STATUSES
        ],
    }
    if partner:
        facets["option"] = [
            FacetValue(o.value, o.label, counters["option"][o.value], o.value in query.options)
            for o in LicensingOption
        ]
    # a value nobody can pick is left out, unless it is selected (so it can be unticked)
    return {name: [v for v in values if v.count or v.selected] for name, values in facets.items()}


def _domains() -> list[Domain]:
    return list(
        db.session.scalars(
            sa.select(Domain).where(Domain.active.is_(True)).order_by(Domain.display_order, Domain.name)
        )
    )


def find(
    viewer: Viewer,
    query: CatalogQuery,
    *,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
    within_ids: Collection[int] | None = None,
) -> CatalogResults:
    """The listings `viewer` may see that match `query`: one page of cards, the total, the facets
    and any typo correction. A constant number of queries whatever the number of results."""
    partner = viewer.level >= Level.PARTNER_DETAIL
    domains = _domains()
    selection = _Selection(query, domains, partner)
    base = [listed_filter(viewer, now)]
    if within_ids is not None:
        base.append(Technology.id.in_(sorted({int(i) for i in within_ids})))
    visible = sa.select(Technology.id).where(*base)
    filtered = sa.select(Technology.id).where(*base, *selection.conditions())
    offset = (query.page - 1) * per_page
    results = CatalogResults(query=query, per_page=per_page, domains=domains)
    by_id = {d.id: d for d in domains}
    if not query.q:
        _browse(results, query, selection, base, filtered, offset, partner, by_id)
        return results
    terms = search.parse_query(query.q)
    if not terms:
        results.message = _("Type a word to search for: punctuation and symbols alone find nothing.")
        return results

    index = index_for(viewer)
    used = with_synonyms(terms)
    fixes = search.corrections(index, terms)
    dated = query.sort != "relevance"  # the publication date is read only to order by it
    rows = _candidates(index, used, visible, partner, dated)
    page = _rank(rows, index, used, query, selection, filtered, per_page, offset)
    if fixes:
        fixed = with_synonyms(search.corrected(terms, fixes))
        if page[1] == 0:
            retry_rows = _candidates(index, fixed, visible, partner, dated)
            retry = _rank(retry_rows, index, fixed, query, selection, filtered, per_page, offset)
            if retry[1]:
                page, used, rows = retry, fixed, retry_rows
                results.corrected_to = query_text(search.corrected(terms, fixes))
        else:
            exists = search.matching_ids(index, fixed, ids=filtered, limit=1)
            if exists is not None and db.session.scalar(sa.select(sa.exists(exists))):
                results.suggestion = query_text(search.corrected(terms, fixes))
    hits, results.total, results.total_exact = page
    technologies = _load(hits)
    results.cards = [
        Card(t, search.highlight(t.title, used), _snippet(t, used, partner), by_id.get(t.domain_id))
        for t in (technologies[doc_id] for doc_id in hits if doc_id in technologies)
    ]
    results.facets_exact = len(rows) < FACET_CANDIDATES
    results.facets = _facets(rows, selection, query, results.domains, partner)
    return results


def _facet_columns(partner: bool) -> list[Any]:
    """A listing's facet columns, raw (no enum or JSON conversion per row)."""
    table = Technology.__table__.c
    raw = [sa.type_coerce(c, sa.String) for c in (table.ip_status, table.status)]
    options = sa.type_coerce(table.licensing_options, sa.Text) if partner else sa.null()
    return [table.domain_id, table.trl, *raw, options]


def _candidates(
    index: str, terms: list[search.Term], visible: sa.Select, partner: bool, dated: bool = True
) -> list[_Row]:
    """The first FACET_CANDIDATES matches the reader may see (whatever the facets), with their
    rank, order columns and facet values: one statement for the page, the total and the facets."""
    scored = search.scored_matches(index, terms, ids=visible, limit=FACET_CANDIDATES)
    if scored is None:
        return []
    matches = scored.subquery("scored")
    table = Technology.__table__.c
    statement = sa.select(
        *_facet_columns(partner), matches.c.doc_id, matches.c.rank, table.published_at if dated else sa.null()
    ).join(matches, matches.c.doc_id == table.id)
    return [_Row(*row) for row in db.session.execute(statement)]


_PY_ORDERS = {
    "relevance": lambda r: (-r.rank, r.id),
    "newest": lambda r: (-(r.published.timestamp() if r.published else 0), -r.id),
    "trl": lambda r: (-r.trl, -(r.published.timestamp() if r.published else 0), -r.id),
}


def _rank(
    rows: list[_Row],
    index: str,
    terms: list[search.Term],
    query: CatalogQuery,
    selection: _Selection,
    filtered: sa.Select,
    per_page: int,
    offset: int,
) -> tuple[list[int], int, bool]:
    """One page of ids, the total and whether it is exact, from the candidates; when there are
    more matches than candidates and a facet narrows them to fewer than the page needs, the
    engine finds the narrowed matches itself."""
    capped = len(rows) >= FACET_CANDIDATES
    chosen = sorted((r for r in rows if not selection.failing(r)), key=_PY_ORDERS[query.sort])
    if capped and selection.any and len(chosen) < offset + per_page:
        return _search_page(index, terms, query, filtered, per_page, offset)
    return [r.id for r in chosen[offset : offset + per_page]], len(chosen), not capped


def _snippet(technology: Technology, terms: list[search.Term], partner: bool) -> Markup:
    """The benefit, or for partners the passage of benefit or description with most matches
    (never the index's bookkeeping text: reference and domain names are on the card already)."""
    if not partner:
        return search.highlight(technology.benefit, terms, words=search.SNIPPET_WORDS)
    body = "\n".join(
        [technology.problem, technology.solution, *technology.applications, *technology.keywords]
    )
    return search.snippet(technology.benefit, body, terms)


def _search_page(
    index: str, terms: list[search.Term], query: CatalogQuery, filtered: sa.Select, per_page: int, offset: int
) -> tuple[list[int], int, bool]:
    """The doc ids of one page, the total and whether it is exact."""
    if query.sort == "relevance":
        found = search.search(index, terms, ids=filtered, limit=per_page, offset=offset, snippets=False)
        return [h.doc_id for h in found.hits], found.total, found.total_exact
    matching = search.matching_ids(index, terms, ids=filtered, limit=search.COUNT_CAP)
    if matching is None:
        return [], 0, True
    within = matching.subquery("matching")
    counted = sa.func.count().over().label("counted")
    page = db.session.execute(
        sa.select(Technology.id, counted)
        .where(Technology.id.in_(sa.select(within.c.doc_id)))
        .order_by(*_ORDERS[query.sort])
        .limit(per_page)
        .offset(offset)
    ).all()
    if not page:
        return [], 0 if offset == 0 else offset, True
    total = page[0].counted
    return [row.id for row in page], total, total < search.COUNT_CAP


def _browse(
    results: CatalogResults,
    query: CatalogQuery,
    selection: _Selection,
    base: list[sa.ColumnElement[bool]],
    filtered: sa.Select,
    offset: int,
    partner: bool,
    by_id: dict[int, Domain],
) -> None:
    """No words: the listed catalog under the facets, newest (or highest TRL) first.

    One statement reads the newest FACET_CANDIDATES listings the reader may see (walking the
    published_at index) with their facet columns. Fewer than that: page, total and facets are
    exact. More: the facets count those newest ones, and a newest-first page they hold enough
    narrowed rows for is exact too (any newer narrowed listing would be among them); the total is
    then a lower bound ("More than ..."). Otherwise (highest TRL first, or a page beyond the
    sample) the page and a total counted up to COUNT_CAP come from SQL."""
    table = Technology.__table__.c
    sample = (
        sa.select(*_facet_columns(partner), table.id, sa.literal(0.0), sa.null())  # in date order already
        .where(*base)
        .order_by(*_ORDERS["newest"])
        .limit(FACET_CANDIDATES)
    )
    rows = [_Row(*row) for row in db.session.execute(sample)]
    results.facets_exact = len(rows) < FACET_CANDIDATES
    results.facets = _facets(rows, selection, query, results.domains, partner)
    chosen = [row for row in rows if not selection.failing(row)]
    end = offset + results.per_page
    if results.facets_exact:
        if query.sort == "trl":  # stable: equal TRLs stay newest first
            chosen.sort(key=lambda row: -row.trl)
        results.total, page_ids = len(chosen), [row.id for row in chosen[offset:end]]
    elif query.sort != "trl" and len(chosen) >= end:
        results.total, results.total_exact = len(chosen), False
        page_ids = [row.id for row in chosen[offset:end]]
    else:
        capped = filtered.limit(search.COUNT_CAP).subquery("capped")
        results.total = db.session.scalar(sa.select(sa.func.count()).select_from(capped)) or 0
        results.total_exact = results.total < search.COUNT_CAP
        page_ids = list(
            db.session.scalars(filtered.order_by(*_ORDERS[query.sort]).limit(results.per_page).offset(offset))
        )
    technologies = _load(page_ids)
    results.cards = [
        Card(t, escape(t.title), escape(t.benefit), by_id.get(t.domain_id))
        for t in (technologies[i] for i in page_ids if i in technologies)
    ]


_ORDERS = {
    "relevance": (Technology.published_at.desc(), Technology.id.desc()),
    "newest": (Technology.published_at.desc(), Technology.id.desc()),
    "trl": (Technology.trl.desc(), Technology.published_at.desc(), Technology.id.desc()),
}


def _load(ids: list[int]) -> dict[int, Technology]:
    if not ids:
        return {}
    return {t.id: t for t in db.session.scalars(sa.select(Technology).where(Technology.id.in_(ids)))}
