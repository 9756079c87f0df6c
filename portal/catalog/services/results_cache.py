"""A cache of rendered /technologies results, per app process, that is never stale.

The results part of the search page (facets, counts, cards, snippets, pages) depends only on the
reader's rung of the disclosure ladder (teaser or partner detail, first look or not), the query,
the language and the catalog itself. So it is rendered once per such key and kept in a small LRU
in the process; the parts that depend on the person (the navigation, the CSRF token of "save this
search") are rendered on every request around it.

Never stale in the process that made a change, and at most TOKEN_SECONDS (1 s) on the other
instances: the key carries `catalog_state.token`, which every change of a listing, a domain or a
directory entry replaces in the same transaction (the flush hook below). The token is read from
the database at most once a second per process (a commit that changed it forgets it at once), so a
hit usually costs no query at all. The one change that is not a write is time: a technology's
first look ends by the clock. So an entry lives at most `TTL_SECONDS`, and first-look readers and
the others never share entries.

A partner's entry can never serve a visitor: the ladder's rung is in the key, and the canary tests
in tests/catalog/test_results_cache.py check it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ...core.i18n import current_language
from ...extensions import db
from ..models import CatalogState, Domain, Researcher, Technology, TechnologyFile
from .ladder import Level, Viewer

TTL_SECONDS = 60.0
WATCHED = (Technology, Domain, Researcher, TechnologyFile)
SLOT = "<!--liaison:per-reader-->"  # where the page puts what belongs to the reader

_entries: OrderedDict[tuple, tuple[float, str]] = OrderedDict()
_lock = threading.Lock()
clock: Callable[[], float] = time.monotonic


TOKEN_SECONDS = 1.0
_token: list = [None, float("-inf")]  # [token, when it was read]


def token() -> str | None:
    """The catalog's token, read at most once a second per process: a cache hit then needs no
    database at all. A change committed in this process forgets it at once (the commit hook below);
    one committed by another instance is seen within TOKEN_SECONDS."""
    value, read_at = _token
    now = clock()
    if value is not None and now - read_at < TOKEN_SECONDS:
        return value
    value = db.session.scalar(sa.select(CatalogState.token).where(CatalogState.id == 1))
    _token[:] = [value, now]
    return value


def key_for(viewer: Viewer, params: dict[str, Any], state: str) -> tuple:
    rung = (viewer.level >= Level.PARTNER_DETAIL, viewer.first_look)
    flat = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return (state, rung, current_language(), flat)


def cached(viewer: Viewer, params: dict[str, Any], render: Callable[[], str]) -> str:
    """The rendered results for this reader's rung and query: from the cache, or `render()`d and
    kept. With `CATALOG_RESULTS_CACHE = 0` (or no state row) it always renders."""
    size = current_app.config.get("CATALOG_RESULTS_CACHE", 256)
    state = token() if size else None
    if state is None:
        return render()
    key = key_for(viewer, params, state)
    now = clock()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and now - entry[0] < TTL_SECONDS:
            _entries.move_to_end(key)
            return entry[1]
    html = render()
    with _lock:
        _entries[key] = (now, html)
        _entries.move_to_end(key)
        while len(_entries) > size:
            _entries.popitem(last=False)
    return html


def clear() -> None:
    with _lock:
        _entries.clear()
    _token[:] = [None, float("-inf")]


@sa.event.listens_for(Session, "after_flush")
def _catalog_changed(session: Session, _context: Any) -> None:
    """A flush that wrote a listing, a domain, a directory entry or a listing's file gives the
    catalog a new token, in the same transaction (committed with the change, or rolled back)."""
    changed = [*session.new, *session.deleted]
    changed += [obj for obj in session.dirty if session.is_modified(obj, include_collections=False)]
    if any(isinstance(obj, WATCHED) for obj in changed):
        session.execute(
            sa.update(CatalogState).where(CatalogState.id == 1).values(token=secrets.token_hex(16))
        )
        session.info["catalog_changed"] = True


@sa.event.listens_for(Session, "after_commit")
def _forget_the_token(session: Session) -> None:
    if session.info.pop("catalog_changed", False):
        _token[:] = [None, float("-inf")]


@sa.event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop("catalog_changed", None)
