"""Rank technologies and researchers against a text, with a score (0-100) and an explanation.

    result = match_text("We need to detect intrusions in car networks", viewer=staff_viewer,
                        domain_id=domain.id, target_trl=6)
    for m in result.technologies: m.obj, m.score, m.shared, m.reasons
    match_for_cli(text, limit=10)  # the CLI's JSON rows, staff-level view

The method (chosen by measurement, docs/benchmarks.md "Matchmaking"): BM25 over concepts.
The text and every candidate are folded into words the way search folds them (core/search.py),
stop words of English, French and German dropped, words lightly stemmed (`stem`: plurals and
common endings, the same for text and candidates), German compounds split against the vocabulary,
and words mapped to language-independent concepts (`concepts.py`: "car", "vehicle", "véhicule"
and "Fahrzeug" are one), so a French or German challenge meets the English listing that solves
it. Each candidate is a bag of terms with field weights (a technology's title and keywords count
three times, its benefit and applications twice, the rest once; a researcher's expertise three
times), scored with BM25 (k1 1.2, b 0.75, document length over the weighted terms). The score
is the share of the text's best possible BM25 score that the candidate reaches, plus a bonus
for the same domain and for a TRL at or above the target. The explanation names the shared
terms that weigh most (in the reader's own words or the concept's name), the domain and the
TRL fit.

What a candidate is made of follows the disclosure ladder: a reader below partner detail is matched
against the teaser fields only, and sees only listings the ladder lets them see; internal
directory entries are matched for staff only. So neither a score nor an explanation shown to
someone can rest on a word they may not read. Corpus statistics (IDF, average length) are taken
over the listings that reader may see.

Speed: the candidates' term index is built once per process and reused while the catalog has not
changed (`_technology_index`, keyed by the ladder depth, the first-look listings the reader may
not see and a catalog version: count, newest and oldest `updated_at` and sum of ids of the
technologies); each technology's bag is kept by id and `updated_at`, so a change re-reads only the
changed rows. A call then costs the version query, the scoring over the inverted index (the BM25
term-frequency parts precomputed) and one query for the top `limit` rows.
"""

from __future__ import annotations

import functools
import heapq
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..catalog import services as catalog
from ..catalog.models import LISTED_STATUSES, Researcher, Technology
from ..core.search import fold_words
from ..core.types import utcnow
from ..extensions import db
from .concepts import CONCEPTS, STOPWORDS

MAX_TEXT_CHARS = 20_000
DOMAIN_BONUS = 0.10  # added to the relevance (0..1) when the domain is the one asked for
TRL_BONUS = 0.05  # when the TRL reaches the target
MIN_SCORE = 1  # candidates below this (out of 100) are not shown
K1, B = 1.2, 0.75  # BM25
METHODS = ("bm25", "tfidf")  # "tfidf": the cosine of TF-IDF vectors over the same terms (measured)
CLI_VIEWER = catalog.Viewer(catalog.Level.DOSSIER, first_look=True, staff=True)

# --- terms ----------------------------------------------------------------------------------------

_SUFFIXES = (
    "ements",
    "ement",
    "ations",
    "ation",
    "ungen",
    "ung",
    "ings",
    "ing",
    "ies",
    "es",
    "en",
    "er",
    "s",
    "e",
)
_MIN_STEM = 4


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, language-blind stemmer: at most two common endings off, a stem of 4+ letters kept
    ("pallets" and "pallet" -> "pallet", "palettes" -> "palett", "Sensoren" -> "sensor")."""
    for _round in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
                word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
                break
        else:
            break
    return word


def _concept_index() -> tuple[dict[str, str], dict[tuple[str, ...], str]]:
    """stem -> concept and (stems of a phrase) -> concept; a word in two groups keeps its first."""
    single: dict[str, str] = {}
    multi: dict[tuple[str, ...], str] = {}
    for group in CONCEPTS:
        name = group[0]
        for phrase in group:
            words = tuple(stem(w) for w in fold_words(phrase))
            if len(words) == 1:
                single.setdefault(words[0], name)
            elif words:
                multi.setdefault(words, name)
    return single, multi


_SINGLE, _MULTI = _concept_index()
_LONGEST = max((len(k) for k in _MULTI), default=1)
_MIN_PART = 3  # the shortest part of a split compound


@functools.lru_cache(maxsize=65536)
def _split_compound(word: str) -> tuple[str, ...] | None:
    """The concepts of a compound made of vocabulary words ("versandlager" -> warehouse,
    warehouse; "pufferuberlaufe" -> memory, vulnerability), a linking s allowed; None if not one."""
    if len(word) < 2 * _MIN_PART + 1:
        return None
    for cut in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        concept = _SINGLE.get(stem(head)) or _SINGLE.get(head)
        if concept is None and head.endswith("s") and len(head) > _MIN_PART + 1:
            concept = _SINGLE.get(stem(head[:-1])) or _SINGLE.get(head[:-1])
        if concept is None:
            continue
        rest = _SINGLE.get(stem(tail)) or _SINGLE.get(tail)
        if rest is not None:
            return (concept, rest)
        deeper = _split_compound(tail)
        if deeper:
            return (concept, *deeper)
    return None


def _terms_with_surface(text: str) -> list[tuple[str, str]]:
    """(term, the word of `text` it came from) for every term of `text`."""
    folded = [w for w in fold_words(text[:MAX_TEXT_CHARS]) if w not in STOPWORDS]
    words = [stem(w) for w in folded]
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 1, -1):
            concept = _MULTI.get(tuple(words[i : i + size]))
            if concept:
                out.append((concept, concept))
                i += size
                break
        else:
            word, surface = words[i], folded[i]
            i += 1
            concept = _SINGLE.get(word) or _SINGLE.get(surface)
            if concept:
                out.append((concept, concept))
            elif len(surface) > 2 and not surface.isdigit():
                parts = _split_compound(surface)
                if parts:
                    out.extend((p, p) for p in parts)
                else:
                    out.append((word, surface))
    return out


def terms(text: str) -> list[str]:
    """The matcher's terms of `text`: folded words, stop words out, stemmed, concepts in their
    group's name."""
    return [term for term, _surface in _terms_with_surface(text)]


