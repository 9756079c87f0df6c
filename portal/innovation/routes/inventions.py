"""/inventions: a researcher's invention disclosures (those they wrote or are an inventor on; any
other id is a 404), a new one, editing while a draft, submitting, confirming their own share,
attaching files and downloading them."""

from __future__ import annotations

from datetime import date
from functools import wraps

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...catalog.models import Researcher
from ...challenges.services import researcher_of
from ...core.errors import DomainError
from ...core.forms import ConfirmForm
from ...core.permissions import login_redirect
from ...extensions import db
from ..downloads import attachment_response
from ..forms import DisclosureFileForm, DisclosureForm, fill_form, set_inventor_choices
from ..models import DisclosureStatus
from ..services import disclosures as services
from ..web import save_disclosure
from .blueprint import bp


def researcher_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_redirect()
        if not current_user.is_researcher:
            abort(403)
        g.researcher = researcher_of(current_user)
        if g.researcher is None:
            return render_template("innovation/not_linked.html")
        return view(*args, **kwargs)

    return wrapped


def _directory() -> list[Researcher]:
    return list(db.session.scalars(sa.select(Researcher).order_by(Researcher.name, Researcher.id)))


def _own(disclosure_id: int):
    disclosure = services.for_researcher(g.researcher, current_user, disclosure_id)
    if disclosure is None:
        abort(404)
    return disclosure


@bp.route("/inventions")
@researcher_required
def inventions():
    return render_template(
        "innovation/index.html",
        researcher=g.researcher,
        disclosures=services.of_researcher(g.researcher, current_user),
        today=date.today(),
    )


def _form_page(form: DisclosureForm, disclosure=None, status: int = 200):
    return render_template("innovation/form.html", form=form, disclosure=disclosure), status


@bp.route("/inventions/new", methods=["GET", "POST"])
@researcher_required
def invention_new():
    form = DisclosureForm()
    set_inventor_choices(form, _directory())
    if not form.is_submitted():
        form.inventors[0].form.researcher_id.data = g.researcher.id
        form.inventors[0].form.share.data = "100"
    if form.validate_on_submit():
        disclosure = save_disclosure(form, None)
        if disclosure is not None:
            flash(_submitted_or_saved(disclosure), "success")
            return redirect(url_for("innovation.invention_detail", disclosure_id=disclosure.id))
    return _form_page(form, status=400 if form.is_submitted() else 200)


def _submitted_or_saved(disclosure) -> str:
    if disclosure.status is DisclosureStatus.SUBMITTED:
        return _(
            "%(reference)s is submitted to the Technology Transfer Office.", reference=disclosure.reference
        )
    return _("Draft %(reference)s saved.", reference=disclosure.reference)


@bp.route("/inventions/<int:disclosure_id>")
@researcher_required
def invention_detail(disclosure_id: int):
    disclosure = _own(disclosure_id)
    mine = next((i for i in disclosure.inventors if i.researcher_id == g.researcher.id), None)
    return render_template(
        "innovation/detail.html",
        disclosure=disclosure,
        mine=mine,
        confirm_form=ConfirmForm(),
        file_form=DisclosureFileForm(),
        today=date.today(),
    )


@bp.route("/inventions/<int:disclosure_id>/edit", methods=["GET", "POST"])
@researcher_required
def invention_edit(disclosure_id: int):
    disclosure = _own(disclosure_id)
    if disclosure.status is not DisclosureStatus.DRAFT:
        flash(_("Only a draft can be changed. Write to the Technology Transfer Office instead."), "warning")
        return redirect(url_for("innovation.invention_detail", disclosure_id=disclosure.id))
    form = DisclosureForm()
    set_inventor_choices(form, _directory())
    if not form.is_submitted():
        fill_form(form, disclosure)
    if form.validate_on_submit():
        saved = save_disclosure(form, disclosure)
        if saved is not None:
            flash(_submitted_or_saved(saved), "success")
            return redirect(url_for("innovation.invention_detail", disclosure_id=saved.id))
        disclosure = _own(disclosure_id)
    return _form_page(form, disclosure, 400 if form.is_submitted() else 200)


@bp.route("/inventions/<int:disclosure_id>/submit", methods=["POST"])
@researcher_required
def invention_submit(disclosure_id: int):
    disclosure = _own(disclosure_id)
    try:
        services.submit(current_user, disclosure)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("innovation.invention_detail", disclosure_id=disclosure_id))
    db.session.commit()
    flash(_submitted_or_saved(disclosure), "success")
    return redirect(url_for("innovation.invention_detail", disclosure_id=disclosure_id))


@bp.route("/inventions/<int:disclosure_id>/confirm", methods=["POST"])
@researcher_required
def invention_confirm(disclosure_id: int):
    disclosure = _own(disclosure_id)
    if ConfirmForm().validate_on_submit():
        try:
            row = services.confirm_share(current_user, g.researcher, disclosure)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            share = f"{row.share.normalize():f}"
            flash(_("Thank you: your share of %(share)s %% is confirmed.", share=share), "success")
    return redirect(url_for("innovation.invention_detail", disclosure_id=disclosure_id))


@bp.route("/inventions/<int:disclosure_id>/files", methods=["POST"])
@researcher_required
def invention_upload(disclosure_id: int):
    disclosure = _own(disclosure_id)
    form = DisclosureFileForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            attachment = services.add_attachment(
                current_user, disclosure, upload.stream, upload.filename or ""
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("innovation.invention_detail", disclosure_id=disclosure_id))
        finally:
            upload.close()
        try:
            db.session.commit()
        except BaseException:
            services.discard(attachment)
            raise
        flash(_("“%(name)s” is attached.", name=attachment.filename), "success")
    else:
        flash(" ".join(str(e) for e in form.file.errors) or _("Choose a file to attach."), "danger")
    return redirect(url_for("innovation.invention_detail", disclosure_id=disclosure_id))


@bp.route("/inventions/<int:disclosure_id>/files/<int:disclosure_file_id>")
@researcher_required
def invention_file(disclosure_id: int, disclosure_file_id: int):
    disclosure = _own(disclosure_id)
    attachment = next((a for a in disclosure.attachments if a.id == disclosure_file_id), None)
    if attachment is None:
        abort(404)
    return attachment_response(attachment)
