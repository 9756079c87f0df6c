"""Partner pages for agreements (list, read, sign, download), the NDA gate, and public /verify."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.errors import DomainError, abort_with
from ..core.forms import apply_domain_error
from ..core.permissions import login_redirect, partner_required, safe_next
from ..extensions import db, limiter
from . import gate, services, verification
from . import nda as nda_gate
from .forms import SignForm, VerifyForm
from .models import Agreement, AgreementStatus, SignatoryParty
from .web import evidence_from, finish_execution, pdf_download

bp = Blueprint("agreements", __name__)
log = logging.getLogger("liaison.agreements")

MAX_VERIFY_BYTES = 15 * 1024 * 1024  # under MAX_CONTENT_LENGTH (25 MB), so the form can say so


def visible_agreement_or_404(agreement_id: int) -> Agreement:
    """The organisation's users see its issued agreements; staff see all; anyone else gets 404."""
    agreement = services.agreement_for_page(agreement_id)
    if agreement is None or not current_user.is_authenticated:
        abort(404)
    if current_user.is_staff:
        return agreement
    if agreement.organisation_id != current_user.organisation_id or agreement.status is AgreementStatus.DRAFT:
        abort(404)
    return agreement


@bp.route("/agreements")
@partner_required
def index():
    organisation = current_user.organisation
    return render_template(
        "agreements/index.html",
        agreements=services.agreements_of(organisation),
        nda=gate.nda_acceptance(organisation.id),
        is_signatory=current_user.has_org_role("signatory"),
    )


def _detail_page(agreement: Agreement, form: SignForm | None = None, status: int = 200):
    if form is None:
        form = SignForm(formdata=None)
        if current_user.has_org_role("signatory"):
            form.full_name.data = current_user.full_name
            form.title.data = current_user.job_title
    form.document_sha256.data = agreement.pdf_sha256
    signatories = [u for u in agreement.organisation.users if u.active and u.has_org_role("signatory")]
    return render_template(
        "agreements/detail.html",
        agreement=agreement,
        form=form,
        can_sign=services.can_sign(current_user, agreement) and agreement.status is AgreementStatus.ISSUED,
        signatories=signatories,
        statement=services.signing_statement(agreement, SignatoryParty.PARTNER),
        text=services.readable_text(agreement),
    ), status


@bp.route("/agreements/<int:agreement_id>")
@partner_required
def detail(agreement_id: int):
    return _detail_page(visible_agreement_or_404(agreement_id))


@bp.route("/agreements/<int:agreement_id>/sign", methods=["POST"])
@partner_required
def sign(agreement_id: int):
    agreement = visible_agreement_or_404(agreement_id)
    form = SignForm()
    if not services.can_sign(current_user, agreement):
        abort_with(403, _("Only a signatory of your organisation can sign agreements."))
    if form.validate_on_submit():
        try:
            services.sign_as_partner(current_user, agreement, evidence_from(form))
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            return _detail_page(db.session.get(Agreement, agreement_id), form, 409)
        db.session.commit()
        finish_execution(agreement)
        flash(
            _("Signed. The agreement is executed.")
            if agreement.status is AgreementStatus.EXECUTED
            else _("Signed. We will countersign and email you the executed agreement."),
            "success",
        )
        return redirect(url_for("agreements.detail", agreement_id=agreement.id))
    return _detail_page(agreement, form, 400)


@bp.route("/agreements/<int:agreement_id>/pdf")
def pdf(agreement_id: int):
    """The organisation's users and staff; anyone else gets 404 (visitors sign in first)."""
    if not current_user.is_authenticated:
        return login_redirect()
    return pdf_download(visible_agreement_or_404(agreement_id))


@bp.route("/nda", methods=["GET", "POST"])
@partner_required
def nda():
    organisation = current_user.organisation
    template = nda_gate.current_nda() if request.method == "POST" else nda_gate.nda_for_reading()
    accepted = gate.nda_acceptance(organisation.id, template.language, template=template)
    try:
        text, params = nda_gate.nda_preview_html(organisation, template)
    except DomainError as exc:  # a published text that cannot render for this organisation
        log.error("NDA %s cannot be shown to organisation %s: %s", template, organisation.id, exc.message)
        abort_with(503, _("The NDA cannot be shown at the moment. The partnerships team has been told."))
    form = SignForm()
    if request.method == "GET":
        form.full_name.data = current_user.full_name
        form.title.data = current_user.job_title
    status = 200
    if accepted is None and request.method == "POST":
        if not current_user.has_org_role("signatory"):
            abort_with(403, _("Only a signatory of your organisation can accept the NDA."))
        if form.validate_on_submit():
            try:
                with db.session.begin_nested():  # a refusal keeps the NDA version stored just now
                    agreement = nda_gate.accept_nda(current_user, organisation, template, evidence_from(form))
            except DomainError as exc:
                db.session.commit()
                apply_domain_error(form, exc)
                status = 409
            else:
                db.session.commit()
                finish_execution(agreement)
                flash(_("Thank you. Your organisation has accepted the NDA."), "success")
                return redirect(safe_target())
        else:
            status = 400
    form.document_sha256.data = nda_gate.text_fingerprint(text)
    return render_template(
        "agreements/nda.html",
        template=template,
        text=text,
        p=params,
        accepted=accepted,
        form=form,
        is_signatory=current_user.has_org_role("signatory"),
        next=request.args.get("next", ""),
    ), status


def safe_target() -> str:
    return safe_next(request.args.get("next"), url_for("agreements.nda"))


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit("30 per 10 minutes", methods=["POST"])
def verify():
    form = VerifyForm()
    verdict = None
    status = 200
    if request.method == "POST" and form.validate():
        upload = form.document.data
        if upload and getattr(upload, "filename", ""):
            data = upload.read(MAX_VERIFY_BYTES + 1)
            if len(data) > MAX_VERIFY_BYTES:
                form.document.errors = [_("That file is larger than any agreement we issue (15 MB).")]
                status = 400
            else:
                verdict = verification.verify_bytes(data)
        elif (form.number.data or "").strip() and (form.sha256.data or "").strip():
            verdict = verification.verify_hash(form.sha256.data, form.number.data)
        else:
            form.form_errors.append(
                _("Choose the PDF file, or enter both the agreement number and its fingerprint.")
            )
            status = 400
    elif request.method == "POST":
        status = 400
    return render_template("agreements/verify.html", form=form, verdict=verdict), status
