"""Full-text search: one interface, the engine's own index underneath.

    from portal.core import search
    search.index_document("technology", tech.id, title=tech.title, summary=tech.teaser, body=tech.text)
    result = search.search("technology", form.q.data, ids=visible_technology_ids, limit=20)
    for hit in result.hits: hit.doc_id, hit.rank, hit.title, hit.snippet  # Markup, safe to render

Storage: the `search_document` table (model `SearchDocument`) keeps the original text of every
document, keyed by (index name, doc id); beside it each engine keeps its own index:

- SQLite: the FTS5 virtual table `search_document_fts` (rowid = search_document.id), ranked by
  bm25 with column weights title 10, summary 4, body 1.
- PostgreSQL: the `search_vector` tsvector column (title weight A, summary B, body C) with a GIN
  index, ranked by ts_rank.

Text is folded in Python before it reaches either engine, the same way for documents and
queries: Unicode compatibility decomposition, diacritics removed, case folded, split into words
of letters and digits (so "Zürich" is found by "zurich", "Straße" by "strasse", "Łódź" by
"lodz", "self-driving" by "self driving"). Both engines then see the same plain words ('simple'
configuration on PostgreSQL), so they find the same documents; only the rank values differ. There is no
stemming (it would differ between the engines); the prefix match on the last word covers most
of what a user types ("sens" finds "sensor" and "sensors").

Queries: user input is never handed to FTS5 MATCH or to_tsquery as is. It is cut to
`MAX_QUERY_CHARS`, split into words and "quoted phrases", folded as above, and rebuilt as a
query of quoted terms, all of which must match (AND). Words that fold to several parts
("self-driving", "CO2-neutral") are phrases. The last word is a prefix (type-ahead) unless the
query ends with a space or a closing quote, or the word is a single character. Operators typed
by the user (AND, OR, NOT, NEAR, *, :, &, |, !) are ordinary words or ignored. A query with no
words left (empty, only punctuation or emoji) has no hits: `search` returns an empty result.

Ranking is exact for selective queries. A query matching more than `RANK_CANDIDATES` (2000)
documents ranks only the first 2000 matches the engine finds (storage order, after `ids`), so
that a word found in half the catalog costs bounded time; `total` then reads "2000+"
(`total_exact` False), and the user narrows the query. Set it to None for exact ranking always.

Visibility: `ids=` restricts hits to the documents the caller may show (a collection of doc ids,
or a SELECT of them, e.g. ``sa.select(Technology.id).where(...)``); it is part of the SQL, so a
hidden document never shows in hits, counts or snippets.

Like every service, these functions flush nothing beyond their own statements and never commit:
the caller commits once per use case, so a document is indexed in the same transaction as the
change it reflects.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Join

from ..extensions import db
from .models import SearchDocument, SearchWord
from .types import UTCDateTime, utcnow

FTS_TABLE = "search_document_fts"
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_search_document_search_vector"

MAX_QUERY_CHARS = 500  # longer input is cut (nobody types more; a 10,000 character paste is no error)
MAX_TERMS = 12
MAX_TOKEN_CHARS = 60  # longer "words" (hashes, base64) are neither indexed nor searched
MIN_PREFIX_CHARS = 2
MAX_LIMIT = 100
# Ranking costs time per matching document (bm25 / ts_rank read each one), so a query matching
# more documents than this ranks only the first RANK_CANDIDATES matches the engine finds (in its
# storage order, after the `ids` restriction): exact ranking for selective queries, and a bounded
# time (the 30 ms budget at 100,000 documents) for a word that is in half the catalog. None: rank all.
RANK_CANDIDATES: int | None = 2000
COUNT_CAP = 2000  # `total` counts up to this many hits; `total_exact` says whether it stopped there
MAX_OFFSET = COUNT_CAP
SNIPPET_WORDS = 30

_INDEX_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_QUERY_PART = re.compile(r'"([^"]*)("?)|([^\s"]+)')


# --- text folding: the one definition of a "word", for documents, queries and snippets ------------


# Latin letters with a stroke or ligatures that Unicode does not decompose, folded like the rest.
_EXTRA_FOLDS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "\u0131": "i", "ŧ": "t", "ƀ": "b", "ɨ": "i",
     "æ": "ae", "œ": "oe", "þ": "th"}
)  # fmt: skip


@functools.lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return stripped.translate(_EXTRA_FOLDS)


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded word) for every word of `text`, positions in the original string."""
    if text.isascii():
        for match in _ASCII_WORD.finditer(text):
            yield match.start(), match.end(), match.group().lower()
        return
    word: list[str] = []
    start = end = 0
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        if not folded:  # a combining mark (or a character that folds away) stays inside the word
            if word:
                end = i + 1
            continue
        for c in folded:
            if c.isalnum():
                if not word:
                    start = i
                word.append(c)
                end = i + 1
            elif word:
                yield start, end, "".join(word)
                word = []
    if word:
        yield start, end, "".join(word)


