"""/technologies/<slug>/interest: a partner with partner access states its licensing interest."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.errors import DomainError
from ...core.forms import apply_domain_error
from ...core.permissions import partner_required
from ...extensions import db
from .. import services as catalog
from ..forms_interest import InterestForm
from ..services import leads
from .blueprint import bp
from .listing import listing_or_404


@bp.route("/technologies/<slug>/interest", methods=["GET", "POST"])
@partner_required
def interest(slug: str):
    viewer = catalog.viewer_context(current_user)
    technology, level = listing_or_404(slug, viewer)
    allowed = level >= catalog.Level.PARTNER_DETAIL
    existing = leads.open_lead(current_user.organisation_id, technology.id) if allowed else None
    form = InterestForm()
    status = 200
    if allowed and existing is None and form.validate_on_submit():
        try:
            leads.express_interest(
                current_user,
                current_user.organisation,
                technology,
                viewer,
                leads.InterestData(
                    intended_use=form.intended_use.data or "",
                    field_of_use=form.field_of_use.data or "",
                    territory=form.territory.data or "",
                    timeline=form.timeline.data or "",
                    message=form.message.data or "",
                ),
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(
                _(
                    "Thank you: your licensing interest is with the Technology Transfer Office. "
                    "We have emailed you a copy."
                ),
                "success",
            )
            return redirect(url_for("catalog.detail", slug=technology.slug))
    if form.errors or form.form_errors:
        status = 400
    return (
        render_template(
            "catalog/interest.html",
            technology=technology,
            form=form,
            allowed=allowed,
            existing=existing,
            detail_tiers=catalog.tiers_offering(catalog.Level.PARTNER_DETAIL) if not allowed else [],
        ),
        status,
    )
