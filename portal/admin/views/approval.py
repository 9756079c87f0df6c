"""Console pages for zero-touch membership: the denied-parties list, approval rules per tier,
revoking an automatic approval, and standing countersignatures."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ...agreements import services as agreements
from ...agreements.forms import ReasonForm, StandingCountersignatureForm
from ...agreements.models import AgreementTemplate, StandingCountersignature
from ...auth.models import User
from ...core.countries import country_choices
from ...core.errors import DomainError
from ...core.forms import apply_domain_error, bounded_int
from ...extensions import db
from ...membership import services as membership
from ...membership.forms import ApprovalRuleForm, DeniedPartyForm, RevokeApprovalForm
from ...membership.models import Application, ApprovalRule, DeniedParty
from .. import PER_PAGE, admin_only, bp, page_number, queries
from ..paging import paginate
from .membership import application_page

# --- denied parties ------------------------------------------------------------------------


def _denied_page(form: DeniedPartyForm | None = None, status: int = 200):
    form = form or DeniedPartyForm(formdata=None)
    form.country.choices = [("", "Any country"), *country_choices()]
    q = request.args.get("q", "")[:100]
    return render_template(
        "admin/approval/denied_parties.html",
        page=paginate(queries.denied_parties_query(q), page_number(), PER_PAGE),
        form=form,
        q=q,
    ), status


@bp.route("/denied-parties")
def denied_parties():
    return _denied_page()


@bp.route("/denied-parties/new", methods=["POST"])
@admin_only
def denied_party_add():
    form = DeniedPartyForm()
    if form.validate_on_submit():
        try:
            party = membership.add_denied_party(
                current_user,
                membership.DeniedPartyData(
                    name=form.name.data or "",
                    country=form.country.data or "",
                    number=form.number.data or "",
                    note=form.note.data or "",
                ),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"“{party}” is on the denied-parties list.", "success")
            return redirect(url_for("admin.denied_parties"))
    return _denied_page(form, 400)


@bp.route("/denied-parties/<int:party_id>/remove", methods=["POST"])
@admin_only
def denied_party_remove(party_id: int):
    party = db.get_or_404(DeniedParty, party_id)
    label = str(party)
    membership.remove_denied_party(current_user, party)
    db.session.commit()
    flash(f"“{label}” is off the denied-parties list.", "success")
    return redirect(url_for("admin.denied_parties"))


# --- approval rules ------------------------------------------------------------------------


@bp.route("/approval-rules")
def approval_rules():
    return render_template(
        "admin/approval/rules.html", page=paginate(queries.approval_rules_query(), page_number(), PER_PAGE)
    )


@bp.route("/approval-rules/new", methods=["GET", "POST"])
@bp.route("/approval-rules/<int:rule_id>", methods=["GET", "POST"])
@admin_only
def approval_rule_form(rule_id: int | None = None):
    rule = (
        db.get_or_404(
            ApprovalRule,
            rule_id,
            options=[joinedload(ApprovalRule.tier), joinedload(ApprovalRule.account_owner)],
        )
        if rule_id
        else None
    )
    form = ApprovalRuleForm(obj=rule) if rule else ApprovalRuleForm()
    form.tier.choices = {"": "Choose a tier…", **{str(t.id): t.name for t in queries.tiers_by_id().values()}}
    form.account_owner.choices = {
        "": "Choose an officer…",
        **{str(u.id): u.full_name for u in queries.staff_members()},
    }
    if rule and request.method == "GET":
        form.tier.data = str(rule.tier_id)
        form.account_owner.data = str(rule.account_owner_id or "")
    if form.validate_on_submit():
        try:
            saved = membership.save_rule(
                current_user,
                rule,
                membership.RuleData(
                    name=form.name.data,
                    tier_id=bounded_int(form.tier.data),
                    require_not_denied=form.require_not_denied.data,
                    require_tax_number=form.require_tax_number.data,
                    require_card=form.require_card.data,
                    account_owner_id=bounded_int(form.account_owner.data),
                    active=form.active.data,
                ),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"Approval rule “{saved.name}” saved.", "success")
            return redirect(url_for("admin.approval_rules"))
    return render_template("admin/approval/rule_form.html", form=form, rule=rule), (
        400 if request.method == "POST" else 200
    )


# --- revoking an automatic approval ----------------------------------------------------------


@bp.route("/applications/<int:application_id>/revoke", methods=["POST"])
def revoke_automatic_approval(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = RevokeApprovalForm()
    if form.validate_on_submit():
        try:
            membership.revoke_automatic_approval(current_user, application, form.reason.data)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash("The automatic approval is revoked; the application is back in the queue.", "success")
            return redirect(url_for("admin.application_detail", application_id=application.id))
    return application_page(db.get_or_404(Application, application_id), revoke=form, status=400)


# --- standing countersignatures ------------------------------------------------------------


def _standing_page(
    form: StandingCountersignatureForm | None = None,
    status: int = 200,
    revoke: ReasonForm | None = None,
    revoking: int | None = None,
):
    form = form or StandingCountersignatureForm(formdata=None)
    tiers = queries.tiers_by_id()
    form.template.choices = {
        "": "Choose a version…",
        **{str(t.id): str(t) for t in queries.published_templates()},
    }
    form.tier.choices = {"": "Choose a tier…", **{str(i): t.name for i, t in tiers.items()}}
    form.signer.choices = {
        "": "Choose an administrator…",
        **{str(u.id): u.full_name for u in queries.admins()},
    }
    return render_template(
        "admin/approval/standing.html",
        page=paginate(queries.standing_query(), page_number(), PER_PAGE),
        form=form,
        tiers=tiers,
        revoke_form=revoke or ReasonForm(formdata=None),
        revoking=revoking,  # the row whose refused reason comes back whole
        today=date.today(),
    ), status


@bp.route("/standing-countersignatures")
def standing_countersignatures():
    return _standing_page()


@bp.route("/standing-countersignatures/new", methods=["POST"])
@admin_only
def standing_give():
    form = StandingCountersignatureForm()
    if form.validate_on_submit():
        template_id, signer_id = bounded_int(form.template.data), bounded_int(form.signer.data)
        try:
            agreements.give_standing(
                current_user,
                db.session.get(AgreementTemplate, template_id) if template_id else None,
                bounded_int(form.tier.data) if bounded_int(form.tier.data) in queries.tiers_by_id() else None,
                db.session.get(User, signer_id) if signer_id else None,
                form.title.data or "",
                form.valid_until.data,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash("The standing countersignature is in force.", "success")
            return redirect(url_for("admin.standing_countersignatures"))
    return _standing_page(form, 400)


@bp.route("/standing-countersignatures/<int:standing_id>/revoke", methods=["POST"])
@admin_only
def standing_revoke(standing_id: int):
    standing = db.get_or_404(StandingCountersignature, standing_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            agreements.revoke_standing(current_user, standing, form.reason.data)
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(
                "The standing countersignature is revoked: agreements now wait for a countersignature.",
                "success",
            )
        return redirect(url_for("admin.standing_countersignatures"))
    flash(" ".join(map(str, form.reason.errors)) or "Give the reason: it stays on the record.", "danger")
    return _standing_page(status=400, revoke=form, revoking=standing.id)