def fold_words(text: str) -> list[str]:
    """The folded words of `text` that are indexed and searched."""
    return [w for _, _, w in word_spans(text) if len(w) <= MAX_TOKEN_CHARS]


def indexed_text(text: str) -> str:
    return " ".join(fold_words(text))


# --- queries --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """Words that must appear in this order (one word, or a phrase); the last may be a prefix.
    `alternatives` (synonyms: other word sequences, never prefixes) match instead of `words`."""

    words: tuple[str, ...]
    prefix: bool = False
    alternatives: tuple[tuple[str, ...], ...] = ()

    def matches(self, word: str) -> bool:
        if self.prefix and word.startswith(self.words[-1]):
            return True
        return word in self.words or any(word in words for words in self.alternatives)


def parse_query(text: str | None) -> list[Term]:
    """Split user input into terms (empty when nothing searchable is left). Never raises."""
    if not text:
        return []
    text = str(text)[:MAX_QUERY_CHARS]
    parts: list[tuple[list[str], bool]] = []  # (words, open at the end)
    for match in _QUERY_PART.finditer(text):
        phrase, closing, word = match.groups()
        words = fold_words(phrase if phrase is not None else word)
        if words:
            is_open = match.end() == len(text) and not (phrase is not None and closing)
            parts.append((words, is_open))
    terms: list[Term] = []
    for i, (words, is_open) in enumerate(parts[:MAX_TERMS]):
        last = i == len(parts) - 1
        term = Term(tuple(words), prefix=last and is_open and len(words[-1]) >= MIN_PREFIX_CHARS)
        if term not in terms:
            terms.append(term)
    return terms


def fts5_query(terms: list[Term]) -> str:
    """FTS5 MATCH expression: every word a quoted string, phrases joined with +, AND between terms."""

    def quoted(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    def one(term: Term) -> str:
        main = " + ".join(quoted(w) for w in term.words) + ("*" if term.prefix else "")
        if not term.alternatives:
            return main
        return (
            "("
            + " OR ".join([main, *(" + ".join(quoted(w) for w in alt) for alt in term.alternatives)])
            + ")"
        )

    return " AND ".join(one(term) for term in terms)


def tsquery(terms: list[Term]) -> str:
    """to_tsquery input: quoted lexemes, <-> inside phrases, :* for the prefix, & between terms."""

    def quoted(word: str) -> str:
        return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'"

    parts = []
    for term in terms:
        words = [quoted(w) for w in term.words]
        if term.prefix:
            words[-1] += ":*"
        options = [" <-> ".join(words), *(" <-> ".join(quoted(w) for w in alt) for alt in term.alternatives)]
        parts.append("(" + " | ".join(options if len(options) == 1 else [f"({o})" for o in options]) + ")")
    return " & ".join(parts)


def phrase_of(terms: list[Term]) -> Term | None:
    """The words of a query of several single words, as one phrase (for the phrase bonus)."""
    if len(terms) < 2 or any(len(term.words) != 1 for term in terms):
        return None
    return Term(tuple(term.words[0] for term in terms), prefix=terms[-1].prefix)


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    doc_id: int
    rank: float  # higher is better; comparable only within one result
    title: Markup  # the title, HTML-escaped, matched words in <mark>
    snippet: Markup  # a passage of summary or body around the matches, escaped, words in <mark>


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # number of matching documents, counted up to COUNT_CAP
    total_exact: bool = True  # False when there are at least `total` (= COUNT_CAP) matches
    terms: list[Term] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.hits)


class _Matcher:
    """Does a folded word match one of the terms (exactly, or by the prefix term)?"""

    def __init__(self, terms: list[Term]) -> None:
        self.exact = {word for term in terms for word in term.words}
        self.exact.update(word for term in terms for alt in term.alternatives for word in alt)
        self.prefixes = tuple(term.words[-1] for term in terms if term.prefix)

    def __call__(self, word: str) -> bool:
        return word in self.exact or (bool(self.prefixes) and word.startswith(self.prefixes))


Spans = list[tuple[int, int, str]]


def _marked(spans: Spans, matcher: _Matcher) -> list[int]:
    return [i for i, (_, _, word) in enumerate(spans) if matcher(word)]


def highlight(text: str, terms: list[Term], *, words: int | None = None) -> Markup:
    """`text` HTML-escaped with the words matching `terms` in <mark>; with `words`, only a window
    of that many words around the densest run of matches, with an ellipsis where text is cut."""
    spans = list(word_spans(text))
    return _highlight(text, spans, _marked(spans, _Matcher(terms)), words)


def _highlight(text: str, spans: Spans, marked: list[int], words: int | None) -> Markup:
    first, last = 0, len(spans) - 1
    if words is not None and len(spans) > words:
        if marked:
            best = 0
            for j, start_index in enumerate(marked):  # the window starting at a match with most matches
                count = sum(1 for m in marked[j:] if m < start_index + words)
                if count > best:
                    best, first = count, max(0, start_index - words // 4)
        last = min(len(spans) - 1, first + words - 1)
    begin = spans[first][0] if spans and first > 0 else 0
    finish = spans[last][1] if spans and last < len(spans) - 1 else len(text)
    out: list[str] = ["…" if begin > 0 else ""]
    position = begin
    for i in marked:
        if first <= i <= last:
            start, end, _ = spans[i]
            out.append(str(escape(text[position:start])))
            out.append(f"<mark>{escape(text[start:end])}</mark>")
            position = end
    out.append(str(escape(text[position:finish])))
    if finish < len(text):
        out.append("…")
    return Markup("".join(out).strip())  # noqa: S704 - every piece of text above is escaped


def snippet(summary: str, body: str, terms: list[Term]) -> Markup:
    """From summary or body, whichever has more matches (summary on a tie)."""
    matcher = _Matcher(terms)
    best: tuple[int, str, Spans, list[int]] | None = None
    for text in (summary, body):
        if text:
            spans = list(word_spans(text))
            marked = _marked(spans, matcher)
            if best is None or len(marked) > best[0]:
                best = (len(marked), text, spans, marked)
    if best is None:
        return Markup("")
    _, text, spans, marked = best
    return _highlight(text, spans, marked, SNIPPET_WORDS)


# --- writing --------------------------------------------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _check_index(index: str) -> str:
    if not isinstance(index, str) or not _INDEX_NAME.fullmatch(index):
        raise ValueError(f"invalid search index name: {index!r}")
    return index


_SQLITE_UPSERT = sa.text(
    """
    INSERT INTO search_document (index_name, doc_id, title, summary, body, language, updated_at)
    VALUES (:index_name, :doc_id, :title, :summary, :body, :language, :updated_at)
    ON CONFLICT (index_name, doc_id) DO UPDATE SET
        title = excluded.title, summary = excluded.summary, body = excluded.body,
        language = excluded.language, updated_at = excluded.updated_at
    RETURNING id
    """
).bindparams(sa.bindparam("updated_at", type_=UTCDateTime))
_SQLITE_FTS_DELETE = sa.text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id")  # noqa: S608 - constant
_SQLITE_FTS_INSERT = sa.text(
    f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) VALUES (:id, :title, :summary, :body)"  # noqa: S608
)
_POSTGRES_UPSERT = sa.text(
    f"""
    INSERT INTO search_document
        (index_name, doc_id, title, summary, body, language, updated_at, {VECTOR_COLUMN})
    VALUES (:index_name, :doc_id, :title, :summary, :body, :language, :updated_at,
        setweight(to_tsvector('simple'::regconfig, :title_words), 'A')
        || setweight(to_tsvector('simple'::regconfig, :summary_words), 'B')
        || setweight(to_tsvector('simple'::regconfig, :body_words), 'C'))
    ON CONFLICT (index_name, doc_id) DO UPDATE SET
        title = excluded.title, summary = excluded.summary, body = excluded.body,
        language = excluded.language, updated_at = excluded.updated_at,
        {VECTOR_COLUMN} = excluded.{VECTOR_COLUMN}
    """  # noqa: S608 - constants only
).bindparams(sa.bindparam("updated_at", type_=UTCDateTime))


def index_document(
    index: str,
    doc_id: int,
    *,
    title: str,
    summary: str = "",
    body: str = "",
    language: str | None = None,
) -> None:
    """Add or replace one document (idempotent: the same key always gives one document, and the
    old text no longer matches). `language` is stored for later per-language handling; today all
    text is folded the same way."""
    values: dict[str, Any] = {
        "index_name": _check_index(index),
        "doc_id": int(doc_id),
        "title": title or "",
        "summary": summary or "",
        "body": body or "",
        "language": language,
        "updated_at": utcnow(),
    }
    words = {
        "title": indexed_text(values["title"]),
        "summary": indexed_text(values["summary"]),
        "body": indexed_text(values["body"]),
    }
    _update_vocabulary(index, _stored_words(index, doc_id), _document_words(*words.values()))
    if _dialect() == "sqlite":
        row_id = db.session.execute(_SQLITE_UPSERT, values).scalar_one()
        db.session.execute(_SQLITE_FTS_DELETE, {"id": row_id})
        db.session.execute(_SQLITE_FTS_INSERT, {"id": row_id, **words})
    else:
        db.session.execute(_POSTGRES_UPSERT, {**values, **{f"{k}_words": v for k, v in words.items()}})


def remove_document(index: str, doc_id: int) -> None:
    """Remove one document; removing one that is not indexed is no error."""
    _update_vocabulary(_check_index(index), _stored_words(index, doc_id), set())
    document = SearchDocument.__table__
    condition = sa.and_(document.c.index_name == _check_index(index), document.c.doc_id == int(doc_id))
    if _dialect() == "sqlite":
        db.session.execute(
            sa.text(
                f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT id FROM search_document "  # noqa: S608
                "WHERE index_name = :index_name AND doc_id = :doc_id)"
            ),
            {"index_name": index, "doc_id": int(doc_id)},
        )
    db.session.execute(sa.delete(document).where(condition))


# --- the vocabulary (typo correction) -------------------------------------------------------------

VOCABULARY_MIN_CHARS = 3  # shorter words are never corrected to, nor from


def _document_words(*texts: str) -> set[str]:
    """The distinct words of a document worth keeping in its index's vocabulary."""
    return {
        word
        for text in texts
        for word in fold_words(text)
        if len(word) >= VOCABULARY_MIN_CHARS and not word.isdigit()
    }