# --- results --------------------------------------------------------------------------------------


@dataclass
class Match:
    obj: Any  # a Technology or a Researcher
    score: int  # 0-100
    shared: list[str] = field(default_factory=list)  # the shared terms that weigh most
    reasons: list[str] = field(default_factory=list)  # sentences: shared terms, domain, TRL fit


@dataclass
class MatchResult:
    technologies: list[Match] = field(default_factory=list)
    researchers: list[Match] = field(default_factory=list)
    query_terms: list[str] = field(default_factory=list)


# --- candidates -----------------------------------------------------------------------------------


def _bag(parts: Iterable[tuple[str, int]]) -> Counter[str]:
    bag: Counter[str] = Counter()
    for text, weight in parts:
        for term in terms(text or ""):
            bag[term] += weight
    return bag


def _technology_parts(tech: Any, detail: bool) -> list[tuple[str, int]]:
    parts: list[tuple[str, int]] = [(tech.title, 3), (tech.benefit, 2)]
    if detail:
        parts += [
            (" ".join(tech.keywords or []), 3),
            (" ".join(tech.applications or []), 2),
            (tech.problem, 1),
            (tech.solution, 1),
            (" ".join(tech.advantages or []), 1),
        ]
    return parts


def _researcher_bag(researcher: Researcher) -> Counter[str]:
    return _bag(((" ".join(researcher.expertise or []), 3), (researcher.group, 1), (researcher.profile, 1)))


