"""Console pages for agreements: the register, preparing and issuing, countersigning, voiding,
replacing, and the versioned templates with preview and publishing."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ...agreements import nda as nda_gate
from ...agreements import services as agreements
from ...agreements import templates
from ...agreements.forms import KIND_FIELDS, AgreementForm, NewVersionForm, ReasonForm, SignForm, TemplateForm
from ...agreements.models import Agreement, AgreementKind, AgreementStatus, AgreementTemplate, SignatoryParty
from ...agreements.rendering import FIELDS
from ...agreements.web import evidence_from, finish_execution
from ...core.errors import DomainError
from ...core.forms import apply_domain_error
from ...core.web import pdf_file
from ...extensions import db
from ...membership import services as membership
from ...partners.models import Organisation
from .. import PER_PAGE, admin_only, bp, page_number, queries, sorting_of
from ..paging import paginate

# --- the register ----------------------------------------------------------------------------


def register_filters() -> dict[str, str]:
    """The register's filters from the query string (the list and its CSV export)."""
    return {
        "status": request.args.get("status", "")[:40],
        "kind": request.args.get("kind", "")[:40],
        "q": request.args.get("q", "").strip()[:100],
    }


@bp.route("/agreements")
def agreements_list():
    filters = register_filters()
    sorting = sorting_of(queries.AGREEMENT_SORT)
    stmt = queries.agreements_query(filters["status"], filters["kind"], filters["q"], sorting)
    page = paginate(stmt, page_number(), PER_PAGE)
    return render_template(
        "admin/agreements/agreements.html",
        page=page,
        sorting=sorting,
        **filters,
        statuses=list(AgreementStatus),
        kinds=list(AgreementKind),
    )


def _terms(form: AgreementForm) -> agreements.Terms:
    """The form's fields are named like the Terms; an empty field takes the Terms' default."""
    values = {f.name: form[f.name].data for f in dataclasses.fields(agreements.Terms)}
    return agreements.Terms(**{name: value for name, value in values.items() if value not in (None, "")})


def _tier_for(organisation: Organisation, kind: AgreementKind):
    if kind is not AgreementKind.PARTNERSHIP:
        return None
    current = membership.membership_of(organisation)
    return current.tier if current else None


def _kind(value: str | None) -> AgreementKind:
    try:
        return AgreementKind(value or "")
    except ValueError:
        return AgreementKind.NDA


