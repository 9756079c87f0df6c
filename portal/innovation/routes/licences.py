"""/licences: a licensee organisation's licences and reporting duties (partner users of the
organisation; another organisation's licence answers 404, a draft is not shown)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from ...core.errors import DomainError
from ...core.forms import apply_domain_error, bounded_int
from ...core.permissions import partner_required
from ...extensions import db
from ..forms_licensing import ReportSubmitForm
from ..models.licensing import Licence, LicenceStatus
from ..services import licences as licence_services
from ..services import reporting
from .blueprint import bp


@bp.route("/licences")
@partner_required
def licences():
    found = licence_services.licences_of(current_user.organisation_id)
    return render_template(
        "innovation/licences/index.html",
        licences=found,
        reports=licence_services.open_reports(found),
        today=date.today(),
    )


def _own_licence(licence_id: int) -> Licence:
    licence = db.session.scalar(
        sa.select(Licence)
        .where(
            Licence.id == licence_id,
            Licence.organisation_id == current_user.organisation_id,
            Licence.status != LicenceStatus.DRAFT,
        )
        .options(
            joinedload(Licence.technology),
            joinedload(Licence.officer),
            selectinload(Licence.reports),
            selectinload(Licence.milestones),
        )
    )
    if licence is None:
        abort(404)
    return licence


def _detail(licence: Licence, form: ReportSubmitForm | None = None, status: int = 200):
    return render_template(
        "innovation/licences/detail.html",
        licence=licence,
        form=form or ReportSubmitForm(formdata=None),
        failed_report=bounded_int(form.report_id.data, minimum=1) if form is not None else None,
        today=date.today(),
    ), status


@bp.route("/licences/<int:licence_id>")
@partner_required
def licence_detail(licence_id: int):
    return _detail(_own_licence(licence_id))


@bp.route("/licences/<int:licence_id>/reports", methods=["POST"])
@partner_required
def licence_submit_report(licence_id: int):
    licence = _own_licence(licence_id)
    form = ReportSubmitForm()
    if not form.validate_on_submit():
        return _detail(licence, form, 400)
    report_id = bounded_int(form.report_id.data, minimum=1)
    report = next((r for r in licence.reports if r.id == report_id), None)
    if report is None:
        form.form_errors.append(_("Choose the report you sent."))
        return _detail(licence, form, 400)
    try:
        reporting.submit_report(current_user, report, form.note.data or "")
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return _detail(_own_licence(licence_id), form, 400)
    db.session.commit()
    flash(_("Thank you: the Technology Transfer Office is told that the report is on its way."), "success")
    return redirect(url_for("innovation.licence_detail", licence_id=licence_id))