class _Index:
    """Term bags of a set of candidates, with an inverted index for BM25 and TF-IDF scoring. The
    BM25 term-frequency part of every posting is computed once, when the index is built."""

    def __init__(self, ids: list[int], bags: list[Counter[str]], extra: list[tuple[Any, ...]]) -> None:
        self.ids, self.bags, self.extra = ids, bags, extra  # extra: (domain_id, trl) per technology
        self.n = len(bags)
        lengths = [sum(b.values()) for b in bags]
        avg = (sum(lengths) / self.n) if self.n else 1.0
        norm = [K1 * (1 - B + B * length / (avg or 1.0)) for length in lengths]
        docs: dict[str, list[int]] = {}
        tfs: dict[str, list[int]] = {}
        for i, bag in enumerate(bags):
            for term, count in bag.items():
                docs.setdefault(term, []).append(i)
                tfs.setdefault(term, []).append(count)
        self.docs = docs
        self.tfs = tfs
        self.bm25_parts = {
            term: [tf * (K1 + 1) / (tf + norm[i]) for i, tf in zip(docs[term], tfs[term], strict=True)]
            for term in docs
        }
        self._tfidf_norms: list[float] | None = None

    def idf(self, term: str) -> float:
        df = len(self.docs.get(term, ()))
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def _bm25_weights(self, query: Counter[str]) -> dict[str, float]:
        return {term: self.idf(term) * (1 + math.log(qtf)) for term, qtf in query.items()}

    def bm25(self, query: Counter[str]) -> dict[int, float]:
        """Per candidate sharing a term: the share of the best possible score it reaches."""
        weights = self._bm25_weights(query)
        best = sum(weights.values()) * (K1 + 1) or 1.0
        scores: dict[int, float] = {}
        get = scores.get
        for term, weight in weights.items():
            for i, part in zip(self.docs.get(term, ()), self.bm25_parts.get(term, ()), strict=True):
                scores[i] = get(i, 0.0) + weight * part
        return {i: s / best for i, s in scores.items()}

    def _tfidf_idf(self, term: str) -> float:
        return math.log((self.n + 2) / (len(self.docs.get(term, ())) + 1)) + 1.0

    def tfidf(self, query: Counter[str]) -> dict[int, float]:
        """Cosine of TF-IDF vectors ((1 + log tf) x smoothed IDF), the first matcher's scoring."""
        if self._tfidf_norms is None:
            squares = [0.0] * self.n
            for term, docs in self.docs.items():
                w = self._tfidf_idf(term)
                for i, tf in zip(docs, self.tfs[term], strict=True):
                    squares[i] += ((1 + math.log(tf)) * w) ** 2
            self._tfidf_norms = [math.sqrt(s) or 1.0 for s in squares]
        q = {t: (1 + math.log(c)) * self._tfidf_idf(t) for t, c in query.items()}
        q_norm = math.sqrt(sum(v * v for v in q.values())) or 1.0
        scores: dict[int, float] = {}
        for term, qw in q.items():
            w = self._tfidf_idf(term)
            for i, tf in zip(self.docs.get(term, ()), self.tfs.get(term, ()), strict=True):
                scores[i] = scores.get(i, 0.0) + qw * (1 + math.log(tf)) * w / (q_norm * self._tfidf_norms[i])
        return scores

    def rank(self, query: Counter[str], method: str) -> dict[int, float]:
        return self.tfidf(query) if method == "tfidf" else self.bm25(query)

    def contributions(self, i: int, query: Counter[str]) -> dict[str, float]:
        """What each shared term adds to candidate `i`'s score (for the explanation)."""
        bag = self.bags[i]
        weights = self._bm25_weights(query)
        return {t: weights[t] * bag[t] for t in query if t in bag}


_CACHE: OrderedDict[tuple[Any, ...], _Index] = OrderedDict()
_CACHE_SIZE = 8
_CACHE_LOCK = threading.Lock()
_BUILD_LOCK = threading.Lock()
# Per database and ladder depth: technology id -> (updated_at, bag, domain_id, trl), so a changed
# catalog rebuilds the index from the stored bags and re-reads only the rows that changed.
_BAGS: dict[tuple[str, bool], dict[int, tuple[Any, Counter[str], int | None, int]]] = {}


def _catalog_version() -> tuple[Any, ...]:
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.max(Technology.updated_at),
            sa.func.min(Technology.updated_at),
            sa.func.sum(Technology.id),
        )
    ).one()
    return tuple(row)


def _technology_index(viewer: catalog.Viewer) -> _Index:
    """The index of the technologies `viewer` may see, from the cache while the catalog is unchanged.

    The cache key: the database, the ladder depth (teaser or partner detail), whether the reader
    sees first-look listings (if not, the ids of those still in first look now, a short list), and
    the catalog version. So IDF and lengths are those of exactly the listings the reader may see."""
    detail = viewer.level >= catalog.Level.PARTNER_DETAIL
    database = db.engine.url.render_as_string()
    hidden: tuple[int, ...] = ()
    if not viewer.first_look:
        hidden = tuple(
            db.session.scalars(
                sa.select(Technology.id)
                .where(Technology.status.in_(LISTED_STATUSES), Technology.first_look_until > utcnow())
                .order_by(Technology.id)
            )
        )
    key = (database, detail, viewer.first_look, hidden, _catalog_version())
    with _CACHE_LOCK:
        index = _CACHE.get(key)
        if index is not None:
            _CACHE.move_to_end(key)
            return index
    listed = db.session.execute(
        sa.select(Technology.id, Technology.updated_at)
        .where(catalog.listed_filter(viewer))
        .order_by(Technology.id)
    ).all()
    with _BUILD_LOCK:  # one thread at a time updates the kept bags
        stored = _BAGS.setdefault((database, detail), {})
        stale = [row.id for row in listed if row.id not in stored or stored[row.id][0] != row.updated_at]
        columns = [Technology.id, Technology.updated_at, Technology.title, Technology.benefit]
        columns += [Technology.domain_id, Technology.trl]
        if detail:
            columns += [Technology.keywords, Technology.applications, Technology.problem]
            columns += [Technology.solution, Technology.advantages]
        for start in range(0, len(stale), 2000):
            chunk = stale[start : start + 2000]
            for r in db.session.execute(sa.select(*columns).where(Technology.id.in_(chunk))):
                stored[r.id] = (r.updated_at, _bag(_technology_parts(r, detail)), r.domain_id, r.trl)
        entries = [stored[row.id] for row in listed]
        if viewer.first_look:  # every listed technology is here: forget the ones no longer listed
            for gone in set(stored) - {row.id for row in listed}:
                del stored[gone]
    index = _Index([row.id for row in listed], [e[1] for e in entries], [(e[2], e[3]) for e in entries])
    with _CACHE_LOCK:
        _CACHE[key] = index
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return index


