"""The signed-in user, loaded once per request with everything the guard, the navigation and the
pages read about them, in one query.

Auth knows only the user; the areas above add what they attach to it (partners: the organisation
and the roles held there; membership: the organisation's membership and tier) as loader options
when their models are imported. `load_viewer` runs them all in one SELECT; Flask-Login keeps the
result for the rest of the request, so nothing about the viewer is loaded twice.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..extensions import db
from .models import User

_options: list[Any] = []
_statement: list[sa.Select] = []  # built once: SQLAlchemy then reuses its cache key (~0.4 ms a request)


def add_viewer_options(*options: Any) -> None:
    """Loader options (joinedload ...) for what a higher area attaches to the user."""
    _options.extend(options)
    _statement.clear()


def load_viewer(user_id: int) -> User | None:
    if not _statement:
        _statement.append(sa.select(User).where(User.id == sa.bindparam("user_id")).options(*_options))
    return db.session.execute(_statement[0], {"user_id": user_id}).unique().scalar_one_or_none()
