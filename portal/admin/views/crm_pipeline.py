"""Console pages of the acquisition pipeline (issue 13): the board by stage (moves without
JavaScript), the list with filters, sorting and its CSV export, one prospect (edit, moves, link to
an organisation), sign-ups to add, and the collaboration models shown at /collaborate."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Optional

from ...challenges.forms import optional_int
from ...core.countries import country_choices
from ...core.errors import DomainError
from ...core.forms import AmountField, BoundedIntegerField, DayField, Limit, apply_domain_error, valid_country
from ...core.models import AuditEvent
from ...core.widgets import FastSelect
from ...crm.forms import choices
from ...crm.forms_relations import InteractionForm
from ...crm.models import (
    CollaborationModel,
    Interaction,
    InteractionKind,
    Prospect,
    ProspectSource,
    ProspectStage,
)
from ...crm.services import collaboration_models as models_service
from ...crm.services import pipeline as crm
from ...crm.services import relations
from ...crm.services.pipeline import CURRENCIES, OPEN_STAGES
from ...extensions import db
from ...membership.models import Tier
from ...partners.models import Organisation
from .. import PER_PAGE, admin_only, audit_words, bp, page_number, queries, sorting_of
from ..export import amount, csv_export
from ..paging import paginate
from ..sorting import SortSpec

# --- forms ------------------------------------------------------------------------------------------


def _stage_choices(stages) -> list[SelectChoice]:
    return choices((s.value, s.label) for s in stages)


class ProspectForm(FlaskForm):
    company = StringField("Company", validators=[DataRequired("Enter the company's name."), Limit(200)])
    country = SelectField(
        "Country", validators=[Optional(), valid_country], validate_choice=False, widget=FastSelect()
    )
    website = StringField(
        "Website", validators=[Optional(), Limit(255)], description="For example acme.example."
    )
    contact_name = StringField("Contact", validators=[Optional(), Limit(120)])
    contact_email = StringField(
        "Contact email", validators=[Optional(), Email("Enter a valid email address."), Limit(254)]
    )
    interest = StringField("Interest", validators=[Optional(), Limit(200)])
    message = TextAreaField("Notes", validators=[Optional(), Limit(4000)])
    stage = SelectField("Stage", choices=_stage_choices(OPEN_STAGES), default=ProspectStage.IDENTIFIED.value)
    source = SelectField(
        "Source",
        choices=choices((s.value, s.label) for s in ProspectSource if s is not ProspectSource.ENQUIRY),
        default=ProspectSource.STAFF.value,
    )
    model_id = SelectField(
        "Collaboration model", coerce=optional_int, validators=[Optional()], validate_choice=False
    )
    expected_tier_id = SelectField(
        "Expected tier", coerce=optional_int, validators=[Optional()], validate_choice=False
    )
    expected_value = AmountField(
        "Expected value", validators=[Optional()], description="Per year, or for the deal."
    )
    currency = SelectField("Currency", choices=choices((c, c) for c in CURRENCIES), default="EUR")
    owner_id = SelectField("Owner", coerce=optional_int, validators=[Optional()], validate_choice=False)
    next_action = StringField("Next action", validators=[Optional(), Limit(200)])
    next_action_on = DayField("Next action on", validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = {"": "No country", **dict(country_choices())}


class MoveForm(FlaskForm):
    stage = SelectField(
        "Move to", validators=[DataRequired("Choose the stage to move to.")], validate_choice=False
    )
    reason = StringField(
        "Reason (when lost)",
        validators=[Optional(), Limit(500)],
        description="Needed when the prospect is lost: price, timing, chose a competitor …",
    )


class LinkForm(FlaskForm):
    organisation_id = BoundedIntegerField("Organisation number", validators=[Optional()])


class SignupProspectForm(FlaskForm):
    organisation_id = BoundedIntegerField("Organisation", validators=[Optional()])


class CollaborationModelForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."), Limit(120)])
    slug = StringField(
        "Address",
        validators=[DataRequired("Enter the page's address."), Limit(80)],
        description="The page's address: /collaborate/<address>. Lower-case letters, digits and hyphens.",
    )
    summary = TextAreaField(
        "Summary", validators=[Optional(), Limit(500)], description="One or two sentences."
    )
    suits = TextAreaField("Who it suits", validators=[Optional(), Limit(2000)])
    duration = StringField("Typical duration", validators=[Optional(), Limit(200)])
    cost = StringField("Typical cost", validators=[Optional(), Limit(200)])
    partner_gets = TextAreaField("What the partner gets", validators=[Optional(), Limit(2000)])
    example = TextAreaField("An example", validators=[Optional(), Limit(2000)])
    display_order = BoundedIntegerField("Order", validators=[Optional()], default=0)
    published = BooleanField("Published on /collaborate", default=True)


PROSPECT_SORT = SortSpec(
    {
        "updated": Prospect.updated_at,
        "created": Prospect.created_at,
        "company": Prospect.name_key,
        "stage": Prospect.stage,
        "value": Prospect.expected_value_cents,
        "next": Prospect.next_action_on,
    },
    "-updated",
    Prospect.id,
)


def prospect_filters() -> crm.ProspectFilters:
    return crm.ProspectFilters(
        stage=request.args.get("stage", "")[:20],
        owner=request.args.get("owner", "")[:12],
        model=request.args.get("model", "")[:12],
        source=request.args.get("source", "")[:20],
        q=request.args.get("q", "")[:100],
    )


def _choices() -> dict:
    return {
        "staff": queries.staff_members(),
        "models": crm.collaboration_models(),
        "stages": list(crm.BOARD_STAGES),
        "sources": list(ProspectSource),
    }


@bp.route("/pipeline")
def pipeline_board():
    filters = prospect_filters()
    signups_total, signups = crm.signup_suggestions()
    return render_template(
        "admin/crm/pipeline/board.html",
        filters=filters,
        cards=crm.board(filters),
        totals=crm.board_totals(filters),
        signups=signups,
        signups_total=signups_total,
        closed_limit=crm.BOARD_CLOSED_LIMIT,
        transitions=crm.TRANSITIONS,
        today=date.today(),
        **_choices(),
    )


@bp.route("/prospects")
def prospects():
    filters, sorting = prospect_filters(), sorting_of(PROSPECT_SORT)
    page = paginate(PROSPECT_SORT.apply(crm.prospects_query(filters), sorting), page_number(), PER_PAGE)
    return render_template(
        "admin/crm/pipeline/list.html",
        page=page,
        sorting=sorting,
        filters=filters,
        today=date.today(),
        **_choices(),
    )


@bp.route("/prospects.csv")
def prospects_export():
    filters, sorting = prospect_filters(), sorting_of(PROSPECT_SORT)
    return csv_export(
        "prospects",
        PROSPECT_SORT.apply(crm.prospects_query(filters), sorting),
        [
            "Company",
            "Country",
            "Stage",
            "Lost reason",
            "Collaboration model",
            "Source",
            "Expected value",
            "Currency",
            "Owner",
            "Contact",
            "Contact email",
            "Next action",
            "Next action on",
            "Organisation",
            "Created",
            "Updated",
        ],
        lambda rows: (
            [
                p.company,
                p.country,
                p.stage.label,
                p.lost_reason,
                p.model.title if p.model else "",
                p.source.label,
                amount(p.expected_value_cents),
                p.currency,
                p.owner.full_name if p.owner else "",
                p.contact_name,
                p.contact_email,
                p.next_action,
                p.next_action_on,
                p.organisation.legal_name if p.organisation else "",
                p.created_at,
                p.updated_at,
            ]
            for p in rows
        ),
        asdict(filters),
        sorting.param,
    )


# --- one prospect ---------------------------------------------------------------------------------


def _prospect_or_404(prospect_id: int) -> Prospect:
    prospect = crm.load_prospect(prospect_id)
    if prospect is None:
        abort(404)
    return prospect


def _form_choices(form: ProspectForm, staff, models) -> None:
    form.model_id.choices = choices([("", "No model yet"), *((m.id, m.title) for m in models)])
    form.owner_id.choices = choices([("", "Nobody"), *((u.id, u.full_name) for u in staff)])
    tiers = db.session.scalars(sa.select(Tier).order_by(Tier.display_order, Tier.id)).all()
    form.expected_tier_id.choices = choices([("", "No tier"), *((t.id, t.name) for t in tiers)])


def _edit_form(prospect: Prospect) -> ProspectForm:
    return ProspectForm(
        formdata=None,
        company=prospect.company,
        country=prospect.country,
        website=prospect.website,
        contact_name=prospect.contact_name,
        contact_email=prospect.contact_email,
        interest=prospect.interest,
        message=prospect.message,
        model_id=prospect.model_id,
        expected_tier_id=prospect.expected_tier_id,
        expected_value=Decimal(prospect.expected_value_cents) / 100
        if prospect.expected_value_cents
        else None,
        currency=prospect.currency,
        owner_id=prospect.owner_id,
        next_action=prospect.next_action,
        next_action_on=prospect.next_action_on,
    )


def _move_form(prospect: Prospect, form: MoveForm | None = None) -> MoveForm:
    form = form or MoveForm(formdata=None)
    form.stage.choices = choices(
        [("", "Choose a stage"), *((s.value, s.label) for s in crm.allowed_targets(prospect))]
    )
    return form


def _detail(prospect: Prospect, status: int = 200, **forms):
    staff, models = queries.staff_members(), crm.collaboration_models()
    edit_form = forms.get("edit_form") or _edit_form(prospect)
    _form_choices(edit_form, staff, models)
    events = db.session.scalars(
        queries.audit_query()
        .where(AuditEvent.target_type == "prospect", AuditEvent.target_id == prospect.id)
        .limit(30)
    ).all()
    interactions = db.session.scalars(
        sa.select(Interaction)
        .where(Interaction.prospect_id == prospect.id)
        .options(joinedload(Interaction.created_by))
        .order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "admin/crm/pipeline/detail.html",
        prospect=prospect,
        interactions=interactions,
        interaction_form=forms.get("interaction_form")
        or InteractionForm(formdata=None, occurred_on=date.today()),
        edit_form=edit_form,
        move_form=_move_form(prospect, forms.get("move_form")),
        link_form=forms.get("link_form") or LinkForm(formdata=None),
        suggestions=crm.link_suggestions(prospect),
        progress=crm.membership_progress(prospect)
        if prospect.model is not None and prospect.model.is_membership
        else None,
        events=audit_words.describe(events),
        today=date.today(),
    ), status


@bp.route("/prospects/<int:prospect_id>")
def prospect_detail(prospect_id: int):
    return _detail(_prospect_or_404(prospect_id))


def _data(form: ProspectForm, source: ProspectSource) -> crm.ProspectData:
    value = form.expected_value.data
    return crm.ProspectData(
        company=form.company.data or "",
        country=form.country.data or "",
        website=form.website.data or "",
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        interest=form.interest.data or "",
        message=form.message.data or "",
        source=source,
        model_id=form.model_id.data,
        expected_tier_id=form.expected_tier_id.data,
        expected_value_cents=int(value * 100) if value is not None else 0,
        currency=form.currency.data or "EUR",
        owner_id=form.owner_id.data,
        next_action=form.next_action.data or "",
        next_action_on=form.next_action_on.data,
    )


@bp.route("/prospects/<int:prospect_id>/interactions", methods=["POST"])
def prospect_interaction(prospect_id: int):
    """Log a meeting, call, email, event or visit with a prospect (on the organisation's timeline
    too once the prospect is linked)."""
    prospect = _prospect_or_404(prospect_id)
    form = InteractionForm()
    if form.validate_on_submit():
        try:
            relations.log_interaction(
                current_user,
                None,
                prospect=prospect,
                kind=InteractionKind(form.kind.data),
                occurred_on=form.occurred_on.data,
                attendees=form.attendees.data or "",
                summary=form.summary.data or "",
                follow_up=form.follow_up.data or "",
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"{InteractionKind(form.kind.data).label} logged with {prospect.company}.", "success")
            return redirect(url_for("admin.prospect_detail", prospect_id=prospect.id, _anchor="interactions"))
    return _detail(prospect, 400, interaction_form=form)


@bp.route("/prospects/new", methods=["GET", "POST"])
def prospect_new():
    staff, models = queries.staff_members(), crm.collaboration_models()
    form = ProspectForm(owner_id=current_user.id) if request.method == "GET" else ProspectForm()
    _form_choices(form, staff, models)
    status = 200
    if form.validate_on_submit():
        try:
            prospect = crm.create_prospect(
                current_user,
                _data(form, ProspectSource(form.source.data)),
                stage=ProspectStage(form.stage.data),
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"{prospect.company} is in the pipeline.", "success")
            return redirect(url_for("admin.prospect_detail", prospect_id=prospect.id))
    if request.method == "POST":
        status = 400
    return render_template("admin/crm/pipeline/new.html", form=form), status


@bp.route("/prospects/<int:prospect_id>/edit", methods=["POST"])
def prospect_edit(prospect_id: int):
    prospect = _prospect_or_404(prospect_id)
    form = ProspectForm()
    _form_choices(form, [], [])
    if form.validate_on_submit():
        try:
            changes = crm.update_prospect(current_user, prospect, _data(form, prospect.source))
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            return _detail(_prospect_or_404(prospect_id), 400, edit_form=form)
        db.session.commit()
        flash("Saved." if changes else "Nothing changed.", "success")
        return redirect(url_for("admin.prospect_detail", prospect_id=prospect_id))
    return _detail(prospect, 400, edit_form=form)


@bp.route("/prospects/<int:prospect_id>/move", methods=["POST"])
def prospect_move(prospect_id: int):
    prospect = _prospect_or_404(prospect_id)
    form = _move_form(prospect, MoveForm())
    from_board = request.form.get("back") == "board"
    if form.validate_on_submit():
        try:
            target = ProspectStage(form.stage.data)
            crm.move(current_user, prospect, target, form.reason.data or "")
        except ValueError:
            form.stage.errors.append("Choose the stage to move to.")
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            prospect = _prospect_or_404(prospect_id)
        else:
            db.session.commit()
            flash(f"{prospect.company} is now at {prospect.stage.label.lower()}.", "success")
            if from_board:
                return redirect(url_for("admin.pipeline_board", _anchor=f"prospect-{prospect.id}"))
            return redirect(url_for("admin.prospect_detail", prospect_id=prospect_id))
    return _detail(prospect, 400, move_form=form)


@bp.route("/prospects/<int:prospect_id>/link", methods=["POST"])
def prospect_link(prospect_id: int):
    prospect = _prospect_or_404(prospect_id)
    form = LinkForm()
    if form.validate_on_submit() and form.organisation_id.data is not None:
        organisation = db.session.get(Organisation, form.organisation_id.data)
        if organisation is None:
            form.organisation_id.errors.append("There is no organisation with this number.")
            return _detail(prospect, 400, link_form=form)
        try:
            crm.link(current_user, prospect, organisation)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(f"{prospect.company} is linked to {organisation.display_name}.", "success")
        return redirect(url_for("admin.prospect_detail", prospect_id=prospect_id, _anchor="organisation"))
    if not form.organisation_id.errors:
        form.organisation_id.errors.append("Choose the organisation to link.")
    return _detail(prospect, 400, link_form=form)


@bp.route("/prospects/<int:prospect_id>/unlink", methods=["POST"])
def prospect_unlink(prospect_id: int):
    prospect = _prospect_or_404(prospect_id)
    try:
        crm.unlink(current_user, prospect)
    except DomainError as exc:
        flash(exc.message, "danger")
        return _detail(prospect, 400)
    else:
        db.session.commit()
        flash(f"{prospect.company} is no longer linked to an organisation.", "success")
    return redirect(url_for("admin.prospect_detail", prospect_id=prospect_id, _anchor="organisation"))


@bp.route("/pipeline/signups", methods=["POST"])
def prospect_from_signup():
    form = SignupProspectForm()
    organisation = (
        db.session.get(Organisation, form.organisation_id.data)
        if form.validate_on_submit() and form.organisation_id.data is not None
        else None
    )
    if organisation is None:
        flash("Choose an organisation that signed up.", "danger")
        return redirect(url_for("admin.pipeline_board"))
    try:
        prospect = crm.prospect_from_signup(current_user, organisation, owner_id=current_user.id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("admin.pipeline_board"))
    db.session.commit()
    flash(f"{prospect.company} is in the pipeline, linked to its organisation.", "success")
    return redirect(url_for("admin.prospect_detail", prospect_id=prospect.id))


# --- collaboration models -------------------------------------------------------------------------


@bp.route("/collaboration-models")
def collaboration_models():
    counts = dict(
        db.session.execute(
            sa.select(Prospect.model_id, sa.func.count(Prospect.id))
            .where(Prospect.model_id.is_not(None))
            .group_by(Prospect.model_id)
        ).all()
    )
    return render_template("admin/crm/pipeline/models.html", models=crm.collaboration_models(), counts=counts)


def _model_form_page(form: CollaborationModelForm, model: CollaborationModel | None, status: int = 200):
    return render_template("admin/crm/pipeline/model_form.html", form=form, model=model), status


def _save_model(form: CollaborationModelForm, model: CollaborationModel | None):
    if not form.validate_on_submit():
        return _model_form_page(form, model, 400 if request.method == "POST" else 200)
    try:
        saved = models_service.save_model(
            current_user,
            model,
            models_service.ModelData(
                slug=form.slug.data,
                title=form.title.data,
                summary=form.summary.data or "",
                suits=form.suits.data or "",
                duration=form.duration.data or "",
                cost=form.cost.data or "",
                partner_gets=form.partner_gets.data or "",
                example=form.example.data or "",
                display_order=form.display_order.data or 0,
                published=form.published.data,
            ),
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _model_form_page(form, model, 400)
    db.session.commit()
    flash(f"“{saved.title}” saved.", "success")
    return redirect(url_for("admin.collaboration_models"))


@bp.route("/collaboration-models/new", methods=["GET", "POST"])
@admin_only
def collaboration_model_new():
    return _save_model(CollaborationModelForm(), None)


@bp.route("/collaboration-models/<int:collaboration_model_id>", methods=["GET", "POST"])
@admin_only
def collaboration_model_edit(collaboration_model_id: int):
    model = db.session.get(CollaborationModel, collaboration_model_id)
    if model is None:
        abort(404)
    form = CollaborationModelForm(obj=model) if request.method == "GET" else CollaborationModelForm()
    return _save_model(form, model)
