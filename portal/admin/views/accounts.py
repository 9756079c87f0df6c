"""Console pages for accounts: users, their audit trail, deactivation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ...auth import services as accounts
from ...auth.models import PlatformRole, User
from ...core.errors import DomainError
from ...core.forms import ConfirmForm
from ...core.models import AuditEvent
from ...extensions import db
from .. import PER_PAGE, audit_words, bp, page_number, queries, sorting_of
from ..paging import paginate


def user_filters() -> queries.UserFilters:
    return queries.UserFilters(
        q=request.args.get("q", "")[:100],
        role=request.args.get("role", "")[:40],
        status=request.args.get("status", "")[:40],
    )


@bp.route("/users")
def users():
    filters, sorting = user_filters(), sorting_of(queries.USER_SORT)
    page = paginate(queries.users_query(filters, sorting), page_number(), PER_PAGE)
    return render_template(
        "admin/accounts/users.html", page=page, filters=filters, sorting=sorting, roles=list(PlatformRole)
    )


@bp.route("/users/<int:user_id>")
def user_detail(user_id: int):
    user = db.get_or_404(User, user_id, options=[joinedload(User.organisation)])
    events = db.session.scalars(
        queries.audit_query()
        .where(
            sa.or_(
                sa.and_(AuditEvent.target_type == "user", AuditEvent.target_id == user.id),
                AuditEvent.actor_id == user.id,
            )
        )
        .limit(20)
    ).all()
    return render_template(
        "admin/accounts/user.html", user=user, events=audit_words.describe(events), confirm_form=ConfirmForm()
    )


@bp.route("/users/<int:user_id>/<any(deactivate, reactivate):action>", methods=["POST"])
def set_user_active(user_id: int, action: str):
    user = db.get_or_404(User, user_id)
    try:
        accounts.set_active(current_user, user, active=(action == "reactivate"))
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(
            f"{user.email} is {'active again' if action == 'reactivate' else 'deactivated and signed out'}.",
            "success",
        )
    return redirect(url_for("admin.user_detail", user_id=user.id))
