"""The staff console: one blueprint (`bp`), guarded once; views live in `views/` by area.

Every console page needs a staff account with its second factor done; a view that only admins may use
carries `@admin_only` beside it. List queries live in `queries.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, current_app, has_request_context, request

from ..core.forms import bounded_int
from ..core.permissions import guard_staff_blueprint
from . import queries

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 25


def admin_only(view: F) -> F:
    """Only TTO admins (not staff) may use this console view; the blueprint's guard enforces it."""
    view.admin_only = True  # type: ignore[attr-defined]
    return view


def _needs_admin() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "admin_only", False))


guard_staff_blueprint(bp, needs_admin=_needs_admin)


def page_number() -> int:
    """The requested page, 1 for anything odd, at most 10,000 (deep pages of 25 are not browsed)."""
    return min(bounded_int(request.args.get("page"), minimum=1) or 1, 10_000)


@bp.app_context_processor
def _console_queues() -> dict:
    """Counts of work waiting on staff, shown in the console navigation."""
    if not has_request_context() or request.blueprint != "admin":
        return {}
    return {"queues": queries.console_queues()}


from .views import accounts, agreements, audit, bank, membership, organisations, overview  # noqa: E402, F401

__all__ = ["PER_PAGE", "admin_only", "bp", "page_number"]
