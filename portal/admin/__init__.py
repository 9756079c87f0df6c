"""The staff console: one blueprint (`bp`), guarded once; views live in `views/` by area.

Every console page needs a staff account with its second factor done; a view that only admins may use
carries `@admin_only` beside it. List queries live in `queries.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, current_app, has_request_context, request, url_for

from ..core.forms import bounded_int
from ..core.permissions import guard_staff_blueprint
from . import queries
from .sorting import Sorting, SortSpec

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


def sorting_of(spec: SortSpec) -> Sorting:
    """The order asked for with `?sort=`; an unknown key gives the list's default order."""
    return spec.parse(request.args.get("sort", "")[:40])


PAGING_ARGS = ("page", "before", "after")


@bp.context_processor
def _list_links() -> dict:
    def list_url(**changes: str | None) -> str:
        """This page's address with some arguments changed (None removes one); a new order or
        filter starts again from the first page."""
        args = {k: v for k, v in request.args.items(multi=True) if k not in changes and k not in PAGING_ARGS}
        args.update({k: v for k, v in changes.items() if v is not None})
        return f"{request.path}?{urlencode(args)}" if args else request.path

    def export_url(endpoint: str) -> str:
        """The CSV export of this list, with its filters and order."""
        args = {k: v for k, v in request.args.items() if k not in PAGING_ARGS}
        return url_for(endpoint, **args)

    return {"list_url": list_url, "export_url": export_url}


from .views import (  # noqa: E402, F401
    accounts,
    agreements,
    approval,
    audit,
    bank,
    catalog,
    challenges,
    crm_pipeline,
    crm_relations,
    exports,
    innovation,
    kpis,
    leads,
    licensing,
    lineage,
    matching,
    membership,
    organisations,
    overview,
    search,
)

__all__ = ["PER_PAGE", "admin_only", "bp", "page_number", "sorting_of"]