# --- matching -------------------------------------------------------------------------------------


def _shared(contributions: dict[str, float], surface: dict[str, str]) -> list[str]:
    ordered = sorted(contributions, key=lambda t: contributions[t], reverse=True)
    return [surface.get(t, t) for t in ordered[:6]]


def _shared_sentence(shared: list[str]) -> str:
    return _("Shared terms: %(terms)s", terms=", ".join(shared[:6]))


def match_text(
    text: str,
    *,
    viewer: catalog.Viewer,
    domain_id: int | None = None,
    target_trl: int | None = None,
    limit: int = 10,
    researchers: bool = True,
    method: str = "bm25",
) -> MatchResult:
    """Technologies (those `viewer` may see, matched on what they may read) and researchers
    (public ones; internal too for staff) ranked against `text`."""
    pairs = _terms_with_surface(text or "")
    query = Counter(term for term, _surface in pairs)
    surface: dict[str, str] = {}
    for term, word in pairs:
        surface.setdefault(term, word)
    result = MatchResult(query_terms=list(query))
    if not query:
        return result
    index = _technology_index(viewer)
    candidates = []
    for i, relevance in index.rank(query, method).items():
        tech_domain, trl = index.extra[i]
        bonus = 0.0
        if domain_id is not None and tech_domain == domain_id:
            bonus += DOMAIN_BONUS
        if target_trl and trl >= target_trl:
            bonus += TRL_BONUS
        score = round(min(1.0, relevance + bonus) * 100)
        if score >= MIN_SCORE:
            candidates.append((score, relevance, index.ids[i], i))
    candidates = heapq.nsmallest(max(0, limit), candidates, key=lambda c: (-c[0], -c[1], c[2]))
    if candidates:
        by_id = {
            t.id: t
            for t in db.session.scalars(
                sa.select(Technology)
                .where(Technology.id.in_([c[2] for c in candidates]))
                .options(selectinload(Technology.domain))
            )
        }
        for score, _relevance, tech_id, i in candidates:
            tech = by_id[tech_id]
            shared = _shared(index.contributions(i, query), surface)
            reasons = [_shared_sentence(shared)]
            if domain_id is not None and tech.domain_id == domain_id:
                reasons.append(
                    _("Same domain: %(domain)s", domain=tech.domain.shown_name if tech.domain else "")
                )
            if target_trl:
                if tech.trl >= target_trl:
                    reasons.append(
                        _("TRL %(trl)s meets the target TRL %(target)s", trl=tech.trl, target=target_trl)
                    )
                else:
                    reasons.append(
                        _("TRL %(trl)s is below the target TRL %(target)s", trl=tech.trl, target=target_trl)
                    )
            result.technologies.append(Match(tech, score, shared, reasons))
    if researchers:
        stmt = sa.select(Researcher).order_by(Researcher.id)
        if not viewer.staff:
            stmt = stmt.where(Researcher.public.is_(True))
        people = list(db.session.scalars(stmt))
        people_index = _Index([p.id for p in people], [_researcher_bag(p) for p in people], [])
        for i, relevance in people_index.rank(query, method).items():
            score = round(min(1.0, relevance) * 100)
            if score >= MIN_SCORE:
                shared = _shared(people_index.contributions(i, query), surface)
                result.researchers.append(Match(people[i], score, shared, [_shared_sentence(shared)]))
        result.researchers.sort(key=lambda m: (-m.score, m.obj.id))
        del result.researchers[max(0, limit) :]
    return result


def match_for_cli(
    text: str, limit: int = 10, *, domain_id: int | None = None, target_trl: int | None = None
) -> list[dict[str, Any]]:
    """The CLI's rows, staff-level view: technologies (by catalog reference), then researchers
    (by their directory e-mail, their stable key), each with kind, name, score and reasons."""
    result = match_text(text, viewer=CLI_VIEWER, limit=limit, domain_id=domain_id, target_trl=target_trl)
    rows: list[dict[str, Any]] = [
        {
            "kind": "technology",
            "reference": m.obj.reference,
            "name": m.obj.title,
            "score": m.score,
            "reasons": [str(r) for r in m.reasons],
        }
        for m in result.technologies
    ]
    rows += [
        {
            "kind": "researcher",
            "reference": m.obj.email or str(m.obj.id),
            "name": m.obj.name,
            "score": m.score,
            "reasons": [str(r) for r in m.reasons],
        }
        for m in result.researchers
    ]
    return rows