def _stored_words(index: str, doc_id: int) -> set[str]:
    document = SearchDocument.__table__
    row = db.session.execute(
        sa.select(document.c.title, document.c.summary, document.c.body).where(
            document.c.index_name == index, document.c.doc_id == int(doc_id)
        )
    ).first()
    return _document_words(*row) if row else set()


_VOCABULARY_ADD = sa.text(
    "INSERT INTO search_word (index_name, word, doc_count) VALUES (:index_name, :word, 1) "
    "ON CONFLICT (index_name, word) DO UPDATE SET doc_count = search_word.doc_count + 1"
)


def _update_vocabulary(index: str, before: set[str], after: set[str]) -> None:
    """Count the document once for each word it gained, drop it from each word it lost."""
    added, removed = sorted(after - before), sorted(before - after)
    if added:
        db.session.execute(_VOCABULARY_ADD, [{"index_name": index, "word": w} for w in added])
    if removed:
        word = SearchWord.__table__
        lost = sa.and_(word.c.index_name == index, word.c.word.in_(removed))
        db.session.execute(sa.update(word).where(lost).values(doc_count=word.c.doc_count - 1))
        db.session.execute(sa.delete(word).where(lost, word.c.doc_count <= 0))


def rebuild_vocabulary(index: str) -> int:
    """Recount `index`'s vocabulary from its stored documents (after a bulk load); returns the
    number of words."""
    from collections import Counter

    document, word = SearchDocument.__table__, SearchWord.__table__
    counts: Counter[str] = Counter()
    rows = db.session.execute(
        sa.select(document.c.title, document.c.summary, document.c.body).where(document.c.index_name == index)
    )
    for row in rows:
        counts.update(_document_words(*row))
    db.session.execute(sa.delete(word).where(word.c.index_name == _check_index(index)))
    values = [{"index_name": index, "word": w, "doc_count": n} for w, n in counts.items()]
    for start in range(0, len(values), 5000):
        db.session.execute(sa.insert(word), values[start : start + 5000])
    return len(values)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap two neighbours);
    any value above `limit` is returned as limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


