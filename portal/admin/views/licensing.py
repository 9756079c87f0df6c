"""Console pages of licences and spin-offs (issue 14): the licence register (filters: status,
organisation, technology) with the executed term sheets still waiting for their licence, a licence
(terms, milestones, reporting duties, status, history), the licence form (new, from a term sheet,
edit); the spin-off list, a spin-off (founders, rounds, the partner organisation) and its form.
Every action is audited by the services."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload, selectinload
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from ...agreements.models import Agreement
from ...catalog.models import Lead, Researcher, Technology
from ...challenges.forms import optional_int
from ...core.countries import country_choices
from ...core.errors import DomainError
from ...core.forms import AmountField, BoundedIntegerField, DayField, Limit, apply_domain_error, bounded_int
from ...core.models import AuditEvent
from ...extensions import db
from ...innovation.forms_licensing import PercentField
from ...innovation.models.licensing import (
    CURRENCIES,
    Exclusivity,
    Licence,
    LicenceStatus,
    ReportFrequency,
    SpinOff,
    SpinOffStatus,
)
from ...innovation.services import licences as licence_services
from ...innovation.services import reporting
from ...innovation.services import spinoffs as spinoff_services
from ...partners.models import Organisation
from .. import PER_PAGE, audit_words, bp, page_number, queries
from ..paging import paginate

# --- forms (the console is English) -----------------------------------------------------------


class LicenceForm(FlaskForm):
    organisation_id = SelectField(
        "Licensee organisation",
        coerce=optional_int,
        validators=[DataRequired("Choose the licensee organisation.")],
        validate_choice=False,
    )
    technology_id = SelectField(
        "Technology",
        coerce=optional_int,
        validators=[DataRequired("Choose the licensed technology.")],
        validate_choice=False,
    )
    ip_rights = TextAreaField(
        "IP rights licensed",
        validators=[Optional(), Limit(5000)],
        description="Patents, applications, software, know-how: as the licence names them.",
    )
    patent_family_id = BoundedIntegerField(
        "Patent family number", validators=[Optional()], description="The IP record's id, when there is one."
    )
    field_of_use = StringField("Field of use", validators=[Optional(), Limit(200)])
    territory = StringField("Territory", validators=[Optional(), Limit(200)])
    exclusivity = SelectField(
        "Exclusivity", choices={e.value: e.label for e in Exclusivity}, validators=[DataRequired()]
    )
    start_on = DayField("Starts on", validators=[DataRequired("Enter the day the licence starts.")])
    end_on = DayField(
        "Ends on", validators=[Optional()], description="Leave empty for an open-ended licence."
    )
    currency = SelectField("Currency", choices={c: c for c in CURRENCIES}, validators=[DataRequired()])
    upfront_fee = AmountField("Upfront fee", validators=[Optional()], description="For example 15 000.00")
    royalty_rate = PercentField(
        "Royalty rate (% of net sales)", validators=[Optional()], description="For example 3.5"
    )
    minimum_annual_royalty = AmountField("Minimum annual royalty", validators=[Optional()])
    report_frequency = SelectField(
        "Royalty reports",
        choices={f.value: f.label for f in ReportFrequency},
        default=ReportFrequency.HALF_YEARLY.value,
        validators=[DataRequired()],
        description="Each period's report is due 30 days after the period ends.",
    )
    officer_id = SelectField(
        "Responsible officer",
        coerce=optional_int,
        validators=[Optional()],
        validate_choice=False,
        description="Receives the reporting reminders with the licensee. Default: the account owner.",
    )
    notes = TextAreaField("Internal notes", validators=[Optional(), Limit(5000)])


class LicenceStatusForm(FlaskForm):
    status = SelectField("New status", validators=[DataRequired("Choose the new status.")])
    note = TextAreaField("Note", validators=[Optional(), Limit(2000)], description="Kept in the history.")


class MilestoneForm(FlaskForm):
    description = StringField("Milestone", validators=[DataRequired("Describe the milestone."), Limit(300)])
    amount = AmountField("Amount", validators=[Optional()])
    due_on = DayField("Due on", validators=[Optional()])


class RowForm(FlaskForm):
    """A button acting on one row of a list (its id in a hidden field)."""

    row_id = HiddenField()


class SpinOffForm(FlaskForm):
    name = StringField("Company name", validators=[DataRequired("Enter the company's name."), Limit(200)])
    founder_ids = SelectMultipleField(
        "Founders", coerce=int, validate_choice=False, description="Researchers from the directory."
    )
    incorporated_on = DayField("Incorporated on", validators=[Optional()])
    licence_id = SelectField("Licence", coerce=optional_int, validators=[Optional()], validate_choice=False)
    technology_id = SelectField(
        "Technology",
        coerce=optional_int,
        validators=[Optional()],
        validate_choice=False,
        description="The licence's technology when a licence is chosen.",
    )
    equity_percent = PercentField("Equity held by the institution (%)", places=2, validators=[Optional()])
    support = TextAreaField(
        "Support received",
        validators=[Optional(), Limit(5000)],
        description="Incubation, proof-of-concept funds, coaching, space.",
    )
    status = SelectField(
        "Status", choices={s.value: s.label for s in SpinOffStatus}, validators=[DataRequired()]
    )


class FundingRoundForm(FlaskForm):
    closed_on = DayField("Closed on", validators=[DataRequired("Enter the day the round closed.")])
    round = StringField(
        "Round", validators=[DataRequired("Name the round (for example Seed or Series A)."), Limit(80)]
    )
    amount = AmountField("Amount", validators=[InputRequired("Enter the amount raised.")])
    currency = SelectField("Currency", choices={c: c for c in CURRENCIES}, validators=[DataRequired()])
    investors = TextAreaField("Investors", validators=[Optional(), Limit(2000)])


class BecomePartnerForm(FlaskForm):
    organisation_id = SelectField(
        "Existing organisation",
        coerce=optional_int,
        validators=[Optional()],
        validate_choice=False,
        description="Leave empty to create a new organisation with the spin-off's name.",
    )
    country = SelectField("Country of registration", validators=[Optional()], validate_choice=False)


# --- choices (one query each) -----------------------------------------------------------------


def _organisation_choices(empty: str) -> list[tuple]:
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.legal_name).order_by(Organisation.legal_name, Organisation.id)
    )
    return [("", empty)] + [(i, name) for i, name in rows]


def _technology_choices(empty: str) -> list[tuple]:
    rows = db.session.execute(
        sa.select(Technology.id, Technology.reference, Technology.title).order_by(Technology.reference)
    )
    return [("", empty)] + [(i, f"{ref} {title}") for i, ref, title in rows]


def _officer_choices() -> list[tuple]:
    return [("", "The organisation's account owner")] + [(u.id, u.full_name) for u in queries.staff_members()]


# --- the licence register -----------------------------------------------------------------


@bp.route("/licences")
def licences():
    status = request.args.get("status", "")[:20]
    organisation = bounded_int(request.args.get("organisation"), minimum=1)
    technology = bounded_int(request.args.get("technology"), minimum=1)
    stmt = (
        sa.select(Licence)
        .options(
            joinedload(Licence.organisation), joinedload(Licence.technology), joinedload(Licence.officer)
        )
        .order_by(Licence.created_at.desc(), Licence.id.desc())
    )
    if status in {s.value for s in LicenceStatus}:
        stmt = stmt.where(Licence.status == LicenceStatus(status))
    if organisation:
        stmt = stmt.where(Licence.organisation_id == organisation)
    if technology:
        stmt = stmt.where(Licence.technology_id == technology)
    page = paginate(stmt, page_number(), PER_PAGE)
    licensees = db.session.execute(
        sa.select(Organisation.id, Organisation.legal_name)
        .where(Organisation.id.in_(sa.select(Licence.organisation_id)))
        .order_by(Organisation.legal_name)
    ).all()
    licensed = db.session.execute(
        sa.select(Technology.id, Technology.reference, Technology.title)
        .where(Technology.id.in_(sa.select(Licence.technology_id)))
        .order_by(Technology.reference)
    ).all()
    return render_template(
        "admin/licensing/licences.html",
        page=page,
        statuses=list(LicenceStatus),
        status=status,
        organisation=organisation,
        technology=technology,
        licensees=licensees,
        licensed=licensed,
        waiting=licence_services.term_sheets_waiting(),
    )


def _licence_or_404(licence_id: int) -> Licence:
    licence = db.session.scalar(
        sa.select(Licence)
        .where(Licence.id == licence_id)
        .options(
            joinedload(Licence.organisation),
            joinedload(Licence.technology),
            joinedload(Licence.officer),
            joinedload(Licence.term_sheet),
            joinedload(Licence.lead),
            selectinload(Licence.milestones),
            selectinload(Licence.reports),
        )
    )
    if licence is None:
        abort(404)
    return licence


def _licence_page(licence: Licence, status: int = 200, **forms):
    events = db.session.scalars(
        queries.audit_query()
        .where(AuditEvent.target_type == "licence", AuditEvent.target_id == licence.id)
        .limit(30)
    ).all()
    status_form = forms.get("status_form") or LicenceStatusForm(formdata=None)
    status_form.status.choices = [("", "Choose the new status")] + [
        (s.value, s.label) for s in licence_services.TRANSITIONS[licence.status]
    ]
    spin_offs = db.session.scalars(
        sa.select(SpinOff).where(SpinOff.licence_id == licence.id).order_by(SpinOff.name)
    ).all()
    return render_template(
        "admin/licensing/licence.html",
        licence=licence,
        status_form=status_form,
        milestone_form=forms.get("milestone_form") or MilestoneForm(formdata=None),
        row_form=RowForm(formdata=None),
        events=audit_words.describe(events),
        spin_offs=spin_offs,
        error=forms.get("error"),
    ), status


@bp.route("/licences/<int:licence_id>")
def licence_detail(licence_id: int):
    return _licence_page(_licence_or_404(licence_id))


def _licence_data(
    form: LicenceForm, base: licence_services.LicenceData | None = None
) -> licence_services.LicenceData:
    data = base or licence_services.LicenceData(organisation_id=None, technology_id=None, start_on=None)
    data.organisation_id = form.organisation_id.data
    data.technology_id = form.technology_id.data
    data.ip_rights = form.ip_rights.data or ""
    data.patent_family_id = form.patent_family_id.data
    data.field_of_use = form.field_of_use.data or ""
    data.territory = form.territory.data or ""
    data.exclusivity = Exclusivity(form.exclusivity.data)
    data.start_on = form.start_on.data
    data.end_on = form.end_on.data
    data.currency = form.currency.data
    data.upfront_fee_cents = licence_services.to_cents(form.upfront_fee.data)
    data.royalty_rate = form.royalty_rate.data
    data.minimum_annual_royalty_cents = licence_services.to_cents(form.minimum_annual_royalty.data)
    data.report_frequency = ReportFrequency(form.report_frequency.data)
    data.officer_id = form.officer_id.data
    data.notes = form.notes.data or ""
    return data


def _form_values(data: licence_services.LicenceData) -> dict:
    return {
        "organisation_id": data.organisation_id,
        "technology_id": data.technology_id,
        "ip_rights": data.ip_rights,
        "patent_family_id": data.patent_family_id,
        "field_of_use": data.field_of_use,
        "territory": data.territory,
        "exclusivity": data.exclusivity.value,
        "start_on": data.start_on,
        "end_on": data.end_on,
        "currency": data.currency,
        "upfront_fee": data.upfront_fee_cents / 100 if data.upfront_fee_cents else None,
        "royalty_rate": data.royalty_rate,
        "minimum_annual_royalty": data.minimum_annual_royalty_cents / 100
        if data.minimum_annual_royalty_cents
        else None,
        "report_frequency": data.report_frequency.value,
        "officer_id": data.officer_id,
        "notes": data.notes,
    }


def _form_page(form: LicenceForm, status: int = 200, **context):
    form.organisation_id.choices = _organisation_choices("Choose the licensee")
    form.technology_id.choices = _technology_choices("Choose the technology")
    form.officer_id.choices = _officer_choices()
    return render_template("admin/licensing/licence_form.html", form=form, **context), status


def _term_sheet(agreement_id: int | None) -> Agreement | None:
    if agreement_id is None:
        return None
    agreement = db.session.scalar(
        sa.select(Agreement).where(Agreement.id == agreement_id).options(joinedload(Agreement.organisation))
    )
    if agreement is None:
        abort(404)
    return agreement


@bp.route("/licences/new", methods=["GET", "POST"])
def licence_new():
    """A licence entered by staff, or recorded from an executed term sheet (?term_sheet=<id>, or
    ?lead=<id> for the lead's term sheet): the form comes prefilled; one licence per term sheet."""
    agreement_id = bounded_int(request.values.get("term_sheet"), minimum=1)
    lead_id = bounded_int(request.args.get("lead"), minimum=1)
    if agreement_id is None and lead_id is not None:
        lead = db.session.get(Lead, lead_id)
        if lead is None:
            abort(404)
        if lead.agreement_id is None:
            flash(
                "This lead has no term sheet yet: issue one, have it signed, then record the licence.",
                "warning",
            )
            return redirect(url_for("admin.lead_detail", lead_id=lead_id))
        agreement_id = lead.agreement_id
    agreement = _term_sheet(agreement_id)
    prefill = None
    if agreement is not None:
        existing = licence_services.licence_of_term_sheet(agreement.id)
        if existing is not None:
            flash(f"Term sheet {agreement.number} already has its licence, {existing.reference}.", "info")
            return redirect(url_for("admin.licence_detail", licence_id=existing.id))
        try:
            prefill = licence_services.prefill_from_term_sheet(agreement)
        except DomainError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("admin.agreement_detail", agreement_id=agreement.id))
    if request.method == "GET":
        form = LicenceForm(formdata=None, data=_form_values(prefill) if prefill else None)
        return _form_page(form, term_sheet=agreement)
    form = LicenceForm()
    if not form.validate_on_submit():
        return _form_page(form, 400, term_sheet=agreement)
    try:
        if agreement is not None:
            licence, created = licence_services.record_from_term_sheet(
                current_user, agreement, _licence_data(form, prefill)
            )
        else:
            licence, created = licence_services.create_licence(current_user, _licence_data(form)), True
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _form_page(form, 400, term_sheet=_term_sheet(agreement_id))
    db.session.commit()
    if not created:
        flash(f"This term sheet already has its licence, {licence.reference}.", "info")
    elif agreement is not None:
        flash(
            f"Licence {licence.reference} recorded from {agreement.number}; the lead is licensed.", "success"
        )
    else:
        flash(f"Licence {licence.reference} saved as a draft: activate it when it is signed.", "success")
    return redirect(url_for("admin.licence_detail", licence_id=licence.id))


