"""Staff console pages. The whole blueprint is guarded once (see `guard_staff_blueprint`)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, has_request_context, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..agreements import services as agreement_services
from ..agreements.models import AgreementKind
from ..auth import services as accounts
from ..auth.models import PlatformRole, User
from ..core.countries import country_choices
from ..core.errors import DomainError
from ..core.forms import ConfirmForm
from ..core.models import AuditEvent
from ..core.permissions import guard_staff_blueprint
from ..extensions import db
from ..partners import services as partner_services
from ..partners.models import Organisation, OrganisationStatus
from . import services

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard_staff_blueprint(
    bp,
    admin_only_endpoints={
        "admin.tier_form",
        "admin.agreement_countersign",
        "admin.agreement_template_new",
        "admin.agreement_template_save",
        "admin.agreement_template_publish",
    },
)

PER_PAGE = 25


def _page() -> int:
    return request.args.get("page", 1, type=int) or 1


@bp.route("/")
def index():
    return render_template("admin/index.html", counts=services.dashboard_counts())


@bp.route("/users")
def users():
    filters = services.UserFilters(
        q=request.args.get("q", "")[:100],
        role=request.args.get("role", ""),
        status=request.args.get("status", ""),
    )
    page = db.paginate(services.users_query(filters), page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, filters=filters, roles=list(PlatformRole))


@bp.route("/users/<int:user_id>")
def user_detail(user_id: int):
    user = db.get_or_404(User, user_id)
    events = db.session.scalars(
        services.audit_query()
        .where(
            sa.or_(
                sa.and_(AuditEvent.target_type == "user", AuditEvent.target_id == user.id),
                AuditEvent.actor_id == user.id,
            )
        )
        .limit(20)
    ).all()
    return render_template("admin/user.html", user=user, events=events, confirm_form=ConfirmForm())


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


@bp.route("/organisations")
def organisations():
    filters = services.OrganisationFilters(
        q=request.args.get("q", "")[:100],
        country=request.args.get("country", ""),
        status=request.args.get("status", ""),
        owner=request.args.get("owner", ""),
    )
    page = db.paginate(
        services.organisations_query(filters), page=_page(), per_page=PER_PAGE, error_out=False
    )
    return render_template(
        "admin/organisations.html",
        page=page,
        member_counts=services.member_counts([o.id for o in page.items]),
        filters=filters,
        statuses=list(OrganisationStatus),
        countries=country_choices(),
    )


@bp.route("/organisations/<int:organisation_id>")
def organisation_detail(organisation_id: int):
    organisation = db.session.scalar(
        sa.select(Organisation)
        .where(Organisation.id == organisation_id)
        .options(selectinload(Organisation.users), selectinload(Organisation.account_owner))
    )
    if organisation is None:
        abort(404)
    events = db.session.scalars(
        services.audit_query().where(AuditEvent.organisation_id == organisation.id).limit(30)
    ).all()
    return render_template(
        "admin/organisation.html",
        organisation=organisation,
        events=events,
        staff=services.staff_members(),
        agreements=agreement_services.agreements_of(organisation, include_drafts=True),
        agreement_kinds=list(AgreementKind),
    )


@bp.route("/organisations/<int:organisation_id>/account-owner", methods=["POST"])
def assign_account_owner(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    officer_id = request.form.get("account_owner_id", type=int)
    officer = db.session.get(User, officer_id) if officer_id else None
    try:
        partner_services.assign_account_owner(current_user, organisation, officer)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(
            f"{officer.full_name} now looks after {organisation.display_name}."
            if officer
            else f"{organisation.display_name} has no account owner now.",
            "success",
        )
    return redirect(url_for("admin.organisation_detail", organisation_id=organisation.id))


@bp.app_context_processor
def _console_queues() -> dict:
    """Counts of work waiting on staff, shown in the console navigation."""
    if not has_request_context() or request.blueprint != "admin":
        return {}
    return {
        "queues": {
            "unassigned": services.unassigned_organisations(),
            "applications": services.applications_waiting(),
            "countersign": services.agreements_to_countersign(),
        }
    }


@bp.route("/audit")
def audit():
    action = request.args.get("action", "")[:64]
    actor = request.args.get("actor", "")[:100]
    page = db.paginate(services.audit_query(action, actor), page=_page(), per_page=50, error_out=False)
    return render_template(
        "admin/audit.html", page=page, action=action, actor=actor, actions=services.audit_actions()
    )
