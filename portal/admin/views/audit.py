"""The audit log (append-only), filtered by action and actor."""

from __future__ import annotations

from flask import render_template, request

from ...extensions import db
from .. import bp, page_number, queries


@bp.route("/audit")
def audit():
    action = request.args.get("action", "")[:64]
    actor = request.args.get("actor", "")[:100]
    page = db.paginate(queries.audit_query(action, actor), page=page_number(), per_page=50, error_out=False)
    return render_template(
        "admin/audit/audit.html", page=page, action=action, actor=actor, actions=queries.audit_actions()
    )