TYPO_MIN_CHARS = 5  # shorter words are taken as typed
RARE_MAX = 2  # a known word in at most this many documents may still be a typo ...
RARE_FACTOR = 5  # ... of a neighbour in at least this many times more documents


def allowed_typos(word: str) -> int:
    return 0 if len(word) < TYPO_MIN_CHARS else 1 if len(word) < 8 else 2


def corrections(index: str, terms: list[Term]) -> dict[str, str]:
    """Words of `terms` that `index` does not contain (or holds in at most RARE_MAX documents
    while a neighbour is in RARE_FACTOR times more), each with the most frequent word of the
    index's vocabulary within `allowed_typos` edits (same first letter), e.g. {"cybersecurty":
    "cybersecurity"}. The open prefix word counts as known when some word starts with it. Reads
    only `index`'s vocabulary; the caller must still check that the corrected query finds
    something the reader may see (the vocabulary holds every document of the index)."""
    _check_index(index)
    word = SearchWord.__table__
    wanted = [w for term in terms for w in term.words if allowed_typos(w) and not w.isdigit()]
    if not wanted:
        return {}
    prefix = terms[-1].words[-1] if terms[-1].prefix and terms[-1].words[-1] in wanted else None
    conditions = [
        sa.and_(
            word.c.word.like(w[0] + "%"),
            sa.func.length(word.c.word).between(len(w) - allowed_typos(w), len(w) + allowed_typos(w)),
        )
        for w in dict.fromkeys(wanted)
    ]
    rows = db.session.execute(
        sa.select(word.c.word, word.c.doc_count).where(word.c.index_name == index, sa.or_(*conditions))
    ).all()
    known = {row.word for row in rows}
    if prefix and prefix not in known:
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        starts = sa.select(word.c.word).where(
            word.c.index_name == index, word.c.word.like(pattern, escape="\\")
        )
        if db.session.scalar(starts.limit(1)) is not None:
            known.add(prefix)
    frequency = {row.word: row.doc_count for row in rows}
    fixes: dict[str, str] = {}
    for w in dict.fromkeys(wanted):
        # a known word is corrected only if it is rare and a neighbour is far more frequent
        # ("frawd" in one listing, "fraud" in forty: the caller offers "Did you mean fraud?")
        floor = 0 if w not in known else RARE_FACTOR * max(frequency.get(w, 0), 1)
        if w in known and (w not in frequency or frequency[w] > RARE_MAX):
            continue
        limit = allowed_typos(w)
        scored = [
            (edit_distance(w, row.word, limit), -row.doc_count, row.word)
            for row in rows
            if row.word[0] == w[0] and row.word != w and row.doc_count >= floor
        ]
        scored = [item for item in scored if item[0] <= limit]
        if scored:
            fixes[w] = min(scored)[2]
    return fixes


