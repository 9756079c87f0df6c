"""/collaborate: the ways to work with the institution, each with its enquiry form (throttled, with a
honeypot) and a thank-you page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, render_template, url_for

from ...core.errors import DomainError
from ...core.forms import apply_domain_error
from ...core.i18n import current_language
from ...extensions import db, limiter
from ..forms import EnquiryForm
from ..models import CollaborationModel
from ..services import enquiries, pipeline
from .blueprint import bp


def _published(slug: str) -> CollaborationModel:
    model = db.session.scalar(
        sa.select(CollaborationModel).where(
            CollaborationModel.slug == slug[:80], CollaborationModel.published.is_(True)
        )
    )
    if model is None:
        abort(404)
    return model


@bp.route("/collaborate")
def collaborate():
    return render_template(
        "crm/collaborate.html",
        models=pipeline.collaboration_models(published_only=True),
        language=current_language(),
    )


@bp.route("/collaborate/<model_slug>", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def collaborate_detail(model_slug: str):
    model = _published(model_slug)
    form = EnquiryForm()
    status = 200
    if form.validate_on_submit():
        if form.extra_reference.data:  # a bot: it is thanked, nothing is kept or sent
            return redirect(url_for("crm.collaborate_thanks", model_slug=model.slug))
        try:
            enquiries.submit_enquiry(
                model,
                enquiries.EnquiryData(
                    company=form.company.data,
                    country=form.country.data,
                    contact_name=form.contact_name.data,
                    email=form.email.data,
                    interest=form.interest.data or "",
                    message=form.message.data or "",
                ),
                language=current_language(),
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            return redirect(url_for("crm.collaborate_thanks", model_slug=model.slug))
    if form.errors or form.form_errors:
        status = 400
    others = [m for m in pipeline.collaboration_models(published_only=True) if m.id != model.id]
    return render_template(
        "crm/collaborate_detail.html", model=model, form=form, others=others, language=current_language()
    ), status


@bp.route("/collaborate/<model_slug>/thanks")
def collaborate_thanks(model_slug: str):
    return render_template(
        "crm/collaborate_thanks.html", model=_published(model_slug), language=current_language()
    )