@bp.route("/licences/<int:licence_id>/edit", methods=["GET", "POST"])
def licence_edit(licence_id: int):
    licence = _licence_or_404(licence_id)
    if request.method == "GET":
        data = licence_services.LicenceData(
            **{name: getattr(licence, name) for name in licence_services.FIELDS}
        )
        return _form_page(LicenceForm(formdata=None, data=_form_values(data)), licence=licence)
    form = LicenceForm()
    if not form.validate_on_submit():
        return _form_page(form, 400, licence=licence)
    try:
        changed = licence_services.update_licence(current_user, licence, _licence_data(form))
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _form_page(form, 400, licence=_licence_or_404(licence_id))
    db.session.commit()
    flash("Licence saved." if changed else "Nothing changed.", "success" if changed else "info")
    return redirect(url_for("admin.licence_detail", licence_id=licence_id))


@bp.route("/licences/<int:licence_id>/status", methods=["POST"])
def licence_status(licence_id: int):
    licence = _licence_or_404(licence_id)
    form = LicenceStatusForm()
    form.status.choices = [(s.value, s.label) for s in licence_services.TRANSITIONS[licence.status]]
    if not form.validate_on_submit():
        form.status.errors = ["Choose the new status."] if form.status.errors else form.status.errors
        return _licence_page(licence, 400, status_form=form)
    try:
        licence_services.set_status(
            current_user, licence, LicenceStatus(form.status.data), form.note.data or ""
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _licence_page(_licence_or_404(licence_id), 400, status_form=form)
    db.session.commit()
    flash(f"The licence is now {licence.status.label.lower()}.", "success")
    return redirect(url_for("admin.licence_detail", licence_id=licence_id))


@bp.route("/licences/<int:licence_id>/milestones", methods=["POST"])
def licence_milestone_add(licence_id: int):
    licence = _licence_or_404(licence_id)
    form = MilestoneForm()
    if not form.validate_on_submit():
        return _licence_page(licence, 400, milestone_form=form)
    try:
        licence_services.add_milestone(
            current_user,
            licence,
            form.description.data,
            licence_services.to_cents(form.amount.data),
            form.due_on.data,
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _licence_page(_licence_or_404(licence_id), 400, milestone_form=form)
    db.session.commit()
    flash("Milestone added.", "success")
    return redirect(url_for("admin.licence_detail", licence_id=licence_id, _anchor="milestones"))


@bp.route("/licences/<int:licence_id>/milestones/remove", methods=["POST"])
def licence_milestone_remove(licence_id: int):
    licence = _licence_or_404(licence_id)
    form = RowForm()
    try:
        if not form.validate_on_submit():
            raise DomainError("Choose the milestone to remove.")
        licence_services.remove_milestone(current_user, licence, bounded_int(form.row_id.data, minimum=1))
    except DomainError:
        db.session.rollback()
        return _licence_page(_licence_or_404(licence_id), 400, error="Choose the milestone to remove.")
    db.session.commit()
    flash("Milestone removed.", "success")
    return redirect(url_for("admin.licence_detail", licence_id=licence_id, _anchor="milestones"))


@bp.route("/licences/<int:licence_id>/reports/received", methods=["POST"])
def licence_report_received(licence_id: int):
    licence = _licence_or_404(licence_id)
    form = RowForm()
    report_id = bounded_int(form.row_id.data, minimum=1) if form.validate_on_submit() else None
    report = next((r for r in licence.reports if r.id == report_id), None)
    if report is None:
        return _licence_page(licence, 400, error="Choose the report that arrived.")
    try:
        reporting.mark_received(current_user, report)
    except DomainError as exc:
        db.session.rollback()
        return _licence_page(_licence_or_404(licence_id), 400, error=exc.message)
    db.session.commit()
    flash(f"The report due {report.due_on.isoformat()} is marked received.", "success")
    return redirect(url_for("admin.licence_detail", licence_id=licence_id, _anchor="reports"))


# --- spin-offs --------------------------------------------------------------------------------


@bp.route("/spin-offs")
def spin_offs():
    status = request.args.get("status", "")[:20]
    stmt = (
        sa.select(SpinOff)
        .options(
            selectinload(SpinOff.founders),
            joinedload(SpinOff.technology),
            joinedload(SpinOff.organisation),
            selectinload(SpinOff.rounds),
        )
        .order_by(SpinOff.name, SpinOff.id)
    )
    if status in {s.value for s in SpinOffStatus}:
        stmt = stmt.where(SpinOff.status == SpinOffStatus(status))
    page = paginate(stmt, page_number(), PER_PAGE)
    return render_template(
        "admin/licensing/spin_offs.html", page=page, statuses=list(SpinOffStatus), status=status
    )


def _spin_off_or_404(spinoff_id: int) -> SpinOff:
    spin_off = db.session.scalar(
        sa.select(SpinOff)
        .where(SpinOff.id == spinoff_id)
        .options(
            selectinload(SpinOff.founders),
            joinedload(SpinOff.licence).joinedload(Licence.organisation),
            joinedload(SpinOff.technology),
            joinedload(SpinOff.organisation),
            selectinload(SpinOff.rounds),
        )
    )
    if spin_off is None:
        abort(404)
    return spin_off


def _spin_off_page(spin_off: SpinOff, status: int = 200, **forms):
    events = db.session.scalars(
        queries.audit_query()
        .where(AuditEvent.target_type == "spinoff", AuditEvent.target_id == spin_off.id)
        .limit(30)
    ).all()
    partner_form = forms.get("partner_form") or BecomePartnerForm(formdata=None)
    if spin_off.organisation_id is None:
        partner_form.organisation_id.choices = _organisation_choices("None: create a new organisation")
        partner_form.country.choices = [("", "Choose a country"), *country_choices()]
    return render_template(
        "admin/licensing/spin_off.html",
        spin_off=spin_off,
        round_form=forms.get("round_form") or FundingRoundForm(formdata=None),
        partner_form=partner_form,
        row_form=RowForm(formdata=None),
        events=audit_words.describe(events),
        error=forms.get("error"),
        match=spinoff_services.existing_organisation(spin_off.name)
        if spin_off.organisation_id is None
        else None,
    ), status


@bp.route("/spin-offs/<int:spinoff_id>")
def spin_off_detail(spinoff_id: int):
    return _spin_off_page(_spin_off_or_404(spinoff_id))


def _spin_off_form_page(form: SpinOffForm, status: int = 200, **context):
    form.founder_ids.choices = [
        (i, name)
        for i, name in db.session.execute(sa.select(Researcher.id, Researcher.name).order_by(Researcher.name))
    ]
    licences = db.session.execute(
        sa.select(Licence.id, Organisation.legal_name, Technology.reference)
        .join(Organisation, Organisation.id == Licence.organisation_id)
        .join(Technology, Technology.id == Licence.technology_id)
        .order_by(Licence.id.desc())
    ).all()
    form.licence_id.choices = [("", "No licence")] + [
        (i, f"LIC-{i:05d} {org}, {ref}") for i, org, ref in licences
    ]
    form.technology_id.choices = _technology_choices("No technology")
    return render_template("admin/licensing/spin_off_form.html", form=form, **context), status


def _spin_off_data(form: SpinOffForm) -> spinoff_services.SpinOffData:
    return spinoff_services.SpinOffData(
        name=form.name.data or "",
        founder_ids=list(form.founder_ids.data or []),
        incorporated_on=form.incorporated_on.data,
        licence_id=form.licence_id.data,
        technology_id=form.technology_id.data,
        equity_percent=form.equity_percent.data,
        support=form.support.data or "",
        status=SpinOffStatus(form.status.data),
    )


@bp.route("/spin-offs/new", methods=["GET", "POST"])
def spin_off_new():
    if request.method == "GET":
        licence_id = bounded_int(request.args.get("licence"), minimum=1)
        return _spin_off_form_page(SpinOffForm(formdata=None, data={"licence_id": licence_id}))
    form = SpinOffForm()
    if not form.validate_on_submit():
        return _spin_off_form_page(form, 400)
    try:
        spin_off = spinoff_services.create_spin_off(current_user, _spin_off_data(form))
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _spin_off_form_page(form, 400)
    db.session.commit()
    flash(f"Spin-off {spin_off.name} saved.", "success")
    return redirect(url_for("admin.spin_off_detail", spinoff_id=spin_off.id))


@bp.route("/spin-offs/<int:spinoff_id>/edit", methods=["GET", "POST"])
def spin_off_edit(spinoff_id: int):
    spin_off = _spin_off_or_404(spinoff_id)
    if request.method == "GET":
        values = {
            "name": spin_off.name,
            "founder_ids": [r.id for r in spin_off.founders],
            "incorporated_on": spin_off.incorporated_on,
            "licence_id": spin_off.licence_id,
            "technology_id": spin_off.technology_id,
            "equity_percent": spin_off.equity_percent,
            "support": spin_off.support,
            "status": spin_off.status.value,
        }
        return _spin_off_form_page(SpinOffForm(formdata=None, data=values), spin_off=spin_off)
    form = SpinOffForm()
    if not form.validate_on_submit():
        return _spin_off_form_page(form, 400, spin_off=spin_off)
    try:
        changed = spinoff_services.update_spin_off(current_user, spin_off, _spin_off_data(form))
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _spin_off_form_page(form, 400, spin_off=_spin_off_or_404(spinoff_id))
    db.session.commit()
    flash("Spin-off saved." if changed else "Nothing changed.", "success" if changed else "info")
    return redirect(url_for("admin.spin_off_detail", spinoff_id=spinoff_id))


@bp.route("/spin-offs/<int:spinoff_id>/rounds", methods=["POST"])
def spin_off_round_add(spinoff_id: int):
    spin_off = _spin_off_or_404(spinoff_id)
    form = FundingRoundForm()
    if not form.validate_on_submit():
        return _spin_off_page(spin_off, 400, round_form=form)
    try:
        spinoff_services.add_round(
            current_user,
            spin_off,
            form.closed_on.data,
            form.round.data,
            licence_services.to_cents(form.amount.data),
            form.currency.data,
            form.investors.data or "",
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _spin_off_page(_spin_off_or_404(spinoff_id), 400, round_form=form)
    db.session.commit()
    flash("Funding round added.", "success")
    return redirect(url_for("admin.spin_off_detail", spinoff_id=spinoff_id, _anchor="rounds"))


@bp.route("/spin-offs/<int:spinoff_id>/rounds/remove", methods=["POST"])
def spin_off_round_remove(spinoff_id: int):
    spin_off = _spin_off_or_404(spinoff_id)
    form = RowForm()
    try:
        if not form.validate_on_submit():
            raise DomainError("Choose the round to remove.")
        spinoff_services.remove_round(current_user, spin_off, bounded_int(form.row_id.data, minimum=1))
    except DomainError:
        db.session.rollback()
        return _spin_off_page(_spin_off_or_404(spinoff_id), 400, error="Choose the round to remove.")
    db.session.commit()
    flash("Funding round removed.", "success")
    return redirect(url_for("admin.spin_off_detail", spinoff_id=spinoff_id, _anchor="rounds"))


@bp.route("/spin-offs/<int:spinoff_id>/partner", methods=["POST"])
def spin_off_partner(spinoff_id: int):
    """The spin-off becomes a partner organisation (a new one, or one already registered)."""
    spin_off = _spin_off_or_404(spinoff_id)
    form = BecomePartnerForm()
    if not form.validate_on_submit():
        return _spin_off_page(spin_off, 400, partner_form=form)
    try:
        organisation, created = spinoff_services.become_partner(
            current_user, spin_off, country=form.country.data or "", organisation_id=form.organisation_id.data
        )
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _spin_off_page(_spin_off_or_404(spinoff_id), 400, partner_form=form)
    db.session.commit()
    flash(
        f"{organisation.legal_name} is {'a new partner organisation' if created else 'linked'}: "
        "invite its people from the organisation's page.",
        "success",
    )
    return redirect(url_for("admin.spin_off_detail", spinoff_id=spinoff_id))
