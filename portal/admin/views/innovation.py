"""Console pages of invention disclosures (the list, one disclosure, staff disclosing on a
researcher's behalf, assessment, files, to the market), IP records (patent families and their
applications, copyright and know-how) and the IP calendar (issue 14)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from ...agreements.models import Agreement
from ...catalog.models import Researcher
from ...core.errors import DomainError
from ...core.forms import apply_domain_error
from ...extensions import db
from ...innovation.downloads import attachment_response
from ...innovation.forms import DisclosureFileForm, fill_form, set_inventor_choices
from ...innovation.forms_console import (
    AssessmentForm,
    DeadlineDoneForm,
    FamilyForm,
    IpRecordForm,
    PatentApplicationForm,
    StaffDisclosureForm,
)
from ...innovation.models import (
    ApplicationKind,
    ApplicationStatus,
    Disclosure,
    DisclosureInventor,
    DisclosureStatus,
    IpRecordKind,
    PatentFamily,
    Recommendation,
)
from ...innovation.services import assessment as assessing
from ...innovation.services import disclosures
from ...innovation.services import ip_records as ip
from ...innovation.services import to_market as market
from ...innovation.services.deadlines import REMINDER_DAYS
from ...innovation.web import save_disclosure
from ...partners.models import Organisation
from .. import PER_PAGE, bp, page_number, queries
from ..paging import paginate

STATUS_FILTERS = {
    "waiting": [DisclosureStatus.SUBMITTED],
    "all": list(DisclosureStatus),
    **{s.value: [s] for s in DisclosureStatus},
}


@bp.app_template_global()
def disclosure_of_technology(technology_id: int) -> Disclosure | None:
    """For the catalog's console page of a listing: the disclosure it came from (one query)."""
    return market.disclosure_of(technology_id)


# --- disclosures -------------------------------------------------------------------------------


@bp.route("/innovation/disclosures")
def disclosures_list():
    status = request.args.get("status", "waiting")[:20]
    urgent_only = request.args.get("urgent") == "1"
    statuses = STATUS_FILTERS.get(status, STATUS_FILTERS["waiting"])
    today = date.today()
    stmt = (
        sa.select(Disclosure)
        .where(Disclosure.status.in_(statuses))
        .options(
            joinedload(Disclosure.officer),
            selectinload(Disclosure.inventors).joinedload(DisclosureInventor.researcher),
        )
        .order_by(Disclosure.submitted_at.desc().nulls_last(), Disclosure.id.desc())
    )
    if urgent_only:
        stmt = stmt.where(
            Disclosure.status.in_([DisclosureStatus.DRAFT, DisclosureStatus.SUBMITTED]),
            Disclosure.planned_publication_date.between(today, date.fromordinal(today.toordinal() + 60)),
        )
    page = paginate(stmt, page_number(), PER_PAGE)
    return render_template(
        "admin/innovation/disclosures.html",
        page=page,
        status=status,
        urgent_only=urgent_only,
        statuses=list(DisclosureStatus),
        today=today,
    )


def _load(disclosure_id: int) -> Disclosure:
    disclosure = db.session.scalar(
        sa.select(Disclosure)
        .where(Disclosure.id == disclosure_id)
        .options(
            joinedload(Disclosure.author),
            joinedload(Disclosure.officer),
            joinedload(Disclosure.funding_organisation),
            joinedload(Disclosure.funding_agreement),
            joinedload(Disclosure.technology),
            selectinload(Disclosure.inventors).joinedload(DisclosureInventor.researcher),
            selectinload(Disclosure.external_inventors),
            selectinload(Disclosure.attachments),
            selectinload(Disclosure.assessment),
        )
    )
    if disclosure is None:
        abort(404)
    return disclosure


def _staff_form_choices(form: StaffDisclosureForm) -> None:
    set_inventor_choices(
        form, db.session.scalars(sa.select(Researcher).order_by(Researcher.name, Researcher.id))
    )
    form.funding_organisation_id.choices = [("", "None")] + [
        (o.id, o.legal_name)
        for o in db.session.scalars(sa.select(Organisation).order_by(Organisation.legal_name).limit(2000))
    ]
    form.funding_agreement_id.choices = [("", "None")] + [
        (a.id, a.number)
        for a in db.session.scalars(sa.select(Agreement).order_by(Agreement.number.desc()).limit(2000))
    ]