def corrected(terms: list[Term], fixes: dict[str, str]) -> list[Term]:
    """`terms` with the corrected words (a corrected prefix word is no longer a prefix)."""
    out = []
    for term in terms:
        words = tuple(fixes.get(w, w) for w in term.words)
        prefix = term.prefix and term.words[-1] not in fixes
        out.append(Term(words, prefix=prefix, alternatives=term.alternatives))
    return out


# --- searching ------------------------------------------------------------------------------------

Ids = Collection[int] | sa.Select[Any]


class _CrossJoin(Join):
    """A JOIN that SQLite must run in the written order (left table outside): `CROSS JOIN ... ON`."""

    inherit_cache = True


@compiles(_CrossJoin)
def _compile_cross_join(join: _CrossJoin, compiler: Any, **kw: Any) -> str:
    kw["asfrom"] = True
    left = compiler.process(join.left, **kw)
    right = compiler.process(join.right, **kw)
    return f"{left} CROSS JOIN {right} ON {compiler.process(join.onclause, **kw)}"


def _has_limits(select: sa.Select[Any]) -> bool:
    return bool(
        select._limit_clause is not None
        or select._offset_clause is not None
        or select._group_by_clauses
        or select._distinct
    )


def _restricted(statement: sa.Select[Any], ids: Ids | None, dialect: str) -> sa.Select[Any]:
    doc_id = SearchDocument.__table__.c.doc_id
    if ids is None:
        return statement
    if isinstance(ids, sa.Select):
        column = ids.selected_columns[0] if len(ids.selected_columns) == 1 else None
        if (
            isinstance(column, sa.Column)
            and column.table is not SearchDocument.__table__  # (no self-correlation)
            and not _has_limits(ids)
        ):
            # correlated: one primary-key probe per match, where `IN (SELECT ...)` would first
            # build the whole allowed set (90,000 ids of a catalog for a word in 8 documents)
            return statement.where(sa.exists(ids.where(column == doc_id)))
        return statement.where(doc_id.in_(ids))
    values = sorted({int(i) for i in ids})
    if dialect == "postgresql":
        array = sa.bindparam("allowed_ids", values, type_=postgresql.ARRAY(sa.Integer))
        return statement.where(doc_id == sa.any_(array))
    allowed = sa.func.json_each(sa.bindparam("allowed_ids", json.dumps(values))).table_valued("value")
    return statement.where(doc_id.in_(sa.select(allowed.c.value)))