@bp.route("/organisations/<int:organisation_id>/agreements/new", methods=["GET", "POST"])
def agreement_new(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = AgreementForm()
    if request.method == "GET":
        form.kind.data = _kind(request.args.get("kind")).value
        if form.kind.data == AgreementKind.NDA.value:
            form.purpose.data = nda_gate.nda_terms().purpose
    kind = _kind(form.kind.data)
    if request.method == "POST" and form.validate_on_submit():
        try:
            agreement = agreements.create_agreement(
                current_user, organisation, kind, _terms(form), tier=_tier_for(organisation, kind)
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"Draft {agreement.number} is ready. Check the PDF, then issue it.", "success")
            return redirect(url_for("admin.agreement_detail", agreement_id=agreement.id))
    return render_template(
        "admin/agreements/agreement_form.html",
        form=form,
        organisation=organisation,
        agreement=None,
        kind=kind,
        shown=KIND_FIELDS[kind],
    ), (400 if request.method == "POST" else 200)


@bp.route("/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
def agreement_edit(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id, options=[joinedload(Agreement.organisation)])
    if agreement.status is not AgreementStatus.DRAFT:
        flash("Only a draft can be changed.", "warning")
        return redirect(url_for("admin.agreement_detail", agreement_id=agreement.id))
    form = AgreementForm(obj=agreements.terms_of(agreement)) if request.method == "GET" else AgreementForm()
    form.kind.data = agreement.kind.value
    if request.method == "POST" and form.validate_on_submit():
        try:
            agreements.update_draft(
                current_user, agreement, _terms(form), _tier_for(agreement.organisation, agreement.kind)
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash("The draft is updated and its PDF generated again.", "success")
            return redirect(url_for("admin.agreement_detail", agreement_id=agreement.id))
    return render_template(
        "admin/agreements/agreement_form.html",
        form=form,
        organisation=agreement.organisation,
        agreement=agreement,
        kind=agreement.kind,
        shown=KIND_FIELDS[agreement.kind],
    ), (400 if request.method == "POST" else 200)


def _detail(
    agreement: Agreement, countersign: SignForm | None = None, void: ReasonForm | None = None, status=200
):
    countersign = countersign or SignForm(
        formdata=None, full_name=current_user.full_name, title=current_user.job_title
    )
    countersign.document_sha256.data = agreement.pdf_sha256
    return render_template(
        "admin/agreements/agreement.html",
        agreement=agreement,
        countersign_form=countersign,
        void_form=void or ReasonForm(formdata=None),
        statement=agreements.signing_statement(agreement, SignatoryParty.INSTITUTION),
        replacement=agreements.open_replacement(agreement),
    ), status


@bp.route("/agreements/<int:agreement_id>")
def agreement_detail(agreement_id: int):
    return _detail(agreements.agreement_for_page(agreement_id) or abort(404))


def _act(agreement_id: int, action, done: str):
    agreement = db.get_or_404(Agreement, agreement_id)
    try:
        result = action(agreement)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("admin.agreement_detail", agreement_id=agreement_id))
    db.session.commit()
    flash(done, "success")
    target = result if isinstance(result, Agreement) else agreement
    return redirect(url_for("admin.agreement_detail", agreement_id=target.id))


@bp.route("/agreements/<int:agreement_id>/issue", methods=["POST"])
def agreement_issue(agreement_id: int):
    return _act(
        agreement_id,
        lambda a: agreements.issue(current_user, a),
        "Issued: the partner's signatories are emailed.",
    )


@bp.route("/agreements/<int:agreement_id>/replace", methods=["POST"])
def agreement_replace(agreement_id: int):
    return _act(
        agreement_id,
        lambda a: agreements.prepare_replacement(current_user, a, _tier_for(a.organisation, a.kind)),
        "A replacement draft is ready; once executed it supersedes the current agreement.",
    )


@bp.route("/agreements/<int:agreement_id>/render", methods=["POST"])
def agreement_render(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id)
    ok = agreements.render_executed(agreement)
    db.session.commit()
    flash(
        "The executed PDF is stored." if ok else "The executed PDF could not be produced; see the log.",
        "success" if ok else "danger",
    )
    return redirect(url_for("admin.agreement_detail", agreement_id=agreement.id))


@bp.route("/agreements/<int:agreement_id>/void", methods=["POST"])
def agreement_void(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            agreements.void(current_user, agreement, form.reason.data)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"{agreement.number} is void.", "success")
            return redirect(url_for("admin.agreement_detail", agreement_id=agreement.id))
    return _detail(agreement, void=form, status=400)


@bp.route("/agreements/<int:agreement_id>/countersign", methods=["POST"])
@admin_only
def agreement_countersign(agreement_id: int):
    agreement = db.get_or_404(Agreement, agreement_id)
    if agreement.status is not AgreementStatus.PARTNER_SIGNED:
        flash(
            f"{agreement.number} is {agreement.status.label.lower()}: there is nothing to countersign.",
            "warning",
        )
        return redirect(url_for("admin.agreement_detail", agreement_id=agreement.id))
    form = SignForm()
    if form.validate_on_submit():
        try:
            agreements.countersign(current_user, agreement, evidence_from(form))
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            return _detail(db.session.get(Agreement, agreement_id), countersign=form, status=409)
        db.session.commit()
        rendered = finish_execution(agreement)
        flash(
            f"Countersigned: {agreement.number} is executed."
            + ("" if rendered else " The executed PDF will be produced by the next retry."),
            "success",
        )
        return redirect(url_for("admin.agreement_detail", agreement_id=agreement.id))
    return _detail(agreement, countersign=form, status=400)


# --- templates -------------------------------------------------------------------------------


@bp.route("/agreement-templates")
def agreement_templates():
    return render_template(
        "admin/agreements/agreement_templates.html",
        grouped=templates.templates_by_kind(),
        form=NewVersionForm(formdata=None),
    )


@bp.route("/agreement-templates/new", methods=["POST"])
@admin_only
def agreement_template_new():
    form = NewVersionForm()
    if not form.validate_on_submit():
        flash("Choose the kind and the language of the new version.", "danger")
        return redirect(url_for("admin.agreement_templates"))
    try:
        template = templates.new_template_version(
            current_user, AgreementKind(form.kind.data), form.language.data
        )
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("admin.agreement_templates"))
    db.session.commit()
    return redirect(url_for("admin.agreement_template_detail", template_id=template.id))


def _template_page(template: AgreementTemplate, form: TemplateForm | None = None, status: int = 200):
    return render_template(
        "admin/agreements/agreement_template.html",
        template=template,
        form=form or TemplateForm(obj=template),
        fields=FIELDS,
        usage=db.session.scalar(
            sa.select(sa.func.count()).select_from(Agreement).where(Agreement.template_id == template.id)
        ),
    ), status


@bp.route("/agreement-templates/<int:template_id>")
def agreement_template_detail(template_id: int):
    return _template_page(db.get_or_404(AgreementTemplate, template_id))


@bp.route("/agreement-templates/<int:template_id>/save", methods=["POST"])
@admin_only
def agreement_template_save(template_id: int):
    template = db.get_or_404(AgreementTemplate, template_id)
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            templates.save_template(
                current_user,
                template,
                title=form.title.data,
                body=form.body.data,
                effective_on=form.effective_on.data,
                change_note=form.change_note.data or "",
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash("Saved. Preview it, then publish when it is ready.", "success")
            return redirect(url_for("admin.agreement_template_detail", template_id=template.id))
    return _template_page(template, form, 400)


@bp.route("/agreement-templates/<int:template_id>/preview", methods=["POST"])
def agreement_template_preview(template_id: int):
    """The text in the editor (saved or not) as a PDF with example values."""
    template = db.get_or_404(AgreementTemplate, template_id)
    form = TemplateForm()
    form.validate()  # the editor's text is previewed even when another field is not ready yet
    body = form.body.data or template.body
    try:
        data = templates.preview_template(body, template)
    except DomainError as exc:
        form.body.errors = [*form.body.errors, exc.message]
        return _template_page(template, form, 400)
    return pdf_file(data, f"preview-{template.kind.value}.pdf", inline=True)


@bp.route("/agreement-templates/<int:template_id>/publish", methods=["POST"])
@admin_only
def agreement_template_publish(template_id: int):
    template = db.get_or_404(AgreementTemplate, template_id)
    try:
        templates.publish_template(current_user, template)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(
            f"Version {template.version} is published; documents already generated keep their text.",
            "success",
        )
    return redirect(url_for("admin.agreement_template_detail", template_id=template.id))