def _check_funding_links(form: StaffDisclosureForm) -> bool:
    org_id, agreement_id = form.funding_organisation_id.data, form.funding_agreement_id.data
    if org_id is not None and db.session.get(Organisation, org_id) is None:
        form.funding_organisation_id.errors.append("Choose an organisation.")
        return False
    if agreement_id is not None:
        agreement = db.session.get(Agreement, agreement_id)
        if agreement is None or (org_id is not None and agreement.organisation_id != org_id):
            form.funding_agreement_id.errors.append("Choose an agreement of the funding organisation.")
            return False
    return True


def _save(form: StaffDisclosureForm, disclosure: Disclosure | None):
    if not _check_funding_links(form):
        return None
    return save_disclosure(form, disclosure)


@bp.route("/innovation/disclosures/new", methods=["GET", "POST"])
def disclosure_new():
    form = StaffDisclosureForm()
    _staff_form_choices(form)
    if form.validate_on_submit():
        disclosure = _save(form, None)
        if disclosure is not None:
            flash(f"{disclosure.reference} saved ({disclosure.status.label.lower()}).", "success")
            return redirect(url_for("admin.disclosure_detail", disclosure_id=disclosure.id))
    code = 400 if form.is_submitted() else 200
    return render_template("admin/innovation/disclosure_form.html", form=form, disclosure=None), code


@bp.route("/innovation/disclosures/<int:disclosure_id>/edit", methods=["GET", "POST"])
def disclosure_edit(disclosure_id: int):
    disclosure = _load(disclosure_id)
    if disclosure.status is not DisclosureStatus.DRAFT:
        flash("Only a draft can be changed.", "warning")
        return redirect(url_for("admin.disclosure_detail", disclosure_id=disclosure.id))
    form = StaffDisclosureForm()
    _staff_form_choices(form)
    if not form.is_submitted():
        fill_form(form, disclosure)
    if form.validate_on_submit():
        saved = _save(form, disclosure)
        if saved is not None:
            flash(f"{saved.reference} saved ({saved.status.label.lower()}).", "success")
            return redirect(url_for("admin.disclosure_detail", disclosure_id=saved.id))
        disclosure = _load(disclosure_id)
    code = 400 if form.is_submitted() else 200
    return render_template("admin/innovation/disclosure_form.html", form=form, disclosure=disclosure), code


def _page(disclosure: Disclosure, status: int = 200, **forms):
    ip_of = ip.ip_of_disclosures([disclosure.id])[disclosure.id]
    return render_template(
        "admin/innovation/disclosure.html",
        disclosure=disclosure,
        staff_view=True,
        ip_of=ip_of,
        assessment_form=forms.get("assessment_form") or AssessmentForm(formdata=None),
        record_form=forms.get("record_form") or IpRecordForm(formdata=None),
        file_form=DisclosureFileForm(formdata=None),
        today=date.today(),
        Recommendation=Recommendation,
    ), status


@bp.route("/innovation/disclosures/<int:disclosure_id>")
def disclosure_detail(disclosure_id: int):
    return _page(_load(disclosure_id))


def _back(disclosure: Disclosure, anchor: str | None = None):
    return redirect(url_for("admin.disclosure_detail", disclosure_id=disclosure.id, _anchor=anchor))


@bp.route("/innovation/disclosures/<int:disclosure_id>/submit", methods=["POST"])
def disclosure_submit(disclosure_id: int):
    disclosure = _load(disclosure_id)
    try:
        disclosures.submit(current_user, disclosure)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back(disclosure)
    db.session.commit()
    flash(
        f"{disclosure.reference} submitted; the co-inventors were asked to confirm their shares.", "success"
    )
    return _back(disclosure)


@bp.route("/innovation/disclosures/<int:disclosure_id>/inventors/<int:inventor_id>/confirm", methods=["POST"])
def disclosure_confirm_inventor(disclosure_id: int, inventor_id: int):
    disclosure = _load(disclosure_id)
    try:
        row = disclosures.confirm_for_inventor(current_user, disclosure, inventor_id)
    except DomainError as exc:
        db.session.rollback()
        if exc.field == "inventor":
            abort(404)
        flash(exc.message, "danger")
        return _back(disclosure)
    db.session.commit()
    flash(f"Share of {row.researcher.name} recorded as confirmed.", "success")
    return _back(disclosure)


@bp.route("/innovation/disclosures/<int:disclosure_id>/assess", methods=["POST"])
def disclosure_assess(disclosure_id: int):
    disclosure = _load(disclosure_id)
    form = AssessmentForm()
    if form.validate_on_submit():
        try:
            data = assessing.AssessmentData(
                **{name: int(getattr(form, name).data) for name in assessing.SCORES},
                recommendation=Recommendation(form.recommendation.data),
                note=form.note.data or "",
            )
            assessing.assess(current_user, disclosure, data)
        except (ValueError, DomainError) as exc:
            db.session.rollback()
            message = getattr(exc, "message", "Check the scores and the recommendation.")
            form.form_errors.append(message)
            return _page(_load(disclosure_id), 400, assessment_form=form)
        db.session.commit()
        flash(
            f"{disclosure.reference} assessed: {data.recommendation.label}. The inventors were emailed.",
            "success",
        )
        return _back(disclosure)
    return _page(disclosure, 400, assessment_form=form)