PHRASE_BONUS = 2.0  # a document holding the query's words as a phrase scores this many times more


def _matching(
    index: str, terms: list[Term], dialect: str, *, ranked: bool = True
) -> tuple[sa.Select[Any], Any]:
    """SELECT search_document.id, score FROM <matches> (unordered), and the ORDER BY of the score.
    A query of several single words scores the documents holding them as a phrase PHRASE_BONUS
    times higher (so "machine learning" ranks the phrase above the scattered words)."""
    id_ = SearchDocument.__table__.c.id
    phrase = phrase_of(terms) if ranked else None
    if dialect == "sqlite":
        # CROSS JOIN makes SQLite run the MATCH once and fetch the matching rows by primary key;
        # with a plain JOIN the planner may scan search_document by index name and run the MATCH
        # once per row (it did so for the count query: 100x slower).
        fts_table = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer))
        fts = sa.literal_column(FTS_TABLE)
        weights = [sa.literal_column(w) for w in ("10.0", "4.0", "1.0")]  # title, summary, body
        score = sa.func.bm25(fts, *weights)
        if phrase is not None:
            inner = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer)).alias("phrase")
            in_phrase = sa.select(inner.c.rowid).where(
                sa.literal_column("phrase." + FTS_TABLE).op("MATCH")(
                    sa.bindparam("phrase", fts5_query([phrase]))
                )
            )
            score = score * sa.case((fts_table.c.rowid.in_(in_phrase), PHRASE_BONUS), else_=1.0)
        statement = (
            sa.select(id_.label("id"), score.label("score"))
            .select_from(
                _CrossJoin(fts_table, SearchDocument.__table__, SearchDocument.id == fts_table.c.rowid)
            )
            .where(fts.op("MATCH")(sa.bindparam("match", fts5_query(terms))))
        )
        order = score.asc()  # bm25: lower is better
    else:
        vector = sa.literal_column(f"search_document.{VECTOR_COLUMN}")
        config = sa.literal_column("'simple'::regconfig")
        query = sa.func.to_tsquery(config, sa.bindparam("tsquery", tsquery(terms)))
        score = sa.func.ts_rank(vector, query)
        if phrase is not None:
            phrase_query = sa.func.to_tsquery(config, sa.bindparam("phrase", tsquery([phrase])))
            score = score * sa.case((vector.op("@@")(phrase_query), PHRASE_BONUS), else_=1.0)
        statement = sa.select(id_.label("id"), score.label("score")).where(vector.op("@@")(query))
        order = score.desc()
    return statement.where(SearchDocument.__table__.c.index_name == index), (order, id_)


def _terms(query: str | list[Term] | None) -> list[Term]:
    return list(query) if isinstance(query, list) else parse_query(query)


def matching_ids(
    index: str, query: str | list[Term] | None, *, ids: Ids | None = None, limit: int | None = RANK_CANDIDATES
) -> sa.Select[Any] | None:
    """SELECT doc_id of the documents matching `query` (the first `limit` the engine finds, in
    storage order; unranked), for facet counts or another order; None when nothing is searchable."""
    _check_index(index)
    terms = _terms(query)
    if not terms:
        return None
    dialect = _dialect()
    matching, _ = _matching(index, terms, dialect, ranked=False)
    matching = _restricted(matching, ids, dialect).with_only_columns(SearchDocument.__table__.c.doc_id)
    return matching.limit(limit) if limit is not None else matching


