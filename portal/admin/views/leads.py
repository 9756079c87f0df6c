"""Console pages for licensing leads: the queue, one lead, its status and its term sheet."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ...agreements.models import Agreement
from ...catalog.models import Lead, LeadStatus, Technology
from ...catalog.services import leads as lead_services
from ...core.errors import DomainError
from ...core.forms import Limit
from ...core.models import AuditEvent
from ...extensions import db
from ...partners.models import Organisation
from .. import PER_PAGE, audit_words, bp, page_number, queries, sorting_of
from ..paging import paginate


class LeadStatusForm(FlaskForm):
    status = SelectField(
        "New status",
        choices={s.value: s.label for s in LeadStatus},
        validators=[DataRequired("Choose the new status.")],
    )
    note = TextAreaField(
        "Note to the partner",
        validators=[Optional(), Limit(2000)],
        description="Optional. Sent to the partner with the new status, and kept in the audit log.",
    )


@bp.route("/leads")
def leads():
    status = request.args.get("status", "open")[:20]
    q = request.args.get("q", "")[:100]
    mine = request.args.get("mine", "") == "1"
    sorting = sorting_of(queries.LEAD_SORT)
    page = paginate(
        queries.leads_query(status, q, current_user.id if mine else None, sorting), page_number(), PER_PAGE
    )
    return render_template(
        "admin/leads/leads.html",
        page=page,
        sorting=sorting,
        status=status,
        q=q,
        mine=mine,
        statuses=list(LeadStatus),
    )


def _lead_or_404(lead_id: int) -> Lead:
    lead = db.session.scalar(
        sa.select(Lead)
        .where(Lead.id == lead_id)
        .options(
            joinedload(Lead.technology).selectinload(Technology.inventors),
            joinedload(Lead.organisation).joinedload(Organisation.account_owner),
            joinedload(Lead.created_by),
            joinedload(Lead.assigned_to),
        )
    )
    if lead is None:
        abort(404)
    return lead


def _detail(lead: Lead, form: LeadStatusForm | None = None, status: int = 200):
    events = db.session.scalars(
        queries.audit_query()
        .where(AuditEvent.target_type == "lead", AuditEvent.target_id == lead.id)
        .limit(30)
    ).all()
    form = form or LeadStatusForm(formdata=None)
    moves = lead_services.TRANSITIONS[lead.status]
    form.status.choices = {s.value: s.label for s in moves}
    agreement = (
        db.session.scalar(sa.select(Agreement).where(Agreement.id == lead.agreement_id))
        if lead.agreement_id
        else None
    )
    return (
        render_template(
            "admin/leads/lead.html",
            lead=lead,
            form=form,
            moves=moves,
            agreement=agreement,
            events=audit_words.describe(events),
        ),
        status,
    )


@bp.route("/leads/<int:lead_id>")
def lead_detail(lead_id: int):
    return _detail(_lead_or_404(lead_id))


@bp.route("/leads/<int:lead_id>/status", methods=["POST"])
def lead_status(lead_id: int):
    lead = _lead_or_404(lead_id)
    form = LeadStatusForm()
    form.status.choices = {s.value: s.label for s in lead_services.TRANSITIONS[lead.status]}
    if not form.validate_on_submit():
        if form.status.errors:
            form.status.errors = ["Choose the new status."]
        return _detail(lead, form, 400)
    try:
        lead_services.set_status(current_user, lead, LeadStatus(form.status.data), form.note.data or "")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(f"The lead is now {lead.status.label.lower()}; the partner is emailed.", "success")
    return redirect(url_for("admin.lead_detail", lead_id=lead_id))


@bp.route("/leads/<int:lead_id>/term-sheet", methods=["POST"])
def lead_term_sheet(lead_id: int):
    lead = _lead_or_404(lead_id)
    try:
        agreement, created = lead_services.issue_term_sheet(current_user, lead)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("admin.lead_detail", lead_id=lead_id))
    db.session.commit()
    if created:
        flash(
            f"Term sheet {agreement.number} is prepared as a draft: check its terms, then issue it.",
            "success",
        )
    else:
        flash(f"This lead already has its term sheet, {agreement.number}.", "info")
    return redirect(url_for("admin.lead_detail", lead_id=lead_id))
