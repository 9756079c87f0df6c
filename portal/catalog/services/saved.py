"""Saved searches and their digests (issue 11, point 6).

A partner user saves a catalog search (its URL parameters, `search.query_params` without the page)
with a name and a cadence. `send_digests()` (the `portal send-digests` job) emails each active,
due saved search the technologies published since it was created that it has not announced yet
and that match it *as its user sees the catalog at send time*: the ladder (`viewer_context`, a
user who lost partner access reads as a visitor), first look (a tier without it hears of a
technology when the window has closed) and the teaser index for readers below partner detail (a
word only in a partner field announces nothing to them). Each technology is announced once per
saved search: its `DigestEntry` is inserted with ON CONFLICT DO NOTHING before the email is
written, and only the rows this run inserted are mailed, so two concurrent runs never announce
the same technology twice. The email carries teaser fields only (safe to forward) and a signed
unsubscribe link that works without signing in.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_ngettext
from sqlalchemy.dialects import postgresql, sqlite

from ...auth import tokens
from ...auth.models import User
from ...core.database import begin_write
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify
from ...core.types import utcnow
from ...extensions import db
from ..models import (
    DigestEntry,
    DigestFrequency,
    Domain,
    IpStatus,
    LicensingOption,
    SavedSearch,
    Technology,
    TechnologyStatus,
)
from .ladder import viewer_context
from .search import CatalogQuery, find, parse, query_params

log = logging.getLogger("liaison.digests")

MAX_SAVED_SEARCHES = 50  # per user
DIGEST_LIMIT = 20  # technologies per email; the rest wait for the next digest
UNSUBSCRIBE_PURPOSE = "digest-unsubscribe"
UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600  # an old digest's link still works for a year and more

CADENCE = {DigestFrequency.DAILY: timedelta(days=1), DigestFrequency.WEEKLY: timedelta(days=7)}


# --- the user's saved searches ------------------------------------------------------------------


def saved_params(query: CatalogQuery) -> dict[str, Any]:
    """What a saved search keeps of a query: every filter, never the page."""
    return query_params(query, page=1)


def save_search(user: User, name: str, params: Mapping[str, Any], frequency: DigestFrequency) -> SavedSearch:
    """Save the search `params` (a /technologies query string) for `user` under `name`."""
    if user.organisation_id is None:
        raise DomainError(_("Only partner accounts save searches."))
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Give the search a name."), "name")
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user.id)
    )
    if (count or 0) >= MAX_SAVED_SEARCHES:
        raise DomainError(
            _("You have %(count)s saved searches, the most one account keeps. Delete one first.", count=count)
        )
    saved = SavedSearch(
        user_id=user.id,
        organisation_id=user.organisation_id,
        name=name,
        params=saved_params(parse(params)),
        frequency=frequency,
        active=True,
    )
    db.session.add(saved)
    db.session.flush()
    return saved


def saved_searches_of(user: User) -> list[SavedSearch]:
    return list(
        db.session.scalars(
            sa.select(SavedSearch)
            .where(SavedSearch.user_id == user.id)
            .order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())
        )
    )


def own_saved_search(user: User, saved_search_id: int) -> SavedSearch | None:
    """The user's own saved search; anyone else's (a colleague's too) is None: the view answers 404."""
    return db.session.scalar(
        sa.select(SavedSearch).where(SavedSearch.id == saved_search_id, SavedSearch.user_id == user.id)
    )


def set_frequency(saved: SavedSearch, frequency: DigestFrequency) -> None:
    saved.frequency = frequency
    db.session.flush()


def set_active(saved: SavedSearch, active: bool) -> None:
    saved.active = active
    db.session.flush()


def delete_search(saved: SavedSearch) -> None:
    db.session.delete(saved)
    db.session.flush()


@dataclass(frozen=True)
class Criterion:
    label: str
    value: str


def describe(params: Mapping[str, Any], domains: Mapping[str, Domain]) -> list[Criterion]:
    """A saved search's filters in words, for its list ("Words: drone · Domains: Robotics")."""
    query = parse(params)
    out: list[Criterion] = []
    if query.q:
        out.append(Criterion(_("Words"), query.q))
    if query.domains:
        names = [domains[s].shown_name if s in domains else s for s in query.domains]
        out.append(Criterion(_("Domains"), ", ".join(names)))
    if query.trl_min or query.trl_max:
        out.append(Criterion(_("TRL"), f"{query.trl_min or 1} - {query.trl_max or 9}"))
    if query.ip_status:
        out.append(Criterion(_("IP status"), ", ".join(IpStatus(v).label for v in query.ip_status)))
    if query.options:
        out.append(Criterion(_("Licensing"), ", ".join(LicensingOption(v).label for v in query.options)))
    if query.statuses:
        out.append(Criterion(_("Status"), ", ".join(TechnologyStatus(v).label for v in query.statuses)))
    return out


def domains_by_slug() -> dict[str, Domain]:
    return {d.slug: d for d in db.session.scalars(sa.select(Domain))}


# --- unsubscribe by link ------------------------------------------------------------------------


def unsubscribe_token(saved: SavedSearch) -> str:
    return tokens.make_token(UNSUBSCRIBE_PURPOSE, {"sid": saved.id, "uid": saved.user_id})


def saved_search_of_token(token: str) -> SavedSearch | None:
    """The saved search an unsubscribe link names, or None (forged, expired, or deleted since)."""
    data = tokens.read_token(UNSUBSCRIBE_PURPOSE, token, UNSUBSCRIBE_MAX_AGE)
    if not data or not isinstance(data.get("sid"), int):
        return None
    saved = db.session.get(SavedSearch, data["sid"])
    if saved is None or saved.user_id != data.get("uid"):
        return None
    return saved


# --- the digest job -----------------------------------------------------------------------------


@dataclass
class DigestReport:
    checked: int = 0
    sent: int = 0
    announced: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return (
            f"checked {self.checked} saved searches, sent {self.sent} digests "
            f"announcing {self.announced} technologies, failed {self.failed}"
        )


def is_due(saved: SavedSearch, now: datetime) -> bool:
    return saved.active and (
        saved.last_sent_at is None or saved.last_sent_at <= now - CADENCE[saved.frequency]
    )


def due_ids(now: datetime) -> list[int]:
    """Active saved searches never sent, or sent at least a day (daily) or a week (weekly) ago."""
    conditions = [SavedSearch.last_sent_at.is_(None)]
    for frequency, interval in CADENCE.items():
        conditions.append(
            sa.and_(SavedSearch.frequency == frequency, SavedSearch.last_sent_at <= now - interval)
        )
    return list(
        db.session.scalars(
            sa.select(SavedSearch.id)
            .where(SavedSearch.active.is_(True), sa.or_(*conditions))
            .order_by(SavedSearch.id)
        )
    )


def _candidate_ids(saved: SavedSearch, first_look: bool) -> list[int]:
    """Published technologies that became visible to this reader since the search was saved and
    that it has not announced. A reader without first look sees a technology when its window
    closes, so a window closing after the search was saved makes it new to them too."""
    since = saved.created_at
    new = Technology.published_at >= since
    if not first_look:
        new = sa.or_(new, Technology.first_look_until >= since)
    announced = sa.select(DigestEntry.technology_id).where(DigestEntry.saved_search_id == saved.id)
    return list(
        db.session.scalars(
            sa.select(Technology.id).where(
                Technology.status == TechnologyStatus.PUBLISHED,
                Technology.published_at.is_not(None),
                new,
                Technology.id.not_in(announced),
            )
        )
    )


def _record(saved: SavedSearch, technology_ids: list[int], now: datetime) -> set[int]:
    """Insert the digest entries (ON CONFLICT DO NOTHING); the ids this transaction inserted."""
    if not technology_ids:
        return set()
    dialect = sqlite if db.session.get_bind().dialect.name == "sqlite" else postgresql
    statement = (
        dialect.insert(DigestEntry)
        .values([{"saved_search_id": saved.id, "technology_id": i, "sent_at": now} for i in technology_ids])
        .on_conflict_do_nothing(index_elements=["saved_search_id", "technology_id"])
        .returning(DigestEntry.technology_id)
    )
    return set(db.session.scalars(statement))


def digest_for(saved_search_id: int, now: datetime | None = None) -> int:
    """Announce what is new for one saved search: returns how many technologies the email listed
    (0: nothing new, no email). Flushes; the caller commits."""
    now = now or utcnow()
    begin_write()  # SQLite: take the write lock first (a concurrent run waits, then finds them announced)
    saved = db.session.scalar(
        sa.select(SavedSearch)
        .where(SavedSearch.id == saved_search_id)
        .with_for_update(of=SavedSearch)
        .execution_options(populate_existing=True)  # a concurrent run's last_sent_at, not a stale copy
    )
    if saved is None or not is_due(saved, now):
        return 0
    user = db.session.get(User, saved.user_id)
    if user is None or not user.active:
        return 0
    viewer = viewer_context(user, today=now.date())
    candidates = _candidate_ids(saved, viewer.first_look)
    if not candidates:
        return 0
    query = replace(parse(saved.params), page=1)
    results = find(viewer, query, per_page=DIGEST_LIMIT, now=now, within_ids=candidates)
    inserted = _record(saved, [card.technology.id for card in results.cards], now)
    items = [
        {
            "title": card.technology.title,
            "benefit": card.technology.benefit,
            "reference": card.technology.reference,
            "url": link("catalog.detail", slug=card.technology.slug),
        }
        for card in results.cards
        if card.technology.id in inserted
    ]
    if not items:
        return 0
    saved.last_sent_at = now
    notify(
        [user.email],
        "saved_search_digest",
        subject=lazy_ngettext(
            "%(num)d new technology for your search “%(name)s”",
            "%(num)d new technologies for your search “%(name)s”",
            len(items),
            name=saved.name,
        ),
        name=saved.name,
        items=items,
        more=max(0, results.total - len(results.cards)),
        frequency=saved.frequency,
        search_url=link("catalog.index", **saved.params),
        manage_url=link("catalog.saved"),
        unsubscribe_url=link("catalog.unsubscribe", token=unsubscribe_token(saved)),
    )
    db.session.flush()
    return len(items)


def send_digests(now: datetime | None = None) -> DigestReport:
    """The job: every due saved search, one transaction each (committed here, so one failure
    loses nothing of the others and a second run after a crash resumes where this one stopped)."""
    now = now or utcnow()
    report = DigestReport()
    ids = due_ids(now)
    db.session.rollback()
    for saved_search_id in ids:
        report.checked += 1
        try:
            announced = digest_for(saved_search_id, now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("digest of saved search %s failed", saved_search_id)
            report.failed += 1
            continue
        if announced:
            report.sent += 1
            report.announced += announced
    return report