def scored_matches(
    index: str, query: str | list[Term] | None, *, ids: Ids | None = None, limit: int | None = RANK_CANDIDATES
) -> sa.Select[Any] | None:
    """SELECT doc_id, rank (higher is better; the phrase bonus included) of the documents matching
    `query`: the first `limit` the engine finds, unordered, exactly the candidates `search` ranks.
    For callers that rank, filter and count the candidates together with their own columns."""
    _check_index(index)
    terms = _terms(query)
    if not terms:
        return None
    dialect = _dialect()
    matching, _ = _matching(index, terms, dialect)
    matching = _restricted(matching, ids, dialect)
    score = matching.selected_columns.score
    rank = (-score if dialect == "sqlite" else score).label("rank")
    matching = matching.with_only_columns(SearchDocument.__table__.c.doc_id, rank)
    return matching.limit(limit) if limit is not None else matching


def search(
    index: str,
    query: str | list[Term] | None,
    *,
    limit: int = 20,
    offset: int = 0,
    ids: Ids | None = None,
    snippets: bool = True,
) -> SearchResult:
    """Documents of `index` matching `query` (user input, or terms from `parse_query`, perhaps
    with alternatives), best first. Never raises on user input: a query with nothing searchable
    in it gives an empty result. `ids` restricts the hits (see module doc). `snippets=False`:
    the caller makes its own (each hit's snippet is empty)."""
    _check_index(index)
    terms = _terms(query)
    if not terms or (ids is not None and not isinstance(ids, sa.Select) and not ids):
        return SearchResult(terms=terms)
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), MAX_OFFSET))
    dialect = _dialect()
    document = SearchDocument.__table__

    matching, order = _matching(index, terms, dialect)
    matching = _restricted(matching, ids, dialect)
    if RANK_CANDIDATES is None:
        page = matching.order_by(*order).limit(limit).offset(offset).subquery("page")
        counted = None
    else:
        # One scan: the candidates are ranked, paged and counted (count over the candidates,
        # before LIMIT) in the same statement.
        candidates = matching.limit(RANK_CANDIDATES).subquery("candidates")
        descending = candidates.c.score.asc() if dialect == "sqlite" else candidates.c.score.desc()
        page = (
            sa.select(candidates.c.id, candidates.c.score, sa.func.count().over().label("counted"))
            .order_by(descending, candidates.c.id)
            .limit(limit)
            .offset(offset)
            .subquery("page")
        )
        counted = page.c.counted
    page_order = page.c.score.asc() if dialect == "sqlite" else page.c.score.desc()
    columns = [document.c.doc_id, document.c.title, document.c.summary, document.c.body, page.c.score]
    rows = db.session.execute(
        sa.select(*columns, *([counted] if counted is not None else []))
        .join(page, page.c.id == document.c.id)
        .order_by(page_order, document.c.id)
    ).all()

    exact = True
    if rows and counted is not None:
        total = min(rows[0].counted, COUNT_CAP)
        exact = rows[0].counted < RANK_CANDIDATES  # type: ignore[operator]
    elif offset == 0 and len(rows) < limit:
        total = len(rows)
    else:
        capped = matching.with_only_columns(SearchDocument.__table__.c.id).limit(COUNT_CAP).subquery("capped")
        total = db.session.execute(sa.select(sa.func.count()).select_from(capped)).scalar_one()
    hits = [
        Hit(
            doc_id=row.doc_id,
            rank=-float(row.score) if dialect == "sqlite" else float(row.score),
            title=highlight(row.title, terms),
            snippet=snippet(row.summary, row.body, terms) if snippets else Markup(""),
        )
        for row in rows
    ]
    return SearchResult(hits=hits, total=total, total_exact=exact and total < COUNT_CAP, terms=terms)


# --- migrations -----------------------------------------------------------------------------------


def include_in_autogenerate(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """Alembic `include_name` hook: the engine-specific search index (the FTS5 table and its
    shadow tables on SQLite, the tsvector column and its GIN index on PostgreSQL) is made by
    the migration, not by a model, so autogenerate and `flask db check` must not see it."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == VECTOR_COLUMN and parent_names.get("table_name") == "search_document":
        return False
    return not (type_ == "index" and name == VECTOR_INDEX)
