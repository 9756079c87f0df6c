"""Rank technologies and researchers against a text, with a score (0-100) and an explanation.

    result = match_text("We need to detect intrusions in car networks", viewer=staff_viewer,
                        domain_id=domain.id, target_trl=6)
    for m in result.technologies: m.obj, m.score, m.shared, m.reasons

The text and every candidate are folded into words the way search folds them (core/search.py),
stop words dropped, and words mapped to concepts (`concepts.py`: "car" and "vehicle" are one).
Each candidate is a weighted bag of terms (a technology's title and keywords count three times,
its benefit and applications twice, the rest once; a researcher's expertise three times), and the
score is the cosine similarity of TF-IDF vectors over the candidates, with a bonus for the same
domain and for a TRL at or above the target. The explanation names the shared terms that weigh
most, the domain and the TRL fit.

What a candidate is made of follows the disclosure ladder: a reader below partner detail is matched
against the teaser fields only, and sees only listings the ladder lets them see; internal
directory entries are matched for staff only. So neither a score nor an explanation shown to
someone can rest on a word they may not read.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..catalog import services as catalog
from ..catalog.models import Researcher, Technology
from ..core.search import fold_words
from ..extensions import db
from .concepts import CONCEPTS, STOPWORDS

MAX_TEXT_CHARS = 20_000
DOMAIN_BONUS = 0.10  # added to the cosine (0..1) when the domain is the one asked for
TRL_BONUS = 0.05  # when the TRL reaches the target
MIN_SCORE = 1  # candidates below this (out of 100) are not shown


def _concept_index() -> tuple[dict[str, str], dict[tuple[str, ...], str]]:
    single: dict[str, str] = {}
    multi: dict[tuple[str, ...], str] = {}
    for group in CONCEPTS:
        name = group[0]
        for phrase in group:
            words = tuple(fold_words(phrase))
            if len(words) == 1:
                single[words[0]] = name
            elif words:
                multi[words] = name
    return single, multi


_SINGLE, _MULTI = _concept_index()
_LONGEST = max((len(k) for k in _MULTI), default=1)


def terms(text: str) -> list[str]:
    """The matcher's terms of `text`: folded words, stop words out, concepts in their group's name."""
    words = fold_words(text[:MAX_TEXT_CHARS])
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 1, -1):
            concept = _MULTI.get(tuple(words[i : i + size]))
            if concept:
                out.append(concept)
                i += size
                break
        else:
            word = words[i]
            i += 1
            if word in _SINGLE:
                out.append(_SINGLE[word])
            elif len(word) > 2 and word not in STOPWORDS and not word.isdigit():
                out.append(word)
    return out


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


def _technology_bag(tech: Technology, level: catalog.Level) -> Counter[str]:
    bag: Counter[str] = Counter()
    parts: list[tuple[str, int]] = [(tech.title, 3), (tech.benefit, 2)]
    if level >= catalog.Level.PARTNER_DETAIL:
        parts += [
            (" ".join(tech.keywords or []), 3),
            (" ".join(tech.applications or []), 2),
            (tech.problem, 1),
            (tech.solution, 1),
            (" ".join(tech.advantages or []), 1),
        ]
    for text, weight in parts:
        for term in terms(text or ""):
            bag[term] += weight
    return bag


def _researcher_bag(researcher: Researcher) -> Counter[str]:
    bag: Counter[str] = Counter()
    for text, weight in (
        (" ".join(researcher.expertise or []), 3),
        (researcher.group, 1),
        (researcher.profile, 1),
    ):
        for term in terms(text or ""):
            bag[term] += weight
    return bag


def _rank(query: Counter[str], bags: list[Counter[str]]) -> list[tuple[float, list[str]]]:
    """Cosine of TF-IDF vectors (IDF over the candidates and the query); per bag: score, shared terms."""
    n = len(bags) + 1
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())

    def idf(term: str) -> float:
        return math.log((n + 1) / (df[term] + 1)) + 1.0

    def weights(bag: Counter[str]) -> dict[str, float]:
        return {t: (1 + math.log(c)) * idf(t) for t, c in bag.items()}

    q = weights(query)
    q_norm = math.sqrt(sum(v * v for v in q.values())) or 1.0
    ranked = []
    for bag in bags:
        d = weights(bag)
        shared = [t for t in q if t in d]
        if not shared:
            ranked.append((0.0, []))
            continue
        dot = sum(q[t] * d[t] for t in shared)
        d_norm = math.sqrt(sum(v * v for v in d.values())) or 1.0
        shared.sort(key=lambda t: q[t] * d[t], reverse=True)
        ranked.append((dot / (q_norm * d_norm), shared))
    return ranked


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
) -> MatchResult:
    """Technologies (those `viewer` may see, matched on what they may read) and researchers
    (public ones; internal too for staff) ranked against `text`."""
    query = Counter(terms(text or ""))
    result = MatchResult(query_terms=list(query))
    if not query:
        return result
    techs = list(
        db.session.scalars(
            sa.select(Technology)
            .where(catalog.listed_filter(viewer))
            .options(selectinload(Technology.domain))
            .order_by(Technology.id)
        )
    )
    bags = [_technology_bag(t, viewer.level) for t in techs]
    for tech, (cosine, shared) in zip(techs, _rank(query, bags), strict=True):
        if not shared:
            continue
        reasons = [_shared_sentence(shared)]
        bonus = 0.0
        if domain_id is not None and tech.domain_id == domain_id:
            bonus += DOMAIN_BONUS
            reasons.append(_("Same domain: %(domain)s", domain=tech.domain.shown_name if tech.domain else ""))
        if target_trl:
            if tech.trl >= target_trl:
                bonus += TRL_BONUS
                reasons.append(
                    _("TRL %(trl)s meets the target TRL %(target)s", trl=tech.trl, target=target_trl)
                )
            else:
                reasons.append(
                    _("TRL %(trl)s is below the target TRL %(target)s", trl=tech.trl, target=target_trl)
                )
        score = round(min(1.0, cosine + bonus) * 100)
        if score >= MIN_SCORE:
            result.technologies.append(Match(tech, score, shared[:6], reasons))
    result.technologies.sort(key=lambda m: (-m.score, m.obj.id))
    del result.technologies[limit:]
    if researchers:
        stmt = sa.select(Researcher).order_by(Researcher.id)
        if not viewer.staff:
            stmt = stmt.where(Researcher.public.is_(True))
        people = list(db.session.scalars(stmt))
        ranked = _rank(query, [_researcher_bag(r) for r in people])
        for person, (cosine, shared) in zip(people, ranked, strict=True):
            score = round(cosine * 100)
            if shared and score >= MIN_SCORE:
                result.researchers.append(Match(person, score, shared[:6], [_shared_sentence(shared)]))
        result.researchers.sort(key=lambda m: (-m.score, m.obj.id))
        del result.researchers[limit:]
    return result
