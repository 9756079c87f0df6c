"""The audit log (append-only), filtered by action and actor, in words, paged by key: newest first,
or oldest first with `?sort=when`."""

from __future__ import annotations

from flask import render_template, request

from ...core.forms import bounded_int
from ...core.models import AuditEvent
from .. import audit_words, bp, queries, sorting_of
from ..paging import keyset

PER_PAGE = 50


def audit_filters() -> dict[str, str]:
    return {"action": request.args.get("action", "")[:64], "actor": request.args.get("actor", "")[:100]}


@bp.route("/audit")
def audit():
    filters, sorting = audit_filters(), sorting_of(queries.AUDIT_SORT)
    oldest_first = not sorting.descending
    stmt = queries.audit_query(filters["action"], filters["actor"], oldest_first)
    page = keyset(
        stmt,
        AuditEvent.id,
        bounded_int(request.args.get("before"), minimum=1),
        PER_PAGE,
        after=bounded_int(request.args.get("after"), minimum=0),
        oldest_first=oldest_first,
    )
    return render_template(
        "admin/audit/audit.html",
        page=page,
        entries=audit_words.describe(page.items),
        sorting=sorting,
        actions=[(name, audit_words.action_label(name)) for name in queries.audit_actions()],
        **filters,
    )
