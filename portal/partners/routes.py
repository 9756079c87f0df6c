"""Partner pages: company sign-up, the organisation (profile, colleagues, invitations), invitations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import services as accounts
from ..auth.models import User
from ..auth.sessions import home_for, start_session
from ..core.errors import DomainError
from ..core.forms import ConfirmForm, apply_domain_error
from ..core.permissions import get_owned_or_404, org_role_required, partner_required
from ..extensions import db, limiter
from ..membership import services as membership
from . import invitations, services
from . import signup as signups
from .forms import ROLE_CHOICES, AcceptInvitationForm, InviteForm, OrganisationForm, RolesForm, SignupForm
from .models import Invitation, OrgRole

bp = Blueprint("partners", __name__)

OWNER = OrgRole.OWNER.value


def _organisation_page(profile_form=None, invite_form=None, status: int = 200):
    organisation = current_user.organisation
    is_owner = current_user.has_org_role(OWNER)
    people = services.members(organisation)
    limit = invitations.seat_limit(organisation)
    return render_template(
        "partners/organisation.html",
        organisation=organisation,
        members=people,
        invitations=invitations.open_invitations(organisation) if is_owner else [],
        is_owner=is_owner,
        profile_form=profile_form or OrganisationForm(obj=organisation, formdata=None),
        invite_form=invite_form or InviteForm(formdata=None),
        role_choices=ROLE_CHOICES,
        confirm_form=ConfirmForm(),
        seat_limit=limit,
        seats_used=invitations.seats_used(organisation) if is_owner else None,
    ), status


@bp.route("/organisation")
@partner_required
def organisation():
    form = OrganisationForm(obj=current_user.organisation, formdata=None)
    form.size_band.data = (
        current_user.organisation.size_band.value if current_user.organisation.size_band else ""
    )
    return _organisation_page(profile_form=form)


@bp.route("/organisation/profile", methods=["POST"])
@org_role_required(OWNER)
def update_profile():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            changed = services.update_profile(current_user, current_user.organisation, form.data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(_("Company profile saved.") if changed else _("Nothing to change."), "success")
            return redirect(url_for("partners.organisation"))
    return _organisation_page(profile_form=form, status=400)


@bp.route("/organisation/invitations", methods=["POST"])
@org_role_required(OWNER)
@limiter.limit("30 per hour")
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitations.invite(
                current_user,
                current_user.organisation,
                form.email.data,
                {OrgRole(r) for r in form.roles.data},
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            email = accounts.normalise_email(form.email.data)
            flash(_("Invitation sent to %(email)s.", email=email), "success")
            return redirect(url_for("partners.organisation"))
    return _organisation_page(invite_form=form, status=400)


@bp.route("/organisation/invitations/<int:invitation_id>/revoke", methods=["POST"])
@org_role_required(OWNER)
def revoke_invitation(invitation_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    invitation = get_owned_or_404(Invitation, invitation_id, current_user.organisation_id)
    try:
        invitations.revoke_invitation(current_user, invitation)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Invitation for %(email)s revoked.", email=invitation.email), "success")
    return redirect(url_for("partners.organisation"))


@bp.route("/organisation/members/<int:user_id>/roles", methods=["POST"])
@org_role_required(OWNER)
def change_roles(user_id: int):
    member = get_owned_or_404(User, user_id, current_user.organisation_id)
    form = RolesForm()
    if form.validate_on_submit():
        try:
            services.change_roles(current_user, member, {OrgRole(r) for r in form.roles.data})
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("Roles of %(name)s updated.", name=member.full_name), "success")
    else:
        flash(_("Choose at least one role."), "danger")
    return redirect(url_for("partners.organisation"))


@bp.route("/organisation/members/<int:user_id>/remove", methods=["POST"])
@org_role_required(OWNER)
def remove_member(user_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    member = get_owned_or_404(User, user_id, current_user.organisation_id)
    try:
        services.remove_member(current_user, member)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("%(name)s no longer has access.", name=member.full_name), "success")
    return redirect(url_for("partners.organisation"))


# --- company sign-up -------------------------------------------------------------------------------


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignupForm()
    tier = _chosen_tier(request.args.get("tier"))
    if form.validate_on_submit():
        data = signups.SignupData(
            legal_name=form.legal_name.data,
            country=form.country.data,
            full_name=form.full_name.data,
            job_title=form.job_title.data or "",
            email=form.email.data,
            password=form.password.data,
            then=url_for("membership.apply", tier=tier.slug) if tier else None,
        )
        try:
            signups.sign_up(data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            session["signup_email"] = accounts.normalise_email(form.email.data)
            return redirect(url_for("partners.signup_done"))
    return render_template(
        "partners/signup.html", form=form, tier=tier.slug if tier else None, chosen_tier=tier
    )


def _chosen_tier(slug: str | None):
    """The active tier picked on /tiers ("Start with Partner"), or None for anything else."""
    if not slug:
        return None
    return next((t for t in membership.active_tiers() if t.slug == slug[:64]), None)


@bp.route("/signup/check-email")
def signup_done():
    return render_template("auth/check_email.html", email=session.get("signup_email"))


# --- invitations ----------------------------------------------------------------------------


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def accept_invitation(token: str):
    try:
        invitation = invitations.open_invitation(token)
    except DomainError as exc:
        return render_template("auth/link_invalid.html", message=exc.message), 404
    if current_user.is_authenticated:
        return render_template("partners/invitation_signed_in.html", invitation=invitation)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept_invitation(
                token, form.full_name.data, form.job_title.data or "", form.password.data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            start_session(user, remember=False)
            db.session.commit()
            name = invitation.organisation.display_name
            flash(_("Welcome to %(organisation)s on Liaison.", organisation=name), "success")
            return redirect(url_for("main.dashboard"))
    return render_template("partners/accept_invitation.html", form=form, invitation=invitation)