@bp.route("/innovation/disclosures/<int:disclosure_id>/to-market", methods=["POST"])
def disclosure_to_market(disclosure_id: int):
    disclosure = _load(disclosure_id)
    try:
        technology, created = market.to_market(current_user, disclosure)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back(disclosure)
    db.session.commit()
    if created:
        flash(
            f"Draft listing {technology.reference} created from {disclosure.reference}; "
            "review and publish it.",
            "success",
        )
    return redirect(url_for("admin.technology_detail", technology_id=technology.id))


@bp.route("/innovation/disclosures/<int:disclosure_id>/records", methods=["POST"])
def disclosure_ip_record(disclosure_id: int):
    disclosure = _load(disclosure_id)
    form = IpRecordForm()
    if form.validate_on_submit():
        try:
            ip.add_record(
                current_user,
                IpRecordKind(form.kind.data),
                form.title.data,
                disclosure=disclosure,
                description=form.description.data or "",
                registration=form.registration.data or "",
                record_date=form.record_date.data,
            )
        except (ValueError, DomainError) as exc:
            db.session.rollback()
            form.title.errors.append(getattr(exc, "message", "Choose a kind."))
            return _page(_load(disclosure_id), 400, record_form=form)
        db.session.commit()
        flash("IP record added.", "success")
        return _back(disclosure, "ip")
    return _page(disclosure, 400, record_form=form)


