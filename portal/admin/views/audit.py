"""The audit log (append-only), filtered by action and actor, newest first, paged by key."""

from __future__ import annotations

from flask import render_template, request

from ...core.forms import bounded_int
from ...core.models import AuditEvent
from .. import bp, queries
from ..paging import keyset

PER_PAGE = 50


@bp.route("/audit")
def audit():
    action = request.args.get("action", "")[:64]
    actor = request.args.get("actor", "")[:100]
    before = bounded_int(request.args.get("before"), minimum=1)
    stmt = queries.audit_query(action, actor)
    page = keyset(stmt, AuditEvent.id, before, PER_PAGE)
    return render_template(
        "admin/audit/audit.html", page=page, action=action, actor=actor, actions=queries.audit_actions()
    )