@bp.route("/innovation/disclosures/<int:disclosure_id>/files", methods=["POST"])
def disclosure_upload(disclosure_id: int):
    disclosure = _load(disclosure_id)
    form = DisclosureFileForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            attachment = disclosures.add_attachment(
                current_user, disclosure, upload.stream, upload.filename or ""
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return _back(disclosure, "files")
        finally:
            upload.close()
        try:
            db.session.commit()
        except BaseException:
            disclosures.discard(attachment)
            raise
        flash(f"“{attachment.filename}” is attached.", "success")
    else:
        flash(" ".join(str(e) for e in form.file.errors) or "Choose a file to attach.", "danger")
    return _back(disclosure, "files")


@bp.route("/innovation/disclosures/<int:disclosure_id>/files/<int:disclosure_file_id>")
def disclosure_file(disclosure_id: int, disclosure_file_id: int):
    disclosure = _load(disclosure_id)
    attachment = next((a for a in disclosure.attachments if a.id == disclosure_file_id), None)
    if attachment is None:
        abort(404)
    return attachment_response(attachment)


# --- IP records --------------------------------------------------------------------------------


@bp.route("/innovation/ip")
def ip_families():
    stmt = (
        sa.select(PatentFamily)
        .options(
            selectinload(PatentFamily.applications),
            joinedload(PatentFamily.officer),
            joinedload(PatentFamily.disclosure),
        )
        .order_by(PatentFamily.id.desc())
    )
    page = paginate(stmt, page_number(), PER_PAGE)
    today = date.today()
    handled = ip.done_keys(d.key for f in page.items for d in ip.deadlines_of(f))
    upcoming = {
        f.id: next((d for d in ip.deadlines_of(f) if d.due >= today and d.key not in handled), None)
        for f in page.items
    }
    return render_template("admin/innovation/families.html", page=page, upcoming=upcoming, today=today)


def _family_choices(form: FamilyForm) -> None:
    form.disclosure_id.choices = [("", "None")] + [
        (d.id, f"{d.reference} {d.title}"[:120])
        for d in db.session.scalars(
            sa.select(Disclosure)
            .where(Disclosure.status != DisclosureStatus.DRAFT)
            .order_by(Disclosure.id.desc())
            .limit(1000)
        )
    ]
    form.officer_id.choices = [("", "Me")] + [(u.id, u.full_name) for u in queries.staff_members()]


@bp.route("/innovation/ip/new", methods=["GET", "POST"])
def ip_family_new():
    form = FamilyForm()
    _family_choices(form)
    if not form.is_submitted():
        form.disclosure_id.data = disclosures_arg = request.args.get("disclosure_id", type=int)
        if disclosures_arg:
            found = db.session.get(Disclosure, disclosures_arg)
            form.title.data = found.title if found else ""
    if form.validate_on_submit():
        staff_ids = {u.id for u in queries.staff_members()}
        if form.officer_id.data is not None and form.officer_id.data not in staff_ids:
            form.officer_id.errors.append("Choose a member of staff.")
        else:
            try:
                family = ip.create_family(
                    current_user,
                    ip.FamilyData(
                        reference=form.reference.data,
                        title=form.title.data,
                        disclosure_id=form.disclosure_id.data,
                        officer_id=form.officer_id.data,
                        note=form.note.data or "",
                    ),
                )
            except DomainError as exc:
                db.session.rollback()
                apply_domain_error(form, exc)
            else:
                db.session.commit()
                flash(f"Patent family {family.reference} created; add its first application.", "success")
                return redirect(url_for("admin.ip_family_detail", family_id=family.id))
    code = 400 if form.is_submitted() else 200
    return render_template("admin/innovation/family_form.html", form=form), code


def _load_family(family_id: int) -> PatentFamily:
    family = ip.load_family(family_id)
    if family is None:
        abort(404)
    return family


def _family_page(family: PatentFamily, status: int = 200, form: PatentApplicationForm | None = None):
    deadlines = ip.deadlines_of(family)
    handled = ip.done_keys(d.key for d in deadlines)
    return render_template(
        "admin/innovation/family.html",
        family=family,
        deadlines=deadlines,
        handled=handled,
        form=form or PatentApplicationForm(formdata=None),
        done_form=DeadlineDoneForm(formdata=None),
        today=date.today(),
    ), status


@bp.route("/innovation/ip/<int:family_id>")
def ip_family_detail(family_id: int):
    return _family_page(_load_family(family_id))


def _application_data(form: PatentApplicationForm) -> ip.ApplicationData:
    return ip.ApplicationData(
        kind=ApplicationKind(form.kind.data),
        office=form.office.data or "",
        country=form.country.data or "",
        application_number=form.application_number.data or "",
        publication_number=form.publication_number.data or "",
        filing_date=form.filing_date.data,
        priority_date=form.priority_date.data,
        grant_date=form.grant_date.data,
        status=ApplicationStatus(form.status.data),
    )


@bp.route("/innovation/ip/<int:family_id>/applications", methods=["POST"])
def ip_application_add(family_id: int):
    family = _load_family(family_id)
    form = PatentApplicationForm()
    if form.validate_on_submit():
        try:
            application = ip.add_application(current_user, family, _application_data(form))
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            return _family_page(_load_family(family_id), 400, form)
        db.session.commit()
        flash(f"Application {application} recorded.", "success")
        return redirect(url_for("admin.ip_family_detail", family_id=family.id))
    return _family_page(family, 400, form)


@bp.route("/innovation/ip/<int:family_id>/applications/<int:application_id>", methods=["GET", "POST"])
def ip_application_edit(family_id: int, application_id: int):
    family = _load_family(family_id)
    application = next((a for a in family.applications if a.id == application_id), None)
    if application is None:
        abort(404)
    form = PatentApplicationForm(obj=None if request.method == "POST" else application)
    if request.method == "GET":
        form.kind.data, form.status.data = application.kind.value, application.status.value
    if form.validate_on_submit():
        try:
            ip.update_application(current_user, application, _application_data(form))
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash("Application saved; its deadlines follow the new dates.", "success")
            return redirect(url_for("admin.ip_family_detail", family_id=family.id))
    code = 400 if form.is_submitted() else 200
    return render_template(
        "admin/innovation/application_form.html", form=form, family=family, application=application
    ), code


@bp.route("/innovation/ip-calendar")
def ip_calendar():
    today = date.today()
    return render_template(
        "admin/innovation/calendar.html",
        calendar=ip.calendar(today),
        today=today,
        done_form=DeadlineDoneForm(formdata=None),
        reminder_days=REMINDER_DAYS,
    )


@bp.route("/innovation/ip-calendar/done", methods=["POST"])
def ip_deadline_done():
    form = DeadlineDoneForm()
    back = request.form.get("back") == "family" and bounded_family(request.form.get("family_id"))
    if form.validate_on_submit():
        try:
            ip.mark_done(current_user, form.key.data)
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash("Deadline marked as handled.", "success")
    else:
        flash("Choose a deadline.", "danger")
    if back:
        return redirect(url_for("admin.ip_family_detail", family_id=back))
    return redirect(url_for("admin.ip_calendar"))


def bounded_family(value: str | None) -> int | None:
    from ...core.forms import bounded_int

    number = bounded_int(value, minimum=1)
    return number if number and db.session.get(PatentFamily, number) is not None else None
